package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"onestop/hallserver/exchange/provsim"
)

// PubFile is the province's public key in the data directory, base64:
// what halls pin with --province-key.
const PubFile = "province.pub"

// run starts provsim and serves until ctx ends. ready, when set, is
// called with the base URL once it listens.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready func(url string)) error {
	c, err := parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if c.logFormat == "json" {
		h = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(h)

	opts := provsim.Options{Dir: c.data, Faults: c.faults, Logger: log, KeyRetention: c.keyRetention, Seed: c.seed}
	if c.hallsFile != "" {
		if opts.Halls, err = readHalls(c.hallsFile); err != nil {
			return err
		}
	}
	if c.adminTokenFile != "" {
		if opts.AdminToken, err = readToken(c.adminTokenFile); err != nil {
			return err
		}
	}
	p, err := provsim.Open(opts)
	if err != nil {
		return err
	}
	defer p.Close()

	pubPath := filepath.Join(c.data, PubFile)
	pub := base64.StdEncoding.EncodeToString(p.PublicKey())
	if err := os.WriteFile(pubPath, []byte(pub+"\n"), 0o644); err != nil {
		return fmt.Errorf("write the province's public key: %w", err)
	}
	st, err := p.Stats(ctx)
	if err != nil {
		return err
	}
	if len(st.Halls) == 0 {
		log.Warn("provsim: no hall is registered: give --halls FILE, or POST /admin/halls")
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another provsim running? choose another --addr)", c.addr, err)
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(h, slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("provsim: listening", "url", url, "province_key_file", pubPath, "province_key", pub,
		"halls", len(st.Halls), "faults", p.Faults(), "admin", map[bool]string{true: "bearer token", false: "loopback only"}[opts.AdminToken != ""])
	if ready != nil {
		ready(url)
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("provsim: stopping: faults off, requests in flight finish", "grace", c.grace)
	p.SetFaults(provsim.Faults{}) // releases requests held in a black hole
	sctx, cancel := context.WithTimeout(context.Background(), c.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		log.Warn("provsim: requests still in flight were dropped", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if err := p.Close(); err != nil {
		return err
	}
	log.Info("provsim: stopped")
	return nil
}
