package queue

import (
	"testing"
	"time"
)

func TestAhead(t *testing.T) {
	strict := DefaultPolicy()
	ageing := Policy{Kind: Ageing, AgeingBonus: 15 * time.Minute}
	inter := Policy{Kind: Interleave, InterleaveN: 2}

	// Queue A at 09:30, oldest first; queue B and non-waiting tickets
	// must never count.
	a001 := tk(1, "A", 1, Regular, 0)
	a002 := tk(2, "A", 2, Regular, 5)
	a003 := tk(3, "A", 3, Elderly, 10)
	a004 := tk(4, "A", 4, Regular, 12)
	a005 := tk(5, "A", 5, Pregnant, 25)
	a006 := tk(6, "A", 6, Regular, 26)
	queueA := []Ticket{a001, a002, a003, a004, a005, a006}
	noise := []Ticket{
		tk(10, "B", 1, Elderly, -10),
		inState(tk(11, "A", 7, Elderly, -9), Called),
		inState(tk(12, "A", 8, Regular, -8), Serving),
		inState(tk(13, "A", 9, Regular, -7), Done),
		inState(tk(14, "A", 10, Regular, -6), Cancelled),
	}
	all := append(append([]Ticket{}, queueA...), noise...)

	tests := []struct {
		name   string
		cands  []Ticket
		t      Ticket
		policy Policy
		want   int
	}{
		{"strict: first in line", []Ticket{a004, a002, a001}, a001, strict, 0},
		{"strict: oldest regular waits for both priorities", all, a001, strict, 2},
		{"strict: regular behind older regulars and all priorities", all, a004, strict, 4},
		{"strict: last regular", all, a006, strict, 5},
		{"strict: first priority", all, a003, strict, 0},
		{"strict: second priority", all, a005, strict, 1},
		{"interleave counts as strict", all, a004, inter, 4},
		{"ageing: bonus passes younger regulars", all, a005, ageing, 3},       // 5m+15m beats A006 (4m) and A004 (18m) but not A001..A003
		{"ageing: elderly ahead of a regular by bonus", all, a002, ageing, 2}, // A003: 20m+15m > A002's 25m
		{"ageing: oldest regular behind a lifted elderly", all, a001, ageing, 1},
		{"t itself in the list does not count", []Ticket{a001, a002}, a002, strict, 1},
		{"a stale copy of t in the list does not count", []Ticket{a001, with(a002, func(t *Ticket) { t.Priority = Elderly })}, a002, strict, 1},
		{"t missing from the list", []Ticket{a001}, a002, strict, 1},
		{"held tickets count even before their hold ends", []Ticket{holdUntil(a001, 60), a002}, a002, strict, 1},
		{"tickets reserved for any window count", []Ticket{reserve(a001, "5"), a002}, a002, strict, 1},
		{"transferred tickets count", []Ticket{inState(a001, Transferred), a002}, a002, strict, 1},
		{"a held t counts who is ahead of it", []Ticket{a001, a002}, holdUntil(a002, 60), strict, 1},
		{"a called t has nobody ahead", all, inState(a004, Called), strict, 0},
		{"a finished t has nobody ahead", all, inState(a004, Done), strict, 0},
		{"invalid policy counts as strict", all, a004, Policy{Kind: "nope"}, 4},
		{"no candidates", nil, a004, strict, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Ahead(tt.cands, tt.t, tt.policy, at(30)); got != tt.want {
				t.Errorf("Ahead(%s) = %d, want %d", tt.t.Number, got, tt.want)
			}
		})
	}
}

func TestEstimateWait(t *testing.T) {
	m := time.Minute
	tests := []struct {
		name     string
		ahead    int
		service  []time.Duration
		windows  int
		fallback time.Duration
		want     time.Duration
	}{
		{"nobody ahead", 0, []time.Duration{5 * m}, 1, 3 * m, 0},
		{"negative ahead", -1, []time.Duration{5 * m}, 1, 3 * m, 0},
		{"one window", 3, []time.Duration{4 * m, 6 * m}, 1, 0, 15 * m},
		{"two windows share the work", 3, []time.Duration{4 * m, 6 * m}, 2, 0, 7*m + 30*time.Second},
		{"no open window counts as one", 2, []time.Duration{5 * m}, 0, 0, 10 * m},
		{"negative windows count as one", 2, []time.Duration{5 * m}, -3, 0, 10 * m},
		{"non-positive samples ignored", 2, []time.Duration{0, -m, 3 * m}, 1, 10 * m, 6 * m},
		{"fallback when no samples", 4, nil, 2, 5 * m, 10 * m},
		{"fallback when no positive samples", 4, []time.Duration{0, -m}, 2, 5 * m, 10 * m},
		{"no samples and no fallback", 4, nil, 2, 0, 0},
		{"rounded to the second", 1, []time.Duration{time.Second, 2 * time.Second}, 1, 0, 2 * time.Second}, // 1.5s
		{"rounded down below half a second", 1, []time.Duration{10*time.Second + 400*time.Millisecond}, 1, 0, 10 * time.Second},
		{"thirds rounded", 1, []time.Duration{10 * time.Second}, 3, 0, 3 * time.Second}, // 3.33s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EstimateWait(tt.ahead, tt.service, tt.windows, tt.fallback)
			if got != tt.want {
				t.Errorf("EstimateWait(%d, %v, %d, %v) = %v, want %v", tt.ahead, tt.service, tt.windows, tt.fallback, got, tt.want)
			}
		})
	}
}
