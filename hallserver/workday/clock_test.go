package workday

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// view is the part of a Status the clock tests compare; dates as strings
// so that failures read well. Start and LegalDeadline are checked only when
// set in the want.
type view struct {
	Start                           string
	Restarts, Used, Excluded        int
	LegalLimit, PromisedLimit       int
	LegalLeft, PromisedLeft         int
	LegalDeadline, PromisedDeadline string
	Stop                            Stop
	Note                            string
	Warning                         Warning
	OverLegal, Provisional          bool
}

func viewOf(s Status) view {
	return view{
		Start: s.Start.String(), Restarts: s.Restarts, Used: s.Used, Excluded: s.Excluded,
		LegalLimit: s.LegalLimit, PromisedLimit: s.PromisedLimit, LegalLeft: s.LegalLeft, PromisedLeft: s.PromisedLeft,
		LegalDeadline: s.LegalDeadline.String(), PromisedDeadline: s.PromisedDeadline.String(),
		Stop: s.Stop, Note: s.StopNote, Warning: s.Warning, OverLegal: s.OverLegal, Provisional: s.Provisional,
	}
}

func TestClock(t *testing.T) {
	c := defaultCal(t)
	acc := at("2026-03-02 10:00") // a Monday
	std := func(events ...Event) Application {
		return Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: events}
	}
	lim := func(legal, promised int, events ...Event) Application {
		return Application{Accepted: acc, LegalDays: legal, PromisedDays: promised, Events: events}
	}
	instant := func(accepted string) Application {
		return Application{Accepted: at(accepted), LegalDays: 20, PromisedDays: 0}
	}
	pause := []Event{
		{Kind: PauseStart, At: at("2026-03-04 11:00"), Note: "缺身份证复印件"},
		{Kind: Restart, At: at("2026-03-09 14:00")},
	}
	suspend := []Event{
		{Kind: Suspend, At: at("2026-03-04 15:00"), Note: "专家评审"},
		{Kind: Resume, At: at("2026-03-10 10:00")},
	}
	lastDaySuspend := []Event{
		{Kind: Suspend, At: at("2026-03-04 16:00"), Note: "听证"},
		{Kind: Resume, At: at("2026-03-09 09:00")},
	}
	strict := &Policy{YellowFraction: 0, YellowDays: 0}
	half := &Policy{YellowFraction: 0.5, YellowDays: 0}

	for _, tc := range []struct {
		name string
		app  Application
		now  string
		pol  *Policy
		want view
	}{
		// Plain: 20 legal, 10 promised, accepted Monday 2026-03-02.
		{name: "acceptance day does not count", app: std(), now: "2026-03-02 16:00",
			want: view{Used: 0, LegalLeft: 20, PromisedLeft: 10, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30"}},
		{name: "plain: Friday, 4 days used", app: std(), now: "2026-03-06 15:00",
			want: view{Used: 4, LegalLeft: 16, PromisedLeft: 6, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30"}},
		{name: "plain: Sunday adds nothing", app: std(), now: "2026-03-08 12:00",
			want: view{Used: 4, LegalLeft: 16, PromisedLeft: 6, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30"}},
		{name: "3 of 10 left: no warning", app: std(), now: "2026-03-11 09:00",
			want: view{Used: 7, LegalLeft: 13, PromisedLeft: 3, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30"}},
		{name: "2 of 10 left (20 %): yellow", app: std(), now: "2026-03-12 09:00",
			want: view{Used: 8, LegalLeft: 12, PromisedLeft: 2, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30", Warning: Yellow}},
		{name: "deadline day: due today, yellow", app: std(), now: "2026-03-16 09:00",
			want: view{Used: 10, LegalLeft: 10, PromisedLeft: 0, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30", Warning: Yellow}},
		{name: "next working day: red", app: std(), now: "2026-03-17 09:00",
			want: view{Used: 11, LegalLeft: 9, PromisedLeft: -1, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30", Warning: Red}},
		{name: "legal limit exceeded", app: std(), now: "2026-03-31 09:00",
			want: view{Used: 21, LegalLeft: -1, PromisedLeft: -11, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30", Warning: Red, OverLegal: true}},
		{name: "Friday deadline, Friday evening: yellow", app: lim(20, 9), now: "2026-03-13 18:00",
			want: view{Used: 9, LegalLeft: 11, PromisedLeft: 0, PromisedDeadline: "2026-03-13", LegalDeadline: "2026-03-30", Warning: Yellow}},
		{name: "Friday deadline, Saturday: red though no day was added", app: lim(20, 9), now: "2026-03-14 10:00",
			want: view{Used: 9, LegalLeft: 11, PromisedLeft: 0, PromisedDeadline: "2026-03-13", LegalDeadline: "2026-03-30", Warning: Red}},

		// Thresholds are a parameter.
		{name: "policy 0/0: 2 left is fine", app: std(), now: "2026-03-12 09:00", pol: strict,
			want: view{Used: 8, LegalLeft: 12, PromisedLeft: 2, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30"}},
		{name: "policy 0/0: yellow only when due today", app: std(), now: "2026-03-16 09:00", pol: strict,
			want: view{Used: 10, LegalLeft: 10, PromisedLeft: 0, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30", Warning: Yellow}},
		{name: "policy 50 %: 5 left is yellow", app: std(), now: "2026-03-09 09:00", pol: half,
			want: view{Used: 5, LegalLeft: 15, PromisedLeft: 5, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30", Warning: Yellow}},
		{name: "policy 50 %: 6 left is fine", app: std(), now: "2026-03-06 09:00", pol: half,
			want: view{Used: 4, LegalLeft: 16, PromisedLeft: 6, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30"}},

		// 即办件: due the acceptance day.
		{name: "instant: acceptance day, no warning", app: instant("2026-03-02 09:00"), now: "2026-03-02 17:00",
			want: view{Start: "2026-03-02", PromisedLimit: 0, LegalLeft: 20, PromisedDeadline: "2026-03-02", LegalDeadline: "2026-03-30"}},
		{name: "instant: next day red", app: instant("2026-03-02 09:00"), now: "2026-03-03 09:00",
			want: view{Start: "2026-03-02", PromisedLimit: 0, Used: 1, LegalLeft: 19, PromisedLeft: -1, PromisedDeadline: "2026-03-02", LegalDeadline: "2026-03-30", Warning: Red}},
		{name: "instant: accepted Friday, Saturday red", app: instant("2026-03-06 09:00"), now: "2026-03-07 10:00",
			want: view{Start: "2026-03-06", PromisedLimit: 0, LegalLeft: 20, PromisedDeadline: "2026-03-06", LegalDeadline: "2026-04-03", Warning: Red}},

		// 补正: pause when requested, restart from zero when the materials arrive.
		{name: "补正: events after now are ignored", app: std(pause...), now: "2026-03-03 12:00",
			want: view{Used: 1, LegalLeft: 19, PromisedLeft: 9, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30"}},
		{name: "补正: read during the pause", app: std(pause...), now: "2026-03-06 10:00",
			want: view{Used: 2, LegalLeft: 18, PromisedLeft: 8, PromisedDeadline: "2026-03-20", LegalDeadline: "2026-04-03",
				Stop: AwaitingMaterials, Note: "缺身份证复印件"}},
		{name: "补正: restart day counts nothing", app: std(pause...), now: "2026-03-09 16:00",
			want: view{Start: "2026-03-09", Restarts: 1, Used: 0, LegalLeft: 20, PromisedLeft: 10, PromisedDeadline: "2026-03-23", LegalDeadline: "2026-04-07"}},
		{name: "补正: after the restart, from zero", app: std(pause...), now: "2026-03-12 09:00",
			want: view{Start: "2026-03-09", Restarts: 1, Used: 3, LegalLeft: 17, PromisedLeft: 7, PromisedDeadline: "2026-03-23", LegalDeadline: "2026-04-07"}},
		{name: "补正 asked on the last day: no warning while waiting", app: lim(20, 2, Event{Kind: PauseStart, At: at("2026-03-04 15:00")}), now: "2026-03-06 10:00",
			want: view{Used: 2, LegalLeft: 18, PromisedLeft: 0, PromisedDeadline: "2026-03-10", LegalDeadline: "2026-04-03", Stop: AwaitingMaterials}},
		{name: "补正 asked when already overdue stays red", app: lim(20, 2, Event{Kind: PauseStart, At: at("2026-03-06 15:00")}), now: "2026-03-09 10:00",
			want: view{Used: 4, LegalLeft: 16, PromisedLeft: -2, PromisedDeadline: "2026-03-04", LegalDeadline: "2026-04-07", Stop: AwaitingMaterials, Warning: Red}},

		// Suspension: working days after the suspension day up to the
		// resumption day are excluded.
		{name: "suspended: read during it", app: std(suspend...), now: "2026-03-09 12:00",
			want: view{Used: 2, Excluded: 3, LegalLeft: 18, PromisedLeft: 8, PromisedDeadline: "2026-03-19", LegalDeadline: "2026-04-02", Stop: Suspended, Note: "专家评审"}},
		{name: "suspended: resumption day counts nothing", app: std(suspend...), now: "2026-03-10 15:00",
			want: view{Used: 2, Excluded: 4, LegalLeft: 18, PromisedLeft: 8, PromisedDeadline: "2026-03-20", LegalDeadline: "2026-04-03"}},
		{name: "suspended: 4 days excluded", app: std(suspend...), now: "2026-03-13 16:00",
			want: view{Used: 5, Excluded: 4, LegalLeft: 15, PromisedLeft: 5, PromisedDeadline: "2026-03-20", LegalDeadline: "2026-04-03"}},
		{name: "suspended on the deadline day: yellow, not red", app: lim(20, 2, lastDaySuspend...), now: "2026-03-06 10:00",
			want: view{Used: 2, Excluded: 2, LegalLeft: 18, PromisedLeft: 0, PromisedDeadline: "2026-03-06", LegalDeadline: "2026-04-01", Stop: Suspended, Note: "听证", Warning: Yellow}},
		{name: "resumed after the deadline day: due the resumption day", app: lim(20, 2, lastDaySuspend...), now: "2026-03-09 12:00",
			want: view{Used: 2, Excluded: 3, LegalLeft: 18, PromisedLeft: 0, PromisedDeadline: "2026-03-09", LegalDeadline: "2026-04-02", Warning: Yellow}},
		{name: "resumed after the deadline day: red the day after", app: lim(20, 2, lastDaySuspend...), now: "2026-03-10 09:00",
			want: view{Used: 3, Excluded: 3, LegalLeft: 17, PromisedLeft: -1, PromisedDeadline: "2026-03-04", LegalDeadline: "2026-04-02", Warning: Red}},

		// Extension.
		{name: "extend: before the event", app: std(Event{Kind: Extend, At: at("2026-03-20 09:00"), Days: 10}), now: "2026-03-19 12:00",
			want: view{Used: 13, LegalLeft: 7, PromisedLeft: -3, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-03-30", Warning: Red}},
		{name: "extend: legal +10, promised unchanged", app: std(Event{Kind: Extend, At: at("2026-03-20 09:00"), Days: 10}), now: "2026-03-20 12:00",
			want: view{LegalLimit: 30, Used: 14, LegalLeft: 16, PromisedLeft: -4, PromisedDeadline: "2026-03-16", LegalDeadline: "2026-04-14", Warning: Red}},
		{name: "extend: legal +10, promised +5", app: std(Event{Kind: Extend, At: at("2026-03-13 09:00"), Days: 10, PromisedDays: 5}), now: "2026-03-20 12:00",
			want: view{LegalLimit: 30, PromisedLimit: 15, Used: 14, LegalLeft: 16, PromisedLeft: 1, PromisedDeadline: "2026-03-23", LegalDeadline: "2026-04-14", Warning: Yellow}},

		// Across the year end into provisional 2027.
		{name: "deadline in provisional 2027", app: Application{Accepted: at("2026-12-15 10:00"), LegalDays: 20, PromisedDays: 10}, now: "2026-12-16 09:00",
			want: view{Start: "2026-12-15", Used: 1, LegalLeft: 19, PromisedLeft: 9, PromisedDeadline: "2026-12-29", LegalDeadline: "2027-01-13", Provisional: true}},
		// The acceptance date is taken in Shanghai.
		{name: "accepted 17:30 UTC is the next day in Shanghai", app: Application{Accepted: time.Date(2026, 3, 2, 17, 30, 0, 0, time.UTC), LegalDays: 20, PromisedDays: 10},
			now:  "2026-03-04 12:00",
			want: view{Start: "2026-03-03", Used: 1, LegalLeft: 19, PromisedLeft: 9, PromisedDeadline: "2026-03-17", LegalDeadline: "2026-03-31"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := c.Clock(tc.app, at(tc.now), tc.pol)
			if err != nil {
				t.Fatalf("Clock: %v", err)
			}
			want := tc.want
			if want.Start == "" {
				want.Start = "2026-03-02"
			}
			if want.LegalLimit == 0 {
				want.LegalLimit = tc.app.LegalDays
			}
			if want.PromisedLimit == 0 {
				want.PromisedLimit = tc.app.PromisedDays
			}
			if got := viewOf(st); got != want {
				t.Errorf("Clock at %s:\n got %+v\nwant %+v", tc.now, got, want)
			}
			if st.Stopped() != (st.Stop != Running) || (st.Stopped() && st.StoppedAt.IsZero()) {
				t.Errorf("Stopped() = %v, StoppedAt = %v", st.Stopped(), st.StoppedAt)
			}
			if st.Today != DateOf(at(tc.now)) || st.Accepted != DateOf(tc.app.Accepted) {
				t.Errorf("Today %s, Accepted %s", st.Today, st.Accepted)
			}
		})
	}
}

func TestClockErrors(t *testing.T) {
	c := defaultCal(t)
	acc := at("2026-03-02 10:00")
	ev := func(k EventKind, s string) Event { return Event{Kind: k, At: at(s)} }
	for _, tc := range []struct {
		name string
		app  Application
		now  string
		pol  *Policy
		want string
	}{
		{"restart without pause", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(Restart, "2026-03-04 10:00")}},
			"2026-03-05 10:00", nil, "events[0] Restart at 2026-03-04 10:00: no PauseStart before it"},
		{"resume without suspend", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(Resume, "2026-03-04 10:00")}},
			"2026-03-05 10:00", nil, "events[0] Resume at 2026-03-04 10:00: no Suspend before it"},
		{"suspend while awaiting materials", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(PauseStart, "2026-03-03 10:00"), ev(Suspend, "2026-03-04 10:00")}},
			"2026-03-05 10:00", nil, "events[1] Suspend at 2026-03-04 10:00: the clock is already stopped (awaiting materials since 2026-03-03 10:00)"},
		{"pause while suspended", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(Suspend, "2026-03-03 10:00"), ev(PauseStart, "2026-03-04 10:00")}},
			"2026-03-05 10:00", nil, "already stopped (suspended since"},
		{"out of order", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(Suspend, "2026-03-05 10:00"), ev(Resume, "2026-03-04 10:00")}},
			"2026-03-06 10:00", nil, "events[1] Resume: at 2026-03-04 10:00:00, before events[0]; give the events in time order"},
		{"event before acceptance", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(Suspend, "2026-03-01 10:00")}},
			"2026-03-06 10:00", nil, "events[0] Suspend: at 2026-03-01 10:00:00, before acceptance"},
		{"event time unset", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{{Kind: Suspend}}},
			"2026-03-06 10:00", nil, "events[0] Suspend: time is not set"},
		{"unknown kind", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(EventKind(9), "2026-03-03 10:00")}},
			"2026-03-06 10:00", nil, "events[0] EventKind(9): unknown kind"},
		{"extend by nothing", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{ev(Extend, "2026-03-03 10:00")}},
			"2026-03-06 10:00", nil, "events[0] Extend: extends by 0 legal and 0 promised days"},
		{"days on a suspension", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{{Kind: Suspend, At: at("2026-03-03 10:00"), Days: 5}}},
			"2026-03-06 10:00", nil, "only Extend uses"},
		{"promised extended past legal", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10, Events: []Event{{Kind: Extend, At: at("2026-03-03 10:00"), PromisedDays: 15}}},
			"2026-03-06 10:00", nil, "promised limit becomes 25 days, more than the legal 20"},
		{"promised over legal", Application{Accepted: acc, LegalDays: 5, PromisedDays: 10}, "2026-03-06 10:00", nil, "promised limit 10 exceeds legal limit 5"},
		{"negative limit", Application{Accepted: acc, LegalDays: -1, PromisedDays: -1}, "2026-03-06 10:00", nil, "cannot be negative"},
		{"no acceptance time", Application{LegalDays: 20, PromisedDays: 10}, "2026-03-06 10:00", nil, "acceptance time is not set"},
		{"read before acceptance", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10}, "2026-03-01 10:00", nil, "before acceptance"},
		{"bad policy", Application{Accepted: acc, LegalDays: 20, PromisedDays: 10}, "2026-03-06 10:00", &Policy{YellowFraction: 20}, "yellow fraction 20 is not between 0 and 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Clock(tc.app, at(tc.now), tc.pol)
			if err == nil {
				t.Fatalf("Clock succeeded; want an error containing %q", tc.want)
			}
			if !errors.Is(err, ErrClock) || !strings.HasPrefix(err.Error(), "workday: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant ErrClock containing %q", err, tc.want)
			}
		})
	}
}

// TestClockImportRemovesProvisional: once the official notice is imported,
// a deadline in 2027 is no longer provisional.
func TestClockImportRemovesProvisional(t *testing.T) {
	c := defaultCal(t)
	app := Application{Accepted: at("2026-12-15 10:00"), LegalDays: 20, PromisedDays: 10}
	y, _ := c.Year(2027)
	y.Provisional, y.Source = false, "TEST: provisional dates promoted"
	next, _, err := c.Replace(y)
	if err != nil {
		t.Fatal(err)
	}
	st, err := next.Clock(app, at("2026-12-16 09:00"), nil)
	if err != nil || st.Provisional || st.LegalDeadline != d("2027-01-13") {
		t.Errorf("Clock = %+v, %v; want a final 2027-01-13", st, err)
	}
}

func TestEnumStrings(t *testing.T) {
	for got, want := range map[string]string{
		PauseStart.String(): "PauseStart", Extend.String(): "Extend", EventKind(0).String(): "EventKind(0)",
		Running.String(): "running", AwaitingMaterials.String(): "awaiting materials", Suspended.String(): "suspended",
		NoWarning.String(): "none", Yellow.String(): "yellow", Red.String(): "red", Warning(7).String(): "Warning(7)",
	} {
		if got != want {
			t.Errorf("String() = %q; want %q", got, want)
		}
	}
}
