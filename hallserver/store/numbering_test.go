package store_test

import (
	"testing"
	"time"

	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func TestIssueNumbering(t *testing.T) {
	t.Parallel()
	s, clk := newHall(t)
	steps := []struct {
		req        store.IssueRequest
		wantNumber string
		wantQueue  string
		wantSeq    int
	}{
		{store.IssueRequest{Queue: "A"}, "A001", "A", 1},
		{store.IssueRequest{Queue: "A"}, "A002", "A", 2},
		{store.IssueRequest{Queue: "B"}, "B001", "B", 1}, // queues count separately
		{store.IssueRequest{Queue: "A", Priority: queue.Elderly}, "A003", "A", 3},
		{store.IssueRequest{Item: "GA-CRJ-001"}, "B002", "B", 2},            // item → queue B
		{store.IssueRequest{Item: "ZR-BDC-003"}, "C001", "C", 1},            // item → queue C
		{store.IssueRequest{Item: "WJ-YS-001", Queue: "A"}, "A004", "A", 4}, // item and its own queue
		{store.IssueRequest{Queue: "F", Priority: queue.GreenLane}, "F001", "F", 1},
		{store.IssueRequest{Queue: "A"}, "A005", "A", 5},
	}
	for _, st := range steps {
		clk.Advance(time.Second)
		tk := issue(t, s, st.req)
		if tk.Number != st.wantNumber || tk.Queue != st.wantQueue || tk.Seq != st.wantSeq || tk.Day != day0 {
			t.Errorf("IssueTicket(%+v) = %s queue %s seq %d day %s, want %s queue %s seq %d day %s",
				st.req, tk.Number, tk.Queue, tk.Seq, tk.Day, st.wantNumber, st.wantQueue, st.wantSeq, day0)
		}
		if tk.State != queue.Issued || !tk.IssuedAt.Equal(clk.Now()) || tk.Token == "" || tk.Item != st.req.Item {
			t.Errorf("IssueTicket(%+v) = %+v", st.req, tk)
		}
		got, err := s.TicketByToken(ctx, tk.Token)
		if err != nil {
			t.Fatalf("TicketByToken: %v", err)
		}
		if got.ID != tk.ID || got.Number != tk.Number || got.Priority != st.req.Priority || got.Item != st.req.Item {
			t.Errorf("stored ticket %+v, issued %+v", got, tk)
		}
	}
	all, err := s.Tickets(ctx, day0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(steps) {
		t.Errorf("Tickets(%s) = %v, want %d tickets", day0, numbersOf(all), len(steps))
	}
}

// Numbering restarts at local midnight in Asia/Shanghai (16:00 UTC), not at
// UTC midnight.
func TestIssueNumberingAcrossMidnight(t *testing.T) {
	t.Parallel()
	s, clk := newHall(t)
	steps := []struct {
		at         string // UTC
		queue      string
		wantNumber string
		wantDay    string
	}{
		{"2026-11-26T01:00:00Z", "A", "A001", "2026-11-26"},
		{"2026-11-26T15:59:59Z", "A", "A002", "2026-11-26"}, // 23:59:59 local
		{"2026-11-26T15:59:59Z", "B", "B001", "2026-11-26"},
		{"2026-11-26T16:00:00Z", "A", "A001", "2026-11-27"}, // 00:00 local: a new day
		{"2026-11-26T16:00:01Z", "A", "A002", "2026-11-27"},
		{"2026-11-26T16:00:02Z", "B", "B001", "2026-11-27"},
		{"2026-11-27T00:00:00Z", "A", "A003", "2026-11-27"}, // UTC midnight changes nothing
	}
	for _, st := range steps {
		at, err := time.Parse(time.RFC3339, st.at)
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(at)
		tk := issue(t, s, store.IssueRequest{Queue: st.queue})
		if tk.Number != st.wantNumber || tk.Day != st.wantDay {
			t.Errorf("at %s queue %s: got %s on %s, want %s on %s", st.at, st.queue, tk.Number, tk.Day, st.wantNumber, st.wantDay)
		}
	}
	for day, want := range map[string]int{"2026-11-26": 3, "2026-11-27": 4} {
		ts, err := s.Tickets(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != want {
			t.Errorf("Tickets(%s) = %v, want %d", day, numbersOf(ts), want)
		}
	}
}

func TestIssueRefused(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	issue(t, s, store.IssueRequest{Queue: "A"})
	for _, tc := range []struct {
		name string
		req  store.IssueRequest
		want []string // words the message must hold
	}{
		{"unknown queue", store.IssueRequest{Queue: "Z"}, []string{`"Z"`}},
		{"queue with two letters", store.IssueRequest{Queue: "AB"}, []string{`"AB"`}},
		{"unknown item", store.IssueRequest{Item: "XX-999"}, []string{`"XX-999"`}},
		{"item in another queue", store.IssueRequest{Item: "GA-CRJ-001", Queue: "A"}, []string{"GA-CRJ-001", "B", "A"}},
		{"unknown priority", store.IssueRequest{Queue: "A", Priority: "vip"}, []string{`"vip"`}},
		{"neither queue nor item", store.IssueRequest{}, []string{"queue"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.IssueTicket(ctx, kioskA, tc.req)
			wantErr(t, err, store.ErrInvalid, tc.want...)
		})
	}
	// Refusals take no number; a queue typed in lowercase or with spaces is
	// the same queue.
	if tk := issue(t, s, store.IssueRequest{Queue: " a "}); tk.Number != "A002" || tk.Queue != "A" {
		t.Errorf("after refusals got %s in %q, want A002 in A", tk.Number, tk.Queue)
	}
}
