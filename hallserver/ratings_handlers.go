package hallserver

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/pii"
	"onestop/hallserver/store"
	"onestop/hallserver/workday"
)

// ratingReasons serves the rating scale and the reasons, so that kiosks,
// pads and phone pages all show the same list.
func (s *Server) ratingReasons(w http.ResponseWriter, _ *http.Request, _ auth.Principal) {
	out := api.RatingReasons{Levels: []api.RatingLevel{}, Reasons: []api.RatingReason{}}
	for _, l := range store.RatingLevels() {
		out.Levels = append(out.Levels, api.RatingLevel{Level: l.Level, Name: l.Name, NameEn: l.NameEn, Bad: l.Bad})
	}
	for _, r := range store.RatingReasons() {
		out.Reasons = append(out.Reasons, api.RatingReason{Code: r.Code, Name: r.Name, NameEn: r.NameEn, Levels: r.Levels})
	}
	writeJSON(w, http.StatusOK, out)
}

// rate records a rating from a kiosk, or from a window's evaluation pad
// (counter staff and supervisors, at their window).
func (s *Server) rate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.RatingRequest
	if !decode(w, r, &req) {
		return
	}
	if req.ApplicantID != "" || req.NoticeQR != "" {
		if p.Role != auth.Kiosk {
			writeError(w, http.StatusBadRequest, codeInvalid, "applicant_id and notice_qr prove an application at a kiosk; staff give application_number")
			return
		}
	}
	if p.Role == auth.Kiosk && (req.ApplicationNumber != "" || req.NoticeQR != "") {
		number, ok := s.applicantsApplication(w, r, req)
		if !ok {
			return
		}
		req.ApplicationNumber = number
	}
	channel, device := store.ChannelKiosk, ""
	if p.Role != auth.Kiosk {
		channel = store.ChannelCounter
		if req.Window != "" {
			device = "window " + req.Window
		}
	}
	s.recordRating(w, r, actor(p, device), store.RatingRequest{TicketID: req.TicketID, TicketToken: req.TicketToken,
		ApplicationNumber: req.ApplicationNumber, Channel: channel, Window: req.Window, Level: req.Level,
		Reasons: req.Reasons, Comment: req.Comment})
}

// applicantsApplication finds the application a kiosk rates, and checks
// the person at the kiosk is its applicant: application numbers can be
// guessed, and a stranger must not use up someone's one rating. The
// proof is the ID card (applicant_id) or the acceptance notice's QR code.
func (s *Server) applicantsApplication(w http.ResponseWriter, r *http.Request, req api.RatingRequest) (string, bool) {
	var app store.Application
	var err error
	switch {
	case req.NoticeQR != "":
		app, err = s.st.ApplicationByToken(r.Context(), req.NoticeQR)
		if err == nil && req.ApplicationNumber != "" && app.Number != req.ApplicationNumber {
			err = fmt.Errorf("%w: the acceptance notice is of another application than %s", store.ErrInvalid, req.ApplicationNumber)
		}
	case req.ApplicantID != "":
		if app, err = s.st.ApplicationByNumber(r.Context(), req.ApplicationNumber); err != nil {
			break
		}
		var mine []store.Application
		if mine, err = s.st.ApplicationsByApplicant(r.Context(), s.cfg.Vault.LookupHash(pii.Normalize(req.ApplicantID))); err != nil {
			break
		}
		if !slices.ContainsFunc(mine, func(a store.Application) bool { return a.Number == app.Number }) {
			writeError(w, http.StatusForbidden, codeForbidden, "this ID card is not the applicant's: only the applicant may rate an application")
			return "", false
		}
	default:
		writeError(w, http.StatusBadRequest, codeInvalid, "to rate an application at the kiosk, place the applicant's ID card (applicant_id) or scan the acceptance notice (notice_qr)")
		return "", false
	}
	if err != nil {
		s.fail(w, r, err)
		return "", false
	}
	return app.Number, true
}

// phoneRating records a rating from the citizen's phone: the ticket's
// token (from the slip's QR code) is the proof.
func (s *Server) phoneRating(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	var req api.PhoneRatingRequest
	if !decode(w, r, &req) {
		return
	}
	s.recordRating(w, r, store.Citizen, store.RatingRequest{TicketToken: r.PathValue("token"), Channel: store.ChannelPhone,
		Level: req.Level, Reasons: req.Reasons, Comment: req.Comment})
}

func (s *Server) recordRating(w http.ResponseWriter, r *http.Request, a store.Actor, req store.RatingRequest) {
	rt, err := s.st.RecordRating(r.Context(), a, s.calendar(r.Context()), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := api.RatingReceipt{At: rt.At, Level: rt.Level, LevelName: store.RatingLevelName(rt.Level), Reasons: rt.Reasons,
		Comment: rt.Comment, TicketNumber: rt.TicketNumber, ApplicationNumber: rt.ApplicationNumber, Window: rt.Window,
		Rerating: rt.Replaces != 0}
	if f := rt.Followup; f != nil {
		out.Followup = &api.FollowupDues{CallbackDue: f.CallbackDue.String(), ResolveDue: f.ResolveDue.String()}
	}
	writeJSON(w, http.StatusCreated, out)
}

// ratingView is the supervisors' view of a rating, its follow-up's
// deadlines read now on the hall's calendar.
func ratingView(rt store.Rating, cal *workday.Calendar, now time.Time) api.Rating {
	v := api.Rating{ID: rt.ID, At: rt.At, Level: rt.Level, LevelName: store.RatingLevelName(rt.Level), Bad: rt.Bad(),
		Reasons: rt.Reasons, Comment: rt.Comment, TicketID: rt.TicketID, TicketNumber: rt.TicketNumber,
		TicketDay: rt.TicketDay, ApplicationNumber: rt.ApplicationNumber, Window: rt.Window, Staff: rt.Staff,
		Item: rt.Item, Department: rt.Department, Channel: rt.Channel, Device: rt.Device, Replaces: rt.Replaces,
		Superseded: rt.Superseded}
	if f := rt.Followup; f != nil {
		st := f.Status(cal, now)
		v.Followup = &api.RatingFollowup{Open: f.Open(), OpenedAt: f.OpenedAt, CallbackDue: st.CallbackDue.String(),
			ResolveDue: st.ResolveDue.String(), CallbackOverdue: st.CallbackOverdue, ResolveOverdue: st.ResolveOverdue,
			Provisional: st.Provisional, CalledBackAt: f.CalledBackAt, CalledBackBy: f.CalledBackBy,
			CallbackNote: f.CallbackNote, ResolvedAt: f.ResolvedAt, ResolvedBy: f.ResolvedBy, Resolution: f.Resolution,
			ReratingID: f.ReratingID, ReratingLevel: f.ReratingLevel}
	}
	return v
}

func (s *Server) writeRatings(w http.ResponseWriter, r *http.Request, rs []store.Rating) {
	cal, now := s.calendar(r.Context()), s.now()
	out := make([]api.Rating, len(rs))
	for i, rt := range rs {
		out[i] = ratingView(rt, cal, now)
	}
	writeJSON(w, http.StatusOK, out)
}

// listQuery reads a list's query parameters; the first bad one is kept in err.
type listQuery struct {
	v   url.Values
	err string
}

func (q *listQuery) date(name string) workday.Date {
	s := q.v.Get(name)
	if s == "" || q.err != "" {
		return workday.Date{}
	}
	d, err := workday.ParseDate(s)
	if err != nil {
		q.err = name + ": " + s + " is not a date: write it as YYYY-MM-DD"
	}
	return d
}

func (q *listQuery) int(name string) int {
	s := q.v.Get(name)
	if s == "" || q.err != "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		q.err = name + ": " + s + " is not a whole number"
	}
	return n
}

func (q *listQuery) bool(name string) bool {
	s := q.v.Get(name)
	if s == "" || q.err != "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.err = name + ": " + s + " is not true or false"
	}
	return b
}

// listRatings lists ratings for supervisors, newest first.
func (s *Server) listRatings(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	q := &listQuery{v: r.URL.Query()}
	f := store.RatingFilter{From: q.date("from"), To: q.date("to"), Level: q.int("level"), Window: q.v.Get("window"),
		Staff: q.v.Get("staff"), BadOnly: q.bool("bad"), Limit: q.int("limit")}
	if q.err != "" {
		writeError(w, http.StatusBadRequest, codeInvalid, q.err)
		return
	}
	rs, err := s.st.Ratings(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeRatings(w, r, rs)
}

// listFollowups lists bad ratings' follow-ups: open ones first.
func (s *Server) listFollowups(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	q := &listQuery{v: r.URL.Query()}
	f := store.FollowupFilter{OpenOnly: q.bool("open"), From: q.date("from"), To: q.date("to"), Limit: q.int("limit")}
	if q.err != "" {
		writeError(w, http.StatusBadRequest, codeInvalid, q.err)
		return
	}
	rs, err := s.st.Followups(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeRatings(w, r, rs)
}

func (s *Server) ratingID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, codeInvalid, "rating id must be a positive number")
		return 0, false
	}
	return id, true
}

// ratingCallback records the call back of a bad rating.
func (s *Server) ratingCallback(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := s.ratingID(w, r)
	if !ok {
		return
	}
	var req api.CallbackRequest
	if !decode(w, r, &req) {
		return
	}
	rt, err := s.st.RecordCallback(r.Context(), actor(p, ""), id, req.Note)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ratingView(rt, s.calendar(r.Context()), s.now()))
}

// ratingResolve records what was done about a bad rating and closes its
// follow-up.
func (s *Server) ratingResolve(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := s.ratingID(w, r)
	if !ok {
		return
	}
	var req api.ResolveRequest
	if !decode(w, r, &req) {
		return
	}
	rt, err := s.st.ResolveFollowup(r.Context(), actor(p, ""), id, req.Resolution)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ratingView(rt, s.calendar(r.Context()), s.now()))
}
