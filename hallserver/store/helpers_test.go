package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/catalogue"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// t0 is 09:00 on Thursday 2026-11-26 in the hall (01:00 UTC).
var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, queue.Location)

// day0 is t0's service day.
const day0 = "2026-11-26"

// clock is a controllable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var (
	ctx    = context.Background()
	admin  = store.Actor{Name: "admin", Role: "admin"}
	kioskA = store.Actor{Name: "kiosk:K01", Role: "kiosk", Device: "K01"}
	hall   = store.Hall{Code: "520000-ZWFW", Name: "贵州省政务服务中心"}
)

// openStore opens a store in dir with the clock; it is closed when the test ends.
func openStore(t testing.TB, dir string, clk *clock, opts store.Options) *store.Store {
	t.Helper()
	opts.Now = clk.Now
	s, err := store.Open(ctx, dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// seed returns the sample catalogue.
func seed(t testing.TB) *catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Seed()
	if err != nil {
		t.Fatalf("catalogue.Seed: %v", err)
	}
	return c
}

// newHall opens a store in a fresh directory, clock at t0, and initialises
// a hall with the sample catalogue (queues A–F, windows 1–14).
func newHall(t testing.TB) (*store.Store, *clock) {
	t.Helper()
	return newHallOpts(t, store.Options{})
}

func newHallOpts(t testing.TB, opts store.Options) (*store.Store, *clock) {
	t.Helper()
	clk := newClock(t0)
	s := openStore(t, t.TempDir(), clk, opts)
	if err := s.InitHall(ctx, store.System, hall, seed(t)); err != nil {
		t.Fatalf("InitHall: %v", err)
	}
	return s, clk
}

// issue takes a ticket or fails the test.
func issue(t testing.TB, s *store.Store, req store.IssueRequest) store.Ticket {
	t.Helper()
	tk, err := s.IssueTicket(ctx, kioskA, req)
	if err != nil {
		t.Fatalf("IssueTicket(%+v): %v", req, err)
	}
	return tk
}

// staff creates an account and returns its actor at a window.
func staff(t testing.TB, s *store.Store, username, role string, window int) store.Actor {
	t.Helper()
	u, err := s.CreateUser(ctx, admin, store.NewUser{Username: username, Role: role, PasswordHash: "$argon2id$test"})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", username, err)
	}
	return store.Actor{Name: u.Username, Role: u.Role, UserID: u.ID, Device: fmt.Sprintf("window %d", window)}
}

// open opens windows for a or fails the test.
func open(t testing.TB, s *store.Store, a store.Actor, windows ...int) {
	t.Helper()
	for _, w := range windows {
		if err := s.OpenWindow(ctx, a, w); err != nil {
			t.Fatalf("OpenWindow(%s, %d): %v", a.Name, w, err)
		}
	}
}

// callNext calls the next ticket or fails the test.
func callNext(t testing.TB, s *store.Store, a store.Actor, window int) store.CallResult {
	t.Helper()
	res, err := s.CallNext(ctx, a, window)
	if err != nil {
		t.Fatalf("CallNext(%d): %v", window, err)
	}
	return res
}

// act applies a window action or fails the test.
func act(t testing.TB, s *store.Store, a store.Actor, window int, wa store.WindowAction) store.Ticket {
	t.Helper()
	tk, err := s.Act(ctx, a, window, wa)
	if err != nil {
		t.Fatalf("Act(%d, %+v): %v", window, wa, err)
	}
	return tk
}

// serve starts and finishes the window's current ticket, d apart.
func serve(t testing.TB, s *store.Store, clk *clock, a store.Actor, window int, d time.Duration) store.Ticket {
	t.Helper()
	act(t, s, a, window, store.WindowAction{Kind: queue.Start})
	clk.Advance(d)
	return act(t, s, a, window, store.WindowAction{Kind: queue.Finish})
}

// wantErr fails the test unless errors.Is(err, target) and the message
// holds every one of words.
func wantErr(t testing.TB, err, target error, words ...string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// rawDB opens the store's file directly, as an attacker or a repair tool
// would; it is closed when the test ends.
func rawDB(t testing.TB, s *store.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("open raw db: %v", err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// count runs a COUNT query.
func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// mustExec runs a statement on the raw database.
func mustExec(t testing.TB, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// verifyOK fails the test unless the audit chain is intact.
func verifyOK(t testing.TB, s *store.Store) store.AuditVerdict {
	t.Helper()
	v, err := s.VerifyAudit(ctx)
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	if !v.OK {
		t.Fatalf("VerifyAudit: chain broken at %d: %s", v.FirstBad, v.Problem)
	}
	return v
}

// holdWriter parks the writer inside a write until release is called, so
// that the writes queued meanwhile are committed together in the next
// transaction. release is also called when the test ends.
func holdWriter(t testing.TB, s *store.Store) (release func()) {
	t.Helper()
	started, rel, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.Write(ctx, func(*store.Tx) error {
			close(started)
			<-rel
			return nil
		})
	}()
	<-started
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(rel)
			if err := <-done; err != nil {
				t.Errorf("holding write: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// waitFor spins (without sleeping) until cond holds, failing the test
// after 20 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

// numbersOf lists tickets' numbers, for messages.
func numbersOf(ts []store.Ticket) []string {
	out := make([]string, len(ts))
	for i, tk := range ts {
		out[i] = tk.Number
	}
	return out
}
