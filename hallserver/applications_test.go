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

// TestYellowThresholdSetting: the supervisor's yellow threshold decides
// when an application's clock turns yellow.
func TestYellowThresholdSetting(t *testing.T) {
	h := newTestHall(t, true)
	var app api.Application
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications",
		`{"item":"GA-CRJ-001","applicant_name":"杨秀英","applicant_id":"522601195511020464"}`, http.StatusCreated, &app)
	h.clock.Advance(4 * 24 * time.Hour) // Friday: 4 of the 7 promised working days used
	supervisor := bearer(h.login(t, "super1", "supervisor-password-1").Token)
	read := func() api.Clock {
		var got api.Application
		h.call(t, supervisor, "GET", "/api/v1/applications/"+app.Number, "", http.StatusOK, &got)
		return got.Clock
	}
	if c := read(); c.PromisedLeft != 3 || c.Warning != "none" {
		t.Fatalf("with the default threshold: %+v", c)
	}
	var st api.Settings
	h.call(t, supervisor, "GET", "/api/v1/settings", "", http.StatusOK, &st)
	if *st.YellowPercent != 20 || *st.YellowDays != 1 {
		t.Fatalf("default settings %+v", st)
	}
	half := 50
	st.YellowPercent = &half
	h.call(t, supervisor, "PUT", "/api/v1/settings", jsonBody(st), http.StatusOK, &st)
	if c := read(); c.Warning != "yellow" {
		t.Errorf("with yellow at 50 %%: %+v", c)
	}
	// A PUT without the thresholds keeps them.
	h.call(t, supervisor, "PUT", "/api/v1/settings", `{"policy":"strict","no_show_after_recalls":1,"default_service_seconds":300}`, http.StatusOK, &st)
	if *st.YellowPercent != 50 {
		t.Errorf("thresholds after a PUT without them: %+v", st)
	}
	wantError(t, h.do(t, supervisor, "PUT", "/api/v1/settings", `{"policy":"strict","no_show_after_recalls":1,"default_service_seconds":300,"yellow_percent":101}`),
		http.StatusBadRequest, codeInvalid)
}

// TestApplicationLookups: what a kiosk finds by ID card, by the acceptance
// notice's QR code, and by number on its keypad.
func TestApplicationLookups(t *testing.T) {
	h := newTestHall(t, true)
	counter, kiosk := h.as(auth.Counter), h.as(auth.Kiosk)
	var first, second, other api.Application
	for _, a := range []struct {
		out  *api.Application
		body string
	}{
		{&first, `{"item":"GA-CRJ-001","applicant_name":"杨秀英","applicant_id":"522601195511020464"}`},
		{&second, `{"item":"GA-CRJ-003","applicant_name":"杨秀英","applicant_id":"522601 19551102 0464"}`},
		{&other, `{"item":"GA-CRJ-001","applicant_name":"田茂林","applicant_id":"520627197811020133"}`},
	} {
		h.clock.Advance(time.Minute)
		h.call(t, counter, "POST", "/api/v1/applications", a.body, http.StatusCreated, a.out)
	}
	var found []api.Application
	h.call(t, kiosk, "POST", "/api/v1/applications/lookup", `{"applicant_id":"522601195511020464"}`, http.StatusOK, &found)
	if len(found) != 2 || found[0].Number != second.Number || found[1].Number != first.Number {
		t.Errorf("by ID card: %d found, want %s and %s newest first", len(found), second.Number, first.Number)
	}
	if first.NoticeToken == "" {
		t.Fatal("no notice token")
	}
	for _, qr := range []string{first.NoticeToken, "HTTPS://ZWFW.EXAMPLE.GOV.CN/A/" + strings.ToUpper(first.NoticeToken)} {
		h.call(t, kiosk, "POST", "/api/v1/applications/lookup", jsonBody(api.ApplicationLookupRequest{NoticeQR: qr}), http.StatusOK, &found)
		if len(found) != 1 || found[0].Number != first.Number || found[0].ApplicantName != "杨秀英" {
			t.Errorf("by notice QR %q: %+v", qr, found)
		}
	}
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/applications/lookup", `{"notice_qr":"nosuchtoken"}`), http.StatusNotFound, codeNotFound)
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/applications/lookup", `{}`), http.StatusBadRequest, codeInvalid)
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/applications/lookup",
		`{"applicant_id":"522601195511020464","notice_qr":"x"}`), http.StatusBadRequest, codeInvalid)
	// By number on the kiosk: the name masked, no notice token; staff see both.
	var byNumber api.Application
	h.call(t, kiosk, "GET", "/api/v1/applications/"+other.Number, "", http.StatusOK, &byNumber)
	if byNumber.ApplicantName != "田*林" || byNumber.NoticeToken != "" || byNumber.Clock.PromisedLimit == 0 {
		t.Errorf("kiosk view: name %q, token %q, clock %+v", byNumber.ApplicantName, byNumber.NoticeToken, byNumber.Clock)
	}
	h.call(t, counter, "GET", "/api/v1/applications/"+other.Number, "", http.StatusOK, &byNumber)
	if byNumber.ApplicantName != "田茂林" || byNumber.NoticeToken == "" {
		t.Errorf("staff view: %q %q", byNumber.ApplicantName, byNumber.NoticeToken)
	}
}

// TestAcceptFromTicket: staff accept the application of the person whose
// ticket they called; a ticket still waiting is refused.
func TestAcceptFromTicket(t *testing.T) {
	h := newTestHall(t, true)
	counter := h.as(auth.Counter)
	var tk api.IssuedTicket
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/tickets", `{"item":"WJ-HS-001"}`, http.StatusCreated, &tk)
	body := fmt.Sprintf(`{"ticket_id":%d,"applicant_name":"杨秀英","applicant_id":"522601195511020464"}`, tk.ID)
	wantError(t, h.do(t, counter, "POST", "/api/v1/applications", body), http.StatusBadRequest, codeInvalid)
	h.call(t, counter, "POST", "/api/v1/windows/1/open", "", http.StatusNoContent, nil)
	h.call(t, counter, "POST", "/api/v1/windows/1/call-next", "", http.StatusOK, nil)
	var app api.Application
	h.call(t, counter, "POST", "/api/v1/applications", body, http.StatusCreated, &app)
	if app.Item != "WJ-HS-001" || app.TicketID != tk.ID || app.Window != "1" {
		t.Errorf("accepted from ticket %d: item %q ticket %d window %q", tk.ID, app.Item, app.TicketID, app.Window)
	}
}
