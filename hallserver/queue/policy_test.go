package queue

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// reserve returns t reserved for window w.
func reserve(t Ticket, w string) Ticket { t.TargetWindow = w; return t }

// holdUntil returns t held until minute m.
func holdUntil(t Ticket, m int) Ticket { t.State = Held; t.HoldUntil = at(m); return t }

// inState returns t in state s.
func inState(t Ticket, s State) Ticket { t.State = s; t.Window = "9"; return t }

func TestPickNext(t *testing.T) {
	win3 := WindowView{Code: "3", Queues: []string{"A", "B"}}
	strict := DefaultPolicy()
	inter2 := Policy{Kind: Interleave, InterleaveN: 2}
	ageing := Policy{Kind: Ageing, AgeingBonus: 15 * time.Minute}
	R, E, P := Regular, Elderly, Pregnant

	// A mixed hall at 09:30: window 3 serves A and B, and may call A001,
	// B001, A002 (elderly) and B002 (pregnant). The others are older but
	// not for window 3: another queue, another window, on hold, called.
	a001 := tk(1, "A", 1, R, 0)
	b001 := tk(2, "B", 1, R, 1)
	a002 := tk(3, "A", 2, E, 2)
	b002 := tk(4, "B", 2, P, 3)
	mixed := []Ticket{
		b002, a001, a002, b001,
		tk(5, "C", 1, GreenLane, -5),                    // queue C: not served by window 3
		reserve(tk(6, "A", 3, Disabled, -4), "5"),       // reserved for window 5
		holdUntil(tk(7, "A", 4, Disabled, -3), 40),      // held until 09:40
		inState(tk(8, "B", 3, Appointment, -2), Called), // already called
		inState(tk(9, "A", 5, Elderly, -1), Done),
	}

	tests := []struct {
		name    string
		cands   []Ticket
		window  WindowView
		policy  Policy
		recent  []Priority
		now     time.Time
		want    string // number picked, "" for nothing
		out     bool
		reason  string
		checkOK bool
	}{
		// Strict.
		{name: "strict: priority before older regular tickets of both queues", cands: mixed, policy: strict,
			want: "A002", out: true, reason: "priority elderly before A001 (policy strict)"},
		{name: "strict: the spec's example reason", policy: strict,
			cands: []Ticket{tk(1, "A", 3, R, 0), tk(2, "A", 4, R, 1), tk(3, "B", 9, E, 5)},
			want:  "B009", out: true, reason: "priority elderly before A003 (policy strict)"},
		{name: "strict: regular tickets only, oldest first", policy: strict,
			cands: []Ticket{b001, a001, tk(10, "A", 10, R, 7)}, want: "A001"},
		{name: "strict: priority tickets oldest first", policy: strict,
			cands: []Ticket{b002, a001, a002}, want: "A002", out: true, reason: "priority elderly before A001 (policy strict)"},
		{name: "strict: priority ticket first in line is in order", policy: strict,
			cands: []Ticket{b001, tk(20, "A", 20, Appointment, -1)}, want: "A020"},
		{name: "strict: a priority ticket in a queue not served is ignored", policy: strict,
			cands: []Ticket{a001, tk(5, "C", 1, GreenLane, -5)}, want: "A001"},
		{name: "strict: a ticket reserved for another window is ignored", policy: strict,
			cands: []Ticket{a001, reserve(tk(6, "A", 3, Disabled, -4), "5")}, want: "A001"},
		{name: "strict: a ticket reserved for this window is called", policy: strict,
			cands: []Ticket{a001, reserve(tk(6, "A", 3, R, -4), "3")}, want: "A003"},
		{name: "strict: a held ticket is ignored until its hold ends", policy: strict,
			cands: []Ticket{a001, holdUntil(tk(7, "A", 4, Disabled, 5), 40)}, now: at(39), want: "A001"},
		{name: "strict: a held ticket whose hold ended is called", policy: strict,
			cands: []Ticket{a001, holdUntil(tk(7, "A", 4, Disabled, 5), 40)}, now: at(40),
			want: "A004", out: true, reason: "priority disabled before A001 (policy strict)"},
		{name: "strict: called, served and finished tickets are ignored", policy: strict,
			cands: []Ticket{inState(a002, Called), inState(b002, Serving), inState(a001, Cancelled), b001}, want: "B001"},
		{name: "strict: nothing to call", policy: strict, cands: mixed[4:]},
		{name: "strict: no candidates", policy: strict},
		{name: "strict: a window serving no queue calls nothing", policy: strict, cands: mixed, window: WindowView{Code: "3"}},
		{name: "invalid policy falls back to strict", policy: Policy{Kind: "fifo"}, cands: mixed,
			want: "A002", out: true, reason: "priority elderly before A001 (policy strict)"},

		// Interleave 1:2.
		{name: "interleave: no calls yet is a regular turn", policy: inter2, cands: mixed, want: "A001"},
		{name: "interleave: one regular call is still a regular turn", policy: inter2, cands: mixed, recent: []Priority{R}, want: "A001"},
		{name: "interleave: after two regular calls a priority turn", policy: inter2, cands: mixed, recent: []Priority{R, R},
			want: "A002", out: true, reason: "interleave 1:2: priority turn, before A001"},
		{name: "interleave: after more regular calls still a priority turn", policy: inter2, cands: mixed, recent: []Priority{R, R, R, R},
			want: "A002", out: true, reason: "interleave 1:2: priority turn, before A001"},
		{name: "interleave: counts back to the last priority call", policy: inter2, cands: mixed, recent: []Priority{R, R, E, R},
			want: "A002", out: true, reason: "interleave 1:2: priority turn, before A001"},
		{name: "interleave: a recent priority call starts the count again", policy: inter2, cands: mixed, recent: []Priority{R, P, R, R}, want: "A001"},
		{name: "interleave: right after a priority call a regular turn", policy: inter2, cands: mixed, recent: []Priority{E}, want: "A001"},
		{name: "interleave: a regular turn skips an older priority ticket", policy: inter2,
			cands: []Ticket{tk(1, "A", 1, E, 0), tk(2, "B", 1, R, 1)}, recent: []Priority{R},
			want: "B001", out: true, reason: "interleave 1:2: regular turn, before A001"},
		{name: "interleave: only regular tickets wait on a priority turn", policy: inter2,
			cands: []Ticket{b001, a001}, recent: []Priority{R, R}, want: "A001"},
		{name: "interleave: only priority tickets wait on a regular turn", policy: inter2,
			cands: []Ticket{b002, a002}, want: "A002"},
		{name: "interleave 1:1: priority after each regular call", policy: Policy{Kind: Interleave, InterleaveN: 1},
			cands: mixed, recent: []Priority{R}, want: "A002", out: true, reason: "interleave 1:1: priority turn, before A001"},
		{name: "interleave: the spec's example reason", policy: Policy{Kind: Interleave, InterleaveN: 3},
			cands: []Ticket{tk(1, "A", 10, R, 0), tk(2, "A", 11, R, 1), tk(3, "B", 4, Disabled, 2)}, recent: []Priority{R, R, R},
			want: "B004", out: true, reason: "interleave 1:3: priority turn, before A010"},

		// Ageing with a 15-minute bonus, at 09:30.
		{name: "ageing: bonus lifts a priority ticket over an older regular one", policy: ageing, cands: mixed,
			want: "A002", out: true, reason: "ageing: elderly waited 28m+15m bonus, before A001"},
		{name: "ageing: the spec's example reason", policy: ageing,
			cands: []Ticket{tk(1, "A", 4, R, 5), tk(2, "B", 9, E, 18)},
			want:  "B009", out: true, reason: "ageing: elderly waited 12m+15m bonus, before A004"},
		{name: "ageing: bonus too small to pass a long wait", policy: ageing,
			cands: []Ticket{tk(1, "A", 1, R, 0), tk(2, "A", 2, E, 16)}, want: "A001"},
		{name: "ageing: equal scores go to the earlier ticket", policy: ageing,
			cands: []Ticket{tk(2, "A", 2, E, 15), tk(1, "A", 1, R, 0)}, want: "A001"},
		{name: "ageing: reason shows seconds waited", policy: ageing, now: at(30).Add(20 * time.Second),
			cands: []Ticket{tk(1, "A", 1, R, 0), tk(2, "A", 2, Pregnant, 14)},
			want:  "A002", out: true, reason: "ageing: pregnant waited 16m20s+15m bonus, before A001"},
		{name: "ageing: regular tickets alone go oldest first", policy: ageing,
			cands: []Ticket{tk(2, "A", 2, R, 5), tk(1, "A", 1, R, 0)}, want: "A001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, now := tt.window, tt.now
			if w.Code == "" {
				w = win3
			}
			if now.IsZero() {
				now = at(30)
			}
			orig := slices.Clone(tt.cands)
			got, ok := PickNext(tt.cands, w, tt.policy, tt.recent, now)
			if !slices.Equal(numbers(orig), numbers(tt.cands)) {
				t.Errorf("PickNext reordered its candidates: %v, was %v", numbers(tt.cands), numbers(orig))
			}
			if tt.want == "" {
				if ok {
					t.Fatalf("PickNext = %s, want nothing", got.Ticket.Number)
				}
				return
			}
			if !ok {
				t.Fatalf("PickNext found nothing, want %s", tt.want)
			}
			if got.Ticket.Number != tt.want || got.OutOfOrder != tt.out || got.Reason != tt.reason {
				t.Errorf("PickNext = %s, out of order %v, reason %q; want %s, %v, %q",
					got.Ticket.Number, got.OutOfOrder, got.Reason, tt.want, tt.out, tt.reason)
			}
		})
	}
}

// TestPickNextDeterministic gives tickets issued at the same instant in
// every order: each policy must pick the same one, by lowest ID.
func TestPickNextDeterministic(t *testing.T) {
	w := WindowView{Code: "1", Queues: []string{"A", "B"}}
	tickets := []Ticket{
		tk(14, "A", 4, Regular, 0),
		tk(11, "B", 1, Regular, 0),
		tk(13, "A", 3, Elderly, 0),
		tk(12, "B", 2, Elderly, 0),
	}
	tests := []struct {
		policy Policy
		recent []Priority
		want   int64
	}{
		{DefaultPolicy(), nil, 12},
		{Policy{Kind: Interleave, InterleaveN: 2}, nil, 11},
		{Policy{Kind: Interleave, InterleaveN: 2}, []Priority{Regular, Regular}, 12},
		{Policy{Kind: Ageing, AgeingBonus: time.Minute}, nil, 12},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s after %d regular calls", tt.policy, len(tt.recent)), func(t *testing.T) {
			for _, perm := range permutations(tickets) {
				got, ok := PickNext(perm, w, tt.policy, tt.recent, at(10))
				if !ok || got.Ticket.ID != tt.want {
					t.Fatalf("from %v: picked ID %d, want %d", numbers(perm), got.Ticket.ID, tt.want)
				}
			}
		})
	}
}

func permutations(ts []Ticket) [][]Ticket {
	if len(ts) <= 1 {
		return [][]Ticket{slices.Clone(ts)}
	}
	var out [][]Ticket
	for i := range ts {
		rest := slices.Concat(ts[:i], ts[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]Ticket{ts[i]}, p...))
		}
	}
	return out
}

func TestOutOfOrderReason(t *testing.T) {
	w := WindowView{Code: "3", Queues: []string{"A"}}
	a001 := tk(1, "A", 1, Regular, 0)
	a002 := tk(2, "A", 2, Regular, 5)
	a003 := tk(3, "A", 3, Elderly, 10)
	held := holdUntil(tk(4, "A", 4, Regular, -5), 40) // older, on hold until 09:40
	other := reserve(tk(5, "A", 5, Regular, -10), "5")
	tests := []struct {
		name   string
		chosen Ticket
		cands  []Ticket
		out    bool
		first  string
	}{
		{"calling the first in line", a001, []Ticket{a003, a002, a001}, false, "A001"},
		{"calling a later ticket", a003, []Ticket{a003, a002, a001}, true, "A001"},
		{"calling the second ticket", a002, []Ticket{a003, a002, a001, held, other}, true, "A001"},
		{"calling a held ticket back early, older than anyone waiting", held, []Ticket{a002, held, a003}, false, "A002"},
		{"calling a ticket when the only other is reserved elsewhere", a002, []Ticket{a002, other}, false, "A002"},
		{"nothing else eligible", a001, []Ticket{held, other}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, first := OutOfOrderReason(tt.chosen, tt.cands, w, at(30))
			if out != tt.out || first.Number != tt.first {
				t.Errorf("OutOfOrderReason = %v, first %q; want %v, %q", out, first.Number, tt.out, tt.first)
			}
		})
	}
}

func TestPolicyText(t *testing.T) {
	tests := []struct {
		text   string
		policy Policy
	}{
		{"strict", Policy{Kind: Strict}},
		{"interleave:1", Policy{Kind: Interleave, InterleaveN: 1}},
		{"interleave:3", Policy{Kind: Interleave, InterleaveN: 3}},
		{"ageing:15m", Policy{Kind: Ageing, AgeingBonus: 15 * time.Minute}},
		{"ageing:1h", Policy{Kind: Ageing, AgeingBonus: time.Hour}},
		{"ageing:1h30m", Policy{Kind: Ageing, AgeingBonus: 90 * time.Minute}},
		{"ageing:1h0m30s", Policy{Kind: Ageing, AgeingBonus: time.Hour + 30*time.Second}},
		{"ageing:45s", Policy{Kind: Ageing, AgeingBonus: 45 * time.Second}},
		{"ageing:4h", Policy{Kind: Ageing, AgeingBonus: 4 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if s := tt.policy.String(); s != tt.text {
				t.Errorf("String() = %q, want %q", s, tt.text)
			}
			p, err := ParsePolicy(tt.text)
			if err != nil {
				t.Fatalf("ParsePolicy: %v", err)
			}
			if p != tt.policy {
				t.Errorf("ParsePolicy = %+v, want %+v", p, tt.policy)
			}
			if err := p.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	if got := DefaultPolicy(); got != (Policy{Kind: Strict}) {
		t.Errorf("DefaultPolicy() = %v, want strict", got)
	}
}

func TestParsePolicyLenient(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{" strict ", "strict"},
		{"Interleave:3", "interleave:3"},
		{"ageing: 90s", "ageing:1m30s"},
		{"AGEING:0.5h", "ageing:30m"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePolicy(tt.in)
			if err != nil {
				t.Fatalf("ParsePolicy: %v", err)
			}
			if p.String() != tt.want {
				t.Errorf("ParsePolicy(%q) = %s, want %s", tt.in, p, tt.want)
			}
		})
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // in the message
	}{
		{"", "kind is empty"},
		{"fifo", `unknown policy kind "fifo"`},
		{"strict:2", "strict takes no parameter"},
		{"interleave", "want interleave:N"},
		{"interleave:", "not a whole number"},
		{"interleave:x", "not a whole number"},
		{"interleave:0", "at least 1"},
		{"interleave:-2", "at least 1"},
		{"ageing", "want ageing:DURATION"},
		{"ageing:15", "ageing bonus"},
		{"ageing:soon", "ageing bonus"},
		{"ageing:0s", "positive bonus"},
		{"ageing:-5m", "positive bonus"},
		{"ageing:4h0m1s", "longer than the maximum 4h"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			p, err := ParsePolicy(tt.in)
			if err == nil {
				t.Fatalf("ParsePolicy(%q) = %v, want an error", tt.in, p)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "queue: policy ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q: want a queue policy error mentioning %q", msg, tt.want)
			}
			if p != (Policy{}) {
				t.Errorf("ParsePolicy returned %+v with its error", p)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		want   string // in the message
	}{
		{"zero policy", Policy{}, "kind is empty"},
		{"unknown kind", Policy{Kind: "random"}, `unknown policy kind "random"`},
		{"strict with a count", Policy{Kind: Strict, InterleaveN: 3}, "strict takes no"},
		{"strict with a bonus", Policy{Kind: Strict, AgeingBonus: time.Minute}, "strict takes no"},
		{"interleave without a count", Policy{Kind: Interleave}, "at least 1"},
		{"interleave with a bonus", Policy{Kind: Interleave, InterleaveN: 2, AgeingBonus: time.Minute}, "no ageing bonus"},
		{"ageing without a bonus", Policy{Kind: Ageing}, "positive bonus"},
		{"ageing with a negative bonus", Policy{Kind: Ageing, AgeingBonus: -time.Minute}, "positive bonus"},
		{"ageing bonus over 4h", Policy{Kind: Ageing, AgeingBonus: 5 * time.Hour}, "5h is longer than the maximum 4h"},
		{"ageing with a count", Policy{Kind: Ageing, AgeingBonus: time.Minute, InterleaveN: 2}, "no interleave count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Validate()
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error", tt.policy)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "queue: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q: want a queue error mentioning %q", msg, tt.want)
			}
		})
	}
}

func ExamplePickNext() {
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, Location)
	waiting := []Ticket{
		{ID: 1, Queue: "A", Number: "A001", State: Issued, IssuedAt: day},
		{ID: 2, Queue: "A", Number: "A002", State: Issued, IssuedAt: day.Add(2 * time.Minute)},
		{ID: 3, Queue: "A", Number: "A003", State: Issued, IssuedAt: day.Add(5 * time.Minute), Priority: Elderly},
	}
	window := WindowView{Code: "3", Queues: []string{"A"}}
	now := day.Add(20 * time.Minute)

	for _, s := range []string{"strict", "interleave:2", "ageing:10m"} {
		policy, err := ParsePolicy(s)
		if err != nil {
			panic(err)
		}
		pick, ok := PickNext(waiting, window, policy, []Priority{Regular}, now)
		if !ok {
			continue
		}
		fmt.Printf("%-13s 请 %s 号到 %s 号窗口办理", policy, pick.Ticket.Number, window.Code)
		if pick.OutOfOrder {
			fmt.Printf(" (out of order: %s)", pick.Reason)
		}
		fmt.Println()
	}
	// Output:
	// strict        请 A003 号到 3 号窗口办理 (out of order: priority elderly before A001 (policy strict))
	// interleave:2  请 A001 号到 3 号窗口办理
	// ageing:10m    请 A003 号到 3 号窗口办理 (out of order: ageing: elderly waited 15m+10m bonus, before A001)
}
