package queue

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	_ "time/tzdata" // Asia/Shanghai must load on hosts without a zoneinfo database
)

// Location is the hall's time zone, Asia/Shanghai. Service days, and so the
// daily numbering, begin at local midnight here whatever the host's zone is.
var Location = mustLoadLocation("Asia/Shanghai")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Cannot happen with time/tzdata embedded; fail loudly rather
		// than number tickets in the wrong day.
		panic(fmt.Sprintf("queue: load time zone %s: %v", name, err))
	}
	return loc
}

// ServiceDay returns the service day of t, as YYYY-MM-DD in Location.
// Ticket numbers are counted per queue per service day.
func ServiceDay(t time.Time) string {
	return t.In(Location).Format(time.DateOnly)
}

// errBadNumber is wrapped by every NewNumber error.
var errBadNumber = errors.New("queue: invalid ticket number")

// NewNumber returns the printed number of the seq-th ticket of the day in
// the queue with the given prefix: the prefix followed by seq with at least
// three digits ("A001", "A042", "A1000"; longer numbers are never cut).
//
// It returns an error if seq is below 1, or if the prefix is empty or holds
// a digit or a space: a digit would make numbers ambiguous ("A1"+"001" reads
// as "A"+"1001"), and a space would break the voice call.
func NewNumber(prefix string, seq int) (string, error) {
	if prefix == "" {
		return "", fmt.Errorf("%w: empty queue prefix", errBadNumber)
	}
	if i := strings.IndexFunc(prefix, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsSpace(r) }); i >= 0 {
		return "", fmt.Errorf("%w: queue prefix %q holds a digit or space", errBadNumber, prefix)
	}
	if seq < 1 {
		return "", fmt.Errorf("%w: sequence %d for queue %s (the first ticket of the day is 1)", errBadNumber, seq, prefix)
	}
	return fmt.Sprintf("%s%03d", prefix, seq), nil
}

// FormatNumber is NewNumber for callers that already know prefix and seq are
// valid (the store, which counts seq from 1 and validates prefixes when a
// queue is created). It panics if NewNumber returns an error, since that
// is a programming error, not a runtime condition.
func FormatNumber(prefix string, seq int) string {
	n, err := NewNumber(prefix, seq)
	if err != nil {
		panic(err)
	}
	return n
}
