package workday

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	"onestop/assets"
)

// Calendar answers working-day questions over the years it holds. It is
// immutable: Import returns a new Calendar. The zero Calendar holds no
// year and counts weekends only.
type Calendar struct {
	years map[int]*YearCalendar
	kind  map[Date]dayKind // dates a notice lists
	name  map[Date]string  // holiday name of each listed day off
	// adj lists, ascending, the dates where the notices change the
	// Monday-to-Friday rule (a weekday off, a weekend day worked), each
	// with the running total of those changes, so that WorkdaysBetween
	// is two binary searches.
	adj []adjust
}

type dayKind uint8

const (
	dayOff    dayKind = iota + 1 // a listed holiday
	dayWorked                    // a listed 调休 working day
)

type adjust struct {
	date Date
	cum  int // sum of the changes (−1 weekday off, +1 weekend worked) up to and including date
}

// New returns a Calendar of the given years. Each is validated; a year
// given twice, or a date that one year's calendar lists as a holiday and
// another's (through the New Year overlap) as a working day, is an error.
// The calendars are copied: changing them afterwards does not change the
// Calendar.
func New(years ...*YearCalendar) (*Calendar, error) {
	c := &Calendar{
		years: make(map[int]*YearCalendar, len(years)),
		kind:  map[Date]dayKind{},
		name:  map[Date]string{},
	}
	for i, y := range years {
		if y == nil {
			return nil, fmt.Errorf("workday: New: calendar %d of %d is nil; pass parsed calendars", i+1, len(years))
		}
		if err := y.Validate(); err != nil {
			return nil, err
		}
		if _, dup := c.years[y.Year]; dup {
			return nil, fmt.Errorf("workday: New: two calendars for %d; pass each year once (Import replaces a year)", y.Year)
		}
		c.years[y.Year] = y.clone()
	}
	var v validator
	for _, yr := range slices.Sorted(maps.Keys(c.years)) {
		y := c.years[yr]
		for _, h := range y.Holidays {
			for d := h.From; !d.After(h.To); d = d.AddDays(1) {
				if c.kind[d] == dayWorked {
					v.add("%s is a day off (%s) in the %d calendar but a working day in another; correct one of them", d, h.Name, yr)
					continue
				}
				c.kind[d] = dayOff
				if _, ok := c.name[d]; !ok {
					c.name[d] = h.Name
				}
			}
		}
		for _, d := range y.Workdays {
			if c.kind[d] == dayOff {
				v.add("%s is a working day in the %d calendar but a day off (%s) in another; correct one of them", d, yr, c.name[d])
				continue
			}
			c.kind[d] = dayWorked
		}
	}
	if err := v.err(0); err != nil {
		return nil, err
	}
	for d, k := range c.kind {
		switch {
		case k == dayOff && !d.IsWeekend():
			c.adj = append(c.adj, adjust{date: d, cum: -1})
		case k == dayWorked:
			c.adj = append(c.adj, adjust{date: d, cum: +1})
		}
	}
	slices.SortFunc(c.adj, func(a, b adjust) int { return a.date.Compare(b.date) })
	for i := 1; i < len(c.adj); i++ {
		c.adj[i].cum += c.adj[i-1].cum
	}
	return c, nil
}

// Default returns the Calendar of the holiday files embedded in package
// assets (assets/holidays/YYYY.json). Each file must be named after the
// year it holds.
func Default() (*Calendar, error) {
	files, err := assets.HolidayFiles()
	if err != nil {
		return nil, fmt.Errorf("workday: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("workday: no holiday calendars embedded; add assets/holidays/YYYY.json")
	}
	var years []*YearCalendar
	for _, name := range slices.Sorted(maps.Keys(files)) {
		y, err := Parse(files[name])
		if err != nil {
			return nil, fmt.Errorf("workday: %s/%s: %w", assets.HolidaysDir, name, err)
		}
		if want := fmt.Sprintf("%d.json", y.Year); name != want {
			return nil, fmt.Errorf("workday: %s/%s holds the calendar for %d; rename it %s", assets.HolidaysDir, name, y.Year, want)
		}
		years = append(years, y)
	}
	return New(years...)
}

// IsWorkday reports whether d is a working day: Monday to Friday unless a
// listed holiday, Saturday or Sunday only if listed as a working day. A
// date in a year without a calendar is a working day when it is Monday to
// Friday (see Day for whether it is covered).
func (c *Calendar) IsWorkday(d Date) bool {
	switch c.kind[d] {
	case dayOff:
		return false
	case dayWorked:
		return true
	}
	return !d.IsWeekend()
}

// DayInfo describes one date in a Calendar.
type DayInfo struct {
	Date    Date
	Workday bool
	// Holiday is the holiday's name when Date is a listed day off.
	Holiday string
	// Makeup is true when Date is a Saturday or Sunday listed as a working
	// day (调休上班).
	Makeup bool
	// Covered is false when no calendar holds Date's year: Workday then
	// follows the weekends only and may be wrong.
	Covered bool
	// Provisional is true when Date's year is covered by a provisional
	// calendar only.
	Provisional bool
}

// Day describes d: whether it is a working day, why, and how sure that is.
func (c *Calendar) Day(d Date) DayInfo {
	cov, prov := c.Covered(d.Year())
	return DayInfo{
		Date:        d,
		Workday:     c.IsWorkday(d),
		Holiday:     c.name[d],
		Makeup:      c.kind[d] == dayWorked,
		Covered:     cov,
		Provisional: prov,
	}
}

// Covered reports whether the Calendar holds a calendar for year, and
// whether that calendar is provisional.
func (c *Calendar) Covered(year int) (covered, provisional bool) {
	y, ok := c.years[year]
	if !ok {
		return false, false
	}
	return true, y.Provisional
}

// Provisional reports whether any date from a to b (inclusive, in either
// order) lies in a year that has no calendar or a provisional one, so that
// a count or deadline over that span may change when the year's notice
// is imported.
func (c *Calendar) Provisional(a, b Date) bool {
	if b.Before(a) {
		a, b = b, a
	}
	for y := a.Year(); y <= b.Year(); y++ {
		if cov, prov := c.Covered(y); !cov || prov {
			return true
		}
	}
	return false
}

// Years returns the years the Calendar holds, ascending.
func (c *Calendar) Years() []int { return slices.Sorted(maps.Keys(c.years)) }

// Year returns a copy of the calendar for year, if the Calendar holds one.
func (c *Calendar) Year(year int) (*YearCalendar, bool) {
	y, ok := c.years[year]
	if !ok {
		return nil, false
	}
	return y.clone(), true
}

// adjustUpTo returns the sum of the notices' changes to the
// Monday-to-Friday rule over all dates up to and including d.
func (c *Calendar) adjustUpTo(d Date) int {
	i := sort.Search(len(c.adj), func(i int) bool { return c.adj[i].date.After(d) })
	if i == 0 {
		return 0
	}
	return c.adj[i-1].cum
}
