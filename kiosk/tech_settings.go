package kiosk

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/serialport"
)

// The technician's settings screen: which serial port each device is on
// (from the ports this machine has), at what speed, the ticket paper's
// width and where A4 documents go. Saving writes the configuration file;
// the devices are opened anew when the kiosk restarts.

// techSettings is the settings being edited and the ports found.
type techSettings struct {
	dev      DeviceConfig
	ports    []serialport.Info
	portsErr error
	a4Mode   string // a4None, a4Folder or a4CUPS
	saved    bool
}

// A4 output choices.
const (
	a4None   = "none"
	a4Folder = "folder"
	a4CUPS   = "cups"
)

// bauds are the speeds offered; the drivers' defaults are 115200 (card
// reader) and 9600 (printer, scanner).
var bauds = []int{9600, 19200, 38400, 57600, 115200}

// settingsScreen edits the device settings.
func (f *techFlow) settingsScreen() fyne.CanvasObject {
	k := f.k
	if f.settings == nil {
		s := &techSettings{dev: k.cfg.Devices, a4Mode: a4None}
		switch {
		case s.dev.A4Queue != "":
			s.a4Mode = a4CUPS
		case s.dev.A4Folder != "":
			s.a4Mode = a4Folder
		}
		f.settings = s
		f.scanPorts()
	}
	s := f.settings
	rescan := k.bigButton(k.T("tech.rescan"), theme.ViewRefreshIcon(), false, func() { f.scanPorts(); f.redraw("tech_settings") })
	ports := container.NewBorder(nil, nil, nil, rescan, f.portList())
	form := container.New(&formLayout{k: k},
		f.label("tech.device_idcard"), f.serialRow(&s.dev.IDCardPort, &s.dev.IDCardBaud, 115200),
		f.label("tech.device_printer"), f.serialRow(&s.dev.PrinterPort, &s.dev.PrinterBaud, 9600),
		f.label("tech.paper"), f.paperRow(),
		f.label("tech.device_scanner"), f.serialRow(&s.dev.ScannerPort, &s.dev.ScannerBaud, 9600),
		f.label("tech.a4_output"), f.a4Row(),
	)
	actions := container.NewHBox(k.bigButton(k.T("tech.save"), theme.DocumentSaveIcon(), true, f.saveSettings))
	if s.saved && k.opts.Restart != nil {
		actions.Add(k.bigButton(k.T("tech.restart"), theme.ViewRefreshIcon(), false, k.opts.Restart))
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		k.heading(k.T("tech.settings_title")), ports, widget.NewSeparator(), form, actions)))
}

// scanPorts lists the serial ports again.
func (f *techFlow) scanPorts() {
	f.settings.ports, f.settings.portsErr = serialport.List()
}

// portList shows the ports found with what is known of each device.
func (f *techFlow) portList() fyne.CanvasObject {
	k, s := f.k, f.settings
	switch {
	case s.portsErr != nil:
		return k.para(k.T("tech.ports_failed", map[string]string{"Error": s.portsErr.Error()}))
	case len(s.ports) == 0:
		return k.para(k.T("tech.ports_none"))
	}
	box := container.NewVBox(k.text(k.T("tech.ports_found"), k.theme.sizes.Text, true, colText))
	for _, p := range s.ports {
		about := []string{p.Path}
		if p.Driver != "" {
			about = append(about, p.Driver)
		}
		if p.VendorID != "" {
			about = append(about, "USB "+p.VendorID+":"+p.ProductID)
		}
		if d := strings.TrimSpace(p.Manufacturer + " " + p.Product); d != "" {
			about = append(about, d)
		}
		box.Add(k.text(strings.Join(about, " · "), k.theme.sizes.Caption, false, colMuted))
	}
	return box
}

func (f *techFlow) label(id string) fyne.CanvasObject {
	return f.k.text(f.k.T(id), f.k.theme.sizes.Text, true, colText)
}

// portChoices are the choices for a device's port: none, each port found
// (by its stable /dev/serial/by-id name when it has one) and the port
// configured now, if it was not found (a symlink, a pseudo-terminal).
func (f *techFlow) portChoices(current string) []string {
	choices := []string{f.k.T("tech.port_none")}
	for _, p := range f.settings.ports {
		name := p.Path
		if len(p.ByID) > 0 {
			name = p.ByID[0]
		}
		choices = append(choices, name)
	}
	if current != "" && !slices.Contains(choices, current) {
		choices = append(choices, current)
	}
	return choices
}

// serialRow chooses a serial device's port and speed.
func (f *techFlow) serialRow(port *string, baud *int, def int) fyne.CanvasObject {
	k := f.k
	none := k.T("tech.port_none")
	ports := widget.NewSelect(f.portChoices(*port), func(v string) {
		if v == none {
			v = ""
		}
		*port = v
	})
	ports.SetSelected(orText(*port, none))
	var speeds []string
	for _, b := range bauds {
		speeds = append(speeds, strconv.Itoa(b))
	}
	speed := widget.NewSelect(speeds, func(v string) { *baud, _ = strconv.Atoi(v) })
	b := *baud
	if b == 0 {
		b = def
	}
	speed.SetSelected(strconv.Itoa(b))
	return container.NewBorder(nil, nil, nil,
		container.NewHBox(k.text(k.T("tech.baud"), k.theme.sizes.Text, false, colMuted), k.target(speed)),
		k.target(ports))
}

// paperRow chooses the ticket paper's width.
func (f *techFlow) paperRow() fyne.CanvasObject {
	s := f.settings
	paper := widget.NewSelect([]string{"58 mm", "80 mm"}, func(v string) {
		s.dev.PaperMM, _ = strconv.Atoi(strings.TrimSuffix(v, " mm"))
	})
	mm := s.dev.PaperMM
	if mm == 0 {
		mm = 80
	}
	paper.SetSelected(strconv.Itoa(mm) + " mm")
	return container.NewHBox(f.k.target(paper))
}

// a4Row chooses where A4 documents go: nowhere, a folder or a CUPS queue
// (typed with a keyboard: a technician brings one).
func (f *techFlow) a4Row() fyne.CanvasObject {
	k, s := f.k, f.settings
	modes := map[string]string{a4None: k.T("tech.a4_none"), a4Folder: k.T("tech.a4_folder"), a4CUPS: k.T("tech.a4_cups")}
	mode := widget.NewSelect([]string{modes[a4None], modes[a4Folder], modes[a4CUPS]}, func(v string) {
		for m, label := range modes {
			if label == v && m != s.a4Mode {
				s.a4Mode = m
				f.redraw("tech_settings")
			}
		}
	})
	mode.SetSelected(modes[s.a4Mode])
	row := container.NewBorder(nil, nil, k.target(mode), nil)
	switch s.a4Mode {
	case a4Folder:
		e := widget.NewEntry()
		e.SetPlaceHolder(k.T("tech.a4_folder_hint"))
		e.SetText(s.dev.A4Folder)
		e.OnChanged = func(v string) { s.dev.A4Folder = strings.TrimSpace(v) }
		row.Add(k.target(e))
	case a4CUPS:
		e := widget.NewEntry()
		e.SetPlaceHolder(k.T("tech.a4_cups_hint"))
		e.SetText(s.dev.A4Queue)
		e.OnChanged = func(v string) { s.dev.A4Queue = strings.TrimSpace(v) }
		row.Add(k.target(e))
	}
	return row
}

// saveSettings checks the settings and writes the configuration file (or
// keeps them in memory when the kiosk has none). The open devices stay as
// they are until the kiosk restarts.
func (f *techFlow) saveSettings() {
	k, s := f.k, f.settings
	cfg := k.cfg
	cfg.Devices = s.dev
	switch s.a4Mode {
	case a4None:
		cfg.Devices.A4Folder, cfg.Devices.A4Queue, cfg.Devices.A4Server = "", "", ""
	case a4Folder:
		cfg.Devices.A4Queue, cfg.Devices.A4Server = "", ""
	case a4CUPS:
		cfg.Devices.A4Folder = ""
	}
	if err := cfg.Validate(); err != nil {
		k.banner.show(k.T("tech.save_failed", map[string]string{"Error": err.Error()}), bannerError)
		return
	}
	path := k.opts.ConfigPath
	k.goAsync(func(context.Context) error {
		if path == "" {
			return nil
		}
		return cfg.Save(path)
	}, func(err error) {
		if err != nil {
			k.banner.show(k.T("tech.save_failed", map[string]string{"Error": err.Error()}), bannerError)
			return
		}
		k.cfg.Devices = cfg.Devices
		s.saved = true
		f.redraw("tech_settings")
		if path == "" {
			k.banner.show(k.T("tech.saved_memory"), bannerInfo)
			return
		}
		k.banner.show(k.T("tech.saved"), bannerSuccess)
	})
}

// formLayout lays out label, field pairs in two columns: labels as wide
// as the widest, fields taking the rest.
type formLayout struct{ k *Kiosk }

func (l *formLayout) labelWidth(objs []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i < len(objs); i += 2 {
		w = max(w, objs[i].MinSize().Width)
	}
	return w
}

func (l *formLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := l.k.theme.sizes.Padding * 2
	lw := l.labelWidth(objs)
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y+(h-objs[i].MinSize().Height)/2))
		objs[i].Resize(fyne.NewSize(lw, objs[i].MinSize().Height))
		objs[i+1].Move(fyne.NewPos(lw+pad, y))
		objs[i+1].Resize(fyne.NewSize(size.Width-lw-pad, h))
		y += h + pad
	}
}

func (l *formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := l.k.theme.sizes.Padding * 2
	lw := l.labelWidth(objs)
	var w, h float32
	for i := 0; i+1 < len(objs); i += 2 {
		w = max(w, lw+pad+objs[i+1].MinSize().Width)
		h += max(objs[i].MinSize().Height, objs[i+1].MinSize().Height) + pad
	}
	return fyne.NewSize(w, max(h-pad, 0))
}
