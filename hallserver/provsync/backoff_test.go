package provsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFullJitter(t *testing.T) {
	min, max := 100*time.Millisecond, 5*time.Second
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		lo, hi  time.Duration
	}{
		{"first retry", 0, nil, 0, 100 * time.Millisecond},
		{"third retry", 2, nil, 0, 400 * time.Millisecond},
		{"capped", 20, nil, 0, max},
		{"no overflow at a huge attempt", 1 << 30, nil, 0, max},
		{"429 with Retry-After", 0, &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"2"}}}, 2 * time.Second, 2 * time.Second},
		{"503 with Retry-After beyond the cap", 0, &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"600"}}}, max, max},
		{"500 ignores Retry-After", 0, &http.Response{StatusCode: 500, Header: http.Header{"Retry-After": {"9"}}}, 0, 100 * time.Millisecond},
		{"429 with a date is jittered", 1, &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"Wed, 21 Oct 2026 07:28:00 GMT"}}}, 0, 200 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 200 {
				d := FullJitter(min, max, tc.attempt, tc.resp)
				if d < tc.lo || d > tc.hi {
					t.Fatalf("wait %v outside [%v, %v]", d, tc.lo, tc.hi)
				}
				seen[d] = true
			}
			if tc.lo != tc.hi && len(seen) < 50 {
				t.Errorf("only %d distinct waits in 200: not jittered", len(seen))
			}
		})
	}
}

func TestOutageWaitGrowsAndStaysSpread(t *testing.T) {
	cfg := Config{OutageWaitMin: time.Second, OutageWaitMax: time.Minute}
	var o outage
	for i := range 12 {
		ceil := ceiling(cfg.OutageWaitMin, cfg.OutageWaitMax, i)
		d := o.next(&cfg)
		if d < cfg.OutageWaitMin/2 || d > cfg.OutageWaitMin/2+ceil/2 {
			t.Fatalf("failure %d: wait %v outside [%v, %v]", i, d, cfg.OutageWaitMin/2, cfg.OutageWaitMin/2+ceil/2)
		}
	}
}

func TestCheckRetry(t *testing.T) {
	answer := func(status int, body string) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	}
	tests := []struct {
		name  string
		resp  *http.Response
		retry bool
	}{
		{"ok", answer(200, `{}`), false},
		{"a 401 replayed is signed anew and sent again", answer(401, `{"code":"replayed","message":"nonce seen"}`), true},
		{"a bad signature is not", answer(401, `{"code":"signature_invalid","message":"x"}`), false},
		{"wrong hall is not", answer(403, `{"code":"wrong_hall","message":"x"}`), false},
		{"429", answer(429, `{"code":"rate_limited"}`), true},
		{"503", answer(503, ``), true},
		{"501", answer(501, ``), false},
		{"422", answer(422, `{"code":"idempotency_reused"}`), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			retry, err := checkRetry(context.Background(), tc.resp, nil)
			if retry != tc.retry {
				t.Fatalf("retry = %v (%v), want %v", retry, err, tc.retry)
			}
			if tc.resp.StatusCode == 401 {
				body, _ := io.ReadAll(tc.resp.Body)
				if !strings.Contains(string(body), `"code"`) {
					t.Errorf("the body was used up: %q", body)
				}
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if retry, _ := checkRetry(ctx, answer(401, `{"code":"replayed"}`), nil); retry {
		t.Error("retried a replayed request after the call was cancelled")
	}
}

func TestConfigRefusesPlainHTTPOffThisMachine(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	tests := []struct {
		url  string
		want string // "" for accepted
	}{
		{"https://exchange.example.gov.cn", ""},
		{"https://exchange.example.gov.cn/prefix/", ""},
		{"http://127.0.0.1:8090", ""},
		{"http://[::1]:8090", ""},
		{"http://localhost:8090", ""},
		{"http://exchange.example.gov.cn", "use https"},
		{"http://10.0.0.5:8090", "use https"},
		{"ftp://exchange.example.gov.cn", "want https://"},
		{"exchange.example.gov.cn", "want https://"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			c := Config{URL: tc.url, Hall: "520000-ZWFW", Secret: secret}
			err := c.setDefaults()
			if tc.want == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if err == nil && c.CallTimeout < time.Duration(c.RetryMax+1)*c.AttemptTimeout {
				t.Errorf("call timeout %v leaves no room for %d attempts of %v", c.CallTimeout, c.RetryMax+1, c.AttemptTimeout)
			}
		})
	}
}

func TestMustAct(t *testing.T) {
	down := &callError{Err: io.ErrUnexpectedEOF}
	busy := &callError{Status: 503, Code: "unavailable"}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no answer", down, false},
		{"503", busy, false},
		{"429", &callError{Status: 429}, false},
		{"401 replayed", &callError{Status: 401, Code: "replayed"}, false},
		{"401 signature", &callError{Status: 401, Code: "signature_invalid"}, true},
		{"403", &callError{Status: 403, Code: "wrong_hall"}, true},
		{"400 from the province", &callError{Status: 400, Code: "bad_request"}, true},
		{"404: wrong URL", &callError{Status: 404}, true},
		{"an answer outside the API", &callError{Status: 200, Message: "not JSON"}, true},
		{"marked", needsStaff(io.EOF), true},
		{"marked, wrapped", fmt.Errorf("trust list: %w", needsStaff(io.EOF)), true},
		{"joined: one branch needs staff", pullErrors{fmt.Errorf("catalogue: %w", busy), fmt.Errorf("trust list: %w", needsStaff(io.EOF))}, true},
		{"joined: none does", pullErrors{fmt.Errorf("catalogue: %w", busy), down}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustAct(tc.err); got != tc.want {
				t.Errorf("mustAct(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if msg := (pullErrors{errors.New("a"), errors.New("b")}).Error(); msg != "a; b" {
		t.Errorf("joined message %q, want one line", msg)
	}
}
