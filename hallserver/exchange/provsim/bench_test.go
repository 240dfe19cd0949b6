package provsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"onestop/hallserver/exchange"
)

// benchBatch is the n-th batch of 500 fresh events: tickets, application
// events and ratings.
func benchBatch(n int) []exchange.Event {
	evs := make([]exchange.Event, 0, 500)
	for i := range 500 {
		id := n*500 + i + 1
		key := fmt.Sprintf("1-%d", id)
		switch i % 5 {
		case 0, 1:
			evs = append(evs, ticket(key, int64(id), fmt.Sprintf("T%d", id)))
		case 2, 3:
			evs = append(evs, appEvent(key, int64(id), fmt.Sprintf("APP-%d", id/50), id))
		default:
			evs = append(evs, event(key, exchange.KindRatingRecorded, fmt.Sprintf("rating-of:%d", id), int64(id), exchange.RatingRecorded{
				ID: int64(id), Target: fmt.Sprintf("ticket:2026-11-26/T%d", id), Level: 1 + id%5, Channel: "kiosk", At: at}))
		}
	}
	return evs
}

// BenchmarkPush500 pushes batches of 500 new events over HTTP into a
// province on a real SQLite file (synchronous=FULL), one after another.
func BenchmarkPush500(b *testing.B) {
	tp := newProvince(b, Options{Dir: b.TempDir()})
	h := tp.hall(hallA)
	h.client = &http.Client{Timeout: time.Minute} // keep-alive, as a hall would
	batches := make([][]byte, b.N)
	keys := make([]string, b.N)
	for i := range b.N {
		evs := benchBatch(i)
		batches[i], _ = json.Marshal(exchange.PushRequest{Hall: hallA.Code, Events: evs})
		keys[i] = exchange.BatchKey(hallA.Code, evs)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		a, err := h.do(http.MethodPost, exchange.PathEvents, batches[i], map[string]string{exchange.HeaderIdempotencyKey: keys[i]}, nil)
		if err != nil || a.status != 200 || !bytes.Contains(a.body, []byte(`"applied"`)) {
			b.Fatalf("push %d: %v %d %.200s", i, err, a.status, a.body)
		}
	}
	b.ReportMetric(float64(b.N*500)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkDrainWithFaults is a hall's drain in its simplest form against
// 30 % injected failures (half of them 429) plus 2 % resets and 2 % lost
// acknowledgements: each batch of 500 is sent until it is answered 200,
// re-signed every time, with no backoff (so it measures the province,
// not a hall's waits).
func BenchmarkDrainWithFaults(b *testing.B) {
	tp := newProvince(b, Options{Dir: b.TempDir(), Faults: Faults{FailRate: 0.3, RateLimitShare: 0.5, ResetRate: 0.02, LostAckRate: 0.02}})
	h := tp.hall(hallA)
	h.client = &http.Client{Timeout: time.Minute}
	batches := make([][]byte, b.N)
	keys := make([]string, b.N)
	for i := range b.N {
		evs := benchBatch(i)
		batches[i], _ = json.Marshal(exchange.PushRequest{Hall: hallA.Code, Events: evs})
		keys[i] = exchange.BatchKey(hallA.Code, evs)
	}
	b.ResetTimer()
	start := time.Now()
	attempts := 0
	for i := range b.N {
		for {
			attempts++
			a, err := h.do(http.MethodPost, exchange.PathEvents, batches[i], map[string]string{exchange.HeaderIdempotencyKey: keys[i]}, nil)
			if err == nil && a.status == 200 {
				break
			}
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	s := tp.stats()
	if got := s.Halls[hallA.Code].Applied; got != int64(b.N*500) {
		b.Fatalf("applied %d, want %d", got, b.N*500)
	}
	b.ReportMetric(float64(b.N*500)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(attempts)/float64(b.N), "attempts/batch")
}
