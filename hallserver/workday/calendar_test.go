package workday

import (
	"errors"
	"strings"
	"testing"
)

// The 2026 notice (DOMAIN.md), written out independently of the embedded
// file, so a typo in either is caught.
var (
	holidays2026 = map[string][]Date{
		"元旦":  span("2026-01-01", "2026-01-03"),
		"春节":  span("2026-02-15", "2026-02-23"),
		"清明节": span("2026-04-04", "2026-04-06"),
		"劳动节": span("2026-05-01", "2026-05-05"),
		"端午节": span("2026-06-19", "2026-06-21"),
		"中秋节": span("2026-09-25", "2026-09-27"),
		"国庆节": span("2026-10-01", "2026-10-07"),
	}
	makeup2026 = []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
)

func TestIsWorkday2026Holidays(t *testing.T) {
	c := defaultCal(t)
	for name, days := range holidays2026 {
		for _, x := range days {
			info := c.Day(x)
			if c.IsWorkday(x) || info.Workday || info.Holiday != name || !info.Covered || info.Provisional || info.Makeup {
				t.Errorf("%s (%s, %v): got %+v; want a day off of %s", x, name, x.Weekday(), info, name)
			}
		}
	}
}

func TestIsWorkday2026Makeup(t *testing.T) {
	c := defaultCal(t)
	for _, s := range makeup2026 {
		x := d(s)
		if !x.IsWeekend() {
			t.Fatalf("test data: %s is not a weekend day", s)
		}
		if info := c.Day(x); !c.IsWorkday(x) || !info.Makeup || info.Holiday != "" {
			t.Errorf("%s (%v): got %+v; want a 调休 working day", x, x.Weekday(), info)
		}
	}
}

func TestIsWorkdayOrdinary(t *testing.T) {
	c := defaultCal(t)
	for _, tc := range []struct {
		date string
		want bool
	}{
		{"2026-01-05", true},  // Monday after 元旦
		{"2026-02-13", true},  // Friday before 春节
		{"2026-02-24", true},  // Tuesday after 春节
		{"2026-03-04", true},  // Wednesday
		{"2026-03-07", false}, // Saturday
		{"2026-03-08", false}, // Sunday
		{"2026-02-21", false}, // Saturday inside 春节
		{"2026-02-07", false}, // ordinary Saturday
		{"2026-05-10", false}, // Sunday after the May 9 working Saturday
		{"2026-10-11", false}, // Sunday after the Oct 10 working Saturday
		{"2026-12-31", true},  // Thursday
		{"2027-01-01", false}, // provisional 元旦
		{"2027-02-05", false}, // provisional 除夕
		{"2027-02-08", false}, // provisional 正月初三, a Monday
		{"2027-02-09", true},
		{"2027-04-05", false}, // provisional 清明
		{"2027-06-09", false}, // provisional 端午
		{"2027-09-15", false}, // provisional 中秋
		{"2027-10-01", false}, // provisional 国庆
		{"2027-10-04", true},  // Monday: its 补假 is not known yet
		{"2025-10-01", true},  // 2025 has no calendar here: weekends only
		{"2028-01-03", true},
		{"2028-01-01", false}, // Saturday
	} {
		if got := c.IsWorkday(d(tc.date)); got != tc.want {
			t.Errorf("IsWorkday(%s, %v) = %v; want %v", tc.date, d(tc.date).Weekday(), got, tc.want)
		}
	}
	// Every other 2026 date follows the weekend rule.
	listed := map[Date]bool{}
	for _, days := range holidays2026 {
		for _, x := range days {
			listed[x] = true
		}
	}
	for _, s := range makeup2026 {
		listed[d(s)] = true
	}
	for _, x := range span("2026-01-01", "2026-12-31") {
		if !listed[x] && c.IsWorkday(x) == x.IsWeekend() {
			t.Errorf("%s (%v): IsWorkday = %v", x, x.Weekday(), c.IsWorkday(x))
		}
	}
}

func TestCovered(t *testing.T) {
	c := defaultCal(t)
	for _, tc := range []struct {
		year      int
		cov, prov bool
	}{{2025, false, false}, {2026, true, false}, {2027, true, true}, {2028, false, false}} {
		if cov, prov := c.Covered(tc.year); cov != tc.cov || prov != tc.prov {
			t.Errorf("Covered(%d) = %v, %v; want %v, %v", tc.year, cov, prov, tc.cov, tc.prov)
		}
	}
	if info := c.Day(d("2028-03-01")); info.Covered || !info.Workday {
		t.Errorf("Day(2028-03-01) = %+v; want an uncovered working day", info)
	}
	if info := c.Day(d("2027-02-05")); !info.Covered || !info.Provisional || info.Holiday != "春节" {
		t.Errorf("Day(2027-02-05) = %+v; want provisional 春节", info)
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"2026-01-01", "2026-12-31", false},
		{"2026-12-31", "2026-03-01", false},
		{"2026-12-01", "2027-01-10", true},
		{"2025-12-31", "2026-01-05", true},
	} {
		if got := c.Provisional(d(tc.a), d(tc.b)); got != tc.want {
			t.Errorf("Provisional(%s, %s) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if got := c.Years(); len(got) != 2 || got[0] != 2026 || got[1] != 2027 {
		t.Errorf("Years = %v; want [2026 2027]", got)
	}
}

func TestDefaultFiles(t *testing.T) {
	c := defaultCal(t)
	y, ok := c.Year(2026)
	if !ok || y.Provisional || !strings.Contains(y.Source, "国务院办公厅") || len(y.Holidays) != 7 || len(y.Workdays) != 6 {
		t.Fatalf("2026 = %+v", y)
	}
	y.Workdays = nil // a copy: must not change c
	if !c.IsWorkday(d("2026-02-14")) {
		t.Fatalf("changing Year's copy changed the Calendar")
	}
	p, _ := c.Year(2027)
	if !p.Provisional || len(p.Workdays) != 0 || !strings.Contains(p.Note, "PROVISIONAL") {
		t.Fatalf("2027 = %+v; want provisional, no working days, a note", p)
	}
	// The provisional year holds exactly the statutory days of the 2024
	// revision: 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3.
	if n := len(p.holidayDates()); n != 13 {
		t.Errorf("2027 lists %d days off; want the 13 statutory days", n)
	}
}

func TestNewRules(t *testing.T) {
	y2026, _ := defaultCal(t).Year(2026)
	if _, err := New(y2026, y2026); err == nil || !strings.Contains(err.Error(), "two calendars for 2026") {
		t.Errorf("New(2026, 2026) = %v; want a duplicate-year error", err)
	}
	if _, err := New(nil); err == nil || !strings.HasPrefix(err.Error(), "workday: ") {
		t.Errorf("New(nil) = %v", err)
	}
	bad := y2026.clone()
	bad.Workdays = append(bad.Workdays, d("2026-03-04"))
	if _, err := New(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("New with a Wednesday as 调休 = %v; want ErrInvalid", err)
	}
	var zero Calendar // weekends only
	if !zero.IsWorkday(d("2026-02-16")) || zero.IsWorkday(d("2026-02-14")) {
		t.Errorf("the zero Calendar should count weekends only")
	}
}

// TestNewYearOverlap: a notice may reach into the previous December (the
// 2019 notice made Saturday 2018-12-29 a working day), and New rejects two
// notices that disagree about such a day.
func TestNewYearOverlap(t *testing.T) {
	y2019, err := Parse([]byte(`{"year":2019,"source":"国务院办公厅关于2019年部分节假日安排的通知","provisional":false,
		"holidays":[{"name":"元旦","from":"2018-12-30","to":"2019-01-01"}],"workdays":["2018-12-29"]}`))
	if err != nil {
		t.Fatalf("Parse 2019: %v", err)
	}
	c, err := New(y2019)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if !c.IsWorkday(d("2018-12-29")) || c.IsWorkday(d("2018-12-31")) || c.Day(d("2018-12-31")).Holiday != "元旦" {
		t.Errorf("overlap days not applied: 12-29 %v, 12-31 %+v", c.IsWorkday(d("2018-12-29")), c.Day(d("2018-12-31")))
	}
	if got := c.WorkdaysBetween(d("2018-12-27"), d("2019-01-02")); got != 3 { // Fri 28, Sat 29, Wed 2
		t.Errorf("WorkdaysBetween over the overlap = %d; want 3", got)
	}
	y2018, err := Parse([]byte(`{"year":2018,"source":"x","holidays":[{"name":"假","from":"2018-12-29","to":"2018-12-29"}],"workdays":[]}`))
	if err != nil {
		t.Fatalf("Parse 2018: %v", err)
	}
	if _, err := New(y2018, y2019); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "2018-12-29") {
		t.Errorf("New(conflicting 2018, 2019) = %v; want an error naming 2018-12-29", err)
	}
}
