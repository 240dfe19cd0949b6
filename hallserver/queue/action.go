package queue

import (
	"fmt"
	"slices"
	"time"
)

// ActionKind is what staff (or the citizen, for Cancel) do to a ticket.
type ActionKind string

// The actions. All but Cancel are taken by a window (Action.Window).
const (
	Call       ActionKind = "call"     // announce a waiting ticket for the window
	Recall     ActionKind = "recall"   // announce a called ticket again
	Start      ActionKind = "start"    // the citizen has arrived: service begins
	Finish     ActionKind = "finish"   // service is over
	MarkNoShow ActionKind = "no_show"  // the citizen did not come
	Transfer   ActionKind = "transfer" // send to another queue and/or window
	Hold       ActionKind = "hold"     // put aside for a while (e.g. to fetch a document)
	Cancel     ActionKind = "cancel"   // withdraw a waiting ticket
)

// Action is one action on one ticket.
type Action struct {
	Kind ActionKind

	// Window is the code of the acting window. It is required for every
	// kind but Cancel, and for Recall, Start, Finish, MarkNoShow, Transfer
	// and Hold it must be the window the ticket is called to.
	Window string

	// ToQueue and ToWindow are the destination of a Transfer; at least one
	// is required. An empty ToQueue keeps the ticket's queue; a ToWindow
	// reserves the ticket for that window.
	ToQueue  string
	ToWindow string

	// Return, on a Transfer, sends the ticket back to the acting window's
	// queue and window once it is finished at the destination. On a Hold,
	// it reserves the ticket for the acting window when the hold ends.
	Return bool

	// HoldFor is how long a Hold lasts; it must be positive and at most
	// Rules.MaxHold.
	HoldFor time.Duration

	// Reason is the staff member's note. Apply does not read it; the store
	// records it with the transition.
	Reason string
}

// Rules are the hall's settings that limit actions.
type Rules struct {
	// NoShowAfterRecalls is how many recalls a ticket must have had since
	// its latest call before it may be marked a no-show (0: at once).
	NoShowAfterRecalls int

	// MaxHold is the longest a ticket may be held. Zero or less forbids
	// holding.
	MaxHold time.Duration
}

// DefaultRules returns the rules used when a hall has set none: no-show at
// once, holds of up to 4 hours.
func DefaultRules() Rules {
	return Rules{NoShowAfterRecalls: 0, MaxHold: 4 * time.Hour}
}

// Apply returns the ticket that results from applying a to t at time now
// under rules r, or a *TransitionError (matching ErrInvalidTransition)
// saying in plain words why the action is refused; with an error, the
// ticket returned is t as it was. t itself is never changed.
//
// Whether a.Window, a.ToQueue or a.ToWindow exist, and whether the window
// serves the ticket's queue, is for the caller to check; Apply knows only
// the ticket.
//
// Apply keeps a ticket's pending return (ReturnQueue, ReturnWindow) across
// a transfer without Return, so a citizen sent on from a second desk still
// goes back to the first; a transfer with Return while a return is pending
// is refused, since the ticket can remember only one way back.
func Apply(t Ticket, a Action, r Rules, now time.Time) (Ticket, error) {
	refuse := func(format string, args ...any) (Ticket, error) {
		return t, &TransitionError{Number: t.Number, From: t.State, Action: a.Kind, Reason: fmt.Sprintf(format, args...)}
	}
	switch a.Kind {
	case Call, Recall, Start, Finish, MarkNoShow, Transfer, Hold, Cancel:
	default:
		return refuse("unknown action %q", string(a.Kind))
	}
	if t.State.Final() {
		return refuse("%s", describe(t))
	}
	if a.Kind != Cancel && a.Window == "" {
		return refuse("no window given for the action")
	}

	// atWindow reports whether t is in one of the states want at the
	// acting window; if not, it says why in words.
	atWindow := func(want ...State) (ok bool, reason string) {
		if !slices.Contains(want, t.State) {
			return false, describe(t)
		}
		if t.Window != a.Window {
			return false, fmt.Sprintf("%s, not window %s", describe(t), a.Window)
		}
		return true, ""
	}

	n := t
	switch a.Kind {
	case Call:
		if !slices.Contains([]State{Issued, Transferred, Held}, t.State) {
			return refuse("%s", describe(t))
		}
		if t.TargetWindow != "" && t.TargetWindow != a.Window {
			return refuse("ticket is reserved for window %s", t.TargetWindow)
		}
		n.State = Called
		n.Window = a.Window
		n.CalledAt = now
		n.Recalls = 0
		n.TargetWindow = ""
		n.HoldUntil = time.Time{}

	case Recall:
		if ok, why := atWindow(Called, Recalled); !ok {
			return refuse("%s", why)
		}
		n.State = Recalled
		n.Recalls++

	case Start:
		if ok, why := atWindow(Called, Recalled); !ok {
			return refuse("%s", why)
		}
		n.State = Serving
		n.StartedAt = now

	case Finish:
		if ok, why := atWindow(Serving); !ok {
			return refuse("%s", why)
		}
		if t.ReturnQueue == "" {
			n.State = Done
			n.FinishedAt = now
			break
		}
		n.State = Transferred
		n.Queue = t.ReturnQueue
		n.TargetWindow = t.ReturnWindow
		n.QueuedAt = now
		n.Window = ""
		n.ReturnQueue = ""
		n.ReturnWindow = ""

	case MarkNoShow:
		if ok, why := atWindow(Called, Recalled); !ok {
			return refuse("%s", why)
		}
		if more := r.NoShowAfterRecalls - t.Recalls; more > 0 {
			return refuse("recall the ticket %d more %s before marking it a no-show", more, plural(more, "time", "times"))
		}
		n.State = NoShow
		n.FinishedAt = now

	case Transfer:
		if ok, why := atWindow(Called, Recalled, Serving); !ok {
			return refuse("%s", why)
		}
		if a.ToQueue == "" && a.ToWindow == "" {
			return refuse("no queue or window to transfer to")
		}
		if a.ToWindow == a.Window {
			return refuse("cannot transfer to window %s, the window acting", a.Window)
		}
		if a.Return && t.ReturnQueue != "" {
			return refuse("ticket already goes back to queue %s when finished; transfer it without return", t.ReturnQueue)
		}
		n.State = Transferred
		if a.ToQueue != "" {
			n.Queue = a.ToQueue
		}
		n.TargetWindow = a.ToWindow
		if a.Return {
			n.ReturnQueue = t.Queue
			n.ReturnWindow = t.Window
		}
		n.QueuedAt = now
		n.Window = ""

	case Hold:
		if ok, why := atWindow(Called, Recalled, Serving); !ok {
			return refuse("%s", why)
		}
		switch {
		case r.MaxHold <= 0:
			return refuse("holding tickets is not allowed in this hall")
		case a.HoldFor <= 0:
			return refuse("hold time must be positive, not %s", formatDuration(a.HoldFor))
		case a.HoldFor > r.MaxHold:
			return refuse("hold time %s is longer than the maximum %s", formatDuration(a.HoldFor), formatDuration(r.MaxHold))
		}
		n.State = Held
		n.HoldUntil = now.Add(a.HoldFor)
		if a.Return {
			n.TargetWindow = t.Window
		} else {
			n.TargetWindow = ""
		}
		n.QueuedAt = now
		n.Window = ""

	case Cancel:
		if !slices.Contains([]State{Issued, Transferred, Held}, t.State) {
			return refuse("%s; only a waiting ticket can be cancelled", describe(t))
		}
		n.State = Cancelled
		n.FinishedAt = now
	}
	return n, nil
}

// Waiting reports whether t may be called at time now: it is Issued,
// Transferred, or Held with its hold run out.
func Waiting(t Ticket, now time.Time) bool {
	switch t.State {
	case Issued, Transferred:
		return true
	case Held:
		return !now.Before(t.HoldUntil)
	}
	return false
}

// pending reports whether t is in a waiting state, counting Held tickets
// whose hold has not run out yet.
func pending(t Ticket) bool {
	return t.State == Issued || t.State == Transferred || t.State == Held
}

// describe says in plain words where t is, for refusals.
func describe(t Ticket) string {
	switch t.State {
	case Issued:
		return "ticket is waiting and has not been called"
	case Transferred:
		return "ticket is waiting after a transfer and has not been called"
	case Held:
		return "ticket is on hold until " + t.HoldUntil.In(Location).Format("15:04")
	case Called, Recalled:
		return "ticket is called to window " + t.Window
	case Serving:
		return "ticket is being served at window " + t.Window
	case Done:
		return "ticket has already been served"
	case NoShow:
		return "ticket was already marked a no-show"
	case Cancelled:
		return "ticket was cancelled"
	}
	return fmt.Sprintf("ticket is in unknown state %q", string(t.State))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
