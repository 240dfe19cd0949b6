// Command hallbench measures the hall server under load and prints one
// JSON line (with -json) or a readable summary.
//
// It starts a hall server on loopback over a fresh data directory, enrolls
// -clients kiosks that issue tickets as fast as the server answers,
// opens -windows windows that call, start and finish tickets, and keeps
// -subscribers live event streams open. It reports throughput and latency,
// checks that every acknowledged ticket is stored and no number was given
// twice, that every call reached every subscriber exactly once, and
// measures in the same run the durable-insert rate of bare SQLite on the
// same disk as a baseline.
//
//	go run ./cmd/hallbench -json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"
)

// Result is the line hallbench prints.
type Result struct {
	TicketsPerS       float64 `json:"tickets_per_s"`
	IssueP50MS        float64 `json:"issue_p50_ms"`
	IssueP99MS        float64 `json:"issue_p99_ms"`
	CallToEventP50MS  float64 `json:"call_to_event_p50_ms"`
	CallToEventP99MS  float64 `json:"call_to_event_p99_ms"`
	Clients           int     `json:"clients"`
	Subscribers       int     `json:"subscribers"`
	Windows           int     `json:"windows"`
	CallRate          float64 `json:"call_rate_per_window"`
	Seconds           float64 `json:"seconds"`
	Tickets           int     `json:"tickets"`
	Calls             int     `json:"calls"`
	Lost              int     `json:"lost"`
	Duplicates        int     `json:"duplicates"`
	Errors            int     `json:"errors"`
	Transactions      int64   `json:"store_transactions"`
	Writes            int64   `json:"store_writes"`
	BaselineInsertsPS float64 `json:"baseline_sqlite_durable_inserts_per_s"`
	AuditOK           bool    `json:"audit_ok"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hallbench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hallbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg benchConfig
	fs.IntVar(&cfg.clients, "clients", 64, "concurrent kiosk clients issuing tickets")
	fs.IntVar(&cfg.subscribers, "subscribers", 200, "live event stream subscribers")
	fs.IntVar(&cfg.windows, "windows", 12, "windows calling and finishing tickets")
	fs.Float64Var(&cfg.callRate, "call-rate", 4, "calls per second per window (a real window calls every few minutes); 0 calls as fast as the server answers")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long the load runs")
	fs.DurationVar(&cfg.baseline, "baseline", 3*time.Second, "how long the bare SQLite baseline runs")
	fs.StringVar(&cfg.dir, "dir", "", "directory for the data (a fresh temporary one when empty)")
	asJSON := fs.Bool("json", false, "print one JSON line")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.clients < 1 || cfg.windows < 1 || cfg.subscribers < 0 || cfg.duration <= 0 {
		return fmt.Errorf("need -clients ≥ 1, -windows ≥ 1, -subscribers ≥ 0, -duration > 0")
	}
	// A window's ticker needs an interval of at least 1ns (NewTicker panics
	// on 0); the negation also refuses NaN.
	if !(cfg.callRate >= 0 && cfg.callRate <= 1e9) {
		return fmt.Errorf("-call-rate %v: want 0 (as fast as the server answers) up to 1e9 per second", cfg.callRate)
	}
	if cfg.dir == "" {
		dir, err := os.MkdirTemp("", "hallbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.dir = dir
	}
	cfg.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	res, err := bench(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "tickets/s            %.0f  (baseline bare SQLite durable inserts/s %.0f)\n", res.TicketsPerS, res.BaselineInsertsPS)
	fmt.Fprintf(stdout, "issue latency        p50 %.1f ms  p99 %.1f ms\n", res.IssueP50MS, res.IssueP99MS)
	fmt.Fprintf(stdout, "call → event         p50 %.1f ms  p99 %.1f ms  (%d calls × %d subscribers)\n", res.CallToEventP50MS, res.CallToEventP99MS, res.Calls, res.Subscribers)
	fmt.Fprintf(stdout, "tickets %d, lost %d, duplicates %d, errors %d, audit ok %v\n", res.Tickets, res.Lost, res.Duplicates, res.Errors, res.AuditOK)
	fmt.Fprintf(stdout, "store: %d writes in %d transactions\n", res.Writes, res.Transactions)
	return nil
}
