package queue

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// t0 is 09:00 on a service day in the hall; at(m) is m minutes later.
var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, Location)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// tk builds a ticket waiting in queue q, issued at minute issued.
func tk(id int64, q string, seq int, p Priority, issued int) Ticket {
	return Ticket{
		ID:       id,
		Queue:    q,
		Day:      ServiceDay(at(issued)),
		Seq:      seq,
		Number:   FormatNumber(q, seq),
		Priority: p,
		State:    Issued,
		IssuedAt: at(issued),
		QueuedAt: at(issued),
	}
}

// with returns t changed by edit; tables use it to say exactly which fields
// an action sets.
func with(t Ticket, edit func(*Ticket)) Ticket {
	edit(&t)
	return t
}

// ticketDiff lists the fields in which got and want differ, comparing
// times with Equal.
func ticketDiff(got, want Ticket) string {
	var diffs []string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		name := g.Type().Field(i).Name
		gf, wf := g.Field(i).Interface(), w.Field(i).Interface()
		if gt, ok := gf.(time.Time); ok {
			if !gt.Equal(wf.(time.Time)) {
				diffs = append(diffs, fmt.Sprintf("%s = %s, want %s", name, gt.Format(time.TimeOnly), wf.(time.Time).Format(time.TimeOnly)))
			}
			continue
		}
		if !reflect.DeepEqual(gf, wf) {
			diffs = append(diffs, fmt.Sprintf("%s = %#v, want %#v", name, gf, wf))
		}
	}
	return strings.Join(diffs, "; ")
}

// numbers lists the tickets' numbers, for messages.
func numbers(ts []Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Number)
	}
	return out
}
