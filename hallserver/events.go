package hallserver

import (
	"net/http"
	"strconv"
	"time"

	"onestop/hallserver/auth"
)

// MaxStreams caps open event streams: display boards, consoles and phone
// pages of one hall stay far below it; beyond it a flood of connections
// would only cost memory.
const MaxStreams = 5000

// flushDelay is how long an event stream waits after an event for others
// to send with it. It bounds the latency it adds.
const flushDelay = 5 * time.Millisecond

// events streams the hall's live events as Server-Sent Events. A client
// reconnecting with Last-Event-ID gets what it missed; when that is no
// longer kept, it gets a "reset" event and should reload its state.
func (s *Server) events(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, codeInternal, "streaming unsupported")
		return
	}
	if s.broker.Subscribers() >= MaxStreams {
		w.Header().Set("Retry-After", "30")
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "too many live connections: try again shortly")
		return
	}
	var last uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		last, _ = strconv.ParseUint(v, 10, 64)
	}
	sub, backlog, complete := s.broker.Subscribe(last)
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// Ask browsers to retry quickly after a network loss.
	w.Write([]byte("retry: 2000\n\n"))
	if !complete {
		w.Write([]byte("event: reset\ndata: {}\n\n"))
	}
	for _, m := range backlog {
		w.Write(m.Data)
	}
	flusher.Flush()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.Dropped:
			return // fell behind: the client reconnects with Last-Event-ID
		case <-s.streamsDone:
			return // the server is shutting down
		case <-ping.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return
			}
			flusher.Flush()
		case m := <-sub.C:
			if _, err := w.Write(m.Data); err != nil {
				return
			}
			// Gather what else arrives within a few milliseconds and send it
			// in one write: in a busy hall, hundreds of open streams times
			// every event would otherwise be a system call each.
			gather := time.NewTimer(flushDelay)
			for more := true; more; {
				select {
				case m := <-sub.C:
					if _, err := w.Write(m.Data); err != nil {
						gather.Stop()
						return
					}
				case <-gather.C:
					more = false
				case <-r.Context().Done():
					gather.Stop()
					return
				}
			}
			flusher.Flush()
		}
	}
}
