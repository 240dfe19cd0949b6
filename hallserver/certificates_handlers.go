package hallserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/cert"
	"onestop/hallserver/pii"
	"onestop/hallserver/store"
)

// lookupCertificates lists a holder's certificates: the kiosk after an ID
// card, or staff at a window. The ID number comes in the body.
func (s *Server) lookupCertificates(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	var req api.CertificateLookupRequest
	if !decode(w, r, &req) {
		return
	}
	id := pii.Normalize(req.HolderID)
	if len(id) < 6 {
		writeError(w, http.StatusBadRequest, codeInvalid, "holder_id: give the holder's full ID number")
		return
	}
	certs, err := s.st.CertificatesByHolder(r.Context(), s.cfg.Vault.LookupHash(id))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.certificateViews(r.Context(), certs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getCertificate(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	c, ok := s.certificateFromPath(w, r)
	if !ok {
		return
	}
	view, err := s.certificateView(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// printCertificate renders the next copy of a certificate, records the
// print and returns the PDF: the first copy plain, every later one marked
// as a reprint with its count. A kiosk prints only for the holder, proven
// by the ID number read from their card.
func (s *Server) printCertificate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	serial, ok := serialFromPath(w, r)
	if !ok {
		return
	}
	var req api.PrintRequest
	if r.ContentLength != 0 && !decode(w, r, &req) {
		return
	}
	device := r.URL.Query().Get("window")
	if device != "" {
		device = "window " + device
	}
	for attempt := 0; ; attempt++ {
		c, err := s.st.CertificateBySerial(r.Context(), serial)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if p.Role == auth.Kiosk && (req.HolderID == "" || s.cfg.Vault.LookupHash(pii.Normalize(req.HolderID)) != c.HolderHash) {
			writeError(w, http.StatusForbidden, codeForbidden, "a kiosk prints a certificate only for its holder: place the holder's ID card")
			return
		}
		if err := c.Printable(); err != nil {
			s.fail(w, r, err)
			return
		}
		copyNo := c.Prints + 1
		pdf, err := s.renderCertificate(r.Context(), c, copyNo)
		if err != nil {
			s.fail(w, r, fmt.Errorf("certificate %s: the PDF failed, nothing was recorded: %w", serial, err))
			return
		}
		c, err = s.st.RecordPrint(r.Context(), actor(p, device), serial, copyNo)
		if errors.Is(err, store.ErrConflict) && attempt < 2 {
			continue // printed meanwhile: render the next copy
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Disposition", `inline; filename="`+c.Serial.String()+"-"+strconv.Itoa(copyNo)+`.pdf"`)
		w.Header().Set("X-Print-Copy", strconv.Itoa(copyNo))
		w.WriteHeader(http.StatusOK)
		w.Write(pdf)
		return
	}
}

func (s *Server) revokeCertificate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	serial, ok := serialFromPath(w, r)
	if !ok {
		return
	}
	var req api.RevokeRequest
	if !decode(w, r, &req) {
		return
	}
	c, err := s.st.RevokeCertificate(r.Context(), actor(p, ""), serial, req.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := s.certificateView(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// trustList serves the keys this hall verifies certificates with, for
// kiosks and third parties that verify offline.
func (s *Server) trustList(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	raw, err := s.st.ExportTrustList(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(raw)
}

func (s *Server) certificateFromPath(w http.ResponseWriter, r *http.Request) (store.Certificate, bool) {
	serial, ok := serialFromPath(w, r)
	if !ok {
		return store.Certificate{}, false
	}
	c, err := s.st.CertificateBySerial(r.Context(), serial)
	if err != nil {
		s.fail(w, r, err)
		return c, false
	}
	return c, true
}

func (s *Server) certificateViews(ctx context.Context, certs []store.Certificate) ([]api.Certificate, error) {
	out := make([]api.Certificate, 0, len(certs))
	for _, c := range certs {
		v, err := s.certificateView(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// certificateView is the wire form of a certificate.
func (s *Server) certificateView(ctx context.Context, c store.Certificate) (api.Certificate, error) {
	return CertificateView(ctx, s.st, c)
}

// CertificateView is the wire form of a certificate, with its QR text.
func CertificateView(ctx context.Context, st *store.Store, c store.Certificate) (api.Certificate, error) {
	qr, err := st.QRText(ctx, c)
	if err != nil {
		return api.Certificate{}, err
	}
	v := api.Certificate{Serial: c.Serial.String(), Identifier: c.Identifier, Type: c.Type, Title: c.Title,
		Version: c.Version, IssuedAt: c.IssuedAt, Expires: c.Expires, HolderName: c.HolderName,
		HolderMasked: c.HolderMasked, Fields: make([]api.CertificateField, len(c.Fields)), Application: c.ApplicationNumber,
		IssuedBy: c.IssuedBy, Revoked: c.Revoked(), RevokedAt: c.RevokedAt, RevokeReason: c.RevokeReason,
		Prints: c.Prints, KeyRevoked: c.KeyRevoked, QRText: qr}
	for i, f := range c.Fields {
		v.Fields[i] = api.CertificateField{Name: f.Name, Value: f.Value}
	}
	return v, nil
}

// renderCertificate prints copy copyNo of the certificate as a PDF.
func (s *Server) renderCertificate(ctx context.Context, c store.Certificate, copyNo int) ([]byte, error) {
	hall, err := s.st.Hall(ctx)
	if err != nil {
		return nil, err
	}
	qr, err := s.st.QRText(ctx, c)
	if err != nil {
		return nil, err
	}
	r, err := certificateRenderer()
	if err != nil {
		return nil, err
	}
	return CertificatePDF(r, c, hall.Name, qr, copyNo, s.now())
}

// serialFromPath reads the {serial} of the path, answering 400 when it is
// not a certificate serial.
func serialFromPath(w http.ResponseWriter, r *http.Request) (cert.Serial, bool) {
	serial, err := cert.ParseSerial(r.PathValue("serial"))
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalid, "serial: "+UserMessage(err))
		return serial, false
	}
	return serial, true
}
