package queue

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	allStates  = []State{Issued, Called, Recalled, Serving, Done, NoShow, Cancelled, Transferred, Held}
	allActions = []ActionKind{Call, Recall, Start, Finish, MarkNoShow, Transfer, Hold, Cancel}
)

// Fixtures for ticket A005 of queue A, at window "3" where it has one.
func issued() Ticket { return tk(5, "A", 5, Regular, 0) }

func called() Ticket {
	return with(issued(), func(t *Ticket) { t.State = Called; t.Window = "3"; t.CalledAt = at(10) })
}

func recalled(n int) Ticket {
	return with(called(), func(t *Ticket) { t.State = Recalled; t.Recalls = n })
}

func serving() Ticket {
	return with(called(), func(t *Ticket) { t.State = Serving; t.StartedAt = at(12) })
}

func transferred() Ticket {
	return with(serving(), func(t *Ticket) {
		t.State = Transferred
		t.Queue = "B"
		t.Window = ""
		t.QueuedAt = at(20)
	})
}

func held(until int) Ticket {
	return with(called(), func(t *Ticket) {
		t.State = Held
		t.Window = ""
		t.QueuedAt = at(15)
		t.HoldUntil = at(until)
	})
}

func final(s State) Ticket {
	return with(serving(), func(t *Ticket) { t.State = s; t.FinishedAt = at(20) })
}

func TestApplyValid(t *testing.T) {
	now := at(30)
	rules := DefaultRules()
	tests := []struct {
		name  string
		from  Ticket
		act   Action
		rules Rules
		want  Ticket
	}{
		{
			name: "call an issued ticket",
			from: issued(),
			act:  Action{Kind: Call, Window: "3"},
			want: with(issued(), func(t *Ticket) { t.State = Called; t.Window = "3"; t.CalledAt = now }),
		},
		{
			name: "call a transferred ticket reserved for the calling window, keeping its return",
			from: with(transferred(), func(t *Ticket) {
				t.TargetWindow = "7"
				t.ReturnQueue = "A"
				t.ReturnWindow = "3"
				t.Recalls = 2
			}),
			act: Action{Kind: Call, Window: "7"},
			want: with(transferred(), func(t *Ticket) {
				t.State = Called
				t.Window = "7"
				t.CalledAt = now
				t.ReturnQueue = "A"
				t.ReturnWindow = "3"
			}),
		},
		{
			name: "call a transferred ticket from any window of its queue",
			from: transferred(),
			act:  Action{Kind: Call, Window: "8"},
			want: with(transferred(), func(t *Ticket) { t.State = Called; t.Window = "8"; t.CalledAt = now }),
		},
		{
			name: "call a held ticket before its hold ends",
			from: held(40),
			act:  Action{Kind: Call, Window: "4"},
			want: with(held(40), func(t *Ticket) {
				t.State = Called
				t.Window = "4"
				t.CalledAt = now
				t.HoldUntil = time.Time{}
			}),
		},
		{
			name: "call a held ticket back at the window it was reserved for",
			from: with(held(20), func(t *Ticket) { t.TargetWindow = "3" }),
			act:  Action{Kind: Call, Window: "3"},
			want: with(held(20), func(t *Ticket) {
				t.State = Called
				t.Window = "3"
				t.CalledAt = now
				t.HoldUntil = time.Time{}
			}),
		},
		{
			name: "recall a called ticket",
			from: called(),
			act:  Action{Kind: Recall, Window: "3"},
			want: with(called(), func(t *Ticket) { t.State = Recalled; t.Recalls = 1 }),
		},
		{
			name: "recall again, keeping the time of the call",
			from: recalled(1),
			act:  Action{Kind: Recall, Window: "3"},
			want: recalled(2),
		},
		{
			name: "start a called ticket",
			from: called(),
			act:  Action{Kind: Start, Window: "3"},
			want: with(called(), func(t *Ticket) { t.State = Serving; t.StartedAt = now }),
		},
		{
			name: "start a recalled ticket",
			from: recalled(2),
			act:  Action{Kind: Start, Window: "3"},
			want: with(recalled(2), func(t *Ticket) { t.State = Serving; t.StartedAt = now }),
		},
		{
			name: "finish serving",
			from: serving(),
			act:  Action{Kind: Finish, Window: "3"},
			want: with(serving(), func(t *Ticket) { t.State = Done; t.FinishedAt = now }),
		},
		{
			name: "finish a ticket transferred with return sends it back",
			from: with(serving(), func(t *Ticket) {
				t.Queue = "B"
				t.Window = "7"
				t.ReturnQueue = "A"
				t.ReturnWindow = "3"
			}),
			act: Action{Kind: Finish, Window: "7"},
			want: with(serving(), func(t *Ticket) {
				t.State = Transferred
				t.Queue = "A"
				t.TargetWindow = "3"
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "finish a ticket whose return names no window",
			from: with(serving(), func(t *Ticket) { t.Queue = "B"; t.ReturnQueue = "A" }),
			act:  Action{Kind: Finish, Window: "3"},
			want: with(serving(), func(t *Ticket) {
				t.State = Transferred
				t.Queue = "A"
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "no-show at once under the default rules",
			from: called(),
			act:  Action{Kind: MarkNoShow, Window: "3"},
			want: with(called(), func(t *Ticket) { t.State = NoShow; t.FinishedAt = now }),
		},
		{
			name:  "no-show after exactly the required recalls",
			from:  recalled(2),
			act:   Action{Kind: MarkNoShow, Window: "3"},
			rules: Rules{NoShowAfterRecalls: 2, MaxHold: time.Hour},
			want:  with(recalled(2), func(t *Ticket) { t.State = NoShow; t.FinishedAt = now }),
		},
		{
			name:  "no-show after more than the required recalls",
			from:  recalled(3),
			act:   Action{Kind: MarkNoShow, Window: "3"},
			rules: Rules{NoShowAfterRecalls: 2, MaxHold: time.Hour},
			want:  with(recalled(3), func(t *Ticket) { t.State = NoShow; t.FinishedAt = now }),
		},
		{
			name: "transfer a called ticket to another queue",
			from: called(),
			act:  Action{Kind: Transfer, Window: "3", ToQueue: "B", Reason: "wrong queue"},
			want: with(called(), func(t *Ticket) {
				t.State = Transferred
				t.Queue = "B"
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "transfer a recalled ticket to another window of its queue",
			from: recalled(1),
			act:  Action{Kind: Transfer, Window: "3", ToWindow: "7"},
			want: with(recalled(1), func(t *Ticket) {
				t.State = Transferred
				t.TargetWindow = "7"
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "transfer a ticket being served to a window of another queue, with return",
			from: serving(),
			act:  Action{Kind: Transfer, Window: "3", ToQueue: "B", ToWindow: "7", Return: true},
			want: with(serving(), func(t *Ticket) {
				t.State = Transferred
				t.Queue = "B"
				t.TargetWindow = "7"
				t.ReturnQueue = "A"
				t.ReturnWindow = "3"
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "transfer back into its own queue for any window",
			from: serving(),
			act:  Action{Kind: Transfer, Window: "3", ToQueue: "A"},
			want: with(serving(), func(t *Ticket) {
				t.State = Transferred
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "transfer on without return keeps the pending return",
			from: with(serving(), func(t *Ticket) {
				t.Queue = "B"
				t.Window = "7"
				t.ReturnQueue = "A"
				t.ReturnWindow = "3"
			}),
			act: Action{Kind: Transfer, Window: "7", ToQueue: "C"},
			want: with(serving(), func(t *Ticket) {
				t.State = Transferred
				t.Queue = "C"
				t.ReturnQueue = "A"
				t.ReturnWindow = "3"
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "hold a called ticket for any window of its queue",
			from: called(),
			act:  Action{Kind: Hold, Window: "3", HoldFor: 10 * time.Minute},
			want: with(called(), func(t *Ticket) {
				t.State = Held
				t.HoldUntil = at(40)
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "hold a recalled ticket to come back to the same window",
			from: recalled(1),
			act:  Action{Kind: Hold, Window: "3", HoldFor: 5 * time.Minute, Return: true},
			want: with(recalled(1), func(t *Ticket) {
				t.State = Held
				t.HoldUntil = at(35)
				t.TargetWindow = "3"
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "hold a ticket being served for the longest time allowed",
			from: serving(),
			act:  Action{Kind: Hold, Window: "3", HoldFor: 4 * time.Hour},
			want: with(serving(), func(t *Ticket) {
				t.State = Held
				t.HoldUntil = now.Add(4 * time.Hour)
				t.QueuedAt = now
				t.Window = ""
			}),
		},
		{
			name: "cancel an issued ticket without a window",
			from: issued(),
			act:  Action{Kind: Cancel},
			want: with(issued(), func(t *Ticket) { t.State = Cancelled; t.FinishedAt = now }),
		},
		{
			name: "cancel a transferred ticket",
			from: transferred(),
			act:  Action{Kind: Cancel, Window: "9"},
			want: with(transferred(), func(t *Ticket) { t.State = Cancelled; t.FinishedAt = now }),
		},
		{
			name: "cancel a held ticket",
			from: held(40),
			act:  Action{Kind: Cancel},
			want: with(held(40), func(t *Ticket) { t.State = Cancelled; t.FinishedAt = now }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rules
			if r == (Rules{}) {
				r = rules
			}
			before := tt.from
			got, err := Apply(tt.from, tt.act, r, now)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if d := ticketDiff(got, tt.want); d != "" {
				t.Errorf("Apply gave %s", d)
			}
			// Ticket has no reference fields today; this catches one added
			// later (a history slice, say) that Apply would share.
			if d := ticketDiff(tt.from, before); d != "" {
				t.Errorf("Apply changed its input: %s", d)
			}
		})
	}
}

// TestApplyMatrix tries every action on a ticket in every state and checks
// that exactly the documented transitions are allowed.
func TestApplyMatrix(t *testing.T) {
	now := at(30)
	allowed := map[ActionKind]map[State]State{ // action → from → to
		Call:       {Issued: Called, Transferred: Called, Held: Called},
		Recall:     {Called: Recalled, Recalled: Recalled},
		Start:      {Called: Serving, Recalled: Serving},
		Finish:     {Serving: Done},
		MarkNoShow: {Called: NoShow, Recalled: NoShow},
		Transfer:   {Called: Transferred, Recalled: Transferred, Serving: Transferred},
		Hold:       {Called: Held, Recalled: Held, Serving: Held},
		Cancel:     {Issued: Cancelled, Transferred: Cancelled, Held: Cancelled},
	}
	ticketIn := map[State]Ticket{
		Issued:      issued(),
		Called:      called(),
		Recalled:    recalled(1),
		Serving:     serving(),
		Done:        final(Done),
		NoShow:      final(NoShow),
		Cancelled:   with(issued(), func(t *Ticket) { t.State = Cancelled; t.FinishedAt = at(20) }),
		Transferred: transferred(),
		Held:        held(40),
	}
	for _, s := range allStates {
		for _, k := range allActions {
			t.Run(fmt.Sprintf("%s on %s", k, s), func(t *testing.T) {
				from := ticketIn[s]
				act := Action{Kind: k, Window: "3", ToQueue: "B", HoldFor: 10 * time.Minute}
				got, err := Apply(from, act, DefaultRules(), now)
				to, ok := allowed[k][s]
				if ok {
					if err != nil {
						t.Fatalf("Apply: %v", err)
					}
					if got.State != to {
						t.Errorf("state = %s, want %s", got.State, to)
					}
					return
				}
				assertRefused(t, err, s, k, "")
				if d := ticketDiff(got, from); d != "" {
					t.Errorf("refused Apply returned a changed ticket: %s", d)
				}
			})
		}
	}
}

func TestApplyRefusals(t *testing.T) {
	now := at(30)
	strict := Rules{NoShowAfterRecalls: 2, MaxHold: time.Hour}
	tests := []struct {
		name  string
		from  Ticket
		act   Action
		rules Rules
		want  string // in the Reason
	}{
		{"call a ticket reserved for another window", with(issued(), func(t *Ticket) { t.TargetWindow = "5" }), Action{Kind: Call, Window: "3"}, DefaultRules(), "reserved for window 5"},
		{"call a held ticket reserved for another window", with(held(20), func(t *Ticket) { t.TargetWindow = "5" }), Action{Kind: Call, Window: "3"}, DefaultRules(), "reserved for window 5"},
		{"call a ticket already called", called(), Action{Kind: Call, Window: "4"}, DefaultRules(), "called to window 3"},
		{"recall from another window", called(), Action{Kind: Recall, Window: "4"}, DefaultRules(), "called to window 3, not window 4"},
		{"start at another window", recalled(1), Action{Kind: Start, Window: "4"}, DefaultRules(), "called to window 3, not window 4"},
		{"finish at another window", serving(), Action{Kind: Finish, Window: "4"}, DefaultRules(), "being served at window 3, not window 4"},
		{"finish a ticket only called", called(), Action{Kind: Finish, Window: "3"}, DefaultRules(), "called to window 3"},
		{"no-show from another window", called(), Action{Kind: MarkNoShow, Window: "4"}, DefaultRules(), "not window 4"},
		{"no-show of a ticket being served", serving(), Action{Kind: MarkNoShow, Window: "3"}, DefaultRules(), "being served at window 3"},
		{"transfer from another window", serving(), Action{Kind: Transfer, Window: "4", ToQueue: "B"}, DefaultRules(), "not window 4"},
		{"hold from another window", serving(), Action{Kind: Hold, Window: "4", HoldFor: time.Minute}, DefaultRules(), "not window 4"},
		{"no-show before any recall", called(), Action{Kind: MarkNoShow, Window: "3"}, strict, "recall the ticket 2 more times"},
		{"no-show one recall short", recalled(1), Action{Kind: MarkNoShow, Window: "3"}, strict, "recall the ticket 1 more time before"},
		{"transfer with no destination", serving(), Action{Kind: Transfer, Window: "3", Return: true}, DefaultRules(), "no queue or window to transfer to"},
		{"transfer to the acting window", serving(), Action{Kind: Transfer, Window: "3", ToWindow: "3"}, DefaultRules(), "cannot transfer to window 3"},
		{"transfer to the acting window in another queue", serving(), Action{Kind: Transfer, Window: "3", ToQueue: "B", ToWindow: "3"}, DefaultRules(), "cannot transfer to window 3"},
		{
			"transfer with return while a return is pending",
			with(serving(), func(t *Ticket) { t.Queue = "B"; t.Window = "7"; t.ReturnQueue = "A" }),
			Action{Kind: Transfer, Window: "7", ToQueue: "C", Return: true}, DefaultRules(),
			"already goes back to queue A",
		},
		{"hold for no time", serving(), Action{Kind: Hold, Window: "3"}, DefaultRules(), "must be positive"},
		{"hold for negative time", serving(), Action{Kind: Hold, Window: "3", HoldFor: -time.Minute}, DefaultRules(), "must be positive, not -1m"},
		{"hold longer than allowed", serving(), Action{Kind: Hold, Window: "3", HoldFor: time.Hour + time.Second}, strict, "hold time 1h0m1s is longer than the maximum 1h"},
		{"hold where holds are off", serving(), Action{Kind: Hold, Window: "3", HoldFor: time.Minute}, Rules{}, "not allowed"},
		{"cancel a called ticket", called(), Action{Kind: Cancel}, DefaultRules(), "only a waiting ticket can be cancelled"},
		{"unknown action", issued(), Action{Kind: "skip", Window: "3"}, DefaultRules(), `unknown action "skip"`},
		{"empty action", issued(), Action{Window: "3"}, DefaultRules(), `unknown action ""`},
		{"action on a ticket in an unknown state", with(issued(), func(t *Ticket) { t.State = "lost" }), Action{Kind: Call, Window: "3"}, DefaultRules(), `unknown state "lost"`},
		{"call a done ticket", final(Done), Action{Kind: Call, Window: "3"}, DefaultRules(), "already been served"},
		{"recall a done ticket without a window", final(Done), Action{Kind: Recall}, DefaultRules(), "already been served"},
		{"recall a no-show", final(NoShow), Action{Kind: Recall, Window: "3"}, DefaultRules(), "already marked a no-show"},
		{"cancel a cancelled ticket", final(Cancelled), Action{Kind: Cancel}, DefaultRules(), "was cancelled"},
		{"start a held ticket: says until when, in local time", with(called(), func(t *Ticket) { t.State = Held; t.HoldUntil = at(45) }), Action{Kind: Start, Window: "3"}, DefaultRules(), "on hold until 09:45"},
	}
	for _, k := range allActions {
		if k == Cancel {
			continue
		}
		tests = append(tests, struct {
			name  string
			from  Ticket
			act   Action
			rules Rules
			want  string
		}{fmt.Sprintf("%s without a window", k), called(), Action{Kind: k, ToQueue: "B", HoldFor: time.Minute}, DefaultRules(), "no window given"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply(tt.from, tt.act, tt.rules, now)
			assertRefused(t, err, tt.from.State, tt.act.Kind, tt.want)
			if d := ticketDiff(got, tt.from); d != "" {
				t.Errorf("refused Apply returned a changed ticket: %s", d)
			}
		})
	}
}

func assertRefused(t *testing.T, err error, from State, kind ActionKind, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Apply allowed %s on a %s ticket", kind, from)
	}
	if !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("errors.Is(%v, ErrInvalidTransition) = false", err)
	}
	var te *TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("error %T is not a *TransitionError", err)
	}
	if te.Number != "A005" || te.From != from || te.Action != kind {
		t.Errorf("error names ticket %q, state %s, action %s; want A005, %s, %s", te.Number, te.From, te.Action, from, kind)
	}
	if te.Reason == "" {
		t.Errorf("error %q has no reason", err)
	}
	if !strings.Contains(te.Reason, reason) {
		t.Errorf("reason %q does not say %q", te.Reason, reason)
	}
}

func TestWaiting(t *testing.T) {
	now := at(30)
	tests := []struct {
		name string
		t    Ticket
		want bool
	}{
		{"issued", issued(), true},
		{"transferred", transferred(), true},
		{"held, hold not over", held(31), false},
		{"held, hold ends now", held(30), true},
		{"held, hold over", held(29), true},
		{"called", called(), false},
		{"recalled", recalled(1), false},
		{"serving", serving(), false},
		{"done", final(Done), false},
		{"no-show", final(NoShow), false},
		{"cancelled", final(Cancelled), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Waiting(tt.t, now); got != tt.want {
				t.Errorf("Waiting = %v, want %v", got, tt.want)
			}
		})
	}
}

// mustApply applies a, failing the test on error.
func mustApply(t *testing.T, tk Ticket, a Action, now time.Time) Ticket {
	t.Helper()
	n, err := Apply(tk, a, DefaultRules(), now)
	if err != nil {
		t.Fatalf("%s at window %s: %v", a.Kind, a.Window, err)
	}
	return n
}

// TestTransferWithReturnRoundTrip follows A005 from window 3 (queue A) to
// window 7 (queue B) and back to window 3, with window 4 (also queue A)
// never able to take it on the way back.
func TestTransferWithReturnRoundTrip(t *testing.T) {
	win3 := WindowView{Code: "3", Queues: []string{"A"}}
	win4 := WindowView{Code: "4", Queues: []string{"A"}}
	win7 := WindowView{Code: "7", Queues: []string{"B"}}
	other := tk(9, "A", 9, Regular, 1) // waits in A all along
	pick := func(w WindowView, tk Ticket, now time.Time) (Ticket, bool) {
		p, ok := PickNext([]Ticket{tk, other}, w, DefaultPolicy(), nil, now)
		return p.Ticket, ok
	}

	a := mustApply(t, issued(), Action{Kind: Call, Window: "3"}, at(10))
	a = mustApply(t, a, Action{Kind: Start, Window: "3"}, at(11))
	a = mustApply(t, a, Action{Kind: Transfer, Window: "3", ToQueue: "B", Return: true}, at(20))
	if a.State != Transferred || a.Queue != "B" || a.ReturnQueue != "A" || a.ReturnWindow != "3" {
		t.Fatalf("after transfer: %+v", a)
	}
	if got, ok := pick(win7, a, at(21)); !ok || got.ID != a.ID {
		t.Fatalf("window 7 picks %v (%v), want A005", got.Number, ok)
	}
	a = mustApply(t, a, Action{Kind: Call, Window: "7"}, at(21))
	a = mustApply(t, a, Action{Kind: Start, Window: "7"}, at(22))
	a = mustApply(t, a, Action{Kind: Finish, Window: "7"}, at(30))
	want := with(issued(), func(t *Ticket) {
		t.State = Transferred
		t.TargetWindow = "3"
		t.CalledAt = at(21)
		t.StartedAt = at(22)
		t.QueuedAt = at(30)
	})
	if d := ticketDiff(a, want); d != "" {
		t.Fatalf("back from queue B: %s", d)
	}
	if got, _ := pick(win4, a, at(31)); got.ID == a.ID {
		t.Errorf("window 4 picked A005, which is reserved for window 3")
	}
	if _, err := Apply(a, Action{Kind: Call, Window: "4"}, DefaultRules(), at(31)); err == nil {
		t.Errorf("window 4 could call A005, which is reserved for window 3")
	}
	if got, ok := pick(win3, a, at(31)); !ok || got.ID != a.ID {
		t.Fatalf("window 3 picks %v (%v), want A005 back", got.Number, ok)
	}
	a = mustApply(t, a, Action{Kind: Call, Window: "3"}, at(31))
	a = mustApply(t, a, Action{Kind: Start, Window: "3"}, at(32))
	a = mustApply(t, a, Action{Kind: Finish, Window: "3"}, at(40))
	if a.State != Done || !a.FinishedAt.Equal(at(40)) || a.Queue != "A" {
		t.Errorf("after finishing back at window 3: state %s in queue %s finished %v, want done in A at 09:40", a.State, a.Queue, a.FinishedAt)
	}
}

// TestHoldExpiry holds A005 for 10 minutes and checks it waits again, and
// can be picked, exactly when the hold ends.
func TestHoldExpiry(t *testing.T) {
	for _, back := range []bool{false, true} {
		t.Run(fmt.Sprintf("return to same window %v", back), func(t *testing.T) {
			h := mustApply(t, called(), Action{Kind: Hold, Window: "3", HoldFor: 10 * time.Minute, Return: back}, at(20))
			end := at(30)
			win3 := WindowView{Code: "3", Queues: []string{"A"}}
			win4 := WindowView{Code: "4", Queues: []string{"A"}}
			if Waiting(h, end.Add(-time.Second)) {
				t.Errorf("waiting a second before the hold ends")
			}
			if _, ok := PickNext([]Ticket{h}, win3, DefaultPolicy(), nil, end.Add(-time.Second)); ok {
				t.Errorf("picked a second before the hold ends")
			}
			if !Waiting(h, end) {
				t.Errorf("not waiting when the hold ends")
			}
			if p, ok := PickNext([]Ticket{h}, win3, DefaultPolicy(), nil, end); !ok || p.Ticket.ID != h.ID {
				t.Errorf("window 3 cannot pick it when the hold ends")
			}
			if _, ok := PickNext([]Ticket{h}, win4, DefaultPolicy(), nil, end); ok == back {
				t.Errorf("window 4 can pick it: %v, want %v", ok, !back)
			}
		})
	}
}
