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
	present := false
	for {
		ev, ok := poll(ctx, r, &present)
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

// poll runs one round and says what, if anything, to report.
func poll(ctx context.Context, r *Reader, present *bool) (Event, bool) {
	if ctx.Err() != nil {
		return Event{}, false
	}
	if *present {
		_, err := r.ReadManagementNumber(ctx)
		var st Status
		switch {
		case err == nil:
			return Event{}, false
		case errors.As(err, &st) && !st.transient():
			// The SAM answered: the card is gone (or another took its place).
			*present = false
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
		*present = true
		return Event{Kind: EventPlaced, Card: c}, true
	case errors.Is(err, ErrNoCard):
		return Event{}, false
	case errors.Is(err, ErrInvalidCard):
		*present = true
		return Event{Kind: EventPlaced, Card: c, Err: err}, true
	case ctx.Err() != nil:
		return Event{}, false
	default:
		return Event{Kind: EventError, Err: err}, true
	}
}
