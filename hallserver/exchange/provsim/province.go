package provsim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"onestop/hallserver/catalogue"
	"onestop/hallserver/exchange"
)

// KeyFile is the province's Ed25519 private key seed inside the data
// directory: 32 raw bytes, mode 0600, made on first open.
const KeyFile = "province.key"

// MinKeyRetention is the shortest time event keys may be kept: a hall
// offline for a month must still be deduplicated by key.
const MinKeyRetention = 30 * 24 * time.Hour

// DefaultKeyRetention is how long event keys are kept when
// Options.KeyRetention is zero.
const DefaultKeyRetention = 35 * 24 * time.Hour

// Sentinel errors callers branch on.
var (
	ErrNotFound = errors.New("provsim: not found")
	ErrInvalid  = errors.New("provsim: invalid")
)

// Hall is one hall's credentials at the province.
type Hall struct {
	Code   string // hall code, e.g. "520000-ZWFW" (2–32 of A–Z, 0–9 and '-')
	Name   string
	Secret []byte // the shared HMAC secret, at least exchange.MinSecretBytes
}

// Options configure Open.
type Options struct {
	// Dir is the data directory: province.db (SQLite) and province.key
	// (the Ed25519 seed that signs trust documents, 0600, made on first
	// open). Created with mode 0700 if missing.
	Dir string
	// Halls are registered (or updated) at Open.
	Halls []Hall
	// Faults are the faults injected from the start.
	Faults Faults
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives what happens; nothing is logged when nil.
	Logger *slog.Logger
	// Catalogue is the first catalogue version when the store is new;
	// catalogue.Seed() when nil.
	Catalogue *catalogue.Catalogue
	// KeyRetention is how long event and batch idempotency keys are kept;
	// DefaultKeyRetention when zero, at least MinKeyRetention.
	KeyRetention time.Duration
	// Seed makes the fault randomness repeatable; random when zero.
	Seed int64
	// AdminToken, when set, is the bearer token /admin routes require;
	// when empty they answer loopback clients only.
	AdminToken string
}

// Province is the simulated provincial exchange. It is safe for
// concurrent use.
type Province struct {
	dir        string
	now        func() time.Time
	log        *slog.Logger
	wdb, rdb   *sql.DB
	wmu        sync.Mutex // one write transaction at a time
	st         *statements
	key        ed25519.PrivateKey
	retention  time.Duration
	adminToken string
	faults     *faultState
	counts     *memCounters

	hallsMu sync.RWMutex
	halls   map[string]Hall

	// guarded by wmu: when the idempotency keys and nonces were last pruned.
	lastKeyPrune, lastNoncePrune time.Time

	closeOnce sync.Once
	closed    chan struct{}
	routes    []route
	handler   http.Handler
}

// Open opens (creating if needed) the province's store in opts.Dir,
// registers opts.Halls and starts with opts.Faults.
func Open(opts Options) (*Province, error) {
	if opts.Dir == "" {
		return nil, errors.New("provsim: no data directory: set Options.Dir")
	}
	retention := opts.KeyRetention
	if retention == 0 {
		retention = DefaultKeyRetention
	}
	if retention < MinKeyRetention {
		return nil, fmt.Errorf("provsim: key retention %s is shorter than %s: a hall offline that long would be applied twice", retention, MinKeyRetention)
	}
	if err := opts.Faults.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("provsim: create data directory %s: %w", opts.Dir, err)
	}
	key, err := loadKey(filepath.Join(opts.Dir, KeyFile))
	if err != nil {
		return nil, err
	}
	p := &Province{
		dir:        opts.Dir,
		now:        opts.Now,
		log:        opts.Logger,
		key:        key,
		retention:  retention,
		adminToken: opts.AdminToken,
		faults:     newFaultState(opts.Faults, opts.Seed),
		counts:     newMemCounters(),
		halls:      map[string]Hall{},
		closed:     make(chan struct{}),
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := p.openDB(opts.Catalogue); err != nil {
		return nil, err
	}
	for _, h := range opts.Halls {
		if err := p.AddHall(context.Background(), h); err != nil {
			p.Close()
			return nil, err
		}
	}
	p.routes = p.routeTable()
	p.handler = p.mux()
	return p, nil
}

func (p *Province) openDB(first *catalogue.Catalogue) error {
	ctx := context.Background()
	path := filepath.Join(p.dir, FileName)
	wdb, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return fmt.Errorf("provsim: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := wdb.PingContext(ctx); err != nil {
		wdb.Close()
		return fmt.Errorf("provsim: open %s: %w", path, err)
	}
	if err := migrate(ctx, wdb); err != nil {
		wdb.Close()
		return err
	}
	rdb, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		wdb.Close()
		return fmt.Errorf("provsim: open read pool %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(4)
	rdb.SetMaxIdleConns(4)
	p.wdb, p.rdb = wdb, rdb
	if p.st, err = prepare(ctx, wdb); err != nil {
		p.closeDB()
		return err
	}
	if err := p.initState(ctx, first); err != nil {
		p.closeDB()
		return err
	}
	if err := p.loadHalls(ctx); err != nil {
		p.closeDB()
		return err
	}
	return nil
}

// initState writes catalogue version 1 and trust version 1 into a new
// store.
func (p *Province) initState(ctx context.Context, first *catalogue.Catalogue) error {
	return p.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM catalogues").Scan(&n); err != nil {
			return fmt.Errorf("provsim: read catalogues: %w", err)
		}
		if n == 0 {
			c := first
			if c == nil {
				var err error
				if c, err = catalogue.Seed(); err != nil {
					return fmt.Errorf("provsim: the seed catalogue: %w", err)
				}
			}
			if _, err := insertCatalogue(tx, c, p.now()); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("INSERT OR IGNORE INTO trust(version, changed_at) VALUES (1, ?)", ms(p.now())); err != nil {
			return fmt.Errorf("provsim: first trust version: %w", err)
		}
		return nil
	})
}

func (p *Province) loadHalls(ctx context.Context) error {
	rows, err := p.rdb.QueryContext(ctx, "SELECT code, name, secret FROM halls")
	if err != nil {
		return fmt.Errorf("provsim: read halls: %w", err)
	}
	defer rows.Close()
	p.hallsMu.Lock()
	defer p.hallsMu.Unlock()
	for rows.Next() {
		var h Hall
		if err := rows.Scan(&h.Code, &h.Name, &h.Secret); err != nil {
			return fmt.Errorf("provsim: read halls: %w", err)
		}
		p.halls[h.Code] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("provsim: read halls: %w", err)
	}
	return nil
}

// loadKey reads the province's key seed from path, making it the first
// time. A key file others can read is refused.
func loadKey(path string) (ed25519.PrivateKey, error) {
	seed, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		seed = make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, fmt.Errorf("provsim: make the province key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("provsim: create %s: %w", path, err)
		}
		_, werr := f.Write(seed)
		serr := f.Sync()
		cerr := f.Close()
		if err := errors.Join(werr, serr, cerr); err != nil {
			return nil, fmt.Errorf("provsim: write %s: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("provsim: read %s: %w", path, err)
	default:
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("provsim: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("provsim: %s can be read by others (mode %o): run chmod 600 %s", path, st.Mode().Perm(), path)
		}
		if len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("provsim: %s holds %d bytes, not a %d-byte Ed25519 seed: restore it from a backup (halls pin its public key)", path, len(seed), ed25519.SeedSize)
		}
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Close releases requests held by faults and closes the store. Serve no
// more requests through Handler after Close.
func (p *Province) Close() error {
	var err error
	p.closeOnce.Do(func() {
		close(p.closed)
		p.wmu.Lock()
		defer p.wmu.Unlock()
		err = p.closeDB()
	})
	return err
}

func (p *Province) closeDB() error {
	var errs []error
	if p.st != nil {
		errs = append(errs, p.st.close())
	}
	if p.rdb != nil {
		errs = append(errs, p.rdb.Close())
	}
	if p.wdb != nil {
		errs = append(errs, p.wdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("provsim: close: %w", err)
	}
	return nil
}

// Dir is the data directory.
func (p *Province) Dir() string { return p.dir }

// PublicKey is the province's Ed25519 public key: halls pin it to check
// trust documents.
func (p *Province) PublicKey() ed25519.PublicKey { return p.key.Public().(ed25519.PublicKey) }

// SetFaults replaces the faults in force; requests held in a black hole
// go on when it is turned off. Invalid faults are ignored and logged (use
// Faults.Validate first).
func (p *Province) SetFaults(f Faults) {
	if err := f.Validate(); err != nil {
		p.log.Error("provsim: faults not changed", "err", err)
		return
	}
	p.faults.set(f)
	p.log.Info("provsim: faults", "faults", f)
}

// Faults returns the faults in force.
func (p *Province) Faults() Faults {
	f, _ := p.faults.get()
	return f
}

// AddHall registers a hall, or updates the name and secret of one.
func (p *Province) AddHall(ctx context.Context, h Hall) error {
	if !isHallCode(h.Code) {
		return fmt.Errorf("%w: hall code %q: use 2–32 of A–Z, 0–9 and '-' (not first), e.g. 520000-ZWFW", ErrInvalid, h.Code)
	}
	if len(h.Secret) < exchange.MinSecretBytes {
		return fmt.Errorf("%w: the secret of hall %s has %d bytes; it needs at least %d (make one with: head -c 32 /dev/urandom | base64)", ErrInvalid, h.Code, len(h.Secret), exchange.MinSecretBytes)
	}
	if h.Name == "" {
		h.Name = h.Code
	}
	h.Secret = append([]byte(nil), h.Secret...)
	err := p.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO halls(code, name, secret, created_at) VALUES (?,?,?,?)
			ON CONFLICT(code) DO UPDATE SET name = excluded.name, secret = excluded.secret`, h.Code, h.Name, h.Secret, ms(p.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("provsim: add hall %s: %w", h.Code, err)
	}
	p.hallsMu.Lock()
	p.halls[h.Code] = h
	p.hallsMu.Unlock()
	return nil
}

// hall returns a registered hall.
func (p *Province) hall(code string) (Hall, bool) {
	p.hallsMu.RLock()
	defer p.hallsMu.RUnlock()
	h, ok := p.halls[code]
	return h, ok
}

// hallCodes returns the registered halls' codes.
func (p *Province) hallCodes() []string {
	p.hallsMu.RLock()
	defer p.hallsMu.RUnlock()
	out := make([]string, 0, len(p.halls))
	for c := range p.halls {
		out = append(out, c)
	}
	return out
}

// secretOf is VerifyRequest's look-up.
func (p *Province) secretOf(code string) ([]byte, error) {
	h, ok := p.hall(code)
	if !ok {
		return nil, fmt.Errorf("%w %q: register it at the province (provsim --halls)", exchange.ErrUnknownHall, code)
	}
	return h.Secret, nil
}

// isHallCode is the hall code rule of cert trust lists.
func isHallCode(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

// write runs fn in a write transaction, one at a time.
func (p *Province) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	select {
	case <-p.closed:
		return errors.New("provsim: closed")
	default:
	}
	tx, err := p.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("provsim: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("provsim: commit: %w", err)
	}
	return nil
}
