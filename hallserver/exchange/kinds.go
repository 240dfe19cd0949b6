package exchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Event kinds of API v1. Every payload is free of citizens' personal data:
// no name, ID number, phone or free-text comment leaves the hall.
const (
	KindTicketSummary      = "ticket.summary"             // a ticket reached its end (done, no-show, cancelled)
	KindRatingRecorded     = "rating.recorded"            // a rating, or a re-rating that replaces one
	KindRatingFollowup     = "rating.followup"            // a bad rating was called back or resolved
	KindApplicationEvent   = "application.event"          // an application was accepted or moved on
	KindUpdateRefused      = "application.update_refused" // a province update could not be applied
	KindCertificateIssued  = "certificate.issued"
	KindCertificateRevoked = "certificate.revoked"
	KindSigningKey         = "signing_key.changed" // a certificate signing key was added, retired or revoked
	KindAuditHead          = "audit.head"          // the audit chain's head, anchored every few minutes
)

// payload is what every kind's data decodes into: it checks itself and
// names the thing it records, for deduplication by natural key.
type payload interface {
	validate() error
	naturalKey() string
}

var kinds = map[string]func() payload{
	KindTicketSummary:      func() payload { return new(TicketSummary) },
	KindRatingRecorded:     func() payload { return new(RatingRecorded) },
	KindRatingFollowup:     func() payload { return new(RatingFollowup) },
	KindApplicationEvent:   func() payload { return new(ApplicationEvent) },
	KindUpdateRefused:      func() payload { return new(UpdateRefused) },
	KindCertificateIssued:  func() payload { return new(CertificateIssued) },
	KindCertificateRevoked: func() payload { return new(CertificateRevoked) },
	KindSigningKey:         func() payload { return new(SigningKeyChanged) },
	KindAuditHead:          func() payload { return new(AuditHead) },
}

// ErrInvalidEvent is wrapped by every error CheckEvent returns.
var ErrInvalidEvent = errors.New("exchange: invalid event")

// CheckEvent decodes and checks an event's payload and returns its natural
// key: the identity of what it records, the same for every copy of it
// however it was keyed ("ticket:2026-11-26/A001", "certificate:XYZ/revoked").
// An error means the event can never be applied as it is.
func CheckEvent(e Event) (natural string, err error) {
	if e.Key == "" || len(e.Key) > 100 {
		return "", fmt.Errorf("%w: key must be 1–100 characters", ErrInvalidEvent)
	}
	if e.Aggregate == "" || e.Seq <= 0 || e.OccurredAt.IsZero() {
		return "", fmt.Errorf("%w %s: aggregate, seq > 0 and occurred_at are needed", ErrInvalidEvent, e.Key)
	}
	mk, ok := kinds[e.Kind]
	if !ok {
		return "", fmt.Errorf("%w %s: unknown kind %q", ErrInvalidEvent, e.Key, e.Kind)
	}
	p := mk()
	if err := json.Unmarshal(e.Data, p); err != nil {
		return "", fmt.Errorf("%w %s: %s data: %v", ErrInvalidEvent, e.Key, e.Kind, err)
	}
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("%w %s: %s: %v", ErrInvalidEvent, e.Key, e.Kind, err)
	}
	return p.naturalKey(), nil
}

func need(fields ...any) error {
	for i := 0; i < len(fields); i += 2 {
		name := fields[i].(string)
		switch v := fields[i+1].(type) {
		case string:
			if v == "" {
				return fmt.Errorf("%s is missing", name)
			}
		case int64:
			if v <= 0 {
				return fmt.Errorf("%s must be positive", name)
			}
		case int:
			if v <= 0 {
				return fmt.Errorf("%s must be positive", name)
			}
		case time.Time:
			if v.IsZero() {
				return fmt.Errorf("%s is missing", name)
			}
		}
	}
	return nil
}

// TicketSummary is a ticket that reached its end: numbers and times only.
type TicketSummary struct {
	Day        string    `json:"day"`    // service day, YYYY-MM-DD (Asia/Shanghai)
	Number     string    `json:"number"` // A001
	Queue      string    `json:"queue"`  // queue it ended in
	Item       string    `json:"item,omitempty"`
	Priority   string    `json:"priority,omitempty"`
	Channel    string    `json:"channel,omitempty"` // kiosk, counter, phone ...
	State      string    `json:"state"`             // done, no_show, cancelled
	Window     string    `json:"window,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
	CalledAt   time.Time `json:"called_at,omitzero"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at"`
	WaitS      int64     `json:"wait_s"`  // issued → first call
	ServeS     int64     `json:"serve_s"` // start → finish
	Recalls    int       `json:"recalls"`
}

func (t *TicketSummary) validate() error {
	switch t.State {
	case "done", "no_show", "cancelled":
	default:
		return fmt.Errorf("state %q is not an end state (done, no_show, cancelled)", t.State)
	}
	return need("day", t.Day, "number", t.Number, "queue", t.Queue, "issued_at", t.IssuedAt, "finished_at", t.FinishedAt)
}
func (t *TicketSummary) naturalKey() string { return "ticket:" + t.Day + "/" + t.Number }

// RatingRecorded is a 好差评 rating of a visit or an application. Replaces
// names the hall's earlier rating of the same thing that this one
// supersedes (a re-rating after a follow-up), 0 for a first rating.
type RatingRecorded struct {
	ID       int64     `json:"id"` // the hall's rating id
	Replaces int64     `json:"replaces,omitempty"`
	Target   string    `json:"target"` // "ticket:<day>/<number>" or "application:<number>"
	Level    int       `json:"level"`  // 1 (非常不满意) … 5 (非常满意)
	Reasons  []string  `json:"reasons,omitempty"`
	Channel  string    `json:"channel"`
	Staff    string    `json:"staff,omitempty"` // staff username who served
	Window   string    `json:"window,omitempty"`
	Item     string    `json:"item,omitempty"`
	At       time.Time `json:"at"`
}

func (r *RatingRecorded) validate() error {
	if r.Level < 1 || r.Level > 5 {
		return fmt.Errorf("level %d is not 1–5", r.Level)
	}
	return need("id", r.ID, "target", r.Target, "channel", r.Channel, "at", r.At)
}
func (r *RatingRecorded) naturalKey() string { return "rating:" + strconv.FormatInt(r.ID, 10) }

// RatingFollowup is a step of a bad rating's follow-up (回访, 整改).
type RatingFollowup struct {
	RatingID int64     `json:"rating_id"`
	Stage    string    `json:"stage"` // called_back, resolved
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

func (f *RatingFollowup) validate() error {
	if f.Stage != "called_back" && f.Stage != "resolved" {
		return fmt.Errorf("stage %q is not called_back or resolved", f.Stage)
	}
	return need("rating_id", f.RatingID, "by", f.By, "at", f.At)
}
func (f *RatingFollowup) naturalKey() string {
	return "rating:" + strconv.FormatInt(f.RatingID, 10) + "/" + f.Stage
}

// ApplicationEvent is one event of an application's history (受理, a step,
// 补正, suspension, extension, 办结). Index counts the application's events
// from 1, so number+index names it.
type ApplicationEvent struct {
	Number       string    `json:"number"`
	Index        int       `json:"index"`
	Item         string    `json:"item"`
	Kind         string    `json:"kind"` // accept, advance, request_materials, ... complete
	Step         string    `json:"step"` // the step after the event
	Status       string    `json:"status"`
	Outcome      string    `json:"outcome,omitempty"`
	Suspend      string    `json:"suspend,omitempty"`
	Days         int       `json:"days,omitempty"`
	Actor        string    `json:"actor"` // staff username, or "province:<by>"
	Window       string    `json:"window,omitempty"`
	LegalDays    int       `json:"legal_days,omitempty"`    // with accept
	PromisedDays int       `json:"promised_days,omitempty"` // with accept
	At           time.Time `json:"at"`
}

func (a *ApplicationEvent) validate() error {
	return need("number", a.Number, "index", a.Index, "item", a.Item, "kind", a.Kind, "step", a.Step,
		"status", a.Status, "actor", a.Actor, "at", a.At)
}
func (a *ApplicationEvent) naturalKey() string {
	return "application:" + a.Number + "#" + strconv.Itoa(a.Index)
}

// UpdateRefused tells the province that one of its application updates
// could not be applied, and why (the hall moved past it, no such
// application, ...). The hall goes on with the next update.
type UpdateRefused struct {
	Cursor int64     `json:"cursor"`
	Number string    `json:"number"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

func (u *UpdateRefused) validate() error {
	return need("cursor", u.Cursor, "number", u.Number, "reason", u.Reason, "at", u.At)
}
func (u *UpdateRefused) naturalKey() string {
	return "update:" + strconv.FormatInt(u.Cursor, 10) + "/refused"
}

// CertificateIssued is a certificate the hall signed: what identifies it
// and the digest of its record, never the holder's data.
type CertificateIssued struct {
	Serial       string    `json:"serial"`
	KID          string    `json:"kid"`
	Type         string    `json:"type"`
	Title        string    `json:"title"`
	Application  string    `json:"application,omitempty"`
	Item         string    `json:"item,omitempty"`
	IssuedAt     time.Time `json:"issued_at"`
	ValidFrom    time.Time `json:"valid_from"`
	ValidUntil   time.Time `json:"valid_until,omitzero"`
	RecordSHA256 string    `json:"record_sha256"`
}

func (c *CertificateIssued) validate() error {
	return need("serial", c.Serial, "kid", c.KID, "type", c.Type, "issued_at", c.IssuedAt, "record_sha256", c.RecordSHA256)
}
func (c *CertificateIssued) naturalKey() string { return "certificate:" + c.Serial + "/issued" }

// CertificateRevoked is a certificate the hall revoked.
type CertificateRevoked struct {
	Serial    string    `json:"serial"`
	RevokedAt time.Time `json:"revoked_at"`
	Reason    string    `json:"reason"`
}

func (c *CertificateRevoked) validate() error {
	return need("serial", c.Serial, "revoked_at", c.RevokedAt, "reason", c.Reason)
}
func (c *CertificateRevoked) naturalKey() string { return "certificate:" + c.Serial + "/revoked" }

// SigningKeyChanged is one of the hall's certificate signing keys as it
// now stands; the province builds the trust list from these.
type SigningKeyChanged struct {
	KID        string    `json:"kid"`
	PublicKey  string    `json:"public_key"` // base64 (std), 32 bytes
	Status     string    `json:"status"`     // active, retired, revoked
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	Note       string    `json:"note,omitempty"`
}

func (k *SigningKeyChanged) validate() error {
	switch k.Status {
	case "active", "retired", "revoked":
	default:
		return fmt.Errorf("status %q is not active, retired or revoked", k.Status)
	}
	return need("kid", k.KID, "public_key", k.PublicKey, "valid_from", k.ValidFrom)
}
func (k *SigningKeyChanged) naturalKey() string { return "signing_key:" + k.KID + "/" + k.Status }

// AuditHead anchors the hall's audit chain: its head now, and the hash of
// the record at the previous anchor as the hall's chain has it now. If the
// hall's history was rewritten since, PrevHash differs from the Hash the
// province received for PrevID, and the province flags the hall.
type AuditHead struct {
	LastID   int64     `json:"last_id"`
	Hash     string    `json:"hash"`
	PrevID   int64     `json:"prev_id,omitempty"`
	PrevHash string    `json:"prev_hash,omitempty"`
	At       time.Time `json:"at"`
}

func (h *AuditHead) validate() error {
	if len(h.Hash) != 64 || (h.PrevID > 0 && len(h.PrevHash) != 64) {
		return errors.New("hashes must be 64 hex digits")
	}
	return need("last_id", h.LastID, "at", h.At)
}
func (h *AuditHead) naturalKey() string { return "audit:" + strconv.FormatInt(h.LastID, 10) }
