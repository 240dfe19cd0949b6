package hallserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
)

// TestApplicationFlow accepts an application over HTTP, moves it through
// 补正 and its steps, and reads its clock; the ID number never comes back
// but masked.
func TestApplicationFlow(t *testing.T) {
	h := newTestHall(t, true)
	staff := h.as(auth.Counter)
	var app api.Application
	h.call(t, staff, "POST", "/api/v1/applications",
		`{"item":"GA-CRJ-001","applicant_name":"王晓红","applicant_id":"520102199007140243","window":"3"}`, http.StatusCreated, &app)
	if app.Number == "" || app.ApplicantMasked != "5201**********0243" || app.Step != "accept" || app.StepName != "受理" ||
		app.Status != "in_progress" || app.Clock.Used != 0 || app.Clock.LegalLimit == 0 || app.Clock.Warning != "none" || len(app.Events) != 1 {
		t.Fatalf("accepted %+v", app)
	}
	body := string(bodyOf(h.call(t, staff, "GET", "/api/v1/applications/"+app.Number, "", http.StatusOK, nil)))
	if strings.Contains(body, "520102199007140243") {
		t.Fatal("the full ID number came back")
	}
	events := []string{
		`{"kind":"request_materials","note":"缺少护照照片"}`,
		`{"kind":"materials_received"}`,
		`{"kind":"advance","step":"review"}`,
		`{"kind":"advance","step":"decide"}`,
		`{"kind":"advance","step":"make"}`,
		`{"kind":"advance","step":"deliver"}`,
		`{"kind":"complete","outcome":"approved"}`,
	}
	for _, ev := range events {
		h.clock.Advance(30 * time.Minute) // within the session's idle time
		h.call(t, staff, "POST", "/api/v1/applications/"+app.Number+"/events", ev, http.StatusOK, &app)
	}
	if app.Status != "completed" || app.Outcome != "approved" || len(app.Events) != 1+len(events) || app.Events[1].Note != "缺少护照照片" {
		t.Fatalf("after the events: %+v", app)
	}
	// Refusals say why, as JSON, with the right status.
	for _, tc := range []struct {
		role        auth.Role
		path, body  string
		status      int
		code, words string
	}{
		{auth.Counter, "/api/v1/applications/" + app.Number + "/events", `{"kind":"resume"}`, 409, codeConflict, "completed"},
		{auth.Counter, "/api/v1/applications/nope/events", `{"kind":"resume"}`, 404, codeNotFound, "nope"},
		{auth.Counter, "/api/v1/applications", `{"item":"XX-1","applicant_name":"a","applicant_id":"520102199007140243"}`, 400, codeInvalid, "XX-1"},
		{auth.Counter, "/api/v1/applications", `{"item":"GA-CRJ-001","applicant_name":"a","applicant_id":""}`, 400, codeInvalid, "ID number"},
		{auth.Counter, "/api/v1/applications/" + app.Number + "/events", `{"kind":"accept"}`, 400, codeInvalid, "POST /api/v1/applications"},
	} {
		res := h.do(t, h.as(tc.role), "POST", tc.path, tc.body)
		msg := wantError(t, res, tc.status, tc.code)
		if !strings.Contains(msg, tc.words) {
			t.Errorf("%s %s: %q does not say %q", tc.path, tc.body, msg, tc.words)
		}
	}
}

// TestSupervisionWarnings: an application whose promised limit has run
// out is listed red for supervisors; a fresh one is not listed.
func TestSupervisionWarnings(t *testing.T) {
	h := newTestHall(t, true)
	var late, fresh api.Application
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications",
		`{"item":"GA-CRJ-001","applicant_name":"杨秀英","applicant_id":"522601195511020464"}`, http.StatusCreated, &late)
	h.clock.Advance(time.Duration(late.Clock.PromisedLimit+10) * 24 * time.Hour * 2) // well past the promised limit
	counter := bearer(h.login(t, "counter1", "counter-password-1").Token)            // the old sessions have expired
	supervisor := bearer(h.login(t, "super1", "supervisor-password-1").Token)
	h.call(t, counter, "POST", "/api/v1/applications",
		`{"item":"GA-CRJ-001","applicant_name":"田茂林","applicant_id":"520627197811020133"}`, http.StatusCreated, &fresh)
	var warnings []api.Application
	h.call(t, supervisor, "GET", "/api/v1/supervision/warnings", "", http.StatusOK, &warnings)
	if len(warnings) != 1 || warnings[0].Number != late.Number || warnings[0].Clock.Warning != "red" {
		t.Fatalf("warnings %s", fmt.Sprint(warnings))
	}
	wantError(t, h.do(t, counter, "GET", "/api/v1/supervision/warnings", ""), http.StatusForbidden, codeForbidden)
}
