package hallserver

import (
	"net/http"
	"strconv"

	"onestop/hallserver/api"
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

func callResult(res store.CallResult) api.StaffTicket {
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

func (s *Server) callNumber(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	n, ok := s.windowNumber(w, r)
	if !ok {
		return
	}
	var req api.CallRequest
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

func (s *Server) windowAction(kind queue.ActionKind) func(http.ResponseWriter, *http.Request, auth.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) {
		n, ok := s.windowNumber(w, r)
		if !ok {
			return
		}
		var req api.ActionRequest
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
