package hallserver

import (
	"net/http"
	"strconv"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func (s *Server) issueTicket(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req store.IssueRequest
	if !decode(w, r, &req) {
		return
	}
	req.KioskID = p.KioskID
	t, st, err := s.st.Issue(r.Context(), actor(p, ""), req)
	if err != nil && t.ID == 0 {
		s.fail(w, r, err)
		return
	}
	s.metrics.issued.Inc()
	if err != nil {
		// The ticket exists; the citizen must get it even if the estimate failed.
		s.log.Warn("status of new ticket", "ticket", t.ID, "err", err)
		st = store.TicketStatus{Number: t.Number, Day: t.Day, Queue: t.Queue, State: string(t.State), IssuedAt: t.IssuedAt}
	}
	hall, err := s.st.Hall(r.Context())
	if err != nil {
		s.log.Warn("hall identity", "err", err)
	}
	writeJSON(w, http.StatusCreated, api.IssuedTicket{ID: t.ID, Number: t.Number, Token: t.Token,
		Priority: string(t.Priority), Item: t.Item, Status: st, Hall: hall})
}

func (s *Server) ticketStatus(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	st, err := s.st.TicketStatus(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func staffTicket(t store.Ticket) api.StaffTicket {
	return api.StaffTicket{ID: t.ID, Number: t.Number, Day: t.Day, Queue: t.Queue, Item: t.Item, Priority: string(t.Priority),
		State: string(t.State), IssuedAt: t.IssuedAt, CalledAt: t.CalledAt, StartedAt: t.StartedAt, FinishedAt: t.FinishedAt,
		Window: t.Window, TargetWindow: t.TargetWindow, ReturnQueue: t.ReturnQueue, ReturnWindow: t.ReturnWindow,
		HoldUntil: t.HoldUntil, Recalls: t.Recalls, KioskID: t.KioskID}
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	day := r.URL.Query().Get("day")
	if day == "" {
		day = queue.ServiceDay(s.now())
	}
	ts, err := s.st.Tickets(r.Context(), day)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]api.StaffTicket, len(ts))
	for i, t := range ts {
		out[i] = staffTicket(t)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) ticketID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, codeInvalid, "ticket id must be a positive number")
		return 0, false
	}
	return id, true
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	id, ok := s.ticketID(w, r)
	if !ok {
		return
	}
	t, err := s.st.TicketByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st := staffTicket(t)
	if st.History, err = s.st.TicketHistory(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) cancelTicket(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := s.ticketID(w, r)
	if !ok {
		return
	}
	var req api.CancelRequest // optional, like the window actions' bodies
	if r.ContentLength != 0 && !decode(w, r, &req) {
		return
	}
	t, err := s.st.CancelTicket(r.Context(), actor(p, ""), id, req.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, staffTicket(t))
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	ov, err := s.st.Overview(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ov)
}

func (s *Server) getDisplay(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	last := s.broker.LastID() // before the read: events after it may repeat, none are missed
	ov, err := s.st.Overview(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hall, err := s.st.Hall(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := api.Display{Hall: hall, Day: ov.Day, Recent: ov.Recent, LastID: last}
	for _, win := range ov.Windows {
		d.Windows = append(d.Windows, api.DisplayWindow{Number: win.Number, Name: win.Name, NameEn: win.NameEn,
			Open: win.Open, Current: win.Current, State: win.State})
	}
	for _, q := range ov.Queues {
		d.Queues = append(d.Queues, api.DisplayQueue{Code: q.Code, Name: q.Name, NameEn: q.NameEn, Waiting: q.Waiting})
	}
	writeJSON(w, http.StatusOK, d)
}
