package application

import (
	"testing"
	"time"

	"onestop/hallserver/workday"
)

// TestClockFollowsTheEvents runs an application through 补正, a
// suspension and an extension across 国庆 2026 and reads the clock as
// supervision does.
func TestClockFollowsTheEvents(t *testing.T) {
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	sh := workday.Location
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, sh) }
	in := ClockInput{Accepted: at(9, 21, 10), LegalDays: 20, PromisedDays: 5}
	read := func(now time.Time) workday.Status {
		t.Helper()
		st, err := Clock(cal, in, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	// Accepted Mon 21 Sep; Tue 22 – Fri 25 count (中秋 25–27 is a holiday
	// from Fri 25): 22, 23, 24 = 3 days by Thu 24.
	if st := read(at(9, 24, 18)); st.Used != 3 || st.Warning != workday.NoWarning || st.PromisedLeft != 2 {
		t.Fatalf("Thu 24 Sep: used %d, warning %v", st.Used, st.Warning)
	}
	// 补正 on Thu 24: frozen; materials arrive Mon 12 Oct: counting restarts.
	in.Events = append(in.Events,
		Event{Kind: EvRequestMaterials, At: at(9, 24, 11), Note: "缺少测绘报告"},
		Event{Kind: EvMaterialsReceived, At: at(10, 12, 9)})
	if st := read(at(10, 9, 12)); !st.Stopped() {
		t.Fatalf("while awaiting materials the clock runs: %+v", st)
	}
	if st := read(at(10, 14, 12)); st.Used != 2 || st.Restarts != 1 {
		t.Fatalf("Wed 14 Oct after the restart: used %d, restarts %d", st.Used, st.Restarts)
	}
	// An expert review Thu 15 – Tue 20 Oct does not count; a 10-day extension.
	in.Events = append(in.Events,
		Event{Kind: EvSuspend, At: at(10, 15, 9), Suspend: ExpertReview},
		Event{Kind: EvResume, At: at(10, 20, 9)},
		Event{Kind: EvExtend, At: at(10, 21, 9), Days: 10, Note: "批准延长"})
	st := read(at(10, 21, 12))
	if st.LegalLimit != 30 || st.Excluded == 0 {
		t.Fatalf("after suspension and extension: %+v", st)
	}
	// Completed on 22 Oct: the clock stays at that day, however late it is read.
	in.State = State{Step: Deliver, Status: Completed, Outcome: Approved, CompletedAt: at(10, 22, 16)}
	done := read(at(12, 31, 12))
	if !done.Today.Equal(workday.DateOf(at(10, 22, 16))) || done.OverLegal {
		t.Fatalf("a completed application's clock moved on: %+v", done)
	}
}

func TestClockEventsMapping(t *testing.T) {
	events := []Event{
		{Kind: EvAccept}, {Kind: EvAdvance, Step: Review}, {Kind: EvRequestMaterials, Note: "x"},
		{Kind: EvMaterialsReceived}, {Kind: EvSuspend, Suspend: Hearing}, {Kind: EvResume},
		{Kind: EvExtend, Days: 10}, {Kind: EvComplete, Outcome: Approved},
	}
	got := ClockEvents(events)
	want := []workday.EventKind{workday.PauseStart, workday.Restart, workday.Suspend, workday.Resume, workday.Extend}
	if len(got) != len(want) {
		t.Fatalf("%d clock events, want %d", len(got), len(want))
	}
	for i, k := range want {
		if got[i].Kind != k {
			t.Errorf("event %d: %v, want %v", i, got[i].Kind, k)
		}
	}
	if got[2].Note != "听证" || got[4].Days != 10 {
		t.Errorf("suspension note %q, extension days %d", got[2].Note, got[4].Days)
	}
}
