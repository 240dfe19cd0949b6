package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"onestop/hallserver/application"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/cert"
	"onestop/hallserver/exchange"
	"onestop/hallserver/queue"
)

// Meta keys of what the hall has taken from the province.
const (
	provinceCatalogueKey = "province_catalogue_version"
	provinceTrustKey     = "province_trust_version"
	provinceCursorKey    = "province_update_cursor"
	provinceAnchorKey    = "province_anchor_id" // audit record id of the last head put in the outbox
)

// ProvinceActor is who the province's changes are recorded as.
var ProvinceActor = Actor{Name: "province", Role: "system"}

// ProvinceState is what the hall has pulled from the province so far.
type ProvinceState struct {
	CatalogueVersion int64
	TrustVersion     int64
	UpdateCursor     int64
	AnchorID         int64
}

// ProvinceState reads the versions and cursor the pulls resume from.
func (s *Store) ProvinceState(ctx context.Context) (ProvinceState, error) {
	var st ProvinceState
	for _, f := range []struct {
		key string
		v   *int64
	}{{provinceCatalogueKey, &st.CatalogueVersion}, {provinceTrustKey, &st.TrustVersion},
		{provinceCursorKey, &st.UpdateCursor}, {provinceAnchorKey, &st.AnchorID}} {
		raw, ok, err := metaValue(ctx, readQuerier{s}, f.key)
		if err != nil {
			return st, err
		}
		if ok {
			if *f.v, err = strconv.ParseInt(raw, 10, 64); err != nil {
				return st, fmt.Errorf("store: %s is damaged (%q): %w", f.key, raw, err)
			}
		}
	}
	return st, nil
}

func (tx *Tx) metaInt(key string) (int64, error) {
	raw, ok, err := metaValue(tx.ctx, txQuerier{tx}, key)
	if err != nil || !ok {
		return 0, err
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: %s is damaged (%q): %w", key, raw, err)
	}
	return v, nil
}

// ErrCatalogueWaits is wrapped when a newer province catalogue is not
// applied yet because it would strand open tickets; the pull tries again.
var ErrCatalogueWaits = errors.New("the new catalogue waits")

// ApplyProvinceCatalogue applies the province's catalogue version if it is
// newer than the one applied, without disturbing open tickets: items
// dropped are retired (tickets and applications naming them keep them),
// windows keep their open state and current tickets. A catalogue that no
// longer lets any window call a queue in which tickets still wait is not
// applied now: the error wraps ErrCatalogueWaits and ErrConflict and says
// which queue; the next pull tries again (after those tickets are served,
// or at the end of the day). It reports whether it applied. Audited.
func (s *Store) ApplyProvinceCatalogue(ctx context.Context, version int64, c *catalogue.Catalogue) (bool, error) {
	applied := false
	err := s.write(ctx, func(tx *Tx) error {
		have, err := tx.metaInt(provinceCatalogueKey)
		if err != nil || version <= have {
			return err
		}
		if err := c.Validate(); err != nil {
			return fmt.Errorf("%w: the province's catalogue version %d: %v", ErrInvalid, version, err)
		}
		if err := tx.checkCatalogueKeepsTickets(c); err != nil {
			return fmt.Errorf("%w: %w: catalogue version %d: %w", ErrConflict, ErrCatalogueWaits, version, err)
		}
		before, _, err := metaValue(ctx, txQuerier{tx}, "catalogue_version")
		if err != nil {
			return err
		}
		if err := tx.importCatalogue(c); err != nil {
			return err
		}
		if err := tx.setMeta(provinceCatalogueKey, strconv.FormatInt(version, 10)); err != nil {
			return err
		}
		applied = true
		return tx.Audit(ProvinceActor, "province.catalogue", "catalogue", "hall",
			map[string]any{"version": before, "province_version": have},
			map[string]any{"version": c.Version, "province_version": version, "departments": len(c.Departments),
				"items": len(c.Items), "queues": len(c.Queues), "windows": len(c.Windows)})
	})
	if applied {
		s.forgetQueues()
	}
	return applied, err
}

// checkCatalogueKeepsTickets refuses a catalogue under which a ticket that
// still waits could never be called: its queue (or the window it was sent
// to) is no longer served.
func (tx *Tx) checkCatalogueKeepsTickets(c *catalogue.Catalogue) error {
	served := map[string]bool{} // "Q" and "Q@window"
	for _, w := range c.Windows {
		for _, q := range w.Queues {
			served[q] = true
			served[q+"@"+strconv.Itoa(w.Number)] = true
		}
	}
	rows, err := tx.Query(`SELECT queue, target_window, COUNT(*) FROM tickets
		WHERE state NOT IN ('done','no_show','cancelled','called','recalled','serving') GROUP BY queue, target_window`)
	if err != nil {
		return fmt.Errorf("store: check open tickets: %w", err)
	}
	defer rows.Close()
	var stranded []string
	for rows.Next() {
		var q, target string
		var n int
		if err := rows.Scan(&q, &target, &n); err != nil {
			return fmt.Errorf("store: check open tickets: %w", err)
		}
		switch {
		case !served[q]:
			stranded = append(stranded, fmt.Sprintf("%d waiting in queue %s, which no window would call", n, q))
		case target != "" && !served[q+"@"+strings.TrimPrefix(target, "W")]:
			stranded = append(stranded, fmt.Sprintf("%d waiting in queue %s for window %s, which would no longer call it", n, q, target))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: check open tickets: %w", err)
	}
	if len(stranded) > 0 {
		sort.Strings(stranded)
		return fmt.Errorf("%s; it is applied once they are served", strings.Join(stranded, "; "))
	}
	return nil
}

// ApplyProvinceTrust takes the province's signed trust document (checked by
// the caller): the other halls' keys, the province's revocations of this
// hall's keys (ImportTrustList), and the certificates other halls revoked.
// A document no newer than the last one applied changes nothing (false).
// Audited.
func (s *Store) ApplyProvinceTrust(ctx context.Context, doc exchange.TrustDocument) (bool, error) {
	have, err := s.ProvinceState(ctx)
	if err != nil {
		return false, err
	}
	if doc.Version <= have.TrustVersion {
		return false, nil
	}
	t, err := cert.ParseTrustList(doc.TrustList)
	if err != nil {
		return false, fmt.Errorf("%w: the province's trust list version %d: %v", ErrInvalid, doc.Version, err)
	}
	applied := false
	err = s.write(ctx, func(tx *Tx) error {
		if v, err := tx.metaInt(provinceTrustKey); err != nil || doc.Version <= v {
			return err
		}
		if _, err := tx.importTrustList(ctx, ProvinceActor, t); err != nil && !errors.Is(err, ErrConflict) {
			// ErrConflict: the list itself is not newer (only revocations changed).
			return err
		}
		hall, _, err := metaValue(ctx, txQuerier{tx}, "hall_code")
		if err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM province_revocations"); err != nil {
			return fmt.Errorf("store: province revocations: %w", err)
		}
		others := 0
		for _, r := range doc.Revocations {
			if r.Hall == hall {
				continue // this hall's own revocations are in its certificates table
			}
			if _, err := tx.Exec(`INSERT INTO province_revocations(serial, hall, revoked_at, reason) VALUES (?,?,?,?)
				ON CONFLICT(serial) DO UPDATE SET hall = excluded.hall, revoked_at = excluded.revoked_at, reason = excluded.reason`,
				r.Serial, r.Hall, ms(r.RevokedAt), r.Reason); err != nil {
				return fmt.Errorf("store: province revocation %s: %w", r.Serial, err)
			}
			others++
		}
		if err := tx.setMeta(provinceTrustKey, strconv.FormatInt(doc.Version, 10)); err != nil {
			return err
		}
		applied = true
		return tx.Audit(ProvinceActor, "province.trust", "trust_list", strconv.FormatInt(doc.Version, 10),
			map[string]any{"version": have.TrustVersion},
			map[string]any{"version": doc.Version, "keys": len(t.Keys()), "revoked_elsewhere": others})
	})
	return applied, err
}

// ProvinceRevocation returns another hall's revocation of a certificate as
// the province reported it; ok is false when none is known.
func (s *Store) ProvinceRevocation(ctx context.Context, serial string) (r exchange.Revocation, ok bool, err error) {
	var at int64
	err = s.queryRow(ctx, "SELECT serial, hall, revoked_at, reason FROM province_revocations WHERE serial = ?", serial).
		Scan(&r.Serial, &r.Hall, &at, &r.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: province revocation %s: %w", serial, err)
	}
	r.RevokedAt = fromMS(at)
	return r, true, nil
}

// UpdateOutcome is what became of a province application update.
type UpdateOutcome int

// Outcomes of ApplyProvinceUpdate.
const (
	UpdateApplied UpdateOutcome = iota + 1 // the application moved
	UpdateRefused                          // it could not apply: audited, reported to the province
	UpdateStale                            // at or below the cursor: taken before, nothing changed
)

// ApplyProvinceUpdate applies one of the province's application updates
// and moves the update cursor past it, in one transaction. An update the
// hall cannot apply (no such application, a step it has moved past, a
// certificate that must be made at the hall) is refused instead: the
// refusal is audited and reported to the province (outbox), and the cursor
// moves on too, so one bad update never stops the ones after it. An update
// at or below the cursor was taken before and changes nothing. The
// outcome says which happened; err is only for the store's own trouble.
func (s *Store) ApplyProvinceUpdate(ctx context.Context, u exchange.ApplicationUpdate) (UpdateOutcome, error) {
	a := Actor{Name: "province:" + strings.TrimSpace(u.By), Role: "system", Device: "province"}
	ev := application.Event{Kind: application.EventKind(u.Kind), Step: application.Step(u.Step),
		Suspend: application.SuspendKind(u.Suspend), Days: u.Days, Outcome: application.Outcome(u.Outcome), Note: u.Note}
	stale := false
	err := s.write(ctx, func(tx *Tx) error {
		cursor, err := tx.metaInt(provinceCursorKey)
		if err != nil {
			return err
		}
		if u.Cursor <= cursor {
			stale = true
			return nil
		}
		if u.Kind == string(application.EvAccept) {
			return fmt.Errorf("%w: applications are accepted at the hall, not by the province", ErrInvalid)
		}
		if _, err := tx.recordApplicationEvent(a, u.Number, ev, nil); err != nil {
			return err
		}
		return tx.setMeta(provinceCursorKey, strconv.FormatInt(u.Cursor, 10))
	})
	if stale {
		return UpdateStale, nil
	}
	if err == nil {
		return UpdateApplied, nil
	}
	var te *queue.TransitionError
	if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict) &&
		!errors.Is(err, application.ErrInvalid) && !errors.As(err, &te) {
		return 0, err
	}
	reason := err.Error()
	err = s.write(ctx, func(tx *Tx) error {
		cursor, err := tx.metaInt(provinceCursorKey)
		if err != nil || u.Cursor <= cursor {
			return err
		}
		if err := tx.outbox(exchange.KindUpdateRefused, "application:"+u.Number, exchange.UpdateRefused{
			Cursor: u.Cursor, Number: u.Number, Reason: reason, At: tx.now}); err != nil {
			return err
		}
		if err := tx.setMeta(provinceCursorKey, strconv.FormatInt(u.Cursor, 10)); err != nil {
			return err
		}
		return tx.Audit(a, "province.update_refused", "application", u.Number, nil,
			map[string]any{"cursor": u.Cursor, "kind": u.Kind, "step": u.Step, "reason": reason})
	})
	if err != nil {
		return 0, err
	}
	return UpdateRefused, nil
}

// AnchorAuditHead puts the audit chain's head in the outbox for the
// province, with the hash of the record at the previous anchor as the
// chain has it now: if history before that point were rewritten, the
// province would see the hashes disagree. Nothing is written when the
// head has not moved since the last anchor. The anchor is not itself
// audited (that would move the head). It reports whether it wrote one.
func (s *Store) AnchorAuditHead(ctx context.Context) (bool, error) {
	wrote := false
	err := s.write(ctx, func(tx *Tx) error {
		if err := tx.head.load(tx); err != nil {
			return fmt.Errorf("store: anchor audit head: %w", err)
		}
		prev, err := tx.metaInt(provinceAnchorKey)
		if err != nil {
			return err
		}
		if tx.head.id == 0 || tx.head.id == prev {
			return nil
		}
		h := exchange.AuditHead{LastID: tx.head.id, Hash: tx.head.hash, At: tx.now}
		if prev > 0 {
			h.PrevID = prev
			if err := tx.QueryRow("SELECT hash FROM audit WHERE id = ?", prev).Scan(&h.PrevHash); err != nil {
				return fmt.Errorf("store: anchor audit head: record %d: %w", prev, err)
			}
		}
		if err := tx.outbox(exchange.KindAuditHead, "audit", h); err != nil {
			return err
		}
		wrote = true
		return tx.setMeta(provinceAnchorKey, strconv.FormatInt(h.LastID, 10))
	})
	return wrote, err
}
