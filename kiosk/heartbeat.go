package kiosk

import (
	"context"
	"errors"
	"strings"
	"time"

	"onestop/devices/escpos"
	"onestop/hallserver/api"
)

// The heartbeat: every HeartbeatEvery (api.KioskHeartbeatEvery, 30 s) the
// kiosk tells the hall server it is alive, with its version and each
// configured device's health, so that technicians see at the hall which
// kiosk is silent or out of paper. The technician screen shows the same
// health (tech_devices.go).

// heartbeater is a Hall that takes heartbeats (*client.Client does).
type heartbeater interface {
	Heartbeat(ctx context.Context, hb api.KioskHeartbeat) error
}

// errNotEnrolled: no hall server client yet, so no heartbeat.
var errNotEnrolled = errors.New("kiosk: not enrolled: no hall server to send the heartbeat to")

// sendHeartbeats sends a heartbeat at once and then every HeartbeatEvery
// until the kiosk stops.
func (k *Kiosk) sendHeartbeats() {
	every := k.opts.HeartbeatEvery
	if every <= 0 {
		every = api.KioskHeartbeatEvery
	}
	for {
		k.heartbeat()
		select {
		case <-k.ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// HeartbeatNow sends a heartbeat at once and says whether the hall server
// took it (tests; the technician screen).
func (k *Kiosk) HeartbeatNow() error { return k.heartbeat() }

// heartbeat checks the devices and sends one heartbeat. Its outcome is
// kept for the technician's menu.
func (k *Kiosk) heartbeat() error {
	k.mu.Lock()
	hall, cfg, cardErr := k.hallNow(), k.cfg.Devices, k.tech.cardErr
	k.mu.Unlock()
	h, ok := hall.(heartbeater)
	if !ok {
		return errNotEnrolled
	}
	ctx, cancel := context.WithTimeout(k.ctx, 10*time.Second)
	defer cancel()
	var devices []api.DeviceHealth
	for _, r := range k.deviceHealth(ctx, cfg, cardErr) {
		devices = append(devices, r.DeviceHealth)
	}
	err := h.Heartbeat(ctx, api.KioskHeartbeat{AppVersion: k.opts.Version, Devices: devices})
	k.mu.Lock()
	if err == nil {
		k.tech.lastBeat = k.now()
	}
	k.tech.beatErr = err
	k.mu.Unlock()
	return err
}

// deviceReport is one device's health: as the heartbeat sends it (the
// problem in English, for the technician), with the problem in Chinese
// when the device gives one (the ticket printer does).
type deviceReport struct {
	api.DeviceHealth
	Zh string
}

// maxProblemText is the longest problem text the hall server takes.
const maxProblemText = 200

func report(device, state, problem, zh string) deviceReport {
	if r := []rune(problem); len(r) > maxProblemText {
		problem = string(r[:maxProblemText-1]) + "…"
	}
	return deviceReport{api.DeviceHealth{Device: device, State: state, Problem: problem}, zh}
}

func problemReport(device string, err error) deviceReport {
	var p *escpos.Problem
	if errors.As(err, &p) {
		return report(device, api.DeviceProblem, p.En, p.Zh)
	}
	return report(device, api.DeviceProblem, err.Error(), "")
}

// deviceHealth checks each configured device: those that failed to open,
// the ticket printer's and the A4 printer's status, and the card reader's
// last poll (cardErr). Devices the configuration does not name are left
// out. It may take a moment (status queries): call it off the UI thread.
func (k *Kiosk) deviceHealth(ctx context.Context, cfg DeviceConfig, cardErr error) []deviceReport {
	var out []deviceReport
	check := func(name string, configured bool, open bool, status func() deviceReport) {
		switch {
		case !configured:
		case k.dev.Problems[name] != nil:
			out = append(out, problemReport(name, k.dev.Problems[name]))
		case !open:
			out = append(out, report(name, api.DeviceProblem, "not open: restart the kiosk", ""))
		default:
			out = append(out, status())
		}
	}
	check(api.DeviceIDCard, cfg.IDCardPort != "", k.dev.Cards != nil, func() deviceReport {
		if cardErr != nil {
			return report(api.DeviceIDCard, api.DeviceProblem, "the reader does not answer polls: "+cardErr.Error(), "")
		}
		return report(api.DeviceIDCard, api.DeviceOK, "", "")
	})
	check(api.DevicePrinter, cfg.PrinterPort != "", k.dev.Slips != nil, func() deviceReport {
		st, err := k.dev.Slips.Status()
		if err == nil {
			err = st.Err()
		}
		if err != nil {
			return problemReport(api.DevicePrinter, err)
		}
		var w *escpos.Problem
		if errors.As(st.Warning(), &w) {
			return report(api.DevicePrinter, api.DeviceWarning, w.En, w.Zh)
		}
		return report(api.DevicePrinter, api.DeviceOK, "", "")
	})
	check(api.DeviceA4, cfg.A4Queue != "" || cfg.A4Folder != "", k.dev.Pages != nil, func() deviceReport {
		st, err := k.dev.Pages.Status(ctx)
		switch {
		case err != nil:
			return problemReport(api.DeviceA4, err)
		case !st.Ready():
			return report(api.DeviceA4, api.DeviceProblem, "disabled: "+orText(strings.TrimSpace(st.Reason), "no reason given"), "")
		}
		return report(api.DeviceA4, api.DeviceOK, "", "")
	})
	check(api.DeviceScanner, cfg.ScannerPort != "", k.dev.Scans != nil, func() deviceReport {
		return report(api.DeviceScanner, api.DeviceOK, "", "")
	})
	return out
}
