package provsim

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"onestop/hallserver/catalogue"
	"onestop/hallserver/exchange"
)

// readAdminBody reads an /admin request's body (at most
// exchange.MaxBodyBytes); on failure it answers and returns false.
func (p *Province) readAdminBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, exchange.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		p.refuse(w, http.StatusRequestEntityTooLarge, exchange.CodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", exchange.MaxBodyBytes))
		return nil, false
	case err != nil:
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, "reading the body: "+err.Error())
		return nil, false
	}
	return b, true
}

// handleGetFaults is GET /admin/faults.
func (p *Province) handleGetFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, p.Faults())
}

// handlePutFaults is PUT /admin/faults: the body replaces the faults in
// force (a field left out is zero: off).
func (p *Province) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	b, ok := p.readAdminBody(w, r)
	if !ok {
		return
	}
	var f Faults
	if err := decodeStrict(b, &f); err != nil {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
		return
	}
	if err := f.Validate(); err != nil {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
		return
	}
	p.SetFaults(f)
	writeJSON(w, http.StatusOK, p.Faults())
}

// handlePutCatalogue is PUT /admin/catalogue: the body (catalogue JSON)
// becomes the next version.
func (p *Province) handlePutCatalogue(w http.ResponseWriter, r *http.Request) {
	b, ok := p.readAdminBody(w, r)
	if !ok {
		return
	}
	c, err := catalogue.Parse(b)
	if err != nil {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
		return
	}
	version, err := p.PublishCatalogue(r.Context(), c)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"version": version})
}

// hallJSON is a hall as /admin/halls and the --halls file give it.
type hallJSON struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Secret string `json:"secret"` // base64, at least exchange.MinSecretBytes bytes
}

// handleAddHall is POST /admin/halls.
func (p *Province) handleAddHall(w http.ResponseWriter, r *http.Request) {
	b, ok := p.readAdminBody(w, r)
	if !ok {
		return
	}
	var h hallJSON
	if err := decodeStrict(b, &h); err != nil {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
		return
	}
	secret, err := exchange.DecodeSecret(h.Secret)
	if err != nil {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
		return
	}
	if err := p.AddHall(r.Context(), Hall{Code: h.Code, Name: h.Name, Secret: secret}); err != nil {
		if errors.Is(err, ErrInvalid) {
			p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
			return
		}
		p.internal(w, r, err)
		return
	}
	hall, _ := p.hall(h.Code)
	writeJSON(w, http.StatusOK, map[string]string{"code": hall.Code, "name": hall.Name})
}

// handleAddUpdate is POST /admin/halls/{code}/application-updates.
func (p *Province) handleAddUpdate(w http.ResponseWriter, r *http.Request) {
	b, ok := p.readAdminBody(w, r)
	if !ok {
		return
	}
	var u exchange.ApplicationUpdate
	if err := decodeStrict(b, &u); err != nil {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
		return
	}
	if u.Cursor != 0 {
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, "leave cursor out: the province gives it")
		return
	}
	cursor, err := p.AddApplicationUpdate(r.Context(), r.PathValue("code"), u)
	switch {
	case errors.Is(err, ErrNotFound):
		p.refuse(w, http.StatusNotFound, codeNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
	case err != nil:
		p.internal(w, r, err)
	default:
		writeJSON(w, http.StatusCreated, map[string]int64{"cursor": cursor})
	}
}

// handleRevokeKey is POST /admin/halls/{code}/keys/{kid}/revoke.
func (p *Province) handleRevokeKey(w http.ResponseWriter, r *http.Request) {
	b, ok := p.readAdminBody(w, r)
	if !ok {
		return
	}
	var body struct {
		Note string `json:"note"`
	}
	if len(b) > 0 {
		if err := decodeStrict(b, &body); err != nil {
			p.refuse(w, http.StatusBadRequest, exchange.CodeBadRequest, err.Error())
			return
		}
	}
	err := p.RevokeKey(r.Context(), r.PathValue("code"), r.PathValue("kid"), body.Note)
	switch {
	case errors.Is(err, ErrNotFound):
		p.refuse(w, http.StatusNotFound, codeNotFound, err.Error())
		return
	case err != nil:
		p.internal(w, r, err)
		return
	}
	v, err := p.TrustVersion(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"trust_version": v})
}
