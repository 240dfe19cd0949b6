package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"onestop/hallserver/cert"
	"onestop/hallserver/queue"
)

// Certificate is a certificate (证照) the hall issued. The holder's full ID
// number is only sealed (HolderSealed; package pii opens it).
type Certificate struct {
	ID                int64
	Serial            cert.Serial
	Identifier        string // 电子证照-style identifier, see cert.Record.Identifier
	Type              string
	Title             string
	Version           int
	IssuedAt          time.Time
	Expires           time.Time // zero: does not expire
	StatusIndex       uint64
	HolderName        string
	HolderMasked      string
	HolderSealed      []byte
	HolderHash        string // keyed hash of the holder's ID number (lookups, kiosk proof)
	Salt              []byte
	Fields            []CertificateField // in print order
	KID               cert.KID
	COSE              []byte // the signed QR payload
	ApplicationNumber string // empty when issued directly (hallctl cert issue)
	IssuedBy          string
	RevokedAt         time.Time
	RevokedBy         string
	RevokeReason      string
	Prints            int  // copies printed so far
	KeyRevoked        bool // the key that signed it has been revoked: it no longer verifies
}

// CertificateField is one printed field.
type CertificateField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Revoked reports whether the certificate has been revoked.
func (c Certificate) Revoked() bool { return !c.RevokedAt.IsZero() }

// Record is the full certificate record as signed, given the holder's ID
// number (opened from HolderSealed).
func (c Certificate) Record(issuer, holderID string) cert.Record {
	fields := make(map[string]string, len(c.Fields))
	for _, f := range c.Fields {
		fields[f.Name] = f.Value
	}
	return cert.Record{Type: c.Type, Title: c.Title, Issuer: issuer, Serial: c.Serial, Version: c.Version,
		IssuedAt: c.IssuedAt, Expires: c.Expires, StatusIndex: c.StatusIndex, HolderName: c.HolderName,
		HolderID: holderID, Salt: c.Salt, Fields: fields}
}

// CertificateRequest is a certificate to issue. The caller turns the
// holder's ID number into its hash, sealed and masked forms; the full
// number (HolderID) is digested and its last 4 characters signed, never
// stored in clear.
type CertificateRequest struct {
	Type         string
	Title        string
	Fields       []CertificateField
	Expires      time.Time // zero: does not expire
	HolderName   string
	HolderID     string
	HolderHash   string
	HolderSealed []byte
	HolderMasked string
}

// KeySource gives the private signing key with an id (certkeys.Keyring).
type KeySource interface {
	Signer(kid cert.KID) (*cert.Signer, error)
}

// ExpiryAfterYears is when a certificate issued at t and valid for years
// expires: the start of the same calendar day years later, China time
// (valid through the day before). 0 years: no expiry (zero time).
func ExpiryAfterYears(t time.Time, years int) time.Time {
	if years <= 0 {
		return time.Time{}
	}
	d := t.In(queue.Location)
	return time.Date(d.Year()+years, d.Month(), d.Day(), 0, 0, 0, 0, queue.Location)
}

// IssueCertificate signs and records a certificate with the hall's active
// key: a new serial, the next status index, the 电子证照 identifier.
// Audited (without the ID number).
func (s *Store) IssueCertificate(ctx context.Context, a Actor, req CertificateRequest, keys KeySource) (Certificate, error) {
	if err := req.validate(); err != nil {
		return Certificate{}, err
	}
	var c Certificate
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.issueCertificate(a, req, keys, 0)
		return err
	})
	return c, err
}

func (req CertificateRequest) validate() error {
	switch {
	case strings.TrimSpace(req.Title) == "":
		return fmt.Errorf("%w: the certificate title is missing", ErrInvalid)
	case strings.TrimSpace(req.HolderName) == "":
		return fmt.Errorf("%w: the holder's name is missing", ErrInvalid)
	case strings.TrimSpace(req.HolderID) == "" || req.HolderHash == "" || len(req.HolderSealed) == 0 || req.HolderMasked == "":
		return fmt.Errorf("%w: the holder's ID number is missing", ErrInvalid)
	}
	seen := map[string]bool{}
	for _, f := range req.Fields {
		name := strings.TrimSpace(f.Name)
		switch {
		case name == "":
			return fmt.Errorf("%w: a certificate field has no name", ErrInvalid)
		case seen[name]:
			return fmt.Errorf("%w: certificate field %q is given twice", ErrInvalid, name)
		case strings.TrimSpace(f.Value) == "":
			return fmt.Errorf("%w: certificate field %q is empty: fill it in", ErrInvalid, name)
		}
		seen[name] = true
	}
	return nil
}

// issueCertificate does IssueCertificate's work inside a transaction;
// applicationID links it to the application it was made for (0: none).
func (tx *Tx) issueCertificate(a Actor, req CertificateRequest, keys KeySource, applicationID int64) (Certificate, error) {
	issuer, _, err := metaValue(tx.ctx, txQuerier{tx}, "hall_code")
	if err != nil {
		return Certificate{}, err
	}
	base, err := tx.certificateURLBase()
	if err != nil {
		return Certificate{}, err
	}
	var kidText string
	var keyFrom int64
	err = tx.QueryRow("SELECT kid, valid_from FROM signing_keys WHERE status = 'active'").Scan(&kidText, &keyFrom)
	kid, err := parseActiveKID(kidText, err)
	if err != nil {
		return Certificate{}, err
	}
	signer, err := keys.Signer(kid)
	if err != nil {
		return Certificate{}, err
	}
	c := Certificate{Serial: cert.NewSerial(), Type: req.Type, Title: strings.TrimSpace(req.Title), Version: 1,
		// A key made this very second starts at the next one (see
		// AddSigningKey): the certificate says it was issued then.
		IssuedAt: maxTime(tx.now.Truncate(time.Second), fromMS(keyFrom)), Expires: req.Expires, HolderName: strings.TrimSpace(req.HolderName),
		HolderMasked: req.HolderMasked, HolderSealed: req.HolderSealed, Salt: cert.NewSalt(), KID: kid, IssuedBy: a.Name}
	for _, f := range req.Fields {
		c.Fields = append(c.Fields, CertificateField{Name: strings.TrimSpace(f.Name), Value: strings.TrimSpace(f.Value)})
	}
	if err := tx.QueryRow("SELECT COALESCE(MAX(status_index), 0) + 1 FROM certificates").Scan(&c.StatusIndex); err != nil {
		return c, fmt.Errorf("store: issue certificate: %w", err)
	}
	rec := c.Record(issuer, req.HolderID)
	if c.Identifier, err = rec.Identifier(); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if c.COSE, err = cert.Issue(signer, rec.Claims()); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if _, err := cert.DecodeURL(cert.EncodeURL(base, c.COSE)); err != nil {
		return c, fmt.Errorf("store: issue certificate: %w", err)
	}
	fields, err := json.Marshal(c.Fields)
	if err != nil {
		return c, fmt.Errorf("store: issue certificate: %w", err)
	}
	var app any
	if applicationID != 0 {
		app = applicationID
	}
	res, err := tx.Exec(`INSERT INTO certificates(serial, identifier, type, title, version, issued_at, expires_at, status_index,
		holder_name, holder_hash, holder_sealed, holder_masked, salt, fields, kid, cose, application_id, issued_by)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, c.Serial.String(), c.Identifier, c.Type, c.Title, c.Version,
		ms(c.IssuedAt), ms(c.Expires), c.StatusIndex, c.HolderName, req.HolderHash, c.HolderSealed, c.HolderMasked,
		c.Salt, string(fields), kid.String(), c.COSE, app, a.Name)
	if err != nil {
		return c, fmt.Errorf("store: issue certificate: %w", err)
	}
	c.ID, _ = res.LastInsertId()
	if applicationID != 0 {
		if err := tx.QueryRow("SELECT number FROM applications WHERE id = ?", applicationID).Scan(&c.ApplicationNumber); err != nil {
			return c, fmt.Errorf("store: issue certificate: %w", err)
		}
	}
	item := ""
	if applicationID != 0 {
		if err := tx.QueryRow("SELECT item FROM applications WHERE id = ?", applicationID).Scan(&item); err != nil {
			return c, fmt.Errorf("store: issue certificate: %w", err)
		}
	}
	if err := tx.outboxCertificateIssued(c, item); err != nil {
		return c, err
	}
	return c, tx.Audit(a, "cert.issue", "certificate", c.Serial.String(), nil, map[string]any{
		"serial": c.Serial.String(), "identifier": c.Identifier, "type": c.Type, "title": c.Title,
		"holder": c.HolderName, "holder_id": c.HolderMasked, "fields": c.Fields, "issued_at": c.IssuedAt,
		"expires": c.Expires, "kid": kid.String(), "application": c.ApplicationNumber})
}

// CertificateURLKey is the meta key of the address where citizens check
// certificates: the scheme and host (and optional path) before "/C/".
const certificateURLKey = "certificate_url_base"

// SetCertificateURL sets the address printed in certificate QR codes, e.g.
// https://zwfw.example.gov.cn: the hall server (or a proxy to it) must
// answer GET <base>/C/<code> there. The address is not signed: every
// print from now on (reprints of older certificates too) carries the new
// one, and codes already on paper keep theirs, so the old address should
// keep answering (verification works from the signed part whatever the
// address). Audited.
func (s *Store) SetCertificateURL(ctx context.Context, a Actor, base string) error {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	lower := strings.ToLower(base)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") || len(base) < len("http://x") {
		return fmt.Errorf("%w: certificate address %q: give the scheme and host citizens' phones reach, e.g. https://zwfw.example.gov.cn", ErrInvalid, base)
	}
	for _, r := range strings.ToUpper(base) {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":/.-", r)) {
			return fmt.Errorf("%w: certificate address %q: use only letters, digits and : / . - so the QR code stays compact", ErrInvalid, base)
		}
	}
	return s.write(ctx, func(tx *Tx) error {
		old, _, err := metaValue(ctx, txQuerier{tx}, certificateURLKey)
		if err != nil {
			return err
		}
		if err := tx.setMeta(certificateURLKey, base); err != nil {
			return err
		}
		return tx.Audit(a, "cert.url", "hall", "certificate_url_base", map[string]any{"url": old}, map[string]any{"url": base})
	})
}

// CertificateURL returns the address printed in certificate QR codes, or
// an error saying how to set it.
func (s *Store) CertificateURL(ctx context.Context) (string, error) {
	v, ok, err := metaValue(ctx, readQuerier{s}, certificateURLKey)
	return certificateURL(v, ok, err)
}

func (tx *Tx) certificateURLBase() (string, error) {
	v, ok, err := metaValue(tx.ctx, txQuerier{tx}, certificateURLKey)
	return certificateURL(v, ok, err)
}

func certificateURL(v string, ok bool, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w: the hall has no address for checking certificates yet: an administrator sets it with hallctl cert set-url --data DIR https://<the hall's public address>", ErrNotConfigured)
	}
	return v, nil
}

// QRText is the text of the certificate's QR code: the address it was
// issued for, "/C/", and the signed certificate.
func (s *Store) QRText(ctx context.Context, c Certificate) (string, error) {
	base, err := s.CertificateURL(ctx)
	if err != nil {
		return "", err
	}
	return cert.EncodeURL(base, c.COSE), nil
}

const certificateColumns = `c.id, c.serial, c.identifier, c.type, c.title, c.version, c.issued_at, c.expires_at, c.status_index,
	c.holder_name, c.holder_masked, c.holder_sealed, c.salt, c.fields, c.kid, c.cose, COALESCE(a.number, ''), c.issued_by,
	c.revoked_at, c.revoked_by, c.revoke_reason, (SELECT COUNT(*) FROM certificate_prints p WHERE p.certificate_id = c.id),
	c.holder_hash, COALESCE((SELECT status = 'revoked' FROM signing_keys k WHERE k.kid = c.kid), 0)`

const certificateFrom = ` FROM certificates c LEFT JOIN applications a ON a.id = c.application_id`

func scanCertificate(r scanner) (Certificate, error) {
	var c Certificate
	var serial, fields, kid string
	var issued, expires, revoked int64
	err := r.Scan(&c.ID, &serial, &c.Identifier, &c.Type, &c.Title, &c.Version, &issued, &expires, &c.StatusIndex,
		&c.HolderName, &c.HolderMasked, &c.HolderSealed, &c.Salt, &fields, &kid, &c.COSE, &c.ApplicationNumber, &c.IssuedBy,
		&revoked, &c.RevokedBy, &c.RevokeReason, &c.Prints, &c.HolderHash, &c.KeyRevoked)
	if err != nil {
		return c, err
	}
	if c.Serial, err = cert.ParseSerial(serial); err != nil {
		return c, fmt.Errorf("store: certificate %s: %w", serial, err)
	}
	if err := c.KID.UnmarshalText([]byte(kid)); err != nil {
		return c, fmt.Errorf("store: certificate %s: %w", serial, err)
	}
	if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
		return c, fmt.Errorf("store: certificate %s fields: %w", serial, err)
	}
	c.IssuedAt, c.Expires, c.RevokedAt = fromMS(issued), fromMS(expires), fromMS(revoked)
	return c, nil
}

// CertificateBySerial returns the certificate with the serial.
func (s *Store) CertificateBySerial(ctx context.Context, serial cert.Serial) (Certificate, error) {
	c, err := scanCertificate(s.queryRow(ctx, "SELECT "+certificateColumns+certificateFrom+" WHERE c.serial = ?", serial.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%w: no certificate %s in this hall", ErrNotFound, serial)
	}
	return c, err
}

// CertificatesByHolder lists a holder's certificates (found by the keyed
// hash of their ID number), newest first, revoked ones included.
func (s *Store) CertificatesByHolder(ctx context.Context, hash string) ([]Certificate, error) {
	return s.certificatesWhere(ctx, "c.holder_hash = ? ORDER BY c.issued_at DESC, c.id DESC", hash)
}

// CertificatesOfApplication lists the certificates made for an application.
func (s *Store) CertificatesOfApplication(ctx context.Context, number string) ([]Certificate, error) {
	return s.certificatesWhere(ctx, "a.number = ? ORDER BY c.id", number)
}

func (s *Store) certificatesWhere(ctx context.Context, where string, args ...any) ([]Certificate, error) {
	rows, err := s.query(ctx, "SELECT "+certificateColumns+certificateFrom+" WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: certificates: %w", err)
	}
	defer rows.Close()
	var out []Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RevokeCertificate revokes one certificate: its QR code still carries a
// good signature, but the online check says revoked. Audited.
func (s *Store) RevokeCertificate(ctx context.Context, a Actor, serial cert.Serial, reason string) (Certificate, error) {
	if strings.TrimSpace(reason) == "" {
		return Certificate{}, fmt.Errorf("%w: say why the certificate is revoked; the online check shows it", ErrInvalid)
	}
	var c Certificate
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		c, err = scanCertificate(tx.QueryRow("SELECT "+certificateColumns+certificateFrom+" WHERE c.serial = ?", serial.String()))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no certificate %s in this hall", ErrNotFound, serial)
		}
		if err != nil {
			return fmt.Errorf("store: revoke certificate: %w", err)
		}
		if c.Revoked() {
			return fmt.Errorf("%w: certificate %s was revoked on %s by %s", ErrConflict, serial,
				c.RevokedAt.In(queue.Location).Format("2006-01-02 15:04"), c.RevokedBy)
		}
		c.RevokedAt, c.RevokedBy, c.RevokeReason = tx.now, a.Name, strings.TrimSpace(reason)
		if _, err := tx.Exec("UPDATE certificates SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?",
			ms(c.RevokedAt), c.RevokedBy, c.RevokeReason, c.ID); err != nil {
			return fmt.Errorf("store: revoke certificate: %w", err)
		}
		if err := tx.outboxCertificateRevoked(serial.String(), c.RevokeReason); err != nil {
			return err
		}
		return tx.Audit(a, "cert.revoke", "certificate", serial.String(), map[string]any{"revoked": false},
			map[string]any{"revoked": true, "reason": c.RevokeReason})
	})
	return c, err
}

// RecordPrint records that copy copyNo of the certificate was printed:
// 1 for the original, 2 and up for reprints (which must be marked as
// such). The caller renders the copy first and passes its number; if
// another print was recorded meanwhile the copy numbers no longer match
// and it fails with ErrConflict (render again). A revoked certificate, or
// one whose signing key was revoked, is not printed. Audited with the
// actor and device (kiosk or window).
func (s *Store) RecordPrint(ctx context.Context, a Actor, serial cert.Serial, copyNo int) (Certificate, error) {
	var c Certificate
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		c, err = scanCertificate(tx.QueryRow("SELECT "+certificateColumns+certificateFrom+" WHERE c.serial = ?", serial.String()))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no certificate %s in this hall", ErrNotFound, serial)
		}
		if err != nil {
			return fmt.Errorf("store: print certificate: %w", err)
		}
		if err := c.Printable(); err != nil {
			return err
		}
		if copyNo != c.Prints+1 {
			return fmt.Errorf("%w: certificate %s was printed meanwhile (now %d copies): print again", ErrConflict, serial, c.Prints)
		}
		if _, err := tx.Exec("INSERT INTO certificate_prints(certificate_id, copy, at, actor, device) VALUES (?,?,?,?,?)",
			c.ID, copyNo, ms(tx.now), a.Name, a.Device); err != nil {
			return fmt.Errorf("store: print certificate: %w", err)
		}
		c.Prints = copyNo
		return tx.Audit(a, "cert.print", "certificate", serial.String(), nil,
			map[string]any{"copy": copyNo, "reprint": copyNo > 1, "device": a.Device})
	})
	return c, err
}

// Printable says why the certificate may not be printed, or nil: paper
// that fails verification must not leave the hall.
func (c Certificate) Printable() error {
	switch {
	case c.Revoked():
		return fmt.Errorf("%w: certificate %s is revoked (%s) and cannot be printed", ErrConflict, c.Serial, c.RevokeReason)
	case c.KeyRevoked:
		return fmt.Errorf("%w: certificate %s was signed with a key that has been revoked, so it no longer verifies: reissue it", ErrConflict, c.Serial)
	}
	return nil
}

// CertificatePrint is one recorded print.
type CertificatePrint struct {
	Copy   int
	At     time.Time
	Actor  string
	Device string
}

// CertificatePrints lists every print of the certificate, in order.
func (s *Store) CertificatePrints(ctx context.Context, serial cert.Serial) ([]CertificatePrint, error) {
	rows, err := s.query(ctx, `SELECT p.copy, p.at, p.actor, p.device FROM certificate_prints p
		JOIN certificates c ON c.id = p.certificate_id WHERE c.serial = ? ORDER BY p.copy`, serial.String())
	if err != nil {
		return nil, fmt.Errorf("store: certificate prints: %w", err)
	}
	defer rows.Close()
	var out []CertificatePrint
	for rows.Next() {
		var p CertificatePrint
		var at int64
		if err := rows.Scan(&p.Copy, &at, &p.Actor, &p.Device); err != nil {
			return nil, fmt.Errorf("store: certificate prints: %w", err)
		}
		p.At = fromMS(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Revoked answers cert.StatusChecker from the hall's records. A serial the
// hall never issued is an error: its status is unknown here.
func (s *Store) Revoked(ctx context.Context, serial cert.Serial) (bool, string, error) {
	c, err := s.CertificateBySerial(ctx, serial)
	if err != nil {
		return false, "", err
	}
	return c.Revoked(), c.RevokeReason, nil
}
