package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/hallserver/application"
	"onestop/hallserver/exchange"
)

// The functions here turn the hall's changes into the province's events
// (hallserver/exchange), in the transaction of the change. None of them
// carries a citizen's name, ID number, phone number or free-text comment.

// outboxTicketEnd reports a ticket that reached its end.
func (tx *Tx) outboxTicketEnd(t Ticket) error {
	s := exchange.TicketSummary{Day: t.Day, Number: t.Number, Queue: t.Queue, Item: t.Item,
		Priority: string(t.Priority), Channel: "counter", State: string(t.State), Window: t.Window,
		IssuedAt: t.IssuedAt, CalledAt: t.CalledAt, StartedAt: t.StartedAt, FinishedAt: t.FinishedAt, Recalls: t.Recalls}
	if t.KioskID != 0 {
		s.Channel = "kiosk"
	}
	if !t.CalledAt.IsZero() {
		s.WaitS = int64(t.CalledAt.Sub(t.IssuedAt).Seconds())
	}
	if !t.StartedAt.IsZero() && t.State == "done" {
		s.ServeS = int64(t.FinishedAt.Sub(t.StartedAt).Seconds())
	}
	return tx.outbox(exchange.KindTicketSummary, "ticket:"+strconv.FormatInt(t.ID, 10), s)
}

// outboxRating reports a rating (or a re-rating replacing one).
func (tx *Tx) outboxRating(r Rating) error {
	target := "ticket:" + r.TicketDay + "/" + r.TicketNumber
	if r.ApplicationNumber != "" {
		target = "application:" + r.ApplicationNumber
	}
	return tx.outbox(exchange.KindRatingRecorded, "rating-of:"+target, exchange.RatingRecorded{
		ID: r.ID, Replaces: r.Replaces, Target: target, Level: r.Level, Reasons: r.Reasons, Channel: r.Channel,
		Staff: r.Staff, Window: r.Window, Item: r.Item, At: r.At})
}

// outboxFollowup reports a step of a bad rating's follow-up; it follows
// the rating in the same aggregate.
func (tx *Tx) outboxFollowup(r Rating, stage, by string) error {
	target := "ticket:" + r.TicketDay + "/" + r.TicketNumber
	if r.ApplicationNumber != "" {
		target = "application:" + r.ApplicationNumber
	}
	return tx.outbox(exchange.KindRatingFollowup, "rating-of:"+target, exchange.RatingFollowup{
		RatingID: r.ID, Stage: stage, By: by, At: tx.now})
}

// outboxApplicationEvent reports the index-th event (from 1) of app, whose
// State is already the state after it.
func (tx *Tx) outboxApplicationEvent(app Application, ev application.Event, index int) error {
	e := exchange.ApplicationEvent{Number: app.Number, Index: index, Item: app.Item, Kind: string(ev.Kind),
		Step: string(app.State.Step), Status: string(app.State.Status), Outcome: string(ev.Outcome),
		Suspend: string(ev.Suspend), Days: ev.Days, Actor: ev.Actor, Window: app.Window, At: ev.At}
	if ev.Kind == application.EvAccept {
		e.LegalDays, e.PromisedDays = app.LegalDays, app.PromisedDays
	}
	return tx.outbox(exchange.KindApplicationEvent, "application:"+app.Number, e)
}

// outboxCertificateIssued reports a certificate the hall signed.
func (tx *Tx) outboxCertificateIssued(c Certificate, item string) error {
	sum := sha256.Sum256(c.COSE)
	return tx.outbox(exchange.KindCertificateIssued, "certificate:"+c.Serial.String(), exchange.CertificateIssued{
		Serial: c.Serial.String(), KID: c.KID.String(), Type: c.Type, Title: c.Title, Application: c.ApplicationNumber,
		Item: item, IssuedAt: c.IssuedAt, ValidFrom: c.IssuedAt, ValidUntil: c.Expires, RecordSHA256: hex.EncodeToString(sum[:])})
}

// outboxCertificateRevoked reports a revocation made now.
func (tx *Tx) outboxCertificateRevoked(serial, reason string) error {
	return tx.outboxRevokedAt(serial, tx.now, reason)
}

// outboxRevokedAt reports a revocation. The reason staff typed stays in
// the hall (its records, its own check page): it may name the holder, and
// the province passes revocations on to every hall. Only the fixed reasons
// of an application's outcome travel; any other says where to ask.
func (tx *Tx) outboxRevokedAt(serial string, at time.Time, reason string) error {
	if !applicationOutcomeReason(reason) {
		reason = "发证大厅已撤销，原因请向发证大厅了解 (revoked by the issuing hall; ask it why)"
	}
	return tx.outbox(exchange.KindCertificateRevoked, "certificate:"+serial, exchange.CertificateRevoked{
		Serial: serial, RevokedAt: at, Reason: reason})
}

// outboxSigningKey reports one of the hall's signing keys as it stands
// now in the transaction.
func (tx *Tx) outboxSigningKey(kid string) error {
	var pub []byte
	var from, until int64
	var status string
	err := tx.QueryRow("SELECT public_key, valid_from, COALESCE(valid_until, 0), status FROM signing_keys WHERE kid = ?", kid).
		Scan(&pub, &from, &until, &status)
	if err == sql.ErrNoRows {
		return fmt.Errorf("store: outbox signing key %s: no such key", kid)
	}
	if err != nil {
		return fmt.Errorf("store: outbox signing key %s: %w", kid, err)
	}
	return tx.outbox(exchange.KindSigningKey, "signing_key:"+kid, exchange.SigningKeyChanged{
		KID: kid, PublicKey: base64.StdEncoding.EncodeToString(pub), Status: status,
		ValidFrom: fromMS(from), ValidUntil: fromMS(until)}) // the note staff typed stays here
}

// applicationOutcomeReason reports whether reason is one of the fixed
// reasons revokeApplicationCertificates gives (no personal data in them).
func applicationOutcomeReason(reason string) bool {
	switch {
	case reason == "申请不予许可", reason == "申请已撤回":
		return true
	case strings.HasPrefix(reason, "申请已办结（") && strings.HasSuffix(reason, "）"):
		o := strings.TrimSuffix(strings.TrimPrefix(reason, "申请已办结（"), "）")
		return o != "" && strings.Trim(o, "abcdefghijklmnopqrstuvwxyz_") == ""
	}
	return false
}
