package hallserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
)

// TestStatsRoute serves one visit and one instant application on Monday
// 2 March 2026 over HTTP, rates the visit, and reads the figures back as
// supervisors and admins do. The store's tests check every figure on a
// larger hall; this one checks the wire form: rounding, nulls, names.
func TestStatsRoute(t *testing.T) {
	h := newTestHall(t, true)
	counter, kiosk := h.as(auth.Counter), h.as(auth.Kiosk)
	var tk api.IssuedTicket
	h.call(t, kiosk, "POST", "/api/v1/tickets", `{"item":"JT-CX-001"}`, http.StatusCreated, &tk)
	h.call(t, counter, "POST", "/api/v1/windows/1/open", "", http.StatusNoContent, nil)
	h.clock.Advance(5 * time.Minute)
	h.call(t, counter, "POST", "/api/v1/windows/1/call-next", "", http.StatusOK, nil)
	h.clock.Advance(time.Minute)
	h.call(t, counter, "POST", "/api/v1/windows/1/start", `{}`, http.StatusOK, nil)
	h.clock.Advance(4*time.Minute + 500*time.Millisecond)
	h.call(t, counter, "POST", "/api/v1/windows/1/finish", `{}`, http.StatusOK, nil)
	var app api.Application
	h.call(t, counter, "POST", "/api/v1/applications",
		`{"item":"GA-CRJ-002","applicant_name":"王晓红","applicant_id":"520102199007140243","window":"1"}`, http.StatusCreated, &app)
	h.clock.Advance(10 * time.Minute)
	for _, ev := range []string{`{"kind":"advance","step":"review"}`, `{"kind":"advance","step":"decide"}`,
		`{"kind":"advance","step":"make"}`, `{"kind":"advance","step":"deliver"}`, `{"kind":"complete","outcome":"approved"}`} {
		h.call(t, counter, "POST", "/api/v1/applications/"+app.Number+"/events", ev, http.StatusOK, nil)
	}
	h.call(t, kiosk, "POST", "/api/v1/ratings", `{"ticket_token":"`+tk.Token+`","level":4}`, http.StatusCreated, nil)

	var st api.Stats
	h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/stats?from=2026-03-01&to=2026-03-08&period=week&by=staff", "", http.StatusOK, &st)
	if st.From != "2026-03-01" || st.To != "2026-03-08" || st.Period != "week" || st.By != "staff" || st.Provisional || len(st.Rows) != 1 {
		t.Fatalf("stats %+v", st)
	}
	row := st.Rows[0]
	// 1 March is a Sunday, the last day of ISO week 9; 2 March starts week 10.
	if row.Period != "2026-W10" || row.Start != "2026-03-02" || row.End != "2026-03-08" || row.Key != "counter1" || row.Name != "counter1" {
		t.Errorf("row %s %s–%s %s %q", row.Period, row.Start, row.End, row.Key, row.Name)
	}
	one, zero := 1.0, 0.0
	want := api.StatsFigures{
		Applications: api.ApplicationStats{Accepted: 1, Completed: 1, SameDay: 1, SameDayRate: &one, OnTime: 1,
			AvgUsedDays: &zero, AvgLegalShare: &zero},
		Tickets: api.TicketStats{Issued: 1, Served: 1, Called: 1, AvgWaitSeconds: intp(300), LongestWaitSeconds: intp(300),
			AvgServiceSeconds: intp(241)}, // 4 min 0.5 s rounds up
		Ratings: api.RatingStats{Count: 1, Satisfied: 1, SatisfactionRate: &one},
	}
	for where, got := range map[string]api.StatsFigures{"row": row.StatsFigures, "total": st.Total} {
		if d := diffFigures(got, want); d != "" {
			t.Errorf("%s: %s", where, d)
		}
	}

	// Without a dimension every period has a row; an empty one has null
	// rates and means, not zeros.
	res := h.call(t, h.as(auth.Admin), "GET", "/api/v1/stats?from=2026-02-28&to=2026-03-02&period=day", "", http.StatusOK, &st)
	if len(st.Rows) != 3 || st.Rows[0].Period != "2026-02-28" || st.Rows[2].Tickets.Issued != 1 || st.Rows[0].Tickets.AvgWaitSeconds != nil {
		t.Errorf("days %+v", st.Rows)
	}
	for _, null := range []string{`"same_day_rate":null`, `"avg_wait_seconds":null`, `"satisfaction_rate":null`, `"key":""`} {
		if !strings.Contains(string(bodyOf(res)), null) {
			t.Errorf("an empty day lacks %s", null)
		}
	}
}

func intp(n int) *int { return &n }

// diffFigures says how two wire figures differ ("" when they do not).
func diffFigures(got, want api.StatsFigures) string {
	var out []string
	add := func(name string, g, w any) {
		if g != w {
			out = append(out, fmt.Sprintf("%s: got %v, want %v", name, g, w))
		}
	}
	a, b := got.Applications, want.Applications
	add("accepted", a.Accepted, b.Accepted)
	add("completed", a.Completed, b.Completed)
	add("same day", a.SameDay, b.SameDay)
	add("early", a.Early, b.Early)
	add("on time", a.OnTime, b.OnTime)
	add("overdue", a.Overdue, b.Overdue)
	add("即办率", valueOf(a.SameDayRate), valueOf(b.SameDayRate))
	add("average days used", valueOf(a.AvgUsedDays), valueOf(b.AvgUsedDays))
	add("average legal share", valueOf(a.AvgLegalShare), valueOf(b.AvgLegalShare))
	tg, tw := got.Tickets, want.Tickets
	add("issued", tg.Issued, tw.Issued)
	add("served", tg.Served, tw.Served)
	add("no-show", tg.NoShow, tw.NoShow)
	add("cancelled", tg.Cancelled, tw.Cancelled)
	add("called", tg.Called, tw.Called)
	add("average wait", valueOf(tg.AvgWaitSeconds), valueOf(tw.AvgWaitSeconds))
	add("longest wait", valueOf(tg.LongestWaitSeconds), valueOf(tw.LongestWaitSeconds))
	add("average service", valueOf(tg.AvgServiceSeconds), valueOf(tw.AvgServiceSeconds))
	rg, rw := got.Ratings, want.Ratings
	add("ratings", rg.Count, rw.Count)
	add("非常满意", rg.VerySatisfied, rw.VerySatisfied)
	add("满意", rg.Satisfied, rw.Satisfied)
	add("基本满意", rg.BasicallySatisfied, rw.BasicallySatisfied)
	add("不满意", rg.Dissatisfied, rw.Dissatisfied)
	add("非常不满意", rg.VeryDissatisfied, rw.VeryDissatisfied)
	add("satisfaction rate", valueOf(rg.SatisfactionRate), valueOf(rw.SatisfactionRate))
	return strings.Join(out, "; ")
}

// valueOf is *p, or nil.
func valueOf[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestStatsRouteRefusals: who may read statistics, and what a bad query
// is told to send.
func TestStatsRouteRefusals(t *testing.T) {
	h := newTestHall(t, true)
	const ok = "/api/v1/stats?from=2026-03-01&to=2026-03-31"
	for _, role := range []auth.Role{auth.Counter, auth.Technician, auth.Kiosk} {
		wantError(t, h.do(t, h.as(role), "GET", ok, ""), http.StatusForbidden, codeForbidden)
	}
	wantError(t, h.do(t, anonymous, "GET", ok, ""), http.StatusUnauthorized, codeUnauthenticated)
	for _, role := range []auth.Role{auth.Supervisor, auth.Admin} {
		h.call(t, h.as(role), "GET", ok, "", http.StatusOK, nil)
	}
	tests := []struct{ query, words string }{
		{"", "from is missing"},
		{"?from=2026-03-01", "to is missing"},
		{"?from=2026-3-1&to=2026-03-31", `from "2026-3-1" is not a day: give it as YYYY-MM-DD`},
		{"?from=2026-03-31&to=2026-03-01", "to (2026-03-01) is before from (2026-03-31)"},
		{"?from=2020-01-01&to=2026-03-31", "at most 1098 days"},
		{"?from=2026-03-01&to=2026-03-31&period=quarter", `period "quarter": use day, week or month`},
		{"?from=2026-03-01&to=2026-03-31&by=queue", `by "queue": use department, item, window or staff`},
		{"?from=2026-03-01&to=2026-03-31&group=staff", "unknown parameter group: use from, to, period, by"},
		{"?from=2026-03-01&to=2026-03-31&by=staff&by=item", "give by once"},
	}
	for _, tt := range tests {
		msg := wantError(t, h.do(t, h.as(auth.Supervisor), "GET", "/api/v1/stats"+tt.query, ""), http.StatusBadRequest, codeInvalid)
		if !strings.Contains(msg, tt.words) || !strings.Contains(msg, "from=YYYY-MM-DD&to=YYYY-MM-DD") {
			t.Errorf("%s: %q does not say %q and what to send", tt.query, msg, tt.words)
		}
		if strings.Contains(msg, "store:") {
			t.Errorf("%s: %q shows the plumbing", tt.query, msg)
		}
	}
}

// TestStatsByHourAndCSV: by the hour a day has 24 rows and a ticket falls
// in the hour it was issued; GET /stats.csv serves the same figures as the
// CSV hallctl writes (byte order mark, bilingual header, the total last),
// to download, for the same roles and with the same refusals.
func TestStatsByHourAndCSV(t *testing.T) {
	h := newTestHall(t, true) // the clock starts at 09:30
	kiosk := h.as(auth.Kiosk)
	h.call(t, kiosk, "POST", "/api/v1/tickets", `{"queue":"A"}`, http.StatusCreated, nil)
	h.clock.Advance(time.Hour)
	h.call(t, kiosk, "POST", "/api/v1/tickets", `{"queue":"A"}`, http.StatusCreated, nil)
	h.call(t, kiosk, "POST", "/api/v1/tickets", `{"queue":"B"}`, http.StatusCreated, nil)

	const query = "?from=2026-03-02&to=2026-03-02&period=hour"
	var st api.Stats
	h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/stats"+query, "", http.StatusOK, &st)
	if st.Period != "hour" || len(st.Rows) != 24 || st.Total.Tickets.Issued != 3 {
		t.Fatalf("by the hour: period %q, %d rows, %d issued", st.Period, len(st.Rows), st.Total.Tickets.Issued)
	}
	for i, row := range st.Rows {
		want := map[int]int{9: 1, 10: 2}[i]
		if label := fmt.Sprintf("2026-03-02T%02d", i); row.Period != label || row.Tickets.Issued != want {
			t.Errorf("row %d: %s issued %d, want %s issued %d", i, row.Period, row.Tickets.Issued, label, want)
		}
	}

	res := h.call(t, h.as(auth.Admin), "GET", "/api/v1/stats.csv"+query, "", http.StatusOK, nil)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="stats-2026-03-02-2026-03-02-hour.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	body := string(bodyOf(res))
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	if !strings.HasPrefix(body, "\ufeff周期 period,起 start,止 end,受理 accepted,") || len(lines) != 1+24+1 {
		t.Fatalf("CSV starts %q, %d lines, want the BOM, the header, 24 hours and the total", body[:min(len(body), 60)], len(lines))
	}
	if !strings.HasPrefix(lines[11], "2026-03-02T10,2026-03-02,2026-03-02,") || !strings.HasPrefix(lines[25], "合计 total,2026-03-02,2026-03-02,") {
		t.Errorf("hour 10 %q, total %q", lines[11], lines[25])
	}

	for _, role := range []auth.Role{auth.Counter, auth.Technician, auth.Kiosk} {
		wantError(t, h.do(t, h.as(role), "GET", "/api/v1/stats.csv"+query, ""), http.StatusForbidden, codeForbidden)
	}
	msg := wantError(t, h.do(t, h.as(auth.Supervisor), "GET", "/api/v1/stats.csv?from=2026-03-01&to=2026-04-01&period=hour", ""),
		http.StatusBadRequest, codeInvalid)
	if !strings.Contains(msg, "at most 31 days") || !strings.Contains(msg, "GET /api/v1/stats.csv?from=") {
		t.Errorf("a month and a day by the hour: %q", msg)
	}
}
