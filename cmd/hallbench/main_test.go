package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/catalogue"
)

// TestRunJSON runs a short load and checks the JSON line it prints: work
// was done, nothing was lost, duplicated or failed, and the fields the
// benchmark's readers rely on are all there. It asserts no timings.
func TestRunJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a hall server under load for a few seconds")
	}
	var out, stderr bytes.Buffer
	err := run([]string{"-clients", "4", "-subscribers", "3", "-windows", "2", "-duration", "1s", "-baseline", "200ms", "-json"}, &out, &stderr)
	if err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("stderr:\n%s", stderr.String())
	}
	line, rest, _ := strings.Cut(out.String(), "\n")
	if rest != "" {
		t.Fatalf("want one JSON line, got:\n%s", out.String())
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		t.Fatalf("output %q: %v", line, err)
	}
	for _, key := range []string{
		"tickets_per_s", "issue_p50_ms", "issue_p99_ms", "call_to_event_p99_ms",
		"clients", "subscribers", "lost", "duplicates",
		"baseline_sqlite_durable_inserts_per_s",
	} {
		if _, ok := fields[key]; !ok {
			t.Errorf("key %q missing from %s", key, line)
		}
	}

	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	var res Result
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("output %q: %v", line, err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"tickets > 0", res.Tickets > 0},
		{"tickets_per_s > 0", res.TicketsPerS > 0},
		{"calls > 0", res.Calls > 0},
		{"issue_p99_ms >= issue_p50_ms", res.IssueP99MS >= res.IssueP50MS},
		{"lost == 0", res.Lost == 0},
		{"duplicates == 0", res.Duplicates == 0},
		{"errors == 0", res.Errors == 0},
		{"audit_ok", res.AuditOK},
		{"baseline > 0", res.BaselineInsertsPS > 0},
		{"clients == 4", res.Clients == 4},
		{"subscribers == 3", res.Subscribers == 3},
		{"windows == 2", res.Windows == 2},
		{"store_writes > 0", res.Writes > 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("want %s in %s", c.name, line)
		}
	}
}

func TestRunBadFlags(t *testing.T) {
	t.Parallel()
	cat, err := catalogue.Seed()
	if err != nil {
		t.Fatal(err)
	}
	windows := len(cat.Windows)
	// Each case adds its bad flag to a small, fast configuration, so that
	// if the flag were wrongly accepted the run would still end soon.
	small := []string{"-clients", "1", "-subscribers", "0", "-windows", "1", "-duration", "10ms", "-baseline", "1ms", "-json"}
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"no clients", []string{"-clients", "0"}, "-clients"},
		{"negative clients", []string{"-clients", "-3"}, "-clients"},
		{"no windows", []string{"-windows", "0"}, "-windows"},
		{"negative subscribers", []string{"-subscribers", "-1"}, "-subscribers"},
		{"no duration", []string{"-duration", "0s"}, "-duration"},
		{"negative duration", []string{"-duration", "-1s"}, "-duration"},
		{"more windows than the hall", []string{"-windows", fmt.Sprint(windows + 1)}, fmt.Sprintf("has %d windows", windows)},
		{"99 windows", []string{"-windows", "99"}, fmt.Sprintf("has %d windows", windows)},
		{"negative call rate", []string{"-call-rate", "-1"}, "-call-rate"},
		{"call rate too high for a ticker", []string{"-call-rate", "1e10"}, "-call-rate"},
		{"call rate infinite", []string{"-call-rate", "+Inf"}, "-call-rate"},
		{"call rate NaN", []string{"-call-rate", "NaN"}, "-call-rate"},
		{"not a number", []string{"-clients", "many"}, "-clients"},
		{"not a duration", []string{"-duration", "10"}, "-duration"},
		{"unknown flag", []string{"-threads", "8"}, "-threads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, stderr bytes.Buffer
			err := run(append(append([]string(nil), small...), tt.args...), &out, &stderr)
			if err == nil {
				t.Fatalf("run(%q) succeeded, printing %s", tt.args, out.String())
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error mentioning %q", tt.args, err, tt.want)
			}
			if out.Len() > 0 {
				t.Errorf("run(%q) printed a result %q", tt.args, out.String())
			}
		})
	}

	t.Run("help", func(t *testing.T) {
		t.Parallel()
		var stderr bytes.Buffer
		if err := run([]string{"-h"}, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("run(-h) = %v, want flag.ErrHelp", err)
		}
		if !strings.Contains(stderr.String(), "-subscribers") {
			t.Errorf("run(-h) printed no usage: %q", stderr.String())
		}
	})
}

func TestPercentileMS(t *testing.T) {
	t.Parallel()
	var hundred []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		name string
		ds   []time.Duration
		p    float64
		want float64
	}{
		{"empty", nil, 0.5, 0},
		{"one", []time.Duration{1500 * time.Microsecond}, 0.99, 1.5},
		{"median of 100", hundred, 0.50, 50},
		{"p99 of 100", hundred, 0.99, 99},
		{"max of 100", hundred, 1, 100},
		{"min of 100", hundred, 0, 1},
	}
	for _, tt := range tests {
		if got := percentileMS(tt.ds, tt.p); got != tt.want {
			t.Errorf("%s: percentileMS(p=%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
	if hundred[0] != 100*time.Millisecond {
		t.Error("percentileMS sorted its argument in place")
	}
}
