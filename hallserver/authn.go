package hallserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

// Cookie names for browser sessions.
const (
	sessionCookie = "onestop_session"
	csrfCookie    = "onestop_csrf"
	csrfHeader    = "X-CSRF-Token"
)

type authMethod int

const (
	authNone   authMethod = iota
	authBearer            // Authorization: Bearer (API clients, kiosks): no CSRF exposure
	authCookie            // browser session cookie: state changes need the CSRF header
)

// authenticate finds who is calling. Bad or expired credentials are
// treated as none (so public routes still work, and protected ones say
// 401); only a store failure is an error.
func (s *Server) authenticate(r *http.Request) (auth.Principal, authMethod, error) {
	token, how := "", authNone
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			token, how = strings.TrimSpace(t), authBearer
		}
	} else if c, err := r.Cookie(sessionCookie); err == nil {
		token, how = c.Value, authCookie
	}
	switch {
	case token == "":
		return auth.Principal{}, authNone, nil
	case strings.HasPrefix(token, auth.DevicePrefix) && how == authBearer:
		hash := auth.HashToken(token)
		if p, ok := s.kiosks.get(hash, s.now()); ok {
			return p, how, nil
		}
		k, err := s.st.KioskByToken(r.Context(), hash)
		if errors.Is(err, store.ErrNotFound) {
			return auth.Principal{}, authNone, nil
		}
		if err != nil {
			return auth.Principal{}, authNone, err
		}
		p := auth.Principal{Role: auth.Kiosk, KioskID: k.ID, KioskName: k.Name}
		s.kiosks.put(hash, p, s.now())
		return p, how, nil
	case strings.HasPrefix(token, auth.SessionPrefix):
		hash := auth.HashToken(token)
		sess, u, err := s.st.SessionUser(r.Context(), hash)
		if errors.Is(err, store.ErrNotFound) {
			return auth.Principal{}, authNone, nil
		}
		if err != nil {
			return auth.Principal{}, authNone, err
		}
		now := s.now()
		if now.Sub(sess.LastSeen) > time.Minute {
			// Slide the idle expiry, at most once a minute per session.
			exp := minTime(sess.CreatedAt.Add(s.cfg.SessionMax), now.Add(s.cfg.SessionIdle))
			if err := s.st.TouchSession(r.Context(), hash, exp); err != nil {
				s.log.Warn("touch session", "user", u.Username, "err", err)
			}
		}
		return auth.Principal{Role: auth.Role(u.Role), UserID: u.ID, Username: u.Username,
			DisplayName: u.DisplayName, SessionHash: hash}, how, nil
	}
	return auth.Principal{}, authNone, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// csrfOK checks the double-submit token: the header must equal the
// cookie, which another site can neither read nor set.
func csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return false
	}
	h := r.Header.Get(csrfHeader)
	return subtle.ConstantTimeCompare([]byte(h), []byte(c.Value)) == 1
}

// actor turns a principal into the audit trail's actor.
func actor(p auth.Principal, device string) store.Actor {
	if p.Role == auth.Kiosk {
		return store.Actor{Name: p.Name(), Role: string(p.Role), Device: p.KioskName}
	}
	return store.Actor{Name: p.Username, Role: string(p.Role), Device: device, UserID: p.UserID}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	// Only JSON: a form on another site can post text/plain that happens
	// to parse as JSON and sign the victim's browser in as the attacker
	// (login CSRF). Browsers cannot send application/json across sites
	// without a CORS preflight, which this server never answers.
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusBadRequest, codeInvalid, "send the login as JSON (Content-Type: application/json)")
		return
	}
	var req api.LoginRequest
	if !decode(w, r, &req) {
		return
	}
	now := s.now()
	user, addr := strings.ToLower(strings.TrimSpace(req.Username)), clientIP(r)
	// Each attempt is counted before the password is checked (Reserve), so
	// a burst of guesses cannot all slip past the limits; a success gives
	// its count back.
	limits := []struct {
		limiter *auth.LoginLimiter
		key     string
	}{{s.pairLimiter, user + "|" + addr}, {s.userLimiter, user}, {s.addrLimiter, addr}}
	for i, l := range limits {
		if ok, wait := l.limiter.Reserve(l.key, now); !ok {
			for _, r := range limits[:i] {
				r.limiter.Undo(r.key)
			}
			s.metrics.loginFailures.Inc()
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(w, http.StatusTooManyRequests, codeRateLimited,
				fmt.Sprintf("too many failed logins: wait %d minutes, or ask an administrator to reset the password", int(math.Ceil(wait.Minutes()))))
			return
		}
	}
	u, err := s.st.UserByUsername(r.Context(), req.Username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	good := false
	err = s.withHashSlot(r.Context(), func() {
		if u.ID != 0 && !u.Disabled {
			var cerr error
			good, cerr = auth.CheckPassword(u.PasswordHash, req.Password)
			if cerr != nil {
				s.log.Error("stored password hash unreadable", "user", u.Username, "err", cerr)
			}
		} else {
			// Spend the same time on unknown users, so timing tells nothing.
			auth.CheckPassword(dummyHash, req.Password)
		}
	})
	if err != nil {
		for _, l := range limits {
			l.limiter.Undo(l.key)
		}
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, err.Error())
		return
	}
	if !good {
		s.metrics.loginFailures.Inc()
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, "wrong username or password")
		return
	}
	s.pairLimiter.Reset(limits[0].key)
	s.userLimiter.Undo(user)
	s.addrLimiter.Undo(addr)
	token, hash := auth.NewToken(auth.SessionPrefix)
	csrf, _ := auth.NewToken("")
	expires := minTime(now.Add(s.cfg.SessionIdle), now.Add(s.cfg.SessionMax))
	p := auth.Principal{Role: auth.Role(u.Role), UserID: u.ID, Username: u.Username}
	if err := s.st.CreateSession(r.Context(), actor(p, ""), store.Session{TokenHash: hash, UserID: u.ID, ExpiresAt: expires}); err != nil {
		s.fail(w, r, err)
		return
	}
	// Max-Age, not Expires: the browser counts it on its own clock, so a
	// browser whose clock differs from the hall's keeps the cookie (the
	// server's session expiry is what counts).
	maxAge := int(s.cfg.SessionMax / time.Second)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/",
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
	out := api.LoginResponse{Token: token, CSRF: csrf, ExpiresAt: expires, User: apiUser(u)}
	if req.Cookie {
		out.Token = "" // a browser page: the HttpOnly cookie alone carries the session
	}
	writeJSON(w, http.StatusOK, out)
}

// dummyHash is checked against for unknown usernames.
var dummyHash = func() string {
	h, err := auth.HashPassword("not-a-real-password-at-all")
	if err != nil {
		panic(err)
	}
	return h
}()

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := s.st.DeleteSession(r.Context(), actor(p, ""), p.SessionHash); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, name := range []string{sessionCookie, csrfCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1})
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	writeJSON(w, http.StatusOK, api.Me{Role: string(p.Role), Username: p.Username, DisplayName: p.DisplayName, Kiosk: p.KioskName})
}

func (s *Server) changeOwnPassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.PasswordChange
	if !decode(w, r, &req) {
		return
	}
	now := s.now()
	pair := p.Username + "|" + clientIP(r)
	if ok, wait := s.pairLimiter.Reserve(pair, now); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, codeRateLimited, "too many wrong passwords: wait, or ask an administrator to reset it")
		return
	}
	u, err := s.st.UserByUsername(r.Context(), p.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var good bool
	if err := s.withHashSlot(r.Context(), func() { good, _ = auth.CheckPassword(u.PasswordHash, req.Current) }); err != nil {
		s.pairLimiter.Undo(pair)
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, err.Error())
		return
	}
	if !good {
		// A stolen session must not become a way to guess the password:
		// the attempt stays counted against the account.
		writeError(w, http.StatusForbidden, codeForbidden, "the current password is wrong")
		return
	}
	s.pairLimiter.Undo(pair)
	hash, err := s.hashPassword(r, req.New)
	if err != nil {
		s.failHash(w, r, err)
		return
	}
	if err := s.st.SetPassword(r.Context(), actor(p, ""), p.Username, hash); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createEnrollmentCode(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.EnrollmentCodeRequest
	if !decode(w, r, &req) {
		return
	}
	code, err := CreateEnrollmentCode(r.Context(), s.st, actor(p, ""), req.Kiosk, s.cfg.EnrollmentTTL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, code)
}

// CreateEnrollmentCode makes and stores a one-time code for a kiosk; the
// HTTP API and hallctl both use it.
func CreateEnrollmentCode(ctx context.Context, st *store.Store, a store.Actor, kiosk string, ttl time.Duration) (api.EnrollmentCode, error) {
	code := auth.NewEnrollmentCode()
	exp := st.Now().Add(ttl)
	if err := st.CreateEnrollmentCode(ctx, a, kiosk, auth.HashToken(auth.NormalizeEnrollmentCode(code)), exp); err != nil {
		return api.EnrollmentCode{}, err
	}
	return api.EnrollmentCode{Kiosk: kiosk, Code: code, ExpiresAt: exp}, nil
}

func (s *Server) enrollKiosk(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	var req api.EnrollRequest
	if !decode(w, r, &req) {
		return
	}
	key := clientIP(r)
	if ok, wait := s.enrollLimiter.Reserve(key, s.now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, codeRateLimited, "too many wrong enrollment codes from this address: wait and try again")
		return
	}
	token, hash := auth.NewToken(auth.DevicePrefix)
	k, err := s.st.EnrollKiosk(r.Context(), auth.HashToken(auth.NormalizeEnrollmentCode(req.Code)), hash)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
			s.enrollLimiter.Undo(key) // not a wrong code: do not count it
		}
		s.fail(w, r, err)
		return
	}
	s.enrollLimiter.Undo(key)
	writeJSON(w, http.StatusCreated, api.Enrollment{Kiosk: k.Name, Token: token})
}

// kioskCacheTTL is how long a kiosk's device token is trusted without a
// database read. Kiosks send many requests; a token replaced by a
// re-enrollment stops working within this time.
const kioskCacheTTL = 30 * time.Second

// kioskCache remembers recently seen device tokens (by hash).
type kioskCache struct {
	mu sync.Mutex
	m  map[string]kioskEntry
}

type kioskEntry struct {
	p       auth.Principal
	expires time.Time
}

func (c *kioskCache) get(hash string, now time.Time) (auth.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.After(e.expires) {
		return auth.Principal{}, false
	}
	return e.p, true
}

func (c *kioskCache) put(hash string, p auth.Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]kioskEntry{} // a hall has tens of kiosks; never grow without bound
	}
	c.m[hash] = kioskEntry{p: p, expires: now.Add(kioskCacheTTL)}
}

// hashSlotWait is how long a password check waits for a free slot.
const hashSlotWait = 5 * time.Second

// withHashSlot runs fn (a password hash or check: ~20 MiB and ~20 ms each)
// when one of a few slots is free, so that a burst of logins cannot
// exhaust the server's memory.
func (s *Server) withHashSlot(ctx context.Context, fn func()) error {
	t := time.NewTimer(hashSlotWait)
	defer t.Stop()
	select {
	case s.hashSlots <- struct{}{}:
	case <-t.C:
		return errors.New("the server is busy checking other passwords: try again in a moment")
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	fn()
	return nil
}

// hashPassword hashes a new password in a hash slot.
func (s *Server) hashPassword(r *http.Request, pw string) (string, error) {
	var hash string
	var herr error
	if err := s.withHashSlot(r.Context(), func() { hash, herr = auth.HashPassword(pw) }); err != nil {
		return "", errBusy{err}
	}
	return hash, herr
}

// errBusy is a password operation that found no free slot.
type errBusy struct{ error }

// failHash answers a failed hashPassword: busy (503) or a weak password (400).
func (s *Server) failHash(w http.ResponseWriter, r *http.Request, err error) {
	var busy errBusy
	if errors.As(err, &busy) {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, busy.Error())
		return
	}
	writeError(w, http.StatusBadRequest, codeInvalid, UserMessage(err))
}
