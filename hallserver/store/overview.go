package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"onestop/hallserver/queue"
)

// TicketStatus returns the public status of the ticket with the token.
func (s *Store) TicketStatus(ctx context.Context, token string) (TicketStatus, error) {
	t, err := s.TicketByToken(ctx, token)
	if err != nil {
		return TicketStatus{}, err
	}
	return s.statusOf(ctx, t)
}

func (s *Store) statusOf(ctx context.Context, t Ticket) (TicketStatus, error) {
	st := TicketStatus{Number: t.Number, Day: t.Day, Queue: t.Queue, State: string(t.State),
		IssuedAt: t.IssuedAt, CalledAt: t.CalledAt}
	qi, err := s.queueInfo(ctx, t.Queue, t.Day)
	if err != nil {
		return st, err
	}
	st.QueueName, st.QueueNameEn = qi.name, qi.nameEn
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
	st.EstimatedWait = int(queue.EstimateWait(st.Ahead, qi.recent, qi.open, settings.DefaultService) / time.Second)
	return st, nil
}

// statusWithAhead is the status of a waiting ticket whose people ahead
// are known already.
func (s *Store) statusWithAhead(ctx context.Context, t Ticket, ahead int) (TicketStatus, error) {
	st := TicketStatus{Number: t.Number, Day: t.Day, Queue: t.Queue, State: string(t.State),
		IssuedAt: t.IssuedAt, CalledAt: t.CalledAt, Ahead: ahead}
	qi, err := s.queueInfo(ctx, t.Queue, t.Day)
	if err != nil {
		return st, err
	}
	st.QueueName, st.QueueNameEn = qi.name, qi.nameEn
	settings, err := s.Settings(ctx)
	if err != nil {
		return st, err
	}
	st.EstimatedWait = int(queue.EstimateWait(ahead, qi.recent, qi.open, settings.DefaultService) / time.Second)
	return st, nil
}

// ahead counts the tickets waiting in t's queue that t's policy calls
// before t. It is queue.Ahead done as counts over the partial index
// tickets_waiting (see countBefore), so that a status reads no ticket rows;
// the tests hold the two to the same answers. Interleave is counted as
// strict, as queue.Ahead does.
func (s *Store) ahead(ctx context.Context, t Ticket, p queue.Policy) (int, error) {
	issued := ms(t.IssuedAt)
	prio := t.Priority != queue.Regular
	// Each count is of one class (regular, or any priority) whose members
	// are ordered before t when their issue time is before bound, ties
	// broken by issue time and then id as queue.Ahead does.
	var regularBound, priorityBound int64
	countRegular, countPriority := true, true
	switch {
	case p.Kind == queue.Ageing:
		// Score = wait + bonus for priority: x is before t when
		// issued(x) - bonus(x) < issued(t) - bonus(t).
		bonus := (p.AgeingBonus + time.Millisecond - 1).Milliseconds()
		if prio {
			regularBound, priorityBound = issued-bonus, issued
		} else {
			regularBound, priorityBound = issued, issued+bonus
		}
	case prio: // strict: only older priority tickets come first
		priorityBound, countRegular = issued, false
	default: // strict: every priority ticket and older regular ones
		regularBound, priorityBound = issued, math.MaxInt64
	}
	classes := []lineClass{{countRegular, "priority = ''", regularBound}, {countPriority, priorityIn, priorityBound}}
	n, err := s.countBefore(ctx, t, classes)
	if err != nil {
		return 0, fmt.Errorf("store: people ahead of %s: %w", t.Number, err)
	}
	return n, nil
}

// lineClass is one class of a line (regular, or any priority) and the
// bound before which its tickets come before the ticket asked about.
type lineClass struct {
	on    bool
	class string // SQL condition on priority
	bound int64
}

// countLimit is how far countBefore counts the back of a line before it
// counts the front instead (a variable so that tests take both paths).
var countLimit = 256

// countBefore counts the waiting tickets of the classes in t's queue that
// come before their bounds. SQLite counts index entries one by one, so
// counting a line of thousands costs milliseconds. Most questions are
// asked from the back of the line (the slip of a ticket just taken, a
// phone page soon after), so it counts the back of each class, up to
// countLimit, and subtracts it from the class's total (kept by triggers in
// waiting_counts), all in one statement; only for a ticket deep in a long
// line does it count the front.
func (s *Store) countBefore(ctx context.Context, t Ticket, classes []lineClass) (int, error) {
	var cols []string
	var args []any
	var used []lineClass
	for _, c := range classes {
		if !c.on {
			continue
		}
		used = append(used, c)
		cols = append(cols, `(SELECT COALESCE(SUM(n), 0) FROM waiting_counts WHERE day = ? AND queue = ? AND `+c.class+`)`)
		args = append(args, t.Day, t.Queue)
		if c.bound == math.MaxInt64 { // nobody is after "always": the whole class is before
			cols = append(cols, "0")
			continue
		}
		_, after, bargs := beforeBound(c.bound, ms(t.IssuedAt), t.ID)
		cols = append(cols, `(SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE day = ? AND queue = ? AND `+c.class+
			` AND state IN ('issued','transferred','held') AND `+after+` LIMIT `+strconv.Itoa(countLimit)+`))`)
		args = append(append(args, t.Day, t.Queue), bargs...)
	}
	if len(used) == 0 {
		return 0, nil
	}
	vals := make([]int, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := s.queryRow(ctx, "SELECT "+strings.Join(cols, ", "), args...).Scan(dest...); err != nil {
		return 0, err
	}
	n := 0
	for i, c := range used {
		total, back := vals[2*i], vals[2*i+1]
		if back < countLimit {
			n += max(total-back, 0)
			continue
		}
		before, _, bargs := beforeBound(c.bound, ms(t.IssuedAt), t.ID)
		var front int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM tickets WHERE day = ? AND queue = ? AND `+c.class+
			` AND state IN ('issued','transferred','held') AND `+before, append([]any{t.Day, t.Queue}, bargs...)...).Scan(&front); err != nil {
			return 0, err
		}
		n += front
	}
	return n, nil
}

// priorityIn matches every priority class, as an IN list so that the
// index on (day, queue, priority, issued_at) is used range by range.
var priorityIn = func() string {
	var b strings.Builder
	b.WriteString("priority IN (")
	for i, c := range priorityClasses[1:] {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("'" + string(c) + "'")
	}
	return b.String() + ")"
}()

// beforeBound returns the condition "ordered before bound" and its
// complement, for a class whose order key is the issue time shifted so
// that t's own key is at bound. When the bound is t's own issue time the
// tie is broken by id; a bound before it includes the tie (the other
// ticket was issued earlier), a bound after it excludes it. Both are
// plain ranges over the index, never a NOT.
func beforeBound(bound, issued, id int64) (before, after string, args []any) {
	switch {
	case bound == issued:
		return "(issued_at, id) < (?, ?)", "(issued_at, id) >= (?, ?)", []any{bound, id}
	case bound < issued:
		return "issued_at <= ?", "issued_at > ?", []any{bound}
	default:
		return "issued_at < ?", "issued_at >= ?", []any{bound}
	}
}

// queueInfo is what a ticket status needs of its queue besides the line:
// its names and the pace at which it is served.
type queueInfo struct {
	name, nameEn string
	recent       []time.Duration // latest service times of the day
	open         int             // open windows serving it
	read         time.Time
}

// queueInfoTTL bounds how stale a cached queueInfo may be. The store
// forgets it at once when it finishes a ticket, opens or closes a window
// or imports a catalogue; the TTL covers changes by another process.
const queueInfoTTL = 5 * time.Second

type queueInfoCache struct {
	mu sync.Mutex
	m  map[string]queueInfo // by day/queue
}

// queueInfo returns the queue's names and pace, from the cache when fresh.
func (s *Store) queueInfo(ctx context.Context, q, day string) (queueInfo, error) {
	key := day + "/" + q
	c := &s.queues
	c.mu.Lock()
	qi, ok := c.m[key]
	c.mu.Unlock()
	if ok && time.Since(qi.read) < queueInfoTTL {
		return qi, nil
	}
	qi = queueInfo{read: time.Now()}
	if err := s.queryRow(ctx, "SELECT name, name_en FROM queues WHERE code = ?", q).Scan(&qi.name, &qi.nameEn); err != nil {
		return qi, fmt.Errorf("store: queue %s: %w", q, err)
	}
	var err error
	if qi.recent, err = s.recentServiceTimes(ctx, q, day); err != nil {
		return qi, err
	}
	if qi.open, err = s.openWindows(ctx, q); err != nil {
		return qi, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]queueInfo{}
	}
	c.m[key] = qi
	c.mu.Unlock()
	return qi, nil
}

// forgetQueues drops the cached queue information after a change to it.
func (s *Store) forgetQueues() {
	s.queues.mu.Lock()
	s.queues.m = nil
	s.queues.mu.Unlock()
}

// recentServiceTimes returns the service times of the queue's latest
// finished tickets of the day.
func (s *Store) recentServiceTimes(ctx context.Context, q, day string) ([]time.Duration, error) {
	rows, err := s.query(ctx, `SELECT finished_at - started_at FROM tickets
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
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM windows w JOIN window_queues wq ON wq.window = w.number
		WHERE w.open = 1 AND wq.queue = ?`, q).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: open windows: %w", err)
	}
	return n, nil
}

// Overview reports every queue and window, and the latest calls.
func (s *Store) Overview(ctx context.Context) (Overview, error) {
	now := s.now()
	ov := Overview{Day: queue.ServiceDay(now)}
	rows, err := s.query(ctx, `SELECT q.code, q.name, q.name_en,
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
	rows, err = s.query(ctx, `SELECT w.number, w.name, w.name_en, w.open, COALESCE(u.display_name, ''),
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
	rows, err := s.query(ctx, `SELECT t.number, e.window, e.at FROM ticket_events e
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
	rows, err := s.query(ctx, `SELECT q.code, COALESCE((SELECT SUM(n) FROM waiting_counts w
		WHERE w.day = ? AND w.queue = q.code), 0) FROM queues q`, queue.ServiceDay(s.now()))
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
