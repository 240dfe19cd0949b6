package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/hallserver/queue"
)

// ErrNothingWaiting: a window called next but no ticket it serves waits.
var ErrNothingWaiting = errors.New("store: nothing waiting")

// windowInfo is what the store needs of a window to act on it.
type windowInfo struct {
	Number    int
	Open      bool
	StaffUser int64
	Queues    []string
}

func (w windowInfo) code() string { return strconv.Itoa(w.Number) }

func (w windowInfo) view() queue.WindowView {
	return queue.WindowView{Code: w.code(), Queues: w.Queues}
}

func (w windowInfo) serves(q string) bool {
	for _, c := range w.Queues {
		if c == q {
			return true
		}
	}
	return false
}

func (tx *Tx) window(number int) (windowInfo, error) {
	w := windowInfo{Number: number}
	var staff sql.NullInt64
	err := tx.QueryRow("SELECT open, staff_user FROM windows WHERE number = ?", number).Scan(&w.Open, &staff)
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("%w: there is no window %d", ErrNotFound, number)
	}
	if err != nil {
		return w, fmt.Errorf("store: window %d: %w", number, err)
	}
	w.StaffUser = staff.Int64
	rows, err := tx.Query("SELECT queue FROM window_queues WHERE window = ? ORDER BY queue", number)
	if err != nil {
		return w, fmt.Errorf("store: window %d queues: %w", number, err)
	}
	defer rows.Close()
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			return w, fmt.Errorf("store: window %d queues: %w", number, err)
		}
		w.Queues = append(w.Queues, q)
	}
	return w, rows.Err()
}

// mayWork checks that a may act at window w: it must be open, and counter
// staff may act only at the window they opened.
func (w windowInfo) mayWork(a Actor) error {
	if !w.Open {
		return fmt.Errorf("%w: window %d is closed: open it first", ErrConflict, w.Number)
	}
	if a.Role == "counter" && w.StaffUser != a.UserID {
		return fmt.Errorf("%w: window %d was opened by another staff member: work at your own window, or ask a supervisor", ErrForbidden, w.Number)
	}
	return nil
}

// current returns the ticket the window has called or is serving.
func (tx *Tx) current(w windowInfo) (Ticket, bool, error) {
	t, err := scanTicket(tx.QueryRow("SELECT "+ticketColumns+` FROM tickets
		WHERE window = ? AND state IN ('called','recalled','serving') ORDER BY called_at DESC LIMIT 1`, w.code()))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, false, nil
	}
	if err != nil {
		return Ticket{}, false, fmt.Errorf("store: window %d current ticket: %w", w.Number, err)
	}
	return t, true, nil
}

// priorityClasses are the ticket classes, in a fixed order.
var priorityClasses = []queue.Priority{queue.Regular, queue.Elderly, queue.Disabled, queue.Pregnant, queue.Appointment, queue.GreenLane}

// waitingFor returns the heads of the lines a window may call from today:
// the oldest callable ticket of each priority class in each queue it
// serves, and the oldest one reserved for it. Every policy picks among
// these (within a class, each policy takes the oldest first), and the
// first-in-line ticket is among them, so a call reads a few rows however
// long the lines are.
func (tx *Tx) waitingFor(w windowInfo, day string) ([]queue.Ticket, map[int64]Ticket, error) {
	now := ms(tx.now)
	var all []Ticket
	for _, q := range w.Queues {
		for _, class := range priorityClasses {
			t, err := scanTicket(tx.QueryRow("SELECT "+ticketColumns+` FROM tickets
				WHERE day = ? AND queue = ? AND priority = ? AND state IN ('issued','transferred','held')
				AND (target_window = '' OR target_window = ?) AND (state <> 'held' OR hold_until <= ?)
				ORDER BY issued_at, id LIMIT 1`, day, q, string(class), w.code(), now))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("store: waiting tickets: %w", err)
			}
			all = append(all, t)
		}
	}
	rows, err := tx.Query("SELECT "+ticketColumns+` FROM tickets
		WHERE target_window = ? AND day = ? AND target_window <> '' AND state IN ('issued','transferred','held')
		AND (state <> 'held' OR hold_until <= ?) ORDER BY issued_at, id LIMIT 8`, w.code(), day, now)
	if err != nil {
		return nil, nil, fmt.Errorf("store: reserved tickets: %w", err)
	}
	reserved, err := scanTickets(rows)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[int64]Ticket, len(all)+len(reserved))
	var out []queue.Ticket
	for _, t := range append(all, reserved...) {
		if _, dup := byID[t.ID]; dup {
			continue
		}
		byID[t.ID] = t
		out = append(out, t.Ticket)
	}
	return out, byID, nil
}

// recentPriorities lists the priorities of the window's latest calls of
// the day, most recent first, for the interleave policy.
func (tx *Tx) recentPriorities(w windowInfo) ([]queue.Priority, error) {
	rows, err := tx.Query(`SELECT t.priority FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.window = ? AND e.action = 'call' AND t.day = ? ORDER BY e.id DESC LIMIT 32`, w.code(), queue.ServiceDay(tx.now))
	if err != nil {
		return nil, fmt.Errorf("store: recent calls: %w", err)
	}
	defer rows.Close()
	var out []queue.Priority
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("store: recent calls: %w", err)
		}
		out = append(out, queue.Priority(p))
	}
	return out, rows.Err()
}

// CallResult is a call and whether it jumped the line.
type CallResult struct {
	Ticket     Ticket
	OutOfOrder bool
	Reason     string
}

// CallNext calls the next ticket for a window under the hall's policy.
// Every call that is not first-come-first-served is recorded with its
// reason.
func (s *Store) CallNext(ctx context.Context, a Actor, window int) (CallResult, error) {
	var res CallResult
	err := s.write(ctx, func(tx *Tx) error {
		w, _, err := tx.readyToCall(a, window)
		if err != nil {
			return err
		}
		st, err := loadSettings(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		waiting, byID, err := tx.waitingFor(w, queue.ServiceDay(tx.now))
		if err != nil {
			return err
		}
		recent, err := tx.recentPriorities(w)
		if err != nil {
			return err
		}
		pick, ok := queue.PickNext(waiting, w.view(), st.Policy, recent, tx.now)
		if !ok {
			return fmt.Errorf("%w: no one is waiting for window %d", ErrNothingWaiting, w.Number)
		}
		res, err = tx.call(a, w, byID[pick.Ticket.ID], st, pick.OutOfOrder, pick.Reason)
		return err
	})
	return res, err
}

// CallNumber calls a particular ticket of today by its number. Calling it
// ahead of others needs a reason, which is recorded.
func (s *Store) CallNumber(ctx context.Context, a Actor, window int, number, reason string) (CallResult, error) {
	var res CallResult
	number = strings.ToUpper(strings.TrimSpace(number))
	err := s.write(ctx, func(tx *Tx) error {
		w, _, err := tx.readyToCall(a, window)
		if err != nil {
			return err
		}
		st, err := loadSettings(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		day := queue.ServiceDay(tx.now)
		t, err := scanTicket(tx.QueryRow("SELECT "+ticketColumns+" FROM tickets WHERE day = ? AND number = ?", day, number))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no ticket %s today", ErrNotFound, number)
		}
		if err != nil {
			return fmt.Errorf("store: call %s: %w", number, err)
		}
		if !w.serves(t.Queue) && t.TargetWindow != w.code() {
			return fmt.Errorf("%w: ticket %s waits in queue %s, which window %d does not serve", ErrInvalid, number, t.Queue, w.Number)
		}
		waiting, _, err := tx.waitingFor(w, day)
		if err != nil {
			return err
		}
		ooo, first := queue.OutOfOrderReason(t.Ticket, waiting, w.view(), tx.now)
		why := ""
		if ooo {
			if strings.TrimSpace(reason) == "" {
				return fmt.Errorf("%w: %s is not next in line (%s is): say why you call it first", ErrInvalid, number, first.Number)
			}
			why = fmt.Sprintf("called by number before %s: %s", first.Number, strings.TrimSpace(reason))
		}
		res, err = tx.call(a, w, t, st, ooo, why)
		return err
	})
	return res, err
}

// readyToCall checks that window may call a ticket now; when it may not
// because it is busy, the ticket it is busy with comes back too.
func (tx *Tx) readyToCall(a Actor, window int) (windowInfo, Ticket, error) {
	w, err := tx.window(window)
	if err != nil {
		return w, Ticket{}, err
	}
	if err := w.mayWork(a); err != nil {
		return w, Ticket{}, err
	}
	cur, busy, err := tx.current(w)
	if err != nil {
		return w, Ticket{}, err
	}
	if busy {
		return w, cur, fmt.Errorf("%w: window %d still has %s (%s): finish, transfer, hold or mark it no-show first",
			ErrConflict, w.Number, cur.Number, cur.State)
	}
	return w, Ticket{}, nil
}

func (tx *Tx) call(a Actor, w windowInfo, t Ticket, st Settings, outOfOrder bool, reason string) (CallResult, error) {
	next, err := queue.Apply(t.Ticket, queue.Action{Kind: queue.Call, Window: w.code(), Reason: reason}, st.Rules(), tx.now)
	if err != nil {
		return CallResult{}, err
	}
	after := t
	after.Ticket = next
	if err := tx.saveTicket(after); err != nil {
		return CallResult{}, err
	}
	if err := tx.ticketEvent(t.ID, "call", t.State, next.State, w.code(), a, outOfOrder, reason); err != nil {
		return CallResult{}, err
	}
	tx.Emit(Event{Type: EventTicketCalled, At: tx.now, Number: t.Number, Day: t.Day, Queue: next.Queue,
		Window: w.code(), State: string(next.State)})
	av := after.auditView()
	if outOfOrder {
		av.OutOfOrder = reason
	}
	if err := tx.Audit(a, "ticket.call", "ticket", strconv.FormatInt(t.ID, 10), t.auditView(), av); err != nil {
		return CallResult{}, err
	}
	return CallResult{Ticket: after, OutOfOrder: outOfOrder, Reason: reason}, nil
}

// WindowAction is what staff do to the ticket their window has called or
// is serving.
type WindowAction struct {
	Kind     queue.ActionKind
	ToQueue  string
	ToWindow int
	Return   bool
	HoldFor  int // seconds
	Reason   string
}

// Act applies a recall, start, finish, no-show, transfer or hold to the
// window's current ticket.
func (s *Store) Act(ctx context.Context, a Actor, window int, act WindowAction) (Ticket, error) {
	defer s.forgetQueues() // service times, open windows or names change
	switch act.Kind {
	case queue.Recall, queue.Start, queue.Finish, queue.MarkNoShow, queue.Transfer, queue.Hold:
	default:
		return Ticket{}, fmt.Errorf("%w: %q is not a window action", ErrInvalid, act.Kind)
	}
	var out Ticket
	err := s.write(ctx, func(tx *Tx) error {
		w, err := tx.window(window)
		if err != nil {
			return err
		}
		if err := w.mayWork(a); err != nil {
			return err
		}
		t, ok, err := tx.current(w)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: window %d has no called or serving ticket: call one first", ErrConflict, w.Number)
		}
		st, err := loadSettings(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		qa := queue.Action{Kind: act.Kind, Window: w.code(), ToQueue: strings.ToUpper(act.ToQueue),
			Return: act.Return, Reason: act.Reason}
		if act.Kind == queue.Hold {
			qa.HoldFor = secondsDuration(act.HoldFor)
		}
		if act.Kind == queue.Transfer {
			if err := tx.checkTransfer(t, &qa, act.ToWindow); err != nil {
				return err
			}
		}
		next, err := queue.Apply(t.Ticket, qa, st.Rules(), tx.now)
		if err != nil {
			return err
		}
		out = t
		out.Ticket = next
		if err := tx.saveTicket(out); err != nil {
			return err
		}
		if err := tx.ticketEvent(t.ID, string(act.Kind), t.State, next.State, w.code(), a, false, act.Reason); err != nil {
			return err
		}
		typ := EventTicketChanged
		if act.Kind == queue.Recall {
			typ = EventTicketRecalled
		}
		ev := Event{Type: typ, At: tx.now, Number: t.Number, Day: t.Day, Queue: next.Queue, Window: w.code(), State: string(next.State)}
		if act.Kind == queue.Transfer || next.State == queue.Transferred {
			ev.FromQueue, ev.FromWindow, ev.Window = t.Queue, w.code(), next.TargetWindow
		}
		tx.Emit(ev)
		return tx.Audit(a, "ticket."+string(act.Kind), "ticket", strconv.FormatInt(t.ID, 10), t.auditView(), out.auditView())
	})
	return out, err
}

// checkTransfer validates a transfer's target and fills qa.ToWindow.
func (tx *Tx) checkTransfer(t Ticket, qa *queue.Action, toWindow int) error {
	if qa.ToQueue == "" && toWindow == 0 {
		return fmt.Errorf("%w: a transfer needs a queue or a window to go to", ErrInvalid)
	}
	targetQueue := t.Queue
	if qa.ToQueue != "" {
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM queues WHERE code = ?", qa.ToQueue).Scan(&n); err != nil {
			return fmt.Errorf("store: transfer: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("%w: there is no queue %s", ErrInvalid, qa.ToQueue)
		}
		targetQueue = qa.ToQueue
	}
	if toWindow != 0 {
		tw, err := tx.window(toWindow)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: there is no window %d", ErrInvalid, toWindow)
		}
		if err != nil {
			return err
		}
		if !tw.serves(targetQueue) {
			return fmt.Errorf("%w: window %d does not serve queue %s: also choose one of its queues (%s)",
				ErrInvalid, toWindow, targetQueue, strings.Join(tw.Queues, ", "))
		}
		qa.ToWindow = tw.code()
	}
	return nil
}

// CancelTicket withdraws a waiting ticket.
func (s *Store) CancelTicket(ctx context.Context, a Actor, id int64, reason string) (Ticket, error) {
	var out Ticket
	err := s.write(ctx, func(tx *Tx) error {
		t, err := scanTicket(tx.QueryRow("SELECT "+ticketColumns+" FROM tickets WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no ticket %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("store: cancel ticket %d: %w", id, err)
		}
		st, err := loadSettings(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		next, err := queue.Apply(t.Ticket, queue.Action{Kind: queue.Cancel, Reason: reason}, st.Rules(), tx.now)
		if err != nil {
			return err
		}
		out = t
		out.Ticket = next
		if err := tx.saveTicket(out); err != nil {
			return err
		}
		if err := tx.ticketEvent(t.ID, "cancel", t.State, next.State, "", a, false, reason); err != nil {
			return err
		}
		tx.Emit(Event{Type: EventTicketChanged, At: tx.now, Number: t.Number, Day: t.Day, Queue: t.Queue, State: string(next.State)})
		return tx.Audit(a, "ticket.cancel", "ticket", strconv.FormatInt(t.ID, 10), t.auditView(), out.auditView())
	})
	return out, err
}

// OpenWindow opens a window for the acting staff member. A window another
// counter-staff member has open can be taken over only by a supervisor.
func (s *Store) OpenWindow(ctx context.Context, a Actor, window int) error {
	defer s.forgetQueues() // service times, open windows or names change
	return s.write(ctx, func(tx *Tx) error {
		w, err := tx.window(window)
		if err != nil {
			return err
		}
		if w.Open && w.StaffUser == a.UserID {
			return nil // already open for this person: nothing changes, nothing to audit
		}
		if w.Open && a.Role == "counter" {
			return fmt.Errorf("%w: window %d is open for another staff member: they close it first, or a supervisor takes it over", ErrConflict, window)
		}
		var staff any
		if a.UserID != 0 {
			staff = a.UserID
		}
		if _, err := tx.Exec("UPDATE windows SET open = 1, staff_user = ?, opened_at = ? WHERE number = ?", staff, ms(tx.now), window); err != nil {
			return fmt.Errorf("store: open window %d: %w", window, err)
		}
		tx.Emit(Event{Type: EventWindowChanged, At: tx.now, Window: w.code(), State: "open"})
		return tx.Audit(a, "window.open", "window", w.code(),
			map[string]any{"open": w.Open, "staff_user": w.StaffUser},
			map[string]any{"open": true, "staff_user": a.UserID})
	})
}

// CloseWindow closes a window; it must have no called or serving ticket.
func (s *Store) CloseWindow(ctx context.Context, a Actor, window int) error {
	defer s.forgetQueues() // service times, open windows or names change
	return s.write(ctx, func(tx *Tx) error {
		w, err := tx.window(window)
		if err != nil {
			return err
		}
		if !w.Open {
			return nil
		}
		if err := w.mayWork(a); err != nil {
			return err
		}
		if cur, busy, err := tx.current(w); err != nil {
			return err
		} else if busy {
			return fmt.Errorf("%w: window %d still has %s (%s): finish, transfer or hold it first", ErrConflict, window, cur.Number, cur.State)
		}
		if _, err := tx.Exec("UPDATE windows SET open = 0, staff_user = NULL WHERE number = ?", window); err != nil {
			return fmt.Errorf("store: close window %d: %w", window, err)
		}
		tx.Emit(Event{Type: EventWindowChanged, At: tx.now, Window: w.code(), State: "closed"})
		return tx.Audit(a, "window.close", "window", w.code(),
			map[string]any{"open": true, "staff_user": w.StaffUser}, map[string]any{"open": false})
	})
}

func secondsDuration(s int) time.Duration { return time.Duration(s) * time.Second }
