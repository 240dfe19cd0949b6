package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"onestop/hallserver/queue"
)

// TicketStatus is what a citizen may see of a ticket: no personal data.
type TicketStatus struct {
	Number        string    `json:"number"`
	Day           string    `json:"day"`
	Queue         string    `json:"queue"`
	QueueName     string    `json:"queue_name"`
	QueueNameEn   string    `json:"queue_name_en"`
	State         string    `json:"state"`
	Ahead         int       `json:"ahead"`
	EstimatedWait int       `json:"estimated_wait_seconds"`
	Window        string    `json:"window,omitempty"` // where to go, once called
	IssuedAt      time.Time `json:"issued_at"`
	CalledAt      time.Time `json:"called_at,omitzero"`
}

// TicketStatus returns the public status of the ticket with the token.
func (s *Store) TicketStatus(ctx context.Context, token string) (TicketStatus, error) {
	t, err := s.TicketByToken(ctx, token)
	if err != nil {
		return TicketStatus{}, err
	}
	return s.statusOf(ctx, t)
}

// StatusOf returns the public status of a ticket.
func (s *Store) StatusOf(ctx context.Context, t Ticket) (TicketStatus, error) {
	return s.statusOf(ctx, t)
}

func (s *Store) statusOf(ctx context.Context, t Ticket) (TicketStatus, error) {
	st := TicketStatus{Number: t.Number, Day: t.Day, Queue: t.Queue, State: string(t.State),
		IssuedAt: t.IssuedAt, CalledAt: t.CalledAt}
	if err := s.rdb.QueryRowContext(ctx, "SELECT name, name_en FROM queues WHERE code = ?", t.Queue).Scan(&st.QueueName, &st.QueueNameEn); err != nil {
		return st, fmt.Errorf("store: ticket status: queue %s: %w", t.Queue, err)
	}
	switch t.State {
	case queue.Called, queue.Recalled, queue.Serving:
		st.Window = t.Window
		return st, nil
	case queue.Issued, queue.Transferred, queue.Held:
	default:
		return st, nil
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return st, err
	}
	st.Ahead, err = s.ahead(ctx, t, settings.Policy)
	if err != nil {
		return st, err
	}
	recent, err := s.recentServiceTimes(ctx, t.Queue, t.Day)
	if err != nil {
		return st, err
	}
	open, err := s.openWindows(ctx, t.Queue)
	if err != nil {
		return st, err
	}
	st.EstimatedWait = int(queue.EstimateWait(st.Ahead, recent, open, settings.DefaultService) / time.Second)
	return st, nil
}

// ahead counts the tickets waiting in t's queue that t's policy calls
// before t. It is queue.Ahead done as index counts, so that a status costs
// the same with ten or ten thousand people waiting; the tests hold the two
// to the same answers. Interleave is counted as strict, as queue.Ahead does.
func (s *Store) ahead(ctx context.Context, t Ticket, p queue.Policy) (int, error) {
	const waiting = "day = ? AND queue = ? AND state IN ('issued','transferred','held') AND id <> ?"
	issued, id := ms(t.IssuedAt), t.ID
	var regular, priority int
	var err error
	count := func(where string, args ...any) (int, error) {
		var n int
		err := s.rdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM tickets WHERE "+waiting+" AND "+where,
			append([]any{t.Day, t.Queue, t.ID}, args...)...).Scan(&n)
		return n, err
	}
	// before(K) is "ordered before key K", ties broken by issue time then id.
	before := "(issued_at < ? OR (issued_at = ? AND (issued_at < ? OR (issued_at = ? AND id < ?))))"
	if p.Kind == queue.Ageing {
		// Issue times are whole milliseconds, so against them a bonus with a
		// fraction of a millisecond orders exactly like the next whole
		// millisecond: round up (truncating would disagree with queue.Ahead).
		bonus := (p.AgeingBonus + time.Millisecond - 1).Milliseconds()
		key := issued
		if t.Priority != queue.Regular {
			key -= bonus
		}
		regular, err = count("priority = '' AND "+before, key, key, issued, issued, id)
		if err == nil {
			priority, err = count("priority <> '' AND "+before, key+bonus, key+bonus, issued, issued, id)
		}
	} else {
		if t.Priority == queue.Regular {
			regular, err = count("priority = '' AND "+before, issued, issued, issued, issued, id)
			if err == nil {
				priority, err = count("priority <> ''")
			}
		} else {
			priority, err = count("priority <> '' AND "+before, issued, issued, issued, issued, id)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("store: people ahead of %s: %w", t.Number, err)
	}
	return regular + priority, nil
}

// recentServiceTimes returns the service times of the queue's latest
// finished tickets of the day.
func (s *Store) recentServiceTimes(ctx context.Context, q, day string) ([]time.Duration, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT finished_at - started_at FROM tickets
		WHERE day = ? AND queue = ? AND state = 'done' AND started_at > 0
		ORDER BY finished_at DESC LIMIT 20`, day, q)
	if err != nil {
		return nil, fmt.Errorf("store: service times: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: service times: %w", err)
		}
		out = append(out, time.Duration(v)*time.Millisecond)
	}
	return out, rows.Err()
}

func (s *Store) openWindows(ctx context.Context, q string) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM windows w JOIN window_queues wq ON wq.window = w.number
		WHERE w.open = 1 AND wq.queue = ?`, q).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: open windows: %w", err)
	}
	return n, nil
}

// QueueStat is one queue's state today.
type QueueStat struct {
	Code               string `json:"code"`
	Name               string `json:"name"`
	NameEn             string `json:"name_en"`
	Waiting            int    `json:"waiting"`
	LongestWaitSeconds int    `json:"longest_wait_seconds"`
	Issued             int    `json:"issued"`
	Served             int    `json:"served"`
	NoShow             int    `json:"no_show"`
	OpenWindows        int    `json:"open_windows"`
}

// WindowStat is one window's state now.
type WindowStat struct {
	Number  int      `json:"number"`
	Name    string   `json:"name"`
	NameEn  string   `json:"name_en"`
	Queues  []string `json:"queues"`
	Open    bool     `json:"open"`
	Staff   string   `json:"staff,omitempty"` // display name of who opened it
	Current string   `json:"current,omitempty"`
	State   string   `json:"state,omitempty"` // of the current ticket
}

// Call is one call of a ticket to a window.
type Call struct {
	Number string    `json:"number"`
	Window string    `json:"window"`
	At     time.Time `json:"at"`
}

// Overview is the hall's queues and windows now.
type Overview struct {
	Day     string       `json:"day"`
	Queues  []QueueStat  `json:"queues"`
	Windows []WindowStat `json:"windows"`
	Recent  []Call       `json:"recent_calls"`
}

// Overview reports every queue and window, and the latest calls.
func (s *Store) Overview(ctx context.Context) (Overview, error) {
	now := s.now()
	ov := Overview{Day: queue.ServiceDay(now)}
	rows, err := s.rdb.QueryContext(ctx, `SELECT q.code, q.name, q.name_en,
		COALESCE(SUM(t.state IN ('issued','transferred','held')), 0),
		COALESCE(MIN(CASE WHEN t.state IN ('issued','transferred','held') THEN t.issued_at END), 0),
		COUNT(t.id), COALESCE(SUM(t.state = 'done'), 0), COALESCE(SUM(t.state = 'no_show'), 0),
		(SELECT COUNT(*) FROM windows w JOIN window_queues wq ON wq.window = w.number WHERE w.open = 1 AND wq.queue = q.code)
		FROM queues q LEFT JOIN tickets t ON t.queue = q.code AND t.day = ?
		GROUP BY q.code ORDER BY q.code`, ov.Day)
	if err != nil {
		return ov, fmt.Errorf("store: overview queues: %w", err)
	}
	for rows.Next() {
		var q QueueStat
		var oldest int64
		if err := rows.Scan(&q.Code, &q.Name, &q.NameEn, &q.Waiting, &oldest, &q.Issued, &q.Served, &q.NoShow, &q.OpenWindows); err != nil {
			rows.Close()
			return ov, fmt.Errorf("store: overview queues: %w", err)
		}
		if oldest > 0 {
			q.LongestWaitSeconds = int(now.Sub(fromMS(oldest)) / time.Second)
		}
		ov.Queues = append(ov.Queues, q)
	}
	rows.Close()
	rows, err = s.rdb.QueryContext(ctx, `SELECT w.number, w.name, w.name_en, w.open, COALESCE(u.display_name, ''),
		COALESCE((SELECT group_concat(queue, '') FROM window_queues WHERE window = w.number), ''),
		COALESCE(t.number, ''), COALESCE(t.state, '')
		FROM windows w LEFT JOIN users u ON u.id = w.staff_user
		LEFT JOIN tickets t ON t.id = (SELECT id FROM tickets WHERE window = CAST(w.number AS TEXT)
			AND state IN ('called','recalled','serving') ORDER BY called_at DESC LIMIT 1)
		ORDER BY w.number`)
	if err != nil {
		return ov, fmt.Errorf("store: overview windows: %w", err)
	}
	for rows.Next() {
		var w WindowStat
		var qs string
		if err := rows.Scan(&w.Number, &w.Name, &w.NameEn, &w.Open, &w.Staff, &qs, &w.Current, &w.State); err != nil {
			rows.Close()
			return ov, fmt.Errorf("store: overview windows: %w", err)
		}
		for _, r := range qs {
			w.Queues = append(w.Queues, string(r))
		}
		ov.Windows = append(ov.Windows, w)
	}
	rows.Close()
	ov.Recent, err = s.recentCalls(ctx, ov.Day, 10)
	return ov, err
}

func (s *Store) recentCalls(ctx context.Context, day string, n int) ([]Call, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT t.number, e.window, e.at FROM ticket_events e
		JOIN tickets t ON t.id = e.ticket_id
		WHERE e.action IN ('call','recall') AND t.day = ? ORDER BY e.id DESC LIMIT ?`, day, n)
	if err != nil {
		return nil, fmt.Errorf("store: recent calls: %w", err)
	}
	defer rows.Close()
	out := []Call{}
	for rows.Next() {
		var c Call
		var at int64
		if err := rows.Scan(&c.Number, &c.Window, &at); err != nil {
			return nil, fmt.Errorf("store: recent calls: %w", err)
		}
		c.At = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

var _ querier = (*sql.DB)(nil)

// WaitingCounts returns how many tickets wait in each queue today.
func (s *Store) WaitingCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT q.code, (SELECT COUNT(*) FROM tickets t
		WHERE t.day = ? AND t.queue = q.code AND t.state IN ('issued','transferred','held')) FROM queues q`,
		queue.ServiceDay(s.now()))
	if err != nil {
		return nil, fmt.Errorf("store: waiting counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var q string
		var n int
		if err := rows.Scan(&q, &n); err != nil {
			return nil, fmt.Errorf("store: waiting counts: %w", err)
		}
		out[q] = n
	}
	return out, rows.Err()
}
