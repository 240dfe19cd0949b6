package application

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Step is where an application is in the handling process.
type Step string

// The steps in order (行政许可 process as halls run it).
const (
	Accept  Step = "accept"  // 受理
	Review  Step = "review"  // 审核
	Decide  Step = "decide"  // 审批/决定
	Make    Step = "make"    // 制证
	Deliver Step = "deliver" // 发证/送达
)

// Steps lists the steps in order.
var Steps = []Step{Accept, Review, Decide, Make, Deliver}

// Name is the step's Chinese name.
func (s Step) Name() string {
	switch s {
	case Accept:
		return "受理"
	case Review:
		return "审核"
	case Decide:
		return "决定"
	case Make:
		return "制证"
	case Deliver:
		return "送达"
	}
	return string(s)
}

func (s Step) index() int {
	for i, x := range Steps {
		if x == s {
			return i
		}
	}
	return -1
}

// Status is whether the application is moving, stopped, or finished.
type Status string

// The statuses.
const (
	InProgress        Status = "in_progress"
	AwaitingMaterials Status = "awaiting_materials" // 补正: the clock waits for the citizen
	Suspended         Status = "suspended"          // hearing, testing, expert review: days do not count
	Completed         Status = "completed"
)

// Outcome is how a completed application ended.
type Outcome string

// The outcomes.
const (
	Approved  Outcome = "approved"  // 准予
	Rejected  Outcome = "rejected"  // 不予
	Withdrawn Outcome = "withdrawn" // 申请人撤回
)

// SuspendKind is why the clock is suspended.
type SuspendKind string

// Periods that by law do not count towards the time limit.
const (
	Hearing      SuspendKind = "hearing"       // 听证
	Testing      SuspendKind = "testing"       // 检验、检测、检疫
	ExpertReview SuspendKind = "expert_review" // 专家评审
	Inspection   SuspendKind = "inspection"    // 现场勘查 and similar
)

var suspendKinds = map[SuspendKind]string{Hearing: "听证", Testing: "检验检测", ExpertReview: "专家评审", Inspection: "现场勘查"}

// EventKind is what happened to an application.
type EventKind string

// The events.
const (
	EvAccept            EventKind = "accept"
	EvAdvance           EventKind = "advance"
	EvRequestMaterials  EventKind = "request_materials"
	EvMaterialsReceived EventKind = "materials_received"
	EvSuspend           EventKind = "suspend"
	EvResume            EventKind = "resume"
	EvExtend            EventKind = "extend"
	EvComplete          EventKind = "complete"
)

// Event is one recorded change, with who made it and when.
type Event struct {
	Kind    EventKind   `json:"kind"`
	At      time.Time   `json:"at"`
	Actor   string      `json:"actor"`
	Step    Step        `json:"step,omitempty"`    // advance: the step reached
	Suspend SuspendKind `json:"suspend,omitempty"` // suspend: why
	Days    int         `json:"days,omitempty"`    // extend: working days added to the legal limit
	Outcome Outcome     `json:"outcome,omitempty"` // complete
	Note    string      `json:"note,omitempty"`
}

// State is what the events add up to.
type State struct {
	Step        Step
	Status      Status
	Outcome     Outcome
	ExtendDays  int
	CompletedAt time.Time
}

// ErrInvalid is matched by every refused event.
var ErrInvalid = errors.New("application: invalid event")

// EventError says which event was refused in which state, and why, in
// words for staff.
type EventError struct {
	Kind   EventKind
	Status Status
	Step   Step
	Reason string
}

func (e *EventError) Error() string {
	return fmt.Sprintf("application: cannot %s at step %s (%s): %s", e.Kind, e.Step.Name(), e.Status, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *EventError) Is(target error) bool { return target == ErrInvalid }

// MaxExtendDays caps one application's extensions: the Administrative
// Licensing Law allows 10 working days (15 for joint handling).
const MaxExtendDays = 15

// Apply checks ev against s and returns the new state.
func Apply(s State, ev Event) (State, error) {
	refuse := func(reason string, args ...any) (State, error) {
		return s, &EventError{Kind: ev.Kind, Status: s.Status, Step: s.Step, Reason: fmt.Sprintf(reason, args...)}
	}
	if s.Status == Completed {
		return refuse("the application is completed (%s)", s.Outcome)
	}
	if ev.Kind != EvAccept && s.Step == "" {
		return refuse("the application has not been accepted")
	}
	switch ev.Kind {
	case EvAccept:
		if s.Step != "" {
			return refuse("already accepted")
		}
		s.Step, s.Status = Accept, InProgress
	case EvAdvance:
		if s.Status != InProgress {
			return refuse("the clock is stopped (%s): resume it first", s.Status)
		}
		if ev.Step.index() != s.Step.index()+1 {
			return refuse("the next step is %s", next(s.Step))
		}
		s.Step = ev.Step
	case EvRequestMaterials:
		if s.Status != InProgress {
			return refuse("materials can be requested only while the application is in progress")
		}
		if strings.TrimSpace(ev.Note) == "" {
			return refuse("say which materials are missing (一次性告知)")
		}
		s.Status = AwaitingMaterials
	case EvMaterialsReceived:
		if s.Status != AwaitingMaterials {
			return refuse("no materials were requested")
		}
		s.Status = InProgress
	case EvSuspend:
		if s.Status != InProgress {
			return refuse("only an application in progress can be suspended")
		}
		if _, ok := suspendKinds[ev.Suspend]; !ok {
			return refuse("unknown reason %q: use hearing, testing, expert_review or inspection", ev.Suspend)
		}
		s.Status = Suspended
	case EvResume:
		if s.Status != Suspended {
			return refuse("the application is not suspended")
		}
		s.Status = InProgress
	case EvExtend:
		if ev.Days <= 0 {
			return refuse("an extension needs a number of working days")
		}
		if s.ExtendDays+ev.Days > MaxExtendDays {
			return refuse("extensions may add at most %d working days in all (already %d)", MaxExtendDays, s.ExtendDays)
		}
		if strings.TrimSpace(ev.Note) == "" {
			return refuse("an extension needs its reason (and the approval it was given)")
		}
		s.ExtendDays += ev.Days
	case EvComplete:
		switch ev.Outcome {
		case Approved:
			if s.Step != Deliver {
				return refuse("an approved application is completed at %s (it is at %s)", Deliver.Name(), s.Step.Name())
			}
		case Rejected, Withdrawn:
			if strings.TrimSpace(ev.Note) == "" {
				return refuse("a %s application needs the reason", ev.Outcome)
			}
		default:
			return refuse("unknown outcome %q: use approved, rejected or withdrawn", ev.Outcome)
		}
		s.Status, s.Outcome, s.CompletedAt = Completed, ev.Outcome, ev.At
	default:
		return refuse("unknown event")
	}
	return s, nil
}

func next(s Step) string {
	i := s.index()
	if i < 0 || i+1 >= len(Steps) {
		return "none: this is the last step"
	}
	return Steps[i+1].Name()
}

// Replay applies events in order.
func Replay(events []Event) (State, error) {
	var s State
	for i, ev := range events {
		var err error
		if s, err = Apply(s, ev); err != nil {
			return s, fmt.Errorf("event %d: %w", i+1, err)
		}
	}
	return s, nil
}
