package main

import (
	"context"
	"io"
	"testing"
	"time"
)

// TestSoakSmall runs the soak end to end on 1,500 events: the
// province must end with exactly what the hall committed. (Speed is what
// the command itself reports; a test does not time it.)
func TestSoakSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("a soak, if a small one")
	}
	res, err := run(context.Background(), config{events: 1500, failRate: 0.3, rateLimited: 0.1, retryAfter: time.Second,
		resetRate: 0.05, lostAckRate: 0.1, batch: 100, workers: 8, seed: 11}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Events < 1500 || res.Generated != 1500 {
		t.Errorf("events %d, generated %d, want 1500 generated", res.Events, res.Generated)
	}
	if res.Missing+res.DuplicatesApplied+res.Unexpected+res.Reordered+res.Pending != 0 {
		t.Errorf("the province does not hold exactly what the hall committed: %+v", res)
	}
	if res.Requests < int64(res.Events/100) || res.Faults.Error5xx+res.Faults.RateLimited+res.Faults.Reset+res.Faults.LostAck == 0 {
		t.Errorf("the faults asked for were not injected: %+v", res)
	}
}
