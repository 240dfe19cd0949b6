package provsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/exchange"
)

// TestFaultsSeenByAClient injects each fault and checks what a real
// client sees and what the province did.
func TestFaultsSeenByAClient(t *testing.T) {
	t.Run("reset: a transport error and nothing applied", func(t *testing.T) {
		tp := newProvince(t, Options{Faults: Faults{ResetRate: 1}})
		h := tp.hall(hallA)
		_, err := h.pushRaw([]exchange.Event{ticket("k-1", 1, "A001")})
		if err == nil {
			t.Fatal("a reset push got an answer")
		}
		if n := len(tp.applied(hallA.Code)); n != 0 {
			t.Fatalf("%d applied after a reset", n)
		}
		if s := tp.stats(); s.Faults.Reset != 1 {
			t.Fatalf("resets counted %d", s.Faults.Reset)
		}
		tp.SetFaults(Faults{})
		if got := h.push(ticket("k-1", 1, "A001")); got[0] != applied {
			t.Fatalf("after the reset: %v", got)
		}
	})

	t.Run("lost ack: a transport error, yet applied; the retry is answered from the store", func(t *testing.T) {
		tp := newProvince(t, Options{Faults: Faults{LostAckRate: 1}})
		h := tp.hall(hallA)
		events := []exchange.Event{ticket("k-1", 1, "A001"), ticket("k-2", 2, "A002")}
		_, err := h.pushRaw(events)
		if err == nil {
			t.Fatal("a push whose acknowledgement was lost got an answer")
		}
		if n := len(tp.applied(hallA.Code)); n != 2 {
			t.Fatalf("%d applied, want 2 (committed before the reset)", n)
		}
		// Pulls never lose their answer.
		var key exchange.ProvinceKeyResponse
		h.get(exchange.PathProvinceKey, &key)
		tp.SetFaults(Faults{})
		// The same batch again: the stored answer.
		a, err := h.pushRaw(events)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.statuses(a); got[0] != applied || got[1] != applied {
			t.Fatalf("replayed batch: %v, want the stored answer", got)
		}
		// The same events in another batch: duplicates.
		if got := h.push(events...); got[0] != duplicate || got[1] != duplicate {
			t.Fatalf("re-push: %v", got)
		}
		s := tp.stats()
		if s.Faults.LostAck != 1 || s.BatchReplays != 1 || s.Halls[hallA.Code].Applied != 2 {
			t.Fatalf("stats %+v", s)
		}
	})

	t.Run("429 carries Retry-After in whole seconds", func(t *testing.T) {
		tp := newProvince(t, Options{Faults: Faults{FailRate: 1, RateLimitShare: 1, RetryAfter: 1500 * time.Millisecond}})
		h := tp.hall(hallA)
		a, err := h.pushRaw([]exchange.Event{ticket("k-1", 1, "A001")})
		if err != nil {
			t.Fatal(err)
		}
		if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "2" || a.errCode() != exchange.CodeRateLimited {
			t.Fatalf("answered %d Retry-After %q: %s", a.status, a.header.Get("Retry-After"), a.body)
		}
		tp.SetFaults(Faults{FailRate: 1, RateLimitShare: 1})
		var key exchange.ProvinceKeyResponse
		a, err = h.do(http.MethodGet, exchange.PathProvinceKey, nil, nil, nil)
		if err != nil || a.header.Get("Retry-After") != "1" || json.Unmarshal(a.body, &key) != nil {
			t.Fatalf("Retry-After without a setting: %v %q", err, a.header.Get("Retry-After"))
		}
		if n := len(tp.applied(hallA.Code)); n != 0 {
			t.Fatalf("%d applied by a refused push", n)
		}
	})

	t.Run("5xx in turn: 500, 502, 503", func(t *testing.T) {
		tp := newProvince(t, Options{Faults: Faults{FailRate: 1}})
		h := tp.hall(hallA)
		var got []int
		for range 4 {
			a, err := h.pushRaw([]exchange.Event{ticket("k-1", 1, "A001")})
			if err != nil {
				t.Fatal(err)
			}
			if a.errCode() != exchange.CodeUnavailable {
				t.Fatalf("code %s", a.body)
			}
			got = append(got, a.status)
		}
		if fmt.Sprint(got) != "[500 502 503 500]" {
			t.Fatalf("statuses %v", got)
		}
		if s := tp.stats(); s.Faults.Error5xx != 4 || len(tp.applied(hallA.Code)) != 0 {
			t.Fatalf("stats %+v", s.Faults)
		}
	})

	t.Run("black hole: the client times out; turned off, requests go through", func(t *testing.T) {
		tp := newProvince(t, Options{Faults: Faults{BlackHole: true}})
		h := tp.hall(hallA)
		h.client.Timeout = 200 * time.Millisecond
		_, err := h.pushRaw([]exchange.Event{ticket("k-1", 1, "A001")})
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("black-holed push: %v, want a timeout", err)
		}
		// A request held when the hole closes goes on.
		waiting := tp.hall(hallA)
		done := make(chan []string, 1)
		go func() {
			a, err := waiting.pushRaw([]exchange.Event{ticket("k-2", 2, "A002")})
			if err != nil {
				t.Error(err)
				done <- nil
				return
			}
			done <- waiting.statuses(a)
		}()
		waitFor(t, "the second request to be held", func() bool { return tp.stats().Faults.BlackHole == 2 })
		tp.SetFaults(Faults{})
		if got := <-done; len(got) != 1 || got[0] != applied {
			t.Fatalf("held push: %v", got)
		}
		h.client.Timeout = 30 * time.Second
		if got := h.push(ticket("k-3", 3, "A003")); got[0] != applied {
			t.Fatalf("after the black hole: %v", got)
		}
	})

	t.Run("latency delays and is counted", func(t *testing.T) {
		tp := newProvince(t, Options{Faults: Faults{Latency: 5 * time.Millisecond, Jitter: 5 * time.Millisecond}})
		h := tp.hall(hallA)
		if got := h.push(ticket("k-1", 1, "A001")); got[0] != applied {
			t.Fatalf("push: %v", got)
		}
		if s := tp.stats(); s.Faults.Latency != 1 || s.Requests != 1 {
			t.Fatalf("stats %+v", s)
		}
	})

	t.Run("no faults on /debug, /admin and /healthz", func(t *testing.T) {
		tp := newProvince(t, Options{Faults: Faults{FailRate: 1, ResetRate: 1}})
		for _, path := range []string{"/debug/stats", "/debug/halls/" + hallA.Code, "/admin/faults", "/healthz", "/"} {
			resp, err := http.Get(tp.srv.URL + path)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%s answered %d", path, resp.StatusCode)
			}
		}
		if s := tp.stats(); s.Requests != 0 {
			t.Fatalf("%d exchange requests counted", s.Requests)
		}
	})
}

// waitFor polls cond (a hang guard of 20 s, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFaultsRepeatable: the same seed and the same requests meet the same
// faults.
func TestFaultsRepeatable(t *testing.T) {
	f := Faults{FailRate: 0.4, RateLimitShare: 0.5, ResetRate: 0.2}
	run := func(seed int64) string {
		tp := newProvince(t, Options{Faults: f, Seed: seed})
		h := tp.hall(hallA)
		var out []string
		for range 40 {
			a, err := h.do(http.MethodGet, exchange.PathProvinceKey, nil, nil, nil)
			if err != nil {
				out = append(out, "reset")
				continue
			}
			out = append(out, fmt.Sprint(a.status))
		}
		return strings.Join(out, " ")
	}
	first, second, other := run(7), run(7), run(8)
	if first != second {
		t.Fatalf("seed 7 twice:\n%s\n%s", first, second)
	}
	if first == other {
		t.Fatalf("seeds 7 and 8 met the same faults: %s", first)
	}
	for _, want := range []string{"200", "429", "reset", "50"} {
		if !strings.Contains(first, want) {
			t.Errorf("40 requests at these rates met no %s: %s", want, first)
		}
	}
}

// TestGoTransportRetryIsReplayed records how Go's own transport meets a
// lost acknowledgement on a kept-alive connection: it sends the request
// again by itself (it carries an Idempotency-Key), with the same nonce,
// and the province refuses it as a replay. A hall must treat 401
// "replayed" as "sign again and retry".
func TestGoTransportRetryIsReplayed(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	h.client = &http.Client{Timeout: 30 * time.Second} // keep-alive
	var key exchange.ProvinceKeyResponse
	h.get(exchange.PathProvinceKey, &key) // opens the connection
	tp.SetFaults(Faults{LostAckRate: 1})
	events := []exchange.Event{ticket("k-1", 1, "A001")}
	a, err := h.pushRaw(events)
	if err != nil {
		t.Skipf("the transport did not retry by itself this time (%v)", err)
	}
	if a.status != http.StatusUnauthorized || a.errCode() != exchange.CodeReplayed {
		t.Fatalf("answered %d %s", a.status, a.body)
	}
	tp.SetFaults(Faults{})
	a, err = h.pushRaw(events) // signed afresh
	if err != nil {
		t.Fatal(err)
	}
	if got := h.statuses(a); got[0] != applied {
		t.Fatalf("signed again: %v, want the stored answer", got)
	}
}

// TestFaultsAdmin: GET and PUT /admin/faults in their JSON form.
func TestFaultsAdmin(t *testing.T) {
	tp := newProvince(t, Options{})
	put := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, tp.srv.URL+"/admin/faults", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		body   string
		status int
		want   Faults
	}{
		{`{"fail_rate":0.3,"rate_limit_share":0.5,"retry_after":"2s","latency":"250ms","jitter":"1.5s","reset_rate":0.05,"lost_ack_rate":0.05,"black_hole":false}`, 200,
			Faults{FailRate: 0.3, RateLimitShare: 0.5, RetryAfter: 2 * time.Second, Latency: 250 * time.Millisecond, Jitter: 1500 * time.Millisecond, ResetRate: 0.05, LostAckRate: 0.05}},
		{`{"latency":1000000}`, 200, Faults{Latency: time.Millisecond}},
		{`{"black_hole":true}`, 200, Faults{BlackHole: true}},
		{`{}`, 200, Faults{}},
		{`{"fail_rate":1.5}`, 400, Faults{}},
		{`{"latency":"-1s"}`, 400, Faults{}},
		{`{"latency":"soon"}`, 400, Faults{}},
		{`{"failrate":0.5}`, 400, Faults{}},
		{`{"fail_rate":0.5} {}`, 400, Faults{}},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			status, body := put(tt.body)
			if status != tt.status {
				t.Fatalf("answered %d: %s", status, body)
			}
			if got := tp.Faults(); got != tt.want {
				t.Fatalf("faults %+v, want %+v", got, tt.want)
			}
		})
	}
	tp.SetFaults(Faults{Latency: 250 * time.Millisecond})
	resp, err := http.Get(tp.srv.URL + "/admin/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !bytes.Contains(b, []byte(`"latency":"250ms"`)) {
		t.Fatalf("GET /admin/faults: %s", b)
	}
}
