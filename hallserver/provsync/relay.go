package provsync

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/store"
)

// Relay runs a hall's link to the province: push, pulls and anchors.
// Create it with New and start it with Run; Link reports how it stands.
type Relay struct {
	cfg   Config
	st    *store.Store
	call  *caller
	epoch string
	kick  chan struct{}

	mu               sync.Mutex
	state            string
	lastSuccess      time.Time
	lastError        string
	lastErrorAt      time.Time
	catalogueWaiting string
}

// New checks cfg and prepares a relay over the hall's store.
func New(ctx context.Context, st *store.Store, cfg Config) (*Relay, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	epoch, err := st.OutboxEpoch(ctx)
	if err != nil {
		return nil, fmt.Errorf("provsync: %w", err)
	}
	r := &Relay{cfg: cfg, st: st, epoch: epoch, kick: make(chan struct{}, 1), state: api.ProvinceRetrying}
	r.call = newCaller(&r.cfg)
	return r, nil
}

// Run pushes, pulls and anchors until ctx ends. It returns nil then.
func (r *Relay) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, loop := range []func(context.Context){r.pushLoop, r.pullLoop, r.anchorLoop} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// Kick wakes the pusher now (after a replay, say) instead of at its next look.
func (r *Relay) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Link reports the link's state for the hall's API (hallserver.ProvinceLink).
func (r *Relay) Link() api.ProvinceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return api.ProvinceStatus{State: r.state, URL: r.cfg.URL, LastSuccess: r.lastSuccess, LastError: r.lastError,
		LastErrorAt: r.lastErrorAt, CatalogueWaiting: r.catalogueWaiting}
}

func (r *Relay) succeeded() {
	r.mu.Lock()
	r.state, r.lastSuccess = api.ProvinceConnected, r.cfg.Now()
	r.mu.Unlock()
}

// failed records a failed call; what names the call in the log.
func (r *Relay) failed(what string, err error) {
	state := api.ProvinceRetrying
	var ce *callError
	if errors.As(err, &ce) && ce.refused() {
		state = api.ProvinceRefused
	}
	r.mu.Lock()
	r.state, r.lastError, r.lastErrorAt = state, what+": "+err.Error(), r.cfg.Now()
	r.mu.Unlock()
	r.cfg.Logger.Warn("province "+what+" failed", "err", err, "state", state)
}

func (r *Relay) setCatalogueWaiting(why string) {
	r.mu.Lock()
	r.catalogueWaiting = why
	r.mu.Unlock()
}

// sleep waits d or until ctx ends (false) or, when kickable, a kick.
func (r *Relay) sleep(ctx context.Context, d time.Duration, kickable bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	var kick chan struct{}
	if kickable {
		kick = r.kick
	}
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-kick:
	}
	return true
}

// outage is the relay's own backoff between failed calls: half of a
// ceiling that doubles per failure up to OutageWaitMax, plus a random part
// up to the other half ("equal jitter": never a tight loop against a
// province that is down, and halls still spread out).
type outage struct{ failures int }

func (o *outage) next(cfg *Config) time.Duration {
	d := cfg.OutageWaitMin/2 + jitter(ceiling(cfg.OutageWaitMin, cfg.OutageWaitMax, o.failures)/2)
	o.failures++
	return d
}
