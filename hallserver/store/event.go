package store

import "onestop/hallserver/api"

// Event is a committed change that live pages follow (call display, staff
// console, phone ticket page): the API's event type. Events are public:
// they carry ticket numbers, queues and windows, never a token or a
// personal datum.
type Event = api.Event

// Event types.
const (
	EventTicketIssued    = "ticket.issued"
	EventTicketCalled    = "ticket.called"
	EventTicketRecalled  = "ticket.recalled"
	EventTicketChanged   = "ticket.changed" // any other transition: start, finish, no-show, transfer, hold, cancel
	EventWindowChanged   = "window.changed" // opened or closed
	EventSettingsChanged = "settings.changed"
	EventKioskHelp       = "kiosk.help" // a kiosk called for staff help (state open), or the call was answered
)
