package store_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"onestop/hallserver/exchange/provsim"
	"onestop/hallserver/provsync"
	"onestop/hallserver/store"
)

// TestProvinceCatchesARewrittenHistory is why the audit chain's heads go
// to the province: someone with the database file rewrites a record and
// recomputes every hash after it, so the hall's own check passes — but the
// next anchor's hash for the previously anchored record no longer matches
// what the province received, and the province flags the hall.
func TestProvinceCatchesARewrittenHistory(t *testing.T) {
	s, _ := busyHall(t)
	secret := make([]byte, 32)
	rand.Read(secret)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	prov, err := provsim.Open(provsim.Options{Dir: filepath.Join(t.TempDir(), "province"), Logger: quiet,
		Halls: []provsim.Hall{{Code: hall.Code, Name: hall.Name, Secret: secret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(prov.Handler())
	defer func() { srv.Close(); prov.Close() }()
	relay, err := provsync.New(ctx, s, provsync.Config{URL: srv.URL, Hall: hall.Code, Secret: secret, Logger: quiet,
		IdleWait: 10 * time.Millisecond, AnchorInterval: time.Hour, PullInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); relay.Run(runCtx) }()
	defer func() { stop(); <-done }()
	drained := func() bool { st, err := s.OutboxStatus(ctx); return err == nil && st.Pending == 0 && st.Delivered > 0 }
	mismatch := func() bool {
		st, err := prov.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.Halls[hall.Code].AuditMismatch
	}
	waitFor(t, "the first anchor to reach the province", drained)

	// An honest anchor later: no alarm.
	issue(t, s, store.IssueRequest{Queue: "A"})
	if wrote, err := s.AnchorAuditHead(ctx); err != nil || !wrote {
		t.Fatalf("anchor: %v %v", wrote, err)
	}
	waitFor(t, "the second anchor", drained)
	if mismatch() {
		t.Fatal("the province flagged an honest hall")
	}

	// The rewrite: record k's content changed and every hash from k on
	// recomputed, the head too.
	db := rawDB(t, s)
	dropAuditTriggers(t, db)
	head := verifyOK(t, s).HeadID
	k := head / 2
	prev := readRecord(t, db, k-1).Hash
	for id := k; id <= head; id++ {
		r := readRecord(t, db, id)
		if id == k {
			r.Actor = "mallory"
		}
		r.PrevHash = prev
		r.Hash = r.ComputeHash()
		mustExec(t, db, "UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?", r.Actor, r.PrevHash, r.Hash, id)
		prev = r.Hash
	}
	mustExec(t, db, "UPDATE audit_head SET hash = ? WHERE id = 1", prev)
	verifyOK(t, s) // the hall's own check cannot tell

	issue(t, s, store.IssueRequest{Queue: "A"})
	if wrote, err := s.AnchorAuditHead(ctx); err != nil || !wrote {
		t.Fatalf("anchor: %v %v", wrote, err)
	}
	waitFor(t, "the third anchor", drained)
	if !mismatch() {
		t.Fatal("the province did not notice the rewritten history")
	}
}
