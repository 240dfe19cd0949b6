package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OutboxRow is one change the province must receive (see the outbox table
// in schema.go). Data is the payload of its kind, as hallserver/exchange
// defines it.
type OutboxRow struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Aggregate   string          `json:"aggregate"`
	CreatedAt   time.Time       `json:"created_at"`
	Data        json.RawMessage `json:"data"`
	State       string          `json:"state"` // pending, delivered, dead, discarded
	Attempts    int             `json:"attempts"`
	LastError   string          `json:"last_error,omitempty"`
	DeliveredAt time.Time       `json:"delivered_at,omitzero"`
	DeadAt      time.Time       `json:"dead_at,omitzero"`
	Replays     int             `json:"replays,omitempty"`
}

// Outbox row states.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxDead      = "dead"
	OutboxDiscarded = "discarded" // a dead letter a supervisor gave up on: never sent
)

// outbox writes a row for the province in the current transaction: it is
// committed with the change it reports, or not at all.
func (tx *Tx) outbox(kind, aggregate string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("store: outbox %s: %w", kind, err)
	}
	if _, err := tx.Exec("INSERT INTO outbox(kind, aggregate, created_at, data) VALUES (?,?,?,?)",
		kind, aggregate, ms(tx.now), string(b)); err != nil {
		return fmt.Errorf("store: outbox %s: %w", kind, err)
	}
	return nil
}

// OutboxEpoch is the random prefix of this hall's idempotency keys, made
// when the outbox was created.
func (s *Store) OutboxEpoch(ctx context.Context) (string, error) {
	v, ok, err := metaValue(ctx, readQuerier{s}, "outbox_epoch")
	if err != nil {
		return "", err
	}
	if !ok || v == "" {
		return "", fmt.Errorf("store: the outbox has no epoch: the database was not migrated by this program")
	}
	return v, nil
}

// NewOutboxEpoch gives the outbox a new random epoch, so that rows from
// now on (and rows still pending) travel under keys the province has never
// seen. Run it after restoring the hall's database from a backup: the
// restored outbox reuses row ids the province already received with other
// contents (it would refuse them as reused keys). What the province already
// has is still recognised by natural key; a record numbered anew after the
// restore that collides with one the province has (the same day's ticket
// number) is refused there as "other content" and shows as a dead letter —
// it is not lost silently. Audited.
func (s *Store) NewOutboxEpoch(ctx context.Context, a Actor) (string, error) {
	var epoch string
	err := s.write(ctx, func(tx *Tx) error {
		old, _, err := metaValue(ctx, txQuerier{tx}, "outbox_epoch")
		if err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT lower(hex(randomblob(8)))").Scan(&epoch); err != nil {
			return fmt.Errorf("store: new outbox epoch: %w", err)
		}
		if err := tx.setMeta("outbox_epoch", epoch); err != nil {
			return err
		}
		return tx.Audit(a, "province.new_epoch", "outbox", "epoch", map[string]any{"epoch": old}, map[string]any{"epoch": epoch})
	})
	return epoch, err
}

// OutboxKey is the idempotency key of row id under epoch.
func OutboxKey(epoch string, id int64) string { return epoch + "-" + strconv.FormatInt(id, 10) }

const outboxColumns = "id, kind, aggregate, created_at, data, state, attempts, last_error, delivered_at, dead_at, replays"

func scanOutbox(rows *sql.Rows) ([]OutboxRow, error) {
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var created, delivered, dead int64
		var data string
		if err := rows.Scan(&r.ID, &r.Kind, &r.Aggregate, &created, &data, &r.State, &r.Attempts, &r.LastError,
			&delivered, &dead, &r.Replays); err != nil {
			return nil, fmt.Errorf("store: read outbox: %w", err)
		}
		r.CreatedAt, r.DeliveredAt, r.DeadAt, r.Data = fromMS(created), fromMS(delivered), fromMS(dead), json.RawMessage(data)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	return out, nil
}

// DueOutbox returns up to limit pending rows, oldest first, leaving out
// rows held behind a dead row of their aggregate (they must not overtake
// it). The relay sends them in this order.
func (s *Store) DueOutbox(ctx context.Context, limit int) ([]OutboxRow, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox o
		WHERE state = 'pending' AND NOT EXISTS (
			SELECT 1 FROM outbox d WHERE d.state = 'dead' AND d.aggregate = o.aggregate AND d.id < o.id)
		ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: due outbox rows: %w", err)
	}
	return scanOutbox(rows)
}

// DeadLetters returns dead rows, oldest first (at most limit).
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]OutboxRow, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = 'dead' ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: dead outbox rows: %w", err)
	}
	return scanOutbox(rows)
}

// OutboxRows returns every row with id > after, in id order (at most
// limit): for checks that compare the hall with the province.
func (s *Store) OutboxRows(ctx context.Context, after int64, limit int) ([]OutboxRow, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: outbox rows: %w", err)
	}
	return scanOutbox(rows)
}

func idList(ids []int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// MarkOutboxDelivered records that the province took the rows (applied
// them, or had them already). Rows not pending are left as they are.
func (s *Store) MarkOutboxDelivered(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = ''
			WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?))`, ms(tx.now), idList(ids))
		if err != nil {
			return fmt.Errorf("store: mark outbox rows delivered: %w", err)
		}
		return nil
	})
}

// RecordOutboxFailure counts a failed attempt to send the rows and keeps
// why; they stay pending.
func (s *Store) RecordOutboxFailure(ctx context.Context, ids []int64, why string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?
			WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?))`, truncate(why, 500), idList(ids))
		if err != nil {
			return fmt.Errorf("store: record outbox failure: %w", err)
		}
		return nil
	})
}

// DeadLetterOutbox sets a pending row dead: the province refused it for
// good (why says how). Rows after it of its aggregate wait until it is
// replayed. Not audited — the row itself keeps when and why.
func (s *Store) DeadLetterOutbox(ctx context.Context, id int64, why string) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET state = 'dead', dead_at = ?, attempts = attempts + 1, last_error = ?
			WHERE state = 'pending' AND id = ?`, ms(tx.now), truncate(why, 500), id)
		if err != nil {
			return fmt.Errorf("store: dead-letter outbox row %d: %w", id, err)
		}
		return nil
	})
}

// ReplayDeadLetters sets dead rows pending again, to be sent once more
// (after the province or the hall fixed what made them fail): the rows
// with the ids, or every dead row when ids is empty. It returns how many
// it set pending. Audited.
func (s *Store) ReplayDeadLetters(ctx context.Context, a Actor, ids []int64) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *Tx) error {
		q := "UPDATE outbox SET state = 'pending', dead_at = 0, replays = replays + 1 WHERE state = 'dead'"
		args := []any{}
		if len(ids) > 0 {
			q += " AND id IN (SELECT value FROM json_each(?))"
			args = append(args, idList(ids))
		}
		res, err := tx.Exec(q, args...)
		if err != nil {
			return fmt.Errorf("store: replay dead letters: %w", err)
		}
		n, _ = res.RowsAffected()
		if n == 0 {
			if len(ids) == 0 {
				return fmt.Errorf("%w: there are no dead letters to replay", ErrConflict)
			}
			return fmt.Errorf("%w: none of rows %s is a dead letter (delivered, pending, or unknown)", ErrConflict, idList(ids))
		}
		which := "all"
		if len(ids) > 0 {
			which = idList(ids)
		}
		return tx.Audit(a, "province.replay", "outbox", which, nil, map[string]any{"rows": n, "ids": ids})
	})
	return int(n), err
}

// DiscardDeadLetters gives up on dead rows that can never be delivered
// (the province will not take them as they are, and nothing can change
// them): they are never sent, and the rows held behind them go on. The
// reason is required and audited with the rows; it is the last resort
// after replay, so it is the supervisor's decision, on the record.
func (s *Store) DiscardDeadLetters(ctx context.Context, a Actor, ids []int64, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	if len(ids) == 0 {
		return 0, fmt.Errorf("%w: name the dead letters to discard (discarding is never done for all at once)", ErrInvalid)
	}
	if reason == "" {
		return 0, fmt.Errorf("%w: say why the rows are given up (it is kept in the audit trail)", ErrInvalid)
	}
	var n int64
	err := s.write(ctx, func(tx *Tx) error {
		var rows []map[string]any
		q, err := tx.Query(`SELECT id, kind, aggregate FROM outbox WHERE state = 'dead' AND id IN (SELECT value FROM json_each(?)) ORDER BY id`, idList(ids))
		if err != nil {
			return fmt.Errorf("store: discard dead letters: %w", err)
		}
		for q.Next() {
			var id int64
			var kind, agg string
			if err := q.Scan(&id, &kind, &agg); err != nil {
				q.Close()
				return fmt.Errorf("store: discard dead letters: %w", err)
			}
			rows = append(rows, map[string]any{"id": id, "kind": kind, "aggregate": agg})
		}
		q.Close()
		if len(rows) != len(ids) {
			return fmt.Errorf("%w: only %d of rows %s are dead letters (delivered, pending or unknown rows cannot be discarded)", ErrConflict, len(rows), idList(ids))
		}
		res, err := tx.Exec(`UPDATE outbox SET state = 'discarded', last_error = ? WHERE state = 'dead' AND id IN (SELECT value FROM json_each(?))`,
			truncate("discarded by "+a.Name+": "+reason, 500), idList(ids))
		if err != nil {
			return fmt.Errorf("store: discard dead letters: %w", err)
		}
		n, _ = res.RowsAffected()
		return tx.Audit(a, "province.discard", "outbox", idList(ids), nil, map[string]any{"rows": rows, "reason": reason})
	})
	return int(n), err
}

// OutboxStatus is how far the province is behind.
type OutboxStatus struct {
	Pending       int64     `json:"pending"`   // not yet delivered (held rows included)
	Held          int64     `json:"held"`      // pending behind a dead row of their aggregate
	Dead          int64     `json:"dead"`      // refused for good: a supervisor must look
	Delivered     int64     `json:"delivered"` // ever
	Discarded     int64     `json:"discarded"` // dead letters given up on
	OldestPending time.Time `json:"oldest_pending,omitzero"`
}

// OutboxStatus counts the outbox.
func (s *Store) OutboxStatus(ctx context.Context) (OutboxStatus, error) {
	var st OutboxStatus
	var oldest int64
	err := s.rdb.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox WHERE state = 'pending'),
		(SELECT COUNT(*) FROM outbox WHERE state = 'dead'),
		(SELECT COALESCE(MAX(id), 0) FROM outbox), -- rows are never deleted: delivered is the rest
		(SELECT COUNT(*) FROM outbox WHERE state = 'discarded'),
		COALESCE((SELECT created_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1), 0)`).
		Scan(&st.Pending, &st.Dead, &st.Delivered, &st.Discarded, &oldest)
	if err != nil {
		return st, fmt.Errorf("store: outbox status: %w", err)
	}
	st.Delivered -= st.Pending + st.Dead + st.Discarded
	st.OldestPending = fromMS(oldest)
	if st.Dead > 0 {
		err = s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox o WHERE state = 'pending' AND EXISTS (
			SELECT 1 FROM outbox d WHERE d.state = 'dead' AND d.aggregate = o.aggregate AND d.id < o.id)`).Scan(&st.Held)
		if err != nil {
			return st, fmt.Errorf("store: outbox status: %w", err)
		}
	}
	return st, nil
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
