package store_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/application"
	"onestop/hallserver/catalogue/cataloguetest"
	"onestop/hallserver/exchange"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// outboxKinds lists the kinds of every outbox row, in order.
func outboxKinds(t *testing.T, s *store.Store) []string {
	t.Helper()
	rows, err := s.OutboxRows(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Kind)
	}
	return out
}

// checkOutboxEvents holds every outbox row to the exchange API: a known
// kind whose payload the province would accept, and no personal data.
func checkOutboxEvents(t *testing.T, s *store.Store, forbidden ...string) {
	t.Helper()
	rows, err := s.OutboxRows(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	epoch, err := s.OutboxEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		e := exchange.Event{Key: store.OutboxKey(epoch, r.ID), Kind: r.Kind, Aggregate: r.Aggregate, Seq: r.ID,
			OccurredAt: r.CreatedAt, Data: r.Data}
		if _, err := exchange.CheckEvent(e); err != nil {
			t.Errorf("row %d %s would be refused: %v", r.ID, r.Kind, err)
		}
		for _, f := range forbidden {
			if strings.Contains(string(r.Data), f) {
				t.Errorf("row %d %s carries %q: %s", r.ID, r.Kind, f, r.Data)
			}
		}
	}
}

func TestOutboxIsWrittenWithEveryReportedChange(t *testing.T) {
	s, clk := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	if got := outboxKinds(t, s); len(got) != 0 {
		t.Fatalf("a new hall has outbox rows %v", got)
	}
	// A ticket reports once, when it ends; a cancelled one too.
	issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	cancelled := issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	open(t, s, a, 3)
	callNext(t, s, a, 3)
	if got := outboxKinds(t, s); len(got) != 0 {
		t.Fatalf("waiting and called tickets wrote %v", got)
	}
	done := serve(t, s, clk, a, 3, 4*time.Minute)
	if _, err := s.CancelTicket(ctx, kioskA, cancelled.ID, "left"); err != nil {
		t.Fatal(err)
	}
	want := []string{exchange.KindTicketSummary, exchange.KindTicketSummary}
	if got := outboxKinds(t, s); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("after a ticket done and one cancelled: %v, want %v", got, want)
	}
	rows, _ := s.OutboxRows(ctx, 0, 1)
	var sum exchange.TicketSummary
	if err := json.Unmarshal(rows[0].Data, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Number != done.Number || sum.State != "done" || sum.ServeS != 240 || sum.Window != "3" || sum.Channel != "counter" || sum.WaitS != 0 {
		t.Errorf("summary %+v", sum)
	}
	// An application reports each of its events; a rating too.
	req := acceptReq("王晓红", "hash-1")
	req.Item, req.Window = "GA-CRJ-001", "3"
	app, err := s.AcceptApplication(ctx, a, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvAdvance, Step: application.Review}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordRating(ctx, kioskA, calendar(t), store.RatingRequest{TicketToken: done.Token, Level: 5, Channel: store.ChannelKiosk, Comment: "王晓红 13800000000"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnchorAuditHead(ctx); err != nil {
		t.Fatal(err)
	}
	want = append(want, exchange.KindApplicationEvent, exchange.KindApplicationEvent, exchange.KindRatingRecorded, exchange.KindAuditHead)
	if got := outboxKinds(t, s); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	checkOutboxEvents(t, s, "王晓红", "hash-1", "13800000000", done.Token)
}

func TestOutboxRowIsRolledBackWithItsChange(t *testing.T) {
	s, _ := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	open(t, s, a, 3)
	tk := issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	// Break the outbox so the ticket's end cannot be reported: the
	// cancellation must fail with it and leave the ticket waiting.
	db := rawDB(t, s)
	mustExec(t, db, `CREATE TRIGGER outbox_broken BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox full'); END`)
	if _, err := s.CancelTicket(ctx, kioskA, tk.ID, "left"); err == nil || !strings.Contains(err.Error(), "outbox full") {
		t.Fatalf("cancel with a broken outbox: %v", err)
	}
	got, err := s.TicketByID(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != queue.Issued {
		t.Fatalf("the ticket is %s after its report failed, want issued", got.State)
	}
	mustExec(t, db, `DROP TRIGGER outbox_broken`)
	if _, err := s.CancelTicket(ctx, kioskA, tk.ID, "left"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM outbox"); n != 1 {
		t.Fatalf("%d outbox rows, want 1", n)
	}
}

func TestOutboxDeliveryDeadLettersAndReplay(t *testing.T) {
	s, _ := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	sup := staff(t, s, "zhuren", "supervisor", 0)
	req := acceptReq("王晓红", "hash-1")
	req.Item, req.Window = "GA-CRJ-001", "3"
	app, err := s.AcceptApplication(ctx, a, req) // row 1: application
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range []store.Ticket{issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"}), issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})} {
		if _, err := s.CancelTicket(ctx, kioskA, tk.ID, "left"); err != nil { // rows 2, 3: tickets
			t.Fatal(err)
		}
	}
	if _, err := s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvAdvance, Step: application.Review}, nil); err != nil {
		t.Fatal(err) // row 4: application, after row 1
	}
	due := func() []int64 {
		rows, err := s.DueOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	status := func() store.OutboxStatus {
		st, err := s.OutboxStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if got := due(); len(got) != 4 || got[0] != 1 || got[3] != 4 {
		t.Fatalf("due %v, want 1..4 in order", got)
	}
	if st := status(); st.Pending != 4 || st.Dead != 0 || st.OldestPending.IsZero() {
		t.Fatalf("status %+v", st)
	}
	// The province refuses row 1 for good: row 4 (same application) waits
	// behind it; the tickets go on.
	if err := s.DeadLetterOutbox(ctx, 1, "rejected: no such item"); err != nil {
		t.Fatal(err)
	}
	if got := due(); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Fatalf("due after a dead letter %v, want [2 3]", got)
	}
	if err := s.MarkOutboxDelivered(ctx, []int64{2, 3}); err != nil {
		t.Fatal(err)
	}
	if st := status(); st.Pending != 1 || st.Held != 1 || st.Dead != 1 || st.Delivered != 2 {
		t.Fatalf("status %+v, want 1 pending (held), 1 dead, 2 delivered", st)
	}
	dead, err := s.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].ID != 1 || !strings.Contains(dead[0].LastError, "no such item") {
		t.Fatalf("dead letters %+v, %v", dead, err)
	}
	// Replay: the dead row is pending again, first in line.
	if _, err := s.ReplayDeadLetters(ctx, sup, []int64{2}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("replaying a delivered row: %v, want ErrConflict", err)
	}
	n, err := s.ReplayDeadLetters(ctx, sup, nil)
	if err != nil || n != 1 {
		t.Fatalf("replay all: %d, %v", n, err)
	}
	if got := due(); len(got) != 2 || got[0] != 1 || got[1] != 4 {
		t.Fatalf("due after replay %v, want [1 4]", got)
	}
	if _, err := s.ReplayDeadLetters(ctx, sup, nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("replay with none dead: %v, want ErrConflict", err)
	}
	trail, err := s.AuditTrail(ctx, "outbox", "all")
	if err != nil || len(trail) != 1 || trail[0].Actor != "zhuren" {
		t.Error("the replay left no audit record")
	}
	verifyOK(t, s)
}

func TestAnchorAuditHead(t *testing.T) {
	s, _ := newHall(t)
	heads := func() []exchange.AuditHead {
		rows, err := s.OutboxRows(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []exchange.AuditHead
		for _, r := range rows {
			if r.Kind == exchange.KindAuditHead {
				var h exchange.AuditHead
				if err := json.Unmarshal(r.Data, &h); err != nil {
					t.Fatal(err)
				}
				out = append(out, h)
			}
		}
		return out
	}
	if wrote, err := s.AnchorAuditHead(ctx); err != nil || !wrote {
		t.Fatalf("first anchor: %v %v", wrote, err)
	}
	if wrote, err := s.AnchorAuditHead(ctx); err != nil || wrote {
		t.Fatalf("anchor with the head unmoved wrote one: %v %v", wrote, err)
	}
	issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	if wrote, err := s.AnchorAuditHead(ctx); err != nil || !wrote {
		t.Fatalf("second anchor: %v %v", wrote, err)
	}
	h := heads()
	if len(h) != 2 || h[1].PrevID != h[0].LastID || h[1].PrevHash != h[0].Hash || h[1].LastID <= h[0].LastID {
		t.Fatalf("anchors %+v: the second must name the first's record and hash", h)
	}
	verifyOK(t, s)
}

func TestApplyProvinceUpdate(t *testing.T) {
	s, _ := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	req := acceptReq("王晓红", "hash-1")
	req.Item, req.Window = "GA-CRJ-001", "3"
	app, err := s.AcceptApplication(ctx, a, req)
	if err != nil {
		t.Fatal(err)
	}
	at := t0
	tests := []struct {
		name    string
		u       exchange.ApplicationUpdate
		outcome store.UpdateOutcome
		step    application.Step
		cursor  int64
	}{
		{"review by the province", exchange.ApplicationUpdate{Cursor: 3, Number: app.Number, Kind: "advance", Step: "review", By: "省公安厅", At: at}, store.UpdateApplied, application.Review, 3},
		{"the same again (cursor passed)", exchange.ApplicationUpdate{Cursor: 3, Number: app.Number, Kind: "advance", Step: "review", By: "省公安厅", At: at}, store.UpdateStale, application.Review, 3},
		{"a step back is refused, cursor moves", exchange.ApplicationUpdate{Cursor: 5, Number: app.Number, Kind: "advance", Step: "accept", By: "省公安厅", At: at}, store.UpdateRefused, application.Review, 5},
		{"unknown application refused", exchange.ApplicationUpdate{Cursor: 6, Number: "NO-SUCH", Kind: "advance", Step: "review", By: "省公安厅", At: at}, store.UpdateRefused, application.Review, 6},
		{"accept is the hall's", exchange.ApplicationUpdate{Cursor: 7, Number: app.Number, Kind: "accept", By: "省公安厅", At: at}, store.UpdateRefused, application.Review, 7},
		{"decide", exchange.ApplicationUpdate{Cursor: 9, Number: app.Number, Kind: "advance", Step: "decide", By: "省公安厅", At: at}, store.UpdateApplied, application.Decide, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outcome, err := s.ApplyProvinceUpdate(ctx, tc.u)
			if err != nil {
				t.Fatal(err)
			}
			if outcome != tc.outcome {
				t.Errorf("outcome = %v, want %v", outcome, tc.outcome)
			}
			got, err := s.ApplicationByNumber(ctx, app.Number)
			if err != nil {
				t.Fatal(err)
			}
			if got.State.Step != tc.step {
				t.Errorf("step %s, want %s", got.State.Step, tc.step)
			}
			ps, err := s.ProvinceState(ctx)
			if err != nil || ps.UpdateCursor != tc.cursor {
				t.Errorf("cursor %d (%v), want %d", ps.UpdateCursor, err, tc.cursor)
			}
		})
	}
	kinds := outboxKinds(t, s)
	refused := 0
	for _, k := range kinds {
		if k == exchange.KindUpdateRefused {
			refused++
		}
	}
	if refused != 3 {
		t.Errorf("%d refusals reported to the province, want 3 (%v)", refused, kinds)
	}
	checkOutboxEvents(t, s)
	verifyOK(t, s)
}

func TestProvinceCatalogueWaitsForStrandedTickets(t *testing.T) {
	s, _ := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	open(t, s, a, 3)
	waiting := issue(t, s, store.IssueRequest{Item: "GA-CRJ-001"})
	next := seed(t)
	// The new catalogue drops the queue the waiting ticket is in from
	// every window.
	var dropped string
	for _, it := range next.Items {
		if it.Code == "GA-CRJ-001" {
			dropped = it.Queue
		}
	}
	cataloguetest.DropQueue(t, next, dropped)
	next.Version = "2027.1"
	applied, err := s.ApplyProvinceCatalogue(ctx, 2, next)
	if applied || !errors.Is(err, store.ErrCatalogueWaits) || !strings.Contains(err.Error(), "queue "+dropped) {
		t.Fatalf("a catalogue stranding ticket %s: applied %v, %v", waiting.Number, applied, err)
	}
	// Once the ticket is served the catalogue applies; the ticket and its
	// item are untouched.
	callNext(t, s, a, 3)
	applied, err = s.ApplyProvinceCatalogue(ctx, 2, next)
	if err != nil || !applied {
		t.Fatalf("with the ticket at the window: %v %v", applied, err)
	}
	got, err := s.TicketByID(ctx, waiting.ID)
	if err != nil || got.State != queue.Called || got.Item != "GA-CRJ-001" {
		t.Fatalf("the called ticket after the update: %+v %v", got, err)
	}
	if applied, err := s.ApplyProvinceCatalogue(ctx, 2, next); err != nil || applied {
		t.Fatalf("the same version again: %v %v", applied, err)
	}
	c, err := s.Catalogue(ctx)
	if err != nil || c.Version != "2027.1" {
		t.Fatalf("catalogue now %v %v", c.Version, err)
	}
	ps, _ := s.ProvinceState(ctx)
	if ps.CatalogueVersion != 2 {
		t.Errorf("province catalogue version %d, want 2", ps.CatalogueVersion)
	}
}

// TestOutboxBackfillOfAnEarlierHall: a hall that had keys, open
// applications and certificates before the outbox existed reports them
// once, at the next open.
func TestOutboxBackfillOfAnEarlierHall(t *testing.T) {
	s, clk, ring := certHall(t)
	a := staff(t, s, "wang", "counter", 3)
	req := acceptReq("王晓红", "hash-1")
	req.Item, req.Window = "GA-CRJ-001", "3"
	open1, err := s.AcceptApplication(ctx, a, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordApplicationEvent(ctx, a, open1.Number, application.Event{Kind: application.EvAdvance, Step: application.Review}, nil); err != nil {
		t.Fatal(err)
	}
	c := issueCert(t, s, ring)
	if _, err := s.RevokeCertificate(ctx, admin, c.Serial, "持证人王晓红申请注销"); err != nil {
		t.Fatal(err)
	}
	// As if the outbox had just been added to this hall.
	db := rawDB(t, s)
	mustExec(t, db, "DELETE FROM outbox")
	mustExec(t, db, "INSERT INTO meta(key, value) VALUES ('outbox_backfill', 'due')")
	dir := filepath.Dir(s.Path())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, clk, store.Options{})
	want := []string{exchange.KindSigningKey, exchange.KindApplicationEvent, exchange.KindApplicationEvent,
		exchange.KindCertificateIssued, exchange.KindCertificateRevoked}
	if got := outboxKinds(t, s); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("backfilled %v, want %v", got, want)
	}
	checkOutboxEvents(t, s, "王晓红", "hash-1")
	rows, _ := s.OutboxRows(ctx, 0, 10)
	for i, wantStep := range []string{"accept", "review"} {
		var ev exchange.ApplicationEvent
		if err := json.Unmarshal(rows[1+i].Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Index != i+1 || ev.Step != wantStep {
			t.Errorf("backfilled event %d: index %d step %q, want step %q (the state after that event)", i+1, ev.Index, ev.Step, wantStep)
		}
	}
	s.Close()
	s = openStore(t, dir, clk, store.Options{})
	if got := outboxKinds(t, s); len(got) != len(want) {
		t.Fatalf("a second open backfilled again: %v", got)
	}
}

// TestRevocationReasonStaysInTheHall: the reason staff type may name the
// holder; the province (and through it every hall) gets a fixed one.
func TestRevocationReasonStaysInTheHall(t *testing.T) {
	s, _, ring := certHall(t)
	c := issueCert(t, s, ring)
	if _, err := s.RevokeCertificate(ctx, admin, c.Serial, "持证人王晓红（13800000000）申请注销"); err != nil {
		t.Fatal(err)
	}
	checkOutboxEvents(t, s, "王晓红", "13800000000")
	got, err := s.CertificateBySerial(ctx, c.Serial)
	if err != nil || !strings.Contains(got.RevokeReason, "王晓红") {
		t.Fatalf("the hall's own record lost the reason: %q %v", got.RevokeReason, err)
	}
}

func TestDiscardDeadLetters(t *testing.T) {
	s, _ := newHall(t)
	a := staff(t, s, "wang", "counter", 3)
	sup := staff(t, s, "zhuren", "supervisor", 0)
	req := acceptReq("王晓红", "hash-1")
	req.Item, req.Window = "GA-CRJ-001", "3"
	app, err := s.AcceptApplication(ctx, a, req) // row 1
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvAdvance, Step: application.Review}, nil); err != nil {
		t.Fatal(err) // row 2, held behind row 1 once it is dead
	}
	if err := s.DeadLetterOutbox(ctx, 1, "rejected"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ids    []int64
		reason string
		want   error
	}{
		{nil, "x", store.ErrInvalid},
		{[]int64{1}, " ", store.ErrInvalid},
		{[]int64{1, 2}, "x", store.ErrConflict}, // row 2 is not dead
	}
	for _, tc := range tests {
		if _, err := s.DiscardDeadLetters(ctx, sup, tc.ids, tc.reason); !errors.Is(err, tc.want) {
			t.Errorf("discard %v %q: %v, want %v", tc.ids, tc.reason, err, tc.want)
		}
	}
	if rows, _ := s.DueOutbox(ctx, 10); len(rows) != 0 {
		t.Fatalf("row 2 is due while row 1 is dead: %+v", rows)
	}
	if n, err := s.DiscardDeadLetters(ctx, sup, []int64{1}, "the province's item code was retired; agreed with the province by phone"); err != nil || n != 1 {
		t.Fatalf("discard: %d %v", n, err)
	}
	rows, _ := s.DueOutbox(ctx, 10)
	if len(rows) != 1 || rows[0].ID != 2 {
		t.Fatalf("after the discard due %+v, want row 2", rows)
	}
	st, _ := s.OutboxStatus(ctx)
	if st.Discarded != 1 || st.Dead != 0 || st.Pending != 1 || st.Delivered != 0 {
		t.Fatalf("status %+v", st)
	}
	if _, err := s.ReplayDeadLetters(ctx, sup, []int64{1}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("replaying a discarded row: %v, want ErrConflict", err)
	}
	if trail, err := s.AuditTrail(ctx, "outbox", "[1]"); err != nil || len(trail) != 1 || !strings.Contains(trail[0].After, "retired") {
		t.Errorf("audit of the discard: %+v %v", trail, err)
	}
	verifyOK(t, s)
}
