package workday_test

import (
	"fmt"
	"os"
	"time"

	"onestop/hallserver/workday"
)

// An application accepted on the Friday before the 2026 Spring Festival:
// the working Saturday Feb 14 is day 1, Feb 15–23 are off.
func ExampleCalendar_AddWorkdays() {
	cal, err := workday.Default()
	if err != nil {
		panic(err)
	}
	accepted := workday.NewDate(2026, time.February, 13)
	due := cal.AddWorkdays(accepted, 5)
	fmt.Println(due, due.Weekday(), cal.WorkdaysBetween(accepted, due), cal.Provisional(accepted, due))
	// Output: 2026-02-27 Friday 5 false
}

// An expert review stops the clock from Wednesday afternoon to the next
// Tuesday morning: Thursday to Tuesday (4 working days) are not counted.
func ExampleCalendar_Clock() {
	cal, err := workday.Default()
	if err != nil {
		panic(err)
	}
	at := func(day, hour int) time.Time {
		return time.Date(2026, time.March, day, hour, 0, 0, 0, workday.Location)
	}
	app := workday.Application{
		Accepted:     at(2, 10),
		LegalDays:    20,
		PromisedDays: 10,
		Events: []workday.Event{
			{Kind: workday.Suspend, At: at(4, 15), Note: "专家评审"},
			{Kind: workday.Resume, At: at(10, 10)},
		},
	}
	st, err := cal.Clock(app, at(13, 16), nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("used %d (%d excluded), %d promised days left, due %s, legal limit %s, warning %s\n",
		st.Used, st.Excluded, st.PromisedLeft, st.PromisedDeadline, st.LegalDeadline, st.Warning)
	// Output: used 5 (4 excluded), 5 promised days left, due 2026-03-20, legal limit 2026-04-03, warning none
}

// Importing the State Council's notice replaces the provisional year. (The
// notice here is a fictional test fixture.)
func ExampleCalendar_Import() {
	cal, err := workday.Default()
	if err != nil {
		panic(err)
	}
	notice, err := os.ReadFile("testdata/2027-fictional-notice.json")
	if err != nil {
		panic(err)
	}
	next, change, err := cal.Import(notice)
	if err != nil {
		panic(err)
	}
	_, provisional := next.Covered(2027)
	fmt.Println(len(change.HolidaysAdded), change.HolidaysRemoved, change.WorkdaysAdded, provisional)
	// Output: 17 [2027-02-05] [2027-02-20 2027-04-25 2027-09-26 2027-10-09] false
}
