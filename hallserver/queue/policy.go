package queue

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PolicyKind names a way of ordering priority and regular tickets.
type PolicyKind string

// The policies. Whatever the policy, tickets of the same group are called
// oldest first, and every call that skips an older ticket is reported as out
// of order so that it can be audited.
const (
	// Strict calls every waiting priority ticket before any regular one.
	Strict PolicyKind = "strict"
	// Interleave calls one priority ticket after every N regular calls
	// while both kinds wait.
	Interleave PolicyKind = "interleave"
	// Ageing orders by time waited, counting a bonus for priority tickets.
	Ageing PolicyKind = "ageing"
)

// maxAgeingBonus is the largest AgeingBonus Validate accepts.
const maxAgeingBonus = 4 * time.Hour

// Policy is the order in which a window calls waiting tickets. Its text
// form (String, ParsePolicy) is "strict", "interleave:N" or
// "ageing:DURATION", e.g. "interleave:3", "ageing:15m".
type Policy struct {
	Kind PolicyKind

	// InterleaveN is N for Interleave: priority tickets get one call in
	// N+1 while regular tickets wait. It must be at least 1 for Interleave
	// and zero for other kinds.
	InterleaveN int

	// AgeingBonus is the wait credited to a priority ticket under Ageing:
	// with 15m, an elderly citizen who took a number 10 minutes after a
	// regular one is called first. It must be in (0, 4h] for Ageing and
	// zero for other kinds.
	AgeingBonus time.Duration
}

// DefaultPolicy returns the policy of a hall that has chosen none: Strict.
func DefaultPolicy() Policy { return Policy{Kind: Strict} }

// Validate reports whether p is complete and consistent. A parameter that
// belongs to another kind (an InterleaveN on a Strict policy, say) is an
// error, so the policy shown to staff is always the whole truth.
func (p Policy) Validate() error {
	if msg := p.problem(); msg != "" {
		return errors.New("queue: " + msg)
	}
	return nil
}

// problem is Validate's message without the package prefix, or "".
func (p Policy) problem() string {
	switch p.Kind {
	case Strict:
		if p.InterleaveN != 0 || p.AgeingBonus != 0 {
			return "policy strict takes no interleave count or ageing bonus"
		}
	case Interleave:
		if p.InterleaveN < 1 {
			return fmt.Sprintf("policy interleave needs at least 1 regular call between priority calls, got %d", p.InterleaveN)
		}
		if p.AgeingBonus != 0 {
			return "policy interleave takes no ageing bonus"
		}
	case Ageing:
		if p.AgeingBonus <= 0 {
			return fmt.Sprintf("policy ageing needs a positive bonus for priority tickets, got %s", formatDuration(p.AgeingBonus))
		}
		if p.AgeingBonus > maxAgeingBonus {
			return fmt.Sprintf("policy ageing bonus %s is longer than the maximum %s", formatDuration(p.AgeingBonus), formatDuration(maxAgeingBonus))
		}
		if p.InterleaveN != 0 {
			return "policy ageing takes no interleave count"
		}
	case "":
		return "policy kind is empty (want strict, interleave or ageing)"
	default:
		return fmt.Sprintf("unknown policy kind %q (want strict, interleave or ageing)", string(p.Kind))
	}
	return ""
}

// String returns p's text form, which ParsePolicy reads back.
func (p Policy) String() string {
	switch p.Kind {
	case Interleave:
		return fmt.Sprintf("%s:%d", p.Kind, p.InterleaveN)
	case Ageing:
		return fmt.Sprintf("%s:%s", p.Kind, formatDuration(p.AgeingBonus))
	}
	return string(p.Kind)
}

// ParsePolicy reads a policy in the form String writes: "strict",
// "interleave:3", "ageing:15m" (any time.ParseDuration value). Surrounding
// space and the case of the kind are ignored. The result is validated.
func ParsePolicy(s string) (Policy, error) {
	kind, param, hasParam := strings.Cut(strings.TrimSpace(s), ":")
	p := Policy{Kind: PolicyKind(strings.ToLower(strings.TrimSpace(kind)))}
	param = strings.TrimSpace(param)
	switch p.Kind {
	case Strict:
		if hasParam {
			return Policy{}, fmt.Errorf("queue: policy %q: strict takes no parameter", s)
		}
	case Interleave:
		if !hasParam {
			return Policy{}, fmt.Errorf("queue: policy %q: want interleave:N, e.g. interleave:3", s)
		}
		n, err := strconv.Atoi(param)
		if err != nil {
			return Policy{}, fmt.Errorf("queue: policy %q: interleave count is not a whole number", s)
		}
		p.InterleaveN = n
	case Ageing:
		if !hasParam {
			return Policy{}, fmt.Errorf("queue: policy %q: want ageing:DURATION, e.g. ageing:15m", s)
		}
		d, err := time.ParseDuration(param)
		if err != nil {
			return Policy{}, fmt.Errorf("queue: policy %q: ageing bonus: %w", s, err)
		}
		p.AgeingBonus = d
	}
	if msg := p.problem(); msg != "" {
		return Policy{}, fmt.Errorf("queue: policy %q: %s", s, msg)
	}
	return p, nil
}

// WindowView is what PickNext needs to know about the window calling.
type WindowView struct {
	Code   string   // the window's code, as in Ticket.Window
	Queues []string // codes of the queues it serves
}

// Pick is the ticket PickNext chose and whether that skipped anyone.
type Pick struct {
	Ticket Ticket

	// OutOfOrder is true when Ticket is not the window's first eligible
	// ticket in FIFO order (IssuedAt, then ID); the store must audit it.
	OutOfOrder bool

	// Reason says why, in words for an auditor, when OutOfOrder is true;
	// it is empty otherwise.
	Reason string
}

// PickNext chooses the ticket window w should call next under policy p.
//
// Candidates may hold any tickets; PickNext considers those that are
// Waiting at now, in one of w.Queues, and not reserved for another window.
// recent lists the priorities of w's previous calls, most recent first;
// only Interleave reads it, and only up to its last priority call, so the
// window's last InterleaveN calls of the day are enough. An empty recent
// (the window's first call of the day) counts as no regular calls yet, so
// the first call is a regular turn when both kinds wait.
//
// An invalid p is treated as DefaultPolicy, so a bad setting never stops
// the hall; validate policies when they are saved. PickNext returns false
// when there is nothing to call. It does not change candidates' order.
func PickNext(candidates []Ticket, w WindowView, p Policy, recent []Priority, now time.Time) (Pick, bool) {
	if p.Validate() != nil {
		p = DefaultPolicy()
	}
	eligible := eligibleFor(candidates, w, now)
	if len(eligible) == 0 {
		return Pick{}, false
	}
	first := eligible[0]

	var chosen Ticket
	var reason string
	switch p.Kind {
	case Strict:
		chosen = slices.MinFunc(eligible, p.compare(now))
		reason = fmt.Sprintf("priority %s before %s (policy strict)", chosen.Priority, first.Number)

	case Interleave:
		oldestPriority, hasPriority := firstWhere(eligible, isPriority)
		oldestRegular, hasRegular := firstWhere(eligible, func(t Ticket) bool { return !isPriority(t) })
		if !hasPriority || !hasRegular {
			chosen = first
			break
		}
		regularCalls := 0
		for _, pr := range recent {
			if pr != Regular {
				break
			}
			regularCalls++
		}
		if regularCalls >= p.InterleaveN {
			chosen = oldestPriority
			reason = fmt.Sprintf("interleave 1:%d: priority turn, before %s", p.InterleaveN, first.Number)
		} else {
			chosen = oldestRegular
			reason = fmt.Sprintf("interleave 1:%d: regular turn, before %s", p.InterleaveN, first.Number)
		}

	case Ageing:
		chosen = slices.MinFunc(eligible, p.compare(now))
		wait := formatDuration(now.Sub(chosen.IssuedAt).Truncate(time.Second))
		if isPriority(chosen) {
			reason = fmt.Sprintf("ageing: %s waited %s+%s bonus, before %s", chosen.Priority, wait, formatDuration(p.AgeingBonus), first.Number)
		} else {
			reason = fmt.Sprintf("ageing: regular waited %s, before %s", wait, first.Number)
		}
	}

	if fifoCompare(chosen, first) == 0 {
		return Pick{Ticket: chosen}, true
	}
	return Pick{Ticket: chosen, OutOfOrder: true, Reason: reason}, true
}

// OutOfOrderReason tells, when staff call chosen by hand at window w,
// whether that skips the window's first eligible ticket in FIFO order
// (the first one PickNext would consider), and returns that ticket.
// It is false when nothing is eligible, when chosen is that ticket, or when
// chosen comes before it in FIFO order (a held ticket called back before
// its hold ends, for instance); the returned ticket is then still the
// first eligible one, or the zero Ticket if there is none.
func OutOfOrderReason(chosen Ticket, candidates []Ticket, w WindowView, now time.Time) (outOfOrder bool, firstInLine Ticket) {
	eligible := eligibleFor(candidates, w, now)
	if len(eligible) == 0 {
		return false, Ticket{}
	}
	first := eligible[0]
	return fifoCompare(first, chosen) < 0, first
}

// eligibleFor returns the candidates w may call at now, oldest first, in a
// new slice.
func eligibleFor(candidates []Ticket, w WindowView, now time.Time) []Ticket {
	var out []Ticket
	for _, t := range candidates {
		if !Waiting(t, now) || !slices.Contains(w.Queues, t.Queue) {
			continue
		}
		if t.TargetWindow != "" && t.TargetWindow != w.Code {
			continue
		}
		out = append(out, t)
	}
	slices.SortFunc(out, fifoCompare)
	return out
}

// fifoCompare is the queue's reference order: IssuedAt, then ID.
func fifoCompare(a, b Ticket) int {
	if c := a.IssuedAt.Compare(b.IssuedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// compare returns the order in which p calls tickets at now, first
// first. Interleave has no fixed order (it depends on the window's recent
// calls) and is approximated by Strict's.
func (p Policy) compare(now time.Time) func(a, b Ticket) int {
	if p.Kind == Ageing {
		score := func(t Ticket) time.Duration {
			s := now.Sub(t.IssuedAt)
			if isPriority(t) {
				s += p.AgeingBonus
			}
			return s
		}
		return func(a, b Ticket) int {
			if c := cmp.Compare(score(b), score(a)); c != 0 {
				return c // higher score first
			}
			return fifoCompare(a, b)
		}
	}
	return func(a, b Ticket) int {
		if pa, pb := isPriority(a), isPriority(b); pa != pb {
			if pa {
				return -1
			}
			return 1
		}
		return fifoCompare(a, b)
	}
}

func isPriority(t Ticket) bool { return t.Priority != Regular }

func firstWhere(ts []Ticket, f func(Ticket) bool) (Ticket, bool) {
	for _, t := range ts {
		if f(t) {
			return t, true
		}
	}
	return Ticket{}, false
}

// formatDuration writes d as time.Duration.String does, without the zero
// minutes and seconds it appends: "15m", "1h", "1h30m", "90s" → "1m30s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
