package workday

import (
	"fmt"
	"slices"
	"strings"
)

// Import parses one year's calendar from JSON (see Parse) and returns a new
// Calendar with that year added or replaced, and what changed; c itself is
// unchanged. This is how an administrator brings in the State Council's
// notice when it is published: the hall server stores the JSON and calls
// Import again at start-up.
//
// A provisional calendar cannot replace an official one: re-import the
// official notice (corrected if need be) instead.
func (c *Calendar) Import(data []byte) (*Calendar, Change, error) {
	y, err := Parse(data)
	if err != nil {
		return nil, Change{}, err
	}
	return c.Replace(y)
}

// Replace is Import for a calendar already parsed or built in code.
func (c *Calendar) Replace(y *YearCalendar) (*Calendar, Change, error) {
	if y == nil {
		return nil, Change{}, fmt.Errorf("workday: Replace: nil calendar; pass a parsed calendar")
	}
	old := c.years[y.Year]
	if old != nil && !old.Provisional && y.Provisional {
		return nil, Change{}, fmt.Errorf("workday: import %d: the calendar held is official (%s); a provisional one may not replace it, import the official notice instead", y.Year, old.Source)
	}
	years := []*YearCalendar{y}
	for yr, other := range c.years {
		if yr != y.Year {
			years = append(years, other)
		}
	}
	next, err := New(years...)
	if err != nil {
		return nil, Change{}, fmt.Errorf("workday: import %d: %w", y.Year, err)
	}
	ch := Change{Year: y.Year, Provisional: y.Provisional}
	var oldOff, oldWorked []Date
	if old != nil {
		ch.Replaced, ch.WasProvisional = true, old.Provisional
		oldOff = old.holidayDates()
		oldWorked = sortedDates(old.Workdays)
	}
	ch.HolidaysAdded, ch.HolidaysRemoved = diffDates(oldOff, y.holidayDates())
	ch.WorkdaysAdded, ch.WorkdaysRemoved = diffDates(oldWorked, sortedDates(y.Workdays))
	return next, ch, nil
}

// Change is what an Import did to one year. Dates are ascending.
type Change struct {
	Year int
	// Replaced is true when the Calendar already held a calendar for Year.
	Replaced bool
	// WasProvisional tells whether the replaced calendar was provisional,
	// Provisional whether the imported one is.
	WasProvisional, Provisional bool
	// HolidaysAdded and HolidaysRemoved are the days off gained and lost.
	HolidaysAdded, HolidaysRemoved []Date
	// WorkdaysAdded and WorkdaysRemoved are the 调休 working days gained
	// and lost.
	WorkdaysAdded, WorkdaysRemoved []Date
}

// Unchanged reports whether no date changed status (the source, note or
// holiday names may still differ).
func (ch Change) Unchanged() bool {
	return len(ch.HolidaysAdded)+len(ch.HolidaysRemoved)+len(ch.WorkdaysAdded)+len(ch.WorkdaysRemoved) == 0
}

// String summarizes the change on one line for a log or an admin page, e.g.
// "2027: provisional calendar replaced by official; days off +9 (2027-02-09, …) −1 (2027-02-05); working days +3 (…)".
func (ch Change) String() string {
	var b strings.Builder
	kind := func(prov bool) string {
		if prov {
			return "provisional"
		}
		return "official"
	}
	switch {
	case ch.Replaced:
		fmt.Fprintf(&b, "%d: %s calendar replaced by %s", ch.Year, kind(ch.WasProvisional), kind(ch.Provisional))
	default:
		fmt.Fprintf(&b, "%d: %s calendar added", ch.Year, kind(ch.Provisional))
	}
	if ch.Unchanged() {
		b.WriteString("; no date changed")
		return b.String()
	}
	list := func(label string, added, removed []Date) {
		if len(added)+len(removed) == 0 {
			return
		}
		fmt.Fprintf(&b, "; %s", label)
		if len(added) > 0 {
			fmt.Fprintf(&b, " +%d (%s)", len(added), joinDates(added))
		}
		if len(removed) > 0 {
			fmt.Fprintf(&b, " −%d (%s)", len(removed), joinDates(removed))
		}
	}
	list("days off", ch.HolidaysAdded, ch.HolidaysRemoved)
	list("working days", ch.WorkdaysAdded, ch.WorkdaysRemoved)
	return b.String()
}

func joinDates(ds []Date) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}

func sortedDates(ds []Date) []Date {
	s := slices.Clone(ds)
	slices.SortFunc(s, Date.Compare)
	return slices.Compact(s)
}

// diffDates returns the dates in b but not a, and in a but not b; both
// inputs ascending and without duplicates.
func diffDates(a, b []Date) (added, removed []Date) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].Before(b[j])):
			removed = append(removed, a[i])
			i++
		case i == len(a) || b[j].Before(a[i]):
			added = append(added, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}
