package kiosk

import (
	"context"
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/devicetest"
	"onestop/hallserver/client"
	"onestop/hallserver/halltest"
)

// screenSize is the size every test window and golden image has: a
// landscape kiosk screen.
var screenSize = fyne.NewSize(1280, 960)

// rig is a kiosk under test: a test app, a real hall server behind
// httptest, and simulated devices on pseudo-terminals driven by the real
// drivers (a card reader, a ticket printer, a scanner) plus an A4 folder.
type rig struct {
	t       *testing.T
	k       *Kiosk
	hall    *halltest.Hall
	client  *client.Client
	card    *devicetest.IDCardSim
	printer *devicetest.PrinterSim
	scanner *devicetest.ScannerSim
	a4dir   string
	cache   string
	dev     *Devices
}

// rigOptions adjust a rig.
type rigOptions struct {
	noDevices bool      // no card reader, printer or scanner
	start     time.Time // the hall clock's start; real time when zero
	config    func(*Config)
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	r := &rig{t: t, hall: halltest.New(t, halltest.Options{Start: o.start}), cache: t.TempDir(), a4dir: t.TempDir()}
	var err error
	r.client, err = client.New(r.hall.URL, client.WithToken(r.hall.KioskToken), client.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Name: "K01", ServerURL: r.hall.URL, DeviceToken: r.hall.KioskToken, IdleSeconds: 3600}
	if !o.noDevices {
		cfg.Devices = r.startSimulators()
	}
	if o.config != nil {
		o.config(&cfg)
	}
	r.dev = OpenDevices(cfg.Devices)
	t.Cleanup(func() { r.dev.Close() })
	for name, err := range r.dev.Problems {
		t.Fatalf("device %s: %v", name, err)
	}
	r.k, err = New(a, Options{Config: cfg, Hall: r.client, Devices: r.dev, CacheDir: r.cache, ProbeEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.k.Stop)
	r.k.Window().Resize(screenSize)
	r.waitFor("the hall server to answer", func() bool { return r.k.Online() })
	return r
}

// startSimulators opens a pseudo-terminal per serial device and runs its
// simulator on the master end; the kiosk opens the other end.
func (r *rig) startSimulators() DeviceConfig {
	ctx, cancel := context.WithCancel(context.Background())
	r.t.Cleanup(cancel)
	pty := func() *devicetest.PTY {
		p, err := devicetest.OpenPTY()
		if err != nil {
			r.t.Skipf("no pseudo-terminals here: %v", err)
		}
		r.t.Cleanup(func() { p.Close() })
		return p
	}
	cardPTY, printerPTY, scannerPTY := pty(), pty(), pty()
	r.card = devicetest.NewIDCardSim(cardPTY.Master, 115200)
	go r.card.Run(ctx)
	r.printer = devicetest.NewPrinterSim(576)
	go r.printer.Serve(printerPTY.Master)
	r.scanner = &devicetest.ScannerSim{W: scannerPTY.Master}
	return DeviceConfig{IDCardPort: cardPTY.Path, PrinterPort: printerPTY.Path, PaperMM: 80,
		A4Folder: r.a4dir, ScannerPort: scannerPTY.Path}
}

// waitFor polls cond (under the UI lock) until it holds, for up to 10 s.
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		r.k.Sync(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("waited 10 s for %s; screen %q shows:\n%s", what, r.screen(), strings.Join(r.texts(), " | "))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// screen is the name of the screen shown.
func (r *rig) screen() string {
	var s string
	r.k.Sync(func() { s = r.k.Screen() })
	return s
}

// waitScreen waits until the screen is name.
func (r *rig) waitScreen(name string) {
	r.t.Helper()
	r.waitFor("screen "+name, func() bool { return r.k.Screen() == name })
}

// tap taps the visible, enabled button whose text contains label.
func (r *rig) tap(label string) {
	r.t.Helper()
	var b *widget.Button
	r.k.Sync(func() { b = findButton(r.k.Window().Content(), label) })
	if b == nil {
		r.t.Fatalf("no enabled button %q on screen %q; texts: %s", label, r.screen(), strings.Join(r.texts(), " | "))
	}
	r.k.Sync(func() { test.Tap(b) })
}

// hasButton reports whether a visible button with the label exists, and
// whether it is enabled.
func (r *rig) hasButton(label string) (found, enabled bool) {
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, label) {
				found, enabled = true, enabled || !b.Disabled()
			}
		})
	})
	return found, enabled
}

// findButton finds a visible, enabled button whose text contains label.
func findButton(root fyne.CanvasObject, label string) *widget.Button {
	var found *widget.Button
	walk(root, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && found == nil && !b.Disabled() && strings.Contains(b.Text, label) {
			found = b
		}
	})
	return found
}

// walk visits every visible object of the tree, widgets' insides too.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			walk(child, visit)
		}
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(c).Objects() {
			walk(child, visit)
		}
	}
}

// texts lists every text on screen: labels, buttons, canvas texts,
// entries, rich text.
func (r *rig) texts() []string {
	var out []string
	r.k.Sync(func() {
		walk(r.k.Window().Content(), func(o fyne.CanvasObject) {
			switch v := o.(type) {
			case *canvas.Text:
				if strings.TrimSpace(v.Text) != "" {
					out = append(out, v.Text)
				}
			case *widget.Entry:
				out = append(out, v.Text)
			}
		})
	})
	return out
}

// shows reports whether some text on screen contains s.
func (r *rig) shows(s string) bool {
	for _, t := range r.texts() {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// waitText waits until some text on screen contains s.
func (r *rig) waitText(s string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !r.shows(s) {
		if time.Now().After(deadline) {
			r.t.Fatalf("waited 10 s for %q on screen %q; it shows:\n%s", s, r.screen(), strings.Join(r.texts(), " | "))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// capture renders the window as the test driver draws it.
func (r *rig) capture() image.Image {
	var img image.Image
	r.k.Sync(func() { img = r.k.Window().Canvas().Capture() })
	return img
}

// golden compares the window with testdata/name.png. A first run, or a
// changed screen, writes testdata/failed/name.png: look at it, and move
// it to testdata/ when it is right.
func (r *rig) golden(name string) {
	r.t.Helper()
	if !test.AssertImageMatches(r.t, name+".png", r.capture()) {
		r.t.Logf("look at testdata/failed/%s.png", name)
	}
}

// placeCard puts sample card i on the simulated reader and waits for the
// kiosk to have read it.
func (r *rig) placeCard(i int) {
	r.t.Helper()
	c := devicetest.IDCardSamples()[i]
	r.card.PlaceCard(c)
	r.waitFor(fmt.Sprintf("card %s to be read", c.IDNumber), func() bool {
		return r.k.session.Card != nil && r.k.session.Card.IDNumber == c.IDNumber
	})
}
