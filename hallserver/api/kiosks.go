package api

import "time"

// Kiosk is an enrolled self-service kiosk, with its health as its last
// heartbeat told it.
type Kiosk struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	EnrolledAt time.Time `json:"enrolled_at"`
	// LastSeen is the kiosk's last heartbeat; zero before the first.
	LastSeen time.Time `json:"last_seen"`
	Disabled bool      `json:"disabled"`
	// Online: a heartbeat arrived within the last KioskOnlineWithin.
	Online bool `json:"online"`
	// AppVersion is the kiosk software's version, as last reported.
	AppVersion string `json:"app_version"`
	// Problems are the devices that were not ok at the last heartbeat.
	Problems []DeviceHealth `json:"problems"`
}

// KioskOnlineWithin is how recent a kiosk's last heartbeat must be for it
// to count as online: four missed beats at KioskHeartbeatEvery.
const KioskOnlineWithin = 2 * time.Minute

// KioskHeartbeatEvery is how often a kiosk sends its heartbeat.
const KioskHeartbeatEvery = 30 * time.Second

// Device names in a heartbeat.
const (
	DeviceIDCard  = "idcard"  // the ID card reader
	DevicePrinter = "printer" // the ticket printer
	DeviceA4      = "a4"      // the A4 printer (CUPS or a folder)
	DeviceScanner = "scanner" // the QR/barcode scanner
)

// Device states in a heartbeat.
const (
	DeviceOK      = "ok"      // works
	DeviceWarning = "warning" // works, but needs attention soon (paper low)
	DeviceProblem = "problem" // does not work until someone fixes it
)

// DeviceHealth is one device's state as the kiosk sees it.
type DeviceHealth struct {
	Device string `json:"device"` // DeviceIDCard, DevicePrinter, DeviceA4 or DeviceScanner
	State  string `json:"state"`  // DeviceOK, DeviceWarning or DeviceProblem
	// Problem says what is wrong in a few words, for the technician
	// ("paper out: load a new roll"); empty when ok.
	Problem string `json:"problem,omitempty"`
}

// KioskHeartbeat is the body of POST /kiosks/heartbeat: the kiosk's
// software version and the health of each device it has.
type KioskHeartbeat struct {
	AppVersion string         `json:"app_version"`
	Devices    []DeviceHealth `json:"devices"`
}

// HelpCall is a kiosk's call for staff help (一键呼叫). It stays open until
// a supervisor answers it; pressing again while it is open counts in
// Presses instead of opening another.
type HelpCall struct {
	ID       int64     `json:"id"`
	Kiosk    string    `json:"kiosk"`
	CalledAt time.Time `json:"called_at"`
	// LastCall is the latest press while the call was open.
	LastCall time.Time `json:"last_call"`
	Presses  int       `json:"presses"`
	// AnsweredAt and AnsweredBy (a username) are set once answered.
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	AnsweredBy string    `json:"answered_by,omitempty"`
}
