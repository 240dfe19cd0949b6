// Package halltest runs a real hall server for other packages' tests: a
// fresh SQLite hall in a temporary directory with the sample catalogue,
// the demo staff accounts, a certificate signing key, an enrolled kiosk,
// behind httptest. Tests of the client, the kiosk and tools talk to it
// over HTTP as they would to a hall.
package halltest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/client"
	"onestop/hallserver/pii"
	"onestop/hallserver/store"
)

// Hall is a running test hall.
type Hall struct {
	URL   string // the server's base URL
	Store *store.Store
	Keys  *certkeys.Keyring
	Vault *pii.Vault
	// KioskToken is the device token of kiosk "K01", enrolled at start.
	KioskToken string
	server     *httptest.Server
	clock      *Clock
}

// Clock is the hall's clock, which tests may move.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Options adjust the hall.
type Options struct {
	// Start is the hall clock's time; the real time when zero.
	Start time.Time
}

// New starts a hall; it stops when the test ends.
func New(t testing.TB, opts Options) *Hall {
	t.Helper()
	ctx := context.Background()
	var clock *Clock
	sopts := store.Options{}
	if !opts.Start.IsZero() {
		clock = &Clock{now: opts.Start}
		sopts.Now = clock.Now
	}
	hub := hallserver.NewHub()
	sopts.Notify = hub.Notify
	dir := t.TempDir()
	st, err := store.Open(ctx, dir, sopts)
	if err != nil {
		t.Fatalf("halltest: open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := hallserver.EnsureHall(ctx, st, store.Hall{Code: "520000-TEST", Name: "测试政务服务中心"}, store.System); err != nil {
		t.Fatalf("halltest: %v", err)
	}
	if err := hallserver.CreateDemoAccounts(ctx, st, store.System); err != nil {
		t.Fatalf("halltest: %v", err)
	}
	keys := certkeys.Open(dir)
	if _, err := hallserver.EnsureSigningKey(ctx, st, keys, store.System); err != nil {
		t.Fatalf("halltest: %v", err)
	}
	vault, err := pii.OpenVault(dir)
	if err != nil {
		t.Fatalf("halltest: %v", err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := hallserver.New(st, hub, hallserver.Config{Logger: log, Keys: keys, Vault: vault})
	t.Cleanup(srv.Close)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	if err := st.SetCertificateURL(ctx, store.System, ts.URL); err != nil {
		t.Fatalf("halltest: %v", err)
	}
	h := &Hall{URL: ts.URL, Store: st, Keys: keys, Vault: vault, server: ts, clock: clock}
	code, err := hallserver.CreateEnrollmentCode(ctx, st, store.System, "K01", time.Hour)
	if err != nil {
		t.Fatalf("halltest: %v", err)
	}
	c, err := client.New(ts.URL)
	if err != nil {
		t.Fatalf("halltest: %v", err)
	}
	enrolled, err := c.Enroll(ctx, code.Code)
	if err != nil {
		t.Fatalf("halltest: enroll K01: %v", err)
	}
	h.KioskToken = enrolled.Token
	return h
}

// Clock returns the hall's clock, or nil when it runs on real time.
func (h *Hall) Clock() *Clock { return h.clock }

// Stop stops the server, as a network failure or a crash would: requests
// fail from now on.
func (h *Hall) Stop() {
	h.server.CloseClientConnections()
	h.server.Close()
}
