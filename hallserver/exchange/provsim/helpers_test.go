package provsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/exchange"
)

// Two halls every test province knows.
var (
	hallA = Hall{Code: "520000-ZWFW", Name: "贵州省政务服务中心", Secret: bytes.Repeat([]byte("a"), 32)}
	hallB = Hall{Code: "520100-ZWFW", Name: "贵阳市政务服务中心", Secret: bytes.Repeat([]byte("b"), 32)}
)

// testClock is a settable clock shared by a province and its halls.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testProvince is a province over a real SQLite file behind a real HTTP
// server.
type testProvince struct {
	*Province
	t    testing.TB
	dir  string
	srv  *httptest.Server
	opts Options
}

// newProvince opens a province with halls A and B in a temporary
// directory; opts' Dir and Halls are filled in when empty.
func newProvince(t testing.TB, opts Options) *testProvince {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.Halls == nil {
		opts.Halls = []Hall{hallA, hallB}
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	p, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	tp := &testProvince{Province: p, t: t, dir: opts.Dir, opts: opts}
	tp.srv = httptest.NewServer(p.Handler())
	t.Cleanup(tp.close)
	return tp
}

func (tp *testProvince) close() {
	tp.Province.Close()
	tp.srv.CloseClientConnections()
	tp.srv.Close()
}

// reopen closes the province and opens it again on the same directory.
func (tp *testProvince) reopen() {
	tp.t.Helper()
	tp.close()
	p, err := Open(tp.opts)
	if err != nil {
		tp.t.Fatal(err)
	}
	tp.Province = p
	tp.srv = httptest.NewServer(p.Handler())
}

// hall is a client of the province signing as h.
func (tp *testProvince) hall(h Hall) *testHall {
	return &testHall{t: tp.t, tp: tp, code: h.Code, secret: h.Secret, now: time.Now,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
}

func (tp *testProvince) stats() Stats {
	tp.t.Helper()
	s, err := tp.Stats(context.Background())
	if err != nil {
		tp.t.Fatal(err)
	}
	return s
}

func (tp *testProvince) applied(hall string) []AppliedEvent {
	tp.t.Helper()
	a, err := tp.Applied(context.Background(), hall)
	if err != nil {
		tp.t.Fatal(err)
	}
	return a
}

// testHall signs requests as one hall. Its transport opens a connection
// per request: Go's transport silently retries a request bearing an
// Idempotency-Key when a reused connection breaks, which would hide the
// faults under test.
type testHall struct {
	t      testing.TB
	tp     *testProvince
	code   string
	secret []byte
	now    func() time.Time
	client *http.Client

	batches int
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) errCode() string {
	var e exchange.Error
	json.Unmarshal(a.body, &e)
	return e.Code
}

// do sends a signed request; edit, when set, changes it after signing.
func (h *testHall) do(method, pathQuery string, body []byte, header map[string]string, edit func(*http.Request)) (answer, error) {
	req, err := http.NewRequest(method, h.tp.srv.URL+pathQuery, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	exchange.SignRequest(req.Header, method, pathQuery, h.code, h.secret, body, h.now())
	if edit != nil {
		edit(req)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{resp.StatusCode, resp.Header, b}, nil
}

// pushBody is the body of a push of events by this hall.
func (h *testHall) pushBody(events []exchange.Event) []byte {
	b, err := json.Marshal(exchange.PushRequest{Hall: h.code, Events: events})
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// pushRaw pushes events and returns the answer or the transport error.
func (h *testHall) pushRaw(events []exchange.Event) (answer, error) {
	return h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events),
		map[string]string{exchange.HeaderIdempotencyKey: exchange.BatchKey(h.code, events)}, nil)
}

// push pushes events under a batch key of its own (so that per-event
// answers are tested, not batch replays), wants 200 and returns each
// event's status.
func (h *testHall) push(events ...exchange.Event) []string {
	h.t.Helper()
	h.batches++
	a, err := h.do(http.MethodPost, exchange.PathEvents, h.pushBody(events),
		map[string]string{exchange.HeaderIdempotencyKey: fmt.Sprintf("test-%p-%d", h, h.batches)}, nil)
	if err != nil {
		h.t.Fatalf("push: %v", err)
	}
	return h.statuses(a)
}

func (h *testHall) statuses(a answer) []string {
	h.t.Helper()
	if a.status != http.StatusOK {
		h.t.Fatalf("push answered %d: %s", a.status, a.body)
	}
	var r exchange.PushResponse
	if err := json.Unmarshal(a.body, &r); err != nil {
		h.t.Fatalf("push answer %s: %v", a.body, err)
	}
	out := make([]string, len(r.Results))
	for i, res := range r.Results {
		out[i] = res.Status
	}
	return out
}

// get sends a signed GET and wants 200, decoding the answer into v.
func (h *testHall) get(pathQuery string, v any) {
	h.t.Helper()
	a, err := h.do(http.MethodGet, pathQuery, nil, nil, nil)
	if err != nil {
		h.t.Fatalf("GET %s: %v", pathQuery, err)
	}
	if a.status != http.StatusOK {
		h.t.Fatalf("GET %s answered %d: %s", pathQuery, a.status, a.body)
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		h.t.Fatalf("GET %s: %v in %s", pathQuery, err, a.body)
	}
}

// at is the time the test events occur.
var at = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

func event(key, kind, aggregate string, seq int64, data any) exchange.Event {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	return exchange.Event{Key: key, Kind: kind, Aggregate: aggregate, Seq: seq, OccurredAt: at, Data: b}
}

// ticket is a ticket summary event: its natural key is the day and number.
func ticket(key string, seq int64, number string) exchange.Event {
	return event(key, exchange.KindTicketSummary, "ticket:"+number, seq, exchange.TicketSummary{
		Day: "2026-11-26", Number: number, Queue: "A", State: "done", IssuedAt: at, CalledAt: at.Add(5 * time.Minute),
		FinishedAt: at.Add(12 * time.Minute), WaitS: 300, ServeS: 420})
}

// appEvent is the index-th event of an application.
func appEvent(key string, seq int64, number string, index int) exchange.Event {
	return event(key, exchange.KindApplicationEvent, "application:"+number, seq, exchange.ApplicationEvent{
		Number: number, Index: index, Item: "GA-001", Kind: "advance", Step: fmt.Sprintf("step%d", index),
		Status: "in_progress", Actor: "wangfang", At: at.Add(time.Duration(index) * time.Minute)})
}

func auditHead(key string, seq, last int64, hash string, prev int64, prevHash string) exchange.Event {
	return event(key, exchange.KindAuditHead, "audit", seq, exchange.AuditHead{
		LastID: last, Hash: hash, PrevID: prev, PrevHash: prevHash, At: at})
}

// hex64 is a 64-hex-digit hash made of one repeated digit.
func hex64(c byte) string { return strings.Repeat(string(c), 64) }
