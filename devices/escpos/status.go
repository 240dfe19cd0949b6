package escpos

import (
	"fmt"
	"strings"
)

// Problem is a condition of the printer that a person has to act on. Its
// Zh message is for the kiosk screen (the citizen, or staff called to the
// kiosk); its En message is for the technician and the logs. Problems are
// sentinels: compare with errors.Is, or get the messages with errors.As.
type Problem struct {
	// Code is a stable identifier for logs and metrics, e.g. "paper-out".
	Code string
	// Zh is what the kiosk shows, in Chinese.
	Zh string
	// En tells a technician what happened and what to do.
	En string
	// Blocking is true when nothing can be printed until it is fixed;
	// ErrPaperNearEnd is the one warning that does not block.
	Blocking bool
}

// Error returns the English message, prefixed "escpos: ".
func (p *Problem) Error() string { return "escpos: " + p.En }

// Timeout reports whether the problem is that the printer stayed silent,
// so that devicetest.IsTimeout and net-style checks recognise it.
func (p *Problem) Timeout() bool { return p == ErrNoResponse }

// The printer problems. Status.Err returns the most important one; the
// status queries return ErrNoResponse and ErrBadStatus.
var (
	ErrCoverOpen = &Problem{Code: "cover-open", Blocking: true,
		Zh: "打印机盖未合上，请联系工作人员",
		En: "cover open: close the printer cover until it clicks"}
	ErrPaperOut = &Problem{Code: "paper-out", Blocking: true,
		Zh: "打印机缺纸，请联系工作人员更换打印纸",
		En: "paper out: load a new roll of thermal paper and close the cover"}
	ErrCutter = &Problem{Code: "cutter", Blocking: true,
		Zh: "打印机切纸故障，请联系工作人员",
		En: "autocutter error: open the cover, clear the paper jammed at the cutter, close it; power-cycle if the error stays"}
	ErrUnrecoverable = &Problem{Code: "unrecoverable", Blocking: true,
		Zh: "打印机故障，请联系工作人员",
		En: "unrecoverable printer error: power-cycle the printer; call for service if it returns"}
	ErrHeadHot = &Problem{Code: "auto-recoverable", Blocking: true,
		Zh: "打印机正在自动恢复（如打印头过热），请稍候再试",
		En: "auto-recoverable error (e.g. print head too hot): wait a minute and retry"}
	ErrFault = &Problem{Code: "fault", Blocking: true,
		Zh: "打印机故障，请联系工作人员",
		En: "the printer reports an error without naming it: check its panel lights and power-cycle"}
	ErrOffline = &Problem{Code: "offline", Blocking: true,
		Zh: "打印机暂时无法使用，请联系工作人员",
		En: "printer offline: check the panel lights, the cover and the paper, press FEED; power-cycle if it stays offline"}
	ErrPaperNearEnd = &Problem{Code: "paper-near-end",
		Zh: "打印纸即将用完，请通知工作人员更换",
		En: "paper near end: replace the roll soon"}
	ErrNoResponse = &Problem{Code: "no-response", Blocking: true,
		Zh: "打印机无响应，请联系工作人员",
		En: "printer did not answer a status query: check power, cable and the port's baud rate"}
	ErrBadStatus = &Problem{Code: "bad-status", Blocking: true,
		Zh: "打印机通信异常，请联系工作人员",
		En: "printer answered a status query with a byte that is not an ESC/POS status: check the baud rate and that the device is an ESC/POS printer"}
)

// Status is the printer's state as reported by the four DLE EOT queries.
// Bits 1 and 4 of every answer are always set (base 0x12); the other
// bits are decoded into the fields below.
type Status struct {
	// DLE EOT 1: printer status.
	DrawerPin3      bool // b2: drawer kick-out connector pin 3 is high
	Offline         bool // b3
	WaitingRecovery bool // b5: waiting for online recovery
	FeedButton      bool // b6: the paper feed button is pressed

	// DLE EOT 2: offline cause.
	CoverOpen       bool // b2
	FeedingByButton bool // b3: paper is being fed by the feed button
	PaperEndStop    bool // b5: printing stopped because the paper ran out
	Error           bool // b6: an error occurred

	// DLE EOT 3: error cause.
	CutterError     bool // b3: autocutter error
	Unrecoverable   bool // b5: unrecoverable error
	AutoRecoverable bool // b6: auto-recoverable error (e.g. print head too hot)

	// DLE EOT 4: paper roll sensors. Either bit of a pair counts: printers
	// with a single sensor set only one of them.
	PaperNearEnd bool // b2, b3 (0x0C)
	PaperOut     bool // b5, b6 (0x60)

	// Raw holds the answers to DLE EOT 1…4 (Raw[0] for n=1); zero for a
	// query that was not answered.
	Raw [4]byte
}

// statusBase is what every status byte has: bits 1 and 4 set, bits 0 and
// 7 clear.
const (
	statusBase = 0x12
	statusMask = 0x93
)

// Apply records b, the printer's answer to DLE EOT n (1–4), in s. It
// returns ErrBadStatus (wrapped) if b is not a status byte.
func (s *Status) Apply(n int, b byte) error {
	if n < 1 || n > 4 {
		return fmt.Errorf("escpos: DLE EOT %d is not a status query (1–4)", n)
	}
	if b&statusMask != statusBase {
		return fmt.Errorf("%w (DLE EOT %d answered %#02x)", ErrBadStatus, n, b)
	}
	s.Raw[n-1] = b
	bit := func(mask byte) bool { return b&mask != 0 }
	switch n {
	case 1:
		s.DrawerPin3, s.Offline, s.WaitingRecovery, s.FeedButton = bit(0x04), bit(0x08), bit(0x20), bit(0x40)
	case 2:
		s.CoverOpen, s.FeedingByButton, s.PaperEndStop, s.Error = bit(0x04), bit(0x08), bit(0x20), bit(0x40)
	case 3:
		s.CutterError, s.Unrecoverable, s.AutoRecoverable = bit(0x08), bit(0x20), bit(0x40)
	case 4:
		s.PaperNearEnd, s.PaperOut = bit(0x0C), bit(0x60)
	}
	return nil
}

// Err returns the most important blocking problem, or nil if the printer
// can print. The order is what a person fixes first: an open cover (which
// often also reads as paper out), no paper, a jammed cutter, a broken
// printer, one that is cooling down, an error bit without a cause, and
// last a plain offline flag (which every other cause also raises). A
// paper-near-end warning is not an error: see Warning.
func (s Status) Err() error {
	switch {
	case s.CoverOpen:
		return ErrCoverOpen
	case s.PaperOut || s.PaperEndStop:
		return ErrPaperOut
	case s.CutterError:
		return ErrCutter
	case s.Unrecoverable:
		return ErrUnrecoverable
	case s.AutoRecoverable:
		return ErrHeadHot
	case s.Error:
		return ErrFault
	case s.Offline:
		return ErrOffline
	}
	return nil
}

// Warning returns ErrPaperNearEnd when the roll is nearly used up (and
// nothing worse is wrong), so that the kiosk can call staff before the
// paper runs out; otherwise nil.
func (s Status) Warning() error {
	if s.PaperNearEnd && s.Err() == nil {
		return ErrPaperNearEnd
	}
	return nil
}

// String lists the flags that are set, e.g. "offline, cover open", or
// "ok".
func (s Status) String() string {
	var f []string
	add := func(on bool, name string) {
		if on {
			f = append(f, name)
		}
	}
	add(s.Offline, "offline")
	add(s.WaitingRecovery, "waiting for recovery")
	add(s.FeedButton, "feed button pressed")
	add(s.DrawerPin3, "drawer pin 3 high")
	add(s.CoverOpen, "cover open")
	add(s.FeedingByButton, "feeding by button")
	add(s.PaperEndStop, "stopped at paper end")
	add(s.Error, "error")
	add(s.CutterError, "cutter error")
	add(s.Unrecoverable, "unrecoverable error")
	add(s.AutoRecoverable, "auto-recoverable error")
	add(s.PaperNearEnd, "paper near end")
	add(s.PaperOut, "paper out")
	if len(f) == 0 {
		return "ok"
	}
	return strings.Join(f, ", ")
}
