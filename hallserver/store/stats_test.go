package store_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"onestop/hallserver/application"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
	"onestop/hallserver/workday"
)

// The statistics tests run a small hall over nine days around 清明 2026
// (Sat 4 April to Mon 6 April off, no 调休): Tuesday 31 March to
// Wednesday 8 April, across a month boundary and the ISO weeks 14 and 15.
// Every figure below was worked out by hand from this story.
//
// Staff: wang (王芳) at window 3 (queue B), li (李明) at window 6 (queue C).
//
// Tickets:
//
//	T1 31.3  B GA-CRJ-001  issued 09:00, called 09:10 by wang, 09:12–09:20: done    wait 600 s, service 480 s
//	T2 31.3  C ZR-BDC-004  issued 09:05, called 09:25 by li, recalled, no-show 09:30  wait 1200 s
//	T3 31.3  B (no item)   issued 09:06, cancelled 09:07 (department GA: queue B serves GA only)
//	T4 1.4   B GA-CRJ-003  issued 10:00, called 10:30 by wang, served, sent to queue C and back;
//	                       li serves it 10:51–11:00, wang calls it again 11:05, 11:06–11:16: done
//	                       wait 1800 s (to the first call), service 600 s (the last service)
//	T5 1.4   C ZR-BDC-002  issued 10:10, never called
//	T6 7.4   B GA-CRJ-001  issued 09:00, called 09:40 by wang, 09:41–10:01: done     wait 2400 s, service 1200 s
//
// Applications (accepted → completed; working days used on the clock; limits legal/promised):
//
//	P0 wang w3 GA-CRJ-002 (30/0, instant) Mon 30.3 16:00 → Tue 31.3 09:30   used 1  overdue (accepted before the range)
//	P1 wang w5 GA-CRJ-002 (30/0, instant) Tue 31.3 10:00 → Tue 31.3 10:30   used 0  on time, same day
//	P4 wang w3 SJ-DJ-003  (3/1)           Tue 31.3 09:01 → Tue 7.4 11:00    used 4  overdue (Wed, Thu, Fri, Tue)
//	P7 li   w6 GA-CRJ-001 (30/7)          Tue 31.3 14:00 → Wed 8.4 16:00    used 1  early (补正 1.4, materials 7.4: restart), rejected
//	P2 li   w6 ZR-BDC-003 (30/3)          Wed 1.4 11:00  → Thu 2.4 15:00    used 1  early
//	P3 li   w6 ZR-BDC-003 (30/3)          Thu 2.4 09:30  → Wed 8.4 16:00    used 3  on time (Fri, then Tue, Wed after the holiday)
//	P5 wang w3 SJ-DJ-002  (3/1)           Thu 2.4 09:45  → Sat 4.4 10:00    used 1  overdue (due Fri; a holiday completion is late)
//	P6 wang w3 GA-CRJ-001                 Tue 7.4 14:00  → open
//	P8 li   w6 RS-SB-004                  Wed 8.4 10:00  → Thu 9.4 (after the range)
//
// Ratings at a kiosk (level, day, what; window, staff and item come from
// the record):
//
//	R1 5 31.3 T1: w3 wang GA-CRJ-001
//	R2 1 31.3 P1: w5 wang GA-CRJ-002, followed up 1.4 and superseded by R3
//	R3 4 7.4  P1: w5 wang GA-CRJ-002 (the re-rating of R2, on its own day)
//	R4 3 1.4  T4: w3 wang GA-CRJ-003
//	R5 2 2.4  P2: w6 li   ZR-BDC-003
//	R6 1 8.4  P3: w6 li   ZR-BDC-003
//	R7 5 9.4  P8 (after the range)

var (
	statsFrom = workday.NewDate(2026, 3, 31)
	statsTo   = workday.NewDate(2026, 4, 8)
)

// at is a time in the hall on a day of 2026.
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, queue.Location)
}

// statsHall builds the hall of the story above.
func statsHall(t *testing.T) (*store.Store, *workday.Calendar) {
	t.Helper()
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock(at(3, 30, 8, 0))
	s := openStore(t, t.TempDir(), clk, store.Options{})
	cat := seed(t)
	for i := range cat.Items { // no certificates to issue at 制证: these tests are about time
		cat.Items[i].Certificate = nil
	}
	if err := s.InitHall(ctx, store.System, hall, cat); err != nil {
		t.Fatal(err)
	}
	wang := namedStaff(t, s, "wang", "王芳", 3)
	li := namedStaff(t, s, "li", "李明", 6)
	open(t, s, wang, 3)
	open(t, s, li, 6)
	st := &statsStory{t: t, s: s, cal: cal, clk: clk, apps: map[string]string{}, tickets: map[string]store.Ticket{},
		ratings: map[string]int64{}}

	st.at(3, 30, 16, 0).accept("P0", wang, "3", "GA-CRJ-002")
	st.at(3, 31, 9, 0).issue("T1", "", "GA-CRJ-001")
	st.at(3, 31, 9, 1).accept("P4", wang, "3", "SJ-DJ-003")
	st.at(3, 31, 9, 5).issue("T2", "", "ZR-BDC-004")
	st.at(3, 31, 9, 6).issue("T3", "B", "")
	st.at(3, 31, 9, 7).cancel("T3")
	st.at(3, 31, 9, 10).call(wang, 3, "T1")
	st.at(3, 31, 9, 12).window(wang, 3, queue.Start)
	st.at(3, 31, 9, 20).window(wang, 3, queue.Finish)
	st.at(3, 31, 9, 25).call(li, 6, "T2")
	st.at(3, 31, 9, 27).window(li, 6, queue.Recall)
	st.at(3, 31, 9, 30).window(li, 6, queue.MarkNoShow)
	st.approve("P0", wang)
	st.at(3, 31, 10, 0).accept("P1", wang, "5", "GA-CRJ-002")
	st.at(3, 31, 10, 30).approve("P1", wang)
	st.at(3, 31, 11, 0).rate("R1", 5, "T1", "")
	st.at(3, 31, 12, 0).rate("R2", 1, "", "P1")
	st.at(3, 31, 14, 0).accept("P7", li, "6", "GA-CRJ-001")

	st.at(4, 1, 9, 0).event("P7", li, application.Event{Kind: application.EvRequestMaterials, Note: "缺少照片"})
	st.at(4, 1, 10, 0).issue("T4", "", "GA-CRJ-003")
	st.at(4, 1, 10, 10).issue("T5", "", "ZR-BDC-002")
	st.at(4, 1, 10, 30).call(wang, 3, "T4")
	st.at(4, 1, 10, 31).window(wang, 3, queue.Start)
	st.at(4, 1, 10, 40).act(wang, 3, store.WindowAction{Kind: queue.Transfer, ToQueue: "C", Return: true})
	st.at(4, 1, 10, 50).call(li, 6, "T4")
	st.at(4, 1, 10, 51).window(li, 6, queue.Start)
	st.at(4, 1, 11, 0).window(li, 6, queue.Finish) // back to queue B, for window 3
	st.accept("P2", li, "6", "ZR-BDC-003")
	st.at(4, 1, 11, 5).call(wang, 3, "T4")
	st.at(4, 1, 11, 6).window(wang, 3, queue.Start)
	st.at(4, 1, 11, 16).window(wang, 3, queue.Finish)
	st.at(4, 1, 12, 0).rate("R4", 3, "T4", "")
	st.at(4, 1, 15, 0).followUp("R2", wang)

	st.at(4, 2, 9, 30).accept("P3", li, "6", "ZR-BDC-003")
	st.at(4, 2, 9, 45).accept("P5", wang, "3", "SJ-DJ-002")
	st.at(4, 2, 15, 0).approve("P2", li)
	st.at(4, 2, 16, 0).rate("R5", 2, "", "P2")
	st.at(4, 4, 10, 0).approve("P5", wang) // a Saturday, and 清明

	st.at(4, 7, 9, 0).issue("T6", "", "GA-CRJ-001")
	st.event("P7", li, application.Event{Kind: application.EvMaterialsReceived})
	st.at(4, 7, 9, 40).call(wang, 3, "T6")
	st.at(4, 7, 9, 41).window(wang, 3, queue.Start)
	st.at(4, 7, 10, 1).window(wang, 3, queue.Finish)
	st.at(4, 7, 10, 0).rate("R3", 4, "", "P1") // replaces R2
	st.at(4, 7, 11, 0).approve("P4", wang)
	st.at(4, 7, 14, 0).accept("P6", wang, "3", "GA-CRJ-001")

	st.at(4, 8, 10, 0).accept("P8", li, "6", "RS-SB-004")
	st.at(4, 8, 16, 0).approve("P3", li)
	st.event("P7", li, application.Event{Kind: application.EvComplete, Outcome: application.Rejected, Note: "材料不符合法定形式"})
	st.at(4, 8, 17, 0).rate("R6", 1, "", "P3")
	st.at(4, 9, 9, 0).approve("P8", li)
	st.at(4, 9, 9, 30).rate("R7", 5, "", "P8")

	return s, cal
}

// namedStaff creates a counter account with a display name.
func namedStaff(t *testing.T, s *store.Store, username, display string, window int) store.Actor {
	t.Helper()
	u, err := s.CreateUser(ctx, admin, store.NewUser{Username: username, DisplayName: display, Role: "counter", PasswordHash: "$argon2id$test"})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", username, err)
	}
	return store.Actor{Name: u.Username, Role: u.Role, UserID: u.ID, Device: fmt.Sprintf("window %d", window)}
}

// statsStory drives the hall through the story, by name.
type statsStory struct {
	t       *testing.T
	s       *store.Store
	cal     *workday.Calendar
	clk     *clock
	apps    map[string]string       // P0 → application number
	tickets map[string]store.Ticket // T1 → its ticket
	ratings map[string]int64        // R1 → rating id
}

func (st *statsStory) at(month time.Month, day, hour, minute int) *statsStory {
	st.clk.Set(at(month, day, hour, minute))
	return st
}

func (st *statsStory) issue(name, q, item string) {
	st.t.Helper()
	st.tickets[name] = issue(st.t, st.s, store.IssueRequest{Queue: q, Item: item})
}

func (st *statsStory) cancel(name string) {
	st.t.Helper()
	if _, err := st.s.CancelTicket(ctx, admin, st.tickets[name].ID, "不办了"); err != nil {
		st.t.Fatalf("cancel %s: %v", name, err)
	}
}

// call calls the next ticket at the window and checks it is the one the
// story expects.
func (st *statsStory) call(a store.Actor, window int, want string) {
	st.t.Helper()
	if got := callNext(st.t, st.s, a, window).Ticket.ID; got != st.tickets[want].ID {
		st.t.Fatalf("window %d called ticket %d, want %s (%d)", window, got, want, st.tickets[want].ID)
	}
}

func (st *statsStory) window(a store.Actor, window int, kind queue.ActionKind) {
	st.t.Helper()
	st.act(a, window, store.WindowAction{Kind: kind})
}

func (st *statsStory) act(a store.Actor, window int, wa store.WindowAction) {
	st.t.Helper()
	act(st.t, st.s, a, window, wa)
}

func (st *statsStory) accept(name string, a store.Actor, window, item string) {
	st.t.Helper()
	req := acceptReq("申请人"+name, "hash-"+name)
	req.Item, req.Window = item, window
	app, err := st.s.AcceptApplication(ctx, a, req)
	if err != nil {
		st.t.Fatalf("accept %s: %v", name, err)
	}
	st.apps[name] = app.Number
}

func (st *statsStory) event(name string, a store.Actor, ev application.Event) {
	st.t.Helper()
	if _, err := st.s.RecordApplicationEvent(ctx, a, st.apps[name], ev, nil); err != nil {
		st.t.Fatalf("%s %s: %v", name, ev.Kind, err)
	}
}

// approve takes the application through its steps and completes it, approved, now.
func (st *statsStory) approve(name string, a store.Actor) {
	st.t.Helper()
	for _, step := range application.Steps[1:] {
		st.event(name, a, application.Event{Kind: application.EvAdvance, Step: step})
	}
	st.event(name, a, application.Event{Kind: application.EvComplete, Outcome: application.Approved})
}

// rate rates the ticket or the application named, at a kiosk, now.
func (st *statsStory) rate(name string, level int, ticket, app string) {
	st.t.Helper()
	req := store.RatingRequest{Channel: store.ChannelKiosk, Level: level, ApplicationNumber: st.apps[app]}
	if ticket != "" {
		req.TicketToken = st.tickets[ticket].Token
	}
	r, err := st.s.RecordRating(ctx, kioskA, st.cal, req)
	if err != nil {
		st.t.Fatalf("rating %s: %v", name, err)
	}
	st.ratings[name] = r.ID
}

// followUp calls the citizen back about a bad rating and resolves it, so
// that it may be re-rated.
func (st *statsStory) followUp(name string, a store.Actor) {
	st.t.Helper()
	id := st.ratings[name]
	if _, err := st.s.RecordCallback(ctx, a, id, "已电话回访"); err != nil {
		st.t.Fatalf("call back %s: %v", name, err)
	}
	if _, err := st.s.ResolveFollowup(ctx, a, id, "已整改"); err != nil {
		st.t.Fatalf("resolve %s: %v", name, err)
	}
}

// Figures in the notation of the tables below.

// tk: tickets issued, served, no-show, cancelled, called; waits (total,
// longest) and service time (total) in seconds.
func tk(issued, served, noShow, cancelled, called, wait, longest, service int) store.TicketFigures {
	return store.TicketFigures{Issued: issued, Served: served, NoShow: noShow, Cancelled: cancelled, Called: called,
		WaitTotal: time.Duration(wait) * time.Second, WaitMax: time.Duration(longest) * time.Second,
		ServiceTotal: time.Duration(service) * time.Second}
}

// ap: applications accepted, completed, same day, early, on time,
// overdue, working days used, and the shares of the legal limit used.
func ap(accepted, completed, sameDay, early, onTime, overdue, used int, shares ...float64) store.ApplicationFigures {
	f := store.ApplicationFigures{Accepted: accepted, Completed: completed, SameDay: sameDay, Early: early,
		OnTime: onTime, Overdue: overdue, UsedDays: used, LegalShareCount: len(shares)}
	for _, s := range shares {
		f.LegalShareSum += s
	}
	return f
}

// rt: ratings of levels 1 to 5.
func rt(levels ...int) store.RatingFigures {
	var f store.RatingFigures
	copy(f.Levels[:], levels)
	return f
}

// fig puts the three together.
func fig(a store.ApplicationFigures, t store.TicketFigures, r store.RatingFigures) store.StatsFigures {
	return store.StatsFigures{Applications: a, Tickets: t, Ratings: r}
}

var none = store.StatsFigures{}

// wantRow is a row a report must have.
type wantRow struct {
	period     string
	start, end string // MM-DD in 2026
	key        string
	f          store.StatsFigures
}

func TestStatistics(t *testing.T) {
	s, cal := statsHall(t)
	d := func(f float64) float64 { return f / 30 } // share of a 30-day legal limit
	tests := []struct {
		period store.Period
		by     store.Dimension
		rows   []wantRow
	}{
		{store.PeriodDay, store.ByNone, []wantRow{
			{"2026-03-31", "03-31", "03-31", "", fig(ap(3, 2, 1, 0, 1, 1, 1, d(1), 0), tk(3, 1, 1, 1, 2, 1800, 1200, 480), rt(0, 0, 0, 0, 1))},
			{"2026-04-01", "04-01", "04-01", "", fig(ap(1, 0, 0, 0, 0, 0, 0), tk(2, 1, 0, 0, 1, 1800, 1800, 600), rt(0, 0, 1))},
			{"2026-04-02", "04-02", "04-02", "", fig(ap(2, 1, 0, 1, 0, 0, 1, d(1)), tk(0, 0, 0, 0, 0, 0, 0, 0), rt(0, 1))},
			{"2026-04-03", "04-03", "04-03", "", none},
			{"2026-04-04", "04-04", "04-04", "", fig(ap(0, 1, 0, 0, 0, 1, 1, 1.0/3), store.TicketFigures{}, rt())},
			{"2026-04-05", "04-05", "04-05", "", none},
			{"2026-04-06", "04-06", "04-06", "", none},
			{"2026-04-07", "04-07", "04-07", "", fig(ap(1, 1, 0, 0, 0, 1, 4, 4.0/3), tk(1, 1, 0, 0, 1, 2400, 2400, 1200), rt(0, 0, 0, 1))},
			{"2026-04-08", "04-08", "04-08", "", fig(ap(1, 2, 0, 1, 1, 0, 4, d(3), d(1)), store.TicketFigures{}, rt(1))},
		}},
		{store.PeriodWeek, store.ByNone, []wantRow{
			{"2026-W14", "03-31", "04-05", "", fig(ap(6, 4, 1, 1, 1, 2, 3, d(1), 0, d(1), 1.0/3), tk(5, 2, 1, 1, 3, 3600, 1800, 1080), rt(0, 1, 1, 0, 1))},
			{"2026-W15", "04-06", "04-08", "", fig(ap(2, 3, 0, 1, 1, 1, 8, 4.0/3, d(3), d(1)), tk(1, 1, 0, 0, 1, 2400, 2400, 1200), rt(1, 0, 0, 1))},
		}},
		{store.PeriodMonth, store.ByNone, []wantRow{
			{"2026-03", "03-31", "03-31", "", fig(ap(3, 2, 1, 0, 1, 1, 1, d(1), 0), tk(3, 1, 1, 1, 2, 1800, 1200, 480), rt(0, 0, 0, 0, 1))},
			{"2026-04", "04-01", "04-08", "", fig(ap(5, 5, 0, 2, 1, 2, 10, d(1), 1.0/3, 4.0/3, d(3), d(1)), tk(3, 2, 0, 0, 2, 4200, 2400, 1800), rt(1, 1, 1, 1))},
		}},
		{store.PeriodWeek, store.ByStaff, []wantRow{
			{"2026-W14", "03-31", "04-05", "li", fig(ap(3, 1, 0, 1, 0, 0, 1, d(1)), tk(1, 0, 1, 0, 1, 1200, 1200, 0), rt(0, 1))},
			{"2026-W14", "03-31", "04-05", "wang", fig(ap(3, 3, 1, 0, 1, 2, 2, d(1), 0, 1.0/3), tk(2, 2, 0, 0, 2, 2400, 1800, 1080), rt(0, 0, 1, 0, 1))},
			{"2026-W14", "03-31", "04-05", "", fig(ap(0, 0, 0, 0, 0, 0, 0), tk(2, 0, 0, 1, 0, 0, 0, 0), rt())},
			{"2026-W15", "04-06", "04-08", "li", fig(ap(1, 2, 0, 1, 1, 0, 4, d(3), d(1)), store.TicketFigures{}, rt(1))},
			{"2026-W15", "04-06", "04-08", "wang", fig(ap(1, 1, 0, 0, 0, 1, 4, 4.0/3), tk(1, 1, 0, 0, 1, 2400, 2400, 1200), rt(0, 0, 0, 1))},
		}},
		{store.PeriodWeek, store.ByWindow, []wantRow{
			{"2026-W14", "03-31", "04-05", "3", fig(ap(2, 2, 0, 0, 0, 2, 2, d(1), 1.0/3), tk(2, 2, 0, 0, 2, 2400, 1800, 1080), rt(0, 0, 1, 0, 1))},
			{"2026-W14", "03-31", "04-05", "5", fig(ap(1, 1, 1, 0, 1, 0, 0, 0), store.TicketFigures{}, rt())},
			{"2026-W14", "03-31", "04-05", "6", fig(ap(3, 1, 0, 1, 0, 0, 1, d(1)), tk(1, 0, 1, 0, 1, 1200, 1200, 0), rt(0, 1))},
			{"2026-W14", "03-31", "04-05", "", fig(store.ApplicationFigures{}, tk(2, 0, 0, 1, 0, 0, 0, 0), rt())},
			{"2026-W15", "04-06", "04-08", "3", fig(ap(1, 1, 0, 0, 0, 1, 4, 4.0/3), tk(1, 1, 0, 0, 1, 2400, 2400, 1200), rt())},
			{"2026-W15", "04-06", "04-08", "5", fig(store.ApplicationFigures{}, store.TicketFigures{}, rt(0, 0, 0, 1))},
			{"2026-W15", "04-06", "04-08", "6", fig(ap(1, 2, 0, 1, 1, 0, 4, d(3), d(1)), store.TicketFigures{}, rt(1))},
		}},
		{store.PeriodMonth, store.ByDepartment, []wantRow{
			{"2026-03", "03-31", "03-31", "GA", fig(ap(2, 2, 1, 0, 1, 1, 1, d(1), 0), tk(2, 1, 0, 1, 1, 600, 600, 480), rt(0, 0, 0, 0, 1))},
			{"2026-03", "03-31", "03-31", "SJ", fig(ap(1, 0, 0, 0, 0, 0, 0), store.TicketFigures{}, rt())},
			{"2026-03", "03-31", "03-31", "ZR", fig(store.ApplicationFigures{}, tk(1, 0, 1, 0, 1, 1200, 1200, 0), rt())},
			{"2026-04", "04-01", "04-08", "GA", fig(ap(1, 1, 0, 1, 0, 0, 1, d(1)), tk(2, 2, 0, 0, 2, 4200, 2400, 1800), rt(0, 0, 1, 1))},
			{"2026-04", "04-01", "04-08", "RS", fig(ap(1, 0, 0, 0, 0, 0, 0), store.TicketFigures{}, rt())},
			{"2026-04", "04-01", "04-08", "SJ", fig(ap(1, 2, 0, 0, 0, 2, 5, 1.0/3, 4.0/3), store.TicketFigures{}, rt())},
			{"2026-04", "04-01", "04-08", "ZR", fig(ap(2, 2, 0, 1, 1, 0, 4, d(1), d(3)), tk(1, 0, 0, 0, 0, 0, 0, 0), rt(1, 1))},
		}},
		{store.PeriodMonth, store.ByItem, []wantRow{
			{"2026-03", "03-31", "03-31", "GA-CRJ-001", fig(ap(1, 0, 0, 0, 0, 0, 0), tk(1, 1, 0, 0, 1, 600, 600, 480), rt(0, 0, 0, 0, 1))},
			{"2026-03", "03-31", "03-31", "GA-CRJ-002", fig(ap(1, 2, 1, 0, 1, 1, 1, d(1), 0), store.TicketFigures{}, rt())},
			{"2026-03", "03-31", "03-31", "SJ-DJ-003", fig(ap(1, 0, 0, 0, 0, 0, 0), store.TicketFigures{}, rt())},
			{"2026-03", "03-31", "03-31", "ZR-BDC-004", fig(store.ApplicationFigures{}, tk(1, 0, 1, 0, 1, 1200, 1200, 0), rt())},
			{"2026-03", "03-31", "03-31", "", fig(store.ApplicationFigures{}, tk(1, 0, 0, 1, 0, 0, 0, 0), rt())},
			{"2026-04", "04-01", "04-08", "GA-CRJ-001", fig(ap(1, 1, 0, 1, 0, 0, 1, d(1)), tk(1, 1, 0, 0, 1, 2400, 2400, 1200), rt())},
			{"2026-04", "04-01", "04-08", "GA-CRJ-002", fig(store.ApplicationFigures{}, store.TicketFigures{}, rt(0, 0, 0, 1))},
			{"2026-04", "04-01", "04-08", "GA-CRJ-003", fig(store.ApplicationFigures{}, tk(1, 1, 0, 0, 1, 1800, 1800, 600), rt(0, 0, 1))},
			{"2026-04", "04-01", "04-08", "RS-SB-004", fig(ap(1, 0, 0, 0, 0, 0, 0), store.TicketFigures{}, rt())},
			{"2026-04", "04-01", "04-08", "SJ-DJ-002", fig(ap(1, 1, 0, 0, 0, 1, 1, 1.0/3), store.TicketFigures{}, rt())},
			{"2026-04", "04-01", "04-08", "SJ-DJ-003", fig(ap(0, 1, 0, 0, 0, 1, 4, 4.0/3), store.TicketFigures{}, rt())},
			{"2026-04", "04-01", "04-08", "ZR-BDC-002", fig(store.ApplicationFigures{}, tk(1, 0, 0, 0, 0, 0, 0, 0), rt())},
			{"2026-04", "04-01", "04-08", "ZR-BDC-003", fig(ap(2, 2, 0, 1, 1, 0, 4, d(1), d(3)), store.TicketFigures{}, rt(1, 1))},
		}},
	}
	wantTotal := fig(ap(8, 7, 1, 2, 2, 3, 11, d(1), 0, d(1), 1.0/3, 4.0/3, d(3), d(1)), tk(6, 3, 1, 1, 4, 6000, 2400, 2280), rt(1, 1, 1, 1, 1))
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s by %s", tt.period, byName(tt.by)), func(t *testing.T) {
			rep, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsTo, Period: tt.period, By: tt.by})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) != len(tt.rows) {
				for _, r := range rep.Rows {
					t.Logf("got %s %s %+v", r.Period, r.Key, r.StatsFigures)
				}
				t.Fatalf("%d rows, want %d", len(rep.Rows), len(tt.rows))
			}
			for i, want := range tt.rows {
				got := rep.Rows[i]
				where := want.period + "/" + want.key
				if got.Period != want.period || got.Key != want.key || got.Start.String() != "2026-"+want.start || got.End.String() != "2026-"+want.end {
					t.Errorf("row %d is %s %q (%s to %s), want %s (2026-%s to 2026-%s)", i, got.Period, got.Key, got.Start, got.End, where, want.start, want.end)
				}
				checkFigures(t, where, got.StatsFigures, want.f)
			}
			checkFigures(t, "total", rep.Total, wantTotal)
			if rep.Provisional {
				t.Error("report provisional, but 2026 is an official calendar")
			}
		})
	}
}

func byName(by store.Dimension) string {
	if by == store.ByNone {
		return "none"
	}
	return string(by)
}

// checkFigures compares every figure; the sums of shares of the legal
// limit are sums of fractions such as 1/30, so they are compared to 1e-12.
func checkFigures(t *testing.T, where string, got, want store.StatsFigures) {
	t.Helper()
	gs, ws := got.Applications.LegalShareSum, want.Applications.LegalShareSum
	if math.Abs(gs-ws) > 1e-12 {
		t.Errorf("%s: legal share sum %v, want %v", where, gs, ws)
	}
	got.Applications.LegalShareSum, want.Applications.LegalShareSum = 0, 0
	if got.Applications != want.Applications {
		t.Errorf("%s: applications\n got %+v\nwant %+v", where, got.Applications, want.Applications)
	}
	if got.Tickets != want.Tickets {
		t.Errorf("%s: tickets\n got %+v\nwant %+v", where, got.Tickets, want.Tickets)
	}
	if got.Ratings != want.Ratings {
		t.Errorf("%s: ratings %v, want %v", where, got.Ratings.Levels, want.Ratings.Levels)
	}
}

// TestStatisticsDerived checks the rates and means of the whole range
// and the names the rows carry.
func TestStatisticsDerived(t *testing.T) {
	s, cal := statsHall(t)
	rep, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsTo, Period: store.PeriodMonth, By: store.ByStaff})
	if err != nil {
		t.Fatal(err)
	}
	a, tks, r := rep.Total.Applications, rep.Total.Tickets, rep.Total.Ratings
	rate := func(v float64, ok bool) string {
		if !ok {
			return "none"
		}
		return fmt.Sprintf("%.4f", v)
	}
	dur := func(v time.Duration, ok bool) string {
		if !ok {
			return "none"
		}
		return v.String()
	}
	checks := []struct{ name, got, want string }{
		{"即办率", rate(a.SameDayRate()), "0.1429"},               // 1 of 7
		{"average days used", rate(a.AvgUsedDays()), "1.5714"}, // 11 / 7
		// (1/30 + 0 + 1/30 + 1/3 + 4/3 + 3/30 + 1/30) / 7
		{"average share of the legal limit", rate(a.AvgLegalShare()), "0.2667"},
		{"average wait", dur(tks.AvgWait()), "25m0s"},        // 6000 s / 4
		{"longest wait", tks.WaitMax.String(), "40m0s"},      // T6
		{"average service", dur(tks.AvgService()), "12m40s"}, // 2280 s / 3
		{"ratings", fmt.Sprint(r.Count(), r.Satisfied()), "5 3"},
		{"satisfaction rate", rate(r.SatisfactionRate()), "0.6000"},
		{"nothing completed", rate(store.ApplicationFigures{}.SameDayRate()), "none"},
		{"nobody called", dur(store.TicketFigures{Issued: 3}.AvgWait()), "none"},
		{"no ratings", rate(store.RatingFigures{}.SatisfactionRate()), "none"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	names := map[string]string{}
	for _, row := range rep.Rows {
		names[row.Key] = row.Name
	}
	if names["wang"] != "王芳" || names["li"] != "李明" || names[""] != "" {
		t.Errorf("staff names %v", names)
	}
	for by, want := range map[store.Dimension][2]string{
		store.ByWindow:     {"3", "3号窗口"},
		store.ByItem:       {"ZR-BDC-003", "抵押权首次登记"},
		store.ByDepartment: {"SJ", "省市场监督管理局"},
	} {
		rep, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsTo, Period: store.PeriodMonth, By: by})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range rep.Rows {
			if row.Key == want[0] {
				found = row.Name == want[1]
			}
		}
		if !found {
			t.Errorf("by %s: no row %s named %s", by, want[0], want[1])
		}
	}
}

// TestStatisticsRowsAddUp: in every grouping, the rows of a period add up
// to the period's row without a dimension, and the rows to the total.
func TestStatisticsRowsAddUp(t *testing.T) {
	s, cal := statsHall(t)
	for _, p := range []store.Period{store.PeriodDay, store.PeriodWeek, store.PeriodMonth} {
		whole, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsTo, Period: p})
		if err != nil {
			t.Fatal(err)
		}
		for _, by := range []store.Dimension{store.ByDepartment, store.ByItem, store.ByWindow, store.ByStaff} {
			rep, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsTo, Period: p, By: by})
			if err != nil {
				t.Fatal(err)
			}
			sums := map[string]*store.StatsFigures{}
			for _, row := range rep.Rows {
				if sums[row.Period] == nil {
					sums[row.Period] = &store.StatsFigures{}
				}
				addFigures(sums[row.Period], row.StatsFigures)
			}
			for _, row := range whole.Rows {
				sum := sums[row.Period]
				if sum == nil {
					sum = &store.StatsFigures{}
				}
				checkFigures(t, fmt.Sprintf("%s by %s, %s", p, by, row.Period), *sum, row.StatsFigures)
			}
			checkFigures(t, fmt.Sprintf("%s by %s, total", p, by), rep.Total, whole.Total)
		}
	}
}

// addFigures adds g to f as the store does (the longest wait is a maximum).
func addFigures(f *store.StatsFigures, g store.StatsFigures) {
	a, b := &f.Applications, g.Applications
	a.Accepted += b.Accepted
	a.Completed += b.Completed
	a.SameDay += b.SameDay
	a.Early += b.Early
	a.OnTime += b.OnTime
	a.Overdue += b.Overdue
	a.UsedDays += b.UsedDays
	a.LegalShareSum += b.LegalShareSum
	a.LegalShareCount += b.LegalShareCount
	tf, tg := &f.Tickets, g.Tickets
	tf.Issued += tg.Issued
	tf.Served += tg.Served
	tf.NoShow += tg.NoShow
	tf.Cancelled += tg.Cancelled
	tf.Called += tg.Called
	tf.WaitTotal += tg.WaitTotal
	tf.WaitMax = max(tf.WaitMax, tg.WaitMax)
	tf.ServiceTotal += tg.ServiceTotal
	for i, n := range g.Ratings.Levels {
		f.Ratings.Levels[i] += n
	}
}

// TestStatisticsByHour: by the hour, each record falls in the hour of its
// day it happened in (a ticket's issue, an application's acceptance and
// completion, a rating), and every hour of every day has a row.
func TestStatisticsByHour(t *testing.T) {
	s, cal := statsHall(t)
	rep, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsFrom.AddDays(1), Period: store.PeriodHour})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 48 {
		t.Fatalf("%d rows, want 24 for each of 2 days", len(rep.Rows))
	}
	want := map[string]store.StatsFigures{
		// 31 March: T1–T3 issued 09:00–09:06; P4 accepted 09:01, P0 completed 09:30 (overdue).
		"2026-03-31T09": fig(ap(1, 1, 0, 0, 0, 1, 1, 1.0/30), tk(3, 1, 1, 1, 2, 1800, 1200, 480), rt()),
		"2026-03-31T10": fig(ap(1, 1, 1, 0, 1, 0, 0, 0), store.TicketFigures{}, rt()),              // P1 accepted and completed
		"2026-03-31T11": fig(store.ApplicationFigures{}, store.TicketFigures{}, rt(0, 0, 0, 0, 1)), // R1 (R2 at 12:00 is superseded)
		"2026-03-31T14": fig(ap(1, 0, 0, 0, 0, 0, 0), store.TicketFigures{}, rt()),                 // P7
		// 1 April: T4 (served after a 30-minute wait) and T5 issued at 10:00 and 10:10; P2 at 11:00; R4 at 12:00.
		"2026-04-01T10": fig(store.ApplicationFigures{}, tk(2, 1, 0, 0, 1, 1800, 1800, 600), rt()),
		"2026-04-01T11": fig(ap(1, 0, 0, 0, 0, 0, 0), store.TicketFigures{}, rt()),
		"2026-04-01T12": fig(store.ApplicationFigures{}, store.TicketFigures{}, rt(0, 0, 1)),
	}
	var total store.StatsFigures
	for i, row := range rep.Rows {
		day := statsFrom.AddDays(i / 24)
		if label := fmt.Sprintf("%sT%02d", day, i%24); row.Period != label || row.Start != day || row.End != day {
			t.Errorf("row %d is %s (%s to %s), want %s (%s)", i, row.Period, row.Start, row.End, label, day)
		}
		checkFigures(t, row.Period, row.StatsFigures, want[row.Period])
		addFigures(&total, row.StatsFigures)
	}
	checkFigures(t, "total", rep.Total, total)

	// With a dimension, only the hours that have figures for a key.
	rep, err = s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsFrom, Period: store.PeriodHour, By: store.ByWindow})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rep.Rows {
		got = append(got, row.Period+"/"+row.Key)
	}
	// Window 3: T1, P4 and P0's completion at 09, R1 at 11; 5: P1 at 10;
	// 6: T2 at 09 and P7 at 14; T3 (cancelled, never called) has none.
	if s := fmt.Sprint(got); s != "[2026-03-31T09/3 2026-03-31T09/6 2026-03-31T09/ 2026-03-31T10/5 2026-03-31T11/3 2026-03-31T14/6]" {
		t.Errorf("rows by window: %s", s)
	}
}

// TestStatisticsRange: the range's edges are inclusive Shanghai days, and
// a range with nothing in it reports every period empty.
func TestStatisticsRange(t *testing.T) {
	s, cal := statsHall(t)
	one, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsTo, To: statsTo, Period: store.PeriodMonth})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Rows) != 1 || one.Rows[0].Start != statsTo || one.Rows[0].End != statsTo {
		t.Fatalf("one day: %+v", one.Rows)
	}
	// 8 April: P8 accepted; P3 and P7 completed; R6.
	checkFigures(t, "8 April", one.Total, fig(ap(1, 2, 0, 1, 1, 0, 4, 3.0/30, 1.0/30), store.TicketFigures{}, rt(1)))

	empty, err := s.Statistics(ctx, cal, store.StatsQuery{From: workday.NewDate(2025, 12, 29), To: workday.NewDate(2026, 1, 11),
		Period: store.PeriodWeek})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, r := range empty.Rows {
		labels = append(labels, fmt.Sprintf("%s %s–%s", r.Period, r.Start, r.End))
		checkFigures(t, r.Period, r.StatsFigures, none)
	}
	// ISO weeks: 29 December 2025 is in week 1 of 2026.
	if got := fmt.Sprint(labels); got != "[2026-W01 2025-12-29–2026-01-04 2026-W02 2026-01-05–2026-01-11]" {
		t.Errorf("weeks %s", got)
	}
}

// TestStatisticsProvisional: working days counted in 2027, whose holiday
// notice is not out yet (the calendar ships provisional), mark the report.
func TestStatisticsProvisional(t *testing.T) {
	s, clk := newHall(t)
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	a := staff(t, s, "wang", "counter", 3)
	app, err := s.AcceptApplication(ctx, a, acceptReq("王晓红", "h")) // Thursday 26 November 2026
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2027, 1, 5, 10, 0, 0, 0, queue.Location))
	if _, err := s.RecordApplicationEvent(ctx, a, app.Number, application.Event{Kind: application.EvComplete,
		Outcome: application.Withdrawn, Note: "申请人撤回"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		from, to    workday.Date
		provisional bool
	}{
		{workday.NewDate(2026, 11, 1), workday.NewDate(2026, 11, 30), false}, // accepted only: no days counted
		{workday.NewDate(2027, 1, 1), workday.NewDate(2027, 1, 31), true},    // completed, counted into 2027
	} {
		rep, err := s.Statistics(ctx, cal, store.StatsQuery{From: tt.from, To: tt.to, Period: store.PeriodMonth})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Provisional != tt.provisional {
			t.Errorf("%s to %s: provisional %v, want %v", tt.from, tt.to, rep.Provisional, tt.provisional)
		}
	}
}

func TestStatsQueryRefusals(t *testing.T) {
	s, _ := newHall(t)
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, to, period, by string
		words                string
	}{
		{"", "2026-04-08", "", "", "from is missing"},
		{"2026-4-1", "2026-04-08", "", "", `from "2026-4-1" is not a day: give it as YYYY-MM-DD`},
		{"2026-04-01", "2026-02-30", "", "", `to "2026-02-30" is not a day`},
		{"2026-04-08", "2026-04-01", "", "", "before from"},
		{"2020-01-01", "2026-04-01", "", "", "at most 1098 days"},
		{"2026-04-01", "2026-04-08", "year", "", "use day, week or month"},
		{"2026-03-01", "2026-04-01", "hour", "", "by the hour, ask for at most 31 days"},
		{"2026-04-01", "2026-04-08", "day", "colour", "use department, item, window or staff"},
	}
	for _, tt := range tests {
		_, err = store.ParseStatsQuery(tt.from, tt.to, tt.period, tt.by)
		wantErr(t, err, store.ErrInvalid, tt.words)
	}
	q, err := store.ParseStatsQuery(" 2026-04-01", "2026-04-08 ", "", "")
	if err != nil || q.Period != store.PeriodMonth || q.By != store.ByNone {
		t.Fatalf("defaults: %+v, %v", q, err)
	}
	if _, err := s.Statistics(ctx, cal, store.StatsQuery{From: statsFrom, To: statsTo, Period: "fortnight"}); err == nil {
		t.Error("Statistics took an unknown period")
	}
	if _, err := s.Statistics(ctx, nil, q); err == nil {
		t.Error("Statistics ran without a calendar")
	}
}

// BenchmarkStats reads statistics over a generated year of a busy hall:
// 250 working days of 2026, each with 800 tickets (85 % served, a few
// transferred and served again, 5 % no-show, 5 % cancelled, 2 % left
// waiting) and 50 applications (instant items completed the same day,
// the others after up to their promised limit and two days more, one in
// ten with 补正), and a rating for 40 % of the served tickets.
func BenchmarkStats(b *testing.B) {
	s, _ := newHall(b)
	cal, err := workday.Default()
	if err != nil {
		b.Fatal(err)
	}
	first, last := generateYear(b, s, cal, 250)
	b.Logf("generated %s to %s", first, last)
	run := func(q store.StatsQuery) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Statistics(ctx, cal, q); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	month := workday.NewDate(2026, 6, 1)
	b.Run("year by month", run(store.StatsQuery{From: first, To: last, Period: store.PeriodMonth}))
	b.Run("year by week and staff", run(store.StatsQuery{From: first, To: last, Period: store.PeriodWeek, By: store.ByStaff}))
	b.Run("year by day and item", run(store.StatsQuery{From: first, To: last, Period: store.PeriodDay, By: store.ByItem}))
	b.Run("month by day", run(store.StatsQuery{From: month, To: month.AddDays(29), Period: store.PeriodDay}))
}

// generateYear writes days working days of tickets, applications and
// ratings into the hall with SQL, one day per write, starting on the
// first working day of 2026 after New Year. It returns the first and last
// day.
func generateYear(b testing.TB, s *store.Store, cal *workday.Calendar, days int) (first, last workday.Date) {
	b.Helper()
	cat := seed(b)
	g := &yearGen{rnd: rand.New(rand.NewPCG(1, 2)), windows: map[string][]int{}, items: map[string][]catalogue.Item{}}
	for _, w := range cat.Windows {
		for _, q := range w.Queues {
			g.windows[q] = append(g.windows[q], w.Number)
		}
	}
	for _, it := range cat.Items {
		g.items[it.Queue] = append(g.items[it.Queue], it)
		g.all = append(g.all, it)
	}
	for _, q := range cat.Queues {
		g.queues = append(g.queues, q.Code)
	}
	d := workday.NewDate(2026, 1, 4)
	for n := 0; n < days; d = d.AddDays(1) {
		if !cal.IsWorkday(d) {
			continue
		}
		if n == 0 {
			first = d
		}
		n++
		last = d
		if err := s.Write(ctx, func(tx *store.Tx) error { return g.day(tx, cal, d) }); err != nil {
			b.Fatalf("generate %s: %v", d, err)
		}
	}
	return first, last
}

// yearGen makes up a hall's days.
type yearGen struct {
	rnd     *rand.Rand
	queues  []string
	windows map[string][]int // queue → windows serving it
	items   map[string][]catalogue.Item
	all     []catalogue.Item
	ticket  int64
	app     int64
}

func (g *yearGen) pick(n int) int { return g.rnd.IntN(n) }

// minutes returns t plus m minutes and a few seconds.
func (g *yearGen) minutes(t time.Time, m int) time.Time {
	return t.Add(time.Duration(m)*time.Minute + time.Duration(g.pick(60))*time.Second)
}

func (g *yearGen) day(tx *store.Tx, cal *workday.Calendar, d workday.Date) error {
	open := d.Start().Add(8*time.Hour + 30*time.Minute)
	seqs := map[string]int{}
	for i := 0; i < 800; i++ {
		q := g.queues[g.pick(len(g.queues))]
		seqs[q]++
		if err := g.ticketOf(tx, d, q, seqs[q], open.Add(time.Duration(i)*36*time.Second)); err != nil {
			return err
		}
	}
	for i := 0; i < 50; i++ {
		if err := g.application(tx, cal, d, i+1, open.Add(time.Duration(i)*9*time.Minute)); err != nil {
			return err
		}
	}
	return nil
}

// ticketOf writes one ticket of queue q issued at issued, and its events.
func (g *yearGen) ticketOf(tx *store.Tx, d workday.Date, q string, seq int, issued time.Time) error {
	g.ticket++
	id := g.ticket
	it := g.items[q][g.pick(len(g.items[q]))]
	ws := g.windows[q]
	window := strconv.Itoa(ws[g.pick(len(ws))])
	staff := "staff" + window
	type ev struct {
		at       time.Time
		action   string
		from, to string
	}
	var evs []ev
	state, called, started, finished := "issued", time.Time{}, time.Time{}, time.Time{}
	call := g.minutes(issued, 1+g.pick(40))
	switch r := g.pick(100); {
	case r < 85: // served
		started = g.minutes(call, 1)
		finished = g.minutes(started, 3+g.pick(17))
		evs = []ev{{call, "call", "issued", "called"}, {started, "start", "called", "serving"}, {finished, "finish", "serving", "done"}}
		state, called = "done", call
	case r < 88: // transferred to another window of the queue, and served there
		started = g.minutes(call, 1)
		again := g.minutes(started, 5)
		started2 := g.minutes(again, 1)
		finished = g.minutes(started2, 5+g.pick(10))
		evs = []ev{{call, "call", "issued", "called"}, {started, "start", "called", "serving"},
			{g.minutes(started, 3), "transfer", "serving", "transferred"},
			{again, "call", "transferred", "called"}, {started2, "start", "called", "serving"}, {finished, "finish", "serving", "done"}}
		state, called, started = "done", again, started2
	case r < 93: // no-show
		finished = g.minutes(call, 3)
		evs = []ev{{call, "call", "issued", "called"}, {g.minutes(call, 1), "recall", "called", "recalled"}, {finished, "no_show", "recalled", "no_show"}}
		state, called = "no_show", call
	case r < 98: // cancelled
		finished = g.minutes(issued, 2+g.pick(20))
		evs = []ev{{finished, "cancel", "issued", "cancelled"}}
		state, window = "cancelled", ""
	default: // still waiting at closing time
		window = ""
	}
	ms := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return t.UnixMilli()
	}
	if _, err := tx.Exec(`INSERT INTO tickets(id, token, day, orig_queue, seq, number, queue, item, priority, state,
		issued_at, queued_at, called_at, started_at, finished_at, window) VALUES (?,?,?,?,?,?,?,?,'',?,?,?,?,?,?,?)`,
		id, fmt.Sprintf("tok%d", id), d.String(), q, seq, fmt.Sprintf("%s%03d", q, seq), q, it.Code, state,
		ms(issued), ms(issued), ms(called), ms(started), ms(finished), window); err != nil {
		return err
	}
	for _, e := range evs {
		if _, err := tx.Exec(`INSERT INTO ticket_events(ticket_id, at, action, from_state, to_state, window, actor)
			VALUES (?,?,?,?,?,?,?)`, id, ms(e.at), e.action, e.from, e.to, window, staff); err != nil {
			return err
		}
	}
	if state == "done" && g.pick(100) < 40 {
		level := []int{5, 5, 5, 5, 5, 5, 4, 4, 3, 2, 1}[g.pick(11)]
		if _, err := tx.Exec(`INSERT INTO ratings(at, level, ticket_id, window, staff, item, department, channel)
			VALUES (?,?,?,?,?,?,?,'kiosk')`, ms(g.minutes(finished, 1)), level, id, window, staff, it.Code, it.Department); err != nil {
			return err
		}
	}
	return nil
}

// application writes one application accepted at accepted, and its events.
func (g *yearGen) application(tx *store.Tx, cal *workday.Calendar, d workday.Date, seq int, accepted time.Time) error {
	g.app++
	id := g.app
	it := g.all[g.pick(len(g.all))]
	window := strconv.Itoa(1 + g.pick(14))
	staff := "staff" + window
	completed := g.minutes(accepted, 30)
	var events [][2]any // kind, time
	events = append(events, [2]any{"accept", accepted})
	if !it.Instant {
		done := cal.AddWorkdays(d, g.pick(it.PromisedDays+3))
		if g.pick(10) == 0 { // 补正: two days for the materials
			req := g.minutes(accepted, 60)
			got := cal.AddWorkdays(d, 2).Start().Add(10 * time.Hour)
			events = append(events, [2]any{"request_materials", req}, [2]any{"materials_received", got})
			done = cal.AddWorkdays(done, 2)
		}
		if done != d {
			completed = done.Start().Add(15 * time.Hour)
		}
	}
	for range 4 { // review, decide, make, deliver
		events = append(events, [2]any{"advance", completed.Add(-time.Minute)})
	}
	events = append(events, [2]any{"complete", completed})
	if _, err := tx.Exec(`INSERT INTO applications(id, number, day, seq, item, applicant_name, applicant_hash, applicant_sealed,
		applicant_masked, window, legal_days, promised_days, instant, accepted_at, accepted_by, step, status, outcome,
		completed_at, qr_token) VALUES (?,?,?,?,?,'申请人','h',x'00','5201**********123X',?,?,?,?,?,?,'deliver','completed','approved',?,?)`,
		id, fmt.Sprintf("APP-%d", id), d.String(), seq, it.Code, window, it.LegalDays, it.PromisedDays, it.Instant,
		accepted.UnixMilli(), staff, completed.UnixMilli(), fmt.Sprintf("qr%d", id)); err != nil {
		return err
	}
	for _, e := range events {
		if _, err := tx.Exec(`INSERT INTO application_events(application_id, kind, at, actor) VALUES (?,?,?,?)`,
			id, e[0], e[1].(time.Time).UnixMilli(), staff); err != nil {
			return err
		}
	}
	return nil
}
