package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// eventLog collects what Options.Notify publishes.
type eventLog struct {
	mu     sync.Mutex
	events []store.Event
}

func (l *eventLog) notify(es []store.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, es...)
}

func (l *eventLog) take() []store.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

func TestWindowFlow(t *testing.T) {
	t.Parallel()
	var log eventLog
	s, clk := newHallOpts(t, store.Options{Notify: log.notify})
	alice := staff(t, s, "alice", "counter", 1)
	a1 := issue(t, s, store.IssueRequest{Queue: "A"})
	open(t, s, alice, 1)
	log.take()

	clk.Advance(time.Minute)
	res := callNext(t, s, alice, 1)
	if res.Ticket.ID != a1.ID || res.Ticket.State != queue.Called || res.Ticket.Window != "1" || res.OutOfOrder {
		t.Fatalf("CallNext = %+v, want A001 called to window 1 in order", res)
	}
	steps := []struct {
		kind       queue.ActionKind
		wantState  queue.State
		wantEvent  string
		wantRecall int
	}{
		{queue.Recall, queue.Recalled, store.EventTicketRecalled, 1},
		{queue.Start, queue.Serving, store.EventTicketChanged, 1},
		{queue.Finish, queue.Done, store.EventTicketChanged, 1},
	}
	for _, st := range steps {
		clk.Advance(time.Minute)
		tk := act(t, s, alice, 1, store.WindowAction{Kind: st.kind})
		if tk.State != st.wantState || tk.Recalls != st.wantRecall {
			t.Errorf("%s: state %s recalls %d, want %s %d", st.kind, tk.State, tk.Recalls, st.wantState, st.wantRecall)
		}
	}
	done, err := s.TicketByID(ctx, a1.ID)
	if err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(time.Minute)
	if !done.CalledAt.Equal(t1) || !done.StartedAt.Equal(t1.Add(2*time.Minute)) || !done.FinishedAt.Equal(t1.Add(3*time.Minute)) {
		t.Errorf("times: called %s started %s finished %s", done.CalledAt, done.StartedAt, done.FinishedAt)
	}
	hist, err := s.TicketHistory(ctx, a1.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, e.Action+":"+e.From+">"+e.To+"@"+e.Window+" by "+e.Actor)
	}
	want := []string{
		"issue:>issued@ by kiosk:K01",
		"call:issued>called@1 by alice",
		"recall:called>recalled@1 by alice",
		"start:recalled>serving@1 by alice",
		"finish:serving>done@1 by alice",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("history:\n got %q\nwant %q", got, want)
	}
	var types []string
	for _, e := range log.take() {
		if e.Number != "" && e.Number != "A001" {
			t.Errorf("event %+v names another ticket", e)
		}
		types = append(types, e.Type)
	}
	wantTypes := []string{store.EventTicketCalled, store.EventTicketRecalled, store.EventTicketChanged, store.EventTicketChanged}
	if !reflect.DeepEqual(types, wantTypes) {
		t.Errorf("events %q, want %q", types, wantTypes)
	}
	trail, err := s.AuditTrail(ctx, "ticket", strconv.FormatInt(a1.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range trail {
		actions = append(actions, r.Action)
	}
	if want := []string{"ticket.issue", "ticket.call", "ticket.recall", "ticket.start", "ticket.finish"}; !reflect.DeepEqual(actions, want) {
		t.Errorf("audit actions %q, want %q", actions, want)
	}

	if err := s.CloseWindow(ctx, alice, 1); err != nil {
		t.Fatalf("CloseWindow: %v", err)
	}
	_, err = s.CallNext(ctx, alice, 1)
	wantErr(t, err, store.ErrConflict, "closed")
}

func TestNoShowNeedsRecall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		recalls int // NoShowAfterRecalls setting
	}{
		{"default: one recall", -1},
		{"two recalls", 2},
		{"at once", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newHall(t)
			want := 1
			if tc.recalls >= 0 {
				st := store.DefaultSettings()
				st.NoShowAfterRecalls = tc.recalls
				if _, err := s.UpdateSettings(ctx, admin, st); err != nil {
					t.Fatal(err)
				}
				want = tc.recalls
			}
			alice := staff(t, s, "alice", "counter", 1)
			issue(t, s, store.IssueRequest{Queue: "A"})
			open(t, s, alice, 1)
			callNext(t, s, alice, 1)
			for range want {
				_, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.MarkNoShow})
				wantErr(t, err, queue.ErrInvalidTransition, "recall")
				act(t, s, alice, 1, store.WindowAction{Kind: queue.Recall})
			}
			tk := act(t, s, alice, 1, store.WindowAction{Kind: queue.MarkNoShow})
			if tk.State != queue.NoShow || tk.Recalls != want {
				t.Errorf("after no-show: %s with %d recalls, want no_show with %d", tk.State, tk.Recalls, want)
			}
			// The window is free again.
			_, err := s.CallNext(ctx, alice, 1)
			wantErr(t, err, store.ErrNothingWaiting)
		})
	}
}

// hallStaff is a hall with a supervisor who has windows 1, 2, 3, 5, 12 and
// 14 open (queues: 1 A; 2 A,E; 3 B; 5 B,A; 12 E; 14 F,A).
func hallStaff(t *testing.T) (*store.Store, *clock, store.Actor) {
	s, clk := newHall(t)
	sup := staff(t, s, "sam", "supervisor", 0)
	open(t, s, sup, 1, 2, 3, 5, 12, 14)
	return s, clk, sup
}

func TestTransfer(t *testing.T) {
	t.Parallel()
	t.Run("to a queue", func(t *testing.T) {
		s, _, sup := hallStaff(t)
		a1 := issue(t, s, store.IssueRequest{Queue: "A"})
		callNext(t, s, sup, 1)
		tk := act(t, s, sup, 1, store.WindowAction{Kind: queue.Transfer, ToQueue: "e", Reason: "社保"})
		if tk.State != queue.Transferred || tk.Queue != "E" || tk.TargetWindow != "" || tk.Window != "" {
			t.Fatalf("after transfer: %+v", tk.Ticket)
		}
		// Window 1 serves only A: nothing for it now; window 12 (E) calls it.
		_, err := s.CallNext(ctx, sup, 1)
		wantErr(t, err, store.ErrNothingWaiting)
		if res := callNext(t, s, sup, 12); res.Ticket.ID != a1.ID || res.Ticket.Number != "A001" {
			t.Errorf("window 12 called %+v, want A001", res.Ticket)
		}
	})
	t.Run("to a window", func(t *testing.T) {
		s, _, sup := hallStaff(t)
		a1 := issue(t, s, store.IssueRequest{Queue: "A"})
		callNext(t, s, sup, 1)
		tk := act(t, s, sup, 1, store.WindowAction{Kind: queue.Transfer, ToWindow: 5})
		if tk.State != queue.Transferred || tk.Queue != "A" || tk.TargetWindow != "5" {
			t.Fatalf("after transfer: %+v", tk.Ticket)
		}
		// Reserved for window 5: window 2, which also serves A, may not take it.
		_, err := s.CallNext(ctx, sup, 2)
		wantErr(t, err, store.ErrNothingWaiting)
		_, err = s.CallNumber(ctx, sup, 2, "A001", "want it")
		wantErr(t, err, queue.ErrInvalidTransition, "reserved for window 5")
		if res := callNext(t, s, sup, 5); res.Ticket.ID != a1.ID {
			t.Errorf("window 5 called %+v, want A001", res.Ticket)
		}
	})
	t.Run("refused", func(t *testing.T) {
		s, _, sup := hallStaff(t)
		a1 := issue(t, s, store.IssueRequest{Queue: "A"})
		callNext(t, s, sup, 1)
		for _, tc := range []struct {
			name   string
			wa     store.WindowAction
			target error
			words  []string
		}{
			{"window not serving the queue", store.WindowAction{Kind: queue.Transfer, ToWindow: 3}, store.ErrInvalid, []string{"window 3", "queue A"}},
			{"window not serving the new queue", store.WindowAction{Kind: queue.Transfer, ToQueue: "E", ToWindow: 5}, store.ErrInvalid, []string{"window 5", "queue E"}},
			{"no such window", store.WindowAction{Kind: queue.Transfer, ToWindow: 99}, store.ErrInvalid, []string{"99"}},
			{"no such queue", store.WindowAction{Kind: queue.Transfer, ToQueue: "Z"}, store.ErrInvalid, []string{"Z"}},
			{"nowhere", store.WindowAction{Kind: queue.Transfer}, store.ErrInvalid, nil},
			{"to itself", store.WindowAction{Kind: queue.Transfer, ToWindow: 1}, queue.ErrInvalidTransition, []string{"window 1"}},
			{"not a window action", store.WindowAction{Kind: queue.Cancel}, store.ErrInvalid, []string{"cancel"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.Act(ctx, sup, 1, tc.wa)
				wantErr(t, err, tc.target, tc.words...)
				if tk, _ := s.TicketByID(ctx, a1.ID); tk.State != queue.Called || tk.Window != "1" {
					t.Errorf("refused transfer changed the ticket: %+v", tk.Ticket)
				}
			})
		}
	})
	t.Run("with return", func(t *testing.T) {
		s, clk, sup := hallStaff(t)
		a1 := issue(t, s, store.IssueRequest{Queue: "A"})
		callNext(t, s, sup, 1)
		act(t, s, sup, 1, store.WindowAction{Kind: queue.Start})
		tk := act(t, s, sup, 1, store.WindowAction{Kind: queue.Transfer, ToQueue: "E", ToWindow: 12, Return: true})
		if tk.Queue != "E" || tk.TargetWindow != "12" || tk.ReturnQueue != "A" || tk.ReturnWindow != "1" {
			t.Fatalf("after transfer with return: %+v", tk.Ticket)
		}
		// Window 2 serves E but the ticket is reserved for 12.
		_, err := s.CallNext(ctx, sup, 2)
		wantErr(t, err, store.ErrNothingWaiting)
		if res := callNext(t, s, sup, 12); res.Ticket.ID != a1.ID {
			t.Fatalf("window 12 called %+v", res.Ticket)
		}
		back := serve(t, s, clk, sup, 12, time.Minute)
		if back.State != queue.Transferred || back.Queue != "A" || back.TargetWindow != "1" || back.ReturnQueue != "" {
			t.Fatalf("finish at window 12 left %+v, want it back in A reserved for window 1", back.Ticket)
		}
		// Windows 2, 5 and 14 serve A but only window 1 may take it back.
		for _, w := range []int{2, 5, 14} {
			_, err := s.CallNext(ctx, sup, w)
			wantErr(t, err, store.ErrNothingWaiting)
		}
		if res := callNext(t, s, sup, 1); res.Ticket.ID != a1.ID {
			t.Fatalf("window 1 called %+v", res.Ticket)
		}
		if fin := serve(t, s, clk, sup, 1, time.Minute); fin.State != queue.Done {
			t.Errorf("final finish: %s", fin.State)
		}
	})
}

func TestHold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		ret          bool
		callerWindow int // the window that calls it back after the hold
		otherWindow  int // a window that must not get it (0: none)
	}{
		{"with return", true, 1, 2},
		{"without return", false, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, clk, sup := hallStaff(t)
			a1 := issue(t, s, store.IssueRequest{Queue: "A"})
			callNext(t, s, sup, 1)
			tk := act(t, s, sup, 1, store.WindowAction{Kind: queue.Hold, HoldFor: 120, Return: tc.ret, Reason: "fetch ID card"})
			if tk.State != queue.Held || !tk.HoldUntil.Equal(t0.Add(2*time.Minute)) {
				t.Fatalf("after hold: %+v", tk.Ticket)
			}
			if want := map[bool]string{true: "1", false: ""}[tc.ret]; tk.TargetWindow != want {
				t.Errorf("target window %q, want %q", tk.TargetWindow, want)
			}
			for _, d := range []time.Duration{0, 119 * time.Second, 999 * time.Millisecond} {
				clk.Advance(d)
				for _, w := range []int{1, 2, 5} {
					_, err := s.CallNext(ctx, sup, w)
					wantErr(t, err, store.ErrNothingWaiting)
				}
			}
			// Others can be served meanwhile.
			a2 := issue(t, s, store.IssueRequest{Queue: "A"})
			if res := callNext(t, s, sup, tc.callerWindow); res.Ticket.ID != a2.ID {
				t.Fatalf("during the hold window %d called %s, want A002", tc.callerWindow, res.Ticket.Number)
			}
			serve(t, s, clk, sup, tc.callerWindow, 0)
			clk.Advance(time.Millisecond) // hold over
			if tc.otherWindow != 0 {
				_, err := s.CallNext(ctx, sup, tc.otherWindow)
				wantErr(t, err, store.ErrNothingWaiting)
			}
			res := callNext(t, s, sup, tc.callerWindow)
			if res.Ticket.ID != a1.ID || !res.Ticket.HoldUntil.IsZero() || res.Ticket.TargetWindow != "" {
				t.Errorf("after the hold window %d called %+v", tc.callerWindow, res.Ticket.Ticket)
			}
		})
	}
}

func TestWindowRefusals(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	alice := staff(t, s, "alice", "counter", 1)
	bob := staff(t, s, "bob", "counter", 2)
	sup := staff(t, s, "sam", "supervisor", 0)
	aliceAt2 := alice
	aliceAt2.Device = "window 2"

	// Nothing waiting.
	open(t, s, alice, 1)
	_, err := s.CallNext(ctx, alice, 1)
	wantErr(t, err, store.ErrNothingWaiting, "window 1")

	issue(t, s, store.IssueRequest{Queue: "A"})
	issue(t, s, store.IssueRequest{Queue: "A"})
	for _, tc := range []struct {
		name   string
		do     func() error
		target error
		words  []string
	}{
		{"closed window", func() error { _, err := s.CallNext(ctx, alice, 2); return err }, store.ErrConflict, []string{"window 2", "closed"}},
		{"no such window", func() error { _, err := s.CallNext(ctx, alice, 99); return err }, store.ErrNotFound, []string{"99"}},
		{"another's window", func() error { _, err := s.CallNext(ctx, bob, 1); return err }, store.ErrForbidden, []string{"window 1"}},
		{"another's window, by number", func() error { _, err := s.CallNumber(ctx, bob, 1, "A001", ""); return err }, store.ErrForbidden, nil},
		{"open another's window", func() error { return s.OpenWindow(ctx, bob, 1) }, store.ErrConflict, []string{"window 1"}},
		{"act with nothing called", func() error { _, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.Start}); return err }, store.ErrConflict, []string{"call one first"}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.do(), tc.target, tc.words...) })
	}

	callNext(t, s, alice, 1)
	for _, tc := range []struct {
		name   string
		do     func() error
		target error
		words  []string
	}{
		{"call while busy", func() error { _, err := s.CallNext(ctx, alice, 1); return err }, store.ErrConflict, []string{"A001"}},
		{"call by number while busy", func() error { _, err := s.CallNumber(ctx, alice, 1, "A002", "x"); return err }, store.ErrConflict, []string{"A001"}},
		{"close while busy", func() error { return s.CloseWindow(ctx, alice, 1) }, store.ErrConflict, []string{"A001"}},
		{"act at another's window", func() error { _, err := s.Act(ctx, bob, 1, store.WindowAction{Kind: queue.Start}); return err }, store.ErrForbidden, nil},
		{"close another's window", func() error { return s.CloseWindow(ctx, bob, 1) }, store.ErrForbidden, nil},
		{"cancel a called ticket", func() error { _, err := s.CancelTicket(ctx, alice, 1, ""); return err }, queue.ErrInvalidTransition, []string{"A001"}},
		{"cancel an unknown ticket", func() error { _, err := s.CancelTicket(ctx, alice, 999, ""); return err }, store.ErrNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.do(), tc.target, tc.words...) })
	}

	// A supervisor takes window 1 over; alice may then no longer work there.
	open(t, s, sup, 1)
	_, err = s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.Start})
	wantErr(t, err, store.ErrForbidden)
	act(t, s, sup, 1, store.WindowAction{Kind: queue.Start})
	act(t, s, sup, 1, store.WindowAction{Kind: queue.Finish})

	// A waiting ticket can be cancelled and is then never called.
	a2, err := s.CancelTicket(ctx, kioskA, 2, "citizen left")
	if err != nil || a2.State != queue.Cancelled {
		t.Fatalf("CancelTicket: %+v, %v", a2, err)
	}
	open(t, s, aliceAt2, 2)
	_, err = s.CallNext(ctx, aliceAt2, 2)
	wantErr(t, err, store.ErrNothingWaiting)
}

func TestCallNumber(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	alice := staff(t, s, "alice", "counter", 1)
	open(t, s, alice, 1)
	for range 3 {
		issue(t, s, store.IssueRequest{Queue: "A"})
	}
	issue(t, s, store.IssueRequest{Queue: "B"})

	_, err := s.CallNumber(ctx, alice, 1, "A003", "  ")
	wantErr(t, err, store.ErrInvalid, "A003", "A001", "why")
	_, err = s.CallNumber(ctx, alice, 1, "A404", "")
	wantErr(t, err, store.ErrNotFound, "A404")
	_, err = s.CallNumber(ctx, alice, 1, "B001", "x")
	wantErr(t, err, store.ErrInvalid, "B001", "queue B")

	res, err := s.CallNumber(ctx, alice, 1, " a003 ", "citizen on crutches")
	if err != nil {
		t.Fatalf("CallNumber with reason: %v", err)
	}
	if res.Ticket.Number != "A003" || !res.OutOfOrder || !strings.Contains(res.Reason, "citizen on crutches") || !strings.Contains(res.Reason, "A001") {
		t.Errorf("CallNumber = %+v, want A003 out of order before A001 with the reason", res)
	}
	hist, err := s.TicketHistory(ctx, res.Ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Action != "call" || !last.OutOfOrder || last.Reason != res.Reason || last.Window != "1" {
		t.Errorf("history records %+v, want an out-of-order call with reason %q", last, res.Reason)
	}
	trail, err := s.AuditTrail(ctx, "ticket", strconv.FormatInt(res.Ticket.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	var after map[string]any
	if err := json.Unmarshal([]byte(trail[len(trail)-1].After), &after); err != nil {
		t.Fatal(err)
	}
	if after["out_of_order"] != res.Reason || after["state"] != "called" {
		t.Errorf("audit after = %s, want out_of_order %q", trail[len(trail)-1].After, res.Reason)
	}
	serveAt(t, s, alice, 1)

	// The first in line needs no reason and is not out of order.
	res, err = s.CallNumber(ctx, alice, 1, "A001", "")
	if err != nil || res.OutOfOrder || res.Reason != "" {
		t.Fatalf("CallNumber(A001) = %+v, %v; want an in-order call", res, err)
	}
	hist, _ = s.TicketHistory(ctx, res.Ticket.ID)
	if last := hist[len(hist)-1]; last.OutOfOrder || last.Reason != "" {
		t.Errorf("in-order call recorded as %+v", last)
	}
	serveAt(t, s, alice, 1)
	// A called ticket cannot be called again.
	_, err = s.CallNumber(ctx, alice, 1, "A001", "again")
	wantErr(t, err, queue.ErrInvalidTransition)
}

func serveAt(t *testing.T, s *store.Store, a store.Actor, window int) {
	t.Helper()
	act(t, s, a, window, store.WindowAction{Kind: queue.Start})
	act(t, s, a, window, store.WindowAction{Kind: queue.Finish})
}

// TestTicketHistoryStartsWithIssue checks that a ticket's history begins
// with its issue, by whom, followed by each transition in order.
func TestTicketHistoryStartsWithIssue(t *testing.T) {
	s, clk := newHall(t)
	tk := issue(t, s, store.IssueRequest{Queue: "A"})
	a := staff(t, s, "wang", "counter", 1)
	open(t, s, a, 1)
	clk.Advance(time.Minute)
	callNext(t, s, a, 1)
	serve(t, s, clk, a, 1, 3*time.Minute)
	h, err := s.TicketHistory(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h {
		got = append(got, e.Action+"/"+e.To+"/"+e.Actor)
	}
	want := []string{"issue/issued/kiosk:K01", "call/called/wang", "start/serving/wang", "finish/done/wang"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("history %v, want %v", got, want)
	}
	if !h[0].At.Equal(tk.IssuedAt.Truncate(time.Millisecond)) || !h[1].At.After(h[0].At) {
		t.Errorf("times %v then %v", h[0].At, h[1].At)
	}
	if _, err := s.TicketHistory(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("history of no ticket: %v", err)
	}
}
