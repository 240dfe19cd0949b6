package hallserver

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	// Every request comes from 127.0.0.1, and the limiter counts failures
	// by address too: this test stays under 5 of them (TestLoginRateLimit
	// has a hall of its own).
	h := newTestHall(t, false)

	t.Run("right password signs in", func(t *testing.T) {
		res := h.do(t, anonymous, "POST", "/api/v1/auth/login", `{"username":"counter1","password":"counter-password-1"}`)
		var raw map[string]json.RawMessage
		h.decodeStatus(t, res, http.StatusOK, &raw)
		var lr api.LoginResponse
		h.decodeStatus(t, res, http.StatusOK, &lr)
		if !strings.HasPrefix(lr.Token, auth.SessionPrefix) || lr.CSRF == "" || lr.User.Username != "counter1" || lr.User.Role != "counter" {
			t.Errorf("login response %+v", lr)
		}
		if want := testStart.Add(2 * time.Hour); !lr.ExpiresAt.Equal(want) {
			t.Errorf("expires_at %v, want %v (2 h idle)", lr.ExpiresAt, want)
		}
		if strings.Contains(string(raw["user"]), "argon2") || strings.Contains(strings.ToLower(string(raw["user"])), "password_hash") {
			t.Errorf("login response leaks the password hash: %s", raw["user"])
		}
		cookies := map[string]*http.Cookie{}
		for _, c := range res.Cookies() {
			cookies[c.Name] = c
		}
		sc, cc := cookies[sessionCookie], cookies[csrfCookie]
		if sc == nil || sc.Value != lr.Token || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode {
			t.Errorf("session cookie %+v: want the token, HttpOnly, SameSite=Strict", sc)
		}
		if cc == nil || cc.Value != lr.CSRF || cc.HttpOnly {
			t.Errorf("CSRF cookie %+v: want the csrf value, readable by scripts", cc)
		}
		// Relative lifetimes: a browser whose clock is not the hall's keeps them.
		if sc != nil && cc != nil && (sc.MaxAge != 12*3600 || cc.MaxAge != 12*3600 || !sc.Expires.IsZero()) {
			t.Errorf("cookies' Max-Age %v and %v (Expires %v): want 12 h, no Expires", sc.MaxAge, cc.MaxAge, sc.Expires)
		}
		var me api.Me
		h.call(t, bearer(lr.Token), "GET", "/api/v1/me", "", http.StatusOK, &me)
		if me.Role != string(auth.Counter) || me.Username != "counter1" {
			t.Errorf("me = %+v", me)
		}
	})

	t.Run("a page's login keeps the token out of reach of scripts", func(t *testing.T) {
		res := h.do(t, anonymous, "POST", "/api/v1/auth/login", `{"username":"counter1","password":"counter-password-1","cookie":true}`)
		var raw map[string]json.RawMessage
		h.decodeStatus(t, res, http.StatusOK, &raw)
		if _, ok := raw["token"]; ok {
			t.Errorf("a cookie login's answer carries the token: %s", bodyOf(res))
		}
		var lr api.LoginResponse
		h.decodeStatus(t, res, http.StatusOK, &lr)
		if lr.CSRF == "" || lr.User.Username != "counter1" {
			t.Errorf("login response %+v", lr)
		}
		s := session{CSRF: lr.CSRF, Cookies: res.Cookies()}
		var sc *http.Cookie
		for _, c := range s.Cookies {
			if c.Name == sessionCookie {
				sc = c
			}
		}
		if sc == nil || !strings.HasPrefix(sc.Value, auth.SessionPrefix) || !sc.HttpOnly {
			t.Fatalf("session cookie %+v: want the session token, HttpOnly", sc)
		}
		var me api.Me
		h.call(t, browser(s, false), "GET", "/api/v1/me", "", http.StatusOK, &me)
		if me.Username != "counter1" {
			t.Errorf("me = %+v", me)
		}
		// The cookie session changes nothing without the CSRF header, and
		// does with it.
		wantError(t, h.do(t, browser(s, false), "POST", "/api/v1/auth/logout", ""), http.StatusForbidden, codeForbidden)
		h.call(t, browser(s, true), "POST", "/api/v1/auth/logout", "", http.StatusNoContent, nil)
	})

	wrong := []struct{ name, body string }{
		{"wrong password is refused", `{"username":"counter1","password":"not-the-password"}`},
		{"unknown user is refused alike", `{"username":"nobody","password":"counter-password-1"}`},
	}
	var messages []string
	for _, tc := range wrong {
		t.Run(tc.name, func(t *testing.T) {
			res := h.do(t, anonymous, "POST", "/api/v1/auth/login", tc.body)
			messages = append(messages, wantError(t, res, http.StatusUnauthorized, codeUnauthenticated))
			if len(res.Cookies()) != 0 {
				t.Errorf("a refused login set cookies: %v", res.Cookies())
			}
		})
	}
	if len(messages) == 2 && messages[0] != messages[1] {
		t.Errorf("wrong password and unknown user answer differently (%q, %q): that tells which usernames exist", messages[0], messages[1])
	}

	t.Run("disabled user is refused and loses its sessions", func(t *testing.T) {
		before := h.login(t, "tech1", "technician-password-1")
		admin := h.login(t, "admin1", "admin-password-1")
		h.call(t, bearer(admin.Token), "POST", "/api/v1/users/tech1/disable", "", http.StatusNoContent, nil)
		wantError(t, h.do(t, anonymous, "POST", "/api/v1/auth/login", `{"username":"tech1","password":"technician-password-1"}`),
			http.StatusUnauthorized, codeUnauthenticated)
		wantError(t, h.do(t, bearer(before.Token), "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeUnauthenticated)
		h.call(t, bearer(admin.Token), "POST", "/api/v1/users/tech1/enable", "", http.StatusNoContent, nil)
		h.login(t, "tech1", "technician-password-1")
	})

	t.Run("logout ends the session", func(t *testing.T) {
		s := h.login(t, "super1", "supervisor-password-1")
		other := h.login(t, "super1", "supervisor-password-1")
		res := h.call(t, browser(s, true), "POST", "/api/v1/auth/logout", "", http.StatusNoContent, nil)
		for _, c := range res.Cookies() {
			if (c.Name == sessionCookie || c.Name == csrfCookie) && (c.MaxAge >= 0 || c.Value != "") {
				t.Errorf("logout did not clear cookie %s: %+v", c.Name, c)
			}
		}
		if len(res.Cookies()) != 2 {
			t.Errorf("logout set %d cookies, want both cleared", len(res.Cookies()))
		}
		wantError(t, h.do(t, bearer(s.Token), "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeUnauthenticated)
		wantError(t, h.do(t, browser(s, true), "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeUnauthenticated)
		// Only that session: the same person's other session goes on.
		h.call(t, bearer(other.Token), "GET", "/api/v1/me", "", http.StatusOK, nil)
	})

	t.Run("changing one's password ends one's sessions", func(t *testing.T) {
		s := h.login(t, "counter1", "counter-password-1")
		wantError(t, h.do(t, bearer(s.Token), "POST", "/api/v1/me/password", `{"current":"wrong-password","new":"counter-password-2"}`),
			http.StatusForbidden, codeForbidden)
		wantError(t, h.do(t, bearer(s.Token), "POST", "/api/v1/me/password", `{"current":"counter-password-1","new":"short"}`),
			http.StatusBadRequest, codeInvalid)
		h.call(t, bearer(s.Token), "POST", "/api/v1/me/password", `{"current":"counter-password-1","new":"counter-password-2"}`, http.StatusNoContent, nil)
		wantError(t, h.do(t, bearer(s.Token), "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeUnauthenticated)
		wantError(t, h.do(t, anonymous, "POST", "/api/v1/auth/login", `{"username":"counter1","password":"counter-password-1"}`),
			http.StatusUnauthorized, codeUnauthenticated)
		h.login(t, "counter1", "counter-password-2")
	})

	t.Run("guessing the current password with a session is limited", func(t *testing.T) {
		s := h.login(t, "super1", "supervisor-password-1")
		for i := 0; i < 5; i++ {
			wantError(t, h.do(t, bearer(s.Token), "POST", "/api/v1/me/password", `{"current":"guess-guess-guess","new":"another-password-1"}`),
				http.StatusForbidden, codeForbidden)
		}
		wantError(t, h.do(t, bearer(s.Token), "POST", "/api/v1/me/password", `{"current":"supervisor-password-1","new":"another-password-1"}`),
			http.StatusTooManyRequests, codeRateLimited)
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, false)
	bad := `{"username":"counter1","password":"guess-guess-guess"}`
	for i := 1; i <= 5; i++ {
		wantError(t, h.do(t, anonymous, "POST", "/api/v1/auth/login", bad), http.StatusUnauthorized, codeUnauthenticated)
	}
	refused := []struct {
		name, body string
		after      time.Duration // since the first failure
		retryAfter int           // seconds, rounded up
	}{
		{"a sixth guess", bad, 0, 15 * 60},
		{"even the right password", `{"username":"counter1","password":"counter-password-1"}`, 0, 15 * 60},
		{"the right password ten minutes on", `{"username":"counter1","password":"counter-password-1"}`, 10 * time.Minute, 5 * 60},
	}
	for _, tc := range refused {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			h.clock.Advance(tc.after)
			res := h.do(t, anonymous, "POST", "/api/v1/auth/login", tc.body)
			wantError(t, res, http.StatusTooManyRequests, codeRateLimited)
			secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
			if err != nil || secs < tc.retryAfter || secs > tc.retryAfter+1 {
				t.Errorf("Retry-After %q, want %d s", res.Header.Get("Retry-After"), tc.retryAfter)
			}
		})
	}
	// One person's typos lock their own account, not the address: a
	// colleague at the same counter PC still signs in.
	h.login(t, "super1", "supervisor-password-1")
	// The window runs from the first failure; after it, the right password works.
	h.clock.Advance(5 * time.Minute)
	h.login(t, "counter1", "counter-password-1")
	var body strings.Builder
	body.Write(bodyOf(h.call(t, anonymous, "GET", "/metrics", "", http.StatusOK, nil)))
	if !strings.Contains(body.String(), "onestop_login_failures_total 8") {
		t.Errorf("metrics do not count 5 failed and 3 refused logins:\n%s", grepLines(body.String(), "onestop_login_failures_total"))
	}
}

// TestLoginSprayFromOneAddress: guessing across many usernames from one
// address is stopped after 20 failures, for every username, for 15 minutes.
func TestLoginSprayFromOneAddress(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, false)
	for i := 1; i <= 20; i++ {
		body := fmt.Sprintf(`{"username":"guess%d","password":"guess-guess-guess"}`, i)
		wantError(t, h.do(t, anonymous, "POST", "/api/v1/auth/login", body), http.StatusUnauthorized, codeUnauthenticated)
	}
	res := h.do(t, anonymous, "POST", "/api/v1/auth/login", `{"username":"counter1","password":"counter-password-1"}`)
	wantError(t, res, http.StatusTooManyRequests, codeRateLimited)
	if got := res.Header.Get("Retry-After"); got != "900" {
		t.Errorf("Retry-After %q, want 900", got)
	}
	h.clock.Advance(15 * time.Minute)
	h.login(t, "counter1", "counter-password-1")
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, false)
	s := h.login(t, "counter1", "counter-password-1")
	me := func() int { return h.do(t, bearer(s.Token), "GET", "/api/v1/me", "").StatusCode }
	// Each request more than a minute after the last one moves the idle
	// expiry on, up to 12 h after sign-in.
	for elapsed := time.Duration(0); elapsed+110*time.Minute < 12*time.Hour; elapsed += 110 * time.Minute {
		h.clock.Advance(110 * time.Minute)
		if got := me(); got != http.StatusOK {
			t.Fatalf("after %v of activity every 110 min: status %d, want 200", elapsed+110*time.Minute, got)
		}
	}
	h.clock.Advance(110 * time.Minute) // past 12 h since sign-in
	if got := me(); got != http.StatusUnauthorized {
		t.Errorf("12 h after sign-in: status %d, want 401", got)
	}

	s = h.login(t, "counter1", "counter-password-1")
	h.clock.Advance(2*time.Hour + time.Second)
	if got := me(); got != http.StatusUnauthorized {
		t.Errorf("after 2 h idle: status %d, want 401", got)
	}
}

func TestKioskEnrollment(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	var code api.EnrollmentCode
	h.call(t, h.as(auth.Technician), "POST", "/api/v1/kiosks/enrollment-codes", `{"kiosk":"K02"}`, http.StatusCreated, &code)
	if code.Kiosk != "K02" || len(auth.NormalizeEnrollmentCode(code.Code)) != 12 || !code.ExpiresAt.Equal(testStart.Add(24*time.Hour)) {
		t.Fatalf("enrollment code %+v", code)
	}

	var e api.Enrollment
	// Typed with spaces instead of dashes, as on a keypad.
	h.call(t, anonymous, "POST", "/api/v1/kiosks/enroll", jsonBody(api.EnrollRequest{Code: strings.ReplaceAll(code.Code, "-", " ")}), http.StatusCreated, &e)
	if e.Kiosk != "K02" || !strings.HasPrefix(e.Token, auth.DevicePrefix) {
		t.Fatalf("enrollment %+v", e)
	}
	var me api.Me
	h.call(t, bearer(e.Token), "GET", "/api/v1/me", "", http.StatusOK, &me)
	if me.Role != string(auth.Kiosk) || me.Kiosk != "K02" || me.Username != "" {
		t.Errorf("me = %+v, want kiosk K02", me)
	}

	t.Run("a code works once", func(t *testing.T) {
		wantError(t, h.do(t, anonymous, "POST", "/api/v1/kiosks/enroll", jsonBody(api.EnrollRequest{Code: code.Code})), http.StatusConflict, codeConflict)
	})
	t.Run("an expired code is refused", func(t *testing.T) {
		c, err := CreateEnrollmentCode(context.Background(), h.st, store.System, "K03", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(time.Hour)
		wantError(t, h.do(t, anonymous, "POST", "/api/v1/kiosks/enroll", jsonBody(api.EnrollRequest{Code: c.Code})), http.StatusConflict, codeConflict)
	})
	t.Run("re-enrolling replaces the device token", func(t *testing.T) {
		again := h.enrollKiosk(t, "K02")
		// The server may trust a device token it has just seen for a few
		// seconds without reading the database; within a minute the old one
		// must be dead.
		h.clock.Advance(time.Minute)
		wantError(t, h.do(t, bearer(e.Token), "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeUnauthenticated)
		h.call(t, bearer(again), "GET", "/api/v1/me", "", http.StatusOK, nil)
	})
	t.Run("kiosks are listed", func(t *testing.T) {
		var ks []struct{ Name string }
		h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/kiosks", "", http.StatusOK, &ks)
		var names []string
		for _, k := range ks {
			names = append(names, k.Name)
		}
		if !slices.Equal(names, []string{"K01", "K02"}) {
			t.Errorf("kiosks %v, want [K01 K02]", names)
		}
	})
}

func TestKioskEnrollmentRateLimit(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, false)
	good, err := CreateEnrollmentCode(context.Background(), h.st, store.System, "K09", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		wantError(t, h.do(t, anonymous, "POST", "/api/v1/kiosks/enroll", jsonBody(api.EnrollRequest{Code: fmt.Sprintf("0000-0000-000%d", i)})),
			http.StatusNotFound, codeNotFound)
	}
	res := h.do(t, anonymous, "POST", "/api/v1/kiosks/enroll", jsonBody(api.EnrollRequest{Code: good.Code}))
	wantError(t, res, http.StatusTooManyRequests, codeRateLimited)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	h.clock.Advance(15 * time.Minute)
	h.call(t, anonymous, "POST", "/api/v1/kiosks/enroll", jsonBody(api.EnrollRequest{Code: good.Code}), http.StatusCreated, nil)
}

// publicStatusFields are all that the phone page may show of a ticket.
var publicStatusFields = []string{"number", "day", "queue", "queue_name", "queue_name_en", "state", "ahead",
	"estimated_wait_seconds", "window", "issued_at", "called_at"}

func TestIssueTicketAndPublicStatus(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	var first, second, byItem api.IssuedTicket
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/tickets", `{"queue":"A"}`, http.StatusCreated, &first)
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/tickets", `{"queue":"A","priority":"elderly"}`, http.StatusCreated, &second)
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/tickets", `{"item":"GA-CRJ-001"}`, http.StatusCreated, &byItem)

	t.Run("the issued ticket is what the slip shows", func(t *testing.T) {
		if first.Number != "A001" || first.Token == "" || first.ID == 0 || first.Status.State != "issued" ||
			first.Status.Queue != "A" || first.Status.Day != "2026-03-02" || first.Hall.Code != "520000-TEST" {
			t.Errorf("first ticket %+v", first)
		}
		if second.Number != "A002" || second.Priority != string(queue.Elderly) || second.Token == first.Token {
			t.Errorf("second ticket %+v", second)
		}
		if byItem.Number != "B001" || byItem.Item != "GA-CRJ-001" || byItem.Status.Queue != "B" {
			t.Errorf("ticket by item %+v", byItem)
		}
		if first.Status.EstimatedWait != 0 || first.Status.QueueName == "" {
			t.Errorf("first ticket status %+v", first.Status)
		}
	})

	t.Run("the status shows only public fields", func(t *testing.T) {
		for _, tk := range []api.IssuedTicket{first, second, byItem} {
			var st map[string]json.RawMessage
			h.call(t, anonymous, "GET", "/api/v1/tickets/status/"+tk.Token, "", http.StatusOK, &st)
			for k := range st {
				if !slices.Contains(publicStatusFields, k) {
					t.Errorf("ticket status has field %q, which is not public: %v", k, slices.Sorted(maps.Keys(st)))
				}
			}
			if string(st["number"]) != strconv.Quote(tk.Number) {
				t.Errorf("status of %s says number %s", tk.Number, st["number"])
			}
		}
	})

	t.Run("the elderly ticket goes first under the strict policy", func(t *testing.T) {
		var a1, a2 statusView
		h.call(t, anonymous, "GET", "/api/v1/tickets/status/"+first.Token, "", http.StatusOK, &a1)
		h.call(t, anonymous, "GET", "/api/v1/tickets/status/"+second.Token, "", http.StatusOK, &a2)
		if a1.Ahead != 1 || a2.Ahead != 0 {
			t.Errorf("ahead: A001 %d, A002 (elderly) %d; want 1 and 0", a1.Ahead, a2.Ahead)
		}
		if a1.EstimatedWait <= 0 {
			t.Errorf("A001 waits behind one ticket but its estimate is %d s", a1.EstimatedWait)
		}
	})

	t.Run("an unknown token is 404", func(t *testing.T) {
		for _, tok := range []string{"no-such-token", strings.ToUpper(first.Token), first.Token + "x"} {
			msg := wantError(t, h.do(t, anonymous, "GET", "/api/v1/tickets/status/"+tok, ""), http.StatusNotFound, codeNotFound)
			if msg != "ticket: not found" {
				t.Errorf("message %q, want \"ticket: not found\"", msg)
			}
		}
	})

	t.Run("the staff view knows the kiosk and hides the token", func(t *testing.T) {
		var raw map[string]json.RawMessage
		h.call(t, h.as(auth.Counter), "GET", "/api/v1/tickets/"+strconv.FormatInt(first.ID, 10), "", http.StatusOK, &raw)
		if _, ok := raw["token"]; ok {
			t.Error("staff ticket view carries the citizen's token")
		}
		if string(raw["kiosk_id"]) == "" || string(raw["kiosk_id"]) == "0" {
			t.Errorf("kiosk_id %s, want the issuing kiosk", raw["kiosk_id"])
		}
		var list []api.StaffTicket
		h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/tickets?day=2026-03-02", "", http.StatusOK, &list)
		if len(list) != 3 || list[0].Number != "A001" || list[2].Number != "B001" {
			t.Errorf("tickets of the day: %+v", list)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		cases := []struct{ name, body, code string }{
			{"unknown queue", `{"queue":"Z"}`, codeInvalid},
			{"unknown item", `{"item":"NO-SUCH-ITEM"}`, codeInvalid},
			{"item of another queue", `{"queue":"A","item":"GA-CRJ-001"}`, codeInvalid},
			{"unknown priority", `{"queue":"A","priority":"vip"}`, codeInvalid},
			{"neither queue nor item", `{}`, codeInvalid},
			{"kiosk id cannot be forged", `{"queue":"A","KioskID":7}`, codeInvalid},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, h.do(t, h.as(auth.Kiosk), "POST", "/api/v1/tickets", tc.body), http.StatusBadRequest, tc.code)
			})
		}
	})
}

// statusView is the public status as a client decodes it.
type statusView struct {
	Number        string `json:"number"`
	State         string `json:"state"`
	Ahead         int    `json:"ahead"`
	EstimatedWait int    `json:"estimated_wait_seconds"`
	Window        string `json:"window"`
}

// windowDesk is a staff member working at a window through the API.
type windowDesk struct {
	h      *testHall
	c      caller
	number int
}

func (d windowDesk) path(action string) string {
	return "/api/v1/windows/" + strconv.Itoa(d.number) + "/" + action
}

// act runs a window action and returns the ticket, failing unless 200.
func (d windowDesk) act(t *testing.T, action, body string) api.StaffTicket {
	t.Helper()
	var st api.StaffTicket
	d.h.call(t, d.c, "POST", d.path(action), body, http.StatusOK, &st)
	return st
}

// refuse runs a window action that must fail, and returns the message.
func (d windowDesk) refuse(t *testing.T, action, body string, status int, code string) string {
	t.Helper()
	return wantError(t, d.h.do(t, d.c, "POST", d.path(action), body), status, code)
}

func (h *testHall) issue(t *testing.T, q string) api.IssuedTicket {
	t.Helper()
	var it api.IssuedTicket
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/tickets", jsonBody(map[string]string{"queue": q}), http.StatusCreated, &it)
	return it
}

func (h *testHall) statusOf(t *testing.T, it api.IssuedTicket) statusView {
	t.Helper()
	var st statusView
	h.call(t, anonymous, "GET", "/api/v1/tickets/status/"+it.Token, "", http.StatusOK, &st)
	return st
}

func wantTicket(t *testing.T, got api.StaffTicket, number string, state queue.State, window string) {
	t.Helper()
	if got.Number != number || got.State != string(state) || got.Window != window {
		t.Fatalf("ticket %s %s at window %q, want %s %s at window %q", got.Number, got.State, got.Window, number, state, window)
	}
}

// TestWindowFlow drives windows through every action over HTTP, in the
// order a working day has them.
func TestWindowFlow(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	w1 := windowDesk{h, h.as(auth.Counter), 1}      // serves A
	w5 := windowDesk{h, h.as(auth.Supervisor), 5}   // serves A and B
	w12 := windowDesk{h, h.as(auth.Supervisor), 12} // serves E
	// Each step builds on the ones before: stop at the first that fails.
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
	a := make([]api.IssuedTicket, 9)
	for i := range a {
		a[i] = h.issue(t, "A")
	}

	step("a closed window cannot call", func(t *testing.T) {
		msg := w1.refuse(t, "call-next", "", http.StatusConflict, codeConflict)
		if !strings.Contains(msg, "closed") {
			t.Errorf("message %q does not say the window is closed", msg)
		}
	})
	step("open", func(t *testing.T) {
		h.call(t, w1.c, "POST", w1.path("open"), "", http.StatusNoContent, nil)
		h.call(t, w1.c, "POST", w1.path("open"), "", http.StatusNoContent, nil) // again: nothing changes
		h.call(t, w5.c, "POST", w5.path("open"), "", http.StatusNoContent, nil)
		h.call(t, w12.c, "POST", w12.path("open"), "", http.StatusNoContent, nil)
	})
	step("call next, recall, start, finish", func(t *testing.T) {
		wantTicket(t, w1.act(t, "call-next", ""), "A001", queue.Called, "1")
		if st := h.statusOf(t, a[0]); st.State != "called" || st.Window != "1" {
			t.Errorf("citizen sees %+v, want called to window 1", st)
		}
		msg := w1.refuse(t, "call-next", "", http.StatusConflict, codeConflict)
		if !strings.Contains(msg, "A001") {
			t.Errorf("busy window message %q does not name its ticket", msg)
		}
		r := w1.act(t, "recall", "")
		wantTicket(t, r, "A001", queue.Recalled, "1")
		if r.Recalls != 1 {
			t.Errorf("recalls %d, want 1", r.Recalls)
		}
		wantTicket(t, w1.act(t, "start", ""), "A001", queue.Serving, "1")
		msg = w1.refuse(t, "start", "", http.StatusConflict, codeConflict)
		if !strings.Contains(msg, "cannot start A001 (serving)") || strings.Contains(msg, "queue:") || strings.Contains(msg, "store:") {
			t.Errorf("invalid transition message %q: want \"cannot start A001 (serving): …\" without package prefixes", msg)
		}
		done := w1.act(t, "finish", `{"reason":"材料齐全"}`)
		wantTicket(t, done, "A001", queue.Done, "1")
		if done.FinishedAt.IsZero() || done.StartedAt.IsZero() {
			t.Errorf("done ticket lacks times: %+v", done)
		}
		var hist api.StaffTicket
		h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/tickets/"+strconv.FormatInt(a[0].ID, 10), "", http.StatusOK, &hist)
		var actions []string
		for _, e := range hist.History {
			actions = append(actions, e.Action)
		}
		if !slices.Equal(actions, []string{"issue", "call", "recall", "start", "finish"}) {
			t.Errorf("history %v", actions)
		}
		if last := hist.History[len(hist.History)-1]; last.Actor != "counter1" || last.Window != "1" || last.Reason != "材料齐全" {
			t.Errorf("finish recorded as %+v", last)
		}
	})
	step("no-show needs a recall first", func(t *testing.T) {
		wantTicket(t, w1.act(t, "call-next", ""), "A002", queue.Called, "1")
		msg := w1.refuse(t, "no-show", "", http.StatusConflict, codeConflict)
		if !strings.Contains(msg, "recall the ticket 1 more time") {
			t.Errorf("message %q does not say to recall first", msg)
		}
		w1.act(t, "recall", "")
		wantTicket(t, w1.act(t, "no-show", ""), "A002", queue.NoShow, "1")
	})
	step("transfer to another queue", func(t *testing.T) {
		w1.act(t, "call-next", "")
		tr := w1.act(t, "transfer", `{"to_queue":"E","reason":"社保业务"}`)
		if tr.Number != "A003" || tr.State != string(queue.Transferred) || tr.Queue != "E" || tr.Window != "" {
			t.Fatalf("transferred ticket %+v", tr)
		}
		wantTicket(t, w12.act(t, "call-next", ""), "A003", queue.Called, "12")
		w12.act(t, "start", "")
		wantTicket(t, w12.act(t, "finish", ""), "A003", queue.Done, "12")
	})
	step("transfer to a window and back", func(t *testing.T) {
		wantTicket(t, w1.act(t, "call-next", ""), "A004", queue.Called, "1")
		w1.act(t, "start", "")
		tr := w1.act(t, "transfer", `{"to_window":5,"return":true}`)
		if tr.State != string(queue.Transferred) || tr.TargetWindow != "5" || tr.ReturnQueue != "A" || tr.ReturnWindow != "1" {
			t.Fatalf("transferred ticket %+v", tr)
		}
		wantTicket(t, w5.act(t, "call-next", ""), "A004", queue.Called, "5")
		w5.act(t, "start", "")
		back := w5.act(t, "finish", "")
		if back.State != string(queue.Transferred) || back.Queue != "A" || back.TargetWindow != "1" {
			t.Fatalf("after service at window 5: %+v, want back in queue A for window 1", back)
		}
		wantTicket(t, w1.act(t, "call-next", ""), "A004", queue.Called, "1")
		w1.act(t, "start", "")
		wantTicket(t, w1.act(t, "finish", ""), "A004", queue.Done, "1")
	})
	step("transfer to a window that does not serve the queue", func(t *testing.T) {
		w1.act(t, "call-next", "") // A005
		msg := w1.refuse(t, "transfer", `{"to_window":3}`, http.StatusBadRequest, codeInvalid)
		if !strings.Contains(msg, "window 3 does not serve queue A") {
			t.Errorf("message %q", msg)
		}
		w1.refuse(t, "transfer", `{}`, http.StatusBadRequest, codeInvalid)
	})
	step("hold with return", func(t *testing.T) {
		held := w1.act(t, "hold", `{"hold_seconds":600,"return":true,"reason":"取户口本"}`)
		if held.Number != "A005" || held.State != string(queue.Held) || held.TargetWindow != "1" ||
			!held.HoldUntil.Equal(testStart.Add(10*time.Minute)) {
			t.Fatalf("held ticket %+v", held)
		}
		// A006…A009 wait; window 5 takes A006 meanwhile, leaving the held A005 alone.
		wantTicket(t, w5.act(t, "call-next", ""), "A006", queue.Called, "5")
		w5.act(t, "start", "")
		w5.act(t, "finish", "")
		h.clock.Advance(10 * time.Minute)
		wantTicket(t, w1.act(t, "call-next", ""), "A005", queue.Called, "1")
		w1.act(t, "start", "")
		w1.act(t, "finish", "")
	})
	step("hold longer than allowed", func(t *testing.T) {
		w1.act(t, "call-next", "") // A007
		msg := w1.refuse(t, "hold", `{"hold_seconds":18000}`, http.StatusConflict, codeConflict)
		if !strings.Contains(msg, "longer than the maximum") {
			t.Errorf("message %q", msg)
		}
		w1.act(t, "start", "")
		w1.act(t, "finish", "")
	})
	step("call by number out of order needs a reason", func(t *testing.T) {
		msg := w1.refuse(t, "call", `{"number":"A009"}`, http.StatusBadRequest, codeInvalid)
		if !strings.Contains(msg, "A008") {
			t.Errorf("message %q does not name the ticket next in line", msg)
		}
		c := w1.act(t, "call", `{"number":"a009","reason":"预约已到"}`)
		if c.Number != "A009" || !c.OutOfOrder || !strings.Contains(c.Reason, "预约已到") {
			t.Errorf("out-of-order call %+v", c)
		}
		w1.act(t, "start", "")
		w1.act(t, "finish", "")
	})
	step("cancel a waiting ticket", func(t *testing.T) {
		path := "/api/v1/tickets/" + strconv.FormatInt(a[7].ID, 10) + "/cancel"
		var c api.StaffTicket
		h.call(t, w1.c, "POST", path, `{"reason":"市民离开"}`, http.StatusOK, &c)
		if c.Number != "A008" || c.State != string(queue.Cancelled) {
			t.Errorf("cancelled %+v", c)
		}
		msg := wantError(t, h.do(t, w1.c, "POST", path, ""), http.StatusConflict, codeConflict)
		if !strings.Contains(msg, "cannot cancel A008") {
			t.Errorf("message %q", msg)
		}
		// The reason is optional: no body at all is fine.
		it := h.issue(t, "A")
		h.call(t, w1.c, "POST", "/api/v1/tickets/"+strconv.FormatInt(it.ID, 10)+"/cancel", "", http.StatusOK, &c)
		if c.Number != "A010" || c.State != string(queue.Cancelled) {
			t.Errorf("cancelled %+v", c)
		}
	})
	step("nothing waiting", func(t *testing.T) {
		msg := w1.refuse(t, "call-next", "", http.StatusNotFound, codeNothingWaiting)
		if !strings.Contains(msg, "window 1") || strings.Contains(msg, "store:") {
			t.Errorf("message %q", msg)
		}
	})
	step("another counter cannot work at my window", func(t *testing.T) {
		admin := h.as(auth.Admin)
		h.call(t, admin, "POST", "/api/v1/users", `{"username":"counter2","role":"counter","password":"counter2-password"}`, http.StatusCreated, nil)
		other := windowDesk{h, bearer(h.login(t, "counter2", "counter2-password").Token), 1}
		h.issue(t, "A")
		msg := other.refuse(t, "call-next", "", http.StatusForbidden, codeForbidden)
		if !strings.Contains(msg, "opened by another staff member") {
			t.Errorf("message %q", msg)
		}
		other.refuse(t, "open", "", http.StatusConflict, codeConflict)
		// A supervisor takes the window over.
		super := windowDesk{h, h.as(auth.Supervisor), 1}
		h.call(t, super.c, "POST", super.path("open"), "", http.StatusNoContent, nil)
		wantTicket(t, super.act(t, "call-next", ""), "A011", queue.Called, "1")
		super.act(t, "start", "")
		super.act(t, "finish", "")
	})
	step("close", func(t *testing.T) {
		h.issue(t, "A")
		wantTicket(t, w5.act(t, "call-next", ""), "A012", queue.Called, "5")
		msg := w5.refuse(t, "close", "", http.StatusConflict, codeConflict)
		if !strings.Contains(msg, "A012") {
			t.Errorf("message %q does not name the ticket still at the window", msg)
		}
		w5.act(t, "start", "")
		w5.act(t, "finish", "")
		h.call(t, w5.c, "POST", w5.path("close"), "", http.StatusNoContent, nil)
		h.call(t, w5.c, "POST", w5.path("close"), "", http.StatusNoContent, nil) // again: nothing changes
		w5.refuse(t, "call-next", "", http.StatusConflict, codeConflict)
	})
	step("overview and display agree", func(t *testing.T) {
		var ov struct {
			Windows []struct {
				Number         int
				Open           bool
				Staff          string
				Current, State string
			}
			Queues []struct {
				Code           string
				Waiting        int
				Issued, Served int
				NoShow         int `json:"no_show"`
			}
		}
		h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/overview", "", http.StatusOK, &ov)
		var qa = ov.Queues[0]
		// A001…A012 but A003, which went on to queue E.
		if qa.Code != "A" || qa.Waiting != 0 || qa.Issued != 11 || qa.NoShow != 1 {
			t.Errorf("queue A in the overview: %+v", qa)
		}
		var d map[string]json.RawMessage
		h.call(t, anonymous, "GET", "/api/v1/display", "", http.StatusOK, &d)
		if strings.Contains(string(d["windows"]), "staff") || strings.Contains(string(d["windows"]), "super1") {
			t.Errorf("the display board names staff: %s", d["windows"])
		}
		var calls []struct{ Number, Window string }
		json.Unmarshal(d["recent_calls"], &calls)
		if len(calls) == 0 || calls[0].Number != "A012" || calls[0].Window != "5" {
			t.Errorf("latest call on the board %+v, want A012 at window 5 first", calls)
		}
	})
}

func TestErrorResponses(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	w1 := "/api/v1/windows/1/"
	h.call(t, h.as(auth.Counter), "POST", w1+"open", "", http.StatusNoContent, nil)
	tooBig := `{"queue":"` + strings.Repeat("A", 64<<10) + `"}`
	cases := []struct {
		name         string
		role         auth.Role
		method, path string
		body         string
		status       int
		code         string
		inMessage    string
	}{
		{"bad JSON", auth.Kiosk, "POST", "/api/v1/tickets", `{"queue":`, 400, codeInvalid, "not the JSON expected"},
		{"not an object", auth.Kiosk, "POST", "/api/v1/tickets", `["A"]`, 400, codeInvalid, "not the JSON expected"},
		{"unknown field", auth.Kiosk, "POST", "/api/v1/tickets", `{"queue":"A","colour":"red"}`, 400, codeInvalid, `unknown field "colour"`},
		{"data after the object", auth.Kiosk, "POST", "/api/v1/tickets", `{"queue":"A"} {"queue":"B"}`, 400, codeInvalid, "after the JSON object"},
		{"empty body", auth.Kiosk, "POST", "/api/v1/tickets", ``, 400, codeInvalid, "not the JSON expected"},
		{"body over 64 KiB", auth.Kiosk, "POST", "/api/v1/tickets", tooBig, 413, codeTooLarge, "65536"},
		{"window body over 64 KiB", auth.Counter, "POST", w1 + "transfer", `{"reason":"` + strings.Repeat("x", 64<<10) + `"}`, 413, codeTooLarge, "65536"},
		{"window number not a number", auth.Counter, "POST", "/api/v1/windows/one/open", "", 400, codeInvalid, "window number"},
		{"window number zero", auth.Counter, "POST", "/api/v1/windows/0/open", "", 400, codeInvalid, "window number"},
		{"no such window", auth.Counter, "POST", "/api/v1/windows/99/open", "", 404, codeNotFound, "no window 99"},
		{"ticket id not a number", auth.Counter, "GET", "/api/v1/tickets/abc", "", 400, codeInvalid, "ticket id"},
		{"no such ticket", auth.Counter, "GET", "/api/v1/tickets/999", "", 404, codeNotFound, "999"},
		{"cancel no such ticket", auth.Counter, "POST", "/api/v1/tickets/999/cancel", "{}", 404, codeNotFound, "999"},
		{"bad day", auth.Counter, "GET", "/api/v1/tickets?day=yesterday", "", 400, codeInvalid, "YYYY-MM-DD"},
		{"nothing waiting", auth.Counter, "POST", w1 + "call-next", "", 404, codeNothingWaiting, "no one is waiting for window 1"},
		{"no ticket at the window", auth.Counter, "POST", w1 + "start", "", 409, codeConflict, "call one first"},
		{"no such number to call", auth.Counter, "POST", w1 + "call", `{"number":"A999"}`, 404, codeNotFound, "A999"},
		{"bad settings", auth.Supervisor, "PUT", "/api/v1/settings", `{"policy":"random","no_show_after_recalls":1,"default_service_seconds":300}`, 400, codeInvalid, "policy"},
		{"username taken", auth.Admin, "POST", "/api/v1/users", `{"username":"counter1","role":"counter","password":"long-enough-pw"}`, 409, codeConflict, "taken"},
		{"weak password", auth.Admin, "POST", "/api/v1/users", `{"username":"newbie","role":"counter","password":"short"}`, 400, codeInvalid, "at least 10"},
		{"bad role", auth.Admin, "POST", "/api/v1/users", `{"username":"newbie","role":"boss","password":"long-enough-pw"}`, 400, codeInvalid, "role"},
		{"reset no such user", auth.Admin, "POST", "/api/v1/users/nobody/password", `{"password":"long-enough-pw"}`, 404, codeNotFound, "nobody"},
		{"bad kiosk name", auth.Technician, "POST", "/api/v1/kiosks/enrollment-codes", `{"kiosk":"kiosk one!"}`, 400, codeInvalid, "kiosk name"},
		{"no such API operation", auth.Admin, "GET", "/api/v1/nothing-here", "", 404, codeNotFound, "openapi.json"},
		{"no such method", auth.Admin, "DELETE", "/api/v1/users", "", 405, codeInvalid, "use GET or POST"},
		{"another method on a path with parameters", auth.Admin, "POST", "/api/v1/tickets/status/abc", "", 405, codeInvalid, "use GET"},
		{"too many segments", auth.Admin, "GET", "/api/v1/tickets/1/cancel/now", "", 404, codeNotFound, "openapi.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := h.do(t, h.as(tc.role), tc.method, tc.path, tc.body)
			msg := wantError(t, res, tc.status, tc.code)
			if !strings.Contains(msg, tc.inMessage) {
				t.Errorf("message %q does not contain %q", msg, tc.inMessage)
			}
			for _, plumbing := range []string{"store: ", "queue: ", "auth: ", "sql"} {
				if strings.Contains(msg, plumbing) {
					t.Errorf("message %q shows internals (%q)", msg, plumbing)
				}
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	t.Run("healthz", func(t *testing.T) {
		var st map[string]string
		h.call(t, anonymous, "GET", "/healthz", "", http.StatusOK, &st)
		if st["status"] != "ok" {
			t.Errorf("healthz %v", st)
		}
	})
	t.Run("readyz", func(t *testing.T) {
		var st map[string]string
		h.call(t, anonymous, "GET", "/readyz", "", http.StatusOK, &st)
		if st["status"] != "ready" {
			t.Errorf("readyz %v", st)
		}
	})
	t.Run("readyz without a hall", func(t *testing.T) {
		rec := httptestRecorder(newServerForTest(t), "GET", "/readyz")
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), codeUnavailable) {
			t.Errorf("readyz on an uninitialised store: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		h.issue(t, "A")
		h.issue(t, "A")
		h.issue(t, "C")
		res := h.call(t, anonymous, "GET", "/metrics", "", http.StatusOK, nil)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q", ct)
		}
		body := string(bodyOf(res))
		for _, want := range []string{
			"onestop_tickets_issued_total 3",
			`onestop_queue_waiting{queue="A"} 2`,
			`onestop_queue_waiting{queue="B"} 0`,
			`onestop_queue_waiting{queue="C"} 1`,
			`onestop_http_requests_total{code="201",route="POST /api/v1/tickets"} 3`,
			`onestop_http_requests_total{code="200",route="GET /healthz"} 1`,
			`onestop_http_request_seconds_count{route="POST /api/v1/tickets"} 3`,
			"onestop_live_subscribers 0",
			"onestop_store_transactions_total",
			"go_goroutines",
		} {
			if !strings.Contains(body, want) {
				name, _, _ := strings.Cut(want, "{")
				name, _, _ = strings.Cut(name, " ")
				t.Errorf("metrics lack %q; have:\n%s", want, grepLines(body, name))
			}
		}
	})
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	it := h.issue(t, "A")
	paths := []struct {
		name, path string
	}{
		{"JSON", "/api/v1/hall"},
		{"ticket status", "/api/v1/tickets/status/" + it.Token},
		{"error", "/api/v1/tickets/status/unknown"},
		{"refused", "/api/v1/users"},
		{"unknown API path", "/api/v1/nope"},
		{"metrics", "/metrics"},
		{"OpenAPI document", "/api/v1/openapi.json"},
		{"not the API", "/"},
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	}
	check := func(t *testing.T, hd http.Header) {
		t.Helper()
		for k, v := range want {
			if got := hd.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		csp := hd.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
			}
		}
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) { check(t, h.do(t, anonymous, "GET", p.path, "").Header) })
	}
	t.Run("event stream", func(t *testing.T) {
		ev := h.subscribe(t, "")
		check(t, ev.header)
	})
}

// TestLoginBurstIsLimited: forty wrong passwords for one account sent at
// once get at most five real checks; the rest are refused before any
// password work is done (each check costs ~20 MiB and ~20 ms).
func TestLoginBurstIsLimited(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, false)
	var wg sync.WaitGroup
	codes := make(chan int, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := h.do(t, anonymous, "POST", "/api/v1/auth/login", `{"username":"counter1","password":"guess-guess-guess"}`)
			res.Body.Close()
			codes <- res.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	checked, refused := 0, 0
	for c := range codes {
		switch c {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Errorf("status %d", c)
		}
	}
	if checked > 5 || checked+refused != 40 {
		t.Fatalf("%d passwords checked, %d refused; want at most 5 checked", checked, refused)
	}
}

// TestLoginOnlyJSON: a cross-site form posting text/plain that parses as
// JSON cannot sign a browser in (login CSRF).
func TestLoginOnlyJSON(t *testing.T) {
	h := newTestHall(t, false)
	body := `{"username":"counter1","cookie":true,"password":"counter-password-1"}`
	req, err := http.NewRequest("POST", h.ts.URL+"/api/v1/auth/login", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	res := h.roundTrip(t, req)
	wantError(t, res, http.StatusBadRequest, codeInvalid)
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			t.Error("a text/plain login set a session cookie")
		}
	}
}
