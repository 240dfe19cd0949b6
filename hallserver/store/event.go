package store

import "time"

// Event is a committed change that live pages follow (call display, staff
// console, phone ticket page). Events are public: they carry ticket
// numbers, queues and windows, never a token or a personal datum.
type Event struct {
	Type   string    `json:"type"` // e.g. "ticket.called"; see the EventXxx constants
	At     time.Time `json:"at"`
	Number string    `json:"number,omitempty"`
	Day    string    `json:"day,omitempty"`
	Queue  string    `json:"queue,omitempty"`
	Window string    `json:"window,omitempty"`
	State  string    `json:"state,omitempty"`
	// FromQueue and FromWindow are set on transfers.
	FromQueue  string `json:"from_queue,omitempty"`
	FromWindow string `json:"from_window,omitempty"`
}

// Event types.
const (
	EventTicketIssued    = "ticket.issued"
	EventTicketCalled    = "ticket.called"
	EventTicketRecalled  = "ticket.recalled"
	EventTicketChanged   = "ticket.changed" // any other transition: start, finish, no-show, transfer, hold, cancel
	EventWindowChanged   = "window.changed" // opened or closed
	EventSettingsChanged = "settings.changed"
)
