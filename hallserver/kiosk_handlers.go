package hallserver

import (
	"net/http"
	"strconv"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

// listKiosks lists the enrolled kiosks with their last contact, whether
// they are online, and the device problems of their last heartbeat.
func (s *Server) listKiosks(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	ks, err := s.st.Kiosks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ks == nil {
		ks = []store.Kiosk{}
	}
	writeJSON(w, http.StatusOK, ks)
}

// kioskHeartbeat records that the calling kiosk is alive, with the health
// of its devices.
func (s *Server) kioskHeartbeat(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var hb api.KioskHeartbeat
	if !decode(w, r, &hb) {
		return
	}
	if err := s.st.Heartbeat(r.Context(), actor(p, ""), p.KioskID, hb); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// callHelp is the kiosk's one-touch call for staff (一键呼叫): it opens a
// help call (201), or presses the open one again (200), and alerts the
// supervisors with a kiosk.help event.
func (s *Server) callHelp(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	c, created, err := s.st.CallHelp(r.Context(), actor(p, ""), p.KioskID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, c)
}

// listHelpCalls lists the help calls no one has answered yet.
func (s *Server) listHelpCalls(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	cs, err := s.st.OpenHelpCalls(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cs)
}

// answerHelpCall records that a supervisor answered a help call.
func (s *Server) answerHelpCall(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, codeInvalid, "help call id must be a positive number (see GET /api/v1/kiosks/help)")
		return
	}
	c, err := s.st.AnswerHelpCall(r.Context(), actor(p, ""), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
