package provsync

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"onestop/hallserver/exchange"
)

// Config is how a hall reaches its province. URL, Hall and Secret are
// needed; zero durations and sizes take the defaults in parentheses.
type Config struct {
	URL    string // the province's base URL, e.g. https://exchange.example.gov.cn
	Hall   string // this hall's code, as the province registered it
	Secret []byte // the hall's secret (exchange.DecodeSecret)
	// ProvinceKey verifies the trust document; without it the trust list
	// is not pulled (and the status says so).
	ProvinceKey ed25519.PublicKey

	BatchSize      int           // events per push (exchange.MaxBatch, 1000: fewer requests, so fewer 429 waits)
	AttemptTimeout time.Duration // one HTTP attempt (10 s)
	CallTimeout    time.Duration // one call with its in-call retries (every attempt's timeout and wait, at least 60 s)
	RetryMax       int           // in-call retries after the first attempt (3)
	RetryWaitMin   time.Duration // in-call backoff floor (100 ms)
	RetryWaitMax   time.Duration // in-call backoff cap (5 s)
	OutageWaitMin  time.Duration // wait after a failed call, doubling (1 s)
	OutageWaitMax  time.Duration // ... up to (2 min)
	IdleWait       time.Duration // how often an empty outbox is looked at (500 ms)
	PullInterval   time.Duration // catalogue, trust and application updates (1 min)
	AnchorInterval time.Duration // audit chain anchors (5 min)

	Logger *slog.Logger     // nil: slog.Default()
	Now    func() time.Time // nil: time.Now
}

func (c *Config) setDefaults() error {
	if c.URL == "" || c.Hall == "" {
		return errors.New("provsync: the province URL and the hall code are needed")
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("provsync: province URL %q: want https://host[:port][/path]", c.URL)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		// Only the requests are signed: over plain HTTP anyone on the way
		// could answer "applied" for events the province never saw.
		return fmt.Errorf("provsync: province URL %q: use https (plain http is allowed only to a province on this machine: 127.0.0.1, ::1, localhost)", c.URL)
	}
	c.URL = strings.TrimRight(c.URL, "/")
	if len(c.Secret) < exchange.MinSecretBytes {
		return fmt.Errorf("provsync: the hall secret has %d bytes, want at least %d: use the secret the province issued for hall %s",
			len(c.Secret), exchange.MinSecretBytes, c.Hall)
	}
	if c.ProvinceKey != nil && len(c.ProvinceKey) != ed25519.PublicKeySize {
		return errors.New("provsync: the province key must be a 32-byte Ed25519 public key")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.BatchSize <= 0 || c.BatchSize > exchange.MaxBatch {
		c.BatchSize = exchange.MaxBatch
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 3
	}
	def(&c.AttemptTimeout, 10*time.Second)
	def(&c.RetryWaitMin, 100*time.Millisecond)
	def(&c.RetryWaitMax, 5*time.Second)
	// A call must leave room for every attempt and the waits between them.
	def(&c.CallTimeout, max(60*time.Second, time.Duration(c.RetryMax+1)*c.AttemptTimeout+time.Duration(c.RetryMax)*c.RetryWaitMax))
	def(&c.OutageWaitMin, time.Second)
	def(&c.OutageWaitMax, 2*time.Minute)
	def(&c.IdleWait, 500*time.Millisecond)
	def(&c.PullInterval, time.Minute)
	def(&c.AnchorInterval, 5*time.Minute)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
