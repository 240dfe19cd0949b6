package provsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Faults are the failures provsim injects in front of the exchange routes
// (never /debug or /admin). For each request, in this order: a black hole
// holds it; latency delays it; a reset drops its connection unprocessed; a
// failure answers an error status unprocessed; otherwise it is processed,
// and a push may then lose its acknowledgement (committed, then the
// connection reset instead of answered). Rates are shares from 0 to 1.
//
// In JSON (GET and PUT /admin/faults) durations are Go duration strings
// ("250ms", "1.5s"); a number is read as nanoseconds.
type Faults struct {
	FailRate       float64       `json:"fail_rate"`        // share of exchange requests answered with an error status instead of being processed
	RateLimitShare float64       `json:"rate_limit_share"` // of those, the share answered 429 with Retry-After (the rest 500/502/503 alternately)
	RetryAfter     time.Duration `json:"retry_after"`      // Retry-After of a 429 (whole seconds on the wire, at least 1)
	Latency        time.Duration `json:"latency"`          // added before answering every exchange request
	Jitter         time.Duration `json:"jitter"`           // uniform extra latency 0..Jitter
	ResetRate      float64       `json:"reset_rate"`       // share of requests whose connection is reset (RST) without processing
	LostAckRate    float64       `json:"lost_ack_rate"`    // share of pushes processed and committed, then the connection reset instead of the answer
	BlackHole      bool          `json:"black_hole"`       // read requests and never answer (until the client gives up or BlackHole is turned off)
}

// faultsJSON is the wire form of Faults: durations as strings.
type faultsJSON struct {
	FailRate       float64  `json:"fail_rate"`
	RateLimitShare float64  `json:"rate_limit_share"`
	RetryAfter     duration `json:"retry_after"`
	Latency        duration `json:"latency"`
	Jitter         duration `json:"jitter"`
	ResetRate      float64  `json:"reset_rate"`
	LostAckRate    float64  `json:"lost_ack_rate"`
	BlackHole      bool     `json:"black_hole"`
}

// MarshalJSON writes durations as Go duration strings.
func (f Faults) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultsJSON{f.FailRate, f.RateLimitShare, duration(f.RetryAfter), duration(f.Latency),
		duration(f.Jitter), f.ResetRate, f.LostAckRate, f.BlackHole})
}

// UnmarshalJSON reads what MarshalJSON writes (a duration may also be a
// number of nanoseconds). Unknown fields are refused, so a misspelt rate
// is not silently zero.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var w faultsJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("provsim: faults: %w", err)
	}
	*f = Faults{w.FailRate, w.RateLimitShare, time.Duration(w.RetryAfter), time.Duration(w.Latency),
		time.Duration(w.Jitter), w.ResetRate, w.LostAckRate, w.BlackHole}
	return nil
}

// LogValue writes the faults in log lines as their JSON names.
func (f Faults) LogValue() slog.Value {
	return slog.GroupValue(slog.Float64("fail_rate", f.FailRate), slog.Float64("rate_limit_share", f.RateLimitShare),
		slog.Duration("retry_after", f.RetryAfter), slog.Duration("latency", f.Latency), slog.Duration("jitter", f.Jitter),
		slog.Float64("reset_rate", f.ResetRate), slog.Float64("lost_ack_rate", f.LostAckRate), slog.Bool("black_hole", f.BlackHole))
}

// Validate reports a rate outside 0–1 or a negative duration.
func (f Faults) Validate() error {
	var errs []error
	for _, r := range []struct {
		name string
		v    float64
	}{{"fail_rate", f.FailRate}, {"rate_limit_share", f.RateLimitShare}, {"reset_rate", f.ResetRate}, {"lost_ack_rate", f.LostAckRate}} {
		if !(r.v >= 0 && r.v <= 1) {
			errs = append(errs, fmt.Errorf("%s %v is not a share from 0 to 1", r.name, r.v))
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"retry_after", f.RetryAfter}, {"latency", f.Latency}, {"jitter", f.Jitter}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %s is negative", d.name, d.v))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("provsim: faults: %w", err)
	}
	return nil
}

// duration is a time.Duration written as "250ms" in JSON.
type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration like \"250ms\" or \"2s\"", s)
		}
		*d = duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("%s is neither a duration string nor nanoseconds", b)
	}
	*d = duration(n)
	return nil
}

// dice are one request's random draws, all made up front in a fixed order,
// so a run is the same for the same Seed and the same sequence of requests.
type dice struct {
	reset, fail, rateLimit, lostAck, jitter float64
	errIndex                                uint64 // which 5xx, for alternation
}

// faultState holds the faults in force and the random source.
type faultState struct {
	mu      sync.Mutex
	f       Faults
	rng     *rand.Rand
	errs    uint64
	changed chan struct{} // closed and replaced whenever the faults change
}

func newFaultState(f Faults, seed int64) *faultState {
	if seed == 0 {
		seed = rand.Int64()
	}
	return &faultState{f: f, rng: rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)), changed: make(chan struct{})}
}

func (s *faultState) get() (Faults, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f, s.changed
}

func (s *faultState) set(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *faultState) roll() dice {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := dice{reset: s.rng.Float64(), fail: s.rng.Float64(), rateLimit: s.rng.Float64(), lostAck: s.rng.Float64(), jitter: s.rng.Float64()}
	if d.fail < s.f.FailRate && d.rateLimit >= s.f.RateLimitShare {
		d.errIndex = s.errs
		s.errs++
	}
	return d
}

// retryAfterSeconds is the Retry-After value for d: whole seconds, at
// least 1.
func retryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
