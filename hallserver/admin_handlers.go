package hallserver

import (
	"net/http"

	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	st, err := s.st.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var st store.Settings
	if !decode(w, r, &st) {
		return
	}
	out, err := s.st.UpdateSettings(r.Context(), actor(p, ""), st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	us, err := s.st.Users(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if us == nil {
		us = []store.User{}
	}
	writeJSON(w, http.StatusOK, us)
}

// NewUserRequest is the body of POST /users.
type NewUserRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Password    string `json:"password"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req NewUserRequest
	if !decode(w, r, &req) {
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalid, cleanMessage(err))
		return
	}
	u, err := s.st.CreateUser(r.Context(), actor(p, ""), store.NewUser{Username: req.Username,
		DisplayName: req.DisplayName, Role: req.Role, PasswordHash: hash})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

// PasswordReset is the body of POST /users/{username}/password.
type PasswordReset struct {
	Password string `json:"password"`
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var req PasswordReset
	if !decode(w, r, &req) {
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalid, cleanMessage(err))
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
