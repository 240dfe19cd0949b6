package provsim

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"onestop/hallserver/exchange"
)

// Stats is what GET /debug/stats serves. Event counters are stored with
// the pushes that made them (they survive a restart); request, fault and
// refusal counters are this process's.
type Stats struct {
	Requests     int64                `json:"requests"` // exchange requests received
	Faults       FaultStats           `json:"faults"`
	Refused      map[string]int64     `json:"refused"` // error answers that were not injected, by exchange.Error code
	BatchReplays int64                `json:"batch_replays"`
	Kinds        map[string]KindStats `json:"kinds"` // every kind of exchange.SortedKinds, plus "unknown" once seen
	Halls        map[string]HallStats `json:"halls"` // every registered hall
}

// FaultStats counts the faults injected.
type FaultStats struct {
	Error5xx    int64 `json:"error_5xx"`
	RateLimited int64 `json:"rate_limited"`
	Reset       int64 `json:"reset"`
	LostAck     int64 `json:"lost_ack"`
	BlackHole   int64 `json:"black_hole"` // requests held
	Latency     int64 `json:"latency"`    // requests delayed
}

// KindStats counts one kind's events. Received = applied + duplicates +
// rejected + deferred; OutOfOrder counts applied events whose seq was
// lower than one applied before in their aggregate (a hall bug).
type KindStats struct {
	Received   int64 `json:"received"`
	Applied    int64 `json:"applied"`
	Duplicates int64 `json:"duplicates"`
	Rejected   int64 `json:"rejected"`
	Deferred   int64 `json:"deferred"`
	OutOfOrder int64 `json:"out_of_order"`
}

// HallStats counts one hall's events of every kind; AuditMismatch says the
// province saw its audit history rewritten.
type HallStats struct {
	Received      int64 `json:"received"`
	Applied       int64 `json:"applied"`
	Duplicates    int64 `json:"duplicates"`
	Rejected      int64 `json:"rejected"`
	Deferred      int64 `json:"deferred"`
	OutOfOrder    int64 `json:"out_of_order"`
	AuditMismatch bool  `json:"audit_mismatch"`
}

// memCounters are the counters kept in memory.
type memCounters struct {
	requests, batchReplays                                    atomic.Int64
	error5xx, rateLimited, reset, lostAck, blackHole, latency atomic.Int64

	mu      sync.Mutex
	refused map[string]int64
}

func newMemCounters() *memCounters { return &memCounters{refused: map[string]int64{}} }

func (m *memCounters) refuse(code string) {
	m.mu.Lock()
	m.refused[code]++
	m.mu.Unlock()
}

// Stats returns the counters.
func (p *Province) Stats(ctx context.Context) (Stats, error) {
	m := p.counts
	s := Stats{
		Requests:     m.requests.Load(),
		BatchReplays: m.batchReplays.Load(),
		Faults: FaultStats{Error5xx: m.error5xx.Load(), RateLimited: m.rateLimited.Load(), Reset: m.reset.Load(),
			LostAck: m.lostAck.Load(), BlackHole: m.blackHole.Load(), Latency: m.latency.Load()},
		Refused: map[string]int64{},
		Kinds:   map[string]KindStats{},
		Halls:   map[string]HallStats{},
	}
	m.mu.Lock()
	for k, v := range m.refused {
		s.Refused[k] = v
	}
	m.mu.Unlock()
	for _, k := range exchange.SortedKinds() {
		s.Kinds[k] = KindStats{}
	}
	rows, err := p.rdb.QueryContext(ctx, "SELECT code, audit_mismatch FROM halls")
	if err != nil {
		return s, fmt.Errorf("provsim: stats: %w", err)
	}
	for rows.Next() {
		var code string
		var flag bool
		if err := rows.Scan(&code, &flag); err != nil {
			rows.Close()
			return s, fmt.Errorf("provsim: stats: %w", err)
		}
		s.Halls[code] = HallStats{AuditMismatch: flag}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("provsim: stats: %w", err)
	}
	rows, err = p.rdb.QueryContext(ctx, "SELECT hall, kind, received, applied, duplicates, rejected, deferred, out_of_order FROM counters")
	if err != nil {
		return s, fmt.Errorf("provsim: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hall, kind string
		var c KindStats
		if err := rows.Scan(&hall, &kind, &c.Received, &c.Applied, &c.Duplicates, &c.Rejected, &c.Deferred, &c.OutOfOrder); err != nil {
			return s, fmt.Errorf("provsim: stats: %w", err)
		}
		k := s.Kinds[kind]
		k.Received += c.Received
		k.Applied += c.Applied
		k.Duplicates += c.Duplicates
		k.Rejected += c.Rejected
		k.Deferred += c.Deferred
		k.OutOfOrder += c.OutOfOrder
		s.Kinds[kind] = k
		h := s.Halls[hall]
		h.Received += c.Received
		h.Applied += c.Applied
		h.Duplicates += c.Duplicates
		h.Rejected += c.Rejected
		h.Deferred += c.Deferred
		h.OutOfOrder += c.OutOfOrder
		s.Halls[hall] = h
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("provsim: stats: %w", err)
	}
	return s, nil
}
