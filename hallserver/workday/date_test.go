package workday

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "2026-02-13", want: "2026-02-13"},
		{in: "2024-02-29", want: "2024-02-29"},
		{in: "0001-01-01", want: "0001-01-01"},
		{in: "2026-02-30", err: "not a valid"},
		{in: "2026-2-3", err: "YYYY-MM-DD"},
		{in: "2026/02/13", err: "not a valid"},
		{in: "20260213", err: "YYYY-MM-DD"},
		{in: "", err: "YYYY-MM-DD"},
		{in: "2026-13-01", err: "not a valid"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "workday: ") {
					t.Fatalf("ParseDate(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDateFields(t *testing.T) {
	x := NewDate(2026, time.February, 13)
	if y, m, dd := x.Date(); y != 2026 || m != time.February || dd != 13 || x.Year() != 2026 || x.Month() != time.February || x.Day() != 13 {
		t.Errorf("fields of %s = %d %v %d", x, y, m, dd)
	}
	if got := NewDate(2026, 13, 1); got != d("2027-01-01") {
		t.Errorf("NewDate(2026, 13, 1) = %s; want normalized 2027-01-01", got)
	}
	if !(Date{}).IsZero() || (Date{}).String() != "0001-01-01" || (Date{}).Weekday() != time.Monday {
		t.Errorf("zero Date = %s %v", Date{}, Date{}.Weekday())
	}
	// Weekday agrees with package time over a long stretch, both sides of
	// the epoch.
	for n := -1000; n < 200000; n += 37 {
		tt := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
		dd := NewDate(tt.Date())
		if dd.Weekday() != tt.Weekday() || dd.String() != tt.Format(time.DateOnly) {
			t.Fatalf("%s: Weekday %v, want %v", dd, dd.Weekday(), tt.Weekday())
		}
	}
	for s, w := range map[string]time.Weekday{
		"2026-01-04": time.Sunday, "2026-02-14": time.Saturday, "2026-02-13": time.Friday, "2027-02-06": time.Saturday,
	} {
		if got := d(s).Weekday(); got != w {
			t.Errorf("%s is a %v, want %v", s, got, w)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	a, b := d("2026-12-30"), d("2027-01-02")
	if a.AddDays(3) != b || b.AddDays(-3) != a || b.Sub(a) != 3 || a.Sub(b) != -3 {
		t.Errorf("AddDays/Sub across the year end wrong")
	}
	if d("2024-02-28").AddDays(1) != d("2024-02-29") || d("2026-02-28").AddDays(1) != d("2026-03-01") {
		t.Errorf("AddDays across February wrong")
	}
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Equal(b) || !a.Equal(d("2026-12-30")) {
		t.Errorf("Before/After/Equal wrong")
	}
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Errorf("Compare wrong")
	}
}

func TestDateOfUsesShanghai(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 3, 2, 15, 59, 0, 0, time.UTC), "2026-03-02"},
		{time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC), "2026-03-03"}, // midnight in Shanghai
		{time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), "2027-01-01"},
		{time.Date(2026, 3, 2, 23, 0, 0, 0, time.FixedZone("PST", -8*3600)), "2026-03-03"},
		{at("2026-03-02 00:00"), "2026-03-02"},
	} {
		if got := DateOf(tc.t); got.String() != tc.want {
			t.Errorf("DateOf(%v) = %s; want %s", tc.t, got, tc.want)
		}
	}
	if got := d("2026-03-02").Start(); !got.Equal(at("2026-03-02 00:00")) {
		t.Errorf("Start = %v", got)
	}
}

func TestDateJSON(t *testing.T) {
	type wrap struct {
		D Date `json:"d"`
	}
	b, err := json.Marshal(wrap{d("2026-02-14")})
	if err != nil || string(b) != `{"d":"2026-02-14"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var w wrap
	if err := json.Unmarshal(b, &w); err != nil || w.D != d("2026-02-14") {
		t.Fatalf("Unmarshal = %v, %v", w.D, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-02-31"}`), &w); err == nil {
		t.Fatalf("Unmarshal of 2026-02-31 succeeded")
	}
}
