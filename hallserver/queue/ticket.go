// Package queue is the hall's queue engine: ticket states and their
// transitions, daily numbering, the order in which windows call tickets
// (the priority policy) and wait estimates. It is pure logic: no I/O, no
// clock of its own (every function takes "now"), so the store can run it
// inside a database transaction and tests can drive it with tables.
package queue

import (
	"errors"
	"fmt"
	"time"
)

// State is where a ticket is in its life.
type State string

// The ticket states. Issued, Transferred and (once its hold has run out)
// Held tickets are waiting to be called; Done, NoShow and Cancelled are final.
const (
	Issued      State = "issued"      // taken at a kiosk or counter, waiting
	Called      State = "called"      // announced for a window
	Recalled    State = "recalled"    // announced again for the same window
	Serving     State = "serving"     // the citizen is at the window
	Done        State = "done"        // served
	NoShow      State = "no_show"     // called, never came
	Cancelled   State = "cancelled"   // withdrawn before being called
	Transferred State = "transferred" // sent to another queue or window, waiting there
	Held        State = "held"        // put aside; waits again once HoldUntil has passed
)

// Final reports whether no action can move a ticket out of s.
func (s State) Final() bool { return s == Done || s == NoShow || s == Cancelled }

// Priority is a ticket's priority class; the empty string is a regular ticket.
type Priority string

// Priority classes seen in halls. The policy decides how they are ordered.
const (
	Regular     Priority = ""
	Elderly     Priority = "elderly"     // 70 and over, from the ID card's birth date
	Disabled    Priority = "disabled"    // 残疾人
	Pregnant    Priority = "pregnant"    // 孕妇
	Appointment Priority = "appointment" // 预约
	GreenLane   Priority = "green"       // 绿色通道
)

// Ticket is one queue number and everything that happened to it that the
// engine needs. The store keeps every transition with its own timestamp as
// well; the fields here are the latest of each.
type Ticket struct {
	ID       int64
	Queue    string // code of the queue the ticket waits in now (e.g. "A")
	Day      string // service day, YYYY-MM-DD in the hall's time zone
	Seq      int    // 1-based number within Queue's original queue and Day
	Number   string // the printed number, e.g. "A001"
	Priority Priority
	State    State

	IssuedAt   time.Time // when the citizen took the number; the queue's FIFO key
	QueuedAt   time.Time // when it last entered a waiting state
	CalledAt   time.Time // latest call (zero if never called)
	StartedAt  time.Time // latest start of service
	FinishedAt time.Time // when it reached Done, NoShow or Cancelled

	Window       string    // window it is called to or served at (empty while waiting)
	TargetWindow string    // while waiting: only this window may call it (empty: any window serving Queue)
	ReturnQueue  string    // after a transfer with return: where it goes back to when finished
	ReturnWindow string    // ... and which window should take it back (may be empty)
	HoldUntil    time.Time // while Held: when it waits again
	Recalls      int       // recalls since the latest call
}

// ErrInvalidTransition is matched (errors.Is) by every *TransitionError.
var ErrInvalidTransition = errors.New("queue: invalid transition")

// TransitionError says which action a ticket in which state refused, and why.
type TransitionError struct {
	Number string
	From   State
	Action ActionKind
	Reason string // plain words for staff, e.g. "ticket is being served at window 3"
}

// Error says, for logs and staff, what was refused and why.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("queue: cannot %s ticket %s in state %s: %s", e.Action, e.Number, e.From, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }
