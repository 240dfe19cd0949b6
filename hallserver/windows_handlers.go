package hallserver

import (
	"net/http"
	"strconv"

	"onestop/hallserver/auth"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func (s *Server) windowNumber(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n <= 0 {
		writeError(w, http.StatusBadRequest, codeInvalid, "window number must be a positive number")
		return 0, false
	}
	return n, true
}

func windowDevice(n int) string { return "window " + strconv.Itoa(n) }

func (s *Server) openWindow(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	n, ok := s.windowNumber(w, r)
	if !ok {
		return
	}
	if err := s.st.OpenWindow(r.Context(), actor(p, windowDevice(n)), n); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) closeWindow(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	n, ok := s.windowNumber(w, r)
	if !ok {
		return
	}
	if err := s.st.CloseWindow(r.Context(), actor(p, windowDevice(n)), n); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func callResult(res store.CallResult) StaffTicket {
	t := staffTicket(res.Ticket)
	t.OutOfOrder, t.Reason = res.OutOfOrder, res.Reason
	return t
}

func (s *Server) callNext(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	n, ok := s.windowNumber(w, r)
	if !ok {
		return
	}
	res, err := s.st.CallNext(r.Context(), actor(p, windowDevice(n)), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, callResult(res))
}

// CallRequest is the body of POST /windows/{number}/call.
type CallRequest struct {
	Number string `json:"number"`
	Reason string `json:"reason,omitempty"` // needed when the ticket is not next in line
}

func (s *Server) callNumber(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	n, ok := s.windowNumber(w, r)
	if !ok {
		return
	}
	var req CallRequest
	if !decode(w, r, &req) {
		return
	}
	res, err := s.st.CallNumber(r.Context(), actor(p, windowDevice(n)), n, req.Number, req.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, callResult(res))
}

// ActionRequest is the body of the window actions. Transfer uses
// to_queue and/or to_window and return; hold uses hold_seconds and return
// (back to this window); every action may carry a reason.
type ActionRequest struct {
	ToQueue     string `json:"to_queue,omitempty"`
	ToWindow    int    `json:"to_window,omitempty"`
	Return      bool   `json:"return,omitempty"`
	HoldSeconds int    `json:"hold_seconds,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

func (s *Server) windowAction(kind queue.ActionKind) func(http.ResponseWriter, *http.Request, auth.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) {
		n, ok := s.windowNumber(w, r)
		if !ok {
			return
		}
		var req ActionRequest
		if r.ContentLength != 0 && !decode(w, r, &req) {
			return
		}
		t, err := s.st.Act(r.Context(), actor(p, windowDevice(n)), n, store.WindowAction{Kind: kind,
			ToQueue: req.ToQueue, ToWindow: req.ToWindow, Return: req.Return, HoldFor: req.HoldSeconds, Reason: req.Reason})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, staffTicket(t))
	}
}
