package application

import (
	"time"

	"onestop/hallserver/workday"
)

// ClockInput is what the working-day clock needs of an application.
type ClockInput struct {
	Accepted                time.Time
	LegalDays, PromisedDays int
	Events                  []Event
	State                   State
}

// ClockEvents turns an application's events into the clock's: 补正 stops
// the clock and the materials' arrival restarts it, a suspension and its
// resumption exclude the days between, an extension adds to the legal
// limit. Steps and completion do not move the clock.
func ClockEvents(events []Event) []workday.Event {
	var out []workday.Event
	for _, ev := range events {
		we := workday.Event{At: ev.At, Note: ev.Note}
		switch ev.Kind {
		case EvRequestMaterials:
			we.Kind = workday.PauseStart
		case EvMaterialsReceived:
			we.Kind = workday.Restart
		case EvSuspend:
			we.Kind = workday.Suspend
			if we.Note == "" {
				we.Note = suspendKinds[ev.Suspend]
			}
		case EvResume:
			we.Kind = workday.Resume
		case EvExtend:
			we.Kind, we.Days = workday.Extend, ev.Days
		default:
			continue
		}
		out = append(out, we)
	}
	return out
}

// Clock reads the application's working-day clock at now; a completed
// application's clock is read at its completion, so that its figures say
// whether it finished early, on time or late.
func Clock(cal *workday.Calendar, in ClockInput, now time.Time, p *workday.Policy) (workday.Status, error) {
	if in.State.Status == Completed && !in.State.CompletedAt.IsZero() {
		now = in.State.CompletedAt
	}
	return cal.Clock(workday.Application{Accepted: in.Accepted, LegalDays: in.LegalDays,
		PromisedDays: in.PromisedDays, Events: ClockEvents(in.Events)}, now, p)
}
