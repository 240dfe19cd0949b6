package api

import "time"

// Error is the body of every error response.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes clients branch on.
const (
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "not_found"
	CodeInvalid         = "invalid_request"
	CodeConflict        = "conflict"
	CodeNothingWaiting  = "nothing_waiting"
	CodeRateLimited     = "rate_limited"
	CodeTooLarge        = "too_large"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
)

// Hall is the hall's identity.
type Hall struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// ElderlyPriorityAge is the hall's elderly_priority_age setting, sent
	// by GET /hall only (nil elsewhere): kiosks give the elderly priority
	// from this age on, read from the ID card; 0 is off.
	ElderlyPriorityAge *int `json:"elderly_priority_age,omitempty"`
}

// IssueRequest asks for a ticket: an item (its queue follows) or a queue.
type IssueRequest struct {
	Queue    string `json:"queue,omitempty"`
	Item     string `json:"item,omitempty"`
	Priority string `json:"priority,omitempty"` // elderly, disabled, pregnant, appointment, green
}

// TicketStatus is what a citizen may see of a ticket: no personal data.
type TicketStatus struct {
	Number        string    `json:"number"`
	Day           string    `json:"day"`
	Queue         string    `json:"queue"`
	QueueName     string    `json:"queue_name"`
	QueueNameEn   string    `json:"queue_name_en"`
	State         string    `json:"state"`
	Ahead         int       `json:"ahead"`
	EstimatedWait int       `json:"estimated_wait_seconds"`
	Window        string    `json:"window,omitempty"`
	IssuedAt      time.Time `json:"issued_at"`
	CalledAt      time.Time `json:"called_at,omitzero"`
}

// IssuedTicket is the answer to POST /tickets: what the slip shows.
type IssuedTicket struct {
	ID       int64        `json:"id"`
	Number   string       `json:"number"`
	Token    string       `json:"token"`
	Priority string       `json:"priority,omitempty"`
	Item     string       `json:"item,omitempty"`
	Status   TicketStatus `json:"status"`
	Hall     Hall         `json:"hall"`
}

// TicketEvent is one recorded transition of a ticket.
type TicketEvent struct {
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Window     string    `json:"window,omitempty"`
	Actor      string    `json:"actor"`
	OutOfOrder bool      `json:"out_of_order,omitempty"`
	Reason     string    `json:"reason,omitempty"`
}

// StaffTicket is a ticket as staff see it.
type StaffTicket struct {
	ID           int64         `json:"id"`
	Number       string        `json:"number"`
	Day          string        `json:"day"`
	Queue        string        `json:"queue"`
	Item         string        `json:"item,omitempty"`
	Priority     string        `json:"priority,omitempty"`
	State        string        `json:"state"`
	IssuedAt     time.Time     `json:"issued_at"`
	CalledAt     time.Time     `json:"called_at,omitzero"`
	StartedAt    time.Time     `json:"started_at,omitzero"`
	FinishedAt   time.Time     `json:"finished_at,omitzero"`
	Window       string        `json:"window,omitempty"`
	TargetWindow string        `json:"target_window,omitempty"`
	ReturnQueue  string        `json:"return_queue,omitempty"`
	ReturnWindow string        `json:"return_window,omitempty"`
	HoldUntil    time.Time     `json:"hold_until,omitzero"`
	Recalls      int           `json:"recalls,omitempty"`
	KioskID      int64         `json:"kiosk_id,omitempty"`
	History      []TicketEvent `json:"history,omitempty"`
	OutOfOrder   bool          `json:"out_of_order,omitempty"` // on a call: it jumped the line
	Reason       string        `json:"reason,omitempty"`       // ... and why
}

// CallRequest is the body of POST /windows/{number}/call.
type CallRequest struct {
	Number string `json:"number"`
	Reason string `json:"reason,omitempty"`
}

// ActionRequest is the body of the window actions (recall, start, finish,
// no-show, transfer, hold).
type ActionRequest struct {
	ToQueue     string `json:"to_queue,omitempty"`
	ToWindow    int    `json:"to_window,omitempty"`
	Return      bool   `json:"return,omitempty"`
	HoldSeconds int    `json:"hold_seconds,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// CancelRequest is the body of POST /tickets/{id}/cancel.
type CancelRequest struct {
	Reason string `json:"reason"`
}

// QueueStat is one queue's state today.
type QueueStat struct {
	Code               string `json:"code"`
	Name               string `json:"name"`
	NameEn             string `json:"name_en"`
	Waiting            int    `json:"waiting"`
	LongestWaitSeconds int    `json:"longest_wait_seconds"`
	Issued             int    `json:"issued"`
	Served             int    `json:"served"`
	NoShow             int    `json:"no_show"`
	OpenWindows        int    `json:"open_windows"`
}

// WindowStat is one window's state now.
type WindowStat struct {
	Number  int      `json:"number"`
	Name    string   `json:"name"`
	NameEn  string   `json:"name_en"`
	Queues  []string `json:"queues"`
	Open    bool     `json:"open"`
	Staff   string   `json:"staff,omitempty"`
	Current string   `json:"current,omitempty"`
	State   string   `json:"state,omitempty"`
}

// Call is one call of a ticket to a window.
type Call struct {
	Number string    `json:"number"`
	Window string    `json:"window"`
	At     time.Time `json:"at"`
}

// Overview is the hall's queues and windows now (staff view).
type Overview struct {
	Day     string       `json:"day"`
	Queues  []QueueStat  `json:"queues"`
	Windows []WindowStat `json:"windows"`
	Recent  []Call       `json:"recent_calls"`
}

// Display is what a call display board shows: no staff names, no
// personal data.
type Display struct {
	Hall    Hall            `json:"hall"`
	Day     string          `json:"day"`
	Windows []DisplayWindow `json:"windows"`
	Queues  []DisplayQueue  `json:"queues"`
	Recent  []Call          `json:"recent_calls"`
	LastID  uint64          `json:"last_event_id"`
}

// DisplayWindow is one window on the board.
type DisplayWindow struct {
	Number  int    `json:"number"`
	Name    string `json:"name"`
	NameEn  string `json:"name_en"`
	Open    bool   `json:"open"`
	Current string `json:"current,omitempty"`
	State   string `json:"state,omitempty"`
}

// DisplayQueue is one queue on the board.
type DisplayQueue struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEn  string `json:"name_en"`
	Waiting int    `json:"waiting"`
}

// Settings are the queue rules a supervisor can change.
type Settings struct {
	Policy                string `json:"policy"` // "strict", "interleave:3", "ageing:15m"
	NoShowAfterRecalls    int    `json:"no_show_after_recalls"`
	DefaultServiceSeconds int    `json:"default_service_seconds"`
	// YellowPercent and YellowDays: an application's clock shows yellow
	// when at most this share (in %) or this many working days of the
	// promised limit are left. Left out of a PUT, they stay as they are.
	YellowPercent *int `json:"yellow_percent,omitempty"`
	YellowDays    *int `json:"yellow_days,omitempty"`
	// ElderlyPriorityAge: kiosks give the elderly priority to a person
	// whose ID card says they are at least this old; 0 is off. Left out
	// of a PUT, it stays as it is.
	ElderlyPriorityAge *int `json:"elderly_priority_age,omitempty"`
}

// User is a staff account.
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	PasswordAt  time.Time `json:"password_changed_at"`
}

// NewUser is the body of POST /users.
type NewUser struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Password    string `json:"password"`
}

// PasswordReset is the body of POST /users/{username}/password.
type PasswordReset struct {
	Password string `json:"password"`
}

// PasswordChange is the body of POST /me/password.
type PasswordChange struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// Cookie asks for a browser session: the session lives only in the
	// HttpOnly cookie, and the answer leaves the token out, so that no
	// script on the page can read it.
	Cookie bool `json:"cookie,omitempty"`
}

// LoginResponse is its answer. Token is for API clients (Bearer), absent
// when the request asked for a cookie session; browsers use the cookies
// set alongside and send CSRF in the X-CSRF-Token header.
type LoginResponse struct {
	Token     string    `json:"token,omitempty"`
	CSRF      string    `json:"csrf"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

// Me describes the caller.
type Me struct {
	Role        string `json:"role"`
	Username    string `json:"username,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Kiosk       string `json:"kiosk,omitempty"`
}

// EnrollmentCodeRequest is the body of POST /kiosks/enrollment-codes.
type EnrollmentCodeRequest struct {
	Kiosk string `json:"kiosk"`
}

// EnrollmentCode is a one-time code to type on the kiosk.
type EnrollmentCode struct {
	Kiosk     string    `json:"kiosk"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// EnrollRequest is the body of POST /kiosks/enroll.
type EnrollRequest struct {
	Code string `json:"code"`
}

// Enrollment is the answer: the device token, shown once.
type Enrollment struct {
	Kiosk string `json:"kiosk"`
	Token string `json:"token"`
}

// AuditVerdict is the result of walking the audit chain.
type AuditVerdict struct {
	Records  int64  `json:"records"`
	OK       bool   `json:"ok"`
	FirstBad int64  `json:"first_bad"`
	Problem  string `json:"problem"`
	HeadID   int64  `json:"head_id"`
	HeadHash string `json:"head_hash"`
}

// Event is a live event from /events. Type is the SSE event name; the
// fields are those of the store's events (ticket.*, window.changed,
// settings.changed, kiosk.help) or of queue.changed (Queue, Waiting).
type Event struct {
	ID         uint64    `json:"-"`
	Type       string    `json:"type"`
	At         time.Time `json:"at,omitzero"`
	Number     string    `json:"number,omitempty"`
	Day        string    `json:"day,omitempty"`
	Queue      string    `json:"queue,omitempty"`
	Window     string    `json:"window,omitempty"`
	State      string    `json:"state,omitempty"`
	FromQueue  string    `json:"from_queue,omitempty"`
	FromWindow string    `json:"from_window,omitempty"`
	Waiting    int       `json:"waiting,omitempty"`
	Kiosk      string    `json:"kiosk,omitempty"` // kiosk.help: the kiosk that called
}

// AcceptApplicationRequest is the body of POST /applications.
type AcceptApplicationRequest struct {
	Item          string `json:"item"`
	ApplicantName string `json:"applicant_name"`
	ApplicantID   string `json:"applicant_id"` // the full ID number: stored only hashed, sealed and masked
	TicketID      int64  `json:"ticket_id,omitempty"`
	Window        string `json:"window,omitempty"`
	Note          string `json:"note,omitempty"`
}

// ApplicationLookupRequest finds applications by the applicant's ID number
// (read from the ID card) or by the acceptance notice's QR code: give one.
type ApplicationLookupRequest struct {
	ApplicantID string `json:"applicant_id,omitempty"`
	NoticeQR    string `json:"notice_qr,omitempty"` // the QR code's text, or the token at its end
}

// ApplicationEventRequest is the body of POST /applications/{number}/events.
type ApplicationEventRequest struct {
	Kind    string `json:"kind"`              // advance, request_materials, materials_received, suspend, resume, extend, complete
	Step    string `json:"step,omitempty"`    // advance: review, decide, make, deliver
	Suspend string `json:"suspend,omitempty"` // suspend: hearing, testing, expert_review, inspection
	Days    int    `json:"days,omitempty"`    // extend
	Outcome string `json:"outcome,omitempty"` // complete: approved, rejected, withdrawn
	Note    string `json:"note,omitempty"`
	// CertificateFields fill in the item's certificate when advancing to
	// make (制证), by the field names its catalogue entry lists.
	CertificateFields map[string]string `json:"certificate_fields,omitempty"`
}

// ApplicationEvent is one recorded event of an application.
type ApplicationEvent struct {
	Kind    string    `json:"kind"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Step    string    `json:"step,omitempty"`
	Suspend string    `json:"suspend,omitempty"`
	Days    int       `json:"days,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// Clock is an application's working-day clock, as supervision reads it.
type Clock struct {
	Used             int    `json:"used_days"`
	LegalLimit       int    `json:"legal_limit_days"`
	PromisedLimit    int    `json:"promised_limit_days"`
	LegalLeft        int    `json:"legal_left_days"`
	PromisedLeft     int    `json:"promised_left_days"`
	LegalDeadline    string `json:"legal_deadline"`    // YYYY-MM-DD
	PromisedDeadline string `json:"promised_deadline"` // YYYY-MM-DD
	Stopped          string `json:"stopped,omitempty"` // why the clock is stopped, when it is
	Warning          string `json:"warning"`           // none, yellow, red
	OverLegal        bool   `json:"over_legal"`
	Provisional      bool   `json:"provisional"` // counted on a provisional holiday calendar
}

// Application is an application (办件) as staff see it. The applicant's ID
// number appears only masked.
type Application struct {
	Number          string             `json:"number"`
	Item            string             `json:"item"`
	ItemName        string             `json:"item_name"`
	ApplicantName   string             `json:"applicant_name"`
	ApplicantMasked string             `json:"applicant_id_masked"`
	NoticeToken     string             `json:"notice_token"` // the acceptance notice's QR code ends with it
	TicketID        int64              `json:"ticket_id,omitempty"`
	Window          string             `json:"window,omitempty"`
	Instant         bool               `json:"instant"`
	AcceptedAt      time.Time          `json:"accepted_at"`
	AcceptedBy      string             `json:"accepted_by"`
	Step            string             `json:"step"`
	StepName        string             `json:"step_name"`
	Status          string             `json:"status"`
	Outcome         string             `json:"outcome,omitempty"`
	CompletedAt     time.Time          `json:"completed_at,omitzero"`
	Clock           Clock              `json:"clock"`
	Events          []ApplicationEvent `json:"events"`
	Certificates    []Certificate      `json:"certificates"` // issued at 制证
}
