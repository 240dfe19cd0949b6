package hallserver

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"onestop/hallserver/auth"
)

// OpenAPIDocument is the API's OpenAPI 3 description, kept beside the
// route table (openapi.json) and checked against it by the tests.
//
//go:embed openapi.json
var OpenAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request, _ auth.Principal) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(OpenAPIDocument)
}

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request, _ auth.Principal) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database reads and the writer runs.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "database not ready: "+err.Error())
		return
	}
	if _, err := s.st.Hall(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "hall not initialised: run hallctl init")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// getHall answers the hall's identity and what kiosks need of its
// settings (the elderly priority age).
func (s *Server) getHall(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	h, err := s.st.Hall(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.st.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h.ElderlyPriorityAge = &st.ElderlyPriorityAge
	writeJSON(w, http.StatusOK, h)
}

func (s *Server) getCatalogue(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	c, err := s.st.Catalogue(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
