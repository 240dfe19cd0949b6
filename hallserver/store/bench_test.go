package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"onestop/hallserver/store"
)

// BenchmarkIssueTicket measures issuing through the group-committing
// writer with many concurrent issuers (b.RunParallel), as kiosks do.
func BenchmarkIssueTicket(b *testing.B) {
	s, _ := newHall(b)
	queues := []string{"A", "B", "C", "D", "E", "F"}
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			q := queues[n.Add(1)%int64(len(queues))]
			if _, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: q}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTicketStatus measures the public status read (people ahead,
// estimated wait) with 5,000 tickets waiting in two queues: for the ticket
// just issued (the slip), and for tickets anywhere in the line.
func BenchmarkTicketStatus(b *testing.B) {
	s, clk := newHall(b)
	var tokens []string
	for i := 0; i < 5000; i++ {
		clk.Advance(200 * time.Millisecond) // a ticket every 0.2 s: a very busy hall
		t := issue(b, s, store.IssueRequest{Queue: []string{"A", "B"}[i%2]})
		tokens = append(tokens, t.Token)
	}
	run := func(b *testing.B, token func(i int) string) {
		for i := 0; i < b.N; i++ {
			st, err := s.TicketStatus(ctx, token(i))
			if err != nil {
				b.Fatal(err)
			}
			if st.Number == "" {
				b.Fatal(fmt.Sprintf("empty status %+v", st))
			}
		}
	}
	b.Run("just issued", func(b *testing.B) { run(b, func(int) string { return tokens[len(tokens)-1] }) })
	b.Run("anywhere in line", func(b *testing.B) { run(b, func(i int) string { return tokens[(i*7919)%len(tokens)] }) })
}
