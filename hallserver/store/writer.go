package store

import (
	"context"
	"database/sql"
	"errors"
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
	Retries      int64 // batches run again (with savepoints) after a write failed half-way or lost the transaction
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
// reports its error. When a write fails after it has changed something,
// the batch rolls back and runs again with a savepoint around each write,
// so that exactly that write is undone. When a write's failure takes the
// whole transaction with it, that write fails alone and the others run
// again without it. Nothing is acknowledged before its commit.
func (w *writer) commit(conn *sql.Conn, batch []*writeReq) {
	savepoints := false
	for len(batch) > 0 {
		out := w.attempt(conn, batch, savepoints)
		switch {
		case out.done:
			return
		case out.culprit >= 0:
			batch[out.culprit].done <- out.err
			batch = append(batch[:out.culprit:out.culprit], batch[out.culprit+1:]...)
		}
		w.c.retries.Add(1)
		savepoints = true
	}
}

// attemptResult says how an attempt ended: done (every write was answered),
// or to be run again — without the write at culprit (≥ 0), whose failure
// took the transaction with it and which fails with err.
type attemptResult struct {
	done    bool
	culprit int
	err     error
}

// attempt runs the batch once as one transaction.
func (w *writer) attempt(conn *sql.Conn, batch []*writeReq, savepoints bool) attemptResult {
	bg := context.Background()
	results := make([]error, len(batch))
	fail := func(err error) attemptResult {
		for _, r := range batch {
			r.done <- err
		}
		return attemptResult{done: true}
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
		return fail(fmt.Errorf("store: begin: %w", err))
	}
	// SQLite rolls a whole transaction back on some errors (I/O, disk
	// full, interrupt), after which each later statement would commit on
	// its own. intact tells: BEGIN fails inside a transaction and succeeds
	// only when it is gone (the transaction it then starts is rolled back).
	// It costs nothing on the happy path: it runs after a failed write and
	// once before the commit.
	intact := func() bool {
		if exec("BEGIN") == nil {
			exec("ROLLBACK")
			return false
		}
		return true
	}
	lost := func(i int, err error) attemptResult {
		exec("ROLLBACK")
		return attemptResult{culprit: i, err: fmt.Errorf("store: this write failed and took its transaction with it: %w", err)}
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
				exec("ROLLBACK")
				return fail(fmt.Errorf("store: savepoint: %w", err))
			}
		}
		before := *head
		// The statements run with a context the caller cannot cancel: a
		// cancelled context interrupts the connection, and SQLite answers
		// an interrupted write by rolling back the whole transaction, the
		// other writers' work included. The caller's context only decides
		// whether the write starts at all (above).
		tx := &Tx{ctx: context.WithoutCancel(r.ctx), conn: conn, stmts: w.stmts, now: now, head: head}
		err := runWrite(tx, r.fn)
		if savepoints {
			if err == nil {
				events = append(events, tx.events...)
				if exec("RELEASE w") != nil {
					exec("ROLLBACK")
					return fail(fmt.Errorf("store: release savepoint: transaction lost"))
				}
				continue
			}
			*head = before
			results[i] = err
			if exec("ROLLBACK TO w") != nil || exec("RELEASE w") != nil || !intact() {
				return lost(i, err)
			}
			continue
		}
		switch {
		case err == nil:
			events = append(events, tx.events...)
		case !intact():
			return lost(i, err)
		case tx.wrote:
			// Failed half-way: run the batch again with savepoints.
			exec("ROLLBACK")
			return attemptResult{culprit: -1}
		default: // refused before changing anything: nothing to undo
			*head = before
			results[i] = err
		}
	}
	if !intact() {
		return fail(errors.New("store: the transaction was lost before its commit"))
	}
	if err := head.save(bg, w.stmts); err != nil {
		exec("ROLLBACK")
		return fail(err)
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
		return fail(fmt.Errorf("store: commit: %w", err))
	}
	if w.notify != nil && len(events) > 0 {
		w.notify(events)
	}
	for i, r := range batch {
		r.done <- results[i]
	}
	return attemptResult{done: true}
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
