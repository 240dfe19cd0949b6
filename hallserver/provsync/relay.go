package provsync

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/exchange"
	"onestop/hallserver/store"
)

// Relay runs a hall's link to the province: push, pulls and anchors.
// Create it with New and start it with Run; Link reports how it stands.
type Relay struct {
	cfg  Config
	st   *store.Store
	call *caller
	kick chan struct{}

	mu               sync.Mutex
	pushing, pulling loopState
	catalogueWaiting string
}

// loopState is how the pusher or the puller last fared. The link is only
// as good as the worse of the two: pushes going through while every pull
// fails is not "connected".
type loopState struct {
	ran         bool // has finished a call since start
	failing     bool // the last call failed
	mustAct     bool // ... and retrying will not help until staff act
	lastSuccess time.Time
	lastError   string
	lastErrorAt time.Time
}

// New checks cfg and prepares a relay over the hall's store.
func New(ctx context.Context, st *store.Store, cfg Config) (*Relay, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if _, err := st.OutboxEpoch(ctx); err != nil {
		return nil, fmt.Errorf("provsync: %w", err)
	}
	r := &Relay{cfg: cfg, st: st, kick: make(chan struct{}, 1)}
	r.call = newCaller(&r.cfg)
	r.call.onRetry = r.retrying
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

// Link reports the link's state for the hall's API (hallserver.ProvinceLink):
// refused when either loop needs staff, retrying when either is failing
// (or has not got through yet), connected when both got through last time.
// LastError is the failing loop's error, or else the latest one seen.
func (r *Relay) Link() api.ProvinceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := api.ProvinceStatus{URL: r.cfg.URL, CatalogueWaiting: r.catalogueWaiting, State: api.ProvinceConnected}
	for _, l := range []loopState{r.pushing, r.pulling} {
		switch {
		case l.failing && l.mustAct:
			st.State = api.ProvinceRefused
		case (l.failing || !l.ran) && st.State != api.ProvinceRefused:
			st.State = api.ProvinceRetrying
		}
		if l.lastSuccess.After(st.LastSuccess) {
			st.LastSuccess = l.lastSuccess
		}
	}
	// The error to show: a failing loop's (the newer if both fail); with
	// none failing, the latest seen, as history.
	var pick *loopState
	for _, l := range []*loopState{&r.pushing, &r.pulling} {
		if l.lastError == "" {
			continue
		}
		if pick == nil || (l.failing && !pick.failing) || (l.failing == pick.failing && l.lastErrorAt.After(pick.lastErrorAt)) {
			pick = l
		}
	}
	if pick != nil {
		st.LastError, st.LastErrorAt = pick.lastError, pick.lastErrorAt
	}
	return st
}

func (r *Relay) pushed() { r.succeeded(&r.pushing) }

// retrying hears that a call is on a later attempt: the earlier one got no
// good answer. The link says so at once (a black hole takes every
// attempt's whole timeout before the call gives up).
func (r *Relay) retrying(path string, attempt int) {
	l, what := &r.pulling, "pull"
	if strings.HasSuffix(path, exchange.PathEvents) {
		l, what = &r.pushing, "push"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if l.failing {
		return // keep the last real error
	}
	l.ran, l.failing = true, true
	l.lastError = fmt.Sprintf("%s: no good answer from the province yet; attempt %d of %d", what, attempt+1, r.cfg.RetryMax+1)
	l.lastErrorAt = r.cfg.Now()
}

// idle records that the pusher found nothing to send: not a success of the
// link, but no failure either (an idle hall is not "retrying").
func (r *Relay) idle() {
	r.mu.Lock()
	r.pushing.ran, r.pushing.failing, r.pushing.mustAct = true, false, false
	r.mu.Unlock()
}
func (r *Relay) pulled() { r.succeeded(&r.pulling) }

func (r *Relay) succeeded(l *loopState) {
	r.mu.Lock()
	l.ran, l.failing, l.mustAct, l.lastSuccess = true, false, false, r.cfg.Now()
	r.mu.Unlock()
}

// failed records a failed call of the loop; what names the call.
func (r *Relay) failed(l *loopState, what string, err error) {
	must := mustAct(err)
	r.mu.Lock()
	l.ran, l.failing, l.mustAct, l.lastError, l.lastErrorAt = true, true, must, what+": "+err.Error(), r.cfg.Now()
	r.mu.Unlock()
	state := api.ProvinceRetrying
	if must {
		state = api.ProvinceRefused
	}
	r.cfg.Logger.Warn("province "+what+" failed", "err", err, "state", state)
}

// staffError marks an error retrying cannot mend: the province's answer
// was not what the exchange API defines, a document's signature did not
// check, the hall's records refused what came.
type staffError struct{ err error }

func (e staffError) Error() string { return e.err.Error() }
func (e staffError) Unwrap() error { return e.err }

// needsStaff marks err as one staff must act on.
func needsStaff(err error) error { return staffError{err} }

// mustAct reports whether err (or any error joined into it) needs staff
// rather than time: credentials, clock or hall code refused; a request or
// answer outside the exchange API; a document or record the hall cannot
// take (needsStaff).
func mustAct(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case staffError:
		return true
	case *callError:
		return e.refused() || e.Status == 200 || (e.Status >= 400 && e.Status < 500 && e.Status != 429 && e.Code != exchange.CodeReplayed)
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			if mustAct(x) {
				return true
			}
		}
		return false
	case interface{ Unwrap() error }:
		return mustAct(e.Unwrap())
	}
	return false
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
