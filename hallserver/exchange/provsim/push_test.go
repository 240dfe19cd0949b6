package provsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/exchange"
)

const (
	applied   = exchange.StatusApplied
	duplicate = exchange.StatusDuplicate
	rejected  = exchange.StatusRejected
	deferred  = exchange.StatusDeferred
)

// TestPushStatuses pushes batches in turn to one fresh province per case
// and checks each event's status and what took effect.
func TestPushStatuses(t *testing.T) {
	changed := ticket("k-1", 1, "A001")
	changed.Data = bytes.Replace(changed.Data, []byte(`"wait_s":300`), []byte(`"wait_s":301`), 1)
	invalid := ticket("k-bad", 2, "A002")
	invalid.Data = []byte(`{"day":"2026-11-26","number":"A002","queue":"A","state":"waiting"}`)
	unknownKind := event("k-unk", "ticket.teleported", "ticket:A003", 3, map[string]string{})

	tests := []struct {
		name    string
		batches [][]exchange.Event
		want    [][]string
		applied []string // keys applied, in order
	}{
		{"fresh events are applied", [][]exchange.Event{{ticket("k-1", 1, "A001"), appEvent("k-2", 2, "APP-1", 1)}},
			[][]string{{applied, applied}}, []string{"k-1", "k-2"}},
		{"same key again: duplicate", [][]exchange.Event{{ticket("k-1", 1, "A001")}, {ticket("k-1", 1, "A001"), ticket("k-2", 2, "A002")}},
			[][]string{{applied}, {duplicate, applied}}, []string{"k-1", "k-2"}},
		{"same key twice in one batch", [][]exchange.Event{{ticket("k-1", 1, "A001"), ticket("k-1", 1, "A001")}},
			[][]string{{applied, duplicate}}, []string{"k-1"}},
		{"new key, same natural key: duplicate", [][]exchange.Event{{ticket("k-1", 1, "A001")}, {ticket("k-9", 9, "A001")}, {ticket("k-9", 9, "A001")}},
			[][]string{{applied}, {duplicate}, {duplicate}}, []string{"k-1"}},
		{"a key reused with another event: rejected", [][]exchange.Event{{ticket("k-1", 1, "A001")}, {changed}, {ticket("k-1", 1, "A009")}},
			[][]string{{applied}, {rejected}, {rejected}}, []string{"k-1"}},
		{"white space does not make another event", [][]exchange.Event{{ticket("k-1", 1, "A001")}, {reindent(ticket("k-1", 1, "A001"))}},
			[][]string{{applied}, {duplicate}}, []string{"k-1"}},
		{"rejected, then the rest of its aggregate deferred, others applied",
			[][]exchange.Event{{
				appEvent("a-1", 1, "APP-1", 1),
				ticket("t-1", 2, "A001"),
				withData(appEvent("a-2", 3, "APP-1", 2), `{"number":"APP-1","index":2}`),
				appEvent("b-1", 4, "APP-2", 1),
				appEvent("a-3", 5, "APP-1", 3),
				appEvent("a-4", 6, "APP-1", 4),
				appEvent("b-2", 7, "APP-2", 2),
			}},
			[][]string{{applied, applied, rejected, applied, deferred, deferred, applied}}, []string{"a-1", "t-1", "b-1", "b-2"}},
		{"deferred events are taken when sent again",
			[][]exchange.Event{
				{withData(appEvent("a-1", 1, "APP-1", 1), `{}`), appEvent("a-2", 2, "APP-1", 2)},
				{appEvent("a-2", 2, "APP-1", 2)},
			},
			[][]string{{rejected, deferred}, {applied}}, []string{"a-2"}},
		{"a rejected event is not remembered: fixed and sent again, it is applied",
			[][]exchange.Event{{withData(ticket("k-1", 1, "A001"), `{"number":"A001"}`)}, {ticket("k-1", 1, "A001")}},
			[][]string{{rejected}, {applied}}, []string{"k-1"}},
		{"invalid payloads and unknown kinds are rejected", [][]exchange.Event{{invalid, unknownKind, ticket("k-4", 4, "A004")}},
			[][]string{{rejected, rejected, applied}}, []string{"k-4"}},
		{"missing seq, aggregate or time", [][]exchange.Event{{
			{Key: "s-0", Kind: exchange.KindTicketSummary, Aggregate: "x", Seq: 0, OccurredAt: at, Data: ticket("", 1, "B1").Data},
			{Key: "s-1", Kind: exchange.KindTicketSummary, Seq: 1, OccurredAt: at, Data: ticket("", 1, "B2").Data},
			{Key: "s-2", Kind: exchange.KindTicketSummary, Aggregate: "y", Seq: 2, Data: ticket("", 1, "B3").Data},
		}}, [][]string{{rejected, rejected, rejected}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newProvince(t, Options{})
			h := tp.hall(hallA)
			for i, b := range tt.batches {
				if got := h.push(b...); !slices.Equal(got, tt.want[i]) {
					t.Fatalf("batch %d: %v, want %v", i+1, got, tt.want[i])
				}
			}
			var keys []string
			for _, e := range tp.applied(hallA.Code) {
				keys = append(keys, e.Key)
			}
			if !slices.Equal(keys, tt.applied) {
				t.Fatalf("applied %v, want %v", keys, tt.applied)
			}
			if other := tp.applied(hallB.Code); len(other) != 0 {
				t.Fatalf("hall B has %d applied events", len(other))
			}
			// The counters add up to what was answered.
			var want, got KindStats
			for _, statuses := range tt.want {
				for _, s := range statuses {
					want.Received++
					switch s {
					case applied:
						want.Applied++
					case duplicate:
						want.Duplicates++
					case rejected:
						want.Rejected++
					case deferred:
						want.Deferred++
					}
				}
			}
			for _, k := range tp.stats().Kinds {
				got.Received += k.Received
				got.Applied += k.Applied
				got.Duplicates += k.Duplicates
				got.Rejected += k.Rejected
				got.Deferred += k.Deferred
			}
			if got != want {
				t.Fatalf("stats %+v, want %+v", got, want)
			}
		})
	}
}

func withData(e exchange.Event, data string) exchange.Event {
	e.Data = json.RawMessage(data)
	return e
}

// reindent is e with its data spread over lines.
func reindent(e exchange.Event) exchange.Event {
	var b bytes.Buffer
	json.Indent(&b, e.Data, "", "    ")
	e.Data = b.Bytes()
	return e
}

// TestRejectedMessage: a rejected event says why, a deferred one names
// the event it waits for.
func TestRejectedMessage(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	a, err := h.pushRaw([]exchange.Event{withData(appEvent("a-1", 1, "APP-1", 1), `{"number":"APP-1"}`), appEvent("a-2", 2, "APP-1", 2)})
	if err != nil {
		t.Fatal(err)
	}
	var r exchange.PushResponse
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatal(err)
	}
	if r.Results[0].Error == "" || !bytes.Contains([]byte(r.Results[1].Error), []byte("a-1")) {
		t.Fatalf("results %+v", r.Results)
	}
}

// TestBatchIdempotency: the same Idempotency-Key and body replay the
// stored answer; the same key with another body is refused with 422.
func TestBatchIdempotency(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	events := []exchange.Event{ticket("k-1", 1, "A001"), ticket("k-2", 2, "A002")}
	first, err := h.pushRaw(events)
	if err != nil || first.status != 200 {
		t.Fatalf("first push: %v %d", err, first.status)
	}
	// Meanwhile k-1 arrives again in another batch: the replay still
	// answers what the batch was answered the first time.
	h.push(ticket("k-1", 1, "A001"))
	again, err := h.pushRaw(events)
	if err != nil {
		t.Fatal(err)
	}
	if again.status != 200 || !bytes.Equal(again.body, first.body) {
		t.Fatalf("replay answered %d %s, want the stored %s", again.status, again.body, first.body)
	}
	if n := tp.stats().BatchReplays; n != 1 {
		t.Fatalf("batch_replays %d, want 1", n)
	}
	other := []exchange.Event{ticket("k-3", 3, "A003")}
	a, err := h.do(http.MethodPost, exchange.PathEvents, h.pushBody(other),
		map[string]string{exchange.HeaderIdempotencyKey: exchange.BatchKey(h.code, events)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.status != http.StatusUnprocessableEntity || a.errCode() != exchange.CodeKeyReused {
		t.Fatalf("another body under the same key answered %d %s", a.status, a.body)
	}
	if n := len(tp.applied(hallA.Code)); n != 2 {
		t.Fatalf("%d events applied, want 2", n)
	}
	// Batch keys are per hall: hall B may use the same one.
	b := tp.hall(hallB)
	a, err = b.do(http.MethodPost, exchange.PathEvents, b.pushBody(events),
		map[string]string{exchange.HeaderIdempotencyKey: exchange.BatchKey(h.code, events)}, nil)
	if err != nil || a.status != 200 {
		t.Fatalf("hall B with hall A's batch key: %v %d %s", err, a.status, a.body)
	}
}

// TestOutOfOrder: an event applied after a later one of its aggregate is
// counted (the hall broke the order); other aggregates are independent.
func TestOutOfOrder(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	h.push(appEvent("a-2", 20, "APP-1", 2), appEvent("b-1", 5, "APP-2", 1))
	h.push(appEvent("a-1", 10, "APP-1", 1), appEvent("b-2", 30, "APP-2", 2))
	h.push(appEvent("a-3", 40, "APP-1", 3))
	s := tp.stats()
	if got := s.Kinds[exchange.KindApplicationEvent].OutOfOrder; got != 1 {
		t.Fatalf("out_of_order %d, want 1", got)
	}
	if got := s.Halls[hallA.Code].OutOfOrder; got != 1 {
		t.Fatalf("hall out_of_order %d, want 1", got)
	}
	if got := s.Kinds[exchange.KindApplicationEvent].Applied; got != 5 {
		t.Fatalf("applied %d, want 5 (out of order is still applied)", got)
	}
	// The view keeps the latest event by index, whatever the arrival order.
	v, err := tp.HallView(context.Background(), hallA.Code)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range v.Applications {
		if a.Number == "APP-1" && (a.LastIndex != 3 || a.Events != 3 || a.Step != "step3") {
			t.Fatalf("APP-1 view %+v", a)
		}
	}
}

// TestConcurrentHalls: several halls pushing at once each get every event
// applied once.
func TestConcurrentHalls(t *testing.T) {
	var halls []Hall
	for i := range 4 {
		halls = append(halls, Hall{Code: "52010" + strconv.Itoa(i) + "-ZWFW", Secret: bytes.Repeat([]byte{byte('c' + i)}, 32)})
	}
	tp := newProvince(t, Options{Halls: halls})
	const batches, per = 5, 40
	var wg sync.WaitGroup
	for _, hl := range halls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := tp.hall(hl)
			for b := range batches {
				var evs []exchange.Event
				for i := range per {
					n := b*per + i + 1
					evs = append(evs, ticket("k-"+strconv.Itoa(n), int64(n), "A"+strconv.Itoa(n)))
				}
				a, err := h.pushRaw(evs)
				if err != nil || a.status != 200 {
					t.Errorf("hall %s batch %d: %v %d %s", hl.Code, b, err, a.status, a.body)
					return
				}
			}
		}()
	}
	wg.Wait()
	s := tp.stats()
	for _, hl := range halls {
		if got := s.Halls[hl.Code]; got.Applied != batches*per || got.Duplicates != 0 {
			t.Errorf("hall %s: %+v", hl.Code, got)
		}
	}
}

// TestStatsSurviveRestart: event counters and what was applied are
// stored; a re-push after a restart is still a duplicate.
func TestStatsSurviveRestart(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	h.push(ticket("k-1", 1, "A001"), ticket("k-2", 2, "A002"), withData(ticket("k-3", 3, "A003"), `{}`))
	h.push(ticket("k-1", 1, "A001"))
	before := tp.stats()
	tp.reopen()
	after := tp.stats()
	if !equalKinds(before.Kinds, after.Kinds) || before.Halls[hallA.Code] != after.Halls[hallA.Code] {
		t.Fatalf("stats before the restart %+v, after %+v", before, after)
	}
	want := KindStats{Received: 4, Applied: 2, Duplicates: 1, Rejected: 1}
	if got := after.Kinds[exchange.KindTicketSummary]; got != want {
		t.Fatalf("tickets %+v, want %+v", got, want)
	}
	h = tp.hall(hallA)
	if got := h.push(ticket("k-2", 2, "A002")); got[0] != duplicate {
		t.Fatalf("re-push after a restart: %v", got)
	}
}

func equalKinds(a, b map[string]KindStats) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestKeyRetention: keys older than the retention are pruned; an event
// sent again after that is still a duplicate by its natural key, and a
// batch key may then be used afresh.
func TestKeyRetention(t *testing.T) {
	clock := newTestClock()
	tp := newProvince(t, Options{Now: clock.Now, KeyRetention: 31 * 24 * time.Hour})
	h := tp.hall(hallA)
	h.now = clock.Now
	first := []exchange.Event{ticket("k-1", 1, "A001"), ticket("k-2", 2, "A002")}
	h.push(first...)
	clock.Add(30 * 24 * time.Hour)
	// Within the retention: the key is known, so reusing it for another
	// event is caught.
	if got := h.push(ticket("k-2", 2, "A777")); got[0] != rejected {
		t.Fatalf("key reuse within the retention: %v", got)
	}
	clock.Add(2 * 24 * time.Hour)
	if err := tp.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The same event again: its key is forgotten, its natural key is not.
	if got := h.push(first[0]); got[0] != duplicate {
		t.Fatalf("re-sent after pruning: %v, want duplicate by natural key", got)
	}
	// The other key is forgotten too: another event under it is taken.
	if got := h.push(ticket("k-2", 2, "A778")); got[0] != applied {
		t.Fatalf("a pruned key for another event: %v", got)
	}
	if n := len(tp.applied(hallA.Code)); n != 3 {
		t.Fatalf("%d applied, want 3", n)
	}
	// Pushes prune on their own (once an hour): a batch key stored now is
	// forgotten 32 days later, and may name another batch.
	batch := []exchange.Event{ticket("k-5", 5, "A005")}
	if a, err := h.pushRaw(batch); err != nil || a.status != 200 {
		t.Fatalf("push: %v %d", err, a.status)
	}
	clock.Add(32 * 24 * time.Hour)
	h.push(ticket("k-6", 6, "A006")) // prunes
	a, err := h.do(http.MethodPost, exchange.PathEvents, h.pushBody([]exchange.Event{ticket("k-7", 7, "A007")}),
		map[string]string{exchange.HeaderIdempotencyKey: exchange.BatchKey(h.code, batch)}, nil)
	if err != nil || a.status != 200 {
		t.Fatalf("a pruned batch key for another batch: %v %d %s", err, a.status, a.body)
	}
}

// TestKeyRetentionMinimum: keys must be kept at least 30 days.
func TestKeyRetentionMinimum(t *testing.T) {
	_, err := Open(Options{Dir: t.TempDir(), KeyRetention: 29 * 24 * time.Hour})
	if err == nil {
		t.Fatal("a 29-day key retention was accepted")
	}
}

// TestRefusedBatchIsJudgedAfresh: a batch with a refused event is not
// answered from the idempotency store when it comes again — the hall
// replays a dead letter once the cause is fixed, and the province must
// look at it again, not repeat its first verdict.
func TestRefusedBatchIsJudgedAfresh(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	bad := ticket("r-1", 1, "") // no number: refused
	first, err := h.pushRaw([]exchange.Event{bad})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.statuses(first); got[0] != exchange.StatusRejected {
		t.Fatalf("first push: %v, want rejected", got)
	}
	again, err := h.pushRaw([]exchange.Event{bad})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.statuses(again); got[0] != exchange.StatusRejected {
		t.Fatalf("again: %v", got)
	}
	if n := tp.stats().BatchReplays; n != 0 {
		t.Fatalf("a refused batch was answered from the store (%d replays)", n)
	}
	if n := tp.stats().Kinds[exchange.KindTicketSummary].Rejected; n != 2 {
		t.Fatalf("rejected %d times, want 2 (judged each time)", n)
	}
}

// TestNaturalKeyWithOtherContentIsRefused: a copy of a record is a
// duplicate; the same record with other content (a hall restored from a
// backup numbering tickets anew) is refused, not silently dropped.
func TestNaturalKeyWithOtherContentIsRefused(t *testing.T) {
	tp := newProvince(t, Options{})
	h := tp.hall(hallA)
	first := ticket("n-1", 1, "A001")
	if got := h.push(first); got[0] != exchange.StatusApplied {
		t.Fatalf("first: %v", got)
	}
	copyUnderNewKey := first
	copyUnderNewKey.Key, copyUnderNewKey.Seq = "m-1", 7
	if got := h.push(copyUnderNewKey); got[0] != exchange.StatusDuplicate {
		t.Fatalf("the same record under a new key: %v, want duplicate", got)
	}
	other := ticket("m-2", 8, "A001")
	other.Data = []byte(strings.Replace(string(other.Data), `"state":"done"`, `"state":"cancelled"`, 1))
	if !strings.Contains(string(other.Data), "cancelled") {
		t.Fatalf("test data: %s", other.Data)
	}
	if got := h.push(other); got[0] != exchange.StatusRejected {
		t.Fatalf("the same ticket with other content: %v, want rejected", got)
	}
}
