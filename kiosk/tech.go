package kiosk

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/idcard"
	"onestop/hallserver/auth"
)

// Technician mode (终端维护): a hidden entry — the hall's name in the header
// tapped techTaps times within techTapWindow — then the technician PIN
// (Config.TechnicianPIN, an argon2id hash set with `kiosk --set-pin`) on
// the kiosk's keypad. Without a PIN the mode stays locked. Inside: the
// devices' status and tests (tech_devices.go), the ports and printers
// (tech_settings.go), the hall server's address and enrollment
// (tech_server.go). Leaving, Home and the idle timeout return home and
// lock it again: being let in is not remembered anywhere but in the
// pages' history, which goHome and endSession clear.

// The hidden entry and the PIN's lockout.
const (
	techTaps        = 5
	techTapWindow   = 3 * time.Second
	techMaxFailures = 5               // wrong PINs in a row before a lockout
	techLockout     = 5 * time.Minute // how long it lasts
)

// techState is what the kiosk remembers for technician mode between
// screens: the taps of the hidden entry, wrong PINs, and the devices'
// health as the heartbeat last saw it. Fields read by the heartbeat
// goroutine are written under the UI lock (k.do callbacks, Sync).
type techState struct {
	taps       []time.Time
	failures   int
	lockedTill time.Time

	// cardErr is why the card reader's last poll failed (nil once a
	// poll worked), for the heartbeat.
	cardErr error
	// lastBeat is when the hall server last accepted a heartbeat;
	// beatErr why the last one failed (nil if it did not).
	lastBeat time.Time
	beatErr  error
}

// noteCard records whether the card reader's last poll worked.
func (s *techState) noteCard(ev idcard.Event) {
	if ev.Kind == idcard.EventError {
		s.cardErr = ev.Err
		return
	}
	s.cardErr = nil
}

// techEntry wraps the header's title so that techTaps taps within
// techTapWindow open technician mode. It looks exactly like the title.
func (k *Kiosk) techEntry(title fyne.CanvasObject) fyne.CanvasObject {
	return newTapArea(title, k.techTap)
}

// techTap counts a tap on the hall's name.
func (k *Kiosk) techTap() {
	k.touch()
	now := k.now()
	taps := k.tech.taps[:0]
	for _, t := range k.tech.taps {
		if now.Sub(t) < techTapWindow {
			taps = append(taps, t)
		}
	}
	k.tech.taps = append(taps, now)
	if len(k.tech.taps) >= techTaps {
		k.tech.taps = nil
		k.openTech()
	}
}

// OpenTech opens technician mode's PIN screen (as the hidden entry does).
func (k *Kiosk) OpenTech() { k.openTech() }

// openTech shows the PIN screen.
func (k *Kiosk) openTech() {
	if k.current.name == "tech_pin" {
		return
	}
	f := &techFlow{k: k}
	k.show(page{"tech_pin", f.pinScreen})
}

// techFlow is one visit to technician mode: the PIN typed, and what the
// screens inside show (device test results, settings being edited). It
// lives only in the pages it builds.
type techFlow struct {
	k        *Kiosk
	pin      string
	checking bool

	devices  *techDevices  // tech_devices.go
	settings *techSettings // tech_settings.go
	server   *techServer   // tech_server.go
}

// redraw shows a changed flow on screen if the page name is still shown
// (an answer may come back after the technician has moved on).
func (f *techFlow) redraw(name string) {
	if f.k.current.name == name {
		f.k.render()
	}
}

// pinScreen asks for the technician PIN, or says the mode is locked.
func (f *techFlow) pinScreen() fyne.CanvasObject {
	k := f.k
	title := k.heading(k.T("tech.pin_title"))
	if k.cfg.TechnicianPIN == "" {
		return container.NewVScroll(container.NewPadded(container.NewVBox(title, k.para(k.T("tech.pin_unset")))))
	}
	pad := k.keypad(DigitKeys, auth.MaxPINLength, true, func(v string) { f.pin = v })
	pad.Type(f.pin)
	ok := k.button(k.T("tech.pin_ok"), theme.ConfirmIcon(), true, f.checkPIN)
	if f.checking {
		ok.SetText(k.T("tech.pin_checking"))
		ok.Disable()
	}
	prompt := k.text(k.T("tech.pin_prompt"), k.theme.sizes.SubHeading, false, colText)
	prompt.Alignment = fyne.TextAlignCenter
	form := container.NewVBox(prompt, pad.Object(), k.target(ok))
	return container.NewVScroll(container.NewPadded(container.NewVBox(title,
		container.NewGridWithColumns(3, layout.NewSpacer(), form, layout.NewSpacer()))))
}

// checkPIN checks the typed PIN against the hash (argon2id takes a
// moment, so off the UI thread) and lets the technician in, or counts a
// failure: techMaxFailures in a row lock the screen for techLockout.
func (f *techFlow) checkPIN() {
	k := f.k
	if f.checking {
		return
	}
	if now := k.now(); now.Before(k.tech.lockedTill) {
		mins := int(k.tech.lockedTill.Sub(now).Minutes()) + 1
		k.banner.show(k.T("tech.pin_locked_out", map[string]int{"Minutes": mins}), bannerError)
		return
	}
	pin, hash := f.pin, k.cfg.TechnicianPIN
	f.pin, f.checking = "", true
	f.redraw("tech_pin")
	var ok bool
	k.goAsync(func(context.Context) error {
		var err error
		ok, err = auth.CheckPassword(hash, pin)
		return err
	}, func(err error) {
		f.checking = false
		if k.current.name != "tech_pin" {
			return // the technician left the PIN screen while it was checked
		}
		if err == nil && ok {
			k.tech.failures = 0
			k.replace(page{"tech_menu", f.menuScreen})
			return
		}
		f.redraw("tech_pin")
		k.tech.failures++
		if k.tech.failures >= techMaxFailures {
			k.tech.failures = 0
			k.tech.lockedTill = k.now().Add(techLockout)
			k.banner.show(k.T("tech.pin_locked_out", map[string]int{"Minutes": int(techLockout.Minutes())}), bannerError)
			return
		}
		k.banner.show(k.T("tech.pin_wrong"), bannerError)
	})
}

// menuScreen is technician mode's first screen: what this kiosk is and
// where it connects, and the ways in.
func (f *techFlow) menuScreen() fyne.CanvasObject {
	k := f.k
	none := k.T("tech.none")
	name, server := orText(k.cfg.Name, none), orText(k.cfg.ServerURL, none)
	enrolled := k.T("tech.not_enrolled")
	if k.cfg.DeviceToken != "" {
		enrolled = k.T("tech.enrolled_yes")
	}
	online := k.T("tech.offline")
	if k.online {
		online = k.T("tech.online")
	}
	facts := container.NewVBox(
		k.para(k.T("tech.menu_kiosk", map[string]string{"Name": name})),
		k.para(k.T("tech.menu_server_url", map[string]string{"URL": server})),
		k.para(enrolled+" · "+online),
		k.para(f.heartbeatText()),
	)
	buttons := container.NewGridWithColumns(2,
		k.bigButton(k.T("tech.menu_devices"), theme.ComputerIcon(), true, func() { k.show(page{"tech_devices", f.devicesScreen}) }),
		k.bigButton(k.T("tech.menu_settings"), theme.SettingsIcon(), false, func() { k.show(page{"tech_settings", f.settingsScreen}) }),
		k.bigButton(k.T("tech.menu_server"), theme.StorageIcon(), false, func() { k.show(page{"tech_server", f.serverScreen}) }),
		k.bigButton(k.T("tech.menu_exit"), theme.LogoutIcon(), false, k.goHome),
	)
	return container.NewVScroll(container.NewPadded(container.NewVBox(k.heading(k.T("tech.menu_title")), facts, buttons)))
}

// heartbeatText says how the last heartbeat went.
func (f *techFlow) heartbeatText() string {
	k := f.k
	switch {
	case k.tech.beatErr != nil:
		return k.T("tech.heartbeat_failed", map[string]string{"Error": k.errDetail(k.tech.beatErr)})
	case k.tech.lastBeat.IsZero():
		return k.T("tech.heartbeat_none")
	}
	return k.T("tech.heartbeat_ok")
}

func orText(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// tapArea shows its content and reports taps on it: the header's title,
// which is also technician mode's hidden entry.
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	tapped  func()
}

func newTapArea(content fyne.CanvasObject, tapped func()) *tapArea {
	t := &tapArea{content: content, tapped: tapped}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped implements fyne.Tappable.
func (t *tapArea) Tapped(*fyne.PointEvent) { t.tapped() }

// CreateRenderer draws the content, laid out over the whole area.
func (t *tapArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }
