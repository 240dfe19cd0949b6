package workday

// AddWorkdays returns the n-th working day after start: start itself when
// n is 0, else the date on which n working days have passed, counting from
// the day after start as the Administrative Licensing Law does (so
// AddWorkdays(acceptance, 20) is the last day of a 20-working-day limit).
// start need not be a working day. A negative n counts back: the result
// is the |n|-th working day before start.
//
// Dates in years without a calendar count weekends only; check
// Provisional(start, result) before presenting the result as final.
func (c *Calendar) AddWorkdays(start Date, n int) Date {
	d := start
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkday(d) {
			n--
		}
	}
	for n < 0 {
		d = d.AddDays(-1)
		if c.IsWorkday(d) {
			n++
		}
	}
	return d
}

// WorkdaysBetween returns the number of working days in (a, b]: after a,
// up to and including b. It is 0 when a == b and negative when b is
// before a (−WorkdaysBetween(b, a)). For n ≥ 0,
// WorkdaysBetween(a, AddWorkdays(a, n)) == n.
func (c *Calendar) WorkdaysBetween(a, b Date) int {
	if b.Before(a) {
		return -c.WorkdaysBetween(b, a)
	}
	return weekdaysBefore(b.AddDays(1)) - weekdaysBefore(a.AddDays(1)) +
		c.adjustUpTo(b) - c.adjustUpTo(a)
}

// weekdaysBefore returns the number of Mondays to Fridays from 0001-01-01
// (a Monday) up to but excluding d; negative for dates before it.
func weekdaysBefore(d Date) int {
	weeks := floorDiv(int64(d.n), 7)
	rest := int(int64(d.n) - weeks*7) // 0 = Monday … 6 = Sunday
	return int(weeks)*5 + min(rest, 5)
}
