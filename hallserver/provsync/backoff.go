package provsync

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// FullJitter is an exponential backoff with full jitter (AWS
// Architecture Blog, "Exponential Backoff And Jitter"): a uniformly random
// wait between 0 and min(max, min·2^attempt), so that many halls coming
// back after an outage do not retry in step. A 429 or 503 with a
// Retry-After in seconds waits that long instead (capped at max): the
// province said when to come back. It is a retryablehttp.Backoff.
func FullJitter(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			return min2(time.Duration(s)*time.Second, max)
		}
	}
	return jitter(ceiling(min, max, attempt))
}

// ceiling is min·2^attempt, capped at max (and safe from overflow).
func ceiling(min, max time.Duration, attempt int) time.Duration {
	if min <= 0 {
		min = time.Millisecond
	}
	c := min
	for i := 0; i < attempt && c < max; i++ {
		c *= 2
	}
	return min2(c, max)
}

func jitter(c time.Duration) time.Duration {
	if c <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(c) + 1))
}

func min2(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}
