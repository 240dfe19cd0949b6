package store_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// insertRandomTickets writes n tickets straight into the database: queues
// A and B, today and yesterday, every state, every priority class, issue
// times with ties and near-ties to the millisecond, ids in no particular
// relation to issue times (as after transfers), some reserved for a
// window, some held.
func insertRandomTickets(t *testing.T, db *sql.DB, rng *rand.Rand, n int) {
	t.Helper()
	states := []queue.State{queue.Issued, queue.Issued, queue.Issued, queue.Transferred, queue.Held, queue.Held,
		queue.Called, queue.Serving, queue.Done, queue.Cancelled, queue.NoShow}
	prios := []queue.Priority{queue.Regular, queue.Regular, queue.Regular, queue.Regular, queue.Regular,
		queue.Elderly, queue.Disabled, queue.Pregnant, queue.Appointment, queue.GreenLane}
	var times []int64
	for i := range n {
		var issued int64
		if len(times) > 0 && rng.IntN(3) == 0 {
			issued = times[rng.IntN(len(times))] + rng.Int64N(5) - 2 // a tie or a near-tie
		} else {
			issued = t0.UnixMilli() + rng.Int64N(2*3600*1000)
		}
		times = append(times, issued)
		q := "A"
		if rng.IntN(4) == 0 {
			q = "B"
		}
		day := day0
		if rng.IntN(8) == 0 {
			day = "2026-11-25"
		}
		state := states[rng.IntN(len(states))]
		var hold int64
		var window, target string
		switch state {
		case queue.Held:
			hold = issued + rng.Int64N(4*3600*1000) // some still held at "now", some not
		case queue.Called, queue.Serving:
			window = "1"
		}
		if state == queue.Transferred || state == queue.Held {
			if rng.IntN(2) == 0 {
				target = fmt.Sprint(1 + rng.IntN(3))
			}
		}
		mustExec(t, db, `INSERT INTO tickets(token, day, orig_queue, seq, number, queue, priority, state,
			issued_at, queued_at, window, target_window, hold_until) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			fmt.Sprintf("tok-%d", i), day, "C", i+1, queue.FormatNumber("C", i+1), q, string(prios[rng.IntN(len(prios))]),
			string(state), issued, issued, window, target, hold)
	}
}

func pending(tk store.Ticket) bool {
	return tk.State == queue.Issued || tk.State == queue.Transferred || tk.State == queue.Held
}

// TestAheadMatchesEngine holds the store's index counts of people ahead to
// queue.Ahead computed over every ticket of the day, for every policy kind.
func TestAheadMatchesEngine(t *testing.T) {
	policies := []string{"strict", "interleave:2", "ageing:15m", "ageing:1h", "ageing:90s", "ageing:4h", "ageing:1ms", "ageing:1500us"}
	for seed := range uint64(5) {
		// Seeds 3 and 4 count only a few tickets at the front of a line
		// and the rest from the back and the kept totals.
		limit := []int{256, 256, 256, 3, 1}[seed]
		t.Run(fmt.Sprintf("seed %d, count limit %d", seed, limit), func(t *testing.T) {
			defer store.SetCountLimit(limit)()
			s, clk := newHall(t)
			rng := rand.New(rand.NewPCG(seed, 2026))
			insertRandomTickets(t, rawDB(t, s), rng, 70)
			clk.Set(t0.Add(3 * time.Hour))
			now := clk.Now()
			all, err := s.Tickets(ctx, day0)
			if err != nil {
				t.Fatal(err)
			}
			engine := make([]queue.Ticket, len(all))
			for i, tk := range all {
				engine[i] = tk.Ticket
			}
			differ := false
			for _, text := range policies {
				p, err := queue.ParsePolicy(text)
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range all {
					want := queue.Ahead(engine, tk.Ticket, p, now)
					if !pending(tk) {
						if want != 0 {
							t.Fatalf("queue.Ahead of %s ticket = %d", tk.State, want)
						}
						continue
					}
					got, err := s.Ahead(ctx, tk, p)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("%s: %s %s (%q, issued %d, id %d): store counts %d ahead, engine %d",
							text, tk.Number, tk.Queue, tk.Priority, tk.IssuedAt.UnixMilli(), tk.ID, got, want)
					}
					if strict := queue.Ahead(engine, tk.Ticket, queue.DefaultPolicy(), now); strict != want {
						differ = true
					}
				}
			}
			if !differ {
				t.Errorf("no policy changed anyone's place: the random tickets test nothing")
			}
		})
	}
}

// TestTicketStatusAhead checks the public status against the engine under
// the policy the hall has set.
func TestTicketStatusAhead(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{"strict", "interleave:3", "ageing:20m"} {
		t.Run(policy, func(t *testing.T) {
			s, clk := newHall(t)
			setPolicy(t, s, policy)
			insertRandomTickets(t, rawDB(t, s), rand.New(rand.NewPCG(7, 7)), 40)
			clk.Set(t0.Add(3 * time.Hour))
			p, _ := queue.ParsePolicy(policy)
			all, err := s.Tickets(ctx, day0)
			if err != nil {
				t.Fatal(err)
			}
			var engine []queue.Ticket
			for _, tk := range all {
				engine = append(engine, tk.Ticket)
			}
			for _, tk := range all {
				st, err := s.TicketStatus(ctx, tk.Token)
				if err != nil {
					t.Fatal(err)
				}
				if want := queue.Ahead(engine, tk.Ticket, p, clk.Now()); st.Ahead != want {
					t.Errorf("%s (%s, %q): status says %d ahead, engine %d", tk.Number, tk.State, tk.Priority, st.Ahead, want)
				}
				if st.Number != tk.Number || st.Queue != tk.Queue || st.State != string(tk.State) || st.Day != day0 {
					t.Errorf("status %+v of ticket %+v", st, tk.Ticket)
				}
			}
		})
	}
}

func TestTicketStatus(t *testing.T) {
	t.Parallel()
	s, clk := newHall(t)
	sup := staff(t, s, "sam", "supervisor", 0)
	status := func(tk store.Ticket) store.TicketStatus {
		t.Helper()
		st, err := s.TicketStatus(ctx, tk.Token)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	a := make([]store.Ticket, 3)
	for i := range a {
		a[i] = issue(t, s, store.IssueRequest{Queue: "A"})
	}
	// No window open, nothing served: 2 ahead × 300 s default on one window.
	if st := status(a[2]); st.Ahead != 2 || st.EstimatedWait != 600 || st.QueueName != "综合受理" || st.Window != "" {
		t.Errorf("before opening: %+v, want 2 ahead, 600 s", st)
	}
	open(t, s, sup, 1, 2)
	if st := status(a[2]); st.Ahead != 2 || st.EstimatedWait != 300 {
		t.Errorf("two windows open: %+v, want 2 ahead, 300 s", st)
	}

	// Serve A001 in 4 minutes at window 1 and A002 in 6 at window 2.
	clk.Advance(time.Minute)
	callNext(t, s, sup, 1)
	called := status(a[0])
	if called.State != "called" || called.Window != "1" || called.Ahead != 0 || called.EstimatedWait != 0 || !called.CalledAt.Equal(clk.Now()) {
		t.Errorf("called ticket status %+v, want window 1, nobody ahead", called)
	}
	callNext(t, s, sup, 2)
	act(t, s, sup, 1, store.WindowAction{Kind: queue.Start})
	act(t, s, sup, 2, store.WindowAction{Kind: queue.Start})
	if st := status(a[1]); st.State != "serving" || st.Window != "2" || st.Ahead != 0 {
		t.Errorf("serving ticket status %+v", st)
	}
	clk.Advance(4 * time.Minute)
	act(t, s, sup, 1, store.WindowAction{Kind: queue.Finish})
	clk.Advance(2 * time.Minute)
	act(t, s, sup, 2, store.WindowAction{Kind: queue.Finish})
	if st := status(a[0]); st.State != "done" || st.Ahead != 0 || st.Window != "" || st.EstimatedWait != 0 {
		t.Errorf("done ticket status %+v", st)
	}

	for range 3 {
		a = append(a, issue(t, s, store.IssueRequest{Queue: "A"}))
	}
	// a[5] has A003, A004, A005 ahead: mean service 5 min × 3 / 2 windows.
	st := status(a[5])
	want := queue.EstimateWait(3, []time.Duration{4 * time.Minute, 6 * time.Minute}, 2, 5*time.Minute)
	if st.Ahead != 3 || st.EstimatedWait != int(want/time.Second) || st.EstimatedWait != 450 {
		t.Errorf("status %+v, want 3 ahead, %v", st, want)
	}
	// Queue E has no service times of its own: the default applies.
	issue(t, s, store.IssueRequest{Queue: "E"})
	e2 := issue(t, s, store.IssueRequest{Queue: "E"})
	if st := status(e2); st.Ahead != 1 || st.EstimatedWait != 300 {
		t.Errorf("queue E: %+v, want 1 ahead, 300 s on window 2", st)
	}
	if _, err := s.TicketStatus(ctx, "no-such-token"); err == nil {
		t.Error("TicketStatus of an unknown token succeeded")
	} else {
		wantErr(t, err, store.ErrNotFound)
	}
}

// TestIssueCountsAheadLikeTheEngine: the people ahead that Issue counts in
// its own transaction, for the slip, equal queue.Ahead over every ticket
// of the day, for a regular and a priority ticket, under every policy.
func TestIssueCountsAheadLikeTheEngine(t *testing.T) {
	for _, policy := range []string{"strict", "interleave:3", "ageing:15m"} {
		for _, prio := range []queue.Priority{queue.Regular, queue.Elderly} {
			t.Run(policy+"/"+string(prio)+"-ticket", func(t *testing.T) {
				s, clk := newHall(t)
				insertRandomTickets(t, rawDB(t, s), rand.New(rand.NewPCG(11, 3)), 60)
				st := store.DefaultSettings()
				st.PolicyText = policy
				if _, err := s.UpdateSettings(ctx, admin, st); err != nil {
					t.Fatal(err)
				}
				clk.Set(t0.Add(3 * time.Hour))
				tk, status, err := s.Issue(ctx, kioskA, store.IssueRequest{Queue: "A", Priority: prio})
				if err != nil {
					t.Fatal(err)
				}
				all, err := s.Tickets(ctx, day0)
				if err != nil {
					t.Fatal(err)
				}
				engine := make([]queue.Ticket, len(all))
				for i, x := range all {
					engine[i] = x.Ticket
				}
				p, _ := queue.ParsePolicy(policy)
				stored, _ := s.TicketByID(ctx, tk.ID)
				want := queue.Ahead(engine, stored.Ticket, p, clk.Now())
				if status.Ahead != want || want == 0 {
					t.Errorf("Issue says %d ahead, the engine %d (and the random line must not be empty)", status.Ahead, want)
				}
				if status.Number != tk.Number || status.QueueName == "" || status.State != "issued" {
					t.Errorf("status %+v", status)
				}
			})
		}
	}
}
