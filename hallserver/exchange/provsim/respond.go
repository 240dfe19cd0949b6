package provsim

import (
	"encoding/json"
	"net/http"

	"onestop/hallserver/exchange"
)

// Error codes of the /admin and /debug routes and of internal failures,
// beside exchange's.
const (
	codeNotFound        = "not_found"
	codeUnauthenticated = "unauthenticated" // 401 on /admin: the bearer token is missing or wrong
	codeForbidden       = "forbidden"       // 403 on /admin: not a loopback client and no admin token configured
	codeInternal        = "internal"        // 500: the province failed; retry later
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// refuse answers an error that was not injected, and counts it.
func (p *Province) refuse(w http.ResponseWriter, status int, code, msg string) {
	p.counts.refuse(code)
	writeJSON(w, status, exchange.Error{Code: code, Message: msg})
}

// internal answers 500 for a failure of the province itself.
func (p *Province) internal(w http.ResponseWriter, r *http.Request, err error) {
	p.log.Error("provsim: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	p.refuse(w, http.StatusInternalServerError, codeInternal, "the province failed to answer: "+err.Error()+"; retry later")
}
