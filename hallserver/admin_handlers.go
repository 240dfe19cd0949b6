package hallserver

import (
	"net/http"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	st, err := s.st.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiSettings(st))
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in api.Settings
	if !decode(w, r, &in) {
		return
	}
	cur, err := s.st.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := store.Settings{PolicyText: in.Policy, NoShowAfterRecalls: in.NoShowAfterRecalls,
		DefaultServiceSeconds: in.DefaultServiceSeconds, YellowPercent: cur.YellowPercent, YellowDays: cur.YellowDays}
	if in.YellowPercent != nil {
		next.YellowPercent = *in.YellowPercent
	}
	if in.YellowDays != nil {
		next.YellowDays = *in.YellowDays
	}
	next.ElderlyPriorityAge = cur.ElderlyPriorityAge
	if in.ElderlyPriorityAge != nil {
		next.ElderlyPriorityAge = *in.ElderlyPriorityAge
	}
	out, err := s.st.UpdateSettings(r.Context(), actor(p, ""), next)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiSettings(out))
}

// apiSettings is the wire form of the queue settings.
func apiSettings(st store.Settings) api.Settings {
	return api.Settings{Policy: st.PolicyText, NoShowAfterRecalls: st.NoShowAfterRecalls,
		DefaultServiceSeconds: st.DefaultServiceSeconds, YellowPercent: &st.YellowPercent, YellowDays: &st.YellowDays,
		ElderlyPriorityAge: &st.ElderlyPriorityAge}
}

// apiUser is the wire form of an account: never the password hash.
func apiUser(u store.User) api.User {
	return api.User{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role,
		Disabled: u.Disabled, CreatedAt: u.CreatedAt, PasswordAt: u.PasswordAt}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	us, err := s.st.Users(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]api.User, len(us))
	for i, u := range us {
		out[i] = apiUser(u)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.NewUser
	if !decode(w, r, &req) {
		return
	}
	hash, err := s.hashPassword(r, req.Password)
	if err != nil {
		s.failHash(w, r, err)
		return
	}
	u, err := s.st.CreateUser(r.Context(), actor(p, ""), store.NewUser{Username: req.Username,
		DisplayName: req.DisplayName, Role: req.Role, PasswordHash: hash})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiUser(u))
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req api.PasswordReset
	if !decode(w, r, &req) {
		return
	}
	hash, err := s.hashPassword(r, req.Password)
	if err != nil {
		s.failHash(w, r, err)
		return
	}
	if err := s.st.SetPassword(r.Context(), actor(p, ""), r.PathValue("username"), hash); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setDisabled(disabled bool) func(http.ResponseWriter, *http.Request, auth.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) {
		if err := s.st.SetUserDisabled(r.Context(), actor(p, ""), r.PathValue("username"), disabled); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	v, err := s.st.VerifyAudit(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
