package store_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"

	"onestop/hallserver/store"
)

// 64 citizens press the kiosk button at once. Every one gets a ticket, no
// number is given twice, none is skipped, and each ticket has exactly one
// "ticket.issue" audit record. With gated, the writer is held busy while
// the 64 requests queue, so they must share one transaction: group commit
// is then checked deterministically.
func TestConcurrentIssue(t *testing.T) {
	t.Parallel()
	const n = 64
	for _, tc := range []struct {
		name   string
		queues string // goroutine i issues into queues[i%len(queues)]
		gated  bool
	}{
		{"same queue", "A", false},
		{"same queue, one batch", "A", true},
		{"mixed queues", "ABCDEF", false},
		{"mixed queues, one batch", "ABCDEF", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newHall(t)
			before := s.Stats()
			var release func()
			if tc.gated {
				release = holdWriter(t, s)
			}
			start := make(chan struct{})
			tickets := make([]store.Ticket, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start // all 64 begin together
					q := string(tc.queues[i%len(tc.queues)])
					tickets[i], errs[i] = s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: q})
				}()
			}
			close(start)
			if tc.gated {
				waitFor(t, "64 queued writes", func() bool { return s.QueuedWrites() == n })
				release()
			}
			wg.Wait()

			seqs := map[string][]int{}
			numbers := map[string]bool{}
			for i, tk := range tickets {
				if errs[i] != nil {
					t.Fatalf("goroutine %d: %v", i, errs[i])
				}
				if want := string(tc.queues[i%len(tc.queues)]); tk.Queue != want {
					t.Errorf("goroutine %d got %s in queue %s, want queue %s", i, tk.Number, tk.Queue, want)
				}
				if numbers[tk.Number] {
					t.Errorf("number %s given twice", tk.Number)
				}
				numbers[tk.Number] = true
				seqs[tk.Queue] = append(seqs[tk.Queue], tk.Seq)
			}
			for q, got := range seqs {
				slices.Sort(got)
				for i, seq := range got {
					if seq != i+1 {
						t.Fatalf("queue %s: sequences %v, want exactly 1..%d", q, got, len(got))
					}
				}
			}
			stored, err := s.Tickets(ctx, day0)
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != n {
				t.Errorf("%d tickets stored, want %d", len(stored), n)
			}
			for _, tk := range tickets {
				trail, err := s.AuditTrail(ctx, "ticket", strconv.FormatInt(tk.ID, 10))
				if err != nil {
					t.Fatal(err)
				}
				if len(trail) != 1 || trail[0].Action != "ticket.issue" {
					t.Errorf("ticket %s (id %d): audit trail %+v, want one ticket.issue", tk.Number, tk.ID, trail)
				}
			}
			verifyOK(t, s)

			after := s.Stats()
			tx, writes := after.Transactions-before.Transactions, after.Writes-before.Writes
			if tc.gated {
				// The holding write's transaction, then one with all 64.
				if tx != 2 || writes != n+1 || after.MaxBatch < n {
					t.Errorf("stats moved by %d transactions, %d writes, max batch %d; want 2, %d, >= %d",
						tx, writes, after.MaxBatch, n+1, n)
				}
			} else if writes != n || tx < 1 || tx > n {
				t.Errorf("stats moved by %d transactions, %d writes; want 1..%d and %d", tx, writes, n, n)
			}
		})
	}
}
