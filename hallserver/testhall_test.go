package hallserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// The tests run a real hall: a SQLite file in t.TempDir(), the sample
// catalogue (queues A–F, windows 1–14; window 1 serves A, window 2 serves
// A and E, window 5 serves B and A, window 14 serves F and A), one staff
// account per role and one enrolled kiosk, behind httptest.NewServer.

// testStart is the hall clock's start: a Monday morning in the hall's
// time zone, so that the service day is fixed.
var testStart = time.Date(2026, 3, 2, 9, 30, 0, 0, queue.Location)

// testClock is the hall's clock in tests; only the tests move it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// staffAccount is a staff member the test hall creates.
type staffAccount struct {
	Role     auth.Role
	Username string
	Password string
}

// testStaff are the accounts of every test hall, one per staff role.
var testStaff = []staffAccount{
	{auth.Counter, "counter1", "counter-password-1"},
	{auth.Supervisor, "super1", "supervisor-password-1"},
	{auth.Admin, "admin1", "admin-password-1"},
	{auth.Technician, "tech1", "technician-password-1"},
}

func accountOf(role auth.Role) staffAccount {
	for _, a := range testStaff {
		if a.Role == role {
			return a
		}
	}
	panic("no test account for role " + string(role))
}

// session is a signed-in staff member as a client holds it.
type session struct {
	Token string // ses_… for the Authorization header
	CSRF  string // the onestop_csrf cookie's value
	// Cookies are what the browser would send back.
	Cookies []*http.Cookie
}

// testHall is a running hall server with its store and clock.
type testHall struct {
	st     *store.Store
	srv    *Server
	ts     *httptest.Server
	mux    *http.ServeMux // to find the route a request matches
	clock  *testClock
	kiosk  string // the enrolled kiosk's device token
	keys   *certkeys.Keyring
	tokens map[auth.Role]string
	// sessions holds each staff role's first session.
	sessions map[auth.Role]session
}

// newTestHall starts a hall with the staff accounts and, when enroll is
// true, signs them in and enrolls kiosk K01.
func newTestHall(t *testing.T, enroll bool) *testHall {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{now: testStart}
	hub := NewHub()
	st, err := store.Open(ctx, t.TempDir(), store.Options{Now: clock.Now, Notify: hub.Notify})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := EnsureHall(ctx, st, store.Hall{Code: "520000-TEST", Name: "测试政务服务中心"}, store.System); err != nil {
		t.Fatalf("init hall: %v", err)
	}
	for _, a := range testStaff {
		hash, err := auth.HashPassword(a.Password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUser(ctx, store.System, store.NewUser{Username: a.Username, Role: string(a.Role), PasswordHash: hash}); err != nil {
			t.Fatalf("create %s: %v", a.Username, err)
		}
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	keys := certkeys.Open(t.TempDir())
	if _, err := EnsureSigningKey(ctx, st, keys, store.System); err != nil {
		t.Fatalf("signing key: %v", err)
	}
	srv := New(st, hub, Config{Logger: log, Keys: keys})
	t.Cleanup(srv.Close)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	if err := st.SetCertificateURL(ctx, store.System, ts.URL); err != nil {
		t.Fatalf("certificate URL: %v", err)
	}
	h := &testHall{st: st, srv: srv, ts: ts, clock: clock, mux: routeMux(srv.routes), keys: keys,
		tokens: map[auth.Role]string{}, sessions: map[auth.Role]session{}}
	if enroll {
		for _, a := range testStaff {
			s := h.login(t, a.Username, a.Password)
			h.sessions[a.Role] = s
			h.tokens[a.Role] = s.Token
		}
		h.kiosk = h.enrollKiosk(t, "K01")
		h.tokens[auth.Kiosk] = h.kiosk
	}
	return h
}

// login signs in through the API and fails the test if it is refused.
func (h *testHall) login(t *testing.T, username, password string) session {
	t.Helper()
	res := h.do(t, anonymous, "POST", "/api/v1/auth/login", jsonBody(api.LoginRequest{Username: username, Password: password}))
	var lr api.LoginResponse
	h.decodeStatus(t, res, http.StatusOK, &lr)
	if !strings.HasPrefix(lr.Token, auth.SessionPrefix) || lr.CSRF == "" {
		t.Fatalf("login %s: token %q csrf %q", username, lr.Token, lr.CSRF)
	}
	return session{Token: lr.Token, CSRF: lr.CSRF, Cookies: res.Cookies()}
}

// enrollKiosk makes an enrollment code in the store and enrolls the kiosk
// through the API; it returns the device token.
func (h *testHall) enrollKiosk(t *testing.T, name string) string {
	t.Helper()
	code, err := CreateEnrollmentCode(context.Background(), h.st, store.System, name, time.Hour)
	if err != nil {
		t.Fatalf("enrollment code: %v", err)
	}
	var e api.Enrollment
	h.call(t, anonymous, "POST", "/api/v1/kiosks/enroll", jsonBody(api.EnrollRequest{Code: code.Code}), http.StatusCreated, &e)
	if e.Kiosk != name || !strings.HasPrefix(e.Token, auth.DevicePrefix) {
		t.Fatalf("enroll %s: got %+v", name, e)
	}
	return e.Token
}

// caller is how a request authenticates.
type caller struct {
	bearer  string         // Authorization: Bearer
	cookies []*http.Cookie // sent as the browser would
	csrf    string         // X-CSRF-Token header
}

var anonymous = caller{}

func bearer(token string) caller { return caller{bearer: token} }

// browser sends the session's cookies, with the CSRF header when withCSRF.
func browser(s session, withCSRF bool) caller {
	c := caller{cookies: s.Cookies}
	if withCSRF {
		c.csrf = s.CSRF
	}
	return c
}

// as is the bearer caller of a role's first session (or the kiosk); the
// hall must have been made with enroll.
func (h *testHall) as(role auth.Role) caller {
	tok, ok := h.tokens[role]
	if !ok {
		panic("test hall has no credentials for role " + string(role))
	}
	return bearer(tok)
}

func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// request builds a request to the test server; an empty body sends none.
func (h *testHall) request(t *testing.T, ctx context.Context, c caller, method, path, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	if c.csrf != "" {
		req.Header.Set(csrfHeader, c.csrf)
	}
	return req
}

// do sends a request and returns the response with its body read into
// memory (so that the connection is reused and nothing leaks).
func (h *testHall) do(t *testing.T, c caller, method, path, body string) *http.Response {
	t.Helper()
	return h.roundTrip(t, h.request(t, context.Background(), c, method, path, body))
}

// roundTrip sends req and reads the whole response body into memory. It
// also checks that the response is one openapi.json documents for the
// route the request matched.
func (h *testHall) roundTrip(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	res, err := h.ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	res.Body = io.NopCloser(bytes.NewReader(b))
	if _, pattern := h.mux.Handler(req); pattern != "" {
		method, path, _ := strings.Cut(pattern, " ")
		checkConforms(t, method, path, res)
	}
	return res
}

func bodyOf(res *http.Response) []byte {
	b, _ := io.ReadAll(res.Body)
	res.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// decodeStatus checks the status and decodes the JSON body into v (when
// v is not nil).
func (h *testHall) decodeStatus(t *testing.T, res *http.Response, want int, v any) {
	t.Helper()
	b := bodyOf(res)
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, b)
	}
	if v == nil {
		return
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s %s: body is not the JSON expected: %v; body: %s", res.Request.Method, res.Request.URL.Path, err, b)
	}
}

// call is do + decodeStatus.
func (h *testHall) call(t *testing.T, c caller, method, path, body string, want int, v any) *http.Response {
	t.Helper()
	res := h.do(t, c, method, path, body)
	h.decodeStatus(t, res, want, v)
	return res
}

// apiErrorOf decodes an error response, failing unless it is JSON
// {code, message} with both set.
func apiErrorOf(t *testing.T, res *http.Response) api.Error {
	t.Helper()
	b := bodyOf(res)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error response Content-Type %q, want application/json; body: %s", ct, b)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e api.Error
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error response is not {code, message}: %v; body: %s", err, b)
	}
	if e.Code == "" || e.Message == "" {
		t.Fatalf("error response lacks code or message: %s", b)
	}
	return e
}

// wantError checks an error response's status and code, and returns its message.
func wantError(t *testing.T, res *http.Response, status int, code string) string {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, bodyOf(res))
	}
	e := apiErrorOf(t, res)
	if e.Code != code {
		t.Fatalf("%s %s: error code %q, want %q (message %q)", res.Request.Method, res.Request.URL.Path, e.Code, code, e.Message)
	}
	return e.Message
}
