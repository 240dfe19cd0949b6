package store

import (
	"context"
	"database/sql"
	"path/filepath"

	"onestop/hallserver/queue"
)

// Hooks that let the external tests (package store_test) reach a few
// internals. They exist only while testing.

// Ahead is the store's fast count of people ahead of t under p.
func (s *Store) Ahead(ctx context.Context, t Ticket, p queue.Policy) (int, error) {
	return s.ahead(ctx, t, p)
}

// ComputeHash is the hash the audit chain stores for r.
func (r AuditRecord) ComputeHash() string { return r.computeHash() }

// Write runs fn through the writer, as every state-changing method does.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) error { return s.write(ctx, fn) }

// QueuedWrites is how many writes wait for the writer.
func (s *Store) QueuedWrites() int { return len(s.w.reqs) }

// WriterStopping reports whether Close has told the writer to stop.
func (s *Store) WriterStopping() bool {
	select {
	case <-s.w.quit:
		return true
	default:
		return false
	}
}

// SetCountLimit changes how far the people-ahead count walks a line from
// the front; it returns a function that restores it.
func SetCountLimit(n int) (restore func()) {
	old := countLimit
	countLimit = n
	return func() { countLimit = old }
}

// MigrateTo brings a new database in dir up to the given schema version
// only, as an older release would have left it.
func MigrateTo(ctx context.Context, dir string, version int) error {
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, FileName), false))
	if err != nil {
		return err
	}
	defer db.Close()
	return migrate(ctx, db, migrations[:version])
}
