package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"onestop/hallserver/store"
)

// metaWrite returns a write that records key in the meta table and audits
// it, then ends with end (which may return an error or panic).
func metaWrite(key string, end func() error) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		if _, err := tx.Exec("INSERT INTO meta(key, value) VALUES (?, 'x')", key); err != nil {
			return err
		}
		if err := tx.Audit(admin, "test.write", "test", key, nil, map[string]string{"key": key}); err != nil {
			return err
		}
		return end()
	}
}

func hasMeta(t *testing.T, s *store.Store, key string) bool {
	t.Helper()
	return count(t, rawDB(t, s), "SELECT COUNT(*) FROM meta WHERE key = ?", key) == 1
}

// One failing or panicking write in a batch undoes only itself.
func TestWriterBatchIsolation(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	errOwn := errors.New("own failure")
	writes := []struct {
		key  string
		end  func() error
		want string // "" for success, else words of the error
	}{
		{"w1", func() error { return nil }, ""},
		{"w2", func() error { return errOwn }, "own failure"},
		{"w3", func() error { panic("boom") }, "panicked: boom"},
		{"w4", func() error { return nil }, ""},
		{"w5", func() error { var m map[string]int; m["x"] = 1; return nil }, "panicked"},
		{"w6", func() error { return nil }, ""},
	}
	audits := verifyOK(t, s).Records
	before := s.Stats()
	release := holdWriter(t, s)
	errs := make([]chan error, len(writes))
	for i, w := range writes {
		errs[i] = make(chan error, 1)
		go func() { errs[i] <- s.Write(ctx, metaWrite(w.key, w.end)) }()
	}
	waitFor(t, "queued writes", func() bool { return s.QueuedWrites() == len(writes) })
	release()
	ok := 0
	for i, w := range writes {
		err := <-errs[i]
		switch {
		case w.want == "" && err != nil:
			t.Errorf("%s: %v", w.key, err)
		case w.want != "" && (err == nil || !strings.Contains(err.Error(), w.want)):
			t.Errorf("%s: error %v, want %q", w.key, err, w.want)
		}
		if w.key == "w2" && !errors.Is(err, errOwn) {
			t.Errorf("w2: error %v does not wrap the write's own error", err)
		}
		if got := hasMeta(t, s, w.key); got != (w.want == "") {
			t.Errorf("%s: stored = %v, want %v", w.key, got, w.want == "")
		}
		if w.want == "" {
			ok++
		}
	}
	after := s.Stats()
	if r := after.Retries - before.Retries; r != 1 {
		t.Errorf("%d retries; want the batch run again once with savepoints", r)
	}
	if tx := after.Transactions - before.Transactions; tx != 2 || after.MaxBatch < int64(len(writes)) {
		t.Errorf("%d transactions, max batch %d; want the holding one and one of %d", tx, after.MaxBatch, len(writes))
	}
	if v := verifyOK(t, s); v.Records != audits+int64(ok) {
		t.Errorf("%d audit records, want %d", v.Records, audits+int64(ok))
	}
	// The writer is still alive.
	issue(t, s, store.IssueRequest{Queue: "A"})
}

// A write whose caller gave up while it was queued is not run.
func TestWriterAbandonedWrite(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	release := holdWriter(t, s)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Write(cctx, metaWrite("gone", func() error { return nil })) }()
	waitFor(t, "queued write", func() bool { return s.QueuedWrites() == 1 })
	cancel()
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned write: %v, want context.Canceled", err)
	}
	if hasMeta(t, s, "gone") {
		t.Error("abandoned write was committed")
	}
	verifyOK(t, s)
}

// Close lets the writes already queued finish, then refuses new ones.
func TestWriterClose(t *testing.T) {
	t.Parallel()
	clk := newClock(t0)
	dir := t.TempDir()
	s, err := store.Open(ctx, dir, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InitHall(ctx, store.System, hall, seed(t)); err != nil {
		t.Fatal(err)
	}
	release := holdWriter(t, s)
	const n = 5
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "A"})
			errs <- err
		}()
	}
	waitFor(t, "queued writes", func() bool { return s.QueuedWrites() == n })
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	waitFor(t, "Close to stop the writer", s.WriterStopping)
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("write queued before Close: %v", err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"IssueTicket", func() error { _, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "A"}); return err }},
		{"OpenWindow", func() error { return s.OpenWindow(ctx, admin, 1) }},
		{"Write", func() error { return s.Write(ctx, func(*store.Tx) error { return nil }) }},
		{"Ping", func() error { return s.Ping(ctx) }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.do(), store.ErrClosed) })
	}

	// What was acknowledged is on disk.
	s2 := openStore(t, dir, clk, store.Options{})
	if ts, err := s2.Tickets(ctx, day0); err != nil || len(ts) != n {
		t.Errorf("after reopening: %d tickets, %v; want %d", len(ts), err, n)
	}
	verifyOK(t, s2)
	if s2.Path() != filepath.Join(dir, store.FileName) {
		t.Errorf("Path = %s", s2.Path())
	}
}

// A write refused before it changes anything costs its batch nothing: no
// rollback, no second run.
func TestWriterRefusalNeedsNoRetry(t *testing.T) {
	s, _ := newHall(t)
	before := s.Stats()
	release := holdWriter(t, s)
	errs := make(chan error, 3)
	go func() { errs <- s.Write(ctx, metaWrite("r1", func() error { return nil })) }()
	go func() {
		errs <- s.Write(ctx, func(tx *store.Tx) error { return errors.New("refused") })
	}()
	go func() {
		_, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "Z"}) // the insert itself is refused
		errs <- err
	}()
	waitFor(t, "queued writes", func() bool { return s.QueuedWrites() == 3 })
	release()
	failed := 0
	for range 3 {
		if <-errs != nil {
			failed++
		}
	}
	if failed != 2 || !hasMeta(t, s, "r1") {
		t.Fatalf("%d failed, r1 stored %v; want 2 refusals and r1 stored", failed, hasMeta(t, s, "r1"))
	}
	if r := s.Stats().Retries - before.Retries; r != 0 {
		t.Errorf("%d retries for refusals that changed nothing", r)
	}
}

// A write whose failure takes the whole transaction with it (as SQLite
// does on an interrupt, an I/O error or a full disk) must not leave the
// other writes of its batch committing one by one outside a transaction,
// nor the audit chain's head pointing past its last record: the batch runs
// again, the others are stored exactly once, and the chain stays whole.
func TestWriterSurvivesLostTransaction(t *testing.T) {
	s, _ := newHall(t)
	before := s.Stats()
	release := holdWriter(t, s)
	errs := make([]chan error, 4)
	writes := []func(*store.Tx) error{
		metaWrite("k1", func() error { return nil }),
		func(tx *store.Tx) error {
			if _, err := tx.Exec("ROLLBACK"); err != nil { // the transaction is gone
				return err
			}
			return errors.New("disk I/O error (simulated)")
		},
		metaWrite("k3", func() error { return nil }),
		metaWrite("k4", func() error { return nil }),
	}
	for i, fn := range writes {
		errs[i] = make(chan error, 1)
		go func() { errs[i] <- s.Write(ctx, fn) }()
		waitFor(t, "queued", func() bool { return s.QueuedWrites() == i+1 })
	}
	release()
	for i, ch := range errs {
		err := <-ch
		if (err != nil) != (i == 1) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	for _, k := range []string{"k1", "k3", "k4"} {
		if !hasMeta(t, s, k) {
			t.Errorf("%s not stored", k)
		}
	}
	if r := s.Stats().Retries - before.Retries; r < 1 {
		t.Errorf("the batch was not run again")
	}
	verifyOK(t, s)
	// The writer goes on.
	issue(t, s, store.IssueRequest{Queue: "A"})
	verifyOK(t, s)
}
