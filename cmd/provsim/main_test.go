package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/exchange"
	"onestop/hallserver/exchange/provsim"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(c config) bool
	}{
		{"defaults", []string{"--data", "d"}, nil, "", func(c config) bool {
			return c.addr == "127.0.0.1:8090" && c.faults.RateLimitShare == 0.5 && c.faults.RetryAfter == time.Second &&
				c.keyRetention == provsim.DefaultKeyRetention && c.logFormat == "text"
		}},
		{"fault flags", []string{"--data", "d", "--fail-rate", "0.3", "--latency", "250ms", "--jitter", "50ms", "--reset-rate", "0.05",
			"--lost-ack-rate", "0.02", "--black-hole", "--retry-after", "3s", "--rate-limit-share", "1", "--seed", "42"}, nil, "", func(c config) bool {
			return c.faults == provsim.Faults{FailRate: 0.3, RateLimitShare: 1, RetryAfter: 3 * time.Second, Latency: 250 * time.Millisecond,
				Jitter: 50 * time.Millisecond, ResetRate: 0.05, LostAckRate: 0.02, BlackHole: true} && c.seed == 42
		}},
		{"environment", nil, map[string]string{"PROVSIM_DATA": "e", "PROVSIM_ADDR": ":9", "PROVSIM_FAIL_RATE": "0.25", "PROVSIM_BLACK_HOLE": "true",
			"PROVSIM_LOG_FORMAT": "json", "PROVSIM_KEY_RETENTION": "900h", "PROVSIM_ADMIN_TOKEN_FILE": "tok"}, "", func(c config) bool {
			return c.data == "e" && c.addr == ":9" && c.faults.FailRate == 0.25 && c.faults.BlackHole && c.logFormat == "json" &&
				c.keyRetention == 900*time.Hour && c.adminTokenFile == "tok"
		}},
		{"a flag wins over the environment", []string{"--data", "d", "--fail-rate", "0.1"}, map[string]string{"PROVSIM_FAIL_RATE": "0.9"}, "", func(c config) bool {
			return c.faults.FailRate == 0.1
		}},
		{"no data directory", nil, nil, "no data directory", nil},
		{"a bad environment value", []string{"--data", "d"}, map[string]string{"PROVSIM_LATENCY": "soon"}, "PROVSIM_LATENCY", nil},
		{"a rate above 1", []string{"--data", "d", "--fail-rate", "1.5"}, nil, "fail_rate", nil},
		{"a negative latency", []string{"--data", "d", "--latency", "-1s"}, nil, "latency", nil},
		{"a short key retention", []string{"--data", "d", "--key-retention", "24h"}, nil, "key-retention", nil},
		{"a bad log format", []string{"--data", "d", "--log-format", "xml"}, nil, "log-format", nil},
		{"a stray argument", []string{"--data", "d", "extra"}, nil, "unexpected argument", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("config %+v", c)
			}
		})
	}
}

func TestReadHalls(t *testing.T) {
	secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name, body, wantErr string
	}{
		{"two halls", `[{"code":"520000-ZWFW","name":"贵州","secret":"` + secret + `"},{"code":"520100-ZWFW","secret":"` + secret + `"}]`, ""},
		{"a short secret", `[{"code":"520000-ZWFW","secret":"c2hvcnQ="}]`, "at least 32"},
		{"not base64", `[{"code":"520000-ZWFW","secret":"***"}]`, "not base64"},
		{"an unknown field", `[{"code":"520000-ZWFW","secrets":"x"}]`, "unknown field"},
		{"not a list", `{"code":"520000-ZWFW"}`, "want ["},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "halls.json")
			os.WriteFile(path, []byte(tt.body), 0o600)
			halls, err := readHalls(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(halls) != 2 || halls[0].Name != "贵州" || len(halls[1].Secret) != 32 {
				t.Fatalf("%+v %v", halls, err)
			}
		})
	}
}

// syncBuffer is a log buffer safe to read while provsim writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts provsim on a free port with a halls file and an admin
// token, talks to it as a hall and as an admin, and stops it.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	secret := bytes.Repeat([]byte{9}, 32)
	os.WriteFile(filepath.Join(dir, "halls.json"), []byte(`[{"code":"520000-ZWFW","name":"贵州省政务服务中心","secret":"`+
		base64.StdEncoding.EncodeToString(secret)+`"}]`), 0o600)
	os.WriteFile(filepath.Join(dir, "token"), []byte("an-admin-token-for-tests\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	var logs syncBuffer
	go func() {
		done <- run(ctx, []string{"--data", data, "--addr", "127.0.0.1:0", "--halls", filepath.Join(dir, "halls.json"),
			"--admin-token-file", filepath.Join(dir, "token"), "--log-format", "json"}, func(string) string { return "" }, &logs,
			func(url string) { urls <- url })
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("provsim did not start")
	}

	// The key file is the key the province serves.
	pub, err := os.ReadFile(filepath.Join(data, PubFile))
	if err != nil {
		t.Fatal(err)
	}
	var key exchange.ProvinceKeyResponse
	getJSON(t, base+exchange.PathProvinceKey, nil, &key)
	if strings.TrimSpace(string(pub)) != key.PublicKey {
		t.Fatalf("province.pub %q, served %q", pub, key.PublicKey)
	}
	if !strings.Contains(logs.String(), filepath.Join(data, PubFile)) || !strings.Contains(logs.String(), base) {
		t.Errorf("the log does not give the URL and the key file:\n%s", logs.String())
	}

	// The hall of the file may pull.
	req, _ := http.NewRequest(http.MethodGet, base+exchange.PathCatalogue, nil)
	exchange.SignRequest(req.Header, http.MethodGet, exchange.PathCatalogue, "520000-ZWFW", secret, nil, time.Now())
	var cat exchange.CatalogueResponse
	getJSON(t, "", req, &cat)
	if cat.Version != 1 || len(cat.Catalogue) == 0 {
		t.Fatalf("catalogue %+v", cat)
	}

	// /admin wants the token.
	req, _ = http.NewRequest(http.MethodGet, base+"/admin/faults", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/admin without the token: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPut, base+"/admin/faults", strings.NewReader(`{"black_hole":true}`))
	req.Header.Set("Authorization", "Bearer an-admin-token-for-tests")
	var f provsim.Faults
	getJSON(t, "", req, &f)
	if !f.BlackHole {
		t.Fatalf("faults %+v", f)
	}

	// A request held in the black hole is answered when provsim stops.
	held := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + exchange.PathProvinceKey)
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(getText(t, base+"/debug/stats"), `"black_hole":1`) {
		if time.Now().After(deadline) {
			t.Fatal("the request was not held")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := <-held; got != http.StatusOK {
		t.Fatalf("the held request got %d at shutdown, want 200", got)
	}
}

func getJSON(t *testing.T, url string, req *http.Request, v any) {
	t.Helper()
	if req == nil {
		req, _ = http.NewRequest(http.MethodGet, url, nil)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

func getText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
