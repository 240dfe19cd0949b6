// Command hallserver runs a hall's server: the API for kiosks and staff,
// live events for display boards, health and metrics, over one SQLite
// file in the hall's data directory.
//
//	hallserver --data /var/lib/onestop --addr :8080
//
// Every flag can also be set in the environment (ONESTOP_DATA, ONESTOP_ADDR,
// ONESTOP_HALL_CODE, ONESTOP_HALL_NAME, ONESTOP_LOG_FORMAT, ...); a flag wins.
// An empty data directory is initialised as a new hall on first start.
//
// With --province URL (and the hall's secret from the province in
// --province-secret-file) the hall syncs with the provincial exchange:
// its outbox goes up, the catalogue, trust list and application updates
// come down (hallserver/provsync). The province's public key, pinned with
// --province-key-file, is needed to take its trust list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/api"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/exchange"
	"onestop/hallserver/pii"
	"onestop/hallserver/provsync"
	"onestop/hallserver/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hallserver:", err)
		os.Exit(1)
	}
}

// config is everything main reads from flags and environment.
type config struct {
	data, addr, hallCode, hallName, logFormat, publicURL string
	province, provinceSecretFile, provinceKeyFile        string
	demo, secureCookies                                  bool
	grace, provinceTimeout, provinceMaxWait              time.Duration
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c config
	fs := flag.NewFlagSet("hallserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.data, "data", env("ONESTOP_DATA", ""), "hall data directory (created and initialised when empty) [ONESTOP_DATA]")
	fs.StringVar(&c.addr, "addr", env("ONESTOP_ADDR", ":8080"), "listen address [ONESTOP_ADDR]")
	fs.StringVar(&c.hallCode, "hall-code", env("ONESTOP_HALL_CODE", "520000-ZWFW"), "hall code for a new hall [ONESTOP_HALL_CODE]")
	fs.StringVar(&c.hallName, "hall-name", env("ONESTOP_HALL_NAME", "贵州省政务服务中心"), "hall name for a new hall [ONESTOP_HALL_NAME]")
	fs.StringVar(&c.logFormat, "log-format", env("ONESTOP_LOG_FORMAT", "text"), "log format: text or json [ONESTOP_LOG_FORMAT]")
	fs.StringVar(&c.publicURL, "public-url", env("ONESTOP_PUBLIC_URL", ""), "the address citizens' phones reach the hall at, printed in certificate QR codes, e.g. https://zwfw.example.gov.cn [ONESTOP_PUBLIC_URL]")
	fs.BoolVar(&c.demo, "demo", false, "create the demo staff accounts (public passwords: demo halls only)")
	fs.BoolVar(&c.secureCookies, "secure-cookies", getenv("ONESTOP_SECURE_COOKIES") == "1", "mark session cookies Secure: set when a TLS proxy serves the hall [ONESTOP_SECURE_COOKIES=1]")
	fs.StringVar(&c.province, "province", env("ONESTOP_PROVINCE", ""), "base URL of the provincial exchange to sync with, e.g. https://exchange.example.gov.cn (empty: no sync; the outbox keeps everything for later) [ONESTOP_PROVINCE]")
	fs.StringVar(&c.provinceSecretFile, "province-secret-file", env("ONESTOP_PROVINCE_SECRET_FILE", ""), "file holding this hall's secret from the province (base64) [ONESTOP_PROVINCE_SECRET_FILE]")
	fs.StringVar(&c.provinceKeyFile, "province-key-file", env("ONESTOP_PROVINCE_KEY_FILE", ""), "file holding the province's public key (base64), to verify its trust list [ONESTOP_PROVINCE_KEY_FILE]")
	fs.DurationVar(&c.provinceTimeout, "province-timeout", 10*time.Second, "how long one request to the province may take before it is tried again")
	fs.DurationVar(&c.provinceMaxWait, "province-max-wait", 2*time.Minute, "the longest wait between failed calls to the province (waits double up to it while the province is away)")
	fs.DurationVar(&c.grace, "shutdown-grace", 10*time.Second, "how long requests in flight may finish on SIGTERM")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q: all options are flags, see -h", fs.Arg(0))
	}
	if c.data == "" {
		return c, errors.New("no data directory: give --data DIR (or ONESTOP_DATA)")
	}
	if c.province != "" && c.provinceSecretFile == "" {
		return c, errors.New("--province needs --province-secret-file: the file with the secret the province issued for this hall")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, fmt.Errorf("--log-format %q: use text or json", c.logFormat)
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	var log *slog.Logger
	if c.logFormat == "json" {
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	} else {
		log = slog.New(slog.NewTextHandler(stderr, nil))
	}

	hub := hallserver.NewHub()
	st, err := store.Open(ctx, c.data, store.Options{Notify: hub.Notify})
	if err != nil {
		return err
	}
	defer st.Close()
	created, err := hallserver.EnsureHall(ctx, st, store.Hall{Code: c.hallCode, Name: c.hallName}, store.System)
	if err != nil {
		return err
	}
	hall, err := st.Hall(ctx)
	if err != nil {
		return err
	}
	if created {
		log.Info("initialised a new hall", "code", hall.Code, "name", hall.Name, "data", c.data)
	}
	var enroll api.EnrollmentCode
	if c.demo {
		if err := hallserver.CreateDemoAccounts(ctx, st, store.System); err != nil {
			return err
		}
		if enroll, err = hallserver.CreateEnrollmentCode(ctx, st, store.System, "K01", 24*time.Hour); err != nil {
			return err
		}
	}
	vault, err := pii.OpenVault(c.data)
	if err != nil {
		return err
	}
	keys := certkeys.Open(c.data)
	if created || c.demo {
		if made, err := hallserver.EnsureSigningKey(ctx, st, keys, store.System); err != nil {
			return err
		} else if made {
			log.Info("made the hall's certificate signing key", "dir", filepath.Join(c.data, certkeys.Dir))
		}
	}
	relay, err := provinceRelay(ctx, st, c, hall.Code, log)
	if err != nil {
		return err
	}
	cfg := hallserver.Config{Logger: log, SecureCookies: c.secureCookies, Vault: vault, Keys: keys}
	if relay != nil {
		cfg.Province = relay
		relayCtx, stopRelay := context.WithCancel(ctx)
		relayDone := make(chan struct{})
		go func() {
			defer close(relayDone)
			relay.Run(relayCtx)
		}()
		// Stopped before the store closes (defers run last in, first out).
		defer func() { stopRelay(); <-relayDone }()
		log.Info("syncing with the province", "url", c.province, "hall", hall.Code)
	}
	srv := hallserver.New(st, hub, cfg)
	defer srv.Close()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another hall server running? choose another --addr)", c.addr, err)
	}
	if err := certificateURL(ctx, st, c, ln.Addr()); err != nil {
		return err
	}
	log.Info("hall server starting", "hall", hall.Code, "addr", ln.Addr().String(), "data", c.data)
	fmt.Fprintf(stdout, "hallserver: %s (%s) listening on http://%s\n", hall.Name, hall.Code, ln.Addr())
	if c.demo {
		printDemo(stdout, "http://"+ln.Addr().String(), enroll)
	}
	return srv.Serve(ctx, ln, c.grace)
}

// provinceRelay makes the province link from --province and its files,
// or returns nil without --province.
func provinceRelay(ctx context.Context, st *store.Store, c config, hall string, log *slog.Logger) (*provsync.Relay, error) {
	if c.province == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(c.provinceSecretFile)
	if err != nil {
		return nil, fmt.Errorf("--province-secret-file: %w", err)
	}
	secret, err := exchange.DecodeSecret(string(raw))
	if err != nil {
		return nil, fmt.Errorf("--province-secret-file %s: %w", c.provinceSecretFile, err)
	}
	cfg := provsync.Config{URL: c.province, Hall: hall, Secret: secret, Logger: log,
		AttemptTimeout: c.provinceTimeout, OutageWaitMax: c.provinceMaxWait}
	if c.provinceKeyFile != "" {
		raw, err := os.ReadFile(c.provinceKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--province-key-file: %w", err)
		}
		if cfg.ProvinceKey, err = exchange.DecodePublicKey(string(raw)); err != nil {
			return nil, fmt.Errorf("--province-key-file %s: %w", c.provinceKeyFile, err)
		}
	} else {
		log.Warn("no --province-key-file: the province's trust list is not taken (certificates of other halls cannot be checked offline)")
	}
	return provsync.New(ctx, st, cfg)
}

// certificateURL sets the address printed in certificate QR codes from
// --public-url, or for a demo hall without one, the address it listens at.
func certificateURL(ctx context.Context, st *store.Store, c config, addr net.Addr) error {
	url := c.publicURL
	if url == "" && c.demo {
		if _, err := st.CertificateURL(ctx); err == nil {
			return nil
		}
		host, port, _ := net.SplitHostPort(addr.String())
		if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() || ip.To4() == nil {
			host = "127.0.0.1"
		}
		url = "http://" + net.JoinHostPort(host, port)
	}
	if url == "" {
		return nil
	}
	if cur, err := st.CertificateURL(ctx); err == nil && strings.EqualFold(cur, strings.TrimRight(url, "/")) {
		return nil
	}
	if err := st.SetCertificateURL(ctx, store.System, url); err != nil {
		return fmt.Errorf("--public-url: %s", hallserver.UserMessage(err))
	}
	return nil
}

// printDemo shows a newcomer where to go and how to sign in.
func printDemo(w io.Writer, base string, enroll api.EnrollmentCode) {
	fmt.Fprintf(w, `
  OneStop demo hall is running. Press Ctrl-C to stop.

  Counter console  %[1]s/console      (sign in as a counter account below)
  Call display     %[1]s/display      (a TV; tap once to allow the voice)
  Supervisor       %[1]s/supervisor   (zhuren)
  Phone ticket     %[1]s/t/<token>    (the QR code on each slip)
  API              %[1]s/api/v1/   (OpenAPI: %[1]s/api/v1/openapi.json)
  Health           %[1]s/healthz   %[1]s/readyz   metrics: %[1]s/metrics

  Demo accounts (demo halls only):
`, base)
	for _, a := range hallserver.DemoAccounts {
		fmt.Fprintf(w, "    %-10s %-16s %-12s %s\n", a.Username, a.Password, a.Role, a.DisplayName)
	}
	fmt.Fprintf(w, `
  Kiosk K01 enrollment code: %s (valid 24 h, once)

  Try it:
    curl -s -XPOST %[2]s/api/v1/auth/login -H 'Content-Type: application/json' -d '{"username":"wangfang","password":"demo-counter-1"}'
`, enroll.Code, base)
}
