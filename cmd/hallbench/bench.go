package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/client"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

type benchConfig struct {
	clients, subscribers, windows int
	callRate                      float64
	duration, baseline            time.Duration
	dir                           string
	log                           *slog.Logger
}

// callKey names one call: a ticket number (unique within the day) and
// the window it went to.
type callKey struct{ number, window string }

func bench(ctx context.Context, cfg benchConfig) (Result, error) {
	res := Result{Clients: cfg.clients, Subscribers: cfg.subscribers, Windows: cfg.windows, CallRate: cfg.callRate}
	cat, err := catalogue.Seed()
	if err != nil {
		return res, err
	}
	if cfg.windows > len(cat.Windows) {
		return res, fmt.Errorf("-windows %d: the sample hall has %d windows", cfg.windows, len(cat.Windows))
	}

	baseline, err := baselineInserts(ctx, filepath.Join(cfg.dir, "baseline"), cfg.baseline)
	if err != nil {
		return res, err
	}
	res.BaselineInsertsPS = baseline

	hub := hallserver.NewHub()
	st, err := store.Open(ctx, filepath.Join(cfg.dir, "hall"), store.Options{Notify: hub.Notify})
	if err != nil {
		return res, err
	}
	defer st.Close()
	if _, err := hallserver.EnsureHall(ctx, st, store.Hall{Code: "BENCH-HALL", Name: "压测大厅"}, store.System); err != nil {
		return res, err
	}
	srv := hallserver.New(st, hub, hallserver.Config{Logger: cfg.log})
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	sctx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln, 5*time.Second) }()
	defer func() { stopServer(); <-served }()
	base := "http://" + ln.Addr().String()
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.clients + cfg.windows + 8, MaxConnsPerHost: 0}
	hc := &http.Client{Transport: transport}
	newClient := func() *client.Client {
		c, _ := client.New(base, client.WithHTTPClient(hc), client.WithTimeout(30*time.Second))
		return c
	}

	// Staff: one supervisor works every window (supervisors may act at any window).
	hash, err := auth.HashPassword("bench-supervisor")
	if err != nil {
		return res, err
	}
	if _, err := st.CreateUser(ctx, store.System, store.NewUser{Username: "bench", Role: "supervisor", PasswordHash: hash}); err != nil {
		return res, err
	}
	staff := newClient()
	if _, err := staff.Login(ctx, "bench", "bench-supervisor"); err != nil {
		return res, err
	}
	kiosks := make([]*client.Client, cfg.clients)
	for i := range kiosks {
		code, err := hallserver.CreateEnrollmentCode(ctx, st, store.System, fmt.Sprintf("K%03d", i+1), time.Hour)
		if err != nil {
			return res, err
		}
		kiosks[i] = newClient()
		if _, err := kiosks[i].Enroll(ctx, code.Code); err != nil {
			return res, err
		}
	}

	// Subscribers record when each call reaches them.
	type arrival struct {
		key callKey
		at  time.Time
	}
	var mu sync.Mutex // guards subArrivals and, below, what the load goroutines record
	subArrivals := make([][]arrival, cfg.subscribers)
	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	var subWG sync.WaitGroup
	ready := make(chan error, cfg.subscribers)
	subHC := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.subscribers}}
	for i := 0; i < cfg.subscribers; i++ {
		subWG.Add(1)
		go func(i int) {
			defer subWG.Done()
			c, _ := client.New(base, client.WithHTTPClient(subHC))
			stream, err := c.Events(subCtx, 0)
			ready <- err
			if err != nil {
				return
			}
			defer stream.Close()
			stream.Only = map[string]bool{"ticket.called": true}
			for {
				ev, err := stream.Next()
				if err != nil {
					return
				}
				if ev.Type == "ticket.called" {
					a := arrival{callKey{ev.Number, ev.Window}, time.Now()}
					mu.Lock()
					subArrivals[i] = append(subArrivals[i], a)
					mu.Unlock()
				}
			}
		}(i)
	}
	for i := 0; i < cfg.subscribers; i++ {
		if err := <-ready; err != nil {
			stopSubs()
			return res, fmt.Errorf("subscriber: %w", err)
		}
	}

	// The load.
	loadCtx, stopLoad := context.WithTimeout(ctx, cfg.duration)
	defer stopLoad()
	var issueLat []time.Duration
	issued := map[string]int{} // number -> times acknowledged
	calls := map[callKey]time.Time{}
	var errCount int
	queues := []string{}
	for _, q := range cat.Queues {
		queues = append(queues, q.Code)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for i, k := range kiosks {
		wg.Add(1)
		go func(i int, k *client.Client) {
			defer wg.Done()
			for n := 0; loadCtx.Err() == nil; n++ {
				t0 := time.Now()
				t, err := k.IssueTicket(loadCtx, api.IssueRequest{Queue: queues[(i+n)%len(queues)]})
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					if loadCtx.Err() == nil {
						errCount++
						cfg.log.Warn("issue", "err", err)
					}
				} else {
					issueLat = append(issueLat, d)
					issued[t.Number]++
				}
				mu.Unlock()
			}
		}(i, k)
	}
	for w := 1; w <= cfg.windows; w++ {
		if err := staff.OpenWindow(ctx, w); err != nil {
			return res, err
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var pace <-chan time.Time
			if cfg.callRate > 0 {
				tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.callRate))
				defer tick.Stop()
				pace = tick.C
			}
			for loadCtx.Err() == nil {
				if pace != nil {
					select {
					case <-pace:
					case <-loadCtx.Done():
						return
					}
				}
				t, err := staff.CallNext(loadCtx, w)
				at := time.Now()
				if errors.Is(err, client.ErrNothingWaiting) {
					time.Sleep(2 * time.Millisecond)
					continue
				}
				if err != nil {
					if loadCtx.Err() == nil {
						mu.Lock()
						errCount++
						mu.Unlock()
						cfg.log.Warn("call", "err", err)
					}
					continue
				}
				mu.Lock()
				calls[callKey{t.Number, t.Window}] = at
				mu.Unlock()
				for _, act := range []string{client.Start, client.Finish} {
					// Finish even after the load ends, so no window is left busy.
					if _, err := staff.Act(context.Background(), w, act, api.ActionRequest{}); err != nil {
						mu.Lock()
						errCount++
						mu.Unlock()
						cfg.log.Warn(act, "err", err)
					}
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)

	// Let the last events arrive, then stop the subscribers.
	waitForEvents(subArrivals, &mu, len(calls), 5*time.Second)
	stopSubs()
	subWG.Wait()

	// Check: every acknowledged ticket stored, no number twice.
	stored, err := st.Tickets(ctx, queue.ServiceDay(st.Now()))
	if err != nil {
		return res, err
	}
	// A run that crosses midnight would split days; count yesterday too.
	if day := queue.ServiceDay(st.Now().Add(-cfg.duration - time.Minute)); day != queue.ServiceDay(st.Now()) {
		if y, err := st.Tickets(ctx, day); err == nil {
			stored = append(stored, y...)
		}
	}
	inStore := map[string]bool{}
	for _, t := range stored {
		if inStore[t.Day+"/"+t.Number] {
			res.Duplicates++
		}
		inStore[t.Day+"/"+t.Number] = true
	}
	storedNumbers := map[string]bool{}
	for _, t := range stored {
		storedNumbers[t.Number] = true
	}
	for number, times := range issued {
		res.Tickets += times
		if times > 1 {
			res.Duplicates += times - 1
		}
		if !storedNumbers[number] {
			res.Lost++
		}
	}

	// Call to event, at every subscriber.
	var c2e []time.Duration
	for _, arr := range subArrivals {
		seen := map[callKey]bool{}
		for _, a := range arr {
			if seen[a.key] {
				res.Duplicates++
				continue
			}
			seen[a.key] = true
			if t0, ok := calls[a.key]; ok {
				d := a.at.Sub(t0)
				if d < 0 {
					d = 0 // the event beat the response to the caller
				}
				c2e = append(c2e, d)
			}
		}
		for k := range calls {
			if !seen[k] {
				res.Lost++
			}
		}
	}
	res.Calls = len(calls)
	res.Errors = errCount
	res.Seconds = elapsed.Seconds()
	res.TicketsPerS = float64(len(issueLat)) / elapsed.Seconds()
	res.IssueP50MS, res.IssueP99MS = percentileMS(issueLat, 0.50), percentileMS(issueLat, 0.99)
	res.CallToEventP50MS, res.CallToEventP99MS = percentileMS(c2e, 0.50), percentileMS(c2e, 0.99)
	stats := st.Stats()
	res.Transactions, res.Writes = stats.Transactions, stats.Writes
	v, err := st.VerifyAudit(ctx)
	if err != nil {
		return res, err
	}
	res.AuditOK = v.OK
	return res, nil
}

// waitForEvents waits until every subscriber has seen want calls, or the
// deadline passes (what is still missing then counts as lost).
func waitForEvents[T any](subs [][]T, mu *sync.Mutex, want int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		done := true
		mu.Lock()
		for _, s := range subs {
			if len(s) < want {
				done = false
				break
			}
		}
		mu.Unlock()
		if done {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func percentileMS(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p)
	return float64(s[i].Microseconds()) / 1000
}
