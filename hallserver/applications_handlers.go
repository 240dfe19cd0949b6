package hallserver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"onestop/devices/idcard"
	"onestop/hallserver/api"
	"onestop/hallserver/application"
	"onestop/hallserver/auth"
	"onestop/hallserver/pii"
	"onestop/hallserver/store"
	"onestop/hallserver/workday"
)

// acceptApplication records an application accepted at a window.
func (s *Server) acceptApplication(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.AcceptApplicationRequest
	if !decode(w, r, &req) {
		return
	}
	id := pii.Normalize(req.ApplicantID)
	if len(id) < 6 {
		writeError(w, http.StatusBadRequest, codeInvalid, "applicant_id: give the applicant's full ID number (it is stored only hashed, encrypted and masked)")
		return
	}
	sealed, err := s.cfg.Vault.Seal(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	device := ""
	if req.Window != "" {
		device = "window " + req.Window
	}
	app, err := s.st.AcceptApplication(r.Context(), actor(p, device), store.AcceptRequest{Item: req.Item,
		ApplicantName: req.ApplicantName, ApplicantHash: s.cfg.Vault.LookupHash(id), ApplicantSealed: sealed,
		ApplicantMasked: pii.Mask(id), TicketID: req.TicketID, Window: req.Window, Note: req.Note})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeApplication(w, r, http.StatusCreated, app)
}

// getApplication reads one application. A kiosk (anyone may type a
// number on its keypad) sees the applicant's name masked.
func (s *Server) getApplication(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	app, err := s.st.ApplicationByNumber(r.Context(), r.PathValue("number"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := s.applicationView(r, app, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Role == auth.Kiosk {
		// Numbers can be guessed: no name, token or certificate of a
		// stranger. The holder finds them with their card or notice.
		view.ApplicantName, view.NoticeToken = idcard.MaskName(view.ApplicantName), ""
		view.Certificates = []api.Certificate{}
		for i := range view.Events {
			// Staff notes (what is missing, why it was refused) are for
			// the applicant, who reads them by card or notice.
			view.Events[i].Note, view.Events[i].Actor = "", ""
		}
		view.Clock.Stopped = ""
	}
	writeJSON(w, http.StatusOK, view)
}

// lookupApplications finds an applicant's applications, newest first: by
// the ID number read from the card, or by the acceptance notice's QR code.
// Both come in the body, never in a URL.
func (s *Server) lookupApplications(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	var req api.ApplicationLookupRequest
	if !decode(w, r, &req) {
		return
	}
	var apps []store.Application
	var err error
	switch id, qr := pii.Normalize(req.ApplicantID), strings.TrimSpace(req.NoticeQR); {
	case (id == "") == (qr == ""):
		writeError(w, http.StatusBadRequest, codeInvalid, "give applicant_id (from the ID card) or notice_qr (the acceptance notice's QR code), one of them")
		return
	case id != "":
		if len(id) < 6 {
			writeError(w, http.StatusBadRequest, codeInvalid, "applicant_id: give the applicant's full ID number")
			return
		}
		apps, err = s.st.ApplicationsByApplicant(r.Context(), s.cfg.Vault.LookupHash(id))
	default:
		var app store.Application
		app, err = s.st.ApplicationByToken(r.Context(), qr)
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, codeNotFound, "no application has this acceptance notice: check it is this hall's notice, or look up by number")
			return
		}
		apps = []store.Application{app}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]api.Application, 0, len(apps))
	for _, app := range apps {
		view, err := s.applicationView(r, app, s.now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, view)
	}
	writeJSON(w, http.StatusOK, out)
}

// applicationEvent advances, stops, restarts, extends or completes an application.
func (s *Server) applicationEvent(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.ApplicationEventRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Kind == string(application.EvAccept) {
		writeError(w, http.StatusBadRequest, codeInvalid, "accept with POST /api/v1/applications")
		return
	}
	app, err := s.st.RecordApplicationEvent(r.Context(), actor(p, ""), r.PathValue("number"), application.Event{
		Kind: application.EventKind(req.Kind), Step: application.Step(req.Step), Suspend: application.SuspendKind(req.Suspend),
		Days: req.Days, Outcome: application.Outcome(req.Outcome), Note: req.Note},
		&store.CertificateMaker{Keys: s.cfg.Keys, Fields: req.CertificateFields, HolderID: s.cfg.Vault.Open})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeApplication(w, r, http.StatusOK, app)
}

// supervisionWarnings lists the open applications with a yellow or red
// warning, or over their legal limit (电子监察).
func (s *Server) supervisionWarnings(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	apps, err := s.st.OpenApplications(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []api.Application{}
	for _, app := range apps {
		view, err := s.applicationView(r, app, s.now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if view.Clock.Warning != "none" || view.Clock.OverLegal {
			out = append(out, view)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) writeApplication(w http.ResponseWriter, r *http.Request, status int, app store.Application) {
	view, err := s.applicationView(r, app, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, view)
}

var warningNames = map[workday.Warning]string{workday.NoWarning: "none", workday.Yellow: "yellow", workday.Red: "red"}

// applicationView is the wire form of an application, its clock read now.
func (s *Server) applicationView(r *http.Request, app store.Application, now time.Time) (api.Application, error) {
	return ApplicationView(r.Context(), s.st, s.calendar(r.Context()), app, now)
}

// ApplicationView is the wire form of an application with its
// certificates and its clock read at now on the calendar cal, with the
// hall's warning thresholds. The API and hallctl both show applications
// this way.
func ApplicationView(ctx context.Context, st *store.Store, cal *workday.Calendar, app store.Application, now time.Time) (api.Application, error) {
	v := api.Application{Number: app.Number, Item: app.Item, ItemName: app.ItemName, ApplicantName: app.ApplicantName,
		ApplicantMasked: app.ApplicantMasked, NoticeToken: app.QRToken, TicketID: app.TicketID, Window: app.Window, Instant: app.Instant,
		AcceptedAt: app.AcceptedAt, AcceptedBy: app.AcceptedBy, Step: string(app.State.Step), StepName: app.State.Step.Name(),
		Status: string(app.State.Status), Outcome: string(app.State.Outcome), CompletedAt: app.State.CompletedAt,
		Events: make([]api.ApplicationEvent, len(app.Events))}
	for i, ev := range app.Events {
		v.Events[i] = api.ApplicationEvent{Kind: string(ev.Kind), At: ev.At, Actor: ev.Actor, Step: string(ev.Step),
			Suspend: string(ev.Suspend), Days: ev.Days, Outcome: string(ev.Outcome), Note: ev.Note}
	}
	certs, err := st.CertificatesOfApplication(ctx, app.Number)
	if err != nil {
		return v, err
	}
	v.Certificates = make([]api.Certificate, 0, len(certs))
	for _, c := range certs {
		cv, err := CertificateView(ctx, st, c)
		if err != nil {
			return v, err
		}
		v.Certificates = append(v.Certificates, cv)
	}
	settings, err := st.Settings(ctx)
	if err != nil {
		return v, err
	}
	policy := settings.WarningPolicy()
	clock, err := application.Clock(cal, application.ClockInput{Accepted: app.AcceptedAt, LegalDays: app.LegalDays,
		PromisedDays: app.PromisedDays, Events: app.Events, State: app.State}, now, &policy)
	if err != nil {
		return v, err
	}
	v.Clock = api.Clock{Used: clock.Used, LegalLimit: clock.LegalLimit, PromisedLimit: clock.PromisedLimit, LegalLeft: clock.LegalLeft,
		PromisedLeft: clock.PromisedLeft, LegalDeadline: clock.LegalDeadline.String(), PromisedDeadline: clock.PromisedDeadline.String(),
		Warning: warningNames[clock.Warning], OverLegal: clock.OverLegal, Provisional: clock.Provisional}
	if clock.Stopped() {
		v.Clock.Stopped = clock.StopNote
		if v.Clock.Stopped == "" {
			v.Clock.Stopped = string(app.State.Status)
		}
	}
	return v, nil
}
