package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"onestop/hallserver/exchange"
	"onestop/hallserver/exchange/provsim"
)

// config is everything run reads from flags and the environment.
type config struct {
	data, addr, hallsFile, adminTokenFile, logFormat string
	faults                                           provsim.Faults
	keyRetention, grace                              time.Duration
	seed                                             int64
}

// envName is a flag's environment variable: --fail-rate → PROVSIM_FAIL_RATE.
func envName(flagName string) string {
	return "PROVSIM_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("provsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.data, "data", "", "data directory: province.db, province.key (made on first start), province.pub")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8090", "listen address")
	fs.StringVar(&c.hallsFile, "halls", "", `JSON file of halls to register: [{"code","name","secret"}], secret base64 of ≥ 32 bytes`)
	fs.StringVar(&c.adminTokenFile, "admin-token-file", "", "file holding the bearer token /admin requires (without one, /admin answers loopback clients only)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.Float64Var(&c.faults.FailRate, "fail-rate", 0, "share of exchange requests answered with an error instead of processed (0–1)")
	fs.Float64Var(&c.faults.RateLimitShare, "rate-limit-share", 0.5, "of the failures, the share answered 429 with Retry-After (the rest 500/502/503)")
	fs.DurationVar(&c.faults.RetryAfter, "retry-after", time.Second, "Retry-After of a 429 (whole seconds on the wire, at least 1)")
	fs.DurationVar(&c.faults.Latency, "latency", 0, "latency added before answering every exchange request")
	fs.DurationVar(&c.faults.Jitter, "jitter", 0, "uniform extra latency 0..jitter")
	fs.Float64Var(&c.faults.ResetRate, "reset-rate", 0, "share of exchange requests whose connection is reset unprocessed (0–1)")
	fs.Float64Var(&c.faults.LostAckRate, "lost-ack-rate", 0, "share of pushes committed, then the connection reset instead of answered (0–1)")
	fs.BoolVar(&c.faults.BlackHole, "black-hole", false, "read exchange requests and never answer (turn off with PUT /admin/faults)")
	fs.DurationVar(&c.keyRetention, "key-retention", provsim.DefaultKeyRetention, "how long idempotency keys are kept (at least 720h)")
	fs.Int64Var(&c.seed, "seed", 0, "seed of the fault randomness (0: random)")
	fs.DurationVar(&c.grace, "shutdown-grace", 10*time.Second, "how long requests in flight may finish on SIGTERM")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: provsim --data DIR [--addr HOST:PORT] [--halls FILE] [fault flags]\n\nEvery flag may be set as PROVSIM_<FLAG> in the environment (e.g. PROVSIM_FAIL_RATE); a flag wins.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q: all options are flags, see -h", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", envName(f.Name), v, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if c.data == "" {
		return c, errors.New("no data directory: give --data DIR (or PROVSIM_DATA)")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, fmt.Errorf("--log-format %q: use text or json", c.logFormat)
	}
	if err := c.faults.Validate(); err != nil {
		return c, err
	}
	if c.keyRetention < provsim.MinKeyRetention {
		return c, fmt.Errorf("--key-retention %s: keep keys at least %s (a hall may be offline that long)", c.keyRetention, provsim.MinKeyRetention)
	}
	return c, nil
}

// hallEntry is one hall of the --halls file.
type hallEntry struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Secret string `json:"secret"`
}

// readHalls reads the --halls file.
func readHalls(path string) ([]provsim.Hall, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the halls file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var entries []hallEntry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf(`%s: %v (want [{"code": "520000-ZWFW", "name": "…", "secret": "<base64>"}])`, path, err)
	}
	var halls []provsim.Hall
	for i, e := range entries {
		secret, err := exchange.DecodeSecret(e.Secret)
		if err != nil {
			return nil, fmt.Errorf("%s: hall %d (%s): %w", path, i+1, e.Code, err)
		}
		halls = append(halls, provsim.Hall{Code: e.Code, Name: e.Name, Secret: secret})
	}
	return halls, nil
}

// readToken reads the admin token file.
func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the admin token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 {
		return "", fmt.Errorf("%s: the admin token has %d characters; use at least 16 (head -c 24 /dev/urandom | base64)", path, len(tok))
	}
	return tok, nil
}
