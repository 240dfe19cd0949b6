package auth

import (
	"strconv"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func wantAllowed(t *testing.T, l *LoginLimiter, key string, now time.Time) {
	t.Helper()
	if ok, wait := l.Allow(key, now); !ok || wait != 0 {
		t.Errorf("Allow(%q, t0+%v) = %v, %v; want true, 0", key, now.Sub(t0), ok, wait)
	}
}

func wantRefused(t *testing.T, l *LoginLimiter, key string, now time.Time, retry time.Duration) {
	t.Helper()
	if ok, wait := l.Allow(key, now); ok || wait != retry {
		t.Errorf("Allow(%q, t0+%v) = %v, %v; want false, %v", key, now.Sub(t0), ok, wait, retry)
	}
}

func TestLoginLimiterMaxFailures(t *testing.T) {
	t.Parallel()
	for _, max := range []int{1, 3, 5} {
		t.Run(strconv.Itoa(max), func(t *testing.T) {
			l := NewLoginLimiter(max, 15*time.Minute)
			now := t0
			for i := range max {
				wantAllowed(t, l, "user:zhang", now)
				l.Fail("user:zhang", now)
				if i < max-1 {
					now = now.Add(time.Minute)
				}
			}
			// Locked until the window has passed since the first failure.
			wantRefused(t, l, "user:zhang", now, 15*time.Minute-now.Sub(t0))
			// More failures while locked do not extend the lock.
			l.Fail("user:zhang", now)
			wantRefused(t, l, "user:zhang", now, 15*time.Minute-now.Sub(t0))
		})
	}
}

func TestLoginLimiterRetryAfterCountsDown(t *testing.T) {
	t.Parallel()
	l := NewLoginLimiter(3, 15*time.Minute)
	for range 3 {
		l.Fail("ip:10.0.0.7", t0)
	}
	for _, tt := range []struct {
		at, retry time.Duration
	}{
		{0, 15 * time.Minute},
		{time.Second, 15*time.Minute - time.Second},
		{10 * time.Minute, 5 * time.Minute},
		{15*time.Minute - time.Nanosecond, time.Nanosecond},
	} {
		wantRefused(t, l, "ip:10.0.0.7", t0.Add(tt.at), tt.retry)
	}
	wantAllowed(t, l, "ip:10.0.0.7", t0.Add(15*time.Minute))
}

func TestLoginLimiterWindowExpiry(t *testing.T) {
	t.Parallel()
	l := NewLoginLimiter(3, 15*time.Minute)
	// Two failures, then a third only after the window: the count starts over.
	l.Fail("user:li", t0)
	l.Fail("user:li", t0.Add(time.Minute))
	later := t0.Add(16 * time.Minute)
	l.Fail("user:li", later)
	wantAllowed(t, l, "user:li", later)
	l.Fail("user:li", later.Add(time.Minute))
	wantAllowed(t, l, "user:li", later.Add(time.Minute))
	l.Fail("user:li", later.Add(2*time.Minute))
	wantRefused(t, l, "user:li", later.Add(2*time.Minute), 13*time.Minute)

	// A lock ends when the window does, and the failures are forgotten.
	wantAllowed(t, l, "user:li", later.Add(15*time.Minute))
	l.Fail("user:li", later.Add(15*time.Minute))
	wantAllowed(t, l, "user:li", later.Add(15*time.Minute))
}

func TestLoginLimiterReset(t *testing.T) {
	t.Parallel()
	l := NewLoginLimiter(2, time.Hour)
	l.Fail("user:wang", t0)
	l.Fail("user:wang", t0)
	wantRefused(t, l, "user:wang", t0, time.Hour)
	l.Reset("user:wang")
	wantAllowed(t, l, "user:wang", t0)
	// The count starts from zero again.
	l.Fail("user:wang", t0)
	wantAllowed(t, l, "user:wang", t0)
	l.Reset("user:nobody") // forgetting an unknown key is harmless
}

func TestLoginLimiterIndependentKeys(t *testing.T) {
	t.Parallel()
	l := NewLoginLimiter(2, time.Hour)
	l.Fail("user:a", t0)
	l.Fail("user:a", t0)
	l.Fail("user:b", t0)
	wantRefused(t, l, "user:a", t0, time.Hour)
	wantAllowed(t, l, "user:b", t0)
	wantAllowed(t, l, "ip:127.0.0.1", t0)
	l.Reset("user:b")
	wantRefused(t, l, "user:a", t0, time.Hour)
}

// sweepAbove is how many keys the limiter holds before it sweeps out
// expired ones.
const sweepAbove = 100000

func TestLoginLimiterSweep(t *testing.T) {
	t.Parallel()
	keys := make([]string, sweepAbove)
	for i := range keys {
		keys[i] = "user:spray" + strconv.Itoa(i)
	}
	count := func(l *LoginLimiter) int {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.keys)
	}

	t.Run("all expired", func(t *testing.T) {
		t.Parallel()
		l := NewLoginLimiter(5, time.Minute)
		for _, k := range keys {
			l.Fail(k, t0)
		}
		if n := count(l); n != sweepAbove {
			t.Fatalf("%d keys held, want %d: nothing is due to expire yet", n, sweepAbove)
		}
		l.Fail("user:last", t0.Add(time.Minute))
		if n := count(l); n != 1 {
			t.Errorf("%d keys held after the sweep, want 1", n)
		}
		wantAllowed(t, l, "user:last", t0.Add(time.Minute))
	})

	t.Run("half expired", func(t *testing.T) {
		t.Parallel()
		l := NewLoginLimiter(1, time.Minute)
		half := t0.Add(30 * time.Second)
		for i, k := range keys {
			if i < len(keys)/2 {
				l.Fail(k, t0)
			} else {
				l.Fail(k, half)
			}
		}
		l.Fail("user:last", t0.Add(time.Minute))
		if n, want := count(l), len(keys)/2+1; n != want {
			t.Errorf("%d keys held after the sweep, want %d", n, want)
		}
		// The sweep kept the failures still in their window.
		wantRefused(t, l, keys[len(keys)-1], t0.Add(time.Minute), 30*time.Second)
		wantAllowed(t, l, keys[0], t0.Add(time.Minute))
	})
}

func TestReserveCountsBeforeTheCheck(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	l := NewLoginLimiter(3, 15*time.Minute)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Reserve("k", now); !ok {
			t.Fatalf("reservation %d refused", i+1)
		}
	}
	if ok, wait := l.Reserve("k", now.Add(time.Minute)); ok || wait != 14*time.Minute {
		t.Fatalf("fourth reservation: %v, %v; want refused for 14m", ok, wait)
	}
	// A success gives its count back.
	l.Undo("k")
	if ok, _ := l.Reserve("k", now); !ok {
		t.Fatal("after Undo a reservation is refused")
	}
	l.Undo("k")
	l.Undo("k")
	l.Undo("k")
	l.Undo("k") // more than counted: no harm
	if ok, _ := l.Allow("k", now); !ok {
		t.Fatal("all undone, still refused")
	}
}
