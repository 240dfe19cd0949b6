package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/hallserver/queue"
)

// Ticket is a queue ticket as the hall keeps it: the engine's view plus
// what only the store knows.
type Ticket struct {
	queue.Ticket
	Token   string // unguessable; the phone page and the slip's QR use it
	Item    string // service item code, if the citizen chose one
	KioskID int64  // issuing kiosk, 0 when issued at a counter
}

// ticketColumns is the column list scanTicket reads, in order.
const ticketColumns = `id, token, day, seq, number, queue, COALESCE(item, ''), priority, state,
	issued_at, queued_at, called_at, started_at, finished_at, window, target_window,
	return_queue, return_window, hold_until, recalls, COALESCE(kiosk_id, 0)`

type scanner interface{ Scan(dest ...any) error }

func scanTicket(r scanner) (Ticket, error) {
	var t Ticket
	var prio, state string
	var issued, queued, called, started, finished, hold int64
	err := r.Scan(&t.ID, &t.Token, &t.Day, &t.Seq, &t.Number, &t.Queue, &t.Item, &prio, &state,
		&issued, &queued, &called, &started, &finished, &t.Window, &t.TargetWindow,
		&t.ReturnQueue, &t.ReturnWindow, &hold, &t.Recalls, &t.KioskID)
	if err != nil {
		return Ticket{}, err
	}
	t.Priority, t.State = queue.Priority(prio), queue.State(state)
	t.IssuedAt, t.QueuedAt, t.CalledAt = fromMS(issued), fromMS(queued), fromMS(called)
	t.StartedAt, t.FinishedAt, t.HoldUntil = fromMS(started), fromMS(finished), fromMS(hold)
	return t, nil
}

func scanTickets(rows *sql.Rows) ([]Ticket, error) {
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read tickets: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read tickets: %w", err)
	}
	return out, nil
}

// ticketAudit is what the audit trail records of a ticket: no token (it
// would let anyone with audit access follow the citizen's phone page).
type ticketAudit struct {
	ID           int64          `json:"id"`
	Number       string         `json:"number"`
	Day          string         `json:"day"`
	Queue        string         `json:"queue"`
	Item         string         `json:"item,omitempty"`
	State        queue.State    `json:"state"`
	Priority     queue.Priority `json:"priority"`
	Window       string         `json:"window"`
	TargetWindow string         `json:"target_window"`
	ReturnQueue  string         `json:"return_queue"`
	ReturnWindow string         `json:"return_window"`
	HoldUntil    string         `json:"hold_until,omitempty"`
	Recalls      int            `json:"recalls"`
	OutOfOrder   string         `json:"out_of_order,omitempty"` // on a call that jumped the line: why
}

func (t Ticket) auditView() ticketAudit {
	a := ticketAudit{ID: t.ID, Number: t.Number, Day: t.Day, Queue: t.Queue, Item: t.Item, State: t.State,
		Priority: t.Priority, Window: t.Window, TargetWindow: t.TargetWindow, ReturnQueue: t.ReturnQueue,
		ReturnWindow: t.ReturnWindow, Recalls: t.Recalls}
	if !t.HoldUntil.IsZero() {
		a.HoldUntil = t.HoldUntil.UTC().Format(time.RFC3339)
	}
	return a
}

// newToken returns 128 random bits in lowercase base32, without padding.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// IssueRequest asks for a new ticket. Give Item (the queue follows from
// it) or Queue.
type IssueRequest struct {
	Queue    string         `json:"queue,omitempty"`
	Item     string         `json:"item,omitempty"`
	Priority queue.Priority `json:"priority,omitempty"`
	KioskID  int64          `json:"-"`
}

var validPriorities = map[queue.Priority]bool{
	queue.Regular: true, queue.Elderly: true, queue.Disabled: true, queue.Pregnant: true,
	queue.Appointment: true, queue.GreenLane: true,
}

// IssueTicket takes the next number of the day in the request's queue.
func (s *Store) IssueTicket(ctx context.Context, a Actor, req IssueRequest) (Ticket, error) {
	t, _, err := s.issue(ctx, a, req, false)
	return t, err
}

// Issue takes the next number like IssueTicket and returns the status the
// slip shows (people ahead, estimated wait) as well. When the ticket was
// issued but its status could not be read, it returns the ticket (ID set)
// with the error: the citizen has the number either way.
func (s *Store) Issue(ctx context.Context, a Actor, req IssueRequest) (Ticket, TicketStatus, error) {
	t, ahead, err := s.issue(ctx, a, req, true)
	if err != nil {
		return t, TicketStatus{}, err
	}
	if ahead < 0 {
		st, err := s.statusOf(ctx, t)
		return t, st, err
	}
	st, err := s.statusWithAhead(ctx, t, ahead)
	return t, st, err
}

// issue writes a new ticket. With countAhead, under a policy that orders a
// class first-come-first-served (strict, interleave), it also counts the
// people ahead of it in the same transaction: a new ticket is the last of
// its class, so that is every ticket waiting in its queue (a regular
// ticket) or every priority ticket waiting (a priority one), read from the
// trigger-kept totals, not counted. Otherwise ahead is -1.
func (s *Store) issue(ctx context.Context, a Actor, req IssueRequest, countAhead bool) (Ticket, int, error) {
	if !validPriorities[req.Priority] {
		return Ticket{}, 0, fmt.Errorf("%w: unknown priority %q (use elderly, disabled, pregnant, appointment or green)", ErrInvalid, req.Priority)
	}
	ahead := -1
	if countAhead {
		if st, err := s.Settings(ctx); err != nil || st.Policy.Kind == queue.Ageing {
			countAhead = false
		}
	}
	var t Ticket
	err := s.write(ctx, func(tx *Tx) error {
		q := strings.ToUpper(strings.TrimSpace(req.Queue))
		if req.Item != "" {
			var itemQueue string
			err := tx.QueryRow("SELECT queue FROM items WHERE code = ? AND retired = 0", req.Item).Scan(&itemQueue)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: no service item %q: pick one from the catalogue", ErrInvalid, req.Item)
			}
			if err != nil {
				return fmt.Errorf("store: issue ticket: %w", err)
			}
			if q != "" && q != itemQueue {
				return fmt.Errorf("%w: item %s is served in queue %s, not %s", ErrInvalid, req.Item, itemQueue, q)
			}
			q = itemQueue
		}
		if q == "" {
			return fmt.Errorf("%w: say which queue or service item the ticket is for", ErrInvalid)
		}
		now := tx.now
		day := queue.ServiceDay(now)
		if countAhead {
			class := "1"
			if req.Priority != queue.Regular {
				class = priorityIn
			}
			if err := tx.QueryRow(`SELECT COALESCE(SUM(n), 0) FROM waiting_counts WHERE day = ? AND queue = ? AND `+class,
				day, q).Scan(&ahead); err != nil {
				return fmt.Errorf("store: issue ticket: people ahead: %w", err)
			}
		}
		var seq int
		if err := tx.QueryRow("SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets WHERE orig_queue = ? AND day = ?", q, day).Scan(&seq); err != nil {
			return fmt.Errorf("store: issue ticket: next number: %w", err)
		}
		number, err := queue.NewNumber(q, seq)
		if err != nil {
			return fmt.Errorf("store: issue ticket: %w", err)
		}
		t = Ticket{Ticket: queue.Ticket{Queue: q, Day: day, Seq: seq, Number: number, Priority: req.Priority,
			State: queue.Issued, IssuedAt: now, QueuedAt: now}, Token: newToken(), Item: req.Item, KioskID: req.KioskID}
		var item, kiosk any
		if t.Item != "" {
			item = t.Item
		}
		if t.KioskID != 0 {
			kiosk = t.KioskID
		}
		res, err := tx.Exec(`INSERT INTO tickets(token, day, orig_queue, seq, number, queue, item, priority, state, issued_at, queued_at, kiosk_id)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, t.Token, day, q, seq, number, q, item, string(t.Priority),
			string(t.State), ms(now), ms(now), kiosk)
		if err != nil {
			if isForeignKeyError(err) { // the queue is the only reference a new ticket can miss
				return fmt.Errorf("%w: no queue %q: pick one from the catalogue", ErrInvalid, q)
			}
			return fmt.Errorf("store: issue ticket: %w", err)
		}
		t.ID, _ = res.LastInsertId()
		// The issue itself is the ticket row (issued_at) and its audit
		// record (who): TicketHistory puts them first. ticket_events holds
		// the transitions after it.
		tx.Emit(Event{Type: EventTicketIssued, At: now, Number: number, Day: day, Queue: q, State: string(t.State)})
		return tx.Audit(a, "ticket.issue", "ticket", strconv.FormatInt(t.ID, 10), nil, t.auditView())
	})
	if err != nil {
		return Ticket{}, 0, err
	}
	return t, ahead, nil
}

func (tx *Tx) ticketEvent(id int64, action string, from, to queue.State, window string, a Actor, outOfOrder bool, reason string) error {
	_, err := tx.Exec(`INSERT INTO ticket_events(ticket_id, at, action, from_state, to_state, window, actor, out_of_order, reason)
		VALUES (?,?,?,?,?,?,?,?,?)`, id, ms(tx.now), action, string(from), string(to), window, a.Name, outOfOrder, reason)
	if err != nil {
		return fmt.Errorf("store: record ticket event: %w", err)
	}
	return nil
}

// saveTicket writes t's mutable fields back.
func (tx *Tx) saveTicket(t Ticket) error {
	_, err := tx.Exec(`UPDATE tickets SET queue = ?, state = ?, queued_at = ?, called_at = ?, started_at = ?,
		finished_at = ?, window = ?, target_window = ?, return_queue = ?, return_window = ?, hold_until = ?, recalls = ?
		WHERE id = ?`, t.Queue, string(t.State), ms(t.QueuedAt), ms(t.CalledAt), ms(t.StartedAt), ms(t.FinishedAt),
		t.Window, t.TargetWindow, t.ReturnQueue, t.ReturnWindow, ms(t.HoldUntil), t.Recalls, t.ID)
	if err != nil {
		return fmt.Errorf("store: save ticket %s: %w", t.Number, err)
	}
	if t.State.Final() { // no action leaves an end state, so this runs once per ticket
		return tx.outboxTicketEnd(t)
	}
	return nil
}

// TicketByToken returns the ticket with the given token.
func (s *Store) TicketByToken(ctx context.Context, token string) (Ticket, error) {
	t, err := scanTicket(s.queryRow(ctx, "SELECT "+ticketColumns+" FROM tickets WHERE token = ?", token))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, fmt.Errorf("store: ticket: %w", ErrNotFound)
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("store: ticket by token: %w", err)
	}
	return t, nil
}

// TicketByID returns the ticket with the given id.
func (s *Store) TicketByID(ctx context.Context, id int64) (Ticket, error) {
	t, err := scanTicket(s.queryRow(ctx, "SELECT "+ticketColumns+" FROM tickets WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, fmt.Errorf("store: ticket %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("store: ticket %d: %w", id, err)
	}
	return t, nil
}

// Tickets lists the tickets of a service day (YYYY-MM-DD), in issue order.
func (s *Store) Tickets(ctx context.Context, day string) ([]Ticket, error) {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, fmt.Errorf("%w: day %q: use YYYY-MM-DD", ErrInvalid, day)
	}
	rows, err := s.query(ctx, "SELECT "+ticketColumns+" FROM tickets WHERE day = ? ORDER BY id", day)
	if err != nil {
		return nil, fmt.Errorf("store: tickets of %s: %w", day, err)
	}
	return scanTickets(rows)
}

// TicketHistory returns every transition of a ticket, oldest first,
// starting with its issue.
func (s *Store) TicketHistory(ctx context.Context, id int64) ([]TicketEvent, error) {
	var issued int64
	var actor string
	err := s.queryRow(ctx, `SELECT t.issued_at, COALESCE((SELECT a.actor FROM audit a WHERE a.entity = 'ticket'
		AND a.entity_id = CAST(t.id AS TEXT) AND a.action = 'ticket.issue'), '')
		FROM tickets t WHERE t.id = ?`, id).Scan(&issued, &actor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: ticket %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: ticket history: %w", err)
	}
	out := []TicketEvent{{At: fromMS(issued), Action: "issue", To: string(queue.Issued), Actor: actor}}
	rows, err := s.query(ctx, `SELECT at, action, from_state, to_state, window, actor, out_of_order, reason
		FROM ticket_events WHERE ticket_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: ticket history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e TicketEvent
		var at int64
		if err := rows.Scan(&at, &e.Action, &e.From, &e.To, &e.Window, &e.Actor, &e.OutOfOrder, &e.Reason); err != nil {
			return nil, fmt.Errorf("store: ticket history: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
