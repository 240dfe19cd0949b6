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
