package api

import "time"

// RatingLevel is one level of the rating scale (GB/T 39734-2020).
type RatingLevel struct {
	Level  int    `json:"level"`   // 5 best … 1 worst
	Name   string `json:"name"`    // 非常满意, 满意, 基本满意, 不满意, 非常不满意
	NameEn string `json:"name_en"` // English label
	Bad    bool   `json:"bad"`     // 差评: 2 and 1; opens a follow-up
}

// RatingReason is a reason a citizen may tick with a rating.
type RatingReason struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Levels []int  `json:"levels"` // the levels it goes with
}

// RatingReasons is the answer to GET /ratings/reasons: what kiosks, pads
// and phone pages show, so that all show the same.
type RatingReasons struct {
	Levels  []RatingLevel  `json:"levels"`
	Reasons []RatingReason `json:"reasons"`
}

// RatingRequest is the body of POST /ratings (a kiosk, or a window's
// evaluation pad). Name a ticket (TicketToken from the slip's QR code;
// a pad may use TicketID) or an application (ApplicationNumber), or both
// when the application was accepted from that ticket.
type RatingRequest struct {
	TicketID          int64  `json:"ticket_id,omitempty"`
	TicketToken       string `json:"ticket_token,omitempty"`
	ApplicationNumber string `json:"application_number,omitempty"`
	// A kiosk rating an application proves it is the applicant's: with
	// the ID number read from the card, or the acceptance notice's QR code
	// (which may stand in for the number).
	ApplicantID string   `json:"applicant_id,omitempty"`
	NoticeQR    string   `json:"notice_qr,omitempty"`
	Window      string   `json:"window,omitempty"` // the pad's window (counter staff and supervisors only)
	Level       int      `json:"level"`
	Reasons     []string `json:"reasons,omitempty"`
	Comment     string   `json:"comment,omitempty"`
}

// PhoneRatingRequest is the body of POST /tickets/status/{token}/rating.
type PhoneRatingRequest struct {
	Level   int      `json:"level"`
	Reasons []string `json:"reasons,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// RatingReceipt is what the citizen sees after rating: no staff names,
// no internal ids.
type RatingReceipt struct {
	At                time.Time     `json:"at"`
	Level             int           `json:"level"`
	LevelName         string        `json:"level_name"`
	Reasons           []string      `json:"reasons"`
	Comment           string        `json:"comment,omitempty"`
	TicketNumber      string        `json:"ticket_number,omitempty"`
	ApplicationNumber string        `json:"application_number,omitempty"`
	Window            string        `json:"window,omitempty"`
	Rerating          bool          `json:"rerating"` // replaces a bad rating after its follow-up
	Followup          *FollowupDues `json:"followup,omitempty"`
}

// FollowupDues are a bad rating's follow-up deadlines, as the citizen is
// told them.
type FollowupDues struct {
	CallbackDue string `json:"callback_due"` // YYYY-MM-DD, the last working day for the call back
	ResolveDue  string `json:"resolve_due"`  // YYYY-MM-DD, the last working day for the resolution
}

// Rating is a rating as supervisors see it.
type Rating struct {
	ID                int64           `json:"id"`
	At                time.Time       `json:"at"`
	Level             int             `json:"level"`
	LevelName         string          `json:"level_name"`
	Bad               bool            `json:"bad"`
	Reasons           []string        `json:"reasons"`
	Comment           string          `json:"comment,omitempty"`
	TicketID          int64           `json:"ticket_id,omitempty"`
	TicketNumber      string          `json:"ticket_number,omitempty"`
	TicketDay         string          `json:"ticket_day,omitempty"`
	ApplicationNumber string          `json:"application_number,omitempty"`
	Window            string          `json:"window,omitempty"`
	Staff             string          `json:"staff,omitempty"` // username of who served
	Item              string          `json:"item,omitempty"`
	Department        string          `json:"department,omitempty"`
	Channel           string          `json:"channel"` // kiosk, counter, phone
	Device            string          `json:"device,omitempty"`
	Replaces          int64           `json:"replaces,omitempty"`
	Superseded        bool            `json:"superseded"`
	Followup          *RatingFollowup `json:"followup,omitempty"`
}

// RatingFollowup is a bad rating's follow-up (整改), its deadlines read now.
type RatingFollowup struct {
	Open            bool      `json:"open"`
	OpenedAt        time.Time `json:"opened_at"`
	CallbackDue     string    `json:"callback_due"` // YYYY-MM-DD
	ResolveDue      string    `json:"resolve_due"`  // YYYY-MM-DD
	CallbackOverdue bool      `json:"callback_overdue"`
	ResolveOverdue  bool      `json:"resolve_overdue"`
	Provisional     bool      `json:"provisional"` // counted over a provisional holiday calendar
	CalledBackAt    time.Time `json:"called_back_at,omitzero"`
	CalledBackBy    string    `json:"called_back_by,omitempty"`
	CallbackNote    string    `json:"callback_note,omitempty"`
	ResolvedAt      time.Time `json:"resolved_at,omitzero"`
	ResolvedBy      string    `json:"resolved_by,omitempty"`
	Resolution      string    `json:"resolution,omitempty"`
	ReratingID      int64     `json:"rerating_id,omitempty"`
	ReratingLevel   int       `json:"rerating_level,omitempty"`
}

// CallbackRequest is the body of POST /ratings/{id}/callback.
type CallbackRequest struct {
	Note string `json:"note"` // what the citizen said, or why they could not be reached
}

// ResolveRequest is the body of POST /ratings/{id}/resolve.
type ResolveRequest struct {
	Resolution string `json:"resolution"` // what was done (整改措施)
}
