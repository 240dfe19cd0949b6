// Command syncsoak soaks the province link and measures it: it starts a
// provincial exchange (provsim) and a hall server with its relay in this
// process, cuts the link (a toxiproxy in between, stopped), commits a
// hundred thousand events in the hall, turns on the province's injected
// failures (5xx and 429s, connection resets, lost acknowledgements), lets
// the link come back, waits for the hall's outbox to drain, and compares
// both sides. It prints one JSON line (-json) or a few lines for people.
//
//	go run ./cmd/syncsoak -json
//
// Targets: missing = duplicates_applied = 0 and a drain of at least 2,000
// events/s. The exit status is 1 when an event is missing, applied twice,
// out of order or unknown to the hall, 0 otherwise (a slow drain is
// reported, in target_met, not failed: the machine may be busy).
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"onestop/hallserver"
	"onestop/hallserver/application"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/exchange"
	"onestop/hallserver/exchange/provsim"
	"onestop/hallserver/provsync"
	"onestop/hallserver/provsync/synccheck"
	"onestop/hallserver/store"
)

const hallCode = "520000-ZWFW"

// config is what the flags set.
type config struct {
	events                                        int
	failRate, resetRate, lostAckRate, rateLimited float64
	retryAfter                                    time.Duration
	batch, workers                                int
	seed                                          int64
	keep                                          string
	jsonOut, verbose                              bool
	cpuProfile                                    string
}

// result is the JSON line.
type result struct {
	Events            int                `json:"events"`    // outbox rows committed in the hall
	Generated         int                `json:"generated"` // of those, made by the soak (the rest: audit anchors)
	FailRate          float64            `json:"fail_rate"`
	ResetRate         float64            `json:"reset_rate"`
	LostAckRate       float64            `json:"lost_ack_rate"`
	RateLimitShare    float64            `json:"rate_limit_share"`
	Batch             int                `json:"batch"`
	GenerateSeconds   float64            `json:"generate_s"`
	DrainSeconds      float64            `json:"drain_s"` // from the link's return to an empty outbox
	EventsPerSecond   float64            `json:"events_per_s"`
	Missing           int                `json:"missing"`
	DuplicatesApplied int                `json:"duplicates_applied"`
	Unexpected        int                `json:"unexpected"`
	Reordered         int                `json:"reordered"`
	Pending           int                `json:"pending"`
	DuplicatesIgnored int64              `json:"duplicates_ignored"` // re-sent events the province recognised
	BatchReplays      int64              `json:"batch_replays"`
	Faults            provsim.FaultStats `json:"faults"`
	Requests          int64              `json:"requests"`
	TargetMet         bool               `json:"target_met"`
	Examples          []string           `json:"examples,omitempty"`
	CPUs              int                `json:"cpus"`
}

func main() {
	var c config
	flag.IntVar(&c.events, "events", 100000, "events to commit in the hall while the link is down")
	flag.Float64Var(&c.failRate, "fail-rate", 0.3, "share of province requests answered with 5xx or 429 once the link is back")
	flag.Float64Var(&c.rateLimited, "rate-limit-share", 0.25, "of those failures, the share that are 429 with Retry-After")
	flag.DurationVar(&c.retryAfter, "retry-after", time.Second, "Retry-After of the 429s")
	flag.Float64Var(&c.resetRate, "reset-rate", 0.05, "share of requests whose connection the province resets")
	flag.Float64Var(&c.lostAckRate, "lost-ack-rate", 0.05, "share of pushes the province commits and then drops the answer of")
	flag.IntVar(&c.batch, "batch", 0, "events per push (0: the relay's default, exchange.MaxBatch)")
	flag.IntVar(&c.workers, "workers", 32, "concurrent writers generating events")
	flag.Int64Var(&c.seed, "seed", 0, "fault randomness (0: random)")
	flag.StringVar(&c.keep, "keep", "", "keep the hall and province data in this directory (default: a temporary one, removed)")
	flag.BoolVar(&c.jsonOut, "json", false, "print one JSON line")
	flag.BoolVar(&c.verbose, "v", false, "log the relay and the province")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the drain to this file")
	flag.Parse()
	res, err := run(context.Background(), c, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "syncsoak:", err)
		os.Exit(2)
	}
	if c.jsonOut {
		json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Printf("events %d (generated %d in %.1f s)\nlink back with %.0f %% failures (%.0f %% of them 429), %.0f %% resets, %.0f %% lost acknowledgements\n",
			res.Events, res.Generated, res.GenerateSeconds, res.FailRate*100, res.RateLimitShare*100, res.ResetRate*100, res.LostAckRate*100)
		fmt.Printf("drained in %.1f s: %.0f events/s (target 2000: %v)\nmissing %d, applied twice %d, unexpected %d, reordered %d, pending %d\nthe province ignored %d re-sent events and replayed %d batches; faults %+v\n",
			res.DrainSeconds, res.EventsPerSecond, res.TargetMet, res.Missing, res.DuplicatesApplied, res.Unexpected, res.Reordered, res.Pending,
			res.DuplicatesIgnored, res.BatchReplays, res.Faults)
	}
	if res.Missing+res.DuplicatesApplied+res.Unexpected+res.Reordered+res.Pending > 0 {
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, stderr io.Writer) (result, error) {
	if c.batch <= 0 {
		c.batch = exchange.MaxBatch
	}
	res := result{FailRate: c.failRate, ResetRate: c.resetRate, LostAckRate: c.lostAckRate, RateLimitShare: c.rateLimited,
		Batch: c.batch, CPUs: runtime.NumCPU()}
	dir := c.keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "syncsoak-")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if c.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}

	// The province, on a port of its own.
	secret := make([]byte, 32)
	rand.Read(secret)
	prov, err := provsim.Open(provsim.Options{Dir: filepath.Join(dir, "province"), Logger: logger, Seed: c.seed,
		Halls: []provsim.Hall{{Code: hallCode, Name: "贵州省政务服务中心", Secret: secret}}})
	if err != nil {
		return res, err
	}
	defer prov.Close()
	provLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	provSrv := &http.Server{Handler: prov.Handler()}
	go provSrv.Serve(provLn)
	defer provSrv.Close()

	// The link: a proxy, down while the hall works on.
	tp := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	link := toxiproxy.NewProxy(tp, "province", "127.0.0.1:0", provLn.Addr().String())
	if err := link.Start(); err != nil {
		return res, fmt.Errorf("start the link proxy: %w", err)
	}
	link.Stop()
	defer link.Stop()

	// The hall server, with its relay pointed at the link.
	hub := hallserver.NewHub()
	st, err := store.Open(ctx, filepath.Join(dir, "hall"), store.Options{Notify: hub.Notify})
	if err != nil {
		return res, err
	}
	defer st.Close()
	seed, err := catalogue.Seed()
	if err != nil {
		return res, err
	}
	if err := st.InitHall(ctx, store.System, store.Hall{Code: hallCode, Name: "贵州省政务服务中心"}, seed); err != nil {
		return res, err
	}
	relay, err := provsync.New(ctx, st, provsync.Config{URL: "http://" + link.Listen, Hall: hallCode, Secret: secret,
		ProvinceKey: prov.PublicKey(), BatchSize: c.batch, AttemptTimeout: 5 * time.Second, OutageWaitMax: time.Second,
		IdleWait: 20 * time.Millisecond, Logger: logger})
	if err != nil {
		return res, err
	}
	srv := hallserver.New(st, hub, hallserver.Config{Logger: logger, Province: relay})
	defer srv.Close()
	hallLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srvCtx, stopSrv := context.WithCancel(ctx)
	defer stopSrv()
	go srv.Serve(srvCtx, hallLn, time.Second)
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan struct{})
	go func() { defer close(relayDone); relay.Run(relayCtx) }()
	defer func() { stopRelay(); <-relayDone }()

	// Commit the events while the link is down.
	start := time.Now()
	generated, err := generate(ctx, st, c.events, c.workers)
	if err != nil {
		return res, err
	}
	res.Generated = generated
	res.GenerateSeconds = time.Since(start).Seconds()

	// The link comes back, to a province failing as asked.
	prov.SetFaults(provsim.Faults{FailRate: c.failRate, RateLimitShare: c.rateLimited, RetryAfter: c.retryAfter,
		ResetRate: c.resetRate, LostAckRate: c.lostAckRate})
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		defer pprof.StopCPUProfile()
	}
	back := time.Now()
	if err := link.Start(); err != nil {
		return res, fmt.Errorf("bring the link back: %w", err)
	}
	relay.Kick()
	for {
		ob, err := st.OutboxStatus(ctx)
		if err != nil {
			return res, err
		}
		if ob.Pending == 0 {
			break
		}
		if ob.Dead > 0 {
			return res, fmt.Errorf("%d events were dead-lettered: the province refused them (see -v)", ob.Dead)
		}
		if time.Since(back) > 20*time.Minute {
			return res, fmt.Errorf("the outbox did not drain in 20 minutes: %+v", ob)
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.DrainSeconds = time.Since(back).Seconds()
	stopRelay()
	<-relayDone

	rep, err := synccheck.Compare(ctx, st, prov, hallCode)
	if err != nil {
		return res, err
	}
	stats, err := prov.Stats(ctx)
	if err != nil {
		return res, err
	}
	res.Events = rep.Committed
	res.EventsPerSecond = float64(rep.Committed) / res.DrainSeconds
	res.Missing, res.DuplicatesApplied, res.Unexpected, res.Reordered, res.Pending = rep.Missing, rep.Duplicates, rep.Unexpected, rep.Reordered, rep.Pending
	res.Examples = rep.Examples
	res.DuplicatesIgnored = stats.Halls[hallCode].Duplicates
	res.BatchReplays, res.Faults, res.Requests = stats.BatchReplays, stats.Faults, stats.Requests
	res.TargetMet = rep.Clean() && res.EventsPerSecond >= 2000
	return res, nil
}

// generate commits about n outbox rows through the hall's store, from
// workers at once: tickets taken and cancelled (one ticket.summary each)
// and, one task in ten, an application accepted and moved to review (two
// application.events). It returns how many rows it made.
func generate(ctx context.Context, st *store.Store, n, workers int) (int, error) {
	kiosk := store.Actor{Name: "kiosk:K01", Role: "kiosk"}
	staff := store.Actor{Name: "wangfang", Role: "counter", Device: "window 3"}
	queues := []string{"A", "B", "C", "D"}
	var reserved, task atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := task.Add(1)
				rows := int64(1)
				if i%10 == 0 {
					rows = 2
				}
				if reserved.Add(rows) > int64(n) {
					reserved.Add(-rows)
					return
				}
				if err := oneTask(ctx, st, kiosk, staff, i, rows, queues); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return 0, err
	}
	return int(reserved.Load()), nil
}

func oneTask(ctx context.Context, st *store.Store, kiosk, staff store.Actor, i, rows int64, queues []string) error {
	if rows == 2 {
		app, err := st.AcceptApplication(ctx, staff, store.AcceptRequest{Item: "GA-CRJ-001", ApplicantName: "申请人",
			ApplicantHash: fmt.Sprintf("soak-%d", i), ApplicantSealed: []byte("sealed"), ApplicantMasked: "5201**********001X", Window: "3"})
		if err != nil {
			return fmt.Errorf("accept an application: %w", err)
		}
		_, err = st.RecordApplicationEvent(ctx, staff, app.Number, applicationReview, nil)
		return err
	}
	tk, err := st.IssueTicket(ctx, kiosk, store.IssueRequest{Queue: queues[i%int64(len(queues))]})
	if err != nil {
		return fmt.Errorf("issue a ticket: %w", err)
	}
	if _, err := st.CancelTicket(ctx, kiosk, tk.ID, "soak"); err != nil {
		return fmt.Errorf("cancel ticket %s: %w", tk.Number, err)
	}
	return nil
}

// applicationReview moves an application on to 审核.
var applicationReview = application.Event{Kind: application.EvAdvance, Step: application.Review}
