package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"onestop/hallserver/queue"
	"onestop/hallserver/workday"
)

// Ratings (好差评, 国办发〔2019〕51号, GB/T 39734-2020): one per visit (a
// ticket) or per transaction (an application), tied to the window and the
// staff member who served, both read from the record, never from the
// caller. A bad rating (2 不满意, 1 非常不满意) opens a follow-up (整改):
// call back within 1 working day, resolve within 15, counted on the hall's
// calendar from the day after the rating. Once the follow-up is resolved
// the citizen may rate once more; the new rating replaces the bad one,
// which stays, superseded.

// The rating levels.
const (
	VeryDissatisfied = 1 // 非常不满意 (bad)
	Dissatisfied     = 2 // 不满意 (bad)
	BasicallyContent = 3 // 基本满意
	Satisfied        = 4 // 满意
	VerySatisfied    = 5 // 非常满意
)

// RatingLevel is one level of the scale, with its names.
type RatingLevel struct {
	Level  int
	Name   string // Chinese, as GB/T 39734 names it
	NameEn string
	Bad    bool // 差评: opens a follow-up
}

var ratingLevels = []RatingLevel{
	{VerySatisfied, "非常满意", "Very satisfied", false},
	{Satisfied, "满意", "Satisfied", false},
	{BasicallyContent, "基本满意", "Basically satisfied", false},
	{Dissatisfied, "不满意", "Dissatisfied", true},
	{VeryDissatisfied, "非常不满意", "Very dissatisfied", true},
}

// RatingLevels returns the scale, best first, as kiosks and pages show it.
func RatingLevels() []RatingLevel { return slices.Clone(ratingLevels) }

// IsBadRating reports whether a level is a bad rating (差评).
func IsBadRating(level int) bool { return level == Dissatisfied || level == VeryDissatisfied }

// RatingLevelName returns a level's Chinese name, "" for no level.
func RatingLevelName(level int) string {
	for _, l := range ratingLevels {
		if l.Level == level {
			return l.Name
		}
	}
	return ""
}

// RatingReason is a reason a citizen may tick with a rating. Levels are
// the levels it goes with: complaints with 1–3, praise with 3–5, "other"
// with any.
type RatingReason struct {
	Code   string
	Name   string
	NameEn string
	Levels []int
}

var (
	badLevels  = []int{VeryDissatisfied, Dissatisfied, BasicallyContent}
	goodLevels = []int{BasicallyContent, Satisfied, VerySatisfied}
	anyLevel   = []int{VeryDissatisfied, Dissatisfied, BasicallyContent, Satisfied, VerySatisfied}
)

// ratingReasons is the fixed list; codes are stored, so a code is never
// renamed or reused (a label may be reworded).
var ratingReasons = []RatingReason{
	{"long_wait", "等待时间长", "Long wait", badLevels},
	{"bad_attitude", "态度不好", "Unfriendly or impatient staff", badLevels},
	{"unclear_guidance", "一次性告知不清", "Requirements not explained all at once", badLevels},
	{"too_many_materials", "材料要求多", "Too many documents asked for", badLevels},
	{"slow_processing", "办理时间长", "Processing took too long", badLevels},
	{"repeat_visits", "多次跑动", "Had to come back more than once", badLevels},
	{"system_failure", "系统故障", "System failure", badLevels},
	{"warm_service", "热情周到", "Warm and attentive", goodLevels},
	{"quick", "高效快捷", "Quick and efficient", goodLevels},
	{"done_in_one_visit", "一次办成", "Done in one visit", goodLevels},
	{"clear_guidance", "告知清楚", "Clear guidance", goodLevels},
	{"professional", "业务熟练", "Knowledgeable staff", goodLevels},
	{"other", "其他", "Other", anyLevel},
}

// RatingReasons returns the reasons, in the order kiosks and pages show
// them.
func RatingReasons() []RatingReason {
	out := slices.Clone(ratingReasons)
	for i := range out {
		out[i].Levels = slices.Clone(out[i].Levels)
	}
	return out
}

// Rating channels: who recorded the rating.
const (
	ChannelKiosk   = "kiosk"   // a self-service kiosk
	ChannelCounter = "counter" // the evaluation pad (评价器) at a window
	ChannelPhone   = "phone"   // the citizen's phone, with the ticket's token
)

// Citizen is the actor of a rating made on a citizen's phone: anonymous,
// the ticket's token is the proof.
var Citizen = Actor{Name: "citizen", Role: "citizen", Device: "phone"}

// Limits on what a citizen writes.
const (
	MaxRatingComment = 200  // characters
	MaxFollowupNote  = 2000 // characters, for a call back note or a resolution
)

// Follow-up limits, in working days after the day of the bad rating.
const (
	CallbackWorkdays = 1
	ResolveWorkdays  = 15
)

// RatingRequest is one rating. Name the ticket (TicketToken, or TicketID
// at a counter) or the application (ApplicationNumber), or both when the
// application was accepted from that ticket.
type RatingRequest struct {
	TicketID          int64  // counter only: the ticket the window served
	TicketToken       string // the token in the slip's QR code
	ApplicationNumber string // the number on the acceptance notice
	Channel           string // ChannelKiosk, ChannelCounter or ChannelPhone
	// Window is the counter pad's window (counter only): the visit or
	// application must have been served there, and counter staff must
	// have that window open.
	Window  string
	Level   int
	Reasons []string // reason codes (RatingReasons)
	Comment string
}

// Rating is a recorded rating.
type Rating struct {
	ID                int64
	At                time.Time
	Level             int
	Reasons           []string
	Comment           string
	TicketID          int64
	TicketNumber      string
	TicketDay         string
	ApplicationID     int64
	ApplicationNumber string
	Window            string
	Staff             string // username of who served (finished the ticket, or accepted the application)
	Item              string
	Department        string
	Channel           string
	Device            string
	Replaces          int64 // the bad rating this re-rating replaces
	Superseded        bool  // replaced by a re-rating
	Followup          *Followup
}

// Bad reports whether the rating is a bad one (差评).
func (r Rating) Bad() bool { return IsBadRating(r.Level) }

// what names the rated visit or application in messages.
func (r Rating) what() string {
	if r.ApplicationNumber != "" {
		return "application " + r.ApplicationNumber
	}
	return "ticket " + r.TicketNumber + " of " + r.TicketDay
}

// Followup is the follow-up (整改) of a bad rating.
type Followup struct {
	OpenedAt time.Time
	// CallbackDue and ResolveDue are the last working days for the call
	// back and the resolution, as counted when the follow-up opened.
	CallbackDue, ResolveDue workday.Date
	CalledBackAt            time.Time
	CalledBackBy            string
	CallbackNote            string
	ResolvedAt              time.Time
	ResolvedBy              string
	Resolution              string
	ReratingID              int64 // the citizen's re-rating, once made
	ReratingLevel           int
}

// Open reports whether the follow-up is not resolved yet.
func (f Followup) Open() bool { return f.ResolvedAt.IsZero() }

// FollowupStatus is a follow-up's deadlines read at a moment.
type FollowupStatus struct {
	CallbackDue, ResolveDue workday.Date
	// CallbackOverdue and ResolveOverdue say that the deadline was missed:
	// the step was not done by the end of its due day (done later, or
	// still not done after it).
	CallbackOverdue, ResolveOverdue bool
	// Provisional: the due dates were counted over a year whose holiday
	// calendar is provisional or missing.
	Provisional bool
}

// Status reads the follow-up's deadlines at now. The due dates are counted
// with cal, the hall's calendar now: they equal the recorded ones unless a
// holiday calendar was imported since the rating. With a nil cal the
// recorded dates are used.
func (f Followup) Status(cal *workday.Calendar, now time.Time) FollowupStatus {
	st := FollowupStatus{CallbackDue: f.CallbackDue, ResolveDue: f.ResolveDue}
	if cal != nil {
		st.CallbackDue, st.ResolveDue = followupDue(cal, f.OpenedAt)
		st.Provisional = cal.Provisional(workday.DateOf(f.OpenedAt), st.ResolveDue)
	}
	missed := func(done time.Time, due workday.Date) bool {
		if done.IsZero() {
			done = now
		}
		return workday.DateOf(done).After(due)
	}
	st.CallbackOverdue = missed(f.CalledBackAt, st.CallbackDue)
	st.ResolveOverdue = missed(f.ResolvedAt, st.ResolveDue)
	return st
}

// followupDue counts a follow-up's due dates from the day after it opened.
func followupDue(cal *workday.Calendar, opened time.Time) (callback, resolve workday.Date) {
	day := workday.DateOf(opened)
	return cal.AddWorkdays(day, CallbackWorkdays), cal.AddWorkdays(day, ResolveWorkdays)
}

// checkRating validates the level, reasons and comment, and returns the
// reasons deduplicated and the comment trimmed.
func checkRating(req RatingRequest) ([]string, string, error) {
	if req.Level < VeryDissatisfied || req.Level > VerySatisfied {
		return nil, "", fmt.Errorf("%w: level %d: rate from 1 (非常不满意, very dissatisfied) to 5 (非常满意, very satisfied)", ErrInvalid, req.Level)
	}
	reasons := []string{}
	for _, code := range req.Reasons {
		code = strings.TrimSpace(code)
		if slices.Contains(reasons, code) {
			continue
		}
		i := slices.IndexFunc(ratingReasons, func(r RatingReason) bool { return r.Code == code })
		if i < 0 {
			return nil, "", fmt.Errorf("%w: unknown reason %q: choose from the rating reasons list", ErrInvalid, code)
		}
		if r := ratingReasons[i]; !slices.Contains(r.Levels, req.Level) {
			return nil, "", fmt.Errorf("%w: reason %s (%s) goes with levels %d to %d, not with %d (%s): choose another reason or level",
				ErrInvalid, r.Code, r.Name, r.Levels[0], r.Levels[len(r.Levels)-1], req.Level, RatingLevelName(req.Level))
		}
		reasons = append(reasons, code)
	}
	comment, err := checkRatingText("comment", req.Comment, MaxRatingComment, false)
	return reasons, comment, err
}

// checkRatingText trims a free text and checks its length and characters.
func checkRatingText(what, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return "", fmt.Errorf("%w: the %s is missing", ErrInvalid, what)
	case !utf8.ValidString(s):
		return "", fmt.Errorf("%w: the %s is not valid UTF-8 text", ErrInvalid, what)
	case utf8.RuneCountInString(s) > max:
		return "", fmt.Errorf("%w: the %s has %d characters: keep it to %d", ErrInvalid, what, utf8.RuneCountInString(s), max)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "", fmt.Errorf("%w: the %s holds control characters: send plain text", ErrInvalid, what)
	}
	return s, nil
}

// RecordRating records a rating. The window, staff member, item and
// department are read from the record: the ticket's last start or finish
// (ticket_events), or the application's acceptance. A bad rating opens a
// follow-up whose due dates are counted with cal (required for it). When
// the visit or application already has a rating, the new one is refused
// (ErrConflict) unless it is the one re-rating allowed after a bad
// rating's follow-up was resolved: then it replaces the bad rating, which
// stays, superseded.
func (s *Store) RecordRating(ctx context.Context, a Actor, cal *workday.Calendar, req RatingRequest) (Rating, error) {
	reasons, comment, err := checkRating(req)
	if err != nil {
		return Rating{}, err
	}
	req.TicketToken, req.ApplicationNumber = strings.TrimSpace(req.TicketToken), strings.TrimSpace(req.ApplicationNumber)
	req.Window = strings.TrimSpace(req.Window)
	switch req.Channel {
	case ChannelCounter:
		if req.Window == "" {
			return Rating{}, fmt.Errorf("%w: say which window's evaluation pad this is", ErrInvalid)
		}
	case ChannelKiosk, ChannelPhone:
		if req.TicketID != 0 {
			return Rating{}, fmt.Errorf("%w: name the ticket by the token in its slip's QR code, not by its id", ErrInvalid)
		}
		if req.Window != "" {
			return Rating{}, fmt.Errorf("%w: only a window's evaluation pad names a window: the record says which window served", ErrInvalid)
		}
	default:
		return Rating{}, fmt.Errorf("%w: rating channel %q: use kiosk, counter or phone", ErrInvalid, req.Channel)
	}
	if req.Channel == ChannelPhone && (req.TicketToken == "" || req.ApplicationNumber != "") {
		return Rating{}, fmt.Errorf("%w: a phone rates the ticket whose token it holds, nothing else", ErrInvalid)
	}
	if IsBadRating(req.Level) && cal == nil {
		return Rating{}, errors.New("store: record rating: a bad rating needs the working-day calendar to set its follow-up's due dates")
	}
	var out Rating
	err = s.write(ctx, func(tx *Tx) error {
		if req.Channel == ChannelCounter {
			n, err := strconv.Atoi(req.Window)
			if err != nil || n <= 0 {
				return fmt.Errorf("%w: window %q: give the window's number", ErrInvalid, req.Window)
			}
			w, err := tx.window(n)
			if err != nil {
				return err
			}
			if err := w.mayWork(a); err != nil {
				return err
			}
			req.Window = w.code()
		}
		r, err := tx.ratingTarget(ctx, req)
		if err != nil {
			return err
		}
		if req.Channel == ChannelCounter && r.Window != req.Window {
			served := "no window"
			if r.Window != "" {
				served = "window " + r.Window
			}
			return fmt.Errorf("%w: %s was served at %s, not window %s: it is rated at the window that served it, at a kiosk or on the phone",
				ErrForbidden, r.what(), served, req.Window)
		}
		if req.Channel == ChannelCounter {
			if err := tx.padMayRate(r, req.Window); err != nil {
				return err
			}
		}
		r.At, r.Level, r.Reasons, r.Comment, r.Channel, r.Device = tx.now, req.Level, reasons, comment, req.Channel, a.Device
		if req.Channel == ChannelCounter {
			r.Device = "window " + req.Window
		}
		prev, found, err := tx.currentRating(ctx, r)
		if err != nil {
			return err
		}
		if found {
			if err := prev.mayBeReplaced(); err != nil {
				return err
			}
			r.Replaces = prev.ID
			// The old row leaves the one-rating-per-visit index first.
			if _, err := tx.Exec("UPDATE ratings SET superseded = 1 WHERE id = ?", prev.ID); err != nil {
				return fmt.Errorf("store: supersede rating %d: %w", prev.ID, err)
			}
		}
		if err := tx.insertRating(&r); err != nil {
			return err
		}
		if r.Bad() {
			f := Followup{OpenedAt: tx.now}
			f.CallbackDue, f.ResolveDue = followupDue(cal, tx.now)
			if _, err := tx.Exec(`INSERT INTO rating_followups(rating_id, opened_at, callback_due, resolve_due) VALUES (?,?,?,?)`,
				r.ID, ms(tx.now), f.CallbackDue.String(), f.ResolveDue.String()); err != nil {
				return fmt.Errorf("store: open follow-up of rating %d: %w", r.ID, err)
			}
			r.Followup = &f
		}
		id := strconv.FormatInt(r.ID, 10)
		if err := tx.outboxRating(r); err != nil {
			return err
		}
		if !found {
			out = r
			return tx.Audit(a, "rating.record", "rating", id, nil, r.auditView())
		}
		if _, err := tx.Exec("UPDATE rating_followups SET rerating_id = ? WHERE rating_id = ?", r.ID, prev.ID); err != nil {
			return fmt.Errorf("store: link re-rating %d to follow-up of %d: %w", r.ID, prev.ID, err)
		}
		before := prev.auditView()
		prev.Superseded = true
		prev.Followup.ReratingID, prev.Followup.ReratingLevel = r.ID, r.Level
		if err := tx.Audit(a, "rating.supersede", "rating", strconv.FormatInt(prev.ID, 10), before, prev.auditView()); err != nil {
			return err
		}
		out = r
		return tx.Audit(a, "rating.rerate", "rating", id, before, r.auditView())
	})
	if err != nil {
		return Rating{}, err
	}
	return out, nil
}

// padMayRate checks that a window's evaluation pad rates the visit it
// served last (the ticket it called last), or an application accepted
// from that visit, or, for an application without a ticket, the last one
// accepted at the window today: a pad asks the citizen in front of it,
// and may not be used to rate the window's earlier visits.
func (tx *Tx) padMayRate(r Rating, window string) error {
	var last sql.NullInt64
	var number string
	err := tx.QueryRow(`SELECT e.ticket_id, t.number FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.window = ? AND e.action = 'call' ORDER BY e.id DESC LIMIT 1`, window).Scan(&last, &number)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: rating: last visit at window %s: %w", window, err)
	}
	if r.TicketID != 0 {
		if last.Int64 == r.TicketID {
			return nil
		}
		return fmt.Errorf("%w: the pad at window %s rates the visit it served last (%s), not %s: rate earlier visits at a kiosk or on the phone",
			ErrForbidden, window, number, r.what())
	}
	var lastApp int64
	err = tx.QueryRow(`SELECT id FROM applications WHERE day = ? AND window = ? ORDER BY seq DESC LIMIT 1`,
		queue.ServiceDay(tx.now), window).Scan(&lastApp)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: rating: last application at window %s: %w", window, err)
	}
	if lastApp == r.ApplicationID {
		return nil
	}
	return fmt.Errorf("%w: the pad at window %s rates the application it accepted last today, not %s: rate it at a kiosk",
		ErrForbidden, window, r.what())
}

// mayBeReplaced says whether a new rating of the same visit or application
// may replace r: only a bad rating, whose follow-up is resolved, not
// re-rated already, and that is not itself a re-rating.
func (r Rating) mayBeReplaced() error {
	already := fmt.Sprintf("%s was already rated %d (%s) on %s", r.what(), r.Level, RatingLevelName(r.Level),
		workday.DateOf(r.At))
	switch {
	case r.Followup == nil:
		one := "visit"
		if r.ApplicationNumber != "" {
			one = "application"
		}
		return fmt.Errorf("%w: %s: one rating per %s (only a bad rating may be re-rated, once its follow-up is resolved)", ErrConflict, already, one)
	case r.Replaces != 0:
		return fmt.Errorf("%w: %s, when it was rated again after a follow-up: it may be re-rated only once", ErrConflict, already)
	case r.Followup.Open():
		return fmt.Errorf("%w: %s, and the hall is following it up: it may be rated again once the follow-up is resolved", ErrConflict, already)
	case r.Followup.ReratingID != 0:
		return fmt.Errorf("%w: %s and re-rated after its follow-up: it may be re-rated only once", ErrConflict, already)
	}
	return nil
}

// ratingTarget finds what req rates and fills the rating's record fields:
// ticket, application, window, staff, item and department.
func (tx *Tx) ratingTarget(ctx context.Context, req RatingRequest) (Rating, error) {
	var r Rating
	if req.TicketID != 0 && req.TicketToken != "" {
		return r, fmt.Errorf("%w: name the ticket by its id or its token, not both", ErrInvalid)
	}
	var t Ticket
	haveTicket := req.TicketID != 0 || req.TicketToken != ""
	if haveTicket {
		where, arg := "id = ?", any(req.TicketID)
		if req.TicketToken != "" {
			where, arg = "token = ?", req.TicketToken
		}
		var err error
		t, err = scanTicket(tx.QueryRow("SELECT "+ticketColumns+" FROM tickets WHERE "+where, arg))
		if errors.Is(err, sql.ErrNoRows) {
			if req.TicketToken != "" {
				return r, fmt.Errorf("%w: no ticket with this token: check the slip's QR code", ErrNotFound)
			}
			return r, fmt.Errorf("%w: no ticket %d", ErrNotFound, req.TicketID)
		}
		if err != nil {
			return r, fmt.Errorf("store: rating: read ticket: %w", err)
		}
		r.TicketID, r.TicketNumber, r.TicketDay, r.Item = t.ID, t.Number, t.Day, t.Item
	}
	switch {
	case req.ApplicationNumber != "":
		var ticket sql.NullInt64
		err := tx.QueryRow(`SELECT id, number, ticket_id, window, accepted_by, item FROM applications WHERE number = ?`,
			req.ApplicationNumber).Scan(&r.ApplicationID, &r.ApplicationNumber, &ticket, &r.Window, &r.Staff, &r.Item)
		if errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("%w: no application %s: check the number on the acceptance notice", ErrNotFound, req.ApplicationNumber)
		}
		if err != nil {
			return r, fmt.Errorf("store: rating: read application %s: %w", req.ApplicationNumber, err)
		}
		switch {
		case haveTicket && ticket.Int64 != t.ID && ticket.Valid:
			return r, fmt.Errorf("%w: application %s was accepted from another ticket than %s: rate the application by its number alone",
				ErrInvalid, r.ApplicationNumber, t.Number)
		case haveTicket && !ticket.Valid:
			return r, fmt.Errorf("%w: application %s was not accepted from a queue ticket: rate it by its number alone", ErrInvalid, r.ApplicationNumber)
		case ticket.Valid:
			if err := tx.QueryRow("SELECT id, number, day FROM tickets WHERE id = ?", ticket.Int64).
				Scan(&r.TicketID, &r.TicketNumber, &r.TicketDay); err != nil {
				return r, fmt.Errorf("store: rating: ticket of application %s: %w", r.ApplicationNumber, err)
			}
			if r.Window == "" {
				_, r.Window, _, err = tx.servedBy(r.TicketID)
				if err != nil {
					return r, err
				}
			}
		}
	case haveTicket:
		switch t.State {
		case queue.Issued, queue.Transferred, queue.Held, queue.Called, queue.Recalled:
			return r, fmt.Errorf("%w: ticket %s is %s: a visit is rated once it has been served", ErrConflict, t.Number, ticketStateWords(t.State))
		}
		served, window, staff, err := tx.servedBy(t.ID)
		if err != nil {
			return r, err
		}
		if !served {
			return r, fmt.Errorf("%w: ticket %s was never served (%s): only a visit that was served can be rated", ErrConflict, t.Number, ticketStateWords(t.State))
		}
		r.Window, r.Staff = window, staff
	default:
		return r, fmt.Errorf("%w: say what is rated: a ticket (the token in its slip's QR code) or an application (its number)", ErrInvalid)
	}
	if r.Item != "" {
		err := tx.QueryRow("SELECT department FROM items WHERE code = ?", r.Item).Scan(&r.Department)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("store: rating: department of item %s: %w", r.Item, err)
		}
	}
	return r, nil
}

// ticketStateWords says a ticket's state for a citizen.
func ticketStateWords(s queue.State) string {
	switch s {
	case queue.Issued, queue.Transferred, queue.Held:
		return "still waiting (" + string(s) + ")"
	case queue.Called, queue.Recalled:
		return "called but not served yet (" + string(s) + ")"
	case queue.NoShow:
		return "marked no-show: the citizen did not come when called"
	case queue.Cancelled:
		return "cancelled before it was called"
	}
	return string(s)
}

// servedBy reads who served a ticket: the window and staff member of its
// last start or finish. served is false when service never started.
func (tx *Tx) servedBy(ticketID int64) (served bool, window, staff string, err error) {
	err = tx.QueryRow(`SELECT window, actor FROM ticket_events WHERE ticket_id = ? AND action IN ('start','finish')
		ORDER BY id DESC LIMIT 1`, ticketID).Scan(&window, &staff)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", "", nil
	}
	if err != nil {
		return false, "", "", fmt.Errorf("store: rating: who served ticket %d: %w", ticketID, err)
	}
	return true, window, staff, nil
}

// currentRating returns the rating in force (not superseded) of r's
// application, or of r's visit when r rates no application.
func (tx *Tx) currentRating(ctx context.Context, r Rating) (Rating, bool, error) {
	where, arg := "r.ticket_id = ? AND r.application_id IS NULL AND r.superseded = 0", r.TicketID
	if r.ApplicationID != 0 {
		where, arg = "r.application_id = ? AND r.superseded = 0", r.ApplicationID
	}
	prev, err := scanRating(txQuerier{tx}.QueryRowContext(ctx, ratingSelect+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Rating{}, false, nil
	}
	if err != nil {
		return Rating{}, false, fmt.Errorf("store: rating: earlier rating of %s: %w", r.what(), err)
	}
	return prev, true, nil
}

func (tx *Tx) insertRating(r *Rating) error {
	reasons, err := json.Marshal(r.Reasons)
	if err != nil {
		return fmt.Errorf("store: record rating: %w", err)
	}
	res, err := tx.Exec(`INSERT INTO ratings(at, level, reasons, comment, ticket_id, application_id, window, staff, item,
		department, channel, device, replaces) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		ms(r.At), r.Level, string(reasons), r.Comment, nullRef(r.TicketID), nullRef(r.ApplicationID), r.Window, r.Staff,
		r.Item, r.Department, r.Channel, r.Device, nullRef(r.Replaces))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return fmt.Errorf("%w: %s was already rated", ErrConflict, r.what())
		}
		return fmt.Errorf("store: record rating of %s: %w", r.what(), err)
	}
	r.ID, _ = res.LastInsertId()
	return nil
}

// nullRef is NULL for 0, else the id.
func nullRef(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// auditView is what the audit trail keeps of a rating: no ticket token.
func (r Rating) auditView() map[string]any {
	v := map[string]any{"id": r.ID, "level": r.Level, "reasons": r.Reasons, "comment": r.Comment,
		"ticket_id": r.TicketID, "ticket": r.TicketNumber, "ticket_day": r.TicketDay, "application": r.ApplicationNumber,
		"window": r.Window, "staff": r.Staff, "item": r.Item, "department": r.Department, "channel": r.Channel,
		"replaces": r.Replaces, "superseded": r.Superseded}
	if f := r.Followup; f != nil {
		v["followup"] = f.auditView()
	}
	return v
}

func (f Followup) auditView() map[string]any {
	return map[string]any{"callback_due": f.CallbackDue.String(), "resolve_due": f.ResolveDue.String(),
		"called_back_at": ratingAuditTime(f.CalledBackAt), "called_back_by": f.CalledBackBy, "callback_note": f.CallbackNote,
		"resolved_at": ratingAuditTime(f.ResolvedAt), "resolved_by": f.ResolvedBy, "resolution": f.Resolution,
		"rerating_id": f.ReratingID}
}

func ratingAuditTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ratingSelect reads a rating with its ticket, application and follow-up
// (and the level of the follow-up's re-rating); scanRating reads a row.
const ratingSelect = `SELECT r.id, r.at, r.level, r.reasons, r.comment, COALESCE(r.ticket_id, 0), COALESCE(t.number, ''),
	COALESCE(t.day, ''), COALESCE(r.application_id, 0), COALESCE(a.number, ''), r.window, r.staff, r.item, r.department,
	r.channel, r.device, COALESCE(r.replaces, 0), r.superseded, f.rating_id IS NOT NULL, COALESCE(f.opened_at, 0),
	COALESCE(f.callback_due, ''), COALESCE(f.resolve_due, ''), COALESCE(f.called_back_at, 0), COALESCE(f.called_back_by, ''),
	COALESCE(f.callback_note, ''), COALESCE(f.resolved_at, 0), COALESCE(f.resolved_by, ''), COALESCE(f.resolution, ''),
	COALESCE(f.rerating_id, 0), COALESCE(rr.level, 0)
	FROM ratings r
	LEFT JOIN tickets t ON t.id = r.ticket_id
	LEFT JOIN applications a ON a.id = r.application_id
	LEFT JOIN rating_followups f ON f.rating_id = r.id
	LEFT JOIN ratings rr ON rr.id = f.rerating_id`

func scanRating(row scanner) (Rating, error) {
	var r Rating
	var f Followup
	var at, opened, calledBack, resolved int64
	var reasons, callbackDue, resolveDue string
	var hasFollowup bool
	err := row.Scan(&r.ID, &at, &r.Level, &reasons, &r.Comment, &r.TicketID, &r.TicketNumber, &r.TicketDay,
		&r.ApplicationID, &r.ApplicationNumber, &r.Window, &r.Staff, &r.Item, &r.Department, &r.Channel, &r.Device,
		&r.Replaces, &r.Superseded, &hasFollowup, &opened, &callbackDue, &resolveDue, &calledBack, &f.CalledBackBy,
		&f.CallbackNote, &resolved, &f.ResolvedBy, &f.Resolution, &f.ReratingID, &f.ReratingLevel)
	if err != nil {
		return r, err
	}
	r.At = fromMS(at)
	if err := json.Unmarshal([]byte(reasons), &r.Reasons); err != nil {
		return r, fmt.Errorf("rating %d: reasons %q: %w", r.ID, reasons, err)
	}
	if !hasFollowup {
		return r, nil
	}
	f.OpenedAt, f.CalledBackAt, f.ResolvedAt = fromMS(opened), fromMS(calledBack), fromMS(resolved)
	if f.CallbackDue, err = workday.ParseDate(callbackDue); err != nil {
		return r, fmt.Errorf("rating %d: callback due: %w", r.ID, err)
	}
	if f.ResolveDue, err = workday.ParseDate(resolveDue); err != nil {
		return r, fmt.Errorf("rating %d: resolve due: %w", r.ID, err)
	}
	r.Followup = &f
	return r, nil
}

// scanRatings reads rows of ratingSelect.
func scanRatings(rows *sql.Rows, what string) ([]Rating, error) {
	defer rows.Close()
	out := []Rating{}
	for rows.Next() {
		r, err := scanRating(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// RatingByID returns one rating with its follow-up.
func (s *Store) RatingByID(ctx context.Context, id int64) (Rating, error) {
	r, err := scanRating(s.queryRow(ctx, ratingSelect+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: no rating %d", ErrNotFound, id)
	}
	if err != nil {
		return r, fmt.Errorf("store: rating %d: %w", id, err)
	}
	return r, nil
}

// DefaultRatingListLimit and MaxRatingListLimit bound the rating and follow-up lists.
const (
	DefaultRatingListLimit = 1000
	MaxRatingListLimit     = 10000
)

// RatingFilter selects ratings. Zero fields select everything.
type RatingFilter struct {
	From, To workday.Date // days in the hall (inclusive) the rating was made on
	Level    int
	Window   string
	Staff    string
	BadOnly  bool
	Limit    int // DefaultRatingListLimit when 0, at most MaxRatingListLimit
}

// ratingSpan turns an inclusive span of days into [from, to) milliseconds.
func ratingSpan(from, to workday.Date) (int64, int64, error) {
	lo, hi := int64(0), int64(1)<<62
	if !from.IsZero() {
		lo = from.Start().UnixMilli()
	}
	if !to.IsZero() {
		hi = to.AddDays(1).Start().UnixMilli()
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return 0, 0, fmt.Errorf("%w: from %s is after to %s", ErrInvalid, from, to)
	}
	return lo, hi, nil
}

func ratingListLimit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultRatingListLimit, nil
	case n < 0 || n > MaxRatingListLimit:
		return 0, fmt.Errorf("%w: limit %d: ask for 1 to %d at a time (narrow the days for more)", ErrInvalid, n, MaxRatingListLimit)
	}
	return n, nil
}

// Ratings lists ratings, newest first, superseded ones included (marked).
func (s *Store) Ratings(ctx context.Context, f RatingFilter) ([]Rating, error) {
	lo, hi, err := ratingSpan(f.From, f.To)
	if err != nil {
		return nil, err
	}
	limit, err := ratingListLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	if f.Level != 0 && (f.Level < VeryDissatisfied || f.Level > VerySatisfied) {
		return nil, fmt.Errorf("%w: level %d: levels are 1 to 5", ErrInvalid, f.Level)
	}
	rows, err := s.query(ctx, ratingSelect+` WHERE r.at >= ? AND r.at < ? AND (? = 0 OR r.level = ?)
		AND (? = '' OR r.window = ?) AND (? = '' OR r.staff = ?) AND (? = 0 OR r.level <= 2)
		ORDER BY r.at DESC, r.id DESC LIMIT ?`, lo, hi, f.Level, f.Level, f.Window, f.Window, f.Staff, f.Staff,
		f.BadOnly, limit)
	if err != nil {
		return nil, fmt.Errorf("store: ratings: %w", err)
	}
	return scanRatings(rows, "ratings")
}

// FollowupFilter selects follow-ups. Zero fields select everything.
type FollowupFilter struct {
	OpenOnly bool
	From, To workday.Date // days in the hall (inclusive) the follow-up opened on
	Limit    int          // DefaultRatingListLimit when 0, at most MaxRatingListLimit
}

// Followups lists the bad ratings with their follow-ups: open ones first,
// oldest first (the most urgent on top), then resolved ones, the latest
// resolved first.
func (s *Store) Followups(ctx context.Context, f FollowupFilter) ([]Rating, error) {
	lo, hi, err := ratingSpan(f.From, f.To)
	if err != nil {
		return nil, err
	}
	limit, err := ratingListLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, ratingSelect+` WHERE f.rating_id IS NOT NULL AND f.opened_at >= ? AND f.opened_at < ?
		AND (? = 0 OR f.resolved_at = 0)
		ORDER BY f.resolved_at <> 0, CASE WHEN f.resolved_at = 0 THEN f.opened_at ELSE -f.resolved_at END, r.id
		LIMIT ?`, lo, hi, f.OpenOnly, limit)
	if err != nil {
		return nil, fmt.Errorf("store: follow-ups: %w", err)
	}
	return scanRatings(rows, "follow-ups")
}

// RecordCallback records the call back of a bad rating's follow-up: who
// (the actor), when (now) and what was said. It is recorded once.
func (s *Store) RecordCallback(ctx context.Context, a Actor, ratingID int64, note string) (Rating, error) {
	note, err := checkRatingText("call back note", note, MaxFollowupNote, true)
	if err != nil {
		return Rating{}, fmt.Errorf("%w (what the citizen said, or why they could not be reached)", err)
	}
	return s.updateFollowup(ctx, a, ratingID, "rating.callback", func(tx *Tx, r *Rating) error {
		f := r.Followup
		if !f.CalledBackAt.IsZero() {
			return fmt.Errorf("%w: the call back of rating %d was recorded on %s by %s", ErrConflict, r.ID,
				f.CalledBackAt.In(workday.Location).Format("2006-01-02 15:04"), f.CalledBackBy)
		}
		f.CalledBackAt, f.CalledBackBy, f.CallbackNote = tx.now, a.Name, note
		_, err := tx.Exec(`UPDATE rating_followups SET called_back_at = ?, called_back_by = ?, callback_note = ?
			WHERE rating_id = ?`, ms(tx.now), a.Name, note, r.ID)
		return err
	})
}

// ResolveFollowup records what was done about a bad rating (整改) and
// closes its follow-up; the citizen may then re-rate once. The call back
// must have been recorded first.
func (s *Store) ResolveFollowup(ctx context.Context, a Actor, ratingID int64, resolution string) (Rating, error) {
	resolution, err := checkRatingText("resolution", resolution, MaxFollowupNote, true)
	if err != nil {
		return Rating{}, fmt.Errorf("%w (say what was done)", err)
	}
	return s.updateFollowup(ctx, a, ratingID, "rating.resolve", func(tx *Tx, r *Rating) error {
		f := r.Followup
		switch {
		case !f.ResolvedAt.IsZero():
			return fmt.Errorf("%w: the follow-up of rating %d was resolved on %s by %s", ErrConflict, r.ID,
				f.ResolvedAt.In(workday.Location).Format("2006-01-02 15:04"), f.ResolvedBy)
		case f.CalledBackAt.IsZero():
			return fmt.Errorf("%w: record the call back of rating %d first (say in its note if the citizen could not be reached)", ErrConflict, r.ID)
		}
		f.ResolvedAt, f.ResolvedBy, f.Resolution = tx.now, a.Name, resolution
		_, err := tx.Exec(`UPDATE rating_followups SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE rating_id = ?`,
			ms(tx.now), a.Name, resolution, r.ID)
		return err
	})
}

// updateFollowup loads a rating's follow-up, applies change and audits it.
func (s *Store) updateFollowup(ctx context.Context, a Actor, ratingID int64, action string, change func(*Tx, *Rating) error) (Rating, error) {
	var out Rating
	err := s.write(ctx, func(tx *Tx) error {
		r, err := scanRating(txQuerier{tx}.QueryRowContext(ctx, ratingSelect+" WHERE r.id = ?", ratingID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no rating %d", ErrNotFound, ratingID)
		}
		if err != nil {
			return fmt.Errorf("store: %s: rating %d: %w", action, ratingID, err)
		}
		if r.Followup == nil {
			return fmt.Errorf("%w: rating %d is %d (%s): only bad ratings are followed up", ErrConflict, r.ID, r.Level, RatingLevelName(r.Level))
		}
		before := r.Followup.auditView()
		if err := change(tx, &r); err != nil {
			if errors.Is(err, ErrConflict) {
				return err
			}
			return fmt.Errorf("store: %s: rating %d: %w", action, ratingID, err)
		}
		out = r
		stage := map[string]string{"rating.callback": "called_back", "rating.resolve": "resolved"}[action]
		if stage != "" {
			if err := tx.outboxFollowup(r, stage, a.Name); err != nil {
				return err
			}
		}
		return tx.Audit(a, action, "rating", strconv.FormatInt(r.ID, 10), before, r.Followup.auditView())
	})
	return out, err
}
