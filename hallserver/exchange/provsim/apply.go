package provsim

import (
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"onestop/hallserver/cert"
	"onestop/hallserver/exchange"
)

// apply makes an event take effect in the hall's views. It returns a
// *rejection before writing anything when the event cannot be taken.
func (t *pushTx) apply(e exchange.Event, data []byte) error {
	st := t.p.st
	exec := func(what string, s *sql.Stmt, args ...any) error {
		if _, err := t.ts.exec(s, args...); err != nil {
			return fmt.Errorf("provsim: apply %s %s: %s: %w", e.Kind, e.Key, what, err)
		}
		return nil
	}
	switch e.Kind {
	case exchange.KindTicketSummary:
		var v exchange.TicketSummary
		if err := decode(e, data, &v); err != nil {
			return err
		}
		return exec("ticket", st.ticketAdd, t.hall, v.Day, v.State, v.WaitS, v.ServeS)

	case exchange.KindRatingRecorded:
		var v exchange.RatingRecorded
		if err := decode(e, data, &v); err != nil {
			return err
		}
		return exec("rating", st.ratingPut, t.hall, v.Target, v.ID, v.Level, ms(v.At))

	case exchange.KindRatingFollowup:
		var v exchange.RatingFollowup
		if err := decode(e, data, &v); err != nil {
			return err
		}
		return exec("follow-up", st.followupPut, t.hall, v.RatingID, v.Stage, v.By, ms(v.At))

	case exchange.KindApplicationEvent:
		var v exchange.ApplicationEvent
		if err := decode(e, data, &v); err != nil {
			return err
		}
		return exec("application", st.appPut, t.hall, v.Number, v.Item, v.Index, v.Kind, v.Step, v.Status, v.Outcome, ms(v.At))

	case exchange.KindUpdateRefused:
		var v exchange.UpdateRefused
		if err := decode(e, data, &v); err != nil {
			return err
		}
		r, err := t.ts.exec(st.updateRefused, v.Reason, ms(v.At), t.hall, v.Cursor)
		if err != nil {
			return fmt.Errorf("provsim: apply %s %s: %w", e.Kind, e.Key, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			t.p.log.Warn("provsim: a hall refused an update the province never sent it", "hall", t.hall, "cursor", v.Cursor, "number", v.Number)
		}
		return nil

	case exchange.KindCertificateIssued:
		var v exchange.CertificateIssued
		if err := decode(e, data, &v); err != nil {
			return err
		}
		return exec("certificate", st.certIssued, t.hall, v.Serial, v.KID, v.Type, v.Title, v.Application, ms(v.IssuedAt), v.RecordSHA256)

	case exchange.KindCertificateRevoked:
		var v exchange.CertificateRevoked
		if err := decode(e, data, &v); err != nil {
			return err
		}
		t.trustChanged = true
		return exec("revocation", st.certRevoked, t.hall, v.Serial, ms(v.RevokedAt), v.Reason)

	case exchange.KindSigningKey:
		return t.applySigningKey(e, data)

	case exchange.KindAuditHead:
		return t.applyAuditHead(e, data)
	}
	// CheckEvent knows every kind this switch does.
	return fmt.Errorf("provsim: apply %s: kind %q has no view: this is a provsim bug", e.Key, e.Kind)
}

func decode(e exchange.Event, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return reject("event %s: %s data: %v", e.Key, e.Kind, err)
	}
	return nil
}

// keyRank orders a key's statuses: a key never goes back (a retired key
// is not made active again by a late copy of its first event).
var keyRank = map[string]int{"active": 0, "retired": 1, "revoked": 2}

func (t *pushTx) applySigningKey(e exchange.Event, data []byte) error {
	var v exchange.SigningKeyChanged
	if err := decode(e, data, &v); err != nil {
		return err
	}
	pub, err := base64.StdEncoding.DecodeString(v.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return reject("event %s: signing key %s: public_key is not the base64 of 32 bytes", e.Key, v.KID)
	}
	if kid := cert.KeyID(pub).String(); kid != v.KID {
		return reject("event %s: signing key %s: the public key's id is %s", e.Key, v.KID, kid)
	}
	k := cert.TrustedKey{Hall: t.hall, PublicKey: pub, ValidFrom: v.ValidFrom, ValidUntil: v.ValidUntil,
		Status: cert.KeyStatus(v.Status), Note: v.Note}
	if _, err := cert.NewTrustList(1, []cert.TrustedKey{k}); err != nil {
		return reject("event %s: signing key %s cannot go into a trust list: %v", e.Key, v.KID, err)
	}
	var owner, status string
	err = t.ts.row(t.p.st.sigKeyGet, v.KID).Scan(&owner, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("provsim: read signing key %s: %w", v.KID, err)
	case owner != t.hall:
		return reject("event %s: signing key %s belongs to hall %s", e.Key, v.KID, owner)
	case keyRank[v.Status] < keyRank[status]:
		return nil // an older state of a key that moved on: taken, nothing changes
	}
	if _, err := t.ts.exec(t.p.st.sigKeyPut, t.hall, v.KID, pub, v.Status, ms(v.ValidFrom), ms(v.ValidUntil), v.Note, ms(t.now)); err != nil {
		return fmt.Errorf("provsim: apply %s %s: %w", e.Kind, e.Key, err)
	}
	t.trustChanged = true
	return nil
}

func (t *pushTx) applyAuditHead(e exchange.Event, data []byte) error {
	var v exchange.AuditHead
	if err := decode(e, data, &v); err != nil {
		return err
	}
	st := t.p.st
	var problems []string
	if v.PrevID > 0 {
		var hash string
		var received int64
		err := t.ts.row(st.auditGet, t.hall, v.PrevID).Scan(&hash, &received)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("provsim: read audit head %d: %w", v.PrevID, err)
		case hash != v.PrevHash:
			problems = append(problems, fmt.Sprintf("the head at record %d says record %d has hash %s, but the province received %s for it on %s: the hall's audit history was rewritten",
				v.LastID, v.PrevID, v.PrevHash, hash, fromMS(received).Format("2006-01-02 15:04:05Z07:00")))
		}
	}
	var top int64
	if err := t.ts.row(st.auditMax, t.hall).Scan(&top); err != nil {
		return fmt.Errorf("provsim: read audit heads: %w", err)
	}
	if v.LastID < top {
		problems = append(problems, fmt.Sprintf("the audit head went back from record %d to record %d: the hall's audit history was cut or restored from an old backup", top, v.LastID))
	}
	if _, err := t.ts.exec(st.auditPut, t.hall, v.LastID, v.Hash, v.PrevID, v.PrevHash, ms(v.At), ms(t.now)); err != nil {
		return fmt.Errorf("provsim: apply %s %s: %w", e.Kind, e.Key, err)
	}
	return t.flagAudit(problems)
}

// auditDuplicate compares a head whose record id was anchored before with
// the first copy: another hash for the same record means a rewrite.
func (t *pushTx) auditDuplicate(data, first []byte) error {
	var now, was exchange.AuditHead
	if json.Unmarshal(data, &now) != nil || json.Unmarshal(first, &was) != nil {
		return nil
	}
	if now.Hash == was.Hash {
		return nil
	}
	return t.flagAudit([]string{fmt.Sprintf("record %d was anchored with hash %s and is now sent with hash %s: the hall's audit history was rewritten",
		now.LastID, was.Hash, now.Hash)})
}

func (t *pushTx) flagAudit(problems []string) error {
	for _, msg := range problems {
		t.p.log.Warn("provsim: audit mismatch", "hall", t.hall, "detail", msg)
		if _, err := t.ts.exec(t.p.st.mismatchPut, t.hall, msg, ms(t.now)); err != nil {
			return fmt.Errorf("provsim: record audit mismatch: %w", err)
		}
		if _, err := t.ts.exec(t.p.st.hallMismatch, t.hall); err != nil {
			return fmt.Errorf("provsim: flag hall %s: %w", t.hall, err)
		}
	}
	return nil
}
