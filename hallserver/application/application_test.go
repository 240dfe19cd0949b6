package application

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func ev(kind EventKind, f ...func(*Event)) Event {
	e := Event{Kind: kind, At: t0, Actor: "wang"}
	for _, fn := range f {
		fn(&e)
	}
	return e
}

func step(s Step) func(*Event)           { return func(e *Event) { e.Step = s } }
func note(n string) func(*Event)         { return func(e *Event) { e.Note = n } }
func days(n int) func(*Event)            { return func(e *Event) { e.Days = n } }
func outcome(o Outcome) func(*Event)     { return func(e *Event) { e.Outcome = o } }
func suspend(k SuspendKind) func(*Event) { return func(e *Event) { e.Suspend = k } }

func TestLifecycle(t *testing.T) {
	events := []Event{
		ev(EvAccept),
		ev(EvRequestMaterials, note("缺少不动产权属证书原件")),
		ev(EvMaterialsReceived),
		ev(EvAdvance, step(Review)),
		ev(EvSuspend, suspend(ExpertReview), note("组织专家评审")),
		ev(EvResume),
		ev(EvExtend, days(10), note("情况复杂，经负责人批准延长")),
		ev(EvAdvance, step(Decide)),
		ev(EvAdvance, step(Make)),
		ev(EvAdvance, step(Deliver)),
		ev(EvComplete, outcome(Approved)),
	}
	s, err := Replay(events)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != Completed || s.Outcome != Approved || s.Step != Deliver || s.ExtendDays != 10 || !s.CompletedAt.Equal(t0) {
		t.Fatalf("final state %+v", s)
	}
}

func TestRefusals(t *testing.T) {
	accepted := State{Step: Accept, Status: InProgress}
	tests := []struct {
		name  string
		from  State
		ev    Event
		words string
	}{
		{"event before acceptance", State{}, ev(EvAdvance, step(Review)), "not been accepted"},
		{"accept twice", accepted, ev(EvAccept), "already accepted"},
		{"skip a step", accepted, ev(EvAdvance, step(Decide)), "审核"},
		{"go back a step", State{Step: Review, Status: InProgress}, ev(EvAdvance, step(Accept)), "决定"},
		{"advance past the last step", State{Step: Deliver, Status: InProgress}, ev(EvAdvance, step("archive")), "last step"},
		{"advance while awaiting materials", State{Step: Accept, Status: AwaitingMaterials}, ev(EvAdvance, step(Review)), "resume"},
		{"advance while suspended", State{Step: Review, Status: Suspended}, ev(EvAdvance, step(Decide)), "stopped"},
		{"request materials without saying which", accepted, ev(EvRequestMaterials), "一次性告知"},
		{"request materials twice", State{Step: Accept, Status: AwaitingMaterials}, ev(EvRequestMaterials, note("x")), "in progress"},
		{"materials nobody asked for", accepted, ev(EvMaterialsReceived), "no materials"},
		{"suspend for no known reason", accepted, ev(EvSuspend, suspend("lunch")), "unknown reason"},
		{"suspend while awaiting materials", State{Step: Accept, Status: AwaitingMaterials}, ev(EvSuspend, suspend(Hearing)), "in progress"},
		{"resume what is not suspended", accepted, ev(EvResume), "not suspended"},
		{"extend by nothing", accepted, ev(EvExtend, note("x")), "number of working days"},
		{"extend without reason", accepted, ev(EvExtend, days(5)), "reason"},
		{"extend beyond the law", State{Step: Review, Status: InProgress, ExtendDays: 10}, ev(EvExtend, days(10), note("x")), "at most 15"},
		{"approve before delivery", State{Step: Make, Status: InProgress}, ev(EvComplete, outcome(Approved)), "送达"},
		{"reject without reason", accepted, ev(EvComplete, outcome(Rejected)), "reason"},
		{"unknown outcome", accepted, ev(EvComplete, outcome("maybe")), "unknown outcome"},
		{"anything after completion", State{Step: Deliver, Status: Completed, Outcome: Approved}, ev(EvExtend, days(1), note("x")), "completed"},
		{"unknown event", accepted, ev("teleport"), "unknown event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply(tt.from, tt.ev)
			var ee *EventError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &ee) {
				t.Fatalf("err = %v, want an *EventError", err)
			}
			if !strings.Contains(err.Error(), tt.words) {
				t.Errorf("err %q does not say %q", err, tt.words)
			}
			if got != tt.from {
				t.Errorf("a refused event changed the state: %+v → %+v", tt.from, got)
			}
		})
	}
}

func TestRejectOrWithdrawAtAnyStep(t *testing.T) {
	for _, s := range Steps {
		for _, o := range []Outcome{Rejected, Withdrawn} {
			got, err := Apply(State{Step: s, Status: InProgress}, ev(EvComplete, outcome(o), note("材料不符合法定形式")))
			if err != nil || got.Status != Completed || got.Outcome != o {
				t.Errorf("%s at %s: %+v, %v", o, s, got, err)
			}
		}
	}
	// A citizen may withdraw while the hall waits for their materials.
	if _, err := Apply(State{Step: Accept, Status: AwaitingMaterials}, ev(EvComplete, outcome(Withdrawn), note("申请人撤回"))); err != nil {
		t.Errorf("withdraw while awaiting materials: %v", err)
	}
}

func TestStepNames(t *testing.T) {
	want := "受理 审核 决定 制证 送达"
	var got []string
	for _, s := range Steps {
		got = append(got, s.Name())
	}
	if strings.Join(got, " ") != want {
		t.Fatalf("names %v", got)
	}
}
