package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"onestop/hallserver/queue"
	"onestop/hallserver/workday"
)

// Settings are the queue rules a supervisor can change.
type Settings struct {
	Policy queue.Policy `json:"-"`
	// PolicyText is Policy in its text form ("strict", "interleave:3", "ageing:15m").
	PolicyText string `json:"policy"`
	// NoShowAfterRecalls: how many recalls before a no-show may be recorded.
	NoShowAfterRecalls int `json:"no_show_after_recalls"`
	// DefaultService is the service time assumed before any ticket of a
	// queue has been served today.
	DefaultService time.Duration `json:"-"`
	// DefaultServiceSeconds is DefaultService in seconds, for JSON.
	DefaultServiceSeconds int `json:"default_service_seconds"`
	// YellowPercent and YellowDays set when an application's clock shows
	// yellow (黄牌): when at most this share of the promised limit, or at
	// most this many working days of it, are left (the larger of the two).
	YellowPercent int `json:"yellow_percent"`
	YellowDays    int `json:"yellow_days"`
	// ElderlyPriorityAge: a kiosk gives the elderly priority to a person
	// whose ID card says they are at least this old (queue.ElderlyPriority);
	// 0 turns it off.
	ElderlyPriorityAge int `json:"elderly_priority_age"`
}

// WarningPolicy is the application clock's warning policy.
func (st Settings) WarningPolicy() workday.Policy {
	return workday.Policy{YellowFraction: float64(st.YellowPercent) / 100, YellowDays: st.YellowDays}
}

// DefaultSettings are a new hall's settings.
func DefaultSettings() Settings {
	p := queue.DefaultPolicy()
	w := workday.DefaultPolicy()
	return Settings{Policy: p, PolicyText: p.String(), NoShowAfterRecalls: 1,
		DefaultService: 5 * time.Minute, DefaultServiceSeconds: 300,
		YellowPercent: int(w.YellowFraction*100 + 0.5), YellowDays: w.YellowDays,
		ElderlyPriorityAge: 65}
}

// Validate checks the settings and fills the derived fields.
func (st *Settings) Validate() error {
	p, err := queue.ParsePolicy(st.PolicyText)
	if err != nil {
		return fmt.Errorf("%w: policy: %v", ErrInvalid, err)
	}
	st.Policy = p
	if st.NoShowAfterRecalls < 0 || st.NoShowAfterRecalls > 10 {
		return fmt.Errorf("%w: no_show_after_recalls must be between 0 and 10, got %d", ErrInvalid, st.NoShowAfterRecalls)
	}
	if st.DefaultServiceSeconds < 30 || st.DefaultServiceSeconds > 4*3600 {
		return fmt.Errorf("%w: default_service_seconds must be between 30 and 14400, got %d", ErrInvalid, st.DefaultServiceSeconds)
	}
	st.DefaultService = time.Duration(st.DefaultServiceSeconds) * time.Second
	if st.YellowPercent < 0 || st.YellowPercent > 100 {
		return fmt.Errorf("%w: yellow_percent must be between 0 and 100, got %d", ErrInvalid, st.YellowPercent)
	}
	if st.YellowDays < 0 || st.YellowDays > 30 {
		return fmt.Errorf("%w: yellow_days must be between 0 and 30 working days, got %d", ErrInvalid, st.YellowDays)
	}
	if a := st.ElderlyPriorityAge; a != 0 && (a < 50 || a > 120) {
		return fmt.Errorf("%w: elderly_priority_age must be 0 (off) or an age between 50 and 120, got %d", ErrInvalid, a)
	}
	return nil
}

// Rules are the transition rules that follow from the settings.
func (st Settings) Rules() queue.Rules {
	r := queue.DefaultRules()
	r.NoShowAfterRecalls = st.NoShowAfterRecalls
	return r
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type txQuerier struct{ tx *Tx }

func (q txQuerier) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return q.tx.QueryRow(query, args...)
}

func metaValue(ctx context.Context, q querier, key string) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: read %s: %w", key, err)
	}
	return v, true, nil
}

func (tx *Tx) setMeta(key, value string) error {
	_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: write %s: %w", key, err)
	}
	return nil
}

func loadSettings(ctx context.Context, q querier) (Settings, error) {
	st := DefaultSettings()
	if v, ok, err := metaValue(ctx, q, "policy"); err != nil {
		return st, err
	} else if ok {
		st.PolicyText = v
	}
	if v, ok, err := metaValue(ctx, q, "no_show_after_recalls"); err != nil {
		return st, err
	} else if ok {
		st.NoShowAfterRecalls, _ = strconv.Atoi(v)
	}
	for key, field := range map[string]*int{"default_service_seconds": &st.DefaultServiceSeconds,
		"yellow_percent": &st.YellowPercent, "yellow_days": &st.YellowDays,
		"elderly_priority_age": &st.ElderlyPriorityAge} {
		if v, ok, err := metaValue(ctx, q, key); err != nil {
			return st, err
		} else if ok {
			*field, _ = strconv.Atoi(v)
		}
	}
	if err := st.Validate(); err != nil {
		return DefaultSettings(), fmt.Errorf("store: stored settings are invalid: %w", err)
	}
	return st, nil
}

// settingsTTL is how long Settings trusts its cached copy. Changes made
// through this Store are seen at once; a change by another process (none
// makes one today) within this time.
const settingsTTL = 2 * time.Second

// settingsCache holds the latest settings read.
type settingsCache struct {
	mu sync.Mutex
	st Settings
	at time.Time
}

// Settings returns the hall's current queue settings.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	c := &s.settings
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < settingsTTL {
		return c.st, nil
	}
	st, err := loadSettings(ctx, readQuerier{s})
	if err != nil {
		return st, err
	}
	c.st, c.at = st, time.Now()
	return st, nil
}

func (s *Store) forgetSettings() {
	s.settings.mu.Lock()
	s.settings.at = time.Time{}
	s.settings.mu.Unlock()
}

// readQuerier runs meta reads through the read pool's prepared statements.
type readQuerier struct{ s *Store }

func (q readQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.s.queryRow(ctx, query, args...)
}

// UpdateSettings validates and stores new settings, audited.
func (s *Store) UpdateSettings(ctx context.Context, a Actor, st Settings) (Settings, error) {
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		before, err := loadSettings(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		for k, v := range map[string]string{
			"policy":                  st.PolicyText,
			"no_show_after_recalls":   strconv.Itoa(st.NoShowAfterRecalls),
			"default_service_seconds": strconv.Itoa(st.DefaultServiceSeconds),
			"yellow_percent":          strconv.Itoa(st.YellowPercent),
			"yellow_days":             strconv.Itoa(st.YellowDays),
			"elderly_priority_age":    strconv.Itoa(st.ElderlyPriorityAge),
		} {
			if err := tx.setMeta(k, v); err != nil {
				return err
			}
		}
		tx.Emit(Event{Type: EventSettingsChanged, At: tx.now})
		return tx.Audit(a, "settings.update", "settings", "queue", before, st)
	})
	s.forgetSettings()
	if err != nil {
		return Settings{}, err
	}
	return st, nil
}

// Hall returns the hall's identity; ErrNotFound before InitHall. A hall's
// identity never changes, so it is read once.
func (s *Store) Hall(ctx context.Context) (Hall, error) {
	if h := s.hall.Load(); h != nil {
		return *h, nil
	}
	h, err := s.readHall(ctx)
	if err != nil {
		return h, err
	}
	s.hall.Store(&h)
	return h, nil
}

func (s *Store) readHall(ctx context.Context) (Hall, error) {
	rq := readQuerier{s}
	code, ok, err := metaValue(ctx, rq, "hall_code")
	if err != nil {
		return Hall{}, err
	}
	if !ok {
		return Hall{}, fmt.Errorf("store: hall not initialised: %w", ErrNotFound)
	}
	name, _, err := metaValue(ctx, rq, "hall_name")
	if err != nil {
		return Hall{}, err
	}
	created, _, err := metaValue(ctx, rq, "created_at")
	if err != nil {
		return Hall{}, err
	}
	c, _ := strconv.ParseInt(created, 10, 64)
	return Hall{Code: code, Name: name, CreatedAt: fromMS(c)}, nil
}
