package workday

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	const ok = `{"name":"春节","from":"2026-02-15","to":"2026-02-23"}`
	cal := func(holidays, workdays string) string {
		return `{"year":2026,"source":"国务院办公厅","provisional":false,"holidays":[` + holidays + `],"workdays":[` + workdays + `]}`
	}
	for _, tc := range []struct {
		name, json string
		want       []string // substrings of the error
		invalid    bool     // errors.Is(err, ErrInvalid)
	}{
		{"unknown field", `{"year":2026,"holiday":[]}`, []string{"unknown field", "holiday"}, false},
		{"trailing data", cal(ok, "") + `{}`, []string{"data after the calendar"}, false},
		{"not JSON", `year: 2026`, []string{"decode holiday calendar"}, false},
		{"missing year", `{"source":"x","holidays":[` + ok + `],"workdays":[]}`, []string{"year is missing"}, true},
		{"year typo", `{"year":226,"source":"x","holidays":[],"workdays":[]}`, []string{"year 226 is out of range"}, true},
		{"official without source or holidays", `{"year":2026,"source":"","holidays":[],"workdays":[]}`,
			[]string{"source is empty", "holidays are empty", "(2 problems)"}, true},
		{"bad date", cal(`{"name":"春节","from":"2026-02-30","to":"2026-02-23"}`, ""),
			[]string{`holidays[0] 春节: from: "2026-02-30" is not a date`}, true},
		{"missing date", cal(`{"name":"春节","from":"2026-02-15"}`, ""), []string{"holidays[0] 春节: to: date is missing"}, true},
		{"from after to", cal(ok+`,{"name":"清明节","from":"2026-04-06","to":"2026-04-04"}`, ""),
			[]string{"holidays[1] 清明节: from 2026-04-06 is after to 2026-04-04; swap them"}, true},
		{"other year", cal(`{"name":"国庆节","from":"2025-10-01","to":"2025-10-07"}`, ""),
			[]string{"holidays[0] 国庆节: 2025-10-01 to 2025-10-07 is not in 2026"}, true},
		{"too long", cal(`{"name":"春节","from":"2026-02-15","to":"2026-12-23"}`, ""), []string{"holidays[0] 春节", "check the month"}, true},
		{"no name", cal(`{"name":" ","from":"2026-02-15","to":"2026-02-16"}`, ""), []string{"holidays[0]: name is empty"}, true},
		{"overlap", cal(ok+`,{"name":"重复","from":"2026-02-23","to":"2026-02-24"}`, ""),
			[]string{"holidays[1] 重复: 2026-02-23 is already a day off of holidays[0] 春节"}, true},
		{"weekday as makeup", cal(ok, `"2026-02-14","2026-03-04"`),
			[]string{"workdays[1] 2026-03-04: is a Wednesday", "Saturdays and Sundays"}, true},
		{"makeup inside a holiday", cal(ok, `"2026-02-21"`),
			[]string{"workdays[0] 2026-02-21: is also a day off of holidays[0] 春节"}, true},
		{"makeup twice", cal(ok, `"2026-02-14","2026-02-14"`), []string{"workdays[1] 2026-02-14: listed twice (also workdays[0])"}, true},
		{"makeup not a date", cal(ok, `"2026-2-14"`), []string{`workdays[0]: "2026-2-14" is not a date`}, true},
		{"format and rule problems in one pass", cal(`{"name":"春节","from":"2026-2-15","to":"2026-02-23"},{"name":"清明节","from":"2026-04-06","to":"2026-04-04"}`, `"2026-03-04"`),
			[]string{"(3 problems)", `holidays[0] 春节: from: "2026-2-15" is not a date`, "holidays[1] 清明节: from 2026-04-06 is after", "workdays[0] 2026-03-04: is a Wednesday"}, true},
		{"makeup other year", cal(ok, `"2027-01-02"`), []string{"workdays[0] 2027-01-02: not in 2026"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, err := Parse([]byte(tc.json))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", y)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "workday: ") {
				t.Errorf("error %q lacks the workday: prefix", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not contain %q", msg, w)
				}
			}
			if errors.Is(err, ErrInvalid) != tc.invalid {
				t.Errorf("errors.Is(err, ErrInvalid) = %v; want %v", !tc.invalid, tc.invalid)
			}
		})
	}
}

func TestParseProvisionalMayBeEmpty(t *testing.T) {
	y, err := Parse([]byte(`{"year":2030,"source":"","provisional":true,"holidays":[],"workdays":[]}`))
	if err != nil || !y.Provisional {
		t.Fatalf("Parse(empty provisional) = %+v, %v", y, err)
	}
}

// TestRoundTrip: json.Marshal of a YearCalendar is the file format.
func TestRoundTrip(t *testing.T) {
	y, _ := defaultCal(t).Year(2026)
	b, err := json.Marshal(y)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(Marshal(2026)): %v\n%s", err, b)
	}
	if _, ch, err := (&Calendar{}).Replace(back); err != nil || len(ch.HolidaysAdded) != 33 || len(ch.WorkdaysAdded) != 6 {
		t.Errorf("round trip lost dates: %v, %v", ch, err)
	}
}
