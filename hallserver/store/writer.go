package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// Tx is one write inside the writer's current transaction. It is valid only
// during the function passed to Store.write; each write has a savepoint of
// its own, so returning an error undoes exactly that write.
type Tx struct {
	ctx    context.Context
	conn   *sql.Conn
	stmts  *stmtCache
	now    time.Time
	events []Event
	head   *chainHead // the audit chain's head, shared by the batch
	wrote  bool       // a statement of this write changed the database
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	st, err := tx.stmts.get(query)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(tx.ctx, args...)
	if err == nil {
		tx.wrote = true
	}
	return res, err
}

// QueryRow runs a query returning at most one row.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	st, err := tx.stmts.get(query)
	if err != nil {
		return tx.conn.QueryRowContext(tx.ctx, query, args...) // reports the error through Scan
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// Query runs a query returning rows.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmts.get(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(tx.ctx, args...)
}

// Now is the time of this write: one clock reading shared by everything
// the write records.
func (tx *Tx) Now() time.Time { return tx.now }

// Emit queues an event to be published once the transaction has committed.
func (tx *Tx) Emit(e Event) { tx.events = append(tx.events, e) }

// WriterStats counts what the writer did.
type WriterStats struct {
	Transactions int64 // transactions committed (or whose commit failed)
	Writes       int64 // writes run in them
	MaxBatch     int64 // most writes seen in one transaction
	Retries      int64 // batches run again with savepoints after a write failed half-way
}

type writerCounters struct {
	transactions, writes, maxBatch, retries atomic.Int64
}

func (w *writer) statsSnapshot() WriterStats {
	return WriterStats{Transactions: w.c.transactions.Load(), Writes: w.c.writes.Load(),
		MaxBatch: w.c.maxBatch.Load(), Retries: w.c.retries.Load()}
}

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// writer owns the single write connection. Writes queue on reqs; the loop
// takes whatever has queued (up to max) and runs it as one transaction, so
// N concurrent writers pay one fsync instead of N.
type writer struct {
	db      *sql.DB
	max     int
	notify  func([]Event)
	reqs    chan *writeReq
	quit    chan struct{}
	stopped chan struct{}
	closing atomic.Bool
	stmts   *stmtCache // statements prepared on the write connection
	c       writerCounters
	now     func() time.Time
}

func newWriter(db *sql.DB, max int, notify func([]Event), now func() time.Time) *writer {
	w := &writer{
		db: db, max: max, notify: notify, now: now,
		reqs:    make(chan *writeReq, 4096),
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go w.run()
	return w
}

func (w *writer) alive() error {
	if w.closing.Load() {
		return ErrClosed
	}
	return nil
}

func (w *writer) close() {
	if w.closing.Swap(true) {
		<-w.stopped
		return
	}
	close(w.quit)
	<-w.stopped
}

// write runs fn in the next transaction and returns once that transaction
// has committed (nil) or fn or the commit failed (the error).
func (s *Store) write(ctx context.Context, fn func(*Tx) error) error {
	w := s.w
	if w.closing.Load() {
		return ErrClosed
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.reqs <- req:
	case <-w.stopped:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("store: write not started: %w", ctx.Err())
	}
	select {
	case err := <-req.done:
		return err
	case <-w.stopped:
		select {
		case err := <-req.done:
			return err
		default:
			return ErrClosed
		}
	}
}

func (w *writer) run() {
	defer close(w.stopped)
	conn, err := w.db.Conn(context.Background())
	if err != nil {
		// Without a connection nothing can be written; fail every request.
		for {
			select {
			case r := <-w.reqs:
				r.done <- fmt.Errorf("store: writer has no connection: %w", err)
			case <-w.quit:
				return
			}
		}
	}
	defer conn.Close()
	w.stmts = newStmtCache(conn.PrepareContext)
	defer w.stmts.close()
	batch := make([]*writeReq, 0, w.max)
	for {
		select {
		case <-w.quit:
			// Close promises that the writes already queued finish: commit
			// them before stopping (a write queued after this sees stopped
			// and reports ErrClosed).
			for {
				batch = w.fill(batch[:0])
				if len(batch) == 0 {
					return
				}
				w.commit(conn, batch)
			}
		case r := <-w.reqs:
			batch = w.fill(append(batch[:0], r))
			w.commit(conn, batch)
		}
	}
}

// fill adds the writes waiting in the queue to batch, up to the maximum,
// without waiting for more.
func (w *writer) fill(batch []*writeReq) []*writeReq {
	for len(batch) < w.max {
		select {
		case r := <-w.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit runs one batch as one transaction. It first runs the writes
// one after another with nothing between them; a write that fails before
// changing anything (the usual refusal: a check that does not pass) just
// reports its error. Only when a write fails after it has changed
// something does the batch roll back and run again with a savepoint around
// each write, so that exactly that write is undone.
func (w *writer) commit(conn *sql.Conn, batch []*writeReq) {
	if retry := w.attempt(conn, batch, false); retry {
		w.c.retries.Add(1)
		w.attempt(conn, batch, true)
	}
}

// attempt runs the batch once. Without savepoints it gives up (rolls back
// and reports retry, acknowledging nothing) as soon as a write fails
// half-way; with them, it always finishes.
func (w *writer) attempt(conn *sql.Conn, batch []*writeReq, savepoints bool) (retry bool) {
	bg := context.Background()
	results := make([]error, len(batch))
	fail := func(err error) {
		for _, r := range batch {
			r.done <- err
		}
	}
	exec := func(q string) error {
		st, err := w.stmts.get(q)
		if err != nil {
			return err
		}
		_, err = st.ExecContext(bg)
		return err
	}
	if err := exec("BEGIN IMMEDIATE"); err != nil {
		fail(fmt.Errorf("store: begin: %w", err))
		return false
	}
	var events []Event
	now := w.now()
	head := &chainHead{}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = fmt.Errorf("store: write abandoned: %w", err)
			continue
		}
		if savepoints {
			if err := exec("SAVEPOINT w"); err != nil {
				results[i] = fmt.Errorf("store: savepoint: %w", err)
				continue
			}
		}
		before := *head
		tx := &Tx{ctx: r.ctx, conn: conn, stmts: w.stmts, now: now, head: head}
		err := runWrite(tx, r.fn)
		switch {
		case err == nil:
			events = append(events, tx.events...)
		case !savepoints && tx.wrote:
			exec("ROLLBACK")
			return true
		case savepoints:
			*head = before
			if rbErr := exec("ROLLBACK TO w"); rbErr != nil {
				// The transaction is in an unknown state: give up on all of it.
				exec("ROLLBACK")
				fail(fmt.Errorf("store: rollback to savepoint after %v: %w", err, rbErr))
				return false
			}
			results[i] = err
		default: // failed before changing anything: nothing to undo
			*head = before
			results[i] = err
		}
		if savepoints {
			if err := exec("RELEASE w"); err != nil {
				exec("ROLLBACK")
				fail(fmt.Errorf("store: release savepoint: %w", err))
				return false
			}
		}
	}
	if err := head.save(bg, w.stmts); err != nil {
		exec("ROLLBACK")
		fail(err)
		return false
	}
	w.c.transactions.Add(1)
	w.c.writes.Add(int64(len(batch)))
	for {
		m := w.c.maxBatch.Load()
		if int64(len(batch)) <= m || w.c.maxBatch.CompareAndSwap(m, int64(len(batch))) {
			break
		}
	}
	if err := exec("COMMIT"); err != nil {
		exec("ROLLBACK")
		fail(fmt.Errorf("store: commit: %w", err))
		return false
	}
	if w.notify != nil && len(events) > 0 {
		w.notify(events)
	}
	for i, r := range batch {
		r.done <- results[i]
	}
	return false
}

// runWrite calls fn, turning a panic into an error so that one bad write
// cannot kill the writer.
func runWrite(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	return fn(tx)
}
