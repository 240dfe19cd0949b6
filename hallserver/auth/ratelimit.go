package auth

import (
	"sync"
	"time"
)

// LoginLimiter slows down password guessing: after MaxFailures failed
// logins for the same key (a username, or a client address) within
// Window, further attempts for that key are refused until the window has
// passed since the first failure.
type LoginLimiter struct {
	MaxFailures int
	Window      time.Duration

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	first time.Time
	count int
}

// NewLoginLimiter returns a limiter allowing max failures per window.
func NewLoginLimiter(max int, window time.Duration) *LoginLimiter {
	return &LoginLimiter{MaxFailures: max, Window: window, keys: map[string]*failures{}}
}

// Allow reports whether an attempt for key may go ahead now; when not, it
// also says how long to wait.
func (l *LoginLimiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if !ok {
		return true, 0
	}
	if now.Sub(f.first) >= l.Window {
		delete(l.keys, key)
		return true, 0
	}
	if f.count >= l.MaxFailures {
		return false, l.Window - now.Sub(f.first)
	}
	return true, 0
}

// Fail records a failed attempt for key.
func (l *LoginLimiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if !ok || now.Sub(f.first) >= l.Window {
		f = &failures{first: now}
		l.keys[key] = f
	}
	f.count++
	if len(l.keys) > 100000 { // bound memory under a spray of usernames
		for k, v := range l.keys {
			if now.Sub(v.first) >= l.Window {
				delete(l.keys, k)
			}
		}
	}
}

// Reset forgets key's failures (after a successful login).
func (l *LoginLimiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// Reserve is Allow and Fail in one step: when the attempt may go ahead it
// is counted as a failure at once, so that many attempts arriving together
// cannot all pass the check before any of them has failed. A caller whose
// attempt succeeds calls Reset or Undo.
func (l *LoginLimiter) Reserve(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	f, ok := l.keys[key]
	if ok && now.Sub(f.first) >= l.Window {
		delete(l.keys, key)
		ok = false
	}
	if ok && f.count >= l.MaxFailures {
		wait := l.Window - now.Sub(f.first)
		l.mu.Unlock()
		return false, wait
	}
	l.mu.Unlock()
	l.Fail(key, now)
	return true, 0
}

// Undo takes back one counted attempt for key (one that succeeded).
func (l *LoginLimiter) Undo(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.keys[key]; ok {
		if f.count--; f.count <= 0 {
			delete(l.keys, key)
		}
	}
}
