package kiosk

import (
	"context"
	"errors"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/a4"
	"onestop/devices/escpos"
	"onestop/devices/idcard"
	"onestop/hallserver/api"
)

// The technician's device screen: each configured device with its port,
// its health (as the heartbeat reports it) and a test — read a card,
// print a test slip, print the A4 test page, scan a code.

// techDevices is what the device screen shows.
type techDevices struct {
	checking bool
	checks   int                     // health checks started: only the latest answer counts
	reports  map[string]deviceReport // by device, from the latest check
	results  map[string]techResult   // the latest test of each device
}

// techResult is a test's outcome in words.
type techResult struct {
	text string
	ok   bool
	busy bool
}

// techDevice is one row of the device screen.
type techDevice struct {
	name   string // api.Device…
	label  string // translation id
	target string // its port or printer, in words; "" when not configured
	test   string // the test button's translation id
	run    func()
}

// devicesScreen lists the devices with their health and a test each. A
// card placed or a code scanned while it shows is a test read.
func (f *techFlow) devicesScreen() fyne.CanvasObject {
	k := f.k
	if f.devices == nil {
		f.devices = &techDevices{reports: map[string]deviceReport{}, results: map[string]techResult{}}
		f.checkDevices()
	}
	k.onCard = f.cardRead
	k.onScan = f.scanned
	rows := container.NewVBox()
	for i, d := range f.deviceRows() {
		if i > 0 {
			rows.Add(widget.NewSeparator())
		}
		rows.Add(f.deviceRow(d))
	}
	refresh := k.bigButton(k.T("tech.refresh"), theme.ViewRefreshIcon(), false, f.checkDevices)
	top := container.NewBorder(nil, nil, nil, refresh, k.heading(k.T("tech.devices_title")))
	return container.NewVScroll(container.NewPadded(container.NewVBox(top, rows)))
}

// deviceRows are the kiosk's four kinds of device, configured or not.
func (f *techFlow) deviceRows() []techDevice {
	k, c := f.k, f.k.cfg.Devices
	port := func(p string) string {
		if p == "" {
			return ""
		}
		return k.T("tech.port", map[string]string{"Port": p})
	}
	a4 := ""
	switch {
	case c.A4Queue != "":
		a4 = k.T("tech.a4_cups_target", map[string]string{"Queue": c.A4Queue})
	case c.A4Folder != "":
		a4 = k.T("tech.a4_folder_target", map[string]string{"Dir": c.A4Folder})
	}
	return []techDevice{
		{api.DeviceIDCard, "tech.device_idcard", port(c.IDCardPort), "tech.test_idcard", f.testCard},
		{api.DevicePrinter, "tech.device_printer", port(c.PrinterPort), "tech.test_printer", f.testSlip},
		{api.DeviceA4, "tech.device_a4", a4, "tech.test_a4", f.testPage},
		{api.DeviceScanner, "tech.device_scanner", port(c.ScannerPort), "tech.test_scanner", f.testScan},
	}
}

// deviceRow is a device's name and port on the left, its health and last
// test in the middle, and its test button on the right.
func (f *techFlow) deviceRow(d techDevice) fyne.CanvasObject {
	k, s := f.k, f.devices
	name := k.text(k.T(d.label), k.theme.sizes.SubHeading, true, colText)
	left := container.NewVBox(name)
	if d.target != "" {
		left.Add(k.text(d.target, k.theme.sizes.Caption, false, colMuted))
	}
	text, importance := f.stateText(d)
	state := k.para(text)
	state.Importance = importance
	status := container.NewVBox(state)
	if r, ok := s.results[d.name]; ok {
		res := k.para(r.text)
		if !r.ok && !r.busy {
			res.Importance = widget.DangerImportance
		}
		status.Add(res)
	}
	var test fyne.CanvasObject = layout.NewSpacer()
	if d.target != "" {
		b := k.button(k.T(d.test), theme.MediaPlayIcon(), false, d.run)
		if s.results[d.name].busy {
			b.Disable()
		}
		test = k.target(b)
	}
	return container.New(&columns{fracs: []float32{0.3, 0.45, 0.25}, gap: k.theme.sizes.Padding * 2}, left, status, test)
}

// columns lays out objects side by side in fractions of the width, as
// tall as the tallest: the rows of the device screen line up.
type columns struct {
	fracs []float32
	gap   float32
}

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	free := size.Width - c.gap*float32(len(objs)-1)
	for i, o := range objs {
		w := free * c.fracs[i]
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + c.gap
	}
}

func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		m := o.MinSize()
		w = max(w, m.Width/c.fracs[i])
		h = max(h, m.Height)
	}
	return fyne.NewSize(w+c.gap*float32(len(objs)-1), h)
}

// stateText is a device's health in words, and how it stands out.
func (f *techFlow) stateText(d techDevice) (string, widget.Importance) {
	k, s := f.k, f.devices
	if d.target == "" {
		return k.T("tech.state_absent"), widget.LowImportance
	}
	r, ok := s.reports[d.name]
	if !ok {
		return k.T("tech.state_checking"), widget.LowImportance
	}
	problem := r.Problem
	if k.lang == Chinese && r.Zh != "" {
		problem = r.Zh
	}
	switch r.State {
	case api.DeviceOK:
		return k.T("tech.state_ok"), widget.SuccessImportance
	case api.DeviceWarning:
		return k.T("tech.state_warning", map[string]string{"Problem": problem}), widget.WarningImportance
	}
	return k.T("tech.state_problem", map[string]string{"Problem": problem}), widget.DangerImportance
}

// checkDevices asks every device for its health (status queries take a
// moment, so off the UI thread).
func (f *techFlow) checkDevices() {
	k, s := f.k, f.devices
	s.checks++
	n, cfg, cardErr := s.checks, k.cfg.Devices, k.tech.cardErr
	var reports []deviceReport
	k.goAsync(func(ctx context.Context) error {
		reports = k.deviceHealth(ctx, cfg, cardErr)
		return nil
	}, func(error) {
		if n != s.checks {
			return
		}
		s.reports = map[string]deviceReport{}
		for _, r := range reports {
			s.reports[r.Device] = r
		}
		f.redraw("tech_devices")
	})
}

// setResult shows a test's outcome on the device's row.
func (f *techFlow) setResult(device string, r techResult) {
	f.devices.results[device] = r
	f.redraw("tech_devices")
}

// testCard waits for a card: cardRead shows what it read.
func (f *techFlow) testCard() {
	f.setResult(api.DeviceIDCard, techResult{text: f.k.T("tech.test_card_wait"), ok: true})
}

// cardRead shows a card read on the device screen, masked as everywhere.
// A technician's test card starts no citizen session: taking it away
// does not end technician mode.
func (f *techFlow) cardRead(c idcard.Card) {
	k := f.k
	k.session.Card = nil
	f.setResult(api.DeviceIDCard, techResult{ok: true, text: k.T("tech.test_card_ok",
		map[string]string{"Name": idcard.MaskName(c.Name + c.NameEn), "ID": idcard.MaskIDNumber(c.IDNumber)})})
}

// testScan waits for a scanned code: scanned shows it.
func (f *techFlow) testScan() {
	f.setResult(api.DeviceScanner, techResult{text: f.k.T("tech.test_scan_wait"), ok: true})
}

// scanned shows a code scanned on the device screen (its start only).
func (f *techFlow) scanned(text string) {
	if r := []rune(text); len(r) > 60 {
		text = string(r[:59]) + "…"
	}
	f.setResult(api.DeviceScanner, techResult{ok: true, text: f.k.T("tech.test_scan_ok", map[string]string{"Text": text})})
}

// testSlip prints a test slip laid out like a real one, then checks the
// devices again (the printer's paper may have run out).
func (f *techFlow) testSlip() {
	k := f.k
	if k.dev.Slips == nil {
		f.setResult(api.DevicePrinter, techResult{text: k.T("tech.test_failed", map[string]string{"Error": f.notOpen(api.DevicePrinter)})})
		return
	}
	name := orText(k.cfg.Name, "-")
	slip := escpos.Slip{
		Hall: orText(k.hallInfo.Name, k.T("app.title")) + " " + k.T("tech.test_slip_title"), Queue: k.T("tech.test_slip_queue"),
		QueueEn: "Test", Number: "T000", Ahead: 3, Wait: 12 * time.Minute, IssuedAt: k.now(),
		URL:  "https://onestop.invalid/t/printer-test",
		Note: k.T("tech.test_slip_note", map[string]string{"Name": name}),
	}
	f.setResult(api.DevicePrinter, techResult{text: k.T("tech.testing"), busy: true})
	var st escpos.Status
	k.goAsync(func(context.Context) error {
		var err error
		st, err = k.dev.Slips.PrintSlip(slip)
		return err
	}, func(err error) {
		f.setResult(api.DevicePrinter, f.slipResult(st, err))
		f.checkDevices()
	})
}

// slipResult says how a test slip went, in the printer's own words.
func (f *techFlow) slipResult(st escpos.Status, err error) techResult {
	k := f.k
	var p *escpos.Problem
	words := func(p *escpos.Problem) string {
		if k.lang == Chinese {
			return p.Zh
		}
		return p.En
	}
	switch {
	case errors.As(err, &p):
		return techResult{text: k.T("tech.test_failed", map[string]string{"Error": words(p)})}
	case err != nil:
		return techResult{text: k.T("tech.test_failed", map[string]string{"Error": err.Error()})}
	case errors.As(st.Warning(), &p):
		return techResult{ok: true, text: k.T("tech.test_slip_warning", map[string]string{"Problem": words(p)})}
	}
	return techResult{ok: true, text: k.T("tech.test_slip_ok")}
}

// testPage prints the A4 test page (devicectl's) on the A4 printer.
func (f *techFlow) testPage() {
	k := f.k
	if k.dev.Pages == nil {
		f.setResult(api.DeviceA4, techResult{text: k.T("tech.test_failed", map[string]string{"Error": f.notOpen(api.DeviceA4)})})
		return
	}
	target := f.deviceRows()[2].target
	now := k.now().In(idcard.ChinaTime)
	f.setResult(api.DeviceA4, techResult{text: k.T("tech.testing"), busy: true})
	var job a4.Job
	k.goAsync(func(ctx context.Context) error {
		host, _ := os.Hostname()
		pdf, err := a4.TestPage(host, target, now)
		if err != nil {
			return err
		}
		job, err = k.dev.Pages.Print(ctx, pdf, "OneStop 打印测试页")
		return err
	}, func(err error) {
		if err != nil {
			f.setResult(api.DeviceA4, techResult{text: k.T("tech.test_failed", map[string]string{"Error": err.Error()})})
		} else {
			f.setResult(api.DeviceA4, techResult{ok: true, text: k.T("tech.test_page_ok", map[string]string{"Job": orText(job.Path, job.ID)})})
		}
		f.checkDevices()
	})
}

// notOpen says why a configured device cannot be tested.
func (f *techFlow) notOpen(device string) string {
	if err := f.k.dev.Problems[device]; err != nil {
		return err.Error()
	}
	return "not open: restart the kiosk"
}
