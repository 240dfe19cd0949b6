package idcard

import (
	"fmt"
	"time"
)

// Date is a calendar date as a card prints it (birth date, validity).
//
// The package keeps dates as dates rather than as a time.Time at midnight
// Asia/Shanghai: a date on a card has no time of day and no zone, and a
// time.Time would need the tz database on the kiosk and would carry
// China's 1986–1991 daylight-saving offsets into comparisons. Time
// converts when a time.Time is wanted. The zero Date means "none".
type Date struct {
	Year  int        // e.g. 1990
	Month time.Month // 1–12
	Day   int        // 1–31
}

// ChinaTime is China Standard Time (UTC+8, no daylight saving since
// 1991), the zone Today and Date.Time use by default.
var ChinaTime = time.FixedZone("CST", 8*3600)

// ParseDate parses the YYYYMMDD form of the card text. It rejects
// anything that is not a real calendar date.
func ParseDate(s string) (Date, error) {
	if len(s) != 8 {
		return Date{}, fmt.Errorf("idcard: date %q: want 8 digits YYYYMMDD", s)
	}
	v := 0
	for i := 0; i < 8; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return Date{}, fmt.Errorf("idcard: date %q: want 8 digits YYYYMMDD", s)
		}
		v = v*10 + int(c-'0')
	}
	d := Date{Year: v / 10000, Month: time.Month(v / 100 % 100), Day: v % 100}
	if !d.valid() {
		return Date{}, fmt.Errorf("idcard: date %q: no such day", s)
	}
	return d, nil
}

// valid reports whether d is a real calendar date.
func (d Date) valid() bool {
	if d.Year < 1 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Day() == d.Day && t.Month() == d.Month
}

// DateOf is the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Today is the current date in China.
func Today() Date { return DateOf(time.Now().In(ChinaTime)) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as 2006-01-02, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Compact formats d as the card stores it, 20060102.
func (d Date) Compact() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// Time is midnight of d in loc; nil means ChinaTime.
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = ChinaTime
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Compare returns -1, 0 or +1 as d is before, the same as or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
