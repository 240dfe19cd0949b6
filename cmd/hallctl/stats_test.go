package main

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/application"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// weekClock is the hall's clock while the test writes its day.
type weekClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *weekClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *weekClock) set(month time.Month, day, hour, minute int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = time.Date(2026, month, day, hour, minute, 0, 0, queue.Location)
}

// statsWeek fills a new hall with a week in March 2026, through the store:
// wang (王芳) at window 3 serves a ticket (waits 10 minutes, served 10) and
// marks another a no-show (after a 20-minute wait); accepts an instant
// application completed within the hour and a 1-day one completed on
// Thursday, three working days in (overdue); the visit is rated 5 and the
// instant application 2.
func statsWeek(t *testing.T) string {
	t.Helper()
	dir := newHall(t)
	ctx := context.Background()
	clk := &weekClock{}
	clk.set(3, 2, 9, 0)
	st, err := store.Open(ctx, dir, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cal, err := hallserver.HallCalendar(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, store.System, store.NewUser{Username: "wang", DisplayName: "王芳", Role: "counter", PasswordHash: "$argon2id$test"})
	if err != nil {
		t.Fatal(err)
	}
	wang := store.Actor{Name: "wang", Role: "counter", UserID: u.ID, Device: "window 3"}
	kiosk := store.Actor{Name: "kiosk:K01", Role: "kiosk", Device: "K01"}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	window := func(kind queue.ActionKind) {
		t.Helper()
		_, err := st.Act(ctx, wang, 3, store.WindowAction{Kind: kind})
		must(string(kind), err)
	}
	must("open", st.OpenWindow(ctx, wang, 3))
	served, err := st.IssueTicket(ctx, kiosk, store.IssueRequest{Item: "GA-CRJ-001"})
	must("issue", err)
	clk.set(3, 2, 9, 5)
	_, err = st.IssueTicket(ctx, kiosk, store.IssueRequest{Queue: "B"})
	must("issue", err)
	clk.set(3, 2, 9, 10)
	_, err = st.CallNext(ctx, wang, 3)
	must("call", err)
	clk.set(3, 2, 9, 11)
	window(queue.Start)
	clk.set(3, 2, 9, 21)
	window(queue.Finish)
	clk.set(3, 2, 9, 25)
	_, err = st.CallNext(ctx, wang, 3)
	must("call", err)
	window(queue.Recall)
	clk.set(3, 2, 9, 27)
	window(queue.MarkNoShow)
	clk.set(3, 2, 9, 30)
	_, err = st.RecordRating(ctx, kiosk, cal, store.RatingRequest{Channel: store.ChannelKiosk, TicketToken: served.Token, Level: 5})
	must("rate the visit", err)

	accept := func(item string) string {
		app, err := st.AcceptApplication(ctx, wang, store.AcceptRequest{Item: item, ApplicantName: "张三", ApplicantHash: "h",
			ApplicantSealed: []byte("sealed"), ApplicantMasked: "5201**********123X", Window: "3"})
		must("accept", err)
		return app.Number
	}
	approve := func(number string) {
		for _, step := range application.Steps[1:] {
			_, err := st.RecordApplicationEvent(ctx, wang, number, application.Event{Kind: application.EvAdvance, Step: step}, nil)
			must("advance", err)
		}
		_, err := st.RecordApplicationEvent(ctx, wang, number, application.Event{Kind: application.EvComplete, Outcome: application.Approved}, nil)
		must("complete", err)
	}
	clk.set(3, 2, 10, 0)
	instant := accept("GA-CRJ-002")
	clk.set(3, 2, 10, 20)
	approve(instant)
	clk.set(3, 2, 10, 30)
	_, err = st.RecordRating(ctx, kiosk, cal, store.RatingRequest{Channel: store.ChannelKiosk, ApplicationNumber: instant, Level: 2})
	must("rate the application", err)
	late := accept("SJ-DJ-003")
	clk.set(3, 5, 15, 0)
	approve(late)
	return dir
}

func TestStatsExportCSV(t *testing.T) {
	dir := statsWeek(t)
	out, err := hallctl(t, "", "stats", "export", "--data", dir, "--from", "2026-03-02", "--to", "2026-03-06",
		"--period", "week", "--by", "staff", "--csv")
	if err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(out, "\ufeff")
	if !ok {
		t.Fatalf("no UTF-8 byte order mark: %q", out[:min(len(out), 20)])
	}
	if !strings.Contains(body, "\r\n") {
		t.Error("lines do not end in CRLF")
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	if len(records) != 3 {
		t.Fatalf("%d records, want a header, wang's week and the total:\n%s", len(records), body)
	}
	header := records[0]
	for i, rec := range records[1:] {
		got := map[string]string{}
		for j, h := range header {
			got[h] = rec[j]
		}
		want := map[string]string{
			"周期 period": "2026-W10", "起 start": "2026-03-02", "止 end": "2026-03-06", "工作人员 staff": "wang", "姓名 name": "王芳",
			"受理 accepted": "2", "办结 completed": "2", "当场办结 same_day": "1", "即办率 same_day_rate": "50.00%",
			"提前办结 early": "0", "按期办结 on_time": "1", "超期办结 overdue": "1", "平均用时(工作日) avg_used_days": "1.50",
			"占法定时限 avg_legal_share": "50.00%", // (0/30 + 3/3) / 2
			"取号 issued":             "2", "办理 served": "1", "过号 no_show": "1", "取消 cancelled": "0", "叫号 called": "2",
			"平均等待(秒) avg_wait_seconds": "900", "最长等待(秒) longest_wait_seconds": "1200", "平均办理(秒) avg_service_seconds": "600",
			"评价 ratings": "2", "非常满意 very_satisfied": "1", "满意 satisfied": "0", "基本满意 basically_satisfied": "0",
			"不满意 dissatisfied": "1", "非常不满意 very_dissatisfied": "0", "满意率 satisfaction_rate": "50.00%",
		}
		if i == 1 { // the total
			want["周期 period"], want["工作人员 staff"], want["姓名 name"] = "合计 total", "", ""
		}
		if len(header) != len(want) {
			t.Errorf("header has %d columns, want %d: %q", len(header), len(want), header)
		}
		for col, w := range want {
			if got[col] != w {
				t.Errorf("record %d, %s = %q, want %q", i+1, col, got[col], w)
			}
		}
	}
}

func TestStatsExportTable(t *testing.T) {
	dir := statsWeek(t)
	out, err := hallctl(t, "", "stats", "export", "--data", dir, "--from", "2026-03-01", "--to", "2026-03-31", "--by", "window")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Statistics 2026-03-01 to 2026-03-31, by month and window",
		"Applications (办件)", "Tickets (排队叫号)", "Ratings (好差评)",
		"3 3号窗口", // the window with its name
		"15:00",  // the average wait, 900 s
		"50.00%",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	// Without a dimension nor --csv: one row per month, and the total.
	out, err = hallctl(t, "", "stats", "export", "--data", dir, "--from", "2026-02-01", "--to", "2026-03-31")
	if err != nil || !strings.Contains(out, "2026-02") || !strings.Contains(out, "total") {
		t.Errorf("by month: %v\n%s", err, out)
	}
}

func TestStatsExportRefusals(t *testing.T) {
	dir := newHall(t)
	tests := []struct {
		args  []string
		words string
	}{
		{[]string{"stats", "export", "--data", dir, "--to", "2026-03-31"}, "stats export: from is missing"},
		{[]string{"stats", "export", "--data", dir, "--from", "1.3.2026", "--to", "2026-03-31"}, "YYYY-MM-DD"},
		{[]string{"stats", "export", "--data", dir, "--from", "2026-03-01", "--to", "2026-03-31", "--by", "queue"}, "use department, item, window or staff"},
		{[]string{"stats", "export", "--data", dir, "--from", "2026-03-01", "--to", "2026-03-31", "--period", "year"}, "use day, week or month"},
		{[]string{"stats", "import"}, `stats "import": use export`},
	}
	for _, tt := range tests {
		_, err := hallctl(t, "", tt.args...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.words) {
			t.Errorf("%q: err %v, want a usage error saying %q", tt.args, err, tt.words)
		}
	}
	out, _ := hallctl(t, "", "help")
	if !strings.Contains(out, "stats export") || !strings.Contains(out, "BOM") {
		t.Error("usage does not show stats export and its BOM")
	}
}
