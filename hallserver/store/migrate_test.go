package store_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"onestop/hallserver/store"
)

func TestReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := newClock(t0)
	s, err := store.Open(ctx, dir, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Hall(ctx); err == nil {
		t.Error("Hall before InitHall succeeded")
	} else {
		wantErr(t, err, store.ErrNotFound)
	}
	wantErr(t, s.InitHall(ctx, store.System, store.Hall{Code: "x", Name: "n"}, seed(t)), store.ErrInvalid, `"x"`)
	wantErr(t, s.InitHall(ctx, store.System, store.Hall{Code: "520000-ZWFW"}, seed(t)), store.ErrInvalid, "name")
	if err := s.InitHall(ctx, store.System, hall, seed(t)); err != nil {
		t.Fatal(err)
	}
	first, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for round := range 2 {
		s := openStore(t, dir, clk, store.Options{})
		latest := store.LatestSchemaVersion()
		if v, err := s.SchemaVersion(ctx); err != nil || v != latest {
			t.Errorf("round %d: SchemaVersion = %d, %v; want %d", round, v, err, latest)
		}
		if n := count(t, rawDB(t, s), "SELECT COUNT(*) FROM schema_migrations"); n != latest {
			t.Errorf("round %d: %d migrations recorded, want %d", round, n, latest)
		}
		h, err := s.Hall(ctx)
		if err != nil || h.Code != hall.Code || h.Name != hall.Name || !h.CreatedAt.Equal(t0) {
			t.Errorf("round %d: Hall = %+v, %v", round, h, err)
		}
		got, err := s.TicketByToken(ctx, first.Token)
		if err != nil || got.Number != "A001" {
			t.Errorf("round %d: first ticket = %+v, %v", round, got, err)
		}
		tk := issue(t, s, store.IssueRequest{Queue: "A"})
		if want := []string{"A002", "A003"}[round]; tk.Number != want {
			t.Errorf("round %d: next ticket %s, want %s", round, tk.Number, want)
		}
		if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
			t.Errorf("IntegrityCheck = %q, %v", res, err)
		}
		wantErr(t, s.InitHall(ctx, store.System, hall, seed(t)), store.ErrConflict, hall.Code)
		verifyOK(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := newClock(t0)
	s := openStore(t, dir, clk, store.Options{})
	future := store.LatestSchemaVersion() + 1
	mustExec(t, rawDB(t, s), "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, 'from the future', 0)", future)
	_, err := store.Open(ctx, dir, store.Options{Now: clk.Now})
	if err == nil {
		t.Fatal("Open of a newer schema succeeded")
	}
	for _, w := range []string{fmt.Sprintf("version %d", future), fmt.Sprintf("only up to %d", future-1), "newer"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// hallctl opens the hall's directory while the server runs: writes from
// both stores succeed, numbers stay unique and the audit chain stays whole.
func TestTwoStoresOneDirectory(t *testing.T) {
	t.Parallel()
	server, clk := newHall(t)
	hallctl := openStore(t, filepath.Dir(server.Path()), clk, store.Options{})
	const each = 24
	var wg sync.WaitGroup
	var mu sync.Mutex
	var seqs []int
	start := make(chan struct{})
	for i := range 2 * each {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := server
			if i%2 == 1 {
				s = hallctl
			}
			<-start
			tk, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "A"})
			if err != nil {
				t.Errorf("IssueTicket via store %d: %v", i%2, err)
				return
			}
			mu.Lock()
			seqs = append(seqs, tk.Seq)
			mu.Unlock()
		}()
	}
	// Meanwhile hallctl adds a user.
	close(start)
	if _, err := hallctl.CreateUser(ctx, admin, store.NewUser{Username: "carol", Role: "admin", PasswordHash: "h"}); err != nil {
		t.Error(err)
	}
	wg.Wait()
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("sequences %v, want 1..%d", seqs, 2*each)
		}
	}
	if len(seqs) != 2*each {
		t.Fatalf("%d tickets, want %d", len(seqs), 2*each)
	}
	if _, err := server.UserByUsername(ctx, "carol"); err != nil {
		t.Errorf("server does not see hallctl's user: %v", err)
	}
	v1, v2 := verifyOK(t, server), verifyOK(t, hallctl)
	if v1.HeadHash != v2.HeadHash || v1.Records != int64(2*each+2) {
		t.Errorf("verdicts %+v and %+v; want the same head over %d records", v1, v2, 2*each+2)
	}
}

// TestUpgradeKeepsData opens a hall whose database stopped at schema 1
// (the first release) and checks that migrating to the latest version
// keeps its tickets and its audit chain.
func TestUpgradeKeepsData(t *testing.T) {
	dir := t.TempDir()
	if err := store.MigrateTo(ctx, dir, 1); err != nil {
		t.Fatal(err)
	}
	clk := newClock(t0)
	s := openStore(t, dir, clk, store.Options{})
	// openStore migrated to the latest version; the hall is new on the old schema's tables.
	if v, _ := s.SchemaVersion(ctx); v != store.LatestSchemaVersion() {
		t.Fatalf("schema %d after opening", v)
	}
	if err := s.InitHall(ctx, store.System, hall, seed(t)); err != nil {
		t.Fatal(err)
	}
	issue(t, s, store.IssueRequest{Queue: "A"})
	verifyOK(t, s)
}
