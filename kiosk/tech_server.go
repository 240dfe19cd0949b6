package kiosk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// The technician's server screen: the hall server's address, and
// enrollment with a one-time code from `hallctl kiosk enroll-code` (or
// the API). Enrolling gives the kiosk its device token: it is saved in
// the configuration file and the kiosk talks to the hall with it at once.

// techServer is the address and code being typed.
type techServer struct {
	address  string // host:port (or a whole URL) typed on the address keypad
	editing  bool   // the address keypad is shown
	code     string
	busy     bool
	enrolled string // the name of the last enrollment made here
}

// addressKeys type a server address: digits, dots and a colon first;
// letters for host names.
const addressKeys = "1234567890.:-/QWERTYUIOPASDFGHJKLZXCVBNM"

// enrollCodeDigits is the length of an enrollment code (three groups of
// four digits; spaces and dashes do not count).
const enrollCodeDigits = 12

// serverScreen shows the address and the enrollment code keypad, or the
// address keypad while the address is being changed.
func (f *techFlow) serverScreen() fyne.CanvasObject {
	k := f.k
	if f.server == nil {
		f.server = &techServer{address: strings.TrimPrefix(k.cfg.ServerURL, "http://")}
	}
	s := f.server
	title := k.heading(k.T("tech.server_title"))
	if s.editing {
		return container.NewVScroll(container.NewPadded(container.NewVBox(title, f.addressPanel())))
	}
	address, err := serverURL(s.address)
	if err != nil {
		address = k.T("tech.none")
	}
	change := k.bigButton(k.T("tech.server_change"), theme.DocumentCreateIcon(), false, func() {
		s.editing = true
		f.redraw("tech_server")
	})
	row := container.NewBorder(nil, nil, nil, change,
		k.text(k.T("tech.server_address", map[string]string{"URL": address}), k.theme.sizes.SubHeading, true, colText))
	state := k.T("tech.not_enrolled_yet")
	if k.cfg.DeviceToken != "" {
		state = k.T("tech.enrolled_as", map[string]string{"Name": orText(k.cfg.Name, "?")})
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(title, row, k.para(state), f.enrollPanel())))
}

// addressPanel types the server's address.
func (f *techFlow) addressPanel() fyne.CanvasObject {
	k, s := f.k, f.server
	typed := s.address
	pad := k.keypad(addressKeys, 80, false, func(v string) { typed = v })
	pad.Type(s.address)
	use := k.bigButton(k.T("tech.address_ok"), theme.ConfirmIcon(), true, func() {
		if _, err := serverURL(typed); err != nil {
			k.banner.show(k.T("tech.address_bad"), bannerError)
			return
		}
		s.address, s.editing = typed, false
		f.redraw("tech_server")
	})
	cancel := k.bigButton(k.T("tech.address_cancel"), theme.CancelIcon(), false, func() {
		s.editing = false
		f.redraw("tech_server")
	})
	return container.NewVBox(k.para(k.T("tech.address_prompt")), pad.Object(), container.NewGridWithColumns(2, cancel, use))
}

// enrollPanel types the enrollment code and enrolls.
func (f *techFlow) enrollPanel() fyne.CanvasObject {
	k, s := f.k, f.server
	pad := k.keypad(DigitKeys, enrollCodeDigits, false, func(v string) { s.code = v })
	pad.Type(s.code)
	enroll := k.button(k.T("tech.enroll"), theme.LoginIcon(), true, f.enroll)
	if s.busy {
		enroll.SetText(k.T("tech.enrolling"))
		enroll.Disable()
	}
	// The keypad on the left, what to type and the button on the right:
	// all of it fits on the screen without scrolling.
	side := container.NewVBox(k.para(k.T("tech.enroll_prompt")), k.target(enroll))
	return container.NewGridWithColumns(2, pad.Object(), side)
}

// serverURL makes the hall server's URL from what was typed: lower case,
// http:// unless a scheme is given.
func serverURL(typed string) (string, error) {
	u := strings.ToLower(strings.TrimSpace(typed))
	if u == "" {
		return "", errors.New("kiosk: no server address")
	}
	if !strings.Contains(u, "://") {
		u = "http://" + u
	}
	u = strings.TrimRight(u, "/")
	if err := (Config{ServerURL: u}).Validate(); err != nil {
		return "", err
	}
	if p, err := url.Parse(u); err != nil || p.Hostname() == "" || strings.HasSuffix(p.Host, ":") || p.Path != "" {
		return "", fmt.Errorf("kiosk: server address %q: give a host and port, e.g. 10.0.0.2:8080", typed)
	}
	return u, nil
}

// enroll spends the code at the hall server, saves the device token in the
// configuration and connects with it.
func (f *techFlow) enroll() {
	k, s := f.k, f.server
	if s.busy {
		return
	}
	server, err := serverURL(s.address)
	if err != nil {
		k.banner.show(k.T("tech.address_bad"), bannerError)
		return
	}
	if len(s.code) != enrollCodeDigits {
		k.banner.show(k.T("tech.enroll_short"), bannerError)
		return
	}
	code, cfg, path := s.code, k.cfg, k.opts.ConfigPath
	s.busy = true
	f.redraw("tech_server")
	var (
		e       api.Enrollment
		hall    Hall
		saveErr error
	)
	k.goAsync(func(ctx context.Context) error {
		c, err := client.New(server, client.WithTimeout(10*time.Second))
		if err != nil {
			return err
		}
		if e, err = c.Enroll(ctx, code); err != nil {
			return err
		}
		if hall, err = k.connect(server, e.Token); err != nil {
			return err
		}
		cfg.ServerURL, cfg.DeviceToken, cfg.Name = server, e.Token, e.Kiosk
		if path != "" {
			saveErr = cfg.Save(path)
		}
		return nil
	}, func(err error) {
		s.busy = false
		if err != nil {
			f.redraw("tech_server")
			k.banner.show(k.T("tech.enroll_failed", map[string]string{"Error": k.errDetail(err)}), bannerError)
			return
		}
		s.code, s.enrolled = "", e.Kiosk
		k.cfg.ServerURL, k.cfg.DeviceToken, k.cfg.Name = cfg.ServerURL, cfg.DeviceToken, cfg.Name
		k.setHall(hall)
		f.redraw("tech_server")
		k.wg.Go(func() { k.probeOnce(); k.heartbeat() })
		switch {
		case saveErr != nil:
			k.banner.show(k.T("tech.enrolled_unsaved", map[string]string{"Name": e.Kiosk, "Error": saveErr.Error()}), bannerError)
		case path == "":
			k.banner.show(k.T("tech.enrolled_unsaved", map[string]string{"Name": e.Kiosk, "Error": k.T("tech.saved_memory")}), bannerInfo)
		default:
			k.banner.show(k.T("tech.enrolled", map[string]string{"Name": e.Kiosk}), bannerSuccess)
		}
	})
}

// connect makes the hall server client with a device token: Options.Connect,
// or a *client.Client.
func (k *Kiosk) connect(server, token string) (Hall, error) {
	if k.opts.Connect != nil {
		return k.opts.Connect(server, token)
	}
	return client.New(server, client.WithToken(token), client.WithTimeout(10*time.Second))
}
