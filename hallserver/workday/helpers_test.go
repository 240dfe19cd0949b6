package workday

import (
	"testing"
	"time"
)

// d parses a YYYY-MM-DD date for test tables.
func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// at parses "YYYY-MM-DD hh:mm" as a time in Location.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Location)
	if err != nil {
		panic(err)
	}
	return t
}

// defaultCal returns the Calendar of the embedded files.
func defaultCal(tb testing.TB) *Calendar {
	tb.Helper()
	c, err := Default()
	if err != nil {
		tb.Fatalf("Default: %v", err)
	}
	return c
}

// span returns the dates from a to b inclusive.
func span(a, b string) []Date {
	var ds []Date
	for x := d(a); !x.After(d(b)); x = x.AddDays(1) {
		ds = append(ds, x)
	}
	return ds
}
