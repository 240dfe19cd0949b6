package workday

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// ErrInvalid is matched (errors.Is) by every error Parse and
// YearCalendar.Validate return for a calendar that breaks a rule, and by
// New's error for calendars that contradict each other. The individual
// problems are joined beneath it.
var ErrInvalid = errors.New("workday: invalid holiday calendar")

// Limits on YearCalendar.Year: a year outside them is surely a typo.
const (
	MinYear = 2000
	MaxYear = 2100
)

// maxHolidayDays is the longest span accepted for one holiday; the longest
// ever (春节 2020, extended) was 10 days, so more is a mistyped month.
const maxHolidayDays = 31

// YearCalendar is one year's holiday arrangement, as published by the
// State Council or, when Provisional, as the law's statutory days only.
// Its JSON form is the file format of assets/holidays/YYYY.json:
//
//	{"year": 2026, "source": "国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)",
//	 "provisional": false, "note": "…",
//	 "holidays": [{"name": "春节", "from": "2026-02-15", "to": "2026-02-23"}, …],
//	 "workdays": ["2026-02-14", "2026-02-28", …]}
type YearCalendar struct {
	// Year is the year the notice arranges.
	Year int `json:"year"`
	// Source names the notice (title and publication date), or for a
	// provisional year what the dates were derived from.
	Source string `json:"source"`
	// Provisional marks a calendar that is not the official notice;
	// counts over its days are flagged provisional.
	Provisional bool `json:"provisional"`
	// Note is free text: what is provisional, errata, and so on.
	Note string `json:"note,omitempty"`
	// Holidays are the spans of days off, weekends inside them included.
	Holidays []Holiday `json:"holidays"`
	// Workdays are the Saturdays and Sundays worked in exchange (调休上班).
	Workdays []Date `json:"workdays"`
}

// Holiday is one holiday's span of days off, From to To inclusive.
type Holiday struct {
	Name string `json:"name"` // e.g. "春节"
	From Date   `json:"from"`
	To   Date   `json:"to"`
}

// rawYear mirrors YearCalendar with dates as strings, so that a bad date is
// reported with the entry that holds it.
type rawYear struct {
	Year        *int     `json:"year"`
	Source      string   `json:"source"`
	Provisional bool     `json:"provisional"`
	Note        string   `json:"note"`
	Holidays    []rawHD  `json:"holidays"`
	Workdays    []string `json:"workdays"`
}

type rawHD struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Parse decodes one year's calendar from JSON (the format of
// YearCalendar) and validates it. Unknown fields and trailing data are
// errors, so a misspelt key ("holiday") is reported instead of silently
// read as an empty list. Every problem is reported at once, each naming
// the entry ("holidays[1] 春节", "workdays[0]") and what to fix.
func Parse(data []byte) (*YearCalendar, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var raw rawYear
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("workday: decode holiday calendar (JSON with year, source, provisional, note, holidays, workdays): %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("workday: decode holiday calendar: data after the calendar object; a file holds one year")
	}
	var v validator
	if raw.Year == nil {
		v.add("year is missing; add \"year\": YYYY")
	}
	y := &YearCalendar{Source: raw.Source, Provisional: raw.Provisional, Note: raw.Note}
	if raw.Year != nil {
		y.Year = *raw.Year
	}
	date := func(where, s string) Date {
		if s == "" {
			v.add("%s: date is missing; write it as YYYY-MM-DD", where)
			return Date{}
		}
		d, err := ParseDate(s)
		if err != nil {
			v.add("%s: %q is not a date; write it as YYYY-MM-DD, e.g. %d-02-13", where, s, y.Year)
		}
		return d
	}
	for i, h := range raw.Holidays {
		id := holidayID(i, h.Name)
		y.Holidays = append(y.Holidays, Holiday{
			Name: h.Name,
			From: date(id+": from", h.From),
			To:   date(id+": to", h.To),
		})
	}
	for i, s := range raw.Workdays {
		y.Workdays = append(y.Workdays, date(fmt.Sprintf("workdays[%d]", i), s))
	}
	if raw.Year != nil {
		y.check(&v)
	}
	if err := v.err(y.Year); err != nil {
		return nil, err
	}
	return y, nil
}

// Validate checks the calendar's rules and reports every broken one in a
// single error wrapping ErrInvalid:
//
//   - the year is within MinYear–MaxYear;
//   - an official (not provisional) calendar names its source and lists
//     holidays;
//   - every holiday has a name, From ≤ To, at most 31 days, and no date
//     that another holiday lists too;
//   - every date lies in the year, except that the New Year (元旦) span
//     may begin, and a working day may fall, in the last week of the
//     previous December (the 2024 notice gave 2023-12-30 to 2024-01-01 off;
//     the 2019 notice made Saturday 2018-12-29 a working day);
//   - every working day is a Saturday or Sunday, listed once, and not also
//     a holiday.
func (y *YearCalendar) Validate() error {
	var v validator
	y.check(&v)
	return v.err(y.Year)
}

// check adds the problems Validate reports to v. Zero dates are skipped:
// Parse has reported them already.
func (y *YearCalendar) check(v *validator) {
	if y.Year < MinYear || y.Year > MaxYear {
		v.add("year %d is out of range %d–%d; check the \"year\" field", y.Year, MinYear, MaxYear)
		return // every date check below would fail too
	}
	if !y.Provisional {
		if blank(y.Source) {
			v.add("source is empty; name the notice, e.g. \"国务院办公厅关于%d年部分节假日安排的通知 (publication date)\", or mark the year \"provisional\": true", y.Year)
		}
		if len(y.Holidays) == 0 {
			v.add("holidays are empty in an official calendar; copy them from the notice, or mark the year \"provisional\": true")
		}
	}
	first, last := NewDate(y.Year, time.January, 1), NewDate(y.Year, time.December, 31)
	early := first.AddDays(-7) // the last week of the previous December
	inYear := func(d Date) bool { return !d.Before(first) && !d.After(last) }

	holidayOf := map[Date]string{}
	for i, h := range y.Holidays {
		id := holidayID(i, h.Name)
		if blank(h.Name) {
			v.add("%s: name is empty; give the holiday's Chinese name, e.g. \"春节\"", id)
		}
		if h.From.IsZero() || h.To.IsZero() {
			continue // already reported by Parse, or unset
		}
		switch {
		case h.From.After(h.To):
			v.add("%s: from %s is after to %s; swap them", id, h.From, h.To)
			continue
		case h.To.Sub(h.From) >= maxHolidayDays:
			v.add("%s: %s to %s is %d days, longer than %d; check the month", id, h.From, h.To, h.To.Sub(h.From)+1, maxHolidayDays)
			continue
		case !inYear(h.To) || h.From.Before(early):
			v.add("%s: %s to %s is not in %d; only a New Year span may begin in the last week of %d", id, h.From, h.To, y.Year, y.Year-1)
			continue
		}
		for d := h.From; !d.After(h.To); d = d.AddDays(1) {
			if other, ok := holidayOf[d]; ok {
				v.add("%s: %s is already a day off of %s; holidays may not overlap", id, d, other)
				continue
			}
			holidayOf[d] = id
		}
	}
	seen := map[Date]int{}
	for i, d := range y.Workdays {
		id := fmt.Sprintf("workdays[%d] %s", i, d)
		if d.IsZero() {
			continue
		}
		if d.Before(early) || d.After(last) {
			v.add("%s: not in %d (only the last week of %d may appear); check the year", id, y.Year, y.Year-1)
			continue
		}
		if j, ok := seen[d]; ok {
			v.add("%s: listed twice (also workdays[%d]); remove one", id, j)
			continue
		}
		seen[d] = i
		if !d.IsWeekend() {
			v.add("%s: is a %s, already a working day; list only the Saturdays and Sundays worked (调休上班)", id, d.Weekday())
		}
		if h, ok := holidayOf[d]; ok {
			v.add("%s: is also a day off of %s; a date is either a holiday or a working day", id, h)
		}
	}
}

// clone returns a deep copy of y, so that a Calendar never shares slices
// with its caller.
func (y *YearCalendar) clone() *YearCalendar {
	c := *y
	c.Holidays = slices.Clone(y.Holidays)
	c.Workdays = slices.Clone(y.Workdays)
	return &c
}

// holidayDates returns the days off y lists, in order.
func (y *YearCalendar) holidayDates() []Date {
	var ds []Date
	for _, h := range y.Holidays {
		for d := h.From; !d.After(h.To); d = d.AddDays(1) {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, Date.Compare)
	return slices.Compact(ds)
}

func holidayID(i int, name string) string {
	if blank(name) {
		return fmt.Sprintf("holidays[%d]", i)
	}
	return fmt.Sprintf("holidays[%d] %s", i, name)
}

// validator collects problems in the order they are found.
type validator struct{ problems []error }

func (v *validator) add(format string, args ...any) {
	v.problems = append(v.problems, fmt.Errorf(format, args...))
}

func (v *validator) err(year int) error {
	if len(v.problems) == 0 {
		return nil
	}
	noun := "problems"
	if len(v.problems) == 1 {
		noun = "problem"
	}
	what := ""
	if year != 0 {
		what = fmt.Sprintf(" for %d", year)
	}
	return fmt.Errorf("%w%s (%d %s):\n%w", ErrInvalid, what, len(v.problems), noun, errors.Join(v.problems...))
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
