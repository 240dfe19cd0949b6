package hallserver

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

// kioskK01 lists the kiosks as a technician and returns K01.
func (h *testHall) kioskK01(t *testing.T) api.Kiosk {
	t.Helper()
	var ks []api.Kiosk
	h.call(t, h.signIn(t, auth.Technician), "GET", "/api/v1/kiosks", "", http.StatusOK, &ks)
	for _, k := range ks {
		if k.Name == "K01" {
			return k
		}
	}
	t.Fatalf("K01 not in %+v", ks)
	return api.Kiosk{}
}

// auditActions lists the actions of an entity's audit trail.
func (h *testHall) auditActions(t *testing.T, entity string, id int64) []string {
	t.Helper()
	recs, err := h.st.AuditTrail(context.Background(), entity, strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Action)
	}
	return out
}

// TestKioskHeartbeat: a kiosk's heartbeats set its last contact, version
// and device problems as technicians see them; it goes offline after two
// silent minutes; only changes are audited.
func TestKioskHeartbeat(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	k := h.kioskK01(t)
	if !k.LastSeen.IsZero() || k.Online || k.AppVersion != "" || k.Problems == nil || len(k.Problems) != 0 {
		t.Fatalf("before any heartbeat: %+v", k)
	}

	paperOut := `{"app_version":"1.2.0","devices":[{"device":"printer","state":"problem","problem":"paper out: load a new roll"},` +
		`{"device":"idcard","state":"ok"},{"device":"a4","state":"warning","problem":"Media low"},{"device":"scanner","state":"ok"}]}`
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/kiosks/heartbeat", paperOut, http.StatusNoContent, nil)
	k = h.kioskK01(t)
	want := []api.DeviceHealth{
		{Device: "a4", State: "warning", Problem: "Media low"},
		{Device: "printer", State: "problem", Problem: "paper out: load a new roll"},
	}
	if !k.LastSeen.Equal(testStart) || !k.Online || k.AppVersion != "1.2.0" || !equalHealth(k.Problems, want) {
		t.Fatalf("after a heartbeat with problems: %+v", k)
	}

	// The same report again a minute later: seen later, nothing audited.
	h.clock.Advance(time.Minute)
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/kiosks/heartbeat", paperOut, http.StatusNoContent, nil)
	if k = h.kioskK01(t); !k.LastSeen.Equal(testStart.Add(time.Minute)) || !k.Online {
		t.Fatalf("after a second heartbeat: %+v", k)
	}
	// Paper loaded: the problem goes, and that change is audited.
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/kiosks/heartbeat",
		`{"app_version":"1.2.0","devices":[{"device":"printer","state":"ok"}]}`, http.StatusNoContent, nil)
	if k = h.kioskK01(t); len(k.Problems) != 0 {
		t.Fatalf("after the paper was loaded: %+v", k)
	}
	actions := h.auditActions(t, "kiosk", k.ID)
	if n := strings.Count(strings.Join(actions, " "), "kiosk.health"); n != 2 {
		t.Errorf("audit trail %v: want 2 kiosk.health records (the first report and the change)", actions)
	}

	// Silent for more than two minutes: offline, last contact kept.
	h.clock.Advance(2*time.Minute + time.Second)
	if k = h.kioskK01(t); k.Online || !k.LastSeen.Equal(testStart.Add(time.Minute)) {
		t.Fatalf("after 2 silent minutes: %+v", k)
	}
	// Supervisors and admins see it too; counter staff do not.
	h.call(t, h.signIn(t, auth.Supervisor), "GET", "/api/v1/kiosks", "", http.StatusOK, nil)
	wantError(t, h.do(t, h.signIn(t, auth.Counter), "GET", "/api/v1/kiosks", ""), http.StatusForbidden, codeForbidden)
}

func equalHealth(a, b []api.DeviceHealth) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestKioskHeartbeatRefused: reports that are wrong answer 400 saying
// what to send, and change nothing.
func TestKioskHeartbeatRefused(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	long := strings.Repeat("纸", 201)
	for _, c := range []struct{ name, body, want string }{
		{"unknown device", `{"app_version":"1","devices":[{"device":"fax","state":"ok"}]}`, `device "fax": use one of idcard, printer, a4, scanner`},
		{"unknown state", `{"app_version":"1","devices":[{"device":"printer","state":"broken","problem":"x"}]}`, `state "broken"`},
		{"twice", `{"app_version":"1","devices":[{"device":"printer","state":"ok"},{"device":"printer","state":"ok"}]}`, "reported twice"},
		{"ok with a problem", `{"app_version":"1","devices":[{"device":"printer","state":"ok","problem":"x"}]}`, "send state warning or problem"},
		{"problem without words", `{"app_version":"1","devices":[{"device":"printer","state":"problem"}]}`, "say what the problem is"},
		{"problem too long", `{"app_version":"1","devices":[{"device":"printer","state":"problem","problem":"` + long + `"}]}`, "at most 200 characters"},
		{"version too long", `{"app_version":"` + strings.Repeat("1", 65) + `","devices":[]}`, "app_version: at most 64"},
		{"unknown field", `{"app_version":"1","devices":[],"extra":1}`, "unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := wantError(t, h.do(t, h.as(auth.Kiosk), "POST", "/api/v1/kiosks/heartbeat", c.body), http.StatusBadRequest, codeInvalid)
			if !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not say %q", msg, c.want)
			}
		})
	}
	if k := h.kioskK01(t); !k.LastSeen.IsZero() {
		t.Errorf("a refused heartbeat counted as contact: %+v", k)
	}
	// Staff cannot pretend to be a kiosk.
	wantError(t, h.do(t, h.as(auth.Technician), "POST", "/api/v1/kiosks/heartbeat", `{"app_version":"1","devices":[]}`),
		http.StatusForbidden, codeForbidden)
}

// TestKioskHelpCall: the help button opens a call, alerts the supervisors
// live, counts presses while open, and is answered once.
func TestKioskHelpCall(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	events := h.subscribe(t, "")
	super := h.as(auth.Supervisor)
	var open []api.HelpCall
	h.call(t, super, "GET", "/api/v1/kiosks/help", "", http.StatusOK, &open)
	if open == nil || len(open) != 0 {
		t.Fatalf("open calls before any: %#v", open)
	}

	var c api.HelpCall
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/kiosks/help", "", http.StatusCreated, &c)
	if c.ID == 0 || c.Kiosk != "K01" || !c.CalledAt.Equal(testStart) || c.Presses != 1 || !c.AnsweredAt.IsZero() {
		t.Fatalf("help call %+v", c)
	}
	helpEvent := func(state string) func(sseEvent) bool {
		return ofType(store.EventKioskHelp, func(e store.Event) bool { return e.Kiosk == "K01" && e.State == state })
	}
	events.next(t, "kiosk.help open", helpEvent("open"))

	// Pressed again: the same call, one more press, another alert.
	h.clock.Advance(30 * time.Second)
	var again api.HelpCall
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/kiosks/help", "", http.StatusOK, &again)
	if again.ID != c.ID || again.Presses != 2 || !again.LastCall.Equal(testStart.Add(30*time.Second)) {
		t.Fatalf("pressed again: %+v", again)
	}
	events.next(t, "kiosk.help open again", helpEvent("open"))
	h.call(t, super, "GET", "/api/v1/kiosks/help", "", http.StatusOK, &open)
	if len(open) != 1 || open[0].ID != c.ID || open[0].Presses != 2 {
		t.Fatalf("open calls: %+v", open)
	}

	// A supervisor answers: the call closes; a second answer is refused
	// with who answered.
	path := "/api/v1/kiosks/help/" + strconv.FormatInt(c.ID, 10) + "/answer"
	var answered api.HelpCall
	h.call(t, super, "POST", path, "", http.StatusOK, &answered)
	if answered.AnsweredBy != "super1" || answered.AnsweredAt.IsZero() {
		t.Fatalf("answered: %+v", answered)
	}
	events.next(t, "kiosk.help answered", helpEvent("answered"))
	msg := wantError(t, h.do(t, h.as(auth.Admin), "POST", path, ""), http.StatusConflict, codeConflict)
	if !strings.Contains(msg, "answered by super1") {
		t.Errorf("second answer: %q", msg)
	}
	h.call(t, super, "GET", "/api/v1/kiosks/help", "", http.StatusOK, &open)
	if len(open) != 0 {
		t.Fatalf("open calls after the answer: %+v", open)
	}
	// The next press opens a new call.
	var next api.HelpCall
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/kiosks/help", "", http.StatusCreated, &next)
	if next.ID == c.ID || next.Presses != 1 {
		t.Fatalf("a press after the answer: %+v", next)
	}
	if got := h.auditActions(t, "help_call", c.ID); strings.Join(got, " ") != "kiosk.help kiosk.help kiosk.help_answer" {
		t.Errorf("audit trail of the call: %v", got)
	}

	wantError(t, h.do(t, super, "POST", "/api/v1/kiosks/help/999/answer", ""), http.StatusNotFound, codeNotFound)
	wantError(t, h.do(t, super, "POST", "/api/v1/kiosks/help/abc/answer", ""), http.StatusBadRequest, codeInvalid)
	wantError(t, h.do(t, h.as(auth.Counter), "GET", "/api/v1/kiosks/help", ""), http.StatusForbidden, codeForbidden)
}
