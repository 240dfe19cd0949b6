package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Actor is who did something: a staff member, a kiosk, or an admin command.
type Actor struct {
	Name   string // username, "kiosk:<name>", or "hallctl:<os user>"
	Role   string // counter, supervisor, admin, technician, kiosk, system
	Device string // the window ("window 3") or kiosk the action came from, if any
	UserID int64  // the staff member's id, 0 for kiosks and commands
}

// System is the actor of the hall's own actions (initialisation, seeding).
var System = Actor{Name: "system", Role: "system"}

// genesisHash is what the first audit record chains to.
var genesisHash = strings.Repeat("0", 64)

// AuditRecord is one row of the audit trail.
type AuditRecord struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Role     string    `json:"role"`
	Device   string    `json:"device"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Before   string    `json:"before"` // JSON of the entity before, "null" when it did not exist
	After    string    `json:"after"`  // JSON after, "null" when it was removed
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// computeHash is the record's SHA-256 over a JSON array of every field but
// the hash itself, prev_hash included: changing any byte of any field, or
// removing a record, breaks the chain from there on.
func (r AuditRecord) computeHash() string {
	b, err := json.Marshal([]any{"onestop-audit-v1", r.ID, r.At.UnixMilli(), r.Actor, r.Role, r.Device,
		r.Action, r.Entity, r.EntityID, r.Before, r.After, r.PrevHash})
	if err != nil {
		panic(err) // strings and integers always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func toJSON(v any) (string, error) {
	if v == nil {
		return "null", nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Audit appends a record to the trail, in the current transaction.
func (tx *Tx) Audit(a Actor, action, entity, entityID string, before, after any) error {
	bj, err := toJSON(before)
	if err != nil {
		return fmt.Errorf("store: audit %s: encode before: %w", action, err)
	}
	aj, err := toJSON(after)
	if err != nil {
		return fmt.Errorf("store: audit %s: encode after: %w", action, err)
	}
	if err := tx.head.load(tx); err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	r := AuditRecord{ID: tx.head.id + 1, At: tx.now, Actor: a.Name, Role: a.Role, Device: a.Device,
		Action: action, Entity: entity, EntityID: entityID, Before: bj, After: aj, PrevHash: tx.head.hash}
	r.Hash = r.computeHash()
	if _, err := tx.Exec(`INSERT INTO audit(id, at, actor, role, device, action, entity, entity_id, before, after, prev_hash, hash)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, r.ID, r.At.UnixMilli(), r.Actor, r.Role, r.Device, r.Action,
		r.Entity, r.EntityID, r.Before, r.After, r.PrevHash, r.Hash); err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	tx.head.id, tx.head.hash, tx.head.dirty = r.ID, r.Hash, true
	return nil
}

// chainHead is the audit chain's head during one write transaction. It is
// read once per transaction (the transaction holds SQLite's write lock, so
// no other process can append meanwhile), moved in memory by each record,
// put back by a write that rolls back, and stored once before the commit.
type chainHead struct {
	loaded, dirty bool
	id            int64
	hash          string
}

func (h *chainHead) load(tx *Tx) error {
	if h.loaded {
		return nil
	}
	h.id, h.hash = 0, genesisHash
	err := tx.QueryRow("SELECT last_id, hash FROM audit_head WHERE id = 1").Scan(&h.id, &h.hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read chain head: %w", err)
	}
	h.loaded = true
	return nil
}

func (h *chainHead) save(ctx context.Context, stmts *stmtCache) error {
	if !h.dirty {
		return nil
	}
	st, err := stmts.get(`INSERT INTO audit_head(id, last_id, hash) VALUES (1, ?, ?)
		ON CONFLICT(id) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash`)
	if err == nil {
		_, err = st.ExecContext(ctx, h.id, h.hash)
	}
	if err != nil {
		return fmt.Errorf("store: move audit chain head: %w", err)
	}
	return nil
}

// VerifyAudit walks the whole audit chain and reports the first record
// that was changed or removed.
func (s *Store) VerifyAudit(ctx context.Context) (AuditVerdict, error) {
	// One read transaction for the records and the head: a hall keeps
	// writing while it is verified, and the two must be the same moment.
	rtx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return AuditVerdict{}, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rtx.Rollback()
	rows, err := rtx.QueryContext(ctx, `SELECT id, at, actor, role, device, action, entity, entity_id,
		before, after, prev_hash, hash FROM audit ORDER BY id`)
	if err != nil {
		return AuditVerdict{}, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	v := AuditVerdict{OK: true}
	bad := func(id int64, problem string, args ...any) {
		if v.OK {
			v.OK, v.FirstBad, v.Problem = false, id, fmt.Sprintf(problem, args...)
		}
	}
	prevID, prevHash := int64(0), genesisHash
	for rows.Next() {
		var r AuditRecord
		var at int64
		if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Role, &r.Device, &r.Action, &r.Entity, &r.EntityID,
			&r.Before, &r.After, &r.PrevHash, &r.Hash); err != nil {
			return AuditVerdict{}, fmt.Errorf("store: verify audit: %w", err)
		}
		r.At = time.UnixMilli(at)
		v.Records++
		switch {
		case r.ID != prevID+1:
			if r.ID-prevID == 2 {
				bad(prevID+1, "record %d was removed", prevID+1)
			} else {
				bad(prevID+1, "records %d to %d were removed", prevID+1, r.ID-1)
			}
		case r.PrevHash != prevHash:
			bad(prevID, "record %d was changed: record %d chains to a different hash", prevID, r.ID)
		case r.computeHash() != r.Hash:
			bad(r.ID, "record %d was changed: its content no longer matches its hash", r.ID)
		}
		prevID, prevHash = r.ID, r.Hash
	}
	if err := rows.Err(); err != nil {
		return AuditVerdict{}, fmt.Errorf("store: verify audit: %w", err)
	}
	v.HeadID, v.HeadHash = prevID, prevHash
	var headID int64
	var headHash string
	err = rtx.QueryRowContext(ctx, "SELECT last_id, hash FROM audit_head WHERE id = 1").Scan(&headID, &headHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if prevID != 0 {
			bad(prevID, "the chain head record is missing")
		}
	case err != nil:
		return AuditVerdict{}, fmt.Errorf("store: verify audit: read head: %w", err)
	case headID > prevID:
		bad(prevID+1, "records %d to %d were removed from the end", prevID+1, headID)
	case headID < prevID:
		bad(headID+1, "records after %d are not covered by the chain head", headID)
	case headHash != prevHash:
		bad(prevID, "record %d was changed: the chain head holds a different hash", prevID)
	}
	return v, nil
}

// AuditTrail returns the records of one entity, oldest first.
func (s *Store) AuditTrail(ctx context.Context, entity, entityID string) ([]AuditRecord, error) {
	rows, err := s.query(ctx, `SELECT id, at, actor, role, device, action, entity, entity_id,
		before, after, prev_hash, hash FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id`, entity, entityID)
	if err != nil {
		return nil, fmt.Errorf("store: audit trail of %s %s: %w", entity, entityID, err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var r AuditRecord
		var at int64
		if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Role, &r.Device, &r.Action, &r.Entity, &r.EntityID,
			&r.Before, &r.After, &r.PrevHash, &r.Hash); err != nil {
			return nil, fmt.Errorf("store: audit trail: %w", err)
		}
		r.At = time.UnixMilli(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
