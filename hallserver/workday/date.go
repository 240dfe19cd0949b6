package workday

import (
	"fmt"
	"time"

	_ "time/tzdata" // Asia/Shanghai must load on hosts without a zoneinfo database
)

// Location is the halls' time zone, Asia/Shanghai: a time's date, and so
// whether it falls on a working day, is its civil date there whatever the
// host's zone is.
var Location = mustLoadLocation("Asia/Shanghai")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Cannot happen with time/tzdata embedded.
		panic(fmt.Sprintf("workday: load time zone %s: %v", name, err))
	}
	return loc
}

// unixEpochDay is the day number of 1970-01-01 counted from 0001-01-01.
const unixEpochDay = 719162

// Date is a civil date (proleptic Gregorian) with no time of day and no time
// zone, so that adding days never meets a daylight-saving or zone problem.
// Dates are comparable with == and usable as map keys. The zero Date is
// 0001-01-01 (see IsZero). In JSON and text a Date is "YYYY-MM-DD".
type Date struct {
	n int // days since 0001-01-01, which was a Monday
}

// NewDate returns the date year-month-day. Out-of-range values are
// normalized as time.Date does (month 13 of 2026 is January 2027); use
// ParseDate to reject them.
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Date{n: int(floorDiv(t.Unix(), 86400)) + unixEpochDay}
}

// DateOf returns the civil date of t in Location (Asia/Shanghai).
func DateOf(t time.Time) Date {
	y, m, d := t.In(Location).Date()
	return NewDate(y, m, d)
}

// ParseDate parses a date written YYYY-MM-DD with a four-digit year,
// two-digit month and day, and a day that exists in that month.
func ParseDate(s string) (Date, error) {
	if len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("workday: date %q: write it as YYYY-MM-DD, e.g. 2026-02-13", s)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("workday: date %q is not a valid YYYY-MM-DD date: %w", s, err)
	}
	return NewDate(t.Date()), nil
}

// time returns midnight UTC of d, for field extraction.
func (d Date) time() time.Time {
	return time.Unix(int64(d.n-unixEpochDay)*86400, 0).UTC()
}

// Date returns the year, month and day of d.
func (d Date) Date() (year int, month time.Month, day int) { return d.time().Date() }

// Year returns the year of d.
func (d Date) Year() int { return d.time().Year() }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.time().Month() }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.time().Day() }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Weekday(floorMod(int64(d.n)+1, 7)) // day 0 was a Monday
}

// IsWeekend reports whether d is a Saturday or a Sunday.
func (d Date) IsWeekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// AddDays returns d plus n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return Date{n: d.n + n} }

// Sub returns the number of calendar days from u to d (d − u).
func (d Date) Sub(u Date) int { return d.n - u.n }

// Before reports whether d is before u.
func (d Date) Before(u Date) bool { return d.n < u.n }

// After reports whether d is after u.
func (d Date) After(u Date) bool { return d.n > u.n }

// Equal reports whether d and u are the same date (as does d == u).
func (d Date) Equal(u Date) bool { return d.n == u.n }

// Compare returns -1 if d is before u, 0 if they are equal and +1 if d is
// after u, for slices.SortFunc and the like.
func (d Date) Compare(u Date) int {
	switch {
	case d.n < u.n:
		return -1
	case d.n > u.n:
		return 1
	}
	return 0
}

// IsZero reports whether d is the zero Date, 0001-01-01.
func (d Date) IsZero() bool { return d.n == 0 }

// Start returns the moment d begins: midnight in Location.
func (d Date) Start() time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, Location)
}

// String returns d as YYYY-MM-DD.
func (d Date) String() string { return d.time().Format(time.DateOnly) }

// MarshalText returns d as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a YYYY-MM-DD date, as ParseDate does.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
