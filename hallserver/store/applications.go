package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/hallserver/application"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/queue"
)

// Application is an application (办件) as the hall keeps it. The full ID
// number is only ever sealed (ApplicantSealed; package pii opens it).
type Application struct {
	ID              int64
	Number          string
	Item            string
	ItemName        string
	ApplicantName   string
	ApplicantMasked string
	ApplicantSealed []byte
	TicketID        int64
	Window          string
	LegalDays       int
	PromisedDays    int
	Instant         bool
	AcceptedAt      time.Time
	AcceptedBy      string
	State           application.State
	QRToken         string // for the acceptance notice's QR
	Events          []application.Event
}

// AcceptRequest is what staff enter when accepting an application. The
// caller turns the ID number into its hash, sealed and masked forms.
type AcceptRequest struct {
	Item            string
	ApplicantName   string
	ApplicantHash   string
	ApplicantSealed []byte
	ApplicantMasked string
	TicketID        int64 // the ticket being served, if any
	Window          string
	Note            string
}

// DefaultApplicationNumberFormat is hall code, date and a daily sequence:
// 520000-ZWFW-20261126-00001.
const DefaultApplicationNumberFormat = "{hall}-{date}-{seq:5}"

var seqPlaceholder = regexp.MustCompile(`\{seq(?::(\d))?\}`)

// FormatApplicationNumber fills a number format: {hall} the hall code,
// {date} the day as YYYYMMDD, {seq:N} the day's sequence padded to N digits.
func FormatApplicationNumber(format, hall, day string, seq int) (string, error) {
	m := seqPlaceholder.FindStringSubmatch(format)
	if m == nil {
		return "", fmt.Errorf("%w: application number format %q has no {seq} or {seq:N}: numbers would repeat", ErrInvalid, format)
	}
	width := 1
	if m[1] != "" {
		width, _ = strconv.Atoi(m[1])
	}
	n := strings.ReplaceAll(format, "{hall}", hall)
	n = strings.ReplaceAll(n, "{date}", strings.ReplaceAll(day, "-", ""))
	n = seqPlaceholder.ReplaceAllString(n, fmt.Sprintf("%0*d", width, seq))
	if strings.ContainsAny(n, "{}") {
		return "", fmt.Errorf("%w: application number format %q has an unknown placeholder: use {hall}, {date}, {seq:N}", ErrInvalid, format)
	}
	return n, nil
}

// AcceptApplication records an accepted application with the next number
// of the day, its limits taken from the service item.
func (s *Store) AcceptApplication(ctx context.Context, a Actor, req AcceptRequest) (Application, error) {
	switch {
	case strings.TrimSpace(req.ApplicantName) == "":
		return Application{}, fmt.Errorf("%w: the applicant's name is missing", ErrInvalid)
	case req.ApplicantHash == "" || len(req.ApplicantSealed) == 0 || req.ApplicantMasked == "":
		return Application{}, fmt.Errorf("%w: the applicant's ID number is missing", ErrInvalid)
	}
	var app Application
	err := s.write(ctx, func(tx *Tx) error {
		if req.TicketID != 0 {
			if err := tx.ticketForApplication(&req); err != nil {
				return err
			}
		}
		app = Application{Item: req.Item, ApplicantName: strings.TrimSpace(req.ApplicantName),
			ApplicantMasked: req.ApplicantMasked, ApplicantSealed: req.ApplicantSealed, TicketID: req.TicketID,
			Window: req.Window, AcceptedAt: tx.now, AcceptedBy: a.Name, QRToken: newToken()}
		err := tx.QueryRow("SELECT name, legal_days, promised_days, instant FROM items WHERE code = ? AND retired = 0", req.Item).
			Scan(&app.ItemName, &app.LegalDays, &app.PromisedDays, &app.Instant)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no service item %q: pick one from the catalogue", ErrInvalid, req.Item)
		}
		if err != nil {
			return fmt.Errorf("store: accept application: %w", err)
		}
		hall, _, err := metaValue(ctx, txQuerier{tx}, "hall_code")
		if err != nil {
			return err
		}
		format, ok, err := metaValue(ctx, txQuerier{tx}, "application_number_format")
		if err != nil {
			return err
		}
		if !ok {
			format = DefaultApplicationNumberFormat
		}
		day := queue.ServiceDay(tx.now)
		var seq int
		if err := tx.QueryRow("SELECT COALESCE(MAX(seq), 0) + 1 FROM applications WHERE day = ?", day).Scan(&seq); err != nil {
			return fmt.Errorf("store: accept application: %w", err)
		}
		if app.Number, err = FormatApplicationNumber(format, hall, day, seq); err != nil {
			return err
		}
		ev := application.Event{Kind: application.EvAccept, At: tx.now, Actor: a.Name, Note: req.Note}
		if app.State, err = application.Apply(application.State{}, ev); err != nil {
			return err
		}
		var ticket any
		if req.TicketID != 0 {
			ticket = req.TicketID
		}
		res, err := tx.Exec(`INSERT INTO applications(number, day, seq, item, applicant_name, applicant_hash, applicant_sealed,
			applicant_masked, ticket_id, window, legal_days, promised_days, instant, accepted_at, accepted_by, step, status, qr_token)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, app.Number, day, seq, app.Item, app.ApplicantName, req.ApplicantHash,
			app.ApplicantSealed, app.ApplicantMasked, ticket, app.Window, app.LegalDays, app.PromisedDays, app.Instant,
			ms(tx.now), a.Name, string(app.State.Step), string(app.State.Status), app.QRToken)
		if err != nil {
			return fmt.Errorf("store: accept application: %w", err)
		}
		app.ID, _ = res.LastInsertId()
		if err := tx.applicationEvent(app.ID, ev); err != nil {
			return err
		}
		app.Events = []application.Event{ev}
		if err := tx.outboxApplicationEvent(app, ev, 1); err != nil {
			return err
		}
		return tx.Audit(a, "application.accept", "application", app.Number, nil, app.auditView())
	})
	return app, err
}

// ticketForApplication checks that the ticket an application is accepted
// from has been called (it is being served, or was just finished), and
// fills the item and window from it when the request leaves them out.
func (tx *Tx) ticketForApplication(req *AcceptRequest) error {
	var number, state, window string
	var item sql.NullString
	err := tx.QueryRow("SELECT number, state, item, window FROM tickets WHERE id = ?", req.TicketID).Scan(&number, &state, &item, &window)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: no ticket %d", ErrInvalid, req.TicketID)
	}
	if err != nil {
		return fmt.Errorf("store: accept application: ticket %d: %w", req.TicketID, err)
	}
	switch queue.State(state) {
	case queue.Called, queue.Recalled, queue.Serving, queue.Done:
	case queue.NoShow, queue.Cancelled:
		return fmt.Errorf("%w: ticket %s was %s: accept without it, or from the ticket of the person at the window", ErrInvalid, number, state)
	default:
		return fmt.Errorf("%w: ticket %s is still waiting (%s): call it to a window first", ErrInvalid, number, state)
	}
	if req.Item == "" {
		if !item.Valid {
			return fmt.Errorf("%w: ticket %s was taken for a queue, not a service item: give the item", ErrInvalid, number)
		}
		req.Item = item.String
	}
	if req.Window == "" {
		req.Window = window
	}
	return nil
}

// auditView is what the audit trail keeps of an application: no ID
// number but the masked one, no token.
func (app Application) auditView() map[string]any {
	return map[string]any{"number": app.Number, "item": app.Item, "applicant": app.ApplicantName,
		"applicant_id": app.ApplicantMasked, "ticket_id": app.TicketID, "window": app.Window,
		"step": app.State.Step, "status": app.State.Status, "outcome": app.State.Outcome, "extend_days": app.State.ExtendDays}
}

func (tx *Tx) applicationEvent(id int64, ev application.Event) error {
	_, err := tx.Exec(`INSERT INTO application_events(application_id, kind, at, actor, step, suspend, days, outcome, note)
		VALUES (?,?,?,?,?,?,?,?,?)`, id, string(ev.Kind), ms(ev.At), ev.Actor, string(ev.Step), string(ev.Suspend),
		ev.Days, string(ev.Outcome), ev.Note)
	if err != nil {
		return fmt.Errorf("store: record application event: %w", err)
	}
	return nil
}

// CertificateMaker issues the certificate of an application that reaches
// 制证, for an item that produces one (catalogue.Item.Certificate).
type CertificateMaker struct {
	Keys KeySource
	// Fields are the values staff filled in, by the names the item's
	// certificate lists; every one is needed, no other.
	Fields map[string]string
	// HolderID opens the applicant's sealed ID number (pii.Vault.Open).
	HolderID func(sealed []byte) (string, error)
}

// RecordApplicationEvent applies an event (advance a step, request
// materials, materials received, suspend, resume, extend, complete) to the
// application with the number, audited. Advancing an application whose
// item produces a certificate to 制证 issues the certificate in the same
// transaction; maker must then be given (and is refused otherwise).
func (s *Store) RecordApplicationEvent(ctx context.Context, a Actor, number string, ev application.Event, maker *CertificateMaker) (Application, error) {
	var app Application
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		app, err = tx.recordApplicationEvent(a, number, ev, maker)
		return err
	})
	return app, err
}

// recordApplicationEvent is RecordApplicationEvent in tx.
func (tx *Tx) recordApplicationEvent(a Actor, number string, ev application.Event, maker *CertificateMaker) (Application, error) {
	ctx := tx.ctx
	app, err := loadApplication(ctx, txQuerier{tx}, tx.Query, "a.number = ?", number)
	if err != nil {
		return app, err
	}
	ev.At, ev.Actor = tx.now, a.Name
	before := app.auditView()
	if app.State, err = application.Apply(app.State, ev); err != nil {
		return app, err
	}
	if _, err := tx.Exec(`UPDATE applications SET step = ?, status = ?, outcome = ?, extend_days = ?, completed_at = ?
		WHERE id = ?`, string(app.State.Step), string(app.State.Status), string(app.State.Outcome), app.State.ExtendDays,
		ms(app.State.CompletedAt), app.ID); err != nil {
		return app, fmt.Errorf("store: update application %s: %w", number, err)
	}
	if err := tx.applicationEvent(app.ID, ev); err != nil {
		return app, err
	}
	app.Events = append(app.Events, ev)
	if err := tx.outboxApplicationEvent(app, ev, len(app.Events)); err != nil {
		return app, err
	}
	after := app.auditView()
	if ev.Note != "" {
		after["note"] = ev.Note
	}
	if err := tx.Audit(a, "application."+string(ev.Kind), "application", app.Number, before, after); err != nil {
		return app, err
	}
	if ev.Kind == application.EvComplete && ev.Outcome != application.Approved {
		if err := tx.revokeApplicationCertificates(a, app, ev); err != nil {
			return app, err
		}
	}
	making := ev.Kind == application.EvAdvance && app.State.Step == application.Make
	return app, tx.makeCertificate(a, app, making, maker)
}

const applicationColumns = `a.id, a.number, a.item, COALESCE(i.name, ''), a.applicant_name, a.applicant_masked, a.applicant_sealed,
	COALESCE(a.ticket_id, 0), a.window, a.legal_days, a.promised_days, a.instant, a.accepted_at, a.accepted_by,
	a.step, a.status, a.outcome, a.extend_days, a.completed_at, a.qr_token`

func scanApplication(r scanner) (Application, error) {
	var app Application
	var accepted, completed int64
	var step, status, outcome string
	err := r.Scan(&app.ID, &app.Number, &app.Item, &app.ItemName, &app.ApplicantName, &app.ApplicantMasked,
		&app.ApplicantSealed, &app.TicketID, &app.Window, &app.LegalDays, &app.PromisedDays, &app.Instant,
		&accepted, &app.AcceptedBy, &step, &status, &outcome, &app.State.ExtendDays, &completed, &app.QRToken)
	if err != nil {
		return app, err
	}
	app.AcceptedAt, app.State.CompletedAt = fromMS(accepted), fromMS(completed)
	app.State.Step, app.State.Status = application.Step(step), application.Status(status)
	app.State.Outcome = application.Outcome(outcome)
	return app, nil
}

// loadApplication reads one application, where is a condition on "a",
// with its events; q and query are the read path or the writer's.
func loadApplication(ctx context.Context, q querier, query func(string, ...any) (*sql.Rows, error), where string, arg any) (Application, error) {
	app, err := scanApplication(q.QueryRowContext(ctx, "SELECT "+applicationColumns+
		" FROM applications a LEFT JOIN items i ON i.code = a.item WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return app, fmt.Errorf("%w: no application %v", ErrNotFound, arg)
	}
	if err != nil {
		return app, fmt.Errorf("store: application %v: %w", arg, err)
	}
	rows, err := query(`SELECT kind, at, actor, step, suspend, days, outcome, note FROM application_events
		WHERE application_id = ? ORDER BY id`, app.ID)
	if err != nil {
		return app, fmt.Errorf("store: application events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev application.Event
		var at int64
		var kind, step, suspend, outcome string
		if err := rows.Scan(&kind, &at, &ev.Actor, &step, &suspend, &ev.Days, &outcome, &ev.Note); err != nil {
			return app, fmt.Errorf("store: application events: %w", err)
		}
		ev.Kind, ev.At, ev.Step = application.EventKind(kind), fromMS(at), application.Step(step)
		ev.Suspend, ev.Outcome = application.SuspendKind(suspend), application.Outcome(outcome)
		app.Events = append(app.Events, ev)
	}
	return app, rows.Err()
}

func (s *Store) readQuery(ctx context.Context) func(string, ...any) (*sql.Rows, error) {
	return func(q string, args ...any) (*sql.Rows, error) { return s.query(ctx, q, args...) }
}

// ApplicationByNumber returns an application with its events.
func (s *Store) ApplicationByNumber(ctx context.Context, number string) (Application, error) {
	return loadApplication(ctx, readQuerier{s}, s.readQuery(ctx), "a.number = ?", strings.TrimSpace(number))
}

// ApplicationByToken returns the application whose acceptance notice
// carries the QR token: the QR code's whole text (a URL ending in the
// token, in any case) or the token alone.
func (s *Store) ApplicationByToken(ctx context.Context, qr string) (Application, error) {
	qr = strings.TrimSpace(qr)
	token := strings.ToLower(qr[strings.LastIndex(qr, "/")+1:])
	return loadApplication(ctx, readQuerier{s}, s.readQuery(ctx), "a.qr_token = ?", token)
}

// ApplicationsByApplicant lists an applicant's applications (found by the
// keyed hash of their ID number), newest first.
func (s *Store) ApplicationsByApplicant(ctx context.Context, hash string) ([]Application, error) {
	return s.applicationsWhere(ctx, "applications of applicant",
		"a.applicant_hash = ? ORDER BY a.accepted_at DESC, a.id DESC", hash)
}

// OpenApplications lists the applications not yet completed, oldest
// first: what electronic supervision watches.
func (s *Store) OpenApplications(ctx context.Context) ([]Application, error) {
	return s.applicationsWhere(ctx, "open applications", "a.status <> 'completed' ORDER BY a.accepted_at, a.id")
}

// applicationsWhere loads, with their events, the applications a
// condition (and order) on "a" selects.
func (s *Store) applicationsWhere(ctx context.Context, what, where string, args ...any) ([]Application, error) {
	rows, err := s.query(ctx, "SELECT a.number FROM applications a WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		numbers = append(numbers, n)
	}
	rows.Close()
	out := make([]Application, 0, len(numbers))
	for _, n := range numbers {
		app, err := s.ApplicationByNumber(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, app)
	}
	return out, nil
}

// makeCertificate issues the certificate of an application that has just
// reached 制证 (making), if its item produces one.
func (tx *Tx) makeCertificate(a Actor, app Application, making bool, maker *CertificateMaker) error {
	given := maker != nil && len(maker.Fields) > 0
	if !making {
		if given {
			return fmt.Errorf("%w: certificate fields are filled in only when advancing to 制证 (make)", ErrInvalid)
		}
		return nil
	}
	var detail, hash string
	var sealed []byte
	if err := tx.QueryRow(`SELECT i.detail, a.applicant_hash, a.applicant_sealed FROM applications a
		JOIN items i ON i.code = a.item WHERE a.id = ?`, app.ID).Scan(&detail, &hash, &sealed); err != nil {
		return fmt.Errorf("store: make certificate: %w", err)
	}
	var item catalogue.Item
	if err := json.Unmarshal([]byte(detail), &item); err != nil {
		return fmt.Errorf("store: make certificate: item %s: %w", app.Item, err)
	}
	spec := item.Certificate
	if spec == nil {
		if given {
			return fmt.Errorf("%w: %s produces no certificate: leave the certificate fields out", ErrInvalid, app.ItemName)
		}
		return nil
	}
	if maker == nil || maker.Keys == nil || maker.HolderID == nil {
		return fmt.Errorf("%w: %s produces a %s: fill in its fields (%s) when advancing to 制证",
			ErrInvalid, app.ItemName, spec.Title, strings.Join(spec.Fields, "、"))
	}
	req := CertificateRequest{Type: spec.Type, Title: spec.Title, Expires: ExpiryAfterYears(tx.now, spec.ValidYears),
		HolderName: app.ApplicantName, HolderHash: hash, HolderSealed: sealed, HolderMasked: app.ApplicantMasked}
	var missing []string
	for _, name := range spec.Fields {
		v := strings.TrimSpace(maker.Fields[name])
		if v == "" {
			missing = append(missing, name)
		}
		req.Fields = append(req.Fields, CertificateField{Name: name, Value: v})
	}
	for name := range maker.Fields {
		if !slices.Contains(spec.Fields, name) {
			return fmt.Errorf("%w: the %s has no field %q: its fields are %s", ErrInvalid, spec.Title, name, strings.Join(spec.Fields, "、"))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: the %s needs %s: fill them in", ErrInvalid, spec.Title, strings.Join(missing, "、"))
	}
	id, err := maker.HolderID(sealed)
	if err != nil {
		return fmt.Errorf("store: make certificate: open the applicant's ID number: %w", err)
	}
	req.HolderID = id
	if err := req.validate(); err != nil {
		return err
	}
	_, err = tx.issueCertificate(a, req, maker.Keys, app.ID)
	return err
}

// revokeApplicationCertificates revokes what was made at 制证 for an
// application that ends rejected or withdrawn: a certificate must not
// outlive the decision it stood for. Audited per certificate.
func (tx *Tx) revokeApplicationCertificates(a Actor, app Application, ev application.Event) error {
	rows, err := tx.Query("SELECT serial FROM certificates WHERE application_id = ? AND revoked_at = 0", app.ID)
	if err != nil {
		return fmt.Errorf("store: revoke certificates of %s: %w", app.Number, err)
	}
	var serials []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("store: revoke certificates of %s: %w", app.Number, err)
		}
		serials = append(serials, s)
	}
	rows.Close()
	reason := map[application.Outcome]string{application.Rejected: "申请不予许可", application.Withdrawn: "申请已撤回"}[ev.Outcome]
	if reason == "" {
		reason = "申请已办结（" + string(ev.Outcome) + "）"
	}
	for _, serial := range serials {
		if _, err := tx.Exec("UPDATE certificates SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE serial = ?",
			ms(tx.now), a.Name, reason, serial); err != nil {
			return fmt.Errorf("store: revoke certificate %s: %w", serial, err)
		}
		if err := tx.Audit(a, "cert.revoke", "certificate", serial, map[string]any{"revoked": false},
			map[string]any{"revoked": true, "reason": reason, "application": app.Number}); err != nil {
			return err
		}
		if err := tx.outboxCertificateRevoked(serial, reason); err != nil {
			return err
		}
	}
	return nil
}

// SetApplicationNumberFormat sets how new application numbers are made
// (see FormatApplicationNumber); numbers already given keep their form.
// Audited.
func (s *Store) SetApplicationNumberFormat(ctx context.Context, a Actor, format string) error {
	if _, err := FormatApplicationNumber(format, "520000-ZWFW", "2026-01-01", 1); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, _, err := metaValue(ctx, txQuerier{tx}, "application_number_format")
		if err != nil {
			return err
		}
		if err := tx.setMeta("application_number_format", format); err != nil {
			return err
		}
		return tx.Audit(a, "application.number_format", "hall", "application_number_format",
			map[string]any{"format": old}, map[string]any{"format": format})
	})
}
