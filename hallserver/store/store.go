package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the database file inside a hall's data directory.
const FileName = "hall.db"

// Options tune a Store. The zero value is usable.
type Options struct {
	// Now is the clock; time.Now when nil. Tests set it to cross midnight.
	Now func() time.Time
	// ReadConns is the size of the read pool; 4 when zero.
	ReadConns int
	// MaxBatch caps how many writes share one transaction; 256 when zero.
	MaxBatch int
	// Notify, when set, receives the events of each committed transaction,
	// in commit order, before the writers are acknowledged. It must not block.
	Notify func([]Event)
}

// Store is a hall's database. It is safe for concurrent use.
type Store struct {
	path  string
	now   func() time.Time
	wdb   *sql.DB    // one connection, used only by the writer goroutine
	rdb   *sql.DB    // read-only pool
	reads *stmtCache // statements prepared on the read pool
	w     *writer

	settings settingsCache
	queues   queueInfoCache
	hall     atomic.Pointer[Hall]
}

// dsn builds the connection string with the pragmas every connection needs:
// WAL with synchronous=FULL (an acknowledged commit survives power loss),
// foreign keys on, a busy timeout so a second process (hallctl) waits
// instead of failing.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "mmap_size(268435456)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the hall database in dir and brings its
// schema up to date. The directory is created with 0700 permissions.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	wdb, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := wdb.PingContext(ctx); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := migrate(ctx, wdb, migrations); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: open read pool %s: %w", path, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = 4
	}
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	s := &Store{path: path, now: opts.Now, wdb: wdb, rdb: rdb, reads: newStmtCache(rdb.PrepareContext)}
	if s.now == nil {
		s.now = time.Now
	}
	max := opts.MaxBatch
	if max <= 0 {
		max = 256
	}
	s.w = newWriter(wdb, max, opts.Notify, s.now)
	if err := s.backfillOutbox(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Close stops the writer after the writes already queued and closes the
// database.
func (s *Store) Close() error {
	s.w.close()
	s.reads.close()
	err1 := s.rdb.Close()
	err2 := s.wdb.Close()
	if err1 != nil {
		return fmt.Errorf("store: close: %w", err1)
	}
	if err2 != nil {
		return fmt.Errorf("store: close: %w", err2)
	}
	return nil
}

// Ping checks that the database answers reads and that the writer takes
// a write (an empty one) within ctx's deadline.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.alive(); err != nil {
		return err
	}
	var one int
	if err := s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if err := s.write(ctx, func(*Tx) error { return nil }); err != nil {
		return fmt.Errorf("store: ping: the writer does not answer: %w", err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict
// ("ok" when the file is sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	if err := s.rdb.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return "", fmt.Errorf("store: integrity check: %w", err)
	}
	return res, nil
}

// Stats returns the writer's counters.
func (s *Store) Stats() WriterStats { return s.w.statsSnapshot() }

// ms converts a time to the stored form: Unix milliseconds, 0 for zero.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}
