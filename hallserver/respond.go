package hallserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"onestop/hallserver/api"
	"onestop/hallserver/application"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// maxBody is the largest request body accepted.
const maxBody = 64 << 10

// Error codes clients branch on (api.Code...), short names for this file.
const (
	codeUnauthenticated = api.CodeUnauthenticated
	codeForbidden       = api.CodeForbidden
	codeNotFound        = api.CodeNotFound
	codeInvalid         = api.CodeInvalid
	codeConflict        = api.CodeConflict
	codeNothingWaiting  = api.CodeNothingWaiting
	codeRateLimited     = api.CodeRateLimited
	codeTooLarge        = api.CodeTooLarge
	codeUnavailable     = api.CodeUnavailable
	codeInternal        = api.CodeInternal
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, api.Error{Code: code, Message: msg})
}

// fail maps an error from the store or the queue engine to a response.
// Internal errors are logged and answered without their detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var status int
	var code string
	switch {
	case errors.Is(err, store.ErrNothingWaiting):
		status, code = http.StatusNotFound, codeNothingWaiting
	case errors.Is(err, store.ErrNotFound):
		status, code = http.StatusNotFound, codeNotFound
	case errors.Is(err, store.ErrInvalid):
		status, code = http.StatusBadRequest, codeInvalid
	case errors.Is(err, store.ErrForbidden):
		status, code = http.StatusForbidden, codeForbidden
	case errors.Is(err, store.ErrConflict), errors.Is(err, queue.ErrInvalidTransition), errors.Is(err, application.ErrInvalid):
		status, code = http.StatusConflict, codeConflict
	case errors.Is(err, store.ErrClosed), errors.Is(err, store.ErrNotConfigured):
		status, code = http.StatusServiceUnavailable, codeUnavailable
	case r.Context().Err() != nil:
		// The caller went away (or the server is shutting down): nobody
		// reads an answer, and it is not a fault of the hall server.
		status, code = http.StatusServiceUnavailable, codeUnavailable
	default:
		// The route pattern, not the path: paths carry ticket tokens.
		s.log.Error("request failed", "method", r.Method, "route", r.Pattern, "err", err)
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error: the hall server logged it; try again, and tell the technician if it persists")
		return
	}
	writeError(w, status, code, UserMessage(err))
}

// UserMessage is err as a person should read it: without the package
// prefixes of wrapped sentinels, so that staff read "window 3 is closed:
// open it first", not the plumbing; a sentinel wrapped at the end reads
// "ticket 9: not found". The API and hallctl both show errors this way.
func UserMessage(err error) string {
	var te *queue.TransitionError
	if errors.As(err, &te) {
		return fmt.Sprintf("cannot %s %s (%s): %s", te.Action, te.Number, te.From, te.Reason)
	}
	var ae *application.EventError
	if errors.As(err, &ae) {
		return fmt.Sprintf("cannot %s at %s (%s): %s", ae.Kind, ae.Step.Name(), ae.Status, ae.Reason)
	}
	msg := err.Error()
	for _, sentinel := range []error{store.ErrNothingWaiting, store.ErrNotFound, store.ErrInvalid,
		store.ErrForbidden, store.ErrConflict, store.ErrClosed, store.ErrNotConfigured} {
		prefix := sentinel.Error() + ": "
		if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
			msg = msg[len(prefix):]
			break
		}
	}
	// Drop the package names that errors wrapped with context carry
	// ("store: ticket 9: store: not found", "policy: queue: policy …").
	parts := strings.Split(msg, ": ")
	kept := parts[:0]
	for _, p := range parts {
		if !slices.Contains(errorPackages, p) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ": ")
}

// errorPackages are the packages whose error prefixes UserMessage drops.
var errorPackages = []string{"store", "queue", "auth", "catalogue"}

// decode reads a JSON body into v, refusing unknown fields and bodies
// larger than maxBody. It writes the error response itself and reports
// whether the handler may go on.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("request body larger than %d bytes", maxBody))
			return false
		}
		writeError(w, http.StatusBadRequest, codeInvalid, "request body is not the JSON expected: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, codeInvalid, "request body has data after the JSON object")
		return false
	}
	return true
}
