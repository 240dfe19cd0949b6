package idcard

import (
	"context"
	"errors"
	"time"
)

// EventKind tells what an Event reports.
type EventKind int

// The kinds of Event.
const (
	// EventPlaced: a card was placed and read. Event.Card holds it; an
	// Event.Err matching ErrInvalidCard means it was read but fails a check
	// (e.g. its ID number's check digit).
	EventPlaced EventKind = iota + 1
	// EventRemoved: the card that was read left the reader.
	EventRemoved
	// EventError: a poll failed (timeout, damaged frames, SAM error);
	// Event.Err says why. Watching goes on.
	EventError
)

// String is placed, removed or error.
func (k EventKind) String() string {
	switch k {
	case EventPlaced:
		return "placed"
	case EventRemoved:
		return "removed"
	case EventError:
		return "error"
	}
	return "unknown"
}

// Event is what Watch reports.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Card is the card read, for EventPlaced.
	Card Card
	// Err is why a poll failed (EventError), or why a card read is
	// invalid (EventPlaced).
	Err error
	// Time is when the poll that saw it ended.
	Time time.Time
}

// DefaultWatchInterval is the poll interval Watch uses for 0: about once
// a second, as the protocol document advises.
const DefaultWatchInterval = time.Second

// Watch polls r every interval until ctx ends, and sends on events:
//
//   - EventPlaced once per placement of a card: the card is read (Read,
//     with r's options) and not reported again while it stays;
//   - EventRemoved once when that card leaves: while a card is present,
//     each poll reads its management number (30 05), which only a
//     selected card still in the field answers;
//   - EventError for each poll that fails, without stopping.
//
// A reader does not find a card it has read again until the card leaves
// the field, so a card already read when Watch starts is only seen after
// it is taken off and put back.
//
// Watch closes events when it returns, which it does with ctx's error.
func Watch(ctx context.Context, r *Reader, interval time.Duration, events chan<- Event) error {
	defer close(events)
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var w watchState
	for {
		ev, ok := poll(ctx, r, &w)
		if ok {
			ev.Time = time.Now()
			select {
			case events <- ev:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// watchState is what Watch remembers between polls.
type watchState struct {
	present bool // a card was reported placed and not yet removed
	absent  int  // consecutive polls whose answer says the card has gone
}

// goneStatuses are the answers to 30 05 that say the card left the
// field; any other status is a fault, reported as such. One radio glitch
// must not report a removal (the reader would then not find the card,
// already read, until it is lifted), so it takes two polls in a row.
var goneStatuses = map[Status]bool{StatusNoCard: true, StatusSelectFailed: true, StatusReadFailed: true}

// poll runs one round and says what, if anything, to report.
func poll(ctx context.Context, r *Reader, w *watchState) (Event, bool) {
	if ctx.Err() != nil {
		return Event{}, false
	}
	if w.present {
		_, err := r.ReadManagementNumber(ctx)
		var st Status
		switch {
		case err == nil:
			w.absent = 0
			return Event{}, false
		case errors.As(err, &st) && goneStatuses[st]:
			if w.absent++; w.absent < 2 {
				return Event{}, false
			}
			w.present, w.absent = false, 0
			return Event{Kind: EventRemoved}, true
		case ctx.Err() != nil:
			return Event{}, false
		default:
			return Event{Kind: EventError, Err: err}, true
		}
	}
	c, err := r.Read(ctx)
	switch {
	case err == nil:
		w.present = true
		return Event{Kind: EventPlaced, Card: c}, true
	case errors.Is(err, ErrNoCard):
		return Event{}, false
	case errors.Is(err, ErrInvalidCard):
		w.present = true
		return Event{Kind: EventPlaced, Card: c, Err: err}, true
	case ctx.Err() != nil:
		return Event{}, false
	default:
		return Event{Kind: EventError, Err: err}, true
	}
}
