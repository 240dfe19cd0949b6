package workday

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func dates(ss ...string) []Date {
	var ds []Date
	for _, s := range ss {
		ds = append(ds, d(s))
	}
	return ds
}

func TestImportReplaces2027(t *testing.T) {
	c := defaultCal(t)
	notice, err := os.ReadFile("testdata/2027-fictional-notice.json")
	if err != nil {
		t.Fatal(err)
	}
	next, ch, err := c.Import(notice)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	want := Change{
		Year: 2027, Replaced: true, WasProvisional: true, Provisional: false,
		HolidaysAdded: dates("2027-01-02", "2027-01-03",
			"2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13", "2027-02-14",
			"2027-04-03", "2027-04-04", "2027-05-03", "2027-05-04", "2027-05-05",
			"2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"),
		HolidaysRemoved: dates("2027-02-05"),
		WorkdaysAdded:   dates("2027-02-20", "2027-04-25", "2027-09-26", "2027-10-09"),
	}
	if !changeEqual(ch, want) {
		t.Errorf("Change =\n%v\nwant\n%v", ch, want)
	}
	if s := ch.String(); !strings.HasPrefix(s, "2027: provisional calendar replaced by official; days off +17 (2027-01-02, ") ||
		!strings.Contains(s, "−1 (2027-02-05); working days +4 (2027-02-20, 2027-04-25, 2027-09-26, 2027-10-09)") {
		t.Errorf("Change.String() = %q", s)
	}

	// The new calendar uses the notice; the old one is untouched.
	if cov, prov := next.Covered(2027); !cov || prov {
		t.Errorf("after Import, Covered(2027) = %v, %v; want official", cov, prov)
	}
	if _, prov := c.Covered(2027); !prov {
		t.Errorf("Import changed the original Calendar")
	}
	for _, tc := range []struct {
		date     string
		old, new bool
	}{
		{"2027-02-05", false, true},
		{"2027-02-09", true, false},
		{"2027-02-20", false, true},
		{"2027-10-09", false, true},
		{"2026-02-14", true, true}, // 2026 kept
	} {
		if o, n := c.IsWorkday(d(tc.date)), next.IsWorkday(d(tc.date)); o != tc.old || n != tc.new {
			t.Errorf("IsWorkday(%s): before %v after %v; want %v, %v", tc.date, o, n, tc.old, tc.new)
		}
	}
	if got := next.AddWorkdays(d("2027-02-04"), 1); got != d("2027-02-05") {
		t.Errorf("after Import, AddWorkdays(2027-02-04, 1) = %s; want 2027-02-05", got)
	}
	if next.Provisional(d("2026-12-25"), d("2027-12-31")) {
		t.Errorf("after Import, 2026–2027 still provisional")
	}

	// Importing the same notice again changes nothing.
	_, again, err := next.Import(notice)
	if err != nil || !again.Unchanged() || !again.Replaced || again.WasProvisional {
		t.Errorf("re-Import = %v, %v; want an unchanged official replacement", again, err)
	}
	if !strings.HasSuffix(again.String(), "no date changed") {
		t.Errorf("re-Import String = %q", again.String())
	}

	// The provisional file may not replace the official notice.
	prov, _ := c.Year(2027)
	if _, _, err := next.Replace(prov); err == nil || !strings.Contains(err.Error(), "official") {
		t.Errorf("Replace(official by provisional) = %v; want refusal", err)
	}
}

func TestImportAddsYear(t *testing.T) {
	c := defaultCal(t)
	next, ch, err := c.Import([]byte(`{"year":2028,"source":"","provisional":true,"holidays":[{"name":"元旦","from":"2028-01-01","to":"2028-01-01"}],"workdays":[]}`))
	if err != nil {
		t.Fatalf("Import 2028: %v", err)
	}
	if ch.Replaced || !ch.Provisional || !slices.Equal(ch.HolidaysAdded, dates("2028-01-01")) || ch.String() != "2028: provisional calendar added; days off +1 (2028-01-01)" {
		t.Errorf("Change = %q %+v", ch, ch)
	}
	if got := next.Years(); !slices.Equal(got, []int{2026, 2027, 2028}) {
		t.Errorf("Years = %v", got)
	}
}

func TestImportRejectsBadFile(t *testing.T) {
	c := defaultCal(t)
	_, _, err := c.Import([]byte(`{"year":2027,"source":"x","holidays":[{"name":"春节","from":"2027-02-10","to":"2027-02-05"}],"workdays":[]}`))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "holidays[0] 春节") {
		t.Errorf("Import(bad) = %v; want ErrInvalid naming holidays[0] 春节", err)
	}
	if _, prov := c.Covered(2027); !prov {
		t.Errorf("a failed Import changed the Calendar")
	}
}

func changeEqual(a, b Change) bool {
	return a.Year == b.Year && a.Replaced == b.Replaced && a.WasProvisional == b.WasProvisional && a.Provisional == b.Provisional &&
		slices.Equal(a.HolidaysAdded, b.HolidaysAdded) && slices.Equal(a.HolidaysRemoved, b.HolidaysRemoved) &&
		slices.Equal(a.WorkdaysAdded, b.WorkdaysAdded) && slices.Equal(a.WorkdaysRemoved, b.WorkdaysRemoved)
}
