package provsim

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"onestop/hallserver/exchange"
)

// TestSignatureRefusals sends requests that must be refused, over HTTP,
// and checks the answer's status and code and that nothing was applied.
func TestSignatureRefusals(t *testing.T) {
	tp := newProvince(t, Options{})
	events := []exchange.Event{ticket("k-1", 1, "A001")}
	pushHeader := func(h *testHall) map[string]string {
		return map[string]string{exchange.HeaderIdempotencyKey: exchange.BatchKey(h.code, events)}
	}
	tests := []struct {
		name   string
		send   func(t *testing.T) (answer, error)
		status int
		code   string
	}{
		{"replayed push (the same request twice)", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			body := h.pushBody([]exchange.Event{ticket("r-1", 1, "R001")})
			req, err := http.NewRequest(http.MethodPost, tp.srv.URL+exchange.PathEvents, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(exchange.HeaderIdempotencyKey, "batch-replay")
			exchange.SignRequest(req.Header, http.MethodPost, exchange.PathEvents, h.code, h.secret, body, time.Now())
			first := req.Clone(req.Context())
			first.Body = io.NopCloser(bytes.NewReader(body))
			resp, err := h.client.Do(first)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("first copy answered %d", resp.StatusCode)
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			resp, err = h.client.Do(req)
			if err != nil {
				return answer{}, err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return answer{resp.StatusCode, resp.Header, b}, nil
		}, 401, exchange.CodeReplayed},
		{"replayed pull", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			req, _ := http.NewRequest(http.MethodGet, tp.srv.URL+exchange.PathCatalogue+"?have=7", nil)
			exchange.SignRequest(req.Header, http.MethodGet, exchange.PathCatalogue+"?have=7", h.code, h.secret, nil, time.Now())
			for i := 0; ; i++ {
				resp, err := h.client.Do(req)
				if err != nil {
					return answer{}, err
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if i == 1 {
					return answer{resp.StatusCode, resp.Header, b}, nil
				}
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("first copy answered %d: %s", resp.StatusCode, b)
				}
			}
		}, 401, exchange.CodeReplayed},
		{"altered body", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events), pushHeader(h), func(r *http.Request) {
				altered := bytes.Replace(h.pushBody(events), []byte("A001"), []byte("A002"), 1)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(altered)), int64(len(altered))
			})
		}, 401, exchange.CodeSignatureInvalid},
		{"altered path", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			return h.do(http.MethodGet, exchange.PathCatalogue, nil, nil, func(r *http.Request) {
				r.URL.Path = exchange.PathTrust
			})
		}, 401, exchange.CodeSignatureInvalid},
		{"altered query", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			return h.do(http.MethodGet, exchange.PathApplicationUpdates+"?after=5", nil, nil, func(r *http.Request) {
				r.URL.RawQuery = "after=0"
			})
		}, 401, exchange.CodeSignatureInvalid},
		{"altered method", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events), pushHeader(h), func(r *http.Request) {
				r.Header.Set(exchange.HeaderSignature, signatureFor(h, http.MethodGet, exchange.PathEvents, r))
			})
		}, 401, exchange.CodeSignatureInvalid},
		{"hall A's secret speaking for hall B", func(t *testing.T) (answer, error) {
			h := tp.hall(Hall{Code: hallB.Code, Secret: hallA.Secret})
			return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events), pushHeader(h), nil)
		}, 401, exchange.CodeSignatureInvalid},
		{"hall B's body under hall A's signature", func(t *testing.T) (answer, error) {
			b := tp.hall(hallB)
			a := tp.hall(hallA)
			return a.do(http.MethodPost, exchange.PathEvents, b.pushBody(events), pushHeader(b), nil)
		}, 403, exchange.CodeWrongHall},
		{"stale timestamp (too old)", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			h.now = func() time.Time { return time.Now().Add(-exchange.MaxSkew - time.Minute) }
			return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events), pushHeader(h), nil)
		}, 401, exchange.CodeStale},
		{"stale timestamp (from the future)", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			h.now = func() time.Time { return time.Now().Add(exchange.MaxSkew + time.Minute) }
			return h.do(http.MethodGet, exchange.PathTrust, nil, nil, nil)
		}, 401, exchange.CodeStale},
		{"unknown hall", func(t *testing.T) (answer, error) {
			h := tp.hall(Hall{Code: "999999-NONE", Secret: hallA.Secret})
			return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events), pushHeader(h), nil)
		}, 401, exchange.CodeUnknownHall},
		{"unsigned push", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events), pushHeader(h), func(r *http.Request) {
				r.Header.Del(exchange.HeaderSignature)
			})
		}, 401, exchange.CodeUnsigned},
		{"unsigned pull", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			return h.do(http.MethodGet, exchange.PathApplicationUpdates, nil, nil, func(r *http.Request) {
				r.Header = http.Header{}
			})
		}, 401, exchange.CodeUnsigned},
		{"push without Idempotency-Key", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events), nil, nil)
		}, 400, exchange.CodeBadRequest},
		{"push of more than MaxBatch events", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			many := make([]exchange.Event, exchange.MaxBatch+1)
			for i := range many {
				many[i] = ticket("m-"+strconv.Itoa(i), int64(i+1), "M"+strconv.Itoa(i))
			}
			return h.pushRaw(many)
		}, 400, exchange.CodeBadRequest},
		{"push body larger than MaxBodyBytes", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			big := bytes.Repeat([]byte(" "), exchange.MaxBodyBytes+1)
			return h.do(http.MethodPost, exchange.PathEvents, big, pushHeader(h), nil)
		}, 413, exchange.CodeTooLarge},
		{"push body with an unknown field", func(t *testing.T) (answer, error) {
			h := tp.hall(hallA)
			body := []byte(`{"hall":"` + h.code + `","events":[],"extra":1}`)
			return h.do(http.MethodPost, exchange.PathEvents, body, pushHeader(h), nil)
		}, 400, exchange.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.send(t)
			if err != nil {
				t.Fatal(err)
			}
			if a.status != tt.status || a.errCode() != tt.code {
				t.Fatalf("answered %d %s, want %d %s: %s", a.status, a.errCode(), tt.status, tt.code, a.body)
			}
		})
	}
	// Only the first copy of the replayed push took effect.
	for _, h := range []Hall{hallA, hallB} {
		for _, e := range tp.applied(h.Code) {
			if e.Key != "r-1" {
				t.Errorf("hall %s: %s applied by a refused request", h.Code, e.Key)
			}
		}
	}
	s := tp.stats()
	if s.Refused[exchange.CodeReplayed] != 2 || s.Refused[exchange.CodeStale] != 2 || s.Refused[exchange.CodeWrongHall] != 1 {
		t.Errorf("refusals counted %v", s.Refused)
	}
}

// signatureFor signs r's headers again as if for method.
func signatureFor(h *testHall, method, pathQuery string, r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	hdr := http.Header{}
	exchange.SignRequest(hdr, method, pathQuery, h.code, h.secret, body, time.Now())
	r.Header.Set(exchange.HeaderTimestamp, hdr.Get(exchange.HeaderTimestamp))
	r.Header.Set(exchange.HeaderNonce, hdr.Get(exchange.HeaderNonce))
	return hdr.Get(exchange.HeaderSignature)
}

// TestNonceSurvivesRestart: a request seen before a restart is still a
// replay after it.
func TestNonceSurvivesRestart(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	hdr := http.Header{}
	exchange.SignRequest(hdr, http.MethodGet, exchange.PathTrust, h.code, h.secret, nil, time.Now())
	send := func() int {
		req, _ := http.NewRequest(http.MethodGet, tp.srv.URL+exchange.PathTrust, nil)
		req.Header = hdr.Clone()
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := send(); got != http.StatusOK {
		t.Fatalf("first: %d", got)
	}
	tp.reopen()
	if got := send(); got != http.StatusUnauthorized {
		t.Fatalf("after a restart the same request answered %d, want 401", got)
	}
}

// TestAdminAuth: /admin takes the bearer token when one is configured,
// and loopback clients only when none is.
func TestAdminAuth(t *testing.T) {
	withToken := newProvince(t, Options{AdminToken: "s3cret-token"})
	without := newProvince(t, Options{})
	body := `{"fail_rate":0.5,"latency":"10ms"}`
	tests := []struct {
		name   string
		p      *testProvince
		method string
		auth   string
		remote string // set: call the handler directly from this address
		status int
	}{
		{"token: none sent", withToken, http.MethodGet, "", "", 401},
		{"token: wrong", withToken, http.MethodPut, "Bearer nope", "", 401},
		{"token: not bearer", withToken, http.MethodGet, "Basic czNjcmV0LXRva2Vu", "", 401},
		{"token: right", withToken, http.MethodPut, "Bearer s3cret-token", "", 200},
		{"token: right, from afar", withToken, http.MethodGet, "Bearer s3cret-token", "192.0.2.7:5555", 200},
		{"no token: loopback", without, http.MethodPut, "", "", 200},
		{"no token: from afar", without, http.MethodGet, "", "192.0.2.7:5555", 403},
		{"no token: IPv6 loopback", without, http.MethodGet, "", "[::1]:5555", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rd io.Reader
			if tt.method == http.MethodPut {
				rd = bytes.NewReader([]byte(body))
			}
			var status int
			if tt.remote != "" {
				req := httptest.NewRequest(tt.method, "/admin/faults", rd)
				req.RemoteAddr = tt.remote
				if tt.auth != "" {
					req.Header.Set("Authorization", tt.auth)
				}
				rec := httptest.NewRecorder()
				tt.p.Handler().ServeHTTP(rec, req)
				status = rec.Code
			} else {
				req, _ := http.NewRequest(tt.method, tt.p.srv.URL+"/admin/faults", rd)
				if tt.auth != "" {
					req.Header.Set("Authorization", tt.auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				status = resp.StatusCode
			}
			if status != tt.status {
				t.Fatalf("answered %d, want %d", status, tt.status)
			}
		})
	}
	if f := withToken.Faults(); f.FailRate != 0.5 || f.Latency != 10*time.Millisecond {
		t.Errorf("faults after the authorised PUT: %+v", f)
	}
}
