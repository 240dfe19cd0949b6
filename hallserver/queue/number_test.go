package queue

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLocation(t *testing.T) {
	if got := Location.String(); got != "Asia/Shanghai" {
		t.Fatalf("Location = %s, want Asia/Shanghai", got)
	}
	_, offset := time.Date(2026, 7, 1, 12, 0, 0, 0, Location).Zone()
	if offset != 8*3600 {
		t.Fatalf("Shanghai offset = %ds, want %ds", offset, 8*3600)
	}
}

func TestServiceDay(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"last second before Shanghai midnight", time.Date(2026, 11, 26, 15, 59, 59, 0, time.UTC), "2026-11-26"},
		{"Shanghai midnight", time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC), "2026-11-27"},
		{"UTC midnight is 08:00 in Shanghai", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), "2026-11-27"},
		{"last second of the year in Shanghai", time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), "2026-12-31"},
		{"new year in Shanghai while still 2026 in UTC", time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01-01"},
		{"time given in another zone", time.Date(2026, 11, 26, 11, 0, 0, 0, newYork), "2026-11-27"},
		{"local time in Shanghai", time.Date(2026, 3, 5, 0, 0, 0, 0, Location), "2026-03-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ServiceDay(tt.at); got != tt.want {
				t.Errorf("ServiceDay(%s) = %s, want %s", tt.at.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

func TestNewNumber(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		seq    int
		want   string
	}{
		{"first of the day", "A", 1, "A001"},
		{"two digits padded", "A", 42, "A042"},
		{"three digits", "B", 999, "B999"},
		{"four digits not truncated", "A", 1000, "A1000"},
		{"five digits", "C", 12345, "C12345"},
		{"longer prefix", "VIP", 7, "VIP007"},
		{"Chinese prefix", "综", 3, "综003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewNumber(tt.prefix, tt.seq)
			if err != nil {
				t.Fatalf("NewNumber(%q, %d): %v", tt.prefix, tt.seq, err)
			}
			if got != tt.want {
				t.Errorf("NewNumber(%q, %d) = %q, want %q", tt.prefix, tt.seq, got, tt.want)
			}
			if f := FormatNumber(tt.prefix, tt.seq); f != tt.want {
				t.Errorf("FormatNumber(%q, %d) = %q, want %q", tt.prefix, tt.seq, f, tt.want)
			}
		})
	}
}

func TestNewNumberErrors(t *testing.T) {
	tests := []struct {
		name     string
		prefix   string
		seq      int
		contains string
	}{
		{"zero sequence", "A", 0, "sequence 0"},
		{"negative sequence", "A", -3, "sequence -3"},
		{"empty prefix", "", 1, "empty queue prefix"},
		{"prefix ending in a digit", "A1", 1, `"A1"`},
		{"prefix with a space", "A B", 1, `"A B"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewNumber(tt.prefix, tt.seq)
			if err == nil {
				t.Fatalf("NewNumber(%q, %d) = %q, want an error", tt.prefix, tt.seq, got)
			}
			if got != "" {
				t.Errorf("NewNumber(%q, %d) returned %q with its error", tt.prefix, tt.seq, got)
			}
			if !errors.Is(err, errBadNumber) || !strings.HasPrefix(err.Error(), "queue: ") || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q: want a queue error mentioning %s", err, tt.contains)
			}
			defer func() {
				if recover() == nil {
					t.Errorf("FormatNumber(%q, %d) did not panic", tt.prefix, tt.seq)
				}
			}()
			FormatNumber(tt.prefix, tt.seq)
		})
	}
}
