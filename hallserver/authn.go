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
	var req api.LoginRequest
	if !decode(w, r, &req) {
		return
	}
	now := s.now()
	userKey, ipKey := strings.ToLower(strings.TrimSpace(req.Username)), clientIP(r)
	for _, l := range []struct {
		limiter *auth.LoginLimiter
		key     string
	}{{s.userLimiter, userKey}, {s.addrLimiter, ipKey}} {
		if ok, wait := l.limiter.Allow(l.key, now); !ok {
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
	if err == nil && !u.Disabled {
		good, err = auth.CheckPassword(u.PasswordHash, req.Password)
		if err != nil {
			s.log.Error("stored password hash unreadable", "user", u.Username, "err", err)
		}
	} else {
		// Spend the same time on unknown users, so timing tells nothing.
		auth.CheckPassword(dummyHash, req.Password)
	}
	if !good {
		s.userLimiter.Fail(userKey, now)
		s.addrLimiter.Fail(ipKey, now)
		s.metrics.loginFailures.Inc()
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, "wrong username or password")
		return
	}
	s.userLimiter.Reset(userKey)
	token, hash := auth.NewToken(auth.SessionPrefix)
	csrf, _ := auth.NewToken("")
	expires := minTime(now.Add(s.cfg.SessionIdle), now.Add(s.cfg.SessionMax))
	p := auth.Principal{Role: auth.Role(u.Role), UserID: u.ID, Username: u.Username}
	if err := s.st.CreateSession(r.Context(), actor(p, ""), store.Session{TokenHash: hash, UserID: u.ID, ExpiresAt: expires}); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode, Expires: now.Add(s.cfg.SessionMax)})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/",
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode, Expires: now.Add(s.cfg.SessionMax)})
	writeJSON(w, http.StatusOK, api.LoginResponse{Token: token, CSRF: csrf, ExpiresAt: expires, User: apiUser(u)})
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
	if ok, wait := s.userLimiter.Allow(p.Username, now); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, codeRateLimited, "too many wrong passwords: wait, or ask an administrator to reset it")
		return
	}
	u, err := s.st.UserByUsername(r.Context(), p.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ok, _ := auth.CheckPassword(u.PasswordHash, req.Current); !ok {
		// A stolen session must not become a way to guess the password.
		s.userLimiter.Fail(p.Username, now)
		writeError(w, http.StatusForbidden, codeForbidden, "the current password is wrong")
		return
	}
	hash, err := auth.HashPassword(req.New)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalid, UserMessage(err))
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
	if ok, wait := s.enrollLimiter.Allow(key, s.now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, codeRateLimited, "too many wrong enrollment codes from this address: wait and try again")
		return
	}
	token, hash := auth.NewToken(auth.DevicePrefix)
	k, err := s.st.EnrollKiosk(r.Context(), auth.HashToken(auth.NormalizeEnrollmentCode(req.Code)), hash)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
			s.enrollLimiter.Fail(key, s.now())
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, api.Enrollment{Kiosk: k.Name, Token: token})
}

func (s *Server) listKiosks(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	ks, err := s.st.Kiosks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ks == nil {
		ks = []store.Kiosk{}
	}
	writeJSON(w, http.StatusOK, ks)
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
