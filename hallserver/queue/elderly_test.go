package queue

import (
	"testing"
	"time"
)

func TestAgeOn(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name  string
		birth time.Time
		now   time.Time
		want  int
	}{
		{"the day before the birthday", day(1961, 3, 2), time.Date(2026, 3, 1, 12, 0, 0, 0, Location), 64},
		{"on the birthday", day(1961, 3, 2), time.Date(2026, 3, 2, 0, 0, 0, 0, Location), 65},
		{"the day after", day(1961, 3, 2), time.Date(2026, 3, 3, 9, 0, 0, 0, Location), 65},
		{"birthday already in Shanghai, not yet in UTC", day(1961, 3, 2), time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC), 65},
		{"29 February, on 28 February", day(1960, 2, 29), time.Date(2025, 2, 28, 10, 0, 0, 0, Location), 64},
		{"29 February, on 1 March", day(1960, 2, 29), time.Date(2025, 3, 1, 10, 0, 0, 0, Location), 65},
		{"born later in the year", day(2000, 12, 31), time.Date(2026, 6, 1, 10, 0, 0, 0, Location), 25},
		{"born after now", day(2027, 1, 1), time.Date(2026, 6, 1, 10, 0, 0, 0, Location), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AgeOn(tt.birth, tt.now); got != tt.want {
				t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.birth.Format(time.DateOnly), tt.now, got, tt.want)
			}
		})
	}
}

func TestElderlyPriority(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, Location)
	aged := func(years int) time.Time { return time.Date(2026-years, 3, 2, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name   string
		minAge int
		birth  time.Time
		want   bool
	}{
		{"64 at 65", 65, aged(64), false},
		{"65 at 65", 65, aged(65), true},
		{"66 at 65", 65, aged(66), true},
		{"one day short of 65", 65, aged(65).AddDate(0, 0, 1), false},
		{"66 with the setting 0 (off)", 0, aged(66), false},
		{"90 with the setting 0 (off)", 0, aged(90), false},
		{"70 at 70", 70, aged(70), true},
		{"unknown birth date", 65, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ElderlyPriority(tt.minAge, tt.birth, now); got != tt.want {
				t.Errorf("ElderlyPriority(%d, %s, %s) = %v, want %v", tt.minAge, tt.birth.Format(time.DateOnly), now, got, tt.want)
			}
		})
	}
}
