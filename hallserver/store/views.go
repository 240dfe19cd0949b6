package store

import "onestop/hallserver/api"

// The store's read views are the API's wire types: what the store reads
// for a citizen, a display or staff is exactly what the hall server sends.
type (
	// Hall is the hall's identity.
	Hall = api.Hall
	// TicketStatus is what a citizen may see of a ticket: no personal data.
	TicketStatus = api.TicketStatus
	// QueueStat is one queue's state today.
	QueueStat = api.QueueStat
	// WindowStat is one window's state now.
	WindowStat = api.WindowStat
	// Call is one call of a ticket to a window.
	Call = api.Call
	// Overview is the hall's queues and windows now.
	Overview = api.Overview
	// TicketEvent is one recorded transition of a ticket.
	TicketEvent = api.TicketEvent
	// AuditVerdict is the result of walking the audit chain.
	AuditVerdict = api.AuditVerdict
	// Kiosk is an enrolled self-service kiosk.
	Kiosk = api.Kiosk
)
