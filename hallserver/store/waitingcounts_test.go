package store_test

import (
	"testing"

	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// TestWaitingCountsKeptByTriggers walks tickets through every kind of
// transition (issue, call, transfer to another queue, hold, cancel, finish
// with return) and checks after each step that the trigger-kept counts
// equal a count of the tickets themselves.
func TestWaitingCountsKeptByTriggers(t *testing.T) {
	s, clk := newHall(t)
	db := rawDB(t, s)
	check := func(step string) {
		t.Helper()
		rows, err := db.Query(`SELECT t.day, t.queue, t.priority, COUNT(*) FROM tickets t
			WHERE t.state IN ('issued','transferred','held') GROUP BY 1, 2, 3`)
		if err != nil {
			t.Fatal(err)
		}
		want := map[[3]string]int{}
		for rows.Next() {
			var k [3]string
			var n int
			rows.Scan(&k[0], &k[1], &k[2], &n)
			want[k] = n
		}
		rows.Close()
		rows, err = db.Query(`SELECT day, queue, priority, n FROM waiting_counts WHERE n > 0`)
		if err != nil {
			t.Fatal(err)
		}
		got := map[[3]string]int{}
		for rows.Next() {
			var k [3]string
			var n int
			rows.Scan(&k[0], &k[1], &k[2], &n)
			got[k] = n
		}
		rows.Close()
		if len(got) != len(want) {
			t.Fatalf("%s: kept counts %v, tickets say %v", step, got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Fatalf("%s: kept counts %v, tickets say %v", step, got, want)
			}
		}
		counts, err := s.WaitingCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for q := range counts {
			sum := 0
			for k, n := range want {
				if k[1] == q && k[0] == queue.ServiceDay(clk.Now()) {
					sum += n
				}
			}
			if counts[q] != sum {
				t.Fatalf("%s: WaitingCounts[%s] = %d, want %d", step, q, counts[q], sum)
			}
		}
	}
	check("empty")
	a := staff(t, s, "wang", "counter", 1)
	b := staff(t, s, "zhang", "counter", 2)
	open(t, s, a, 1)
	open(t, s, b, 6)
	for i := 0; i < 6; i++ {
		issue(t, s, store.IssueRequest{Queue: "A", Priority: []queue.Priority{queue.Regular, queue.Elderly}[i%2]})
	}
	check("issued")
	callNext(t, s, a, 1)
	check("called")
	act(t, s, a, 1, store.WindowAction{Kind: queue.Transfer, ToQueue: "C", Return: true})
	check("transferred to C with return")
	callNext(t, s, a, 1)
	act(t, s, a, 1, store.WindowAction{Kind: queue.Hold, HoldFor: 60})
	check("held")
	clk.Advance(2 * 60e9)
	callNext(t, s, a, 1)
	check("held ticket called back")
	act(t, s, a, 1, store.WindowAction{Kind: queue.Start})
	act(t, s, a, 1, store.WindowAction{Kind: queue.Finish})
	check("finished")
	res := callNext(t, s, b, 6) // window 6 serves C: the transferred ticket
	if res.Ticket.Queue != "C" {
		t.Fatalf("window 6 called %s in %s, want the transferred ticket in C", res.Ticket.Number, res.Ticket.Queue)
	}
	serve(t, s, clk, b, 6, 0)
	check("finished at C: back to A")
	all, _ := s.Tickets(ctx, queue.ServiceDay(clk.Now()))
	for _, tk := range all {
		if tk.State == queue.Issued {
			if _, err := s.CancelTicket(ctx, a, tk.ID, "left"); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	check("cancelled")
}
