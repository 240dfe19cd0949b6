package workday

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Application is what the clock needs to know about an application (办件).
type Application struct {
	// Accepted is when the application was accepted (受理). The acceptance
	// day itself never counts.
	Accepted time.Time
	// LegalDays is the item's legal limit (法定时限) and PromisedDays its
	// promised limit (承诺时限), in working days, 0 ≤ PromisedDays ≤
	// LegalDays. An instant item (即办件) promises 0: it is due the day
	// it is accepted.
	LegalDays, PromisedDays int
	// Events are the clock events so far, in time order. Events after the
	// time the clock is read are ignored, so reading at an earlier time
	// replays history.
	Events []Event
}

// EventKind is what a clock Event does.
type EventKind int

// The clock events. PauseStart and Restart come in pairs, as do Suspend
// and Resume; neither pair may overlap the other.
const (
	// PauseStart stops the clock when missing materials are requested
	// (补正告知).
	PauseStart EventKind = iota + 1
	// Restart starts the clock again from zero when the materials arrive
	// (补正材料收到): days used count from the day after.
	Restart
	// Suspend stops the clock for time the law does not count: hearing,
	// testing, inspection, appraisal, expert review (行政许可法第四十五条).
	Suspend
	// Resume ends a suspension: counting resumes the day after.
	Resume
	// Extend lengthens the limits by Event.Days (legal) and
	// Event.PromisedDays (promised) working days. Extensions hold across
	// a 补正 restart.
	Extend
)

var kindNames = map[EventKind]string{
	PauseStart: "PauseStart", Restart: "Restart", Suspend: "Suspend", Resume: "Resume", Extend: "Extend",
}

// String returns the event kind's Go name ("PauseStart", …).
func (k EventKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one change to an application's clock.
type Event struct {
	Kind EventKind
	At   time.Time
	// Days is, for Extend, the working days added to the legal limit.
	Days int
	// PromisedDays is, for Extend, the working days added to the promised
	// limit; 0 leaves the promised limit unchanged.
	PromisedDays int
	// Note says why (e.g. "专家评审"); a stopped clock reports the note of
	// the event that stopped it.
	Note string
}

// Policy sets when the clock warns.
type Policy struct {
	// YellowFraction: yellow when the promised days left are at most this
	// fraction of the promised limit (0.2: 4 of 20 days). 0 ≤ f ≤ 1.
	YellowFraction float64
	// YellowDays: yellow when at most this many promised days are left,
	// whatever the fraction (1: due today or on the next working day).
	YellowDays int
}

// DefaultPolicy returns the default warning policy: yellow when 20 % of
// the promised limit or 1 working day is left, whichever is more. The 20 %
// gives a long item (20 days) a working week's notice; the 1 day keeps a
// short item (≤ 5 days) from going red without a warning the day before.
func DefaultPolicy() Policy { return Policy{YellowFraction: 0.2, YellowDays: 1} }

// Stop tells whether the clock runs and, if not, why.
type Stop int

const (
	// Running: the clock counts working days.
	Running Stop = iota
	// AwaitingMaterials: stopped since PauseStart (补正); will restart
	// from zero when the materials arrive.
	AwaitingMaterials
	// Suspended: stopped since Suspend; will carry on when resumed.
	Suspended
)

// String returns "running", "awaiting materials" or "suspended".
func (s Stop) String() string {
	switch s {
	case Running:
		return "running"
	case AwaitingMaterials:
		return "awaiting materials"
	case Suspended:
		return "suspended"
	}
	return fmt.Sprintf("Stop(%d)", int(s))
}

// Warning is the electronic supervision (电子监察) warning level.
type Warning int

const (
	// NoWarning: time enough left.
	NoWarning Warning = iota
	// Yellow (黄牌): the promised limit is nearly used (see Policy).
	Yellow
	// Red (红牌): the promised limit is exceeded.
	Red
)

// String returns "none", "yellow" or "red".
func (w Warning) String() string {
	switch w {
	case NoWarning:
		return "none"
	case Yellow:
		return "yellow"
	case Red:
		return "red"
	}
	return fmt.Sprintf("Warning(%d)", int(w))
}

// Status is an application's clock read at one moment.
type Status struct {
	// Accepted is the acceptance date, Today the date the clock was read
	// (both in Location).
	Accepted, Today Date
	// Start is the day counting runs from (exclusive): the acceptance date,
	// or the day the materials of the last 补正 arrived.
	Start Date
	// Restarts counts the 补正 restarts so far.
	Restarts int
	// Used is the working days counted since Start: after Start, up to and
	// including Today (or the day the clock stopped), minus suspensions.
	Used int
	// Excluded is the working days not counted since Start because the
	// clock was suspended.
	Excluded int
	// LegalLimit and PromisedLimit are the limits after extensions.
	LegalLimit, PromisedLimit int
	// LegalLeft and PromisedLeft are the limits minus Used: 0 on the
	// deadline day ("due today"), negative once exceeded. While awaiting
	// materials they are frozen; the restart will give the full limits.
	LegalLeft, PromisedLeft int
	// LegalDeadline and PromisedDeadline are the last days of the limits.
	// When a limit is exceeded, the day it ran out. Otherwise projected:
	// while running, as if the clock runs on; while suspended, as if it
	// resumed today; while awaiting materials, as if they arrived today.
	LegalDeadline, PromisedDeadline Date
	// Stop is whether the clock runs; StoppedAt and StopNote are the time
	// and note of the event that stopped it.
	Stop      Stop
	StoppedAt time.Time
	StopNote  string
	// Warning is the promised limit's warning level.
	Warning Warning
	// OverLegal is true when the legal limit is exceeded.
	OverLegal bool
	// Provisional is true when the days from acceptance to the latest of
	// Today and the deadlines touch a year whose calendar is missing or
	// provisional: the figures may change when its notice is imported.
	Provisional bool
}

// Stopped reports whether the clock is stopped (see Stop for why).
func (s Status) Stopped() bool { return s.Stop != Running }

// ErrClock is matched (errors.Is) by every error Clock returns for
// inconsistent application data.
var ErrClock = errors.New("workday: clock")

// segment is a stretch of running clock: the working days in (from, to]
// count.
type segment struct{ from, to Date }

// Clock reads the application's clock at now with the warning policy p
// (nil for DefaultPolicy). See the package documentation for the rules.
// It returns an error wrapping ErrClock when the application's data is
// inconsistent: limits out of order, events out of time order or before
// acceptance, a Restart without a PauseStart, overlapping stops, and so on.
func (c *Calendar) Clock(app Application, now time.Time, p *Policy) (Status, error) {
	pol := DefaultPolicy()
	if p != nil {
		pol = *p
	}
	if err := checkApp(app, now, pol); err != nil {
		return Status{}, err
	}
	today := DateOf(now)
	st := Status{
		Accepted:      DateOf(app.Accepted),
		Today:         today,
		LegalLimit:    app.LegalDays,
		PromisedLimit: app.PromisedDays,
	}
	st.Start = st.Accepted
	var (
		segs      []segment
		from      = st.Start // start of the running segment
		suspended Date       // day of the open suspension
	)
	for i, e := range app.Events {
		if e.At.After(now) {
			break
		}
		d := DateOf(e.At)
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: events[%d] %s at %s: %s", ErrClock, i, e.Kind, e.At.In(Location).Format("2006-01-02 15:04"), fmt.Sprintf(format, args...))
		}
		switch e.Kind {
		case PauseStart, Suspend:
			if st.Stop != Running {
				return Status{}, bad("the clock is already stopped (%s since %s); end that first", st.Stop, st.StoppedAt.In(Location).Format("2006-01-02 15:04"))
			}
			segs = append(segs, segment{from, d})
			st.Stop, st.StoppedAt, st.StopNote = AwaitingMaterials, e.At, e.Note
			if e.Kind == Suspend {
				st.Stop, suspended = Suspended, d
			}
		case Restart:
			if st.Stop != AwaitingMaterials {
				return Status{}, bad("no PauseStart before it; record when the materials were requested")
			}
			segs, from, st.Start, st.Excluded = nil, d, d, 0
			st.Restarts++
			st.Stop, st.StoppedAt, st.StopNote = Running, time.Time{}, ""
		case Resume:
			if st.Stop != Suspended {
				return Status{}, bad("no Suspend before it")
			}
			st.Excluded += c.WorkdaysBetween(suspended, d)
			from = d
			st.Stop, st.StoppedAt, st.StopNote = Running, time.Time{}, ""
		case Extend:
			st.LegalLimit += e.Days
			st.PromisedLimit += e.PromisedDays
			if st.PromisedLimit > st.LegalLimit {
				return Status{}, bad("the promised limit becomes %d days, more than the legal %d; extend the legal limit too", st.PromisedLimit, st.LegalLimit)
			}
		}
	}
	switch st.Stop {
	case Running:
		segs = append(segs, segment{from, today})
	case Suspended:
		st.Excluded += c.WorkdaysBetween(suspended, today)
	}
	for _, s := range segs {
		st.Used += c.WorkdaysBetween(s.from, s.to)
	}
	st.PromisedLeft = st.PromisedLimit - st.Used
	st.LegalLeft = st.LegalLimit - st.Used

	var overPromised bool
	st.PromisedDeadline, overPromised = c.deadline(segs, st, st.PromisedLimit, st.PromisedLeft)
	st.LegalDeadline, st.OverLegal = c.deadline(segs, st, st.LegalLimit, st.LegalLeft)
	switch {
	case overPromised:
		st.Warning = Red
	case st.PromisedLimit > 0 && st.Stop != AwaitingMaterials && st.PromisedLeft <= pol.threshold(st.PromisedLimit):
		st.Warning = Yellow
	}
	last := today
	for _, d := range []Date{st.PromisedDeadline, st.LegalDeadline} {
		if d.After(last) {
			last = d
		}
	}
	st.Provisional = c.Provisional(st.Accepted, last)
	return st, nil
}

// deadline returns the last day of a limit and whether the limit is
// exceeded: whether that day ended while the clock was running, i.e. a
// running segment reaches past it. If not exceeded, the deadline is
// projected from today (see Status).
func (c *Calendar) deadline(segs []segment, st Status, limit, left int) (Date, bool) {
	counted := 0
	for i, s := range segs {
		n := c.WorkdaysBetween(s.from, s.to)
		if counted+n < limit {
			counted += n
			continue
		}
		d := c.AddWorkdays(s.from, limit-counted)
		for _, later := range segs[i:] {
			if later.to.After(d) && later.to.After(later.from) {
				return d, true
			}
		}
		break
	}
	if st.Stop == AwaitingMaterials {
		return c.AddWorkdays(st.Today, limit), false
	}
	return c.AddWorkdays(st.Today, max(left, 0)), false
}

// threshold returns the most promised days left that still warn yellow.
func (p Policy) threshold(limit int) int {
	frac := int(math.Floor(p.YellowFraction*float64(limit) + 1e-9))
	return max(p.YellowDays, frac)
}

func checkApp(app Application, now time.Time, p Policy) error {
	switch {
	case math.IsNaN(p.YellowFraction) || p.YellowFraction < 0 || p.YellowFraction > 1:
		return fmt.Errorf("%w: policy: yellow fraction %v is not between 0 and 1; use e.g. 0.2 for 20 %%", ErrClock, p.YellowFraction)
	case p.YellowDays < 0:
		return fmt.Errorf("%w: policy: yellow days %d is negative; use 0 or more", ErrClock, p.YellowDays)
	case app.Accepted.IsZero():
		return fmt.Errorf("%w: acceptance time is not set", ErrClock)
	case app.PromisedDays < 0 || app.LegalDays < 0:
		return fmt.Errorf("%w: limits legal %d, promised %d: a limit cannot be negative", ErrClock, app.LegalDays, app.PromisedDays)
	case app.PromisedDays > app.LegalDays:
		return fmt.Errorf("%w: promised limit %d exceeds legal limit %d; 承诺时限 may not exceed 法定时限", ErrClock, app.PromisedDays, app.LegalDays)
	case now.Before(app.Accepted):
		return fmt.Errorf("%w: read at %s, before acceptance at %s", ErrClock, now.In(Location).Format(time.DateTime), app.Accepted.In(Location).Format(time.DateTime))
	}
	prev := app.Accepted
	for i, e := range app.Events {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: events[%d] %s: %s", ErrClock, i, e.Kind, fmt.Sprintf(format, args...))
		}
		switch {
		case kindNames[e.Kind] == "":
			return bad("unknown kind; use PauseStart, Restart, Suspend, Resume or Extend")
		case e.At.IsZero():
			return bad("time is not set")
		case e.At.Before(app.Accepted):
			return bad("at %s, before acceptance at %s", e.At.In(Location).Format(time.DateTime), app.Accepted.In(Location).Format(time.DateTime))
		case e.At.Before(prev):
			return bad("at %s, before events[%d]; give the events in time order", e.At.In(Location).Format(time.DateTime), i-1)
		case e.Kind == Extend && (e.Days < 0 || e.PromisedDays < 0 || e.Days+e.PromisedDays == 0):
			return bad("extends by %d legal and %d promised days; give a positive number of days", e.Days, e.PromisedDays)
		case e.Kind != Extend && (e.Days != 0 || e.PromisedDays != 0):
			return bad("has days set, which only Extend uses")
		}
		prev = e.At
	}
	return nil
}
