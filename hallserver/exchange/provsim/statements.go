package provsim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// statements are the push path's SQL, prepared once on the write
// connection; a push runs them through its transaction (txStmts).
type statements struct {
	all []*sql.Stmt

	nonceUse, batchGet, batchPut              *sql.Stmt
	keyGet, keyPut, naturalGet, appliedPut    *sql.Stmt
	aggGet, aggPut, counterAdd                *sql.Stmt
	ticketAdd, ratingPut, followupPut, appPut *sql.Stmt
	certIssued, certRevoked                   *sql.Stmt
	sigKeyGet, sigKeyPut                      *sql.Stmt
	auditGet, auditMax, auditPut, mismatchPut *sql.Stmt
	hallMismatch, updateRefused, trustBump    *sql.Stmt
	pruneKeys, pruneBatches, pruneNonces      *sql.Stmt
}

func prepare(ctx context.Context, db *sql.DB) (*statements, error) {
	s := &statements{}
	var errs []error
	p := func(dst **sql.Stmt, query string) {
		st, err := db.PrepareContext(ctx, query)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", query, err))
			return
		}
		*dst = st
		s.all = append(s.all, st)
	}
	p(&s.nonceUse, "INSERT INTO nonces(hall, nonce, seen_at) VALUES (?,?,?) ON CONFLICT DO NOTHING")
	p(&s.batchGet, "SELECT body_sha256, response FROM batches WHERE hall = ? AND batch_key = ?")
	p(&s.batchPut, "INSERT INTO batches(hall, batch_key, body_sha256, response, received_at) VALUES (?,?,?,?,?)")
	p(&s.keyGet, "SELECT kind, aggregate, digest FROM event_keys WHERE hall = ? AND key = ?")
	p(&s.keyPut, "INSERT INTO event_keys(hall, key, kind, aggregate, digest, received_at) VALUES (?,?,?,?,?,?)")
	p(&s.naturalGet, "SELECT key, data FROM applied WHERE hall = ? AND natural_key = ?")
	p(&s.appliedPut, `INSERT INTO applied(hall, natural_key, key, kind, aggregate, seq, applied_at, data)
		VALUES (?,?,?,?,?,?,?,?)`)
	p(&s.aggGet, "SELECT last_seq FROM aggregates WHERE hall = ? AND aggregate = ?")
	p(&s.aggPut, `INSERT INTO aggregates(hall, aggregate, last_seq) VALUES (?,?,?)
		ON CONFLICT(hall, aggregate) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`)
	p(&s.counterAdd, `INSERT INTO counters(hall, kind, received, applied, duplicates, rejected, deferred, out_of_order)
		VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT(hall, kind) DO UPDATE SET received = received + excluded.received,
			applied = applied + excluded.applied, duplicates = duplicates + excluded.duplicates,
			rejected = rejected + excluded.rejected, deferred = deferred + excluded.deferred,
			out_of_order = out_of_order + excluded.out_of_order`)
	p(&s.ticketAdd, `INSERT INTO tickets(hall, day, state, count, wait_sum, serve_sum) VALUES (?,?,?,1,?,?)
		ON CONFLICT(hall, day, state) DO UPDATE SET count = count + 1,
			wait_sum = wait_sum + excluded.wait_sum, serve_sum = serve_sum + excluded.serve_sum`)
	// A later rating of the same target replaces the level (a re-rating);
	// "later" is by the time rated, then by the hall's rating id.
	p(&s.ratingPut, `INSERT INTO ratings(hall, target, rating_id, level, at, ratings) VALUES (?,?,?,?,?,1)
		ON CONFLICT(hall, target) DO UPDATE SET
			rating_id = CASE WHEN excluded.at > at OR (excluded.at = at AND excluded.rating_id > rating_id) THEN excluded.rating_id ELSE rating_id END,
			level     = CASE WHEN excluded.at > at OR (excluded.at = at AND excluded.rating_id > rating_id) THEN excluded.level ELSE level END,
			at        = max(at, excluded.at),
			ratings   = ratings + 1`)
	p(&s.followupPut, `INSERT INTO rating_followups(hall, rating_id, stage, by_whom, at) VALUES (?,?,?,?,?)
		ON CONFLICT DO NOTHING`)
	p(&s.appPut, `INSERT INTO applications(hall, number, item, last_index, kind, step, status, outcome, events, updated_at)
		VALUES (?,?,?,?,?,?,?,?,1,?)
		ON CONFLICT(hall, number) DO UPDATE SET
			events     = events + 1,
			item       = CASE WHEN excluded.last_index > last_index THEN excluded.item ELSE item END,
			kind       = CASE WHEN excluded.last_index > last_index THEN excluded.kind ELSE kind END,
			step       = CASE WHEN excluded.last_index > last_index THEN excluded.step ELSE step END,
			status     = CASE WHEN excluded.last_index > last_index THEN excluded.status ELSE status END,
			outcome    = CASE WHEN excluded.last_index > last_index THEN excluded.outcome ELSE outcome END,
			updated_at = CASE WHEN excluded.last_index > last_index THEN excluded.updated_at ELSE updated_at END,
			last_index = max(last_index, excluded.last_index)`)
	p(&s.certIssued, `INSERT INTO certificates(hall, serial, kid, type, title, application, issued_at, record_sha256)
		VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT(hall, serial) DO UPDATE SET kid = excluded.kid, type = excluded.type, title = excluded.title,
			application = excluded.application, issued_at = excluded.issued_at, record_sha256 = excluded.record_sha256`)
	p(&s.certRevoked, `INSERT INTO certificates(hall, serial, revoked_at, reason) VALUES (?,?,?,?)
		ON CONFLICT(hall, serial) DO UPDATE SET revoked_at = excluded.revoked_at, reason = excluded.reason`)
	p(&s.sigKeyGet, "SELECT hall, status FROM signing_keys WHERE kid = ?")
	p(&s.sigKeyPut, `INSERT INTO signing_keys(hall, kid, public_key, status, valid_from, valid_until, note, updated_at)
		VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT(hall, kid) DO UPDATE SET public_key = excluded.public_key, status = excluded.status,
			valid_from = excluded.valid_from, valid_until = excluded.valid_until, note = excluded.note,
			updated_at = excluded.updated_at`)
	p(&s.auditGet, "SELECT hash, received_at FROM audit_heads WHERE hall = ? AND last_id = ?")
	p(&s.auditMax, "SELECT COALESCE(MAX(last_id), 0) FROM audit_heads WHERE hall = ?")
	p(&s.auditPut, `INSERT INTO audit_heads(hall, last_id, hash, prev_id, prev_hash, at, received_at) VALUES (?,?,?,?,?,?,?)`)
	p(&s.mismatchPut, "INSERT INTO audit_mismatches(hall, detail, at) VALUES (?,?,?)")
	p(&s.hallMismatch, "UPDATE halls SET audit_mismatch = 1 WHERE code = ?")
	p(&s.updateRefused, `UPDATE application_updates SET refused_reason = ?, refused_at = ?
		WHERE hall = ? AND cursor = ?`)
	p(&s.trustBump, "INSERT INTO trust(version, changed_at) SELECT MAX(version) + 1, ? FROM trust")
	p(&s.pruneKeys, "DELETE FROM event_keys WHERE received_at < ?")
	p(&s.pruneBatches, "DELETE FROM batches WHERE received_at < ?")
	p(&s.pruneNonces, "DELETE FROM nonces WHERE seen_at < ?")
	if err := errors.Join(errs...); err != nil {
		s.close()
		return nil, fmt.Errorf("provsim: prepare statements: %w", err)
	}
	return s, nil
}

func (s *statements) close() error {
	var errs []error
	for _, st := range s.all {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// txStmts hands out the prepared statements bound to one transaction,
// binding each once.
type txStmts struct {
	ctx   context.Context
	tx    *sql.Tx
	bound map[*sql.Stmt]*sql.Stmt
}

func newTxStmts(ctx context.Context, tx *sql.Tx) *txStmts {
	return &txStmts{ctx: ctx, tx: tx, bound: make(map[*sql.Stmt]*sql.Stmt, 16)}
}

func (t *txStmts) get(s *sql.Stmt) *sql.Stmt {
	b, ok := t.bound[s]
	if !ok {
		b = t.tx.StmtContext(t.ctx, s)
		t.bound[s] = b
	}
	return b
}

func (t *txStmts) exec(s *sql.Stmt, args ...any) (sql.Result, error) {
	return t.get(s).ExecContext(t.ctx, args...)
}

func (t *txStmts) row(s *sql.Stmt, args ...any) *sql.Row {
	return t.get(s).QueryRowContext(t.ctx, args...)
}
