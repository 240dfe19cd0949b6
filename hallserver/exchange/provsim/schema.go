package provsim

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"
)

// FileName is the database file inside the province's data directory.
const FileName = "province.db"

// dsn is the connection string: WAL with synchronous=FULL (an answered
// push survives a power cut), foreign keys, and a busy timeout.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// migrations are the schema's history, applied in order, each in its own
// transaction; a change is a new step at the end. Times are Unix
// milliseconds.
var migrations = []string{
	// 1: halls, replay guards, idempotency, what was applied, the views.
	`
CREATE TABLE halls (
	code           TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	secret         BLOB NOT NULL,
	audit_mismatch INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL
);

-- nonces of signed requests, kept 2×MaxSkew (a replay is refused).
CREATE TABLE nonces (
	hall    TEXT NOT NULL,
	nonce   TEXT NOT NULL,
	seen_at INTEGER NOT NULL,
	PRIMARY KEY (hall, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_seen ON nonces(seen_at);

-- the stored answer of each push, by its Idempotency-Key.
CREATE TABLE batches (
	hall        TEXT NOT NULL,
	batch_key   TEXT NOT NULL,
	body_sha256 BLOB NOT NULL,
	response    BLOB NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (hall, batch_key)
) WITHOUT ROWID;
CREATE INDEX batches_received ON batches(received_at);

-- every event key seen, kept KeyRetention.
CREATE TABLE event_keys (
	hall        TEXT NOT NULL,
	key         TEXT NOT NULL,
	kind        TEXT NOT NULL,
	aggregate   TEXT NOT NULL,
	digest      BLOB NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (hall, key)
) WITHOUT ROWID;
CREATE INDEX event_keys_received ON event_keys(received_at);

-- every event that took effect, kept for ever. The unique index is a
-- second guard only: the push checks natural keys itself, and a violation
-- fails the push instead of being ignored.
CREATE TABLE applied (
	id          INTEGER PRIMARY KEY,
	hall        TEXT NOT NULL,
	natural_key TEXT NOT NULL,
	key         TEXT NOT NULL,
	kind        TEXT NOT NULL,
	aggregate   TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	applied_at  INTEGER NOT NULL,
	data        BLOB NOT NULL
);
CREATE UNIQUE INDEX applied_natural ON applied(hall, natural_key);
CREATE INDEX applied_hall ON applied(hall, id);

-- the highest seq applied per aggregate (out-of-order detection).
CREATE TABLE aggregates (
	hall      TEXT NOT NULL,
	aggregate TEXT NOT NULL,
	last_seq  INTEGER NOT NULL,
	PRIMARY KEY (hall, aggregate)
) WITHOUT ROWID;

-- event counters per hall and kind, updated in the push's transaction.
CREATE TABLE counters (
	hall         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	received     INTEGER NOT NULL DEFAULT 0,
	applied      INTEGER NOT NULL DEFAULT 0,
	duplicates   INTEGER NOT NULL DEFAULT 0,
	rejected     INTEGER NOT NULL DEFAULT 0,
	deferred     INTEGER NOT NULL DEFAULT 0,
	out_of_order INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (hall, kind)
) WITHOUT ROWID;

CREATE TABLE tickets (
	hall      TEXT NOT NULL,
	day       TEXT NOT NULL,
	state     TEXT NOT NULL,
	count     INTEGER NOT NULL,
	wait_sum  INTEGER NOT NULL,
	serve_sum INTEGER NOT NULL,
	PRIMARY KEY (hall, day, state)
) WITHOUT ROWID;

CREATE TABLE ratings (
	hall      TEXT NOT NULL,
	target    TEXT NOT NULL,
	rating_id INTEGER NOT NULL,
	level     INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	ratings   INTEGER NOT NULL,
	PRIMARY KEY (hall, target)
) WITHOUT ROWID;

CREATE TABLE rating_followups (
	hall      TEXT NOT NULL,
	rating_id INTEGER NOT NULL,
	stage     TEXT NOT NULL,
	by_whom   TEXT NOT NULL,
	at        INTEGER NOT NULL,
	PRIMARY KEY (hall, rating_id, stage)
) WITHOUT ROWID;

CREATE TABLE applications (
	hall       TEXT NOT NULL,
	number     TEXT NOT NULL,
	item       TEXT NOT NULL,
	last_index INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	step       TEXT NOT NULL,
	status     TEXT NOT NULL,
	outcome    TEXT NOT NULL,
	events     INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (hall, number)
) WITHOUT ROWID;

CREATE TABLE certificates (
	hall          TEXT NOT NULL,
	serial        TEXT NOT NULL,
	kid           TEXT NOT NULL DEFAULT '',
	type          TEXT NOT NULL DEFAULT '',
	title         TEXT NOT NULL DEFAULT '',
	application   TEXT NOT NULL DEFAULT '',
	issued_at     INTEGER NOT NULL DEFAULT 0,
	record_sha256 TEXT NOT NULL DEFAULT '',
	revoked_at    INTEGER NOT NULL DEFAULT 0,
	reason        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (hall, serial)
) WITHOUT ROWID;

-- each hall's signing keys as they stand (the trust list).
CREATE TABLE signing_keys (
	hall        TEXT NOT NULL,
	kid         TEXT NOT NULL,
	public_key  BLOB NOT NULL,
	status      TEXT NOT NULL,
	valid_from  INTEGER NOT NULL,
	valid_until INTEGER NOT NULL,
	note        TEXT NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (hall, kid)
) WITHOUT ROWID;
CREATE UNIQUE INDEX signing_keys_kid ON signing_keys(kid);

-- keys the province itself revoked (a leak it learnt of).
CREATE TABLE key_revocations (
	hall       TEXT NOT NULL,
	kid        TEXT NOT NULL,
	note       TEXT NOT NULL,
	revoked_at INTEGER NOT NULL,
	PRIMARY KEY (hall, kid)
) WITHOUT ROWID;

CREATE TABLE audit_heads (
	hall        TEXT NOT NULL,
	last_id     INTEGER NOT NULL,
	hash        TEXT NOT NULL,
	prev_id     INTEGER NOT NULL,
	prev_hash   TEXT NOT NULL,
	at          INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (hall, last_id)
) WITHOUT ROWID;

CREATE TABLE audit_mismatches (
	id     INTEGER PRIMARY KEY,
	hall   TEXT NOT NULL,
	detail TEXT NOT NULL,
	at     INTEGER NOT NULL
);

CREATE TABLE catalogues (
	version      INTEGER PRIMARY KEY,
	body         BLOB NOT NULL,
	published_at INTEGER NOT NULL
);

-- the trust document's version, and its signed bytes once built.
CREATE TABLE trust (
	version   INTEGER PRIMARY KEY,
	document  BLOB,
	signature TEXT,
	changed_at INTEGER NOT NULL
);

CREATE TABLE application_updates (
	cursor         INTEGER PRIMARY KEY AUTOINCREMENT,
	hall           TEXT NOT NULL,
	number         TEXT NOT NULL,
	body           BLOB NOT NULL,
	created_at     INTEGER NOT NULL,
	refused_reason TEXT NOT NULL DEFAULT '',
	refused_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX application_updates_hall ON application_updates(hall, cursor);

CREATE TABLE meta (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
`,
}

// migrate brings the schema up to date.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("provsim: migrations table: %w", err)
	}
	var current int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("provsim: read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("provsim: the database's schema is version %d but this program knows only up to %d: run a newer provsim", current, len(migrations))
	}
	for i := current; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("provsim: migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("provsim: migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)", i+1, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return fmt.Errorf("provsim: record migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("provsim: commit migration %d: %w", i+1, err)
		}
	}
	return nil
}

// ms is a time as stored: Unix milliseconds, 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms (UTC).
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
