package hallserver

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

// eventDeadline bounds every wait for a live event. It is generous: the
// tests wait for something to happen, they do not time it.
const eventDeadline = 5 * time.Second

// sseEvent is one dispatched Server-Sent Event.
type sseEvent struct {
	ID   uint64
	Type string
	Data string
}

// sseStream is an open /api/v1/events subscription read by a goroutine.
type sseStream struct {
	header http.Header
	retry  chan string // the retry field, once
	events chan sseEvent
	seen   []sseEvent // every event next has returned or skipped, in order
}

// subscribe opens the event stream, with Last-Event-ID when lastID is set.
// The stream is closed when the test ends.
func (h *testHall) subscribe(t *testing.T, lastID string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req := h.request(t, ctx, anonymous, "GET", "/api/v1/events", "")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := h.ts.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("subscribe: %v", err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		res.Body.Close()
		t.Fatalf("subscribe: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &sseStream{header: res.Header, retry: make(chan string, 1), events: make(chan sseEvent, 4096)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if ev.Type != "" || len(data) > 0 {
					ev.Data = strings.Join(data, "\n")
					s.events <- ev
				}
				ev, data = sseEvent{}, nil
				continue
			}
			if strings.HasPrefix(line, ":") {
				continue // comment (keep-alive ping)
			}
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				ev.ID, _ = strconv.ParseUint(value, 10, 64)
			case "event":
				ev.Type = value
			case "data":
				data = append(data, value)
			case "retry":
				select {
				case s.retry <- value:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		res.Body.Close()
		<-done
	})
	return s
}

// next returns the next event that match accepts, skipping others; it
// fails the test if none comes within eventDeadline.
func (s *sseStream) next(t *testing.T, what string, match func(sseEvent) bool) sseEvent {
	t.Helper()
	deadline := time.NewTimer(eventDeadline)
	defer deadline.Stop()
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("event stream ended while waiting for %s", what)
			}
			s.seen = append(s.seen, ev)
			if match(ev) {
				return ev
			}
		case <-deadline.C:
			t.Fatalf("waited %v for %s in vain; saw %+v", eventDeadline, what, s.seen)
		}
	}
}

// ofType matches events of the type whose data decode into v and pass check.
func ofType[T any](typ string, check func(T) bool) func(sseEvent) bool {
	return func(ev sseEvent) bool {
		if ev.Type != typ {
			return false
		}
		var v T
		if err := json.Unmarshal([]byte(ev.Data), &v); err != nil {
			return false
		}
		return check(v)
	}
}

func calledEvent(number, window string) func(sseEvent) bool {
	return ofType("ticket.called", func(e store.Event) bool { return e.Number == number && e.Window == window })
}

func TestEvents(t *testing.T) {
	t.Parallel()
	h := newTestHall(t, true)
	live := h.subscribe(t, "")
	if h.srv.broker.Subscribers() != 1 {
		t.Errorf("%d subscribers, want 1", h.srv.broker.Subscribers())
	}
	select {
	case r := <-live.retry:
		if r != "2000" {
			t.Errorf("retry %q, want 2000", r)
		}
	case <-time.After(eventDeadline):
		t.Error("the stream does not open with a retry field")
	}
	if cc := live.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}

	counter := h.as(auth.Counter)
	h.call(t, counter, "POST", "/api/v1/windows/1/open", "", http.StatusNoContent, nil)
	live.next(t, "window.changed for window 1", ofType("window.changed", func(e store.Event) bool {
		return e.Window == "1" && e.State == "open"
	}))

	it := h.issue(t, "A")
	live.next(t, "queue.changed with A waiting 1", ofType("queue.changed", func(q QueueChanged) bool {
		return q.Queue == "A" && q.Waiting == 1
	}))

	h.call(t, counter, "POST", "/api/v1/windows/1/call-next", "", http.StatusOK, nil)
	called := live.next(t, "ticket.called A001 at window 1", calledEvent("A001", "1"))
	if strings.Contains(called.Data, it.Token) {
		t.Errorf("the public event carries the ticket's token: %s", called.Data)
	}
	var ce store.Event
	json.Unmarshal([]byte(called.Data), &ce)
	if ce.Queue != "A" || ce.State != "called" || ce.Day != "2026-03-02" {
		t.Errorf("ticket.called data %+v", ce)
	}
	live.next(t, "queue.changed with A waiting 0", ofType("queue.changed", func(q QueueChanged) bool {
		return q.Queue == "A" && q.Waiting == 0
	}))
	for _, ev := range live.seen {
		if ev.Type == store.EventTicketIssued {
			t.Errorf("issues reach the stream one by one: %+v", ev)
		}
	}

	h.call(t, counter, "POST", "/api/v1/windows/1/recall", "", http.StatusOK, nil)
	recalled := live.next(t, "ticket.recalled A001", ofType("ticket.recalled", func(e store.Event) bool { return e.Number == "A001" }))

	t.Run("reconnecting with Last-Event-ID replays only what came after", func(t *testing.T) {
		again := h.subscribe(t, strconv.FormatUint(called.ID, 10))
		again.next(t, "the replay of ticket.recalled", func(ev sseEvent) bool { return ev.ID == recalled.ID })
		prev := called.ID
		for _, ev := range again.seen {
			if ev.ID != prev+1 {
				t.Errorf("replay after %d: got id %d after %d, want every id in order", called.ID, ev.ID, prev)
			}
			prev = ev.ID
			if ev.Type == "ticket.called" || ev.Type == "window.changed" || ev.Type == "reset" {
				t.Errorf("replay after %d brought an earlier or needless event: %+v", called.ID, ev)
			}
		}
		// And then it goes on live.
		h.call(t, counter, "POST", "/api/v1/windows/1/start", "", http.StatusOK, nil)
		again.next(t, "ticket.changed to serving", ofType("ticket.changed", func(e store.Event) bool {
			return e.Number == "A001" && e.State == "serving"
		}))
	})

	t.Run("an ID from an earlier run asks the client to reload", func(t *testing.T) {
		stale := h.subscribe(t, "999999")
		ev := stale.next(t, "any event", func(sseEvent) bool { return true })
		if ev.Type != "reset" {
			t.Errorf("first event %+v, want reset", ev)
		}
	})

	t.Run("the display names the ID to follow from", func(t *testing.T) {
		var d api.Display
		h.call(t, anonymous, "GET", "/api/v1/display", "", http.StatusOK, &d)
		follow := h.subscribe(t, strconv.FormatUint(d.LastID, 10))
		h.call(t, h.as(auth.Supervisor), "POST", "/api/v1/windows/2/open", "", http.StatusNoContent, nil)
		ev := follow.next(t, "window.changed for window 2", ofType("window.changed", func(e store.Event) bool { return e.Window == "2" }))
		for _, seen := range follow.seen {
			if seen.ID <= d.LastID {
				t.Errorf("event %+v is not after the display's last_event_id %d", seen, d.LastID)
			}
		}
		if ev.ID <= recalled.ID {
			t.Errorf("ids do not grow: %d after %d", ev.ID, recalled.ID)
		}
	})

	t.Run("settings changes are announced", func(t *testing.T) {
		h.call(t, h.as(auth.Supervisor), "PUT", "/api/v1/settings",
			`{"policy":"interleave:3","no_show_after_recalls":0,"default_service_seconds":240}`, http.StatusOK, nil)
		live.next(t, "settings.changed", func(ev sseEvent) bool { return ev.Type == "settings.changed" })
	})
}

// httptestRecorder serves one request without a network.
func httptestRecorder(s *Server, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}
