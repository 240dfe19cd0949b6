package hallserver

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/exchange"
	"onestop/hallserver/store"
)

// fakeLink is the relay's status as a test sets it; it counts how often
// the server woke it.
type fakeLink struct {
	mu    sync.Mutex
	st    api.ProvinceStatus
	kicks int
}

func (f *fakeLink) Link() api.ProvinceStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeLink) Kick() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kicks++
}

func (f *fakeLink) kicked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.kicks
}

func (f *fakeLink) set(st api.ProvinceStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st = st
}

var _ ProvinceLink = (*fakeLink)(nil)

// withProvince serves h's store again from a server whose province link
// is link; sessions, the kiosk and the clock are h's.
func (h *testHall) withProvince(t *testing.T, link ProvinceLink) *testHall {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := New(h.st, NewHub(), Config{Logger: log, Keys: h.keys, Province: link})
	t.Cleanup(srv.Close)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	c := *h
	c.srv, c.ts, c.mux = srv, ts, routeMux(srv.routes)
	return &c
}

func (h *testHall) province(t *testing.T) api.ProvinceStatus {
	t.Helper()
	var st api.ProvinceStatus
	h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/province", "", http.StatusOK, &st)
	return st
}

// endTickets issues three tickets of queue A and ends two through the
// API (one served at window 1, one cancelled); the third still waits.
// Each end writes a ticket.summary row to the outbox. It returns the
// two ended tickets.
func (h *testHall) endTickets(t *testing.T) (served, cancelled api.IssuedTicket) {
	t.Helper()
	served, cancelled = h.issue(t, "A"), h.issue(t, "A")
	h.issue(t, "A")
	desk := windowDesk{h: h, c: h.as(auth.Counter), number: 1}
	h.call(t, desk.c, "POST", desk.path("open"), "", http.StatusNoContent, nil)
	if got := serveNext(t, desk); got.Number != served.Number || got.State != "done" {
		t.Fatalf("served %s %s, want %s done", got.Number, got.State, served.Number)
	}
	h.call(t, h.as(auth.Counter), "POST", fmt.Sprintf("/api/v1/tickets/%d/cancel", cancelled.ID), `{"reason":"left"}`, http.StatusOK, nil)
	return served, cancelled
}

// outboxRow finds the outbox row of kind for aggregate.
func (h *testHall) outboxRow(t *testing.T, kind, aggregate string) store.OutboxRow {
	t.Helper()
	rows, err := h.st.OutboxRows(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Kind == kind && r.Aggregate == aggregate {
			return r
		}
	}
	t.Fatalf("no %s row for %s in the outbox", kind, aggregate)
	return store.OutboxRow{}
}

// TestProvinceNotConfigured: without a province the link says so, and
// the outbox fills all the same.
func TestProvinceNotConfigured(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	before := h.province(t)
	if before.State != api.ProvinceNotConfigured || before.URL != "" || !before.LastSuccess.IsZero() || before.LastError != "" {
		t.Errorf("status without a province: %+v", before)
	}
	raw := string(bodyOf(h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/province", "", http.StatusOK, nil)))
	if !strings.Contains(raw, `"dead_letters":[]`) {
		t.Errorf("dead letters are not an empty list: %s", raw)
	}
	served, cancelled := h.endTickets(t)
	after := h.province(t)
	if after.State != api.ProvinceNotConfigured || after.Backlog != before.Backlog+2 || after.Dead != 0 || after.Delivered != 0 {
		t.Errorf("after two tickets ended: %+v, want not_configured and a backlog of %d", after, before.Backlog+2)
	}
	for _, it := range []api.IssuedTicket{served, cancelled} {
		h.outboxRow(t, "ticket.summary", "ticket:"+strconv.FormatInt(it.ID, 10))
	}
}

// TestProvinceStatus: the link's own part comes from the relay, the
// counts from the outbox (never the relay's), the versions and cursor
// from what the pulls took; the oldest pending row's age is on the hall's
// clock.
func TestProvinceStatus(t *testing.T) {
	t.Parallel()
	base := newTestHall(t, true)
	lastOK := testStart.Add(-3 * time.Minute)
	errAt := testStart.Add(-time.Minute)
	link := &fakeLink{st: api.ProvinceStatus{State: api.ProvinceRetrying, URL: "https://exchange.example.gov.cn",
		LastSuccess: lastOK, LastError: "province unavailable (503): retrying in 4s", LastErrorAt: errAt,
		CatalogueWaiting: "catalogue version 7: 2 waiting in queue F, which no window would call",
		Backlog:          999, Dead: 999, CatalogueVersion: 999}} // the relay's counts are not the hall's
	h := base.withProvince(t, link)
	ctx := context.Background()

	// Start from an empty backlog: whatever setting up the hall wrote
	// is delivered.
	rows, err := h.st.OutboxRows(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	if err := h.st.MarkOutboxDelivered(ctx, ids); err != nil {
		t.Fatal(err)
	}
	st := h.province(t)
	if st.State != api.ProvinceRetrying || st.URL != link.st.URL || !st.LastSuccess.Equal(lastOK) || st.LastError != link.st.LastError ||
		!st.LastErrorAt.Equal(errAt) || st.CatalogueWaiting != link.st.CatalogueWaiting {
		t.Errorf("the link's part: %+v", st)
	}
	if st.Backlog != 0 || st.OldestPendingSeconds != 0 || !st.OldestPending.IsZero() || st.Dead != 0 || st.Delivered != int64(len(ids)) || st.CatalogueVersion != 0 {
		t.Errorf("an empty outbox: %+v, want nothing pending and %d delivered", st, len(ids))
	}

	first := h.issue(t, "A")
	desk := windowDesk{h: h, c: h.as(auth.Counter), number: 1}
	h.call(t, desk.c, "POST", desk.path("open"), "", http.StatusNoContent, nil)
	serveNext(t, desk)
	h.clock.Advance(90 * time.Second)
	h.call(t, h.as(auth.Counter), "POST", fmt.Sprintf("/api/v1/tickets/%d/cancel", h.issue(t, "A").ID), "", http.StatusOK, nil)
	h.clock.Advance(30 * time.Second)
	st = h.province(t)
	row := h.outboxRow(t, "ticket.summary", "ticket:"+strconv.FormatInt(first.ID, 10))
	if st.Backlog != 2 || !st.OldestPending.Equal(row.CreatedAt) || st.OldestPendingSeconds != 120 {
		t.Errorf("two tickets ended 90 s apart, 30 s ago: backlog %d, oldest %v (%d s); want 2, %v (120 s)",
			st.Backlog, st.OldestPending, st.OldestPendingSeconds, row.CreatedAt)
	}

	if err := h.st.MarkOutboxDelivered(ctx, []int64{row.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.ApplyProvinceUpdate(ctx, exchangeUpdate(41)); err != nil {
		t.Fatal(err)
	}
	link.set(api.ProvinceStatus{State: api.ProvinceConnected, URL: link.st.URL, LastSuccess: h.clock.Now()})
	st = h.province(t)
	// The refused update reports itself to the province: one more row.
	if st.State != api.ProvinceConnected || st.LastError != "" || st.CatalogueWaiting != "" || st.Backlog != 2 ||
		st.OldestPendingSeconds != 30 || st.Delivered != int64(len(ids))+1 || st.UpdateCursor != 41 {
		t.Errorf("after a delivery and an update: %+v", st)
	}
}

// TestProvinceDeadLetters: rows the province refused are listed with its
// reason and hold back the later rows of their record; a supervisor
// replays one, then all; replaying nothing is a conflict.
func TestProvinceDeadLetters(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	ctx := context.Background()
	served, cancelled := h.endTickets(t)
	var app api.Application
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications", matrixApplication, http.StatusCreated, &app)
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications/"+app.Number+"/events", `{"kind":"advance","step":"review"}`, http.StatusOK, nil)

	accepted := h.outboxRow(t, "application.event", "application:"+app.Number)
	ticket := h.outboxRow(t, "ticket.summary", "ticket:"+strconv.FormatInt(cancelled.ID, 10))
	before := h.province(t)
	h.clock.Advance(time.Minute)
	const why = "rejected: application.event: item GA-CRJ-001 is not in the province's catalogue"
	for _, id := range []int64{accepted.ID, ticket.ID} {
		if err := h.st.DeadLetterOutbox(ctx, id, why); err != nil {
			t.Fatal(err)
		}
	}
	st := h.province(t)
	if st.Dead != 2 || st.Held != 1 || st.Backlog != before.Backlog-2 || len(st.DeadLetters) != 2 {
		t.Fatalf("two dead letters, one row held behind one: %+v (backlog before %d)", st, before.Backlog)
	}
	dl := st.DeadLetters[0] // oldest first: the ticket ended before the application
	if dl.ID != ticket.ID || dl.Kind != "ticket.summary" || dl.Aggregate != ticket.Aggregate || dl.Error != why ||
		!dl.CreatedAt.Equal(ticket.CreatedAt) || !dl.DeadAt.Equal(h.clock.Now()) || dl.Attempts != 1 || dl.Replays != 0 {
		t.Errorf("dead letter %+v, want row %d (%s) refused now with the province's reason", dl, ticket.ID, ticket.Aggregate)
	}
	if st.DeadLetters[1].ID != accepted.ID || st.DeadLetters[1].Kind != "application.event" {
		t.Errorf("second dead letter %+v, want the application's acceptance %d", st.DeadLetters[1], accepted.ID)
	}

	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		want       string // in the message
	}{
		{"an id that is no row", `{"ids":[0]}`, http.StatusBadRequest, codeInvalid, "not a dead letter's id"},
		{"ids that are not numbers", `{"ids":["x"]}`, http.StatusBadRequest, codeInvalid, "not the JSON expected"},
		{"an unknown field", `{"all":true}`, http.StatusBadRequest, codeInvalid, "unknown field"},
		{"no body", ``, http.StatusBadRequest, codeInvalid, "not the JSON expected"},
		{"a row that is not dead", fmt.Sprintf(`{"ids":[%d]}`, h.outboxRow(t, "ticket.summary", "ticket:"+strconv.FormatInt(served.ID, 10)).ID),
			http.StatusConflict, codeConflict, "is a dead letter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := wantError(t, h.do(t, h.as(auth.Supervisor), "POST", "/api/v1/province/replay", tc.body), tc.status, tc.code)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not say %q", msg, tc.want)
			}
		})
	}
	if got := h.province(t); got.Dead != 2 {
		t.Fatalf("refused replays changed the dead letters: %+v", got)
	}

	var rep api.ProvinceReplayResponse
	h.call(t, h.as(auth.Admin), "POST", "/api/v1/province/replay", fmt.Sprintf(`{"ids":[%d]}`, accepted.ID), http.StatusOK, &rep)
	st = h.province(t)
	if rep.Replayed != 1 || st.Dead != 1 || st.Held != 0 || st.Backlog != before.Backlog-1 || len(st.DeadLetters) != 1 || st.DeadLetters[0].ID != ticket.ID {
		t.Errorf("after replaying %d: replayed %d, %+v", accepted.ID, rep.Replayed, st)
	}
	recs, err := h.st.AuditTrail(ctx, "outbox", fmt.Sprintf("[%d]", accepted.ID))
	if err != nil || len(recs) != 1 || recs[0].Action != "province.replay" || recs[0].Actor != "admin1" {
		t.Errorf("audit of the replay: %+v, %v", recs, err)
	}
	msg := wantError(t, h.do(t, h.as(auth.Supervisor), "POST", "/api/v1/province/replay", fmt.Sprintf(`{"ids":[%d]}`, accepted.ID)),
		http.StatusConflict, codeConflict)
	if !strings.Contains(msg, strconv.FormatInt(accepted.ID, 10)) {
		t.Errorf("replaying a row twice: %q does not name the row", msg)
	}

	h.call(t, h.as(auth.Supervisor), "POST", "/api/v1/province/replay", `{}`, http.StatusOK, &rep)
	st = h.province(t)
	if rep.Replayed != 1 || st.Dead != 0 || st.Backlog != before.Backlog || len(st.DeadLetters) != 0 {
		t.Errorf("after replaying all: replayed %d, %+v", rep.Replayed, st)
	}
	msg = wantError(t, h.do(t, h.as(auth.Supervisor), "POST", "/api/v1/province/replay", `{"ids":[]}`), http.StatusConflict, codeConflict)
	if !strings.Contains(msg, "no dead letters") {
		t.Errorf("replaying all with none: %q", msg)
	}
}

// TestProvinceDiscard: a supervisor gives up on a dead letter with a
// reason: it is never sent, the row held behind it goes on (the relay is
// woken), the status counts it as discarded, and the audit trail keeps who,
// why and which rows. Discarding nothing, without a reason, twice, or with
// a row that is not dead is refused and changes nothing.
func TestProvinceDiscard(t *testing.T) {
	t.Parallel()
	link := &fakeLink{st: api.ProvinceStatus{State: api.ProvinceConnected}}
	h := newTestHall(t, true).withProvince(t, link)
	ctx := context.Background()
	served, cancelled := h.endTickets(t)
	var app api.Application
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications", matrixApplication, http.StatusCreated, &app)
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications/"+app.Number+"/events", `{"kind":"advance","step":"review"}`, http.StatusOK, nil)
	accepted := h.outboxRow(t, "application.event", "application:"+app.Number)
	ticket := h.outboxRow(t, "ticket.summary", "ticket:"+strconv.FormatInt(cancelled.ID, 10))
	pending := h.outboxRow(t, "ticket.summary", "ticket:"+strconv.FormatInt(served.ID, 10))
	for _, id := range []int64{accepted.ID, ticket.ID} {
		if err := h.st.DeadLetterOutbox(ctx, id, "rejected: application.event: item GA-CRJ-001 is not in the province's catalogue"); err != nil {
			t.Fatal(err)
		}
	}
	before := h.province(t)
	if before.Dead != 2 || before.Held != 1 || before.Discarded != 0 {
		t.Fatalf("two dead letters, one row held behind the application's: %+v", before)
	}
	raw := string(bodyOf(h.call(t, h.as(auth.Supervisor), "GET", "/api/v1/province", "", http.StatusOK, nil)))
	if !strings.Contains(raw, `"discarded":0`) {
		t.Errorf("the status does not say discarded 0: %s", raw)
	}

	const reason = "省平台确认该事项已撤销，无法接收 / the province retired the item"
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		want       string // in the message
	}{
		{"no ids", `{"reason":"x"}`, http.StatusBadRequest, codeInvalid, "name the dead letters"},
		{"empty ids", `{"ids":[],"reason":"x"}`, http.StatusBadRequest, codeInvalid, "never done for all at once"},
		{"no reason", fmt.Sprintf(`{"ids":[%d]}`, accepted.ID), http.StatusBadRequest, codeInvalid, "say why"},
		{"a blank reason", fmt.Sprintf(`{"ids":[%d],"reason":"  \n "}`, accepted.ID), http.StatusBadRequest, codeInvalid, "say why"},
		{"a reason too long", fmt.Sprintf(`{"ids":[%d],"reason":%q}`, accepted.ID, strings.Repeat("理", 501)), http.StatusBadRequest, codeInvalid, "keep it to 500"},
		{"an id that is no row", `{"ids":[-3],"reason":"x"}`, http.StatusBadRequest, codeInvalid, "not a dead letter's id"},
		{"an id twice", fmt.Sprintf(`{"ids":[%d,%d],"reason":"x"}`, accepted.ID, accepted.ID), http.StatusBadRequest, codeInvalid, "named twice"},
		{"ids that are not numbers", `{"ids":["x"],"reason":"x"}`, http.StatusBadRequest, codeInvalid, "not the JSON expected"},
		{"an unknown field", fmt.Sprintf(`{"ids":[%d],"reason":"x","all":true}`, accepted.ID), http.StatusBadRequest, codeInvalid, "unknown field"},
		{"a row that is not dead", fmt.Sprintf(`{"ids":[%d],"reason":"x"}`, pending.ID), http.StatusConflict, codeConflict, "are dead letters"},
		{"a dead row and a pending one", fmt.Sprintf(`{"ids":[%d,%d],"reason":"x"}`, accepted.ID, pending.ID), http.StatusConflict, codeConflict,
			fmt.Sprintf("only 1 of rows [%d,%d]", accepted.ID, pending.ID)},
		{"an unknown row", `{"ids":[999999],"reason":"x"}`, http.StatusConflict, codeConflict, "999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := wantError(t, h.do(t, h.as(auth.Supervisor), "POST", "/api/v1/province/discard", tc.body), tc.status, tc.code)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not say %q", msg, tc.want)
			}
		})
	}
	if st := h.province(t); st.Dead != 2 || st.Held != 1 || st.Discarded != 0 || st.Backlog != before.Backlog {
		t.Fatalf("refused discards changed the outbox: %+v (before %+v)", st, before)
	}
	if k := link.kicked(); k != 0 {
		t.Errorf("refused discards woke the relay %d times", k)
	}

	var res api.ProvinceDiscardResponse
	h.call(t, h.as(auth.Supervisor), "POST", "/api/v1/province/discard",
		fmt.Sprintf(`{"ids":[%d],"reason":%q}`, accepted.ID, "  "+reason+"\n"), http.StatusOK, &res)
	st := h.province(t)
	if res.Discarded != 1 || st.Dead != 1 || st.Held != 0 || st.Discarded != 1 || st.Backlog != before.Backlog ||
		len(st.DeadLetters) != 1 || st.DeadLetters[0].ID != ticket.ID {
		t.Errorf("after discarding %d: discarded %d, %+v; want the row held behind it pending, not held", accepted.ID, res.Discarded, st)
	}
	if k := link.kicked(); k != 1 {
		t.Errorf("the discard woke the relay %d times, want once (the held row can go now)", k)
	}
	if r := h.outboxRow(t, "application.event", "application:"+app.Number); r.State != store.OutboxDiscarded || !strings.Contains(r.LastError, reason) {
		t.Errorf("the discarded row: %+v", r)
	}
	recs, err := h.st.AuditTrail(ctx, "outbox", fmt.Sprintf("[%d]", accepted.ID))
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit of the discard: %+v, %v", recs, err)
	}
	if r := recs[0]; r.Action != "province.discard" || r.Actor != "super1" || r.Role != "supervisor" ||
		!strings.Contains(r.After, reason) || !strings.Contains(r.After, `"aggregate":"application:`+app.Number+`"`) || !strings.Contains(r.After, `"kind":"application.event"`) {
		t.Errorf("audit record %+v: want province.discard by super1 with the reason (trimmed) and the row's kind and record", r)
	}
	if strings.Contains(recs[0].After, "  "+reason) {
		t.Errorf("the audited reason is not trimmed: %s", recs[0].After)
	}

	// Gone for good: neither discarded again nor replayed.
	again := fmt.Sprintf(`{"ids":[%d],"reason":"again"}`, accepted.ID)
	wantError(t, h.do(t, h.as(auth.Admin), "POST", "/api/v1/province/discard", again), http.StatusConflict, codeConflict)
	wantError(t, h.do(t, h.as(auth.Admin), "POST", "/api/v1/province/replay", fmt.Sprintf(`{"ids":[%d]}`, accepted.ID)), http.StatusConflict, codeConflict)
	var rep api.ProvinceReplayResponse
	h.call(t, h.as(auth.Admin), "POST", "/api/v1/province/replay", `{}`, http.StatusOK, &rep)
	if st := h.province(t); rep.Replayed != 1 || st.Dead != 0 || st.Discarded != 1 || st.Backlog != before.Backlog+1 {
		t.Errorf("replaying all after a discard: replayed %d, %+v; want only the other dead letter back", rep.Replayed, st)
	}
	if r := h.outboxRow(t, "application.event", "application:"+app.Number); r.State != store.OutboxDiscarded {
		t.Errorf("replay all brought back the discarded row: %+v", r)
	}
}

// TestProvinceRoles: supervisors and admins read, replay and discard;
// counter staff, technicians and kiosks are refused, with the dead
// letters left as they were.
func TestProvinceRoles(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	_, cancelled := h.endTickets(t)
	row := h.outboxRow(t, "ticket.summary", "ticket:"+strconv.FormatInt(cancelled.ID, 10))
	if err := h.st.DeadLetterOutbox(context.Background(), row.ID, "rejected"); err != nil {
		t.Fatal(err)
	}
	replay := fmt.Sprintf(`{"ids":[%d]}`, row.ID)
	discard := fmt.Sprintf(`{"ids":[%d],"reason":"the province cannot take it"}`, row.ID)
	for _, role := range []auth.Role{auth.Counter, auth.Technician, auth.Kiosk} {
		t.Run(string(role), func(t *testing.T) {
			wantError(t, h.do(t, h.as(role), "GET", "/api/v1/province", ""), http.StatusForbidden, codeForbidden)
			wantError(t, h.do(t, h.as(role), "POST", "/api/v1/province/replay", replay), http.StatusForbidden, codeForbidden)
			wantError(t, h.do(t, h.as(role), "POST", "/api/v1/province/discard", discard), http.StatusForbidden, codeForbidden)
		})
	}
	wantError(t, h.do(t, anonymous, "GET", "/api/v1/province", ""), http.StatusUnauthorized, codeUnauthenticated)
	wantError(t, h.do(t, anonymous, "POST", "/api/v1/province/discard", discard), http.StatusUnauthorized, codeUnauthenticated)
	if st := h.province(t); st.Dead != 1 || st.Discarded != 0 {
		t.Fatalf("refused callers changed the dead letters: %+v", st)
	}
	// A browser session replays and discards only with the CSRF header.
	s := h.sessions[auth.Supervisor]
	wantError(t, h.do(t, browser(s, false), "POST", "/api/v1/province/replay", replay), http.StatusForbidden, codeForbidden)
	wantError(t, h.do(t, browser(s, false), "POST", "/api/v1/province/discard", discard), http.StatusForbidden, codeForbidden)
	if st := h.province(t); st.Dead != 1 || st.Discarded != 0 {
		t.Fatalf("requests without the CSRF header changed the dead letters: %+v", st)
	}
	var rep api.ProvinceReplayResponse
	h.call(t, browser(s, true), "POST", "/api/v1/province/replay", replay, http.StatusOK, &rep)
	if rep.Replayed != 1 {
		t.Errorf("replayed %d, want 1", rep.Replayed)
	}
	if err := h.st.DeadLetterOutbox(context.Background(), row.ID, "rejected again"); err != nil {
		t.Fatal(err)
	}
	var dis api.ProvinceDiscardResponse
	h.call(t, browser(s, true), "POST", "/api/v1/province/discard", discard, http.StatusOK, &dis)
	if st := h.province(t); dis.Discarded != 1 || st.Dead != 0 || st.Discarded != 1 {
		t.Errorf("discarded %d, %+v; want 1", dis.Discarded, st)
	}
}

// metricValue is the value of an unlabelled metric in a /metrics page.
func metricValue(t *testing.T, page, name string) float64 {
	t.Helper()
	for line := range strings.Lines(page) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("metrics lack %s; have:\n%s", name, grepLines(page, "onestop_province"))
	return 0
}

// TestProvinceMetrics: the gauges are read at each scrape and move with
// the outbox, the hall's clock and the link.
func TestProvinceMetrics(t *testing.T) {
	t.Parallel()
	base := newTestHall(t, true)
	scrape := func(h *testHall) map[string]float64 {
		t.Helper()
		page := string(bodyOf(h.call(t, anonymous, "GET", "/metrics", "", http.StatusOK, nil)))
		out := map[string]float64{}
		for _, name := range []string{"backlog", "oldest_pending_seconds", "dead_letters", "held", "last_success_timestamp_seconds", "connected"} {
			out[name] = metricValue(t, page, "onestop_province_"+name)
		}
		return out
	}
	m0 := scrape(base)
	if m0["connected"] != 0 || m0["last_success_timestamp_seconds"] != 0 {
		t.Errorf("without a province: %v, want not connected and no success", m0)
	}

	lastOK := testStart.Add(-time.Hour)
	link := &fakeLink{st: api.ProvinceStatus{State: api.ProvinceConnected, LastSuccess: lastOK}}
	h := base.withProvince(t, link)
	h.endTickets(t)
	var app api.Application
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications", matrixApplication, http.StatusCreated, &app)
	h.call(t, h.as(auth.Counter), "POST", "/api/v1/applications/"+app.Number+"/events", `{"kind":"advance","step":"review"}`, http.StatusOK, nil)
	h.clock.Advance(45 * time.Second)
	m := scrape(h)
	if m["connected"] != 1 || m["last_success_timestamp_seconds"] != float64(lastOK.Unix()) || m["backlog"] != m0["backlog"]+4 {
		t.Errorf("connected, two tickets ended, an application accepted and advanced: %v (before %v)", m, m0)
	}
	if m["oldest_pending_seconds"] < 45 || m["dead_letters"] != 0 || m["held"] != 0 {
		t.Errorf("%v: want the oldest pending at least the 45 s the clock moved, nothing dead or held", m)
	}

	row := h.outboxRow(t, "application.event", "application:"+app.Number)
	if err := h.st.DeadLetterOutbox(context.Background(), row.ID, "rejected"); err != nil {
		t.Fatal(err)
	}
	link.set(api.ProvinceStatus{State: api.ProvinceRefused, LastSuccess: lastOK, LastError: "signature_invalid"})
	m2 := scrape(h)
	if m2["dead_letters"] != 1 || m2["held"] != 1 || m2["backlog"] != m["backlog"]-1 || m2["connected"] != 0 ||
		m2["last_success_timestamp_seconds"] != float64(lastOK.Unix()) {
		t.Errorf("a dead letter holding a row back, and a refused link: %v (before %v)", m2, m)
	}
}

// exchangeUpdate is a province update the hall must refuse (no such
// application): it still moves the cursor.
func exchangeUpdate(cursor int64) exchange.ApplicationUpdate {
	return exchange.ApplicationUpdate{Cursor: cursor, Number: "520000-20260302-99999", Kind: "advance", Step: "review", By: "省政务服务中心", At: testStart}
}

// BenchmarkProvinceStatus measures what GET /api/v1/province and a
// /metrics scrape read, over an outbox of many delivered rows (a hall
// after months), 1,000 pending, and no or 10 dead letters.
func BenchmarkProvinceStatus(b *testing.B) {
	for _, size := range []struct{ delivered, dead int }{{10_000, 0}, {1_000_000, 0}, {10_000, 10}, {1_000_000, 10}} {
		b.Run(fmt.Sprintf("delivered=%d/dead=%d", size.delivered, size.dead), func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			hub := NewHub()
			st, err := store.Open(ctx, dir, store.Options{Notify: hub.Notify})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			if _, err := EnsureHall(ctx, st, store.Hall{Code: "520000-TEST", Name: "测试政务服务中心"}, store.System); err != nil {
				b.Fatal(err)
			}
			db, err := sql.Open("sqlite", filepath.Join(dir, store.FileName))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			now := time.Now().UnixMilli()
			fill := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				INSERT INTO outbox(kind, aggregate, created_at, data, state, delivered_at, dead_at, last_error)
				SELECT 'ticket.summary', 'ticket:' || i, ?, '{}', ?, ?, ?, ? FROM n`
			for _, f := range []struct {
				n                 int
				state             string
				delivered, deadAt int64
				why               string
			}{{size.delivered, "delivered", now, 0, ""}, {1000, "pending", 0, 0, ""}, {size.dead, "dead", 0, now, "rejected"}} {
				if f.n == 0 {
					continue
				}
				if _, err := db.ExecContext(ctx, fill, f.n, now, f.state, f.delivered, f.deadAt, f.why); err != nil {
					b.Fatal(err)
				}
			}
			srv := New(st, hub, Config{Logger: slog.New(slog.DiscardHandler)})
			defer srv.Close()
			b.Run("api", func(b *testing.B) {
				for b.Loop() {
					if ps, err := srv.provinceStatus(ctx); err != nil || ps.Backlog != 1000 || len(ps.DeadLetters) != size.dead {
						b.Fatalf("%+v, %v", ps, err)
					}
				}
			})
			b.Run("metrics", func(b *testing.B) {
				c := newProvinceCollector(srv)
				for b.Loop() {
					ch := make(chan prometheus.Metric, 8)
					c.Collect(ch)
					if len(ch) != 6 {
						b.Fatalf("%d gauges, want 6", len(ch))
					}
				}
			})
		})
	}
}
