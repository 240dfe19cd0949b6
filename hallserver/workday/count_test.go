package workday

import (
	"math/rand/v2"
	"testing"
)

func TestAddWorkdays(t *testing.T) {
	c := defaultCal(t)
	for _, tc := range []struct {
		name  string
		start string
		n     int
		want  string
		prov  bool // Provisional(start, result)
	}{
		{"n=0 is start", "2026-03-04", 0, "2026-03-04", false},
		{"n=0 on a holiday is start", "2026-02-15", 0, "2026-02-15", false},
		{"next day", "2026-03-04", 1, "2026-03-05", false},
		{"over a weekend", "2026-03-06", 1, "2026-03-09", false},
		{"from a Saturday", "2026-03-07", 1, "2026-03-09", false},
		{"春节: working Sat Feb 14 first", "2026-02-13", 1, "2026-02-14", false},
		{"春节: accepted Fri Feb 13 + 5", "2026-02-13", 5, "2026-02-27", false},
		{"春节: + 6 is working Sat Feb 28", "2026-02-13", 6, "2026-02-28", false},
		{"春节: + 7", "2026-02-13", 7, "2026-03-02", false},
		{"春节: 20 days", "2026-02-13", 20, "2026-03-19", false},
		{"元旦: working Sun Jan 4", "2025-12-31", 1, "2026-01-04", true},
		{"国庆: working Sun Sep 20", "2026-09-18", 1, "2026-09-20", false},
		{"国庆: past 中秋", "2026-09-18", 6, "2026-09-28", false},
		{"国庆: past Oct 1–7", "2026-09-18", 9, "2026-10-08", false},
		{"国庆: working Sat Oct 10", "2026-09-30", 3, "2026-10-10", false},
		{"国庆: 12 from Sep 18", "2026-09-18", 12, "2026-10-12", false},
		{"劳动节: working Sat May 9", "2026-04-30", 2, "2026-05-07", false},
		{"劳动节: + 4", "2026-04-30", 4, "2026-05-09", false},
		{"year end into provisional 2027 (元旦 Jan 1)", "2026-12-25", 5, "2027-01-04", true},
		{"year end, 20 days", "2026-12-31", 20, "2027-01-29", true},
		{"provisional 春节 2027", "2027-02-04", 1, "2027-02-09", true},
		{"into uncovered 2028", "2027-12-31", 1, "2028-01-03", true},
		{"back one over 春节", "2026-02-24", -1, "2026-02-14", false},
		{"back two over 春节", "2026-02-24", -2, "2026-02-13", false},
		{"back from a Sunday", "2026-03-08", -1, "2026-03-06", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.AddWorkdays(d(tc.start), tc.n)
			if got != d(tc.want) {
				t.Errorf("AddWorkdays(%s, %d) = %s (%v); want %s", tc.start, tc.n, got, got.Weekday(), tc.want)
			}
			if p := c.Provisional(d(tc.start), got); p != tc.prov {
				t.Errorf("Provisional(%s, %s) = %v; want %v", tc.start, got, p, tc.prov)
			}
		})
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := defaultCal(t)
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2026-03-04", "2026-03-04", 0},
		{"2026-03-04", "2026-03-05", 1},
		{"2026-03-06", "2026-03-08", 0}, // Fri to Sun: the weekend only
		{"2026-03-07", "2026-03-09", 1},
		{"2026-02-13", "2026-02-27", 5},
		{"2026-02-27", "2026-02-13", -5},
		{"2026-02-14", "2026-02-23", 0}, // (working Sat, end of 春节]
		{"2026-09-18", "2026-10-12", 12},
		{"2025-12-31", "2026-12-31", 248}, // all of 2026: 261 weekdays − 19 off + 6 worked
		{"2026-12-31", "2027-12-31", 254}, // provisional 2027: 261 − 7 statutory weekdays
		{"2027-12-31", "2028-12-31", 260}, // uncovered 2028: weekdays only
	} {
		if got := c.WorkdaysBetween(d(tc.a), d(tc.b)); got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestCountingAgrees checks AddWorkdays, WorkdaysBetween and IsWorkday
// against each other on random dates from 2024 to 2029: covered,
// provisional and uncovered years alike.
func TestCountingAgrees(t *testing.T) {
	c := defaultCal(t)
	rng := rand.New(rand.NewPCG(2026, 1104))
	lo := d("2024-01-01")
	randDate := func() Date { return lo.AddDays(rng.IntN(6 * 366)) }
	for i := 0; i < 3000; i++ {
		a, b := randDate(), randDate()

		// WorkdaysBetween is the brute-force count over (a, b].
		want := 0
		from, to := a, b
		if to.Before(from) {
			from, to = to, from
		}
		for x := from.AddDays(1); !x.After(to); x = x.AddDays(1) {
			if c.IsWorkday(x) {
				want++
			}
		}
		if b.Before(a) {
			want = -want
		}
		if got := c.WorkdaysBetween(a, b); got != want {
			t.Fatalf("WorkdaysBetween(%s, %s) = %d; brute force %d", a, b, got, want)
		}

		// AddWorkdays(a, k) is the last working day within (a, b].
		if k := want; k > 0 {
			r := c.AddWorkdays(a, k)
			if r.After(b) || !c.IsWorkday(r) || !c.AddWorkdays(a, k+1).After(b) {
				t.Fatalf("a=%s b=%s k=%d: AddWorkdays(a, k) = %s, AddWorkdays(a, k+1) = %s", a, b, k, r, c.AddWorkdays(a, k+1))
			}
		}

		// Forward and back: n working days after a, and before it.
		n := rng.IntN(300)
		r := c.AddWorkdays(a, n)
		if got := c.WorkdaysBetween(a, r); got != n {
			t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%s, %d) = %s) = %d", a, a, n, r, got)
		}
		if n > 0 && (!c.IsWorkday(r) || c.WorkdaysBetween(a, r.AddDays(-1)) != n-1) {
			t.Fatalf("AddWorkdays(%s, %d) = %s is not the first date reaching %d", a, n, r, n)
		}
		back := c.AddWorkdays(a, -n)
		if got := c.WorkdaysBetween(back.AddDays(-1), a.AddDays(-1)); got != n || (n > 0 && !c.IsWorkday(back)) {
			t.Fatalf("AddWorkdays(%s, -%d) = %s: working days in [result, start) = %d", a, n, back, got)
		}
	}
}

func BenchmarkAddWorkdays(b *testing.B) {
	c := defaultCal(b)
	start := d("2026-02-13")
	for b.Loop() {
		_ = c.AddWorkdays(start, 20)
	}
}

func BenchmarkWorkdaysBetween(b *testing.B) {
	c := defaultCal(b)
	x, y := d("2026-02-13"), d("2027-03-19")
	for b.Loop() {
		_ = c.WorkdaysBetween(x, y)
	}
}
