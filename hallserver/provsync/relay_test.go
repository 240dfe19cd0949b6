package provsync_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"onestop/hallserver/api"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/catalogue/cataloguetest"
	"onestop/hallserver/exchange"
	"onestop/hallserver/exchange/provsim"
	"onestop/hallserver/provsync"
	"onestop/hallserver/provsync/synccheck"
	"onestop/hallserver/store"
)

const hallCode = "520000-ZWFW"

var (
	ctx   = context.Background()
	kiosk = store.Actor{Name: "kiosk:K01", Role: "kiosk"}
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// rig is a hall store and a province, linked by a relay the test starts.
type rig struct {
	t      *testing.T
	dir    string
	st     *store.Store
	prov   *provsim.Province
	url    string
	secret []byte
	relay  *provsync.Relay
	stop   func()
}

func newRig(t *testing.T, faults provsim.Faults) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), secret: make([]byte, 32)}
	rand.Read(r.secret)
	var err error
	r.st, err = store.Open(ctx, filepath.Join(r.dir, "hall"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.st.Close() })
	seed, err := catalogue.Seed()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.InitHall(ctx, store.System, store.Hall{Code: hallCode, Name: "测试大厅"}, seed); err != nil {
		t.Fatal(err)
	}
	r.prov, err = provsim.Open(provsim.Options{Dir: filepath.Join(r.dir, "province"), Logger: quiet(), Seed: 7, Faults: faults,
		Halls: []provsim.Hall{{Code: hallCode, Name: "测试大厅", Secret: r.secret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.prov.Handler())
	r.url = srv.URL
	t.Cleanup(func() { srv.Close(); r.prov.Close() })
	return r
}

func (r *rig) config() provsync.Config {
	return provsync.Config{URL: r.url, Hall: hallCode, Secret: r.secret, ProvinceKey: r.prov.PublicKey(), Logger: quiet(),
		AttemptTimeout: 2 * time.Second, CallTimeout: 10 * time.Second, RetryWaitMin: 5 * time.Millisecond,
		RetryWaitMax: 50 * time.Millisecond, OutageWaitMin: 10 * time.Millisecond, OutageWaitMax: 200 * time.Millisecond,
		IdleWait: 10 * time.Millisecond, PullInterval: 50 * time.Millisecond, AnchorInterval: time.Hour, BatchSize: 50}
}

// start runs a relay with cfg until the test ends or stop is called.
func (r *rig) start(cfg provsync.Config) {
	r.t.Helper()
	relay, err := provsync.New(ctx, r.st, cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); relay.Run(runCtx) }()
	r.relay = relay
	r.stop = func() { cancel(); <-done }
	r.t.Cleanup(r.stop)
}

// tickets issues and cancels n tickets: n ticket.summary outbox rows.
func (r *rig) tickets(n int) {
	r.t.Helper()
	for range n {
		tk, err := r.st.IssueTicket(ctx, kiosk, store.IssueRequest{Item: "GA-CRJ-001"})
		if err != nil {
			r.t.Fatal(err)
		}
		if _, err := r.st.CancelTicket(ctx, kiosk, tk.ID, "left"); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *rig) status() store.OutboxStatus {
	st, err := r.st.OutboxStatus(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// waitFor polls cond; the limit only guards against a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *rig) drained() bool { return r.status().Pending == 0 }

// ticketRows counts the outbox rows of tickets (the relay also anchors the
// audit chain's head when it starts: a row of its own).
func (r *rig) ticketRows(state string) int {
	r.t.Helper()
	rows, err := r.st.OutboxRows(ctx, 0, 100000)
	if err != nil {
		r.t.Fatal(err)
	}
	n := 0
	for _, row := range rows {
		if row.Kind == exchange.KindTicketSummary && (state == "" || row.State == state) {
			n++
		}
	}
	return n
}

func (r *rig) check() synccheck.Report {
	r.t.Helper()
	rep, err := synccheck.Compare(ctx, r.st, r.prov, hallCode)
	if err != nil {
		r.t.Fatal(err)
	}
	return rep
}

func TestRelayDeliversEverythingOnce(t *testing.T) {
	tests := []struct {
		name   string
		faults provsim.Faults
	}{
		{"healthy link", provsim.Faults{}},
		{"errors, 429s, resets and lost acknowledgements", provsim.Faults{FailRate: 0.3, RateLimitShare: 0.3,
			RetryAfter: time.Second, ResetRate: 0.1, LostAckRate: 0.15}},
		{"slow province", provsim.Faults{Latency: 20 * time.Millisecond, Jitter: 30 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.faults)
			r.tickets(120)
			cfg := r.config()
			cfg.RetryWaitMax = 20 * time.Millisecond // a 429's Retry-After is capped here
			r.start(cfg)
			r.tickets(80) // written while the relay runs
			waitFor(t, "the outbox to drain", r.drained)
			if rep := r.check(); !rep.Clean() || r.ticketRows(store.OutboxDelivered) != 200 {
				t.Fatalf("%s", rep)
			}
			if link := r.relay.Link(); link.State != api.ProvinceConnected || link.LastSuccess.IsZero() {
				t.Errorf("link %+v, want connected", link)
			}
			stats, err := r.prov.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			k := stats.Kinds[exchange.KindTicketSummary]
			if k.Applied != 200 || k.OutOfOrder != 0 {
				t.Errorf("province stats %+v", k)
			}
			if stats.Faults.LostAck > 0 && k.Duplicates == 0 && stats.BatchReplays == 0 {
				t.Errorf("lost acknowledgements were injected but nothing was sent twice: %+v", stats)
			}
		})
	}
}

func TestRelayKeepsRowsWhileTheProvinceIsAway(t *testing.T) {
	r := newRig(t, provsim.Faults{BlackHole: true})
	cfg := r.config()
	cfg.AttemptTimeout, cfg.CallTimeout = 100*time.Millisecond, 300*time.Millisecond
	r.start(cfg)
	r.tickets(30)
	waitFor(t, "a failed push", func() bool { return r.relay.Link().LastError != "" })
	if st, n := r.status(), r.ticketRows(store.OutboxPending); n != 30 || st.Delivered != 0 {
		t.Fatalf("while the province is away: %+v, %d ticket rows pending, want 30 and none delivered", st, n)
	}
	if link := r.relay.Link(); link.State != api.ProvinceRetrying {
		t.Errorf("link state %q, want retrying", link.State)
	}
	r.prov.SetFaults(provsim.Faults{})
	waitFor(t, "the outbox to drain", r.drained)
	if rep := r.check(); !rep.Clean() {
		t.Fatalf("%s", rep)
	}
}

func TestRelayRefusedCredentials(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*provsync.Config)
		want   string
	}{
		{"wrong secret", func(c *provsync.Config) { c.Secret = []byte(strings.Repeat("x", 32)) }, "signature"},
		{"unknown hall", func(c *provsync.Config) { c.Hall = "999999-NONE" }, "unknown"},
		{"clock ten minutes fast", func(c *provsync.Config) { c.Now = func() time.Time { return time.Now().Add(10 * time.Minute) } }, "clock"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, provsim.Faults{})
			r.tickets(5)
			cfg := r.config()
			tc.mutate(&cfg)
			r.start(cfg)
			waitFor(t, "the refusal", func() bool { return r.relay.Link().State == api.ProvinceRefused })
			if link := r.relay.Link(); !strings.Contains(strings.ToLower(link.LastError), tc.want) {
				t.Errorf("last error %q, want it to mention %q", link.LastError, tc.want)
			}
			if st := r.status(); r.ticketRows(store.OutboxPending) != 5 || st.Dead != 0 || st.Delivered != 0 {
				t.Errorf("outbox %+v: refused credentials must leave every row pending", st)
			}
			if applied, _ := r.prov.Applied(ctx, hallCode); len(applied) != 0 {
				t.Errorf("the province applied %d events from a refused hall", len(applied))
			}
		})
	}
}

func (r *rig) rawDB() *sql.DB {
	r.t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(r.dir, "hall", "hall.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	return db
}

func TestDeadLetterHoldsItsRecordAndReplays(t *testing.T) {
	// Batches of 1: the dead letter travels alone, and its replay is the
	// same single event again (answered afresh, not from the province's
	// idempotency store); batches of 50: it shares its batch.
	for _, batch := range []int{1, 50} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) {
			r := newRig(t, provsim.Faults{})
			// A row the province cannot take (a ticket summary with no
			// number), then a later row of the same record and rows of others.
			db := r.rawDB()
			if _, err := db.Exec(`INSERT INTO outbox(kind, aggregate, created_at, data) VALUES
				('ticket.summary', 'ticket:999', ?, '{"day":"2026-11-26","queue":"A","state":"done","issued_at":"2026-11-26T01:00:00Z","finished_at":"2026-11-26T01:10:00Z"}'),
				('ticket.summary', 'ticket:999', ?, '{"day":"2026-11-26","number":"A999","queue":"A","state":"done","issued_at":"2026-11-26T01:00:00Z","finished_at":"2026-11-26T01:10:00Z"}')`,
				time.Now().UnixMilli(), time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}
			r.tickets(10)
			cfg := r.config()
			cfg.BatchSize = batch
			r.start(cfg)
			waitFor(t, "the healthy rows", func() bool { return r.ticketRows(store.OutboxDelivered) == 10 })
			st := r.status()
			if st.Dead != 1 || st.Held != 1 {
				t.Fatalf("outbox %+v, want 1 dead and the row after it held", st)
			}
			dead, err := r.st.DeadLetters(ctx, 10)
			if err != nil || len(dead) != 1 || !strings.Contains(dead[0].LastError, "number") {
				t.Fatalf("dead letters %+v %v: want the province's reason (number missing)", dead, err)
			}
			// Staff fix the cause (here: the payload) and replay: both rows
			// go, in order.
			if _, err := db.Exec(`UPDATE outbox SET data = json_set(data, '$.number', 'A998') WHERE id = ?`, dead[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := r.st.ReplayDeadLetters(ctx, store.Actor{Name: "zhuren", Role: "supervisor"}, nil); err != nil {
				t.Fatal(err)
			}
			r.relay.Kick()
			waitFor(t, "the replayed rows", r.drained)
			if rep := r.check(); !rep.Clean() {
				t.Fatalf("%s", rep)
			}
		})
	}
}

// TestBatchRefusedAsAWholeKeepsOrder: the province refuses a batch as a
// whole (too large); sent one by one, the event at fault is dead-lettered
// and the later event of its record waits behind it, while other records
// go on.
func TestBatchRefusedAsAWholeKeepsOrder(t *testing.T) {
	r := newRig(t, provsim.Faults{})
	db := r.rawDB()
	huge := `{"day":"2026-11-26","number":"A900","queue":"A","state":"done","issued_at":"2026-11-26T01:00:00Z","finished_at":"2026-11-26T01:10:00Z","item":"` +
		strings.Repeat("x", exchange.MaxBodyBytes) + `"}`
	now := time.Now().UnixMilli()
	if _, err := db.Exec(`INSERT INTO outbox(kind, aggregate, created_at, data) VALUES ('ticket.summary', 'ticket:900', ?, ?),
		('ticket.summary', 'ticket:900', ?, '{"day":"2026-11-26","number":"A901","queue":"A","state":"done","issued_at":"2026-11-26T01:00:00Z","finished_at":"2026-11-26T01:10:00Z"}')`,
		now, huge, now); err != nil {
		t.Fatal(err)
	}
	r.tickets(5)
	r.start(r.config())
	waitFor(t, "the other records", func() bool { return r.ticketRows(store.OutboxDelivered) == 5 })
	st := r.status()
	if st.Dead != 1 || st.Held != 1 {
		t.Fatalf("outbox %+v, want the huge row dead and the next row of its record held", st)
	}
	applied, err := r.prov.Applied(ctx, hallCode)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range applied {
		if a.Aggregate == "ticket:900" {
			t.Fatalf("a row of ticket:900 overtook its dead letter: %s", a.Key)
		}
	}
}

func TestPullsResumeFromTheirCursor(t *testing.T) {
	r := newRig(t, provsim.Faults{})
	sup := store.Actor{Name: "wang", Role: "counter"}
	var numbers []string
	for i := range 3 {
		app, err := r.st.AcceptApplication(ctx, sup, store.AcceptRequest{Item: "GA-CRJ-001", ApplicantName: "申请人",
			ApplicantHash: "h" + string(rune('a'+i)), ApplicantSealed: []byte("sealed"), ApplicantMasked: "5201**********0011", Window: "3"})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, app.Number)
	}
	add := func(number, step string) int64 {
		c, err := r.prov.AddApplicationUpdate(ctx, hallCode, exchange.ApplicationUpdate{Number: number, Kind: "advance", Step: step,
			By: "省公安厅出入境管理局", At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	add(numbers[0], "review")
	add(numbers[1], "review")
	r.start(r.config())
	cursorAt := func(want int64) func() bool {
		return func() bool { ps, _ := r.st.ProvinceState(ctx); return ps.UpdateCursor >= want }
	}
	waitFor(t, "the first updates", cursorAt(2))
	r.stop()
	// While the hall is away the province adds more; a new relay (a
	// restarted hall server) takes only those.
	add(numbers[0], "decide")
	last := add(numbers[2], "review")
	r.start(r.config())
	waitFor(t, "the later updates", cursorAt(last))
	want := map[string]string{numbers[0]: "decide", numbers[1]: "review", numbers[2]: "review"}
	for n, step := range want {
		app, err := r.st.ApplicationByNumber(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if string(app.State.Step) != step {
			t.Errorf("%s is at %s, want %s", n, app.State.Step, step)
		}
		events := 0
		for _, ev := range app.Events {
			if ev.Actor == "province:省公安厅出入境管理局" {
				events++
			}
		}
		if wantN := map[string]int{numbers[0]: 2}[n]; (wantN == 0 && events != 1) || (wantN != 0 && events != wantN) {
			t.Errorf("%s has %d province events: an update applied twice or lost", n, events)
		}
	}
}

func TestCatalogueUpdateWhileTicketsAreOpen(t *testing.T) {
	r := newRig(t, provsim.Faults{})
	waiting, err := r.st.IssueTicket(ctx, kiosk, store.IssueRequest{Item: "GA-CRJ-001"})
	if err != nil {
		t.Fatal(err)
	}
	// Version 2 drops the waiting ticket's queue; version 3 renames an item
	// and keeps every queue.
	v2, _ := catalogue.Seed()
	cataloguetest.DropQueue(t, v2, waiting.Queue)
	v2.Version = "2027.1"
	if _, err := r.prov.PublishCatalogue(ctx, v2); err != nil {
		t.Fatal(err)
	}
	r.start(r.config())
	waitFor(t, "the catalogue to wait", func() bool { return r.relay.Link().CatalogueWaiting != "" })
	if w := r.relay.Link().CatalogueWaiting; !strings.Contains(w, "queue "+waiting.Queue) {
		t.Errorf("waiting reason %q does not name queue %s", w, waiting.Queue)
	}
	if ps, _ := r.st.ProvinceState(ctx); ps.CatalogueVersion != 0 {
		t.Fatalf("applied version %d over a waiting ticket", ps.CatalogueVersion)
	}
	// The ticket still moves as before: it is cancelled (ends), and the
	// catalogue then applies at the next pull.
	if _, err := r.st.CancelTicket(ctx, kiosk, waiting.ID, "left"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the catalogue to apply", func() bool {
		ps, _ := r.st.ProvinceState(ctx)
		return ps.CatalogueVersion == 2 && r.relay.Link().CatalogueWaiting == ""
	})
	c, err := r.st.Catalogue(ctx)
	if err != nil || c.Version != "2027.1" {
		t.Fatalf("catalogue %v %v", c.Version, err)
	}
}

func TestTrustListComesDownSigned(t *testing.T) {
	r := newRig(t, provsim.Faults{})
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	key, err := r.st.AddSigningKey(ctx, store.System, pub, "test key")
	if err != nil {
		t.Fatal(err)
	}
	cfg := r.config()
	wrong, _, _ := ed25519.GenerateKey(rand.Reader)
	cfg.ProvinceKey = wrong
	// An application update waits at the province: the failing trust pull
	// must not hold it up.
	app, err := r.st.AcceptApplication(ctx, store.Actor{Name: "wang", Role: "counter"}, store.AcceptRequest{Item: "GA-CRJ-001",
		ApplicantName: "申请人", ApplicantHash: "h", ApplicantSealed: []byte("sealed"), ApplicantMasked: "5201**********0011", Window: "3"})
	if err != nil {
		t.Fatal(err)
	}
	cursor, err := r.prov.AddApplicationUpdate(ctx, hallCode, exchange.ApplicationUpdate{Number: app.Number, Kind: "advance",
		Step: "review", By: "省公安厅", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	r.start(cfg)
	waitFor(t, "the key to reach the province", r.drained)
	waitFor(t, "the trust pull to fail", func() bool { return strings.Contains(r.relay.Link().LastError, "province key") })
	if ps, _ := r.st.ProvinceState(ctx); ps.TrustVersion != 0 {
		t.Fatalf("took a trust list signed by another key: version %d", ps.TrustVersion)
	}
	waitFor(t, "the application update despite the trust pull", func() bool {
		ps, _ := r.st.ProvinceState(ctx)
		return ps.UpdateCursor == cursor
	})
	// Pushes go through, but staff must fix the key: the link says so.
	if link := r.relay.Link(); link.State != api.ProvinceRefused {
		t.Errorf("link %+v: a trust document that fails its signature check needs staff (refused), whatever the pushes do", link)
	}
	r.stop()
	r.start(r.config())
	waitFor(t, "the trust list", func() bool { ps, _ := r.st.ProvinceState(ctx); return ps.TrustVersion > 0 })
	// The province revokes the hall's key (leaked): the hall takes it.
	if err := r.prov.RevokeKey(ctx, hallCode, key.KID.String(), "leaked"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the revocation", func() bool {
		keys, err := r.st.SigningKeys(ctx)
		return err == nil && len(keys) == 1 && string(keys[0].Status) == "revoked"
	})
}

// TestWholeBatchRefusalKeepsRowsAndAsksForStaff: a 400 for the whole push
// is a fault of the request (a strict decoder at the province, a gateway),
// not of an event: nothing is dead-lettered, the rows wait, the link says
// staff must act — and once the cause is gone, everything goes.
func TestWholeBatchRefusalKeepsRowsAndAsksForStaff(t *testing.T) {
	r := newRig(t, provsim.Faults{})
	var refuse atomic.Bool
	refuse.Store(true)
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if refuse.Load() && req.URL.Path == exchange.PathEvents {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":"bad_request","message":"unknown field \"occurred_at\""}`))
			return
		}
		r.prov.Handler().ServeHTTP(w, req)
	}))
	defer gate.Close()
	r.tickets(20)
	cfg := r.config()
	cfg.URL = gate.URL
	r.start(cfg)
	waitFor(t, "the refusal", func() bool { return r.relay.Link().State == api.ProvinceRefused })
	if st := r.status(); st.Dead != 0 || r.ticketRows(store.OutboxPending) != 20 {
		t.Fatalf("outbox %+v: a refused request dead-lettered rows", st)
	}
	if link := r.relay.Link(); !strings.Contains(link.LastError, "unknown field") {
		t.Errorf("last error %q does not pass on the province's words", link.LastError)
	}
	refuse.Store(false)
	r.relay.Kick()
	waitFor(t, "the drain", r.drained)
	waitFor(t, "connected", func() bool { return r.relay.Link().State == api.ProvinceConnected })
	if rep := r.check(); !rep.Clean() {
		t.Fatalf("%s", rep)
	}
}

// TestIdleHallIsConnected: a hall server restarted with nothing to send
// shows connected once its pulls get through, not "retrying" for ever.
func TestIdleHallIsConnected(t *testing.T) {
	r := newRig(t, provsim.Faults{})
	r.start(r.config())
	waitFor(t, "the first anchor to go", func() bool { return r.drained() && r.status().Delivered > 0 })
	r.stop()
	r.start(r.config())
	waitFor(t, "connected while idle", func() bool { return r.relay.Link().State == api.ProvinceConnected })
}

// TestRetryingShowsWhileACallStillTries: a black hole keeps each attempt
// for its whole timeout; the link says "retrying" from the second attempt
// on, not only once the call gave up.
func TestRetryingShowsWhileACallStillTries(t *testing.T) {
	r := newRig(t, provsim.Faults{})
	cfg := r.config()
	cfg.AttemptTimeout, cfg.CallTimeout, cfg.RetryMax = 300*time.Millisecond, time.Minute, 50
	r.start(cfg)
	waitFor(t, "connected", func() bool { return r.relay.Link().State == api.ProvinceConnected })
	r.prov.SetFaults(provsim.Faults{BlackHole: true})
	r.tickets(1)
	waitFor(t, "retrying during the call", func() bool {
		l := r.relay.Link()
		return l.State == api.ProvinceRetrying && strings.Contains(l.LastError, "attempt")
	})
	r.prov.SetFaults(provsim.Faults{})
	waitFor(t, "the drain", r.drained)
	waitFor(t, "connected again", func() bool { return r.relay.Link().State == api.ProvinceConnected })
}
