package live

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// receive takes the next message from s, failing if none is waiting:
// Publish has returned, so a message it sent is already in the buffer.
func receive(t *testing.T, s *Subscription) Message {
	t.Helper()
	select {
	case m := <-s.C:
		return m
	default:
		t.Fatal("no message waiting")
		return Message{}
	}
}

func wantNothing(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case m := <-s.C:
		t.Fatalf("unexpected message %d %q", m.ID, m.Data)
	default:
	}
}

func dropped(s *Subscription) bool {
	select {
	case <-s.Dropped:
		return true
	default:
		return false
	}
}

func wire(id uint64, typ, data string) string {
	return "id: " + strconv.FormatUint(id, 10) + "\nevent: " + typ + "\ndata: " + data + "\n\n"
}

func TestPublishWireFormat(t *testing.T) {
	t.Parallel()
	type called struct {
		Number string `json:"number"`
		Window string `json:"window"`
	}
	tests := []struct {
		typ  string
		v    any
		data string
	}{
		{"ticket.called", called{"A001", "3"}, `{"number":"A001","window":"3"}`},
		{"ticket.issued", map[string]int{"waiting": 12}, `{"waiting":12}`},
		{"hall.reset", nil, `null`},
		{"notice", "请到3号窗口\n办理", `"请到3号窗口\n办理"`}, // the newline is escaped: data stays one line
		{"notice", "<b>&", `"\u003cb\u003e\u0026"`},
	}
	b := NewBroker(16, 16)
	s, backlog, complete := b.Subscribe(0)
	defer s.Close()
	if len(backlog) != 0 || !complete {
		t.Fatalf("Subscribe(0) on a new broker: backlog %d, complete %v; want none, true", len(backlog), complete)
	}
	for i, tt := range tests {
		id, err := b.Publish(tt.typ, tt.v)
		if err != nil {
			t.Fatalf("Publish(%q, %v): %v", tt.typ, tt.v, err)
		}
		if want := uint64(i + 1); id != want {
			t.Errorf("Publish(%q) = id %d, want %d", tt.typ, id, want)
		}
		m := receive(t, s)
		want := wire(id, tt.typ, tt.data)
		if m.ID != id || m.Type != tt.typ || string(m.Data) != want {
			t.Errorf("got message {%d %q %q}, want {%d %q %q}", m.ID, m.Type, m.Data, id, tt.typ, want)
		}
	}
}

func TestPublishOrder(t *testing.T) {
	t.Parallel()
	b := NewBroker(8, 200)
	if got := b.LastID(); got != 0 {
		t.Fatalf("LastID() before any message = %d, want 0", got)
	}
	subs := make([]*Subscription, 3)
	for i := range subs {
		subs[i], _, _ = b.Subscribe(0)
	}
	const n = 150
	for i := 1; i <= n; i++ {
		id, err := b.Publish("tick", i)
		if err != nil || id != uint64(i) {
			t.Fatalf("Publish #%d = %d, %v; want id %d", i, id, err, i)
		}
		if got := b.LastID(); got != id {
			t.Fatalf("LastID() = %d after publishing %d", got, id)
		}
	}
	for si, s := range subs {
		for i := 1; i <= n; i++ {
			m := receive(t, s)
			if want := wire(uint64(i), "tick", strconv.Itoa(i)); m.ID != uint64(i) || string(m.Data) != want {
				t.Fatalf("subscriber %d, message %d: got {%d %q}, want %q", si, i, m.ID, m.Data, want)
			}
		}
		wantNothing(t, s)
	}
}

func TestPublishEncodeError(t *testing.T) {
	t.Parallel()
	b := NewBroker(8, 8)
	s, _, _ := b.Subscribe(0)
	if _, err := b.Publish("a", 1); err != nil {
		t.Fatal(err)
	}
	if id, err := b.Publish("bad", make(chan int)); err == nil {
		t.Fatalf("Publish of a channel = id %d, want an error", id)
	}
	if got := b.LastID(); got != 1 {
		t.Errorf("LastID() = %d after a failed publish, want 1", got)
	}
	if id, err := b.Publish("b", 2); err != nil || id != 2 {
		t.Errorf("Publish after a failed one = %d, %v; want 2, nil (no gap in IDs)", id, err)
	}
	if m := receive(t, s); m.ID != 1 {
		t.Errorf("first message %d, want 1", m.ID)
	}
	if m := receive(t, s); m.ID != 2 || m.Type != "b" {
		t.Errorf("second message {%d %q}, want {2 b}", m.ID, m.Type)
	}
	wantNothing(t, s)
}

func TestSubscribeCatchUp(t *testing.T) {
	t.Parallel()
	const history = 5
	tests := []struct {
		name        string
		published   int
		lastID      uint64
		first, last uint64 // the backlog's IDs; 0, 0 for none
		complete    bool
	}{
		{name: "fresh client", published: 8, lastID: 0, complete: true},
		{name: "up to date", published: 8, lastID: 8, complete: true},
		{name: "missed two", published: 8, lastID: 6, first: 7, last: 8, complete: true},
		{name: "missed exactly the history", published: 8, lastID: 3, first: 4, last: 8, complete: true},
		{name: "missed one more than kept", published: 8, lastID: 2, first: 4, last: 8, complete: false},
		{name: "missed nearly all", published: 8, lastID: 1, first: 4, last: 8, complete: false},
		{name: "ring not yet full", published: 3, lastID: 1, first: 2, last: 3, complete: true},
		{name: "ring just full", published: 5, lastID: 1, first: 2, last: 5, complete: true},
		{name: "long after", published: 100, lastID: 50, first: 96, last: 100, complete: false},
		{name: "previous run, next id", published: 8, lastID: 9, complete: false},
		{name: "previous run, far ahead", published: 8, lastID: 100000, complete: false},
		{name: "previous run, nothing published yet", published: 0, lastID: 1, complete: false},
		{name: "nothing published, fresh", published: 0, lastID: 0, complete: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := NewBroker(history, 4)
			for i := 1; i <= tt.published; i++ {
				if _, err := b.Publish("n", i); err != nil {
					t.Fatal(err)
				}
			}
			s, backlog, complete := b.Subscribe(tt.lastID)
			defer s.Close()
			if complete != tt.complete {
				t.Errorf("Subscribe(%d) after %d: complete = %v, want %v", tt.lastID, tt.published, complete, tt.complete)
			}
			var ids []uint64
			for _, m := range backlog {
				ids = append(ids, m.ID)
			}
			var want []uint64
			for id := tt.first; tt.first > 0 && id <= tt.last; id++ {
				want = append(want, id)
			}
			if fmt.Sprint(ids) != fmt.Sprint(want) {
				t.Fatalf("Subscribe(%d) after %d: backlog %v, want %v", tt.lastID, tt.published, ids, want)
			}
			for _, m := range backlog {
				if want := wire(m.ID, "n", strconv.FormatUint(m.ID, 10)); string(m.Data) != want || m.Type != "n" {
					t.Errorf("backlog message %d = %q, want %q", m.ID, m.Data, want)
				}
			}
			// Live messages follow without a gap.
			wantNothing(t, s)
			id, _ := b.Publish("n", tt.published+1)
			if m := receive(t, s); m.ID != id || id != uint64(tt.published+1) {
				t.Errorf("first live message %d (published as %d), want %d", m.ID, id, tt.published+1)
			}
		})
	}
}

func TestSlowSubscriberDropped(t *testing.T) {
	t.Parallel()
	const buffer = 4
	b := NewBroker(16, buffer)
	slow, _, _ := b.Subscribe(0)
	fast, _, _ := b.Subscribe(0)
	defer fast.Close()
	for i := 1; i <= 50; i++ {
		id, err := b.Publish("n", i)
		if err != nil {
			t.Fatal(err)
		}
		if m := receive(t, fast); m.ID != id {
			t.Fatalf("fast subscriber got %d, want %d", m.ID, id)
		}
		switch {
		case i <= buffer && dropped(slow):
			t.Fatalf("slow subscriber dropped after %d messages with a buffer of %d", i, buffer)
		case i > buffer && !dropped(slow):
			t.Fatalf("slow subscriber not dropped after %d messages with a buffer of %d", i, buffer)
		}
		wantSubs := 2
		if i > buffer {
			wantSubs = 1
		}
		if n := b.Subscribers(); n != wantSubs {
			t.Fatalf("after %d messages: Subscribers() = %d, want %d", i, n, wantSubs)
		}
	}
	// The slow one keeps what fitted, in order, and nothing after.
	for i := 1; i <= buffer; i++ {
		if m := receive(t, slow); m.ID != uint64(i) {
			t.Errorf("slow subscriber's message %d has ID %d", i, m.ID)
		}
	}
	wantNothing(t, slow)
	slow.Close() // closing a dropped subscription is harmless
	if n := b.Subscribers(); n != 1 {
		t.Errorf("Subscribers() = %d after closing the dropped one, want 1", n)
	}
}

// TestPublishNeverBlocks: subscribers that never read cannot stall the
// publisher, however many messages it sends.
func TestPublishNeverBlocks(t *testing.T) {
	t.Parallel()
	b := NewBroker(4, 1)
	subs := make([]*Subscription, 10)
	for i := range subs {
		subs[i], _, _ = b.Subscribe(0)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			b.Publish("n", i)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Publish blocked on subscribers that do not read")
	}
	for i, s := range subs {
		if !dropped(s) {
			t.Errorf("subscriber %d not dropped", i)
		}
	}
	if n := b.Subscribers(); n != 0 {
		t.Errorf("Subscribers() = %d, want 0", n)
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	b := NewBroker(8, 8)
	if n := b.Subscribers(); n != 0 {
		t.Fatalf("Subscribers() = %d on a new broker", n)
	}
	a, _, _ := b.Subscribe(0)
	c, _, _ := b.Subscribe(0)
	d, _, _ := b.Subscribe(0)
	if n := b.Subscribers(); n != 3 {
		t.Fatalf("Subscribers() = %d, want 3", n)
	}
	c.Close()
	if n := b.Subscribers(); n != 2 {
		t.Fatalf("Subscribers() = %d after one Close, want 2", n)
	}
	c.Close()
	if n := b.Subscribers(); n != 2 {
		t.Fatalf("Subscribers() = %d after closing twice, want 2", n)
	}
	if _, err := b.Publish("n", 1); err != nil {
		t.Fatal(err)
	}
	receive(t, a)
	receive(t, d)
	wantNothing(t, c)
	if dropped(c) {
		t.Error("a closed subscription reads as dropped")
	}
	a.Close()
	d.Close()
	if n := b.Subscribers(); n != 0 {
		t.Errorf("Subscribers() = %d after closing all, want 0", n)
	}
}

// TestConcurrent runs publishers, subscribers that join part-way (with
// and without Last-Event-ID) and churning subscriptions together; run it
// with -race. Each subscriber must see an unbroken run of IDs up to the
// last message, and each publisher's messages in the order it sent them.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	const (
		publishers = 4
		perPub     = 300
		total      = publishers * perPub
		readers    = 6
	)
	b := NewBroker(total+1, total+1) // nothing forgotten, nobody dropped
	type payload struct{ Pub, Seq int }

	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, readers+publishers)
	for p := range publishers {
		wg.Go(func() {
			<-start
			for seq := range perPub {
				if _, err := b.Publish("p", payload{p, seq}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	results := make([][]Message, readers)
	lastIDs := make([]uint64, readers)
	var rwg sync.WaitGroup
	for r := range readers {
		rwg.Go(func() {
			<-start
			if r%2 == 1 {
				lastIDs[r] = b.LastID() // reconnecting: catch up from here
			}
			s, backlog, complete := b.Subscribe(lastIDs[r])
			defer s.Close()
			if !complete {
				errs <- fmt.Errorf("reader %d: Subscribe(%d) incomplete", r, lastIDs[r])
				return
			}
			got := append([]Message(nil), backlog...)
			for {
				select {
				case m := <-s.C:
					got = append(got, m)
					if m.Type == "end" {
						results[r] = got
						return
					}
				case <-s.Dropped:
					errs <- fmt.Errorf("reader %d dropped", r)
					return
				}
			}
		})
	}
	churn := make(chan struct{})
	var cwg sync.WaitGroup
	cwg.Go(func() {
		for {
			select {
			case <-churn:
				return
			default:
			}
			s, _, _ := b.Subscribe(b.LastID())
			_ = b.Subscribers()
			s.Close()
		}
	})
	close(start)
	wg.Wait()
	close(churn)
	cwg.Wait()
	// The readers cannot finish before "end": once Subscribers counts
	// them all, they are all listening.
	deadline := time.Now().Add(30 * time.Second)
	for b.Subscribers() < readers && len(errs) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d readers subscribed", b.Subscribers(), readers)
		}
		time.Sleep(time.Millisecond)
	}
	endID, err := b.Publish("end", nil)
	if err != nil {
		t.Fatal(err)
	}
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if endID != total+1 {
		t.Errorf("end message has ID %d, want %d", endID, total+1)
	}
	for r, got := range results {
		if len(got) == 0 || got[len(got)-1].ID != endID {
			t.Errorf("reader %d did not end with message %d", r, endID)
			continue
		}
		if lastIDs[r] > 0 && got[0].ID != lastIDs[r]+1 {
			t.Errorf("reader %d reconnected after %d but resumed at %d", r, lastIDs[r], got[0].ID)
		}
		next := map[int]int{} // publisher -> lowest sequence number still to come
		for i, m := range got {
			if i > 0 && m.ID != got[i-1].ID+1 {
				t.Errorf("reader %d: message %d follows %d", r, m.ID, got[i-1].ID)
				break
			}
			if m.Type != "p" {
				continue
			}
			data, ok := strings.CutPrefix(string(m.Data), strings.TrimSuffix(wire(m.ID, "p", ""), "\n\n"))
			data, ok2 := strings.CutSuffix(data, "\n\n")
			var pl payload
			if !ok || !ok2 || json.Unmarshal([]byte(data), &pl) != nil {
				t.Fatalf("reader %d: bad message %q", r, m.Data)
			}
			if pl.Seq < next[pl.Pub] {
				t.Errorf("reader %d: publisher %d's message %d after %d", r, pl.Pub, pl.Seq, next[pl.Pub]-1)
			}
			next[pl.Pub] = pl.Seq + 1
		}
	}
}

// BenchmarkPublish measures Publish to 200 subscribers that drain their
// channels. Every 256 messages it waits until all subscribers have read
// everything, so that none falls behind and is dropped (which would make
// later publishes cheaper): ns/op is the cost of a message delivered to
// all 200.
func BenchmarkPublish(b *testing.B) {
	const (
		subscribers = 200
		batch       = 256 // under the subscribers' buffer
	)
	br := NewBroker(4096, 1024)
	synced := make(chan struct{}, subscribers)
	dropped := make(chan struct{}, subscribers)
	var running sync.WaitGroup
	subs := make([]*Subscription, subscribers)
	for i := range subs {
		subs[i], _, _ = br.Subscribe(0)
		s := subs[i]
		running.Go(func() {
			for {
				select {
				case m := <-s.C:
					switch m.Type {
					case "sync":
						synced <- struct{}{}
					case "stop":
						return
					}
				case <-s.Dropped:
					dropped <- struct{}{}
					return
				}
			}
		})
	}
	v := struct {
		Number string `json:"number"`
		Window string `json:"window"`
		Queue  string `json:"queue"`
	}{"A042", "7", "A"}
	n := 0
	for b.Loop() {
		n++
		typ := "ticket.called"
		if n%batch == 0 {
			typ = "sync"
		}
		if _, err := br.Publish(typ, v); err != nil {
			b.Fatal(err)
		}
		if typ == "sync" {
			for range subscribers {
				select {
				case <-synced:
				case <-dropped:
					b.Fatal("a draining subscriber was dropped")
				}
			}
		}
	}
	br.Publish("stop", nil)
	running.Wait()
	for _, s := range subs {
		s.Close()
	}
	if len(dropped) > 0 {
		b.Fatalf("%d subscribers dropped", len(dropped))
	}
}

// TestReconnectAcrossRestart: a client that reconnects with an ID from
// before the server restarted (IDs of a run start above every earlier
// run's) is told its view is incomplete and gets the new run's events.
func TestReconnectAcrossRestart(t *testing.T) {
	b := NewBrokerAt(16, 8, 1_000_000)
	for i := 0; i < 3; i++ {
		if _, err := b.Publish("ticket.called", map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	sub, backlog, complete := b.Subscribe(50) // an ID from the previous run
	defer sub.Close()
	if complete || len(backlog) != 3 || backlog[0].ID != 1_000_000 {
		t.Fatalf("complete=%v backlog=%d first=%v; want incomplete with the 3 new events", complete, len(backlog), backlog)
	}
	if b.LastID() != 1_000_002 {
		t.Fatalf("LastID = %d", b.LastID())
	}
}
