package hallserver

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

// matrixCall says how the auth matrix calls one route: the minimal body
// for a caller of the role (empty: none), and whether the call ends the
// session it is made with (so it gets a session of its own).
type matrixCall struct {
	body  func(role auth.Role) string
	fresh bool
}

func fixedBody(s string) func(auth.Role) string { return func(auth.Role) string { return s } }

// matrixCalls has an entry for every route of the route table; the test
// fails for a route without one, so that a new route is checked too.
var matrixCalls = map[string]matrixCall{
	"GET /healthz":                       {},
	"GET /readyz":                        {},
	"GET /metrics":                       {},
	"GET /api/v1/openapi.json":           {},
	"GET /api/v1/hall":                   {},
	"GET /api/v1/catalogue":              {},
	"GET /api/v1/display":                {},
	"GET /api/v1/events":                 {},
	"GET /api/v1/tickets/status/{token}": {},
	// Any caller may sign in with good credentials.
	"POST /api/v1/auth/login":  {body: fixedBody(jsonBody(api.LoginRequest{Username: "counter1", Password: "counter-password-1"}))},
	"POST /api/v1/auth/logout": {fresh: true},
	"GET /api/v1/me":           {},
	// The right current password and a too-short new one: 400 after the
	// role check, and no one's password changes.
	"POST /api/v1/me/password": {body: func(role auth.Role) string {
		cur := ""
		if role != auth.Kiosk && role != "" {
			cur = accountOf(role).Password
		}
		return jsonBody(api.PasswordChange{Current: cur, New: "short"})
	}},
	"POST /api/v1/tickets":                    {body: fixedBody(`{"queue":"A"}`)},
	"GET /api/v1/tickets":                     {},
	"GET /api/v1/tickets/{id}":                {},
	"POST /api/v1/tickets/{id}/cancel":        {body: fixedBody(`{"reason":"auth matrix"}`)},
	"GET /api/v1/overview":                    {},
	"POST /api/v1/windows/{number}/open":      {},
	"POST /api/v1/windows/{number}/close":     {},
	"POST /api/v1/windows/{number}/call-next": {},
	"POST /api/v1/windows/{number}/call":      {body: fixedBody(`{"number":"A001"}`)},
	"POST /api/v1/windows/{number}/recall":    {body: fixedBody(`{}`)},
	"POST /api/v1/windows/{number}/start":     {body: fixedBody(`{}`)},
	"POST /api/v1/windows/{number}/finish":    {body: fixedBody(`{}`)},
	"POST /api/v1/windows/{number}/no-show":   {body: fixedBody(`{}`)},
	"POST /api/v1/windows/{number}/transfer":  {body: fixedBody(`{"to_queue":"E"}`)},
	"POST /api/v1/windows/{number}/hold":      {body: fixedBody(`{"hold_seconds":60}`)},
	"GET /api/v1/settings":                    {},
	"PUT /api/v1/settings":                    {body: fixedBody(`{"policy":"strict","no_show_after_recalls":1,"default_service_seconds":300}`)},
	"GET /api/v1/users":                       {},
	"POST /api/v1/users":                      {body: fixedBody(`{"username":"newstaff","display_name":"新同事","role":"counter","password":"newstaff-password"}`)},
	"POST /api/v1/users/{username}/password":  {body: fixedBody(`{"password":"target-password-2"}`)},
	"POST /api/v1/users/{username}/disable":   {},
	"POST /api/v1/users/{username}/enable":    {},
	"GET /api/v1/kiosks":                      {},
	"POST /api/v1/kiosks/enrollment-codes":    {body: fixedBody(`{"kiosk":"K99"}`)},
	"POST /api/v1/kiosks/enroll":              {body: fixedBody(`{"code":"0000-0000-0000"}`)},
	"POST /api/v1/kiosks/heartbeat":           {body: fixedBody(`{"app_version":"matrix","devices":[{"device":"printer","state":"ok"}]}`)},
	"POST /api/v1/kiosks/help":                {},
	"GET /api/v1/kiosks/help":                 {},
	"POST /api/v1/kiosks/help/{id}/answer":    {}, // {id} is the fixture's ticket id, 1: the help call the kiosk opened
	"GET /api/v1/audit/verify":                {},
	// A new application on every call.
	"POST /api/v1/applications":         {body: fixedBody(matrixApplication)},
	"GET /api/v1/applications/{number}": {},
	// The fixture's application moves to 审核 on the first call; later
	// calls answer 409 (an event its state refuses), after the role check.
	"POST /api/v1/applications/{number}/events": {body: fixedBody(`{"kind":"advance","step":"review"}`)},
	"GET /api/v1/supervision/warnings":          {},
	"GET /api/v1/stats":                         {}, // no range in the query: 400 after the role check
	"GET /api/v1/stats.csv":                     {}, // the same
	"POST /api/v1/applications/lookup":          {body: fixedBody(`{"applicant_id":"520102199007140243"}`)},
	"POST /api/v1/certificates/lookup":          {body: fixedBody(`{"holder_id":"520102199007140243"}`)},
	"GET /api/v1/certificates/{serial}":         {},
	"POST /api/v1/certificates/{serial}/print":  {body: fixedBody(`{"holder_id":"` + certHolderID + `"}`)},
	"POST /api/v1/certificates/{serial}/revoke": {body: fixedBody(`{"reason":"auth matrix"}`)},
	"GET /api/v1/trust-list":                    {},
	"GET /C/{code}":                             {},

	// Ratings: the fixture's ticket was never served, so a rating with
	// everything right is refused after the role check (409, or 404 for
	// the kiosk's unknown token); counter staff and supervisors rate at
	// their own windows (1 and 2), as in path. {id} is the fixture's
	// ticket id, which names no rating: 404 after the role check.
	"GET /api/v1/ratings/reasons": {},
	"POST /api/v1/ratings": {body: func(role auth.Role) string {
		switch role {
		case auth.Kiosk:
			return `{"ticket_token":"no-such-token","level":5}`
		case auth.Supervisor:
			return `{"ticket_id":1,"window":"2","level":5}`
		}
		return `{"ticket_id":1,"window":"1","level":5}`
	}},
	"POST /api/v1/tickets/status/{token}/rating": {body: fixedBody(`{"level":5}`)},
	"GET /api/v1/ratings":                        {},
	"GET /api/v1/ratings/followups":              {},
	"POST /api/v1/ratings/{id}/callback":         {body: fixedBody(`{"note":"auth matrix"}`)},
	"POST /api/v1/ratings/{id}/resolve":          {body: fixedBody(`{"resolution":"auth matrix"}`)},

	// The fixture has no dead letters: a replay or a discard answers 409
	// after the role check.
	"GET /api/v1/province":          {},
	"POST /api/v1/province/replay":  {body: fixedBody(`{"ids":[]}`)},
	"POST /api/v1/province/discard": {body: fixedBody(`{"ids":[1],"reason":"auth matrix"}`)},
}

// matrixApplication is the body that accepts the matrix's applications.
var matrixApplication = jsonBody(api.AcceptApplicationRequest{Item: "GA-CRJ-001", ApplicantName: "张三", ApplicantID: "520102199007140243"})

// matrixFixture is the state the matrix's path parameters point at.
type matrixFixture struct {
	*testHall
	ticket      api.IssuedTicket // a ticket of queue A
	application api.Application  // an application of item GA-CRJ-001
	certificate store.Certificate
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	h := newTestHall(t, true)
	f := &matrixFixture{testHall: h}
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/tickets", `{"queue":"A"}`, http.StatusCreated, &f.ticket)
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications", matrixApplication, http.StatusCreated, &f.application)
	f.certificate = h.issueCertificate(t)
	// The account whose password the admin routes reset, disable and enable.
	hash, err := auth.HashPassword("target-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.CreateUser(context.Background(), store.System, store.NewUser{Username: "target", Role: "counter", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	return f
}

var paramPattern = regexp.MustCompile(`\{([a-z]+)\}`)

// path fills the route's parameters. Counter staff and supervisors work
// at windows of their own (1 and 2), so that no call meets the business
// rule "window opened by another staff member" (also a 403). Under
// /api/v1/applications/, {number} is the fixture's application number.
func (f *matrixFixture) path(t *testing.T, pattern string, role auth.Role) string {
	return paramPattern.ReplaceAllStringFunc(pattern, func(m string) string {
		switch name := m[1 : len(m)-1]; name {
		case "token":
			return f.ticket.Token
		case "id":
			return strconv.FormatInt(f.ticket.ID, 10)
		case "number":
			if strings.HasPrefix(pattern, "/api/v1/applications/") {
				return f.application.Number
			}
			if role == auth.Supervisor {
				return "2"
			}
			return "1"
		case "username":
			return "target"
		case "serial":
			return f.certificate.Serial.String()
		case "code":
			return base32Of(t, f.certificate)
		default:
			t.Fatalf("route %s: no test value for path parameter {%s}: add one to matrixFixture.path", pattern, name)
			return ""
		}
	})
}

// matrixCaller is one column of the matrix.
type matrixCaller struct {
	name string
	role auth.Role // "" for anonymous
}

var matrixCallers = []matrixCaller{
	{"anonymous", ""},
	{"counter", auth.Counter},
	{"supervisor", auth.Supervisor},
	{"admin", auth.Admin},
	{"technician", auth.Technician},
	{"kiosk", auth.Kiosk},
}

// send makes the matrix's call of rt as c with the body for role; edit,
// when given, changes the request first. A streaming route is read only
// up to its headers, under a short deadline.
func (f *matrixFixture) send(t *testing.T, rt route, c caller, role auth.Role, edit ...func(*http.Request)) *http.Response {
	t.Helper()
	mc := matrixCalls[rt.Method+" "+rt.Pattern]
	body := ""
	if mc.body != nil {
		body = mc.body(role)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := f.request(t, ctx, c, rt.Method, f.path(t, rt.Pattern, role), body)
	for _, e := range edit {
		e(req)
	}
	if rt.Pattern != "/api/v1/events" {
		return f.roundTrip(t, req)
	}
	res, err := f.ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close() // headers are all the matrix looks at
	checkConforms(t, rt.Method, rt.Pattern, res)
	return res
}

// callerFor returns the credentials a role calls with: its first session
// (or the kiosk token), or a session of its own for calls that end it.
func (f *matrixFixture) callerFor(t *testing.T, role auth.Role, fresh bool) caller {
	t.Helper()
	switch {
	case role == "":
		return anonymous
	case fresh && role != auth.Kiosk:
		a := accountOf(role)
		return bearer(f.login(t, a.Username, a.Password).Token)
	default:
		return f.as(role)
	}
}

// checkPassed fails unless the guard let the call through to a handler
// that answered normally (any status but 401 and 403, and no 5xx or
// routing miss).
func checkPassed(t *testing.T, res *http.Response) {
	t.Helper()
	t.Logf("%s %s: %s", res.Request.Method, res.Request.URL.Path, res.Status)
	if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		e := apiErrorOf(t, res)
		t.Fatalf("%s %s: refused with %d %s: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, e.Code, e.Message)
	}
	if res.StatusCode >= 500 {
		t.Fatalf("%s %s: status %d: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, bodyOf(res))
	}
	if res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusMethodNotAllowed {
		if e := apiErrorOf(t, res); strings.Contains(e.Message, "no such API operation") {
			t.Fatalf("%s %s: the route did not match: %s", res.Request.Method, res.Request.URL.Path, e.Message)
		}
	}
}

func TestAuthMatrix(t *testing.T) {
	t.Parallel()
	f := newMatrixFixture(t)
	for _, rt := range f.srv.routes {
		name := rt.Method + " " + rt.Pattern
		mc, ok := matrixCalls[name]
		if !ok {
			t.Errorf("route %s has no entry in matrixCalls: add how to call it", name)
			continue
		}
		for _, mcl := range matrixCallers {
			t.Run(name+"/as "+mcl.name, func(t *testing.T) {
				res := f.send(t, rt, f.callerFor(t, mcl.role, mc.fresh), mcl.role)
				switch {
				case rt.Roles == nil:
					checkPassed(t, res)
				case mcl.role == "":
					msg := wantError(t, res, http.StatusUnauthorized, codeUnauthenticated)
					if !strings.Contains(msg, "sign in") {
						t.Errorf("401 message %q does not tell the caller to sign in", msg)
					}
				case !slices.Contains(rt.Roles, mcl.role):
					msg := wantError(t, res, http.StatusForbidden, codeForbidden)
					if want := "your role (" + string(mcl.role) + ")"; !strings.Contains(msg, want) {
						t.Errorf("403 message %q does not say %q", msg, want)
					}
				default:
					checkPassed(t, res)
				}
			})
		}
	}
	// Every entry must still name a route, so the table cannot rot.
	for name := range matrixCalls {
		if !slices.ContainsFunc(f.srv.routes, func(rt route) bool { return rt.Method+" "+rt.Pattern == name }) {
			t.Errorf("matrixCalls has %s, which is not in the route table", name)
		}
	}
}

// TestAuthMatrixBadCredentials: credentials that are wrong, expired or
// revoked count as none: protected routes answer 401 and public routes
// still serve.
func TestAuthMatrixBadCredentials(t *testing.T) {
	t.Parallel()
	f := newMatrixFixture(t)
	expired := f.login(t, "super1", "supervisor-password-1").Token
	loggedOut := f.login(t, "admin1", "admin-password-1").Token
	f.call(t, bearer(loggedOut), "POST", "/api/v1/auth/logout", "", http.StatusNoContent, nil)
	// Two hours without a request end a session (all of the fixture's
	// sessions too: this test uses none of them after this).
	f.clock.Advance(2*time.Hour + time.Second)

	bad := []struct {
		name          string
		c             caller
		authorization string // a raw Authorization header to send instead
	}{
		{name: "garbage session token", c: bearer("ses_not-a-real-token")},
		{name: "garbage device token", c: bearer("dev_not-a-real-token")},
		{name: "token without prefix", c: bearer("hello")},
		{name: "empty bearer token", authorization: "Bearer "},
		{name: "expired session token", c: bearer(expired)},
		{name: "logged-out session token", c: bearer(loggedOut)},
		{name: "expired session cookie", c: browser(session{Cookies: []*http.Cookie{{Name: sessionCookie, Value: expired}}}, false)},
		{name: "device token in a cookie", c: browser(session{Cookies: []*http.Cookie{{Name: sessionCookie, Value: f.kiosk}}}, false)},
		{name: "basic authorization", authorization: "Basic YWRtaW4xOmFkbWluLXBhc3N3b3JkLTE="}, // admin1's password
	}
	for _, rt := range f.srv.routes {
		name := rt.Method + " " + rt.Pattern
		for _, b := range bad {
			t.Run(name+"/"+b.name, func(t *testing.T) {
				var role auth.Role
				if len(rt.Roles) > 0 {
					role = rt.Roles[0]
				}
				res := f.send(t, rt, b.c, role, func(req *http.Request) {
					if b.authorization != "" {
						req.Header.Set("Authorization", b.authorization)
					}
				})
				if rt.Roles == nil {
					checkPassed(t, res)
					return
				}
				wantError(t, res, http.StatusUnauthorized, codeUnauthenticated)
			})
		}
	}
}

// TestCSRF: a browser session (cookie) must send the CSRF token in the
// X-CSRF-Token header on every state change; reads need none, and API
// clients using Authorization: Bearer need none.
func TestCSRF(t *testing.T) {
	t.Parallel()
	f := newMatrixFixture(t)
	for _, rt := range f.srv.routes {
		if rt.Roles == nil {
			continue
		}
		// The first staff role allowed to call it.
		i := slices.IndexFunc(rt.Roles, func(r auth.Role) bool { return r != auth.Kiosk })
		if i < 0 {
			continue // kiosk-only: no browser session can call it
		}
		role := rt.Roles[i]
		name := fmt.Sprintf("%s %s as %s", rt.Method, rt.Pattern, role)
		mc := matrixCalls[rt.Method+" "+rt.Pattern]
		cookieSession := func() session {
			if mc.fresh {
				a := accountOf(role)
				return f.login(t, a.Username, a.Password)
			}
			return f.sessions[role]
		}
		if rt.Method == http.MethodGet {
			t.Run(name+"/cookie without CSRF header reads", func(t *testing.T) {
				checkPassed(t, f.send(t, rt, browser(cookieSession(), false), role))
			})
			continue
		}
		t.Run(name+"/cookie without CSRF header is refused", func(t *testing.T) {
			res := f.send(t, rt, browser(cookieSession(), false), role)
			if msg := wantError(t, res, http.StatusForbidden, codeForbidden); !strings.Contains(msg, csrfHeader) {
				t.Errorf("403 message %q does not name the %s header", msg, csrfHeader)
			}
		})
		t.Run(name+"/cookie with a wrong CSRF header is refused", func(t *testing.T) {
			c := browser(cookieSession(), false)
			c.csrf = "forged"
			wantError(t, f.send(t, rt, c, role), http.StatusForbidden, codeForbidden)
		})
		t.Run(name+"/CSRF header without the CSRF cookie is refused", func(t *testing.T) {
			s := cookieSession()
			c := caller{csrf: s.CSRF}
			for _, ck := range s.Cookies {
				if ck.Name == sessionCookie {
					c.cookies = append(c.cookies, ck)
				}
			}
			wantError(t, f.send(t, rt, c, role), http.StatusForbidden, codeForbidden)
		})
		t.Run(name+"/cookie with the CSRF header passes", func(t *testing.T) {
			checkPassed(t, f.send(t, rt, browser(cookieSession(), true), role))
		})
		t.Run(name+"/bearer needs no CSRF header", func(t *testing.T) {
			checkPassed(t, f.send(t, rt, f.callerFor(t, role, mc.fresh), role))
		})
	}
}
