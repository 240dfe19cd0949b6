package hallserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"onestop/hallserver/auth"
	"onestop/hallserver/live"
	"onestop/hallserver/pii"
	"onestop/hallserver/store"
	"onestop/hallserver/workday"
)

// Config is what a Server needs besides its store.
type Config struct {
	// SessionIdle ends a staff session after this long without a request;
	// 2 h when zero. SessionMax ends it regardless; 12 h when zero.
	SessionIdle, SessionMax time.Duration
	// EnrollmentTTL is how long a kiosk enrollment code stays valid; 24 h when zero.
	EnrollmentTTL time.Duration
	// Logger; slog.Default() when nil.
	Logger *slog.Logger
	// Registry for metrics; a fresh one when nil.
	Registry *prometheus.Registry
	// SecureCookies marks the session cookie Secure (set behind TLS).
	SecureCookies bool
	// Vault hashes, seals and masks applicants' ID numbers. When nil, a
	// vault with a throw-away key is made: fine for tests, never for a
	// hall (cmd/hallserver opens the one in the data directory).
	Vault *pii.Vault
	// Calendar, when set, is the working-day calendar to count with. When
	// nil the hall's own is used: the embedded one with the years imported
	// by hallctl calendar import, looked up again every minute.
	Calendar *workday.Calendar
	// Keys are the hall's certificate signing keys (certkeys.Keyring on
	// the data directory). Without them no certificate can be issued.
	Keys store.KeySource
	// Province is the link to the provincial exchange, for the API and
	// the metrics to show. Nil when the hall runs without a province
	// (state not_configured): the outbox still fills and is still shown.
	Province ProvinceLink
}

// Server serves the hall's HTTP API. Create it with New; it publishes the
// store's events, so the store must be opened with Server.Notify.
type Server struct {
	st     *store.Store
	cfg    Config
	log    *slog.Logger
	broker *live.Broker
	// Failed logins are limited per username and address (5 in 15
	// minutes: guessing one account from one place), per username (30: a
	// spread-out attack, while nobody elsewhere can lock the owner out with
	// five tries) and per address (20: spraying many accounts; a shared
	// counter PC's typos do not lock everyone out). Wrong enrollment codes:
	// 5 per address.
	pairLimiter, userLimiter, addrLimiter, enrollLimiter *auth.LoginLimiter
	hashSlots                                            chan struct{} // see withHashSlot
	kiosks                                               kioskCache
	routes                                               []route
	handler                                              http.Handler
	metrics                                              *metrics
	now                                                  func() time.Time
	dirty                                                chan string
	stopOnce                                             sync.Once
	// streamsDone is closed when the server shuts down: event streams end.
	streamsDone chan struct{}
	streamsOnce sync.Once
	// The hall's working-day calendar, reloaded once a minute (calendar.go).
	calMu   sync.Mutex
	cal     *workday.Calendar
	calAt   time.Time
	stop    chan struct{}
	stopped chan struct{}
}

// Hub carries the store's committed events to the live stream. Create it
// first, open the store with Options.Notify = hub.Notify, then pass both
// to New.
type Hub struct {
	broker *live.Broker
	dirty  chan string // queues whose waiting count changed
}

// NewHub returns a hub keeping 4096 events for catch-up.
func NewHub() *Hub {
	// IDs start from the clock (ms × 1000), above every ID of earlier runs.
	first := uint64(time.Now().UnixMilli()) * 1000
	return &Hub{broker: live.NewBrokerAt(4096, 1024, first), dirty: make(chan string, 1024)}
}

// Notify is the store's commit hook: it publishes each committed event and
// notes the queues whose lines changed. It never blocks.
func (h *Hub) Notify(events []store.Event) {
	for _, e := range events {
		// Issues are many and say nothing a display needs one by one:
		// they reach pages as coalesced queue.changed events.
		if e.Type != store.EventTicketIssued {
			h.broker.Publish(e.Type, e)
		}
		h.markDirty(e.Queue)
		if e.FromQueue != e.Queue {
			h.markDirty(e.FromQueue)
		}
	}
}

func (h *Hub) markDirty(q string) {
	if q == "" {
		return
	}
	select {
	case h.dirty <- q:
	default: // full: a flush is due anyway
	}
}

// New builds a server over st publishing through hub.
func New(st *store.Store, hub *Hub, cfg Config) *Server {
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 2 * time.Hour
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = 12 * time.Hour
	}
	if cfg.EnrollmentTTL == 0 {
		cfg.EnrollmentTTL = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Vault == nil {
		secret := make([]byte, 32)
		rand.Read(secret)
		cfg.Vault, _ = pii.NewVault(secret)
	}
	s := &Server{
		st: st, cfg: cfg, log: cfg.Logger, broker: hub.broker, dirty: hub.dirty,
		pairLimiter:   auth.NewLoginLimiter(5, 15*time.Minute),
		userLimiter:   auth.NewLoginLimiter(30, 15*time.Minute),
		addrLimiter:   auth.NewLoginLimiter(20, 15*time.Minute),
		enrollLimiter: auth.NewLoginLimiter(5, 15*time.Minute),
		hashSlots:     make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		now:           st.Now,
		stop:          make(chan struct{}),
		stopped:       make(chan struct{}),
		streamsDone:   make(chan struct{}),
	}
	s.metrics = newMetrics(cfg.Registry, s)
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	go s.coalesceQueueChanges()
	return s
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the server's background work (not the store).
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.stopped
}

// QueueChanged is the payload of a queue.changed event.
type QueueChanged struct {
	Queue   string `json:"queue"`
	Waiting int    `json:"waiting"`
}

// coalesceQueueChanges publishes at most four queue.changed events a
// second per queue, with its current waiting count.
func (s *Server) coalesceQueueChanges() {
	defer close(s.stopped)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	pending := map[string]bool{}
	for {
		select {
		case <-s.stop:
			return
		case q := <-s.dirty:
			pending[q] = true
		case <-tick.C:
			if len(pending) == 0 {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			counts, err := s.st.WaitingCounts(ctx)
			cancel()
			if err != nil {
				s.log.Warn("queue counts for live update", "err", err)
				continue
			}
			for q := range pending {
				s.broker.Publish("queue.changed", QueueChanged{Queue: q, Waiting: counts[q]})
				delete(pending, q)
			}
		}
	}
}

// Serve serves the API on ln until ctx is cancelled, then shuts down
// gracefully: it stops accepting connections, ends the live event streams
// (clients reconnect to wherever the hall comes back), and lets requests in
// flight finish for up to grace before cutting them off. A ticket being
// issued at SIGTERM is therefore still issued and acknowledged.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	reqs, cutOff := context.WithCancel(context.Background())
	defer cutOff()
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		BaseContext: func(net.Listener) context.Context { return reqs }}
	srv.RegisterOnShutdown(s.endStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("hallserver: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		cutOff()
		srv.Close()
		return fmt.Errorf("hallserver: shutdown: requests still running after %s were cut off: %w", grace, err)
	}
	return nil
}

// endStreams tells every live event stream to end.
func (s *Server) endStreams() { s.streamsOnce.Do(func() { close(s.streamsDone) }) }
