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
	"onestop/hallserver/queue"
)

// serveNext has the desk call, start and finish its next ticket.
func serveNext(t *testing.T, d windowDesk) api.StaffTicket {
	t.Helper()
	d.act(t, "call-next", "")
	d.act(t, "start", "")
	return d.act(t, "finish", "")
}

// signIn gives a role a new session (the clock may have moved past the
// old one's idle time).
func (h *testHall) signIn(t *testing.T, role auth.Role) caller {
	t.Helper()
	a := accountOf(role)
	return bearer(h.login(t, a.Username, a.Password).Token)
}

// setClock moves the hall's clock to at.
func (h *testHall) setClock(at time.Time) { h.clock.Advance(at.Sub(h.clock.Now())) }

func TestRatingReasonsServed(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, false)
	var rr api.RatingReasons
	h.call(t, anonymous, "GET", "/api/v1/ratings/reasons", "", http.StatusOK, &rr)
	if len(rr.Levels) != 5 || rr.Levels[0].Level != 5 || rr.Levels[0].Name != "非常满意" || !rr.Levels[4].Bad || rr.Levels[2].Bad {
		t.Fatalf("levels %+v", rr.Levels)
	}
	names := map[string]string{}
	for _, r := range rr.Reasons {
		names[r.Code] = r.Name
		if r.NameEn == "" || len(r.Levels) == 0 {
			t.Errorf("reason %+v lacks an English label or its levels", r)
		}
	}
	if names["long_wait"] != "等待时间长" || names["unclear_guidance"] != "一次性告知不清" || names["done_in_one_visit"] != "一次办成" {
		t.Fatalf("reasons %v", names)
	}
}

// TestRatingsOverHTTP rates visits and an application from a kiosk, a
// window's pad and a phone, follows a bad rating up to the citizen's
// re-rating, and lists it all as a supervisor.
func TestRatingsOverHTTP(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	kiosk, counter, super := h.as(auth.Kiosk), h.as(auth.Counter), h.as(auth.Supervisor)
	w1 := windowDesk{h, counter, 1}
	h.call(t, counter, "POST", w1.path("open"), "", http.StatusNoContent, nil)
	a1, a2, a3 := h.issue(t, "A"), h.issue(t, "A"), h.issue(t, "A")

	// Not served yet: refused with the reason.
	msg := wantError(t, h.do(t, anonymous, "POST", "/api/v1/tickets/status/"+a1.Token+"/rating", `{"level":5}`),
		http.StatusConflict, codeConflict)
	if !strings.Contains(msg, "A001 is still waiting") || !strings.Contains(msg, "once it has been served") {
		t.Errorf("message %q", msg)
	}
	serveNext(t, w1)
	h.clock.Advance(time.Minute)

	// The kiosk rates A001 by its token: the window comes from the record;
	// the receipt names no staff member.
	var rc api.RatingReceipt
	res := h.call(t, kiosk, "POST", "/api/v1/ratings", `{"ticket_token":"`+a1.Token+`","level":5,"reasons":["quick","warm_service"]}`,
		http.StatusCreated, &rc)
	if rc.Level != 5 || rc.LevelName != "非常满意" || rc.TicketNumber != "A001" || rc.Window != "1" || rc.Followup != nil ||
		rc.Rerating || len(rc.Reasons) != 2 {
		t.Fatalf("receipt %+v", rc)
	}
	if strings.Contains(string(bodyOf(res)), "counter1") {
		t.Fatalf("the receipt names the staff member: %s", bodyOf(res))
	}
	msg = wantError(t, h.do(t, anonymous, "POST", "/api/v1/tickets/status/"+a1.Token+"/rating", `{"level":1}`),
		http.StatusConflict, codeConflict)
	if !strings.Contains(msg, "already rated 5 (非常满意)") || !strings.Contains(msg, "one rating per visit") {
		t.Errorf("second rating: %q", msg)
	}

	// Counter 1's pad rates A002 badly; an application accepted from A003
	// is rated at the kiosk by its number.
	a2s := serveNext(t, w1)
	h.call(t, counter, "POST", "/api/v1/ratings", `{"ticket_id":`+strconv.FormatInt(a2s.ID, 10)+
		`,"window":"1","level":2,"reasons":["long_wait","unclear_guidance"],"comment":"材料清单没有一次说清"}`, http.StatusCreated, &rc)
	if rc.Followup == nil || rc.Followup.CallbackDue != "2026-03-03" || rc.Followup.ResolveDue != "2026-03-23" || rc.TicketNumber != "A002" {
		t.Fatalf("bad receipt %+v (follow-up %+v)", rc, rc.Followup)
	}
	a3s := serveNext(t, w1)
	var app api.Application
	h.call(t, counter, "POST", "/api/v1/applications", jsonBody(api.AcceptApplicationRequest{Item: "WJ-YS-001",
		ApplicantName: "田茂林", ApplicantID: "520627197811020133", TicketID: a3s.ID, Window: "1"}), http.StatusCreated, &app)
	// Only the applicant rates it: with their ID card, or the notice's QR code.
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/ratings", `{"application_number":"`+app.Number+`","level":1}`),
		http.StatusBadRequest, codeInvalid)
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/ratings", `{"application_number":"`+app.Number+`","applicant_id":"522601195511020464","level":1}`),
		http.StatusForbidden, codeForbidden)
	wantError(t, h.do(t, kiosk, "POST", "/api/v1/ratings", `{"notice_qr":"nosuchtoken","level":1}`), http.StatusNotFound, codeNotFound)
	wantError(t, h.do(t, counter, "POST", "/api/v1/ratings", `{"application_number":"`+app.Number+`","applicant_id":"520627197811020133","level":1}`),
		http.StatusBadRequest, codeInvalid)
	h.call(t, kiosk, "POST", "/api/v1/ratings", `{"application_number":"`+app.Number+`","applicant_id":"520627197811020133","level":4}`, http.StatusCreated, &rc)
	if rc.ApplicationNumber != app.Number || rc.TicketNumber != "A003" || rc.Window != "1" {
		t.Fatalf("application receipt %+v", rc)
	}

	// Refusals say what to do.
	w5 := windowDesk{h, super, 5}
	h.call(t, super, "POST", w5.path("open"), "", http.StatusNoContent, nil)
	for _, tc := range []struct {
		name   string
		c      caller
		path   string
		body   string
		status int
		code   string
		words  string
	}{
		{"level out of range", kiosk, "/api/v1/ratings", `{"ticket_token":"` + a3.Token + `","level":9}`, 400, codeInvalid, "level 9"},
		{"unknown reason", kiosk, "/api/v1/ratings", `{"ticket_token":"` + a3.Token + `","level":5,"reasons":["fast"]}`, 400, codeInvalid, `"fast"`},
		{"unknown field", kiosk, "/api/v1/ratings", `{"ticket_token":"x","level":5,"stars":5}`, 400, codeInvalid, "stars"},
		{"kiosk by id", kiosk, "/api/v1/ratings", `{"ticket_id":1,"level":5}`, 400, codeInvalid, "token"},
		{"kiosk names a window", kiosk, "/api/v1/ratings", `{"ticket_token":"` + a3.Token + `","window":"1","level":5}`, 400, codeInvalid, "evaluation pad"},
		{"pad without window", counter, "/api/v1/ratings", `{"ticket_token":"` + a3.Token + `","level":5}`, 400, codeInvalid, "which window"},
		{"pad at another window", super, "/api/v1/ratings", `{"ticket_token":"` + a3.Token + `","window":"5","level":5}`, 403, codeForbidden,
			"served at window 1, not window 5"},
		{"pad at a window not one's own", counter, "/api/v1/ratings", `{"ticket_token":"` + a3.Token + `","window":"5","level":5}`, 403, codeForbidden,
			"another staff member"},
		{"unknown token", anonymous, "/api/v1/tickets/status/nope/rating", `{"level":5}`, 404, codeNotFound, "QR code"},
		{"phone comment too long", anonymous, "/api/v1/tickets/status/" + a3.Token + "/rating", `{"level":5,"comment":"` + strings.Repeat("好", 201) + `"}`,
			400, codeInvalid, "keep it to 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := wantError(t, h.do(t, tc.c, "POST", tc.path, tc.body), tc.status, tc.code)
			if !strings.Contains(msg, tc.words) {
				t.Errorf("message %q does not say %q", msg, tc.words)
			}
		})
	}

	// The supervisor's lists.
	var all, list []api.Rating
	h.call(t, super, "GET", "/api/v1/ratings", "", http.StatusOK, &all)
	if len(all) != 3 || all[2].TicketNumber != "A001" || all[2].Staff != "counter1" || all[2].Window != "1" ||
		all[2].Channel != "kiosk" || all[2].Device != "K01" || all[1].Channel != "counter" || all[1].Device != "window 1" ||
		all[0].ApplicationNumber != app.Number || all[0].Staff != "counter1" || all[0].Item != "WJ-YS-001" || all[0].Department != "WJ" {
		t.Fatalf("ratings %+v", all)
	}
	bad := all[1]
	if !bad.Bad || bad.Followup == nil || !bad.Followup.Open || bad.Followup.CallbackOverdue || bad.Comment != "材料清单没有一次说清" {
		t.Fatalf("bad rating %+v, follow-up %+v", bad, bad.Followup)
	}
	for query, want := range map[string]int{"?bad=true": 1, "?level=5": 1, "?staff=counter1": 3, "?window=2": 0,
		"?from=2026-03-02&to=2026-03-02": 3, "?from=2026-03-03": 0, "?limit=1": 1} {
		h.call(t, super, "GET", "/api/v1/ratings"+query, "", http.StatusOK, &list)
		if len(list) != want {
			t.Errorf("%s: %d ratings, want %d", query, len(list), want)
		}
	}
	for query, words := range map[string]string{"?from=yesterday": "YYYY-MM-DD", "?level=high": "whole number",
		"?level=9": "levels are 1 to 5", "?bad=maybe": "true or false", "?limit=100000": "1 to 10000"} {
		if msg := wantError(t, h.do(t, super, "GET", "/api/v1/ratings"+query, ""), 400, codeInvalid); !strings.Contains(msg, words) {
			t.Errorf("%s: message %q does not say %q", query, msg, words)
		}
	}

	// The follow-up: the call back is a day late (due Tuesday 03-03).
	h.setClock(time.Date(2026, 3, 4, 10, 0, 0, 0, queue.Location))
	super = h.signIn(t, auth.Supervisor)
	h.call(t, super, "GET", "/api/v1/ratings/followups?open=true", "", http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != bad.ID || !list[0].Followup.CallbackOverdue || list[0].Followup.ResolveOverdue {
		t.Fatalf("open follow-ups %+v", list)
	}
	path := "/api/v1/ratings/" + strconv.FormatInt(bad.ID, 10)
	good := "/api/v1/ratings/" + strconv.FormatInt(all[2].ID, 10)
	for _, tc := range []struct {
		path, body string
		status     int
		code       string
		words      string
	}{
		{path + "/resolve", `{"resolution":"已整改"}`, 409, codeConflict, "record the call back"},
		{path + "/callback", `{"note":" "}`, 400, codeInvalid, "note is missing"},
		{good + "/callback", `{"note":"x"}`, 409, codeConflict, "only bad ratings are followed up"},
		{"/api/v1/ratings/999/callback", `{"note":"x"}`, 404, codeNotFound, "no rating 999"},
		{"/api/v1/ratings/abc/callback", `{"note":"x"}`, 400, codeInvalid, "positive number"},
	} {
		if msg := wantError(t, h.do(t, super, "POST", tc.path, tc.body), tc.status, tc.code); !strings.Contains(msg, tc.words) {
			t.Errorf("%s: message %q does not say %q", tc.path, msg, tc.words)
		}
	}
	var got api.Rating
	h.call(t, super, "POST", path+"/callback", `{"note":"已回访，群众希望窗口提供材料清单"}`, http.StatusOK, &got)
	if f := got.Followup; f.CalledBackBy != "super1" || f.CallbackNote != "已回访，群众希望窗口提供材料清单" || !f.CallbackOverdue || !f.Open {
		t.Fatalf("after the call back %+v", f)
	}
	wantError(t, h.do(t, super, "POST", path+"/callback", `{"note":"again"}`), 409, codeConflict)
	h.call(t, super, "POST", path+"/resolve", `{"resolution":"窗口张贴一次性告知材料清单"}`, http.StatusOK, &got)
	if f := got.Followup; f.Open || f.ResolvedBy != "super1" || f.Resolution != "窗口张贴一次性告知材料清单" || f.ResolveOverdue {
		t.Fatalf("after resolving %+v", f)
	}

	// The citizen re-rates from the phone: it replaces the bad rating.
	h.call(t, anonymous, "POST", "/api/v1/tickets/status/"+a2.Token+"/rating", `{"level":4,"reasons":["clear_guidance"]}`,
		http.StatusCreated, &rc)
	if !rc.Rerating || rc.Level != 4 || rc.Window != "1" {
		t.Fatalf("re-rating receipt %+v", rc)
	}
	h.call(t, super, "GET", "/api/v1/ratings?window=1&level=2", "", http.StatusOK, &list)
	if len(list) != 1 || !list[0].Superseded || list[0].Followup.ReratingLevel != 4 || list[0].Followup.ReratingID == 0 {
		t.Fatalf("the bad rating after the re-rating %+v", list)
	}
	h.call(t, super, "GET", "/api/v1/ratings?level=4", "", http.StatusOK, &list)
	if len(list) != 2 || list[0].Replaces != bad.ID || list[0].Channel != "phone" || list[0].Staff != "counter1" {
		t.Fatalf("level 4 ratings %+v", list)
	}
	h.call(t, super, "GET", "/api/v1/ratings/followups", "", http.StatusOK, &list)
	if len(list) != 1 || list[0].Followup.Open {
		t.Fatalf("follow-ups after resolution %+v", list)
	}

	// Every write is audited under the rating.
	trail, err := h.st.AuditTrail(context.Background(), "rating", strconv.FormatInt(bad.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range trail {
		actions = append(actions, r.Action+" by "+r.Actor+" ("+r.Role+")")
	}
	want := "rating.record by counter1 (counter), rating.callback by super1 (supervisor), rating.resolve by super1 (supervisor), rating.supersede by citizen (citizen)"
	if got := strings.Join(actions, ", "); got != want {
		t.Fatalf("audit trail: %s\nwant %s", got, want)
	}
}

// TestRatingFollowupOverHolidays: a bad rating from the phone on Friday
// 2026-09-25 (中秋, the hall closed; 国庆 follows on Oct 1–7, Saturday
// Oct 10 is worked) is called back by Monday Sep 28 and resolved by
// Thursday Oct 22; the list flags each deadline once it has passed.
func TestRatingFollowupOverHolidays(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	h.setClock(time.Date(2026, 9, 24, 16, 0, 0, 0, queue.Location))
	counter := h.signIn(t, auth.Counter)
	w1 := windowDesk{h, counter, 1}
	h.call(t, counter, "POST", w1.path("open"), "", http.StatusNoContent, nil)
	tk := h.issue(t, "A")
	serveNext(t, w1)

	h.setClock(time.Date(2026, 9, 25, 20, 30, 0, 0, queue.Location))
	var rc api.RatingReceipt
	h.call(t, anonymous, "POST", "/api/v1/tickets/status/"+tk.Token+"/rating", `{"level":1,"reasons":["bad_attitude"]}`,
		http.StatusCreated, &rc)
	if rc.Followup == nil || rc.Followup.CallbackDue != "2026-09-28" || rc.Followup.ResolveDue != "2026-10-22" {
		t.Fatalf("receipt %+v, follow-up %+v", rc, rc.Followup)
	}
	steps := []struct {
		now                 time.Time
		callback, resolve   bool
		callBack, resolveIt string // done at this step
	}{
		{time.Date(2026, 9, 27, 10, 0, 0, 0, queue.Location), false, false, "", ""},
		{time.Date(2026, 9, 28, 17, 0, 0, 0, queue.Location), false, false, "", ""},
		{time.Date(2026, 9, 29, 9, 0, 0, 0, queue.Location), true, false, "", ""},
		{time.Date(2026, 9, 29, 10, 0, 0, 0, queue.Location), true, false, "已回访", ""},
		{time.Date(2026, 10, 7, 10, 0, 0, 0, queue.Location), true, false, "", ""},
		{time.Date(2026, 10, 22, 17, 0, 0, 0, queue.Location), true, false, "", ""},
		{time.Date(2026, 10, 23, 9, 0, 0, 0, queue.Location), true, true, "", ""},
		{time.Date(2026, 10, 23, 10, 0, 0, 0, queue.Location), true, true, "", "已约谈并培训"},
		{time.Date(2026, 12, 1, 10, 0, 0, 0, queue.Location), true, true, "", ""},
	}
	for _, st := range steps {
		h.setClock(st.now)
		super := h.signIn(t, auth.Supervisor)
		var list []api.Rating
		h.call(t, super, "GET", "/api/v1/ratings/followups", "", http.StatusOK, &list)
		if len(list) != 1 {
			t.Fatalf("%s: %d follow-ups", st.now, len(list))
		}
		id := strconv.FormatInt(list[0].ID, 10)
		if st.callBack != "" {
			h.call(t, super, "POST", "/api/v1/ratings/"+id+"/callback", jsonBody(api.CallbackRequest{Note: st.callBack}), http.StatusOK, nil)
		}
		if st.resolveIt != "" {
			h.call(t, super, "POST", "/api/v1/ratings/"+id+"/resolve", jsonBody(api.ResolveRequest{Resolution: st.resolveIt}), http.StatusOK, nil)
		}
		h.call(t, super, "GET", "/api/v1/ratings/followups", "", http.StatusOK, &list)
		f := list[0].Followup
		if f.CallbackDue != "2026-09-28" || f.ResolveDue != "2026-10-22" || f.CallbackOverdue != st.callback ||
			f.ResolveOverdue != st.resolve || f.Provisional {
			t.Errorf("%s: follow-up %+v, want call back overdue %v, resolution overdue %v", st.now.Format(time.DateTime), f, st.callback, st.resolve)
		}
	}
}

// TestKioskRatesApplicationByNotice: the acceptance notice's QR code
// proves the application is the rater's, and stands in for its number.
func TestKioskRatesApplicationByNotice(t *testing.T) {
	h := newTestHall(t, true)
	var app api.Application
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications", jsonBody(api.AcceptApplicationRequest{Item: "WJ-YS-001",
		ApplicantName: "杨秀英", ApplicantID: "522601195511020464", Window: "1"}), http.StatusCreated, &app)
	notice := "HTTPS://ZWFW.EXAMPLE.GOV.CN/A/" + strings.ToUpper(app.NoticeToken)
	wantError(t, h.do(t, h.as(auth.Kiosk), "POST", "/api/v1/ratings", `{"notice_qr":"`+notice+`","application_number":"X-1","level":5}`),
		http.StatusBadRequest, codeInvalid)
	var rc api.RatingReceipt
	h.call(t, h.as(auth.Kiosk), "POST", "/api/v1/ratings", `{"notice_qr":"`+notice+`","level":5}`, http.StatusCreated, &rc)
	if rc.ApplicationNumber != app.Number || rc.Level != 5 {
		t.Errorf("rated by the notice's QR code: %+v", rc)
	}
}
