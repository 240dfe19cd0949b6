package kiosk

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"onestop/assets"
	"onestop/devices/idcard"
	"onestop/devices/scanner"
	"onestop/hallserver/api"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/client"
)

// Hall is what the kiosk asks the hall server; *client.Client does it
// over HTTP with the kiosk's device token.
type Hall interface {
	Hall(ctx context.Context) (api.Hall, error)
	Catalogue(ctx context.Context) (*catalogue.Catalogue, error)
	IssueTicket(ctx context.Context, req api.IssueRequest) (api.IssuedTicket, error)
	TicketStatus(ctx context.Context, token string) (api.TicketStatus, error)
	Application(ctx context.Context, number string) (api.Application, error)
	ApplicationsOf(ctx context.Context, applicantID string) ([]api.Application, error)
	ApplicationByNotice(ctx context.Context, qr string) (api.Application, error)
	CertificatesOf(ctx context.Context, holderID string) ([]api.Certificate, error)
	// PrintCertificate needs the holder's ID number (from their card):
	// a kiosk prints a certificate only for its holder.
	PrintCertificate(ctx context.Context, serial, holderID string) (pdf []byte, copyNo int, err error)
	RatingReasons(ctx context.Context) (api.RatingReasons, error)
	Rate(ctx context.Context, req api.RatingRequest) (api.RatingReceipt, error)
}

var _ Hall = (*client.Client)(nil)

// Options are what New needs.
type Options struct {
	Config Config
	// Hall is the hall server client; nil until the kiosk is enrolled.
	Hall Hall
	// Devices are the open devices; nil for none.
	Devices *Devices
	// CacheDir keeps the last catalogue, so that the service guide works
	// while the hall server is down. Empty: kept in memory only.
	CacheDir string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// ProbeEvery is how often the kiosk checks the hall server is there
	// (10 s when 0; 2 s while it is not).
	ProbeEvery time.Duration
	// ConfigPath is where the technician screen saves the configuration;
	// empty: its changes last until the kiosk stops.
	ConfigPath string
	// Connect makes the hall server client once the technician screen has
	// enrolled the kiosk; nil: a *client.Client with the device token.
	Connect func(serverURL, token string) (Hall, error)
	// Restart, when set, restarts the kiosk program so that new device
	// settings take effect; the technician screen offers it after saving.
	Restart func()
	// Version is the kiosk software's version, sent with the heartbeat.
	Version string
	// HeartbeatEvery is how often the kiosk reports the health of its
	// devices to the hall server (api.KioskHeartbeatEvery when 0).
	HeartbeatEvery time.Duration
}

// Kiosk is the kiosk's user interface in one window.
type Kiosk struct {
	// mu is the UI lock: held by every change made from a goroutine (do)
	// and by Sync. Handlers of taps run on the UI thread and change the
	// screen directly.
	mu sync.Mutex

	app  fyne.App
	win  fyne.Window
	opts Options
	cfg  Config
	dev  *Devices

	// hall is the hall server client: read with hallNow from any
	// goroutine; it changes only when the technician enrolls the kiosk.
	hallMu sync.Mutex
	hall   Hall
	tr     *Translator
	now    func() time.Time

	lang    string
	elderly bool
	theme   *kioskTheme

	// The hall server, as last seen.
	online     bool
	hallInfo   api.Hall
	cat        *catalogue.Catalogue
	catFetched time.Time // when cat came from the hall server (not the cache)

	session Session

	// The screen: root holds the header, the banner, the body and the
	// footer; current rebuilds the body (after a language or mode
	// change); history is what Back returns to.
	root    *fyne.Container
	body    *fyne.Container
	current page
	history []page
	banner  *banner

	// Hooks of the current screen for device input; cleared on every
	// screen change.
	onCard func(idcard.Card)
	onScan func(string)

	idle     *time.Timer
	idleSeen time.Time

	// tech is the technician mode's hidden entry, PIN lockout and device
	// health (tech.go, heartbeat.go).
	tech techState

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// The session's context ends, and its epoch moves on, when the
	// session ends: work started for one person is cancelled, and its
	// result is never shown to the next (goAsync).
	sessCtx    context.Context
	sessCancel context.CancelFunc
	epoch      uint64
}

// hallNow is the hall server client (nil before enrollment).
func (k *Kiosk) hallNow() Hall {
	k.hallMu.Lock()
	defer k.hallMu.Unlock()
	return k.hall
}

// setHall replaces the hall server client (after enrollment).
func (k *Kiosk) setHall(h Hall) {
	k.hallMu.Lock()
	k.hall = h
	k.hallMu.Unlock()
}

// page is one screen: its name (for tests and logs) and how to build it.
type page struct {
	name  string
	build func() fyne.CanvasObject
}

// Session holds what the kiosk knows about the person in front of it.
// endSession drops it all.
type Session struct {
	// Card is the ID card read in this session, if any.
	Card *idcard.Card
}

// New builds the kiosk's window on a (the real app in cmd/kiosk, a test
// app in tests), shows the home screen and starts watching the devices
// and the hall server. Stop ends it.
func New(a fyne.App, opts Options) (*Kiosk, error) {
	tr, err := LoadTranslations(assets.FS, assets.TranslationsDir)
	if err != nil {
		return nil, err
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	k := &Kiosk{app: a, opts: opts, cfg: opts.Config, hall: opts.Hall, dev: opts.Devices, tr: tr,
		now: opts.Now, lang: Chinese, theme: &kioskTheme{sizes: Standard}}
	if k.now == nil {
		k.now = time.Now
	}
	if k.cfg.Language == English {
		k.lang = English
	}
	if k.dev == nil {
		k.dev = &Devices{Problems: map[string]error{}}
	}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	k.sessCtx, k.sessCancel = context.WithCancel(k.ctx)
	a.Settings().SetTheme(k.theme)
	k.win = a.NewWindow(k.T("app.title"))
	k.banner = newBanner()
	k.body = container.NewStack()
	k.cat = k.loadCachedCatalogue()
	k.root = container.New(layout.NewStackLayout())
	k.banner.relayout = k.root.Refresh
	k.show(page{"home", k.homeScreen})
	k.win.SetContent(k.root)
	k.startWatching()
	return k, nil
}

// Window is the kiosk's window.
func (k *Kiosk) Window() fyne.Window { return k.win }

// Stop ends the goroutines the kiosk started (not the devices: their
// owner closes them).
func (k *Kiosk) Stop() {
	k.cancel()
	k.wg.Wait()
	k.mu.Lock()
	if k.idle != nil {
		k.idle.Stop()
	}
	k.mu.Unlock()
}

// T is the message id in the kiosk's current language.
func (k *Kiosk) T(id string, data ...any) string { return k.tr.T(k.lang, id, data...) }

// Lang is the current language, zh or en.
func (k *Kiosk) Lang() string { return k.lang }

// Screen names the screen shown.
func (k *Kiosk) Screen() string { return k.current.name }

// Sync runs fn holding the UI lock, on the caller's goroutine: tests and
// the screenshot tool read and tap the screen through it, so that they
// never race a device or network goroutine's change.
func (k *Kiosk) Sync(fn func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fn()
}

// do runs fn on the UI thread holding the UI lock: the only way a
// goroutine changes the screen. fn must not call do or Sync.
func (k *Kiosk) do(fn func()) {
	fyne.Do(func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.ctx.Err() != nil {
			return
		}
		fn()
	})
}

// goAsync runs work on a goroutine with a context that ends with the
// kiosk, then done on the UI thread with its result.
//
// Both belong to the session they were started in: when it ends (idle,
// card taken away, Home), work's context is cancelled and done is not
// run, so one person's answer never reaches the next person's screen.
func (k *Kiosk) goAsync(work func(ctx context.Context) error, done func(err error)) {
	epoch, sess := k.epoch, k.sessCtx
	k.wg.Go(func() {
		ctx, cancel := context.WithTimeout(sess, 15*time.Second)
		defer cancel()
		err := work(ctx)
		k.do(func() {
			if k.epoch == epoch {
				done(err)
			}
		})
	})
}

// sessionEpoch identifies the current session, for work that outlives a
// screen: compare it with the epoch when the work is done.
func (k *Kiosk) sessionEpoch() uint64 { return k.epoch }

// show makes p the screen, remembering the current one for Back.
func (k *Kiosk) show(p page) {
	if k.current.build != nil && k.current.name != p.name {
		k.history = append(k.history, k.current)
	}
	k.setPage(p)
}

// replace makes p the screen without remembering the current one: the
// next step of a flow that Back should not return into.
func (k *Kiosk) replace(p page) { k.setPage(p) }

func (k *Kiosk) setPage(p page) {
	k.onCard, k.onScan = nil, nil
	k.banner.hide()
	k.current = p
	k.render()
	k.touch()
}

// render rebuilds the whole window from the current page: after a screen,
// language or mode change.
func (k *Kiosk) render() {
	k.body.Objects = []fyne.CanvasObject{k.current.build()}
	top, foot := container.NewVBox(k.header(), k.banner.object()), k.footer()
	k.root.Layout = layout.NewBorderLayout(top, foot, nil, nil)
	k.root.Objects = []fyne.CanvasObject{k.body, top, foot}
	k.root.Refresh()
}

// back returns to the previous screen, or home.
func (k *Kiosk) back() {
	if n := len(k.history); n > 0 {
		p := k.history[n-1]
		k.history = k.history[:n-1]
		k.setPage(p)
		return
	}
	k.goHome()
}

// goHome shows the home screen and forgets the way there.
func (k *Kiosk) goHome() {
	k.history = nil
	k.setPage(page{"home", k.homeScreen})
}

// endSession forgets the person: their card and everything looked up,
// every screen built from it, and returns home.
//
// It also cancels the session's work (goAsync) and brings back the
// default language and standard mode for the next person.
func (k *Kiosk) endSession() {
	k.sessCancel()
	k.epoch++
	k.sessCtx, k.sessCancel = context.WithCancel(k.ctx)
	k.session = Session{}
	k.history = nil
	k.lang = Chinese
	if k.cfg.Language == English {
		k.lang = English
	}
	if k.elderly {
		k.elderly = false
		k.theme.sizes = Standard
	}
	k.win.SetTitle(k.T("app.title"))
	k.setPage(page{"home", k.homeScreen})
}

// setLanguage switches the language of every text at once.
func (k *Kiosk) setLanguage(lang string) {
	k.lang = lang
	k.win.SetTitle(k.T("app.title"))
	k.render()
}

// setElderly switches elderly mode: larger text and targets, a longer
// idle time.
func (k *Kiosk) setElderly(on bool) {
	k.elderly = on
	if on {
		k.theme.sizes = Elderly
	} else {
		k.theme.sizes = Standard
	}
	// The theme object stays the same and only its sizes change: a new
	// theme (SetTheme) would make Fyne drop its fonts and parse the 4.6 MB
	// font again (tens of MB, kept until the caches settle). The window is
	// rebuilt, so every widget takes the new sizes.
	k.render()
	k.touch()
}

// Elderly reports whether elderly mode is on.
func (k *Kiosk) Elderly() bool { return k.elderly }

// touch notes a touch: the idle timer starts again.
func (k *Kiosk) touch() {
	k.idleSeen = k.now()
	d := k.cfg.IdleTimeout(k.elderly)
	if k.idle == nil {
		k.idle = time.AfterFunc(d, k.idleFired)
		return
	}
	k.idle.Reset(d)
}

// idleFired returns home and wipes the session when nothing was touched
// for the idle time (on the home screen with no session, nothing to do).
func (k *Kiosk) idleFired() {
	k.do(func() {
		// A touch may have come after the timer fired and before this
		// ran: then the person is still there.
		if k.now().Sub(k.idleSeen) < k.cfg.IdleTimeout(k.elderly) {
			return
		}
		k.idleReset()
	})
}

// idleReset is what idleFired does on the UI thread.
func (k *Kiosk) idleReset() {
	defaultLang := Chinese
	if k.cfg.Language == English {
		defaultLang = English
	}
	if k.current.name == "home" && k.session.Card == nil && k.lang == defaultLang && !k.elderly {
		return
	}
	k.endSession()
	k.banner.show(k.T("idle.reset"), bannerInfo)
}

// IdleReset acts as if the idle time had passed (tests, and cmd/kiosk's
// "reset" signal).
func (k *Kiosk) IdleReset() { k.idleReset() }

// errServer is how a failed hall server call is shown.
func (k *Kiosk) errText(err error) string {
	if errors.Is(err, client.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return k.T("error.server")
	}
	// The server words its messages in English for staff: a citizen
	// reading Chinese gets a plain sentence by the kind of error instead.
	var ce *client.Error
	if errors.As(err, &ce) {
		if k.lang == English && ce.Message != "" {
			return k.T("error.generic", map[string]string{"Message": ce.Message})
		}
		switch ce.Code {
		case api.CodeUnavailable:
			return k.T("error.server")
		case api.CodeInvalid:
			return k.T("error.invalid")
		case api.CodeNotFound:
			return k.T("error.not_found")
		case api.CodeConflict:
			return k.T("error.conflict")
		case api.CodeForbidden, api.CodeUnauthenticated:
			return k.T("error.forbidden")
		}
	}
	return k.T("error.other")
}

// errDetail is errText with the server's own words after it, for the
// technician screens: a technician needs the exact reason.
func (k *Kiosk) errDetail(err error) string {
	var ce *client.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return k.errText(err) + " (" + ce.Message + ")"
	}
	return k.errText(err) + " (" + err.Error() + ")"
}

// watchDevices and the hall server.
func (k *Kiosk) startWatching() {
	if k.dev.Cards != nil {
		k.wg.Go(func() {
			for {
				select {
				case <-k.ctx.Done():
					return
				case ev, ok := <-k.dev.Cards:
					if !ok {
						return
					}
					k.do(func() { k.cardEvent(ev) })
				}
			}
		})
	}
	if k.dev.Scans != nil {
		k.wg.Go(func() {
			for {
				select {
				case <-k.ctx.Done():
					return
				case s, ok := <-k.dev.Scans:
					if !ok {
						return
					}
					if s.Err == nil {
						k.do(func() { k.scanned(s) })
					}
				}
			}
		})
	}
	k.wg.Go(k.probeHall)
	k.wg.Go(k.sendHeartbeats)
}

// scanned passes a scanned code to the screen that waits for one.
func (k *Kiosk) scanned(s scanner.Scan) {
	k.touch()
	if k.onScan != nil {
		k.onScan(s.Text)
	}
}
