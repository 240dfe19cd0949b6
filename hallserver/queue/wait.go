package queue

import (
	"time"
)

// Ahead returns how many tickets would be called before t, for the slip and
// the phone page. It counts the candidates waiting in t's queue, whether
// callable now or Held (a held ticket comes back), and whatever window they
// are reserved for, that come before t in p's order at now. Interleave
// depends on the windows' recent calls and is approximated by Strict's
// order; an invalid p is treated as DefaultPolicy.
//
// t itself (by ID) never counts, and a t that is not waiting (Issued,
// Transferred or Held) has nobody ahead: the result is 0.
func Ahead(candidates []Ticket, t Ticket, p Policy, now time.Time) int {
	if !pending(t) {
		return 0
	}
	if p.Validate() != nil {
		p = DefaultPolicy()
	}
	before := p.compare(now)
	n := 0
	for _, c := range candidates {
		if c.ID == t.ID || c.Queue != t.Queue || !pending(c) {
			continue
		}
		if before(c, t) < 0 {
			n++
		}
	}
	return n
}

// EstimateWait estimates how long a citizen with ahead tickets before them
// waits: the mean of recentService (recent service times in the queue;
// non-positive values are ignored, and fallback is used when none is left)
// times ahead, shared among openWindows windows (at least 1), rounded to
// the second. It is 0 when ahead is 0 or less, or when the mean is not
// positive.
func EstimateWait(ahead int, recentService []time.Duration, openWindows int, fallback time.Duration) time.Duration {
	if ahead <= 0 {
		return 0
	}
	var sum time.Duration
	n := 0
	for _, d := range recentService {
		if d > 0 {
			sum += d
			n++
		}
	}
	mean := fallback
	if n > 0 {
		mean = sum / time.Duration(n)
	}
	if mean <= 0 {
		return 0
	}
	windows := max(openWindows, 1)
	return (mean * time.Duration(ahead) / time.Duration(windows)).Round(time.Second)
}
