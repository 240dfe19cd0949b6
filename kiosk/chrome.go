package kiosk

import (
	"context"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// button makes a button of at least the mode's touch-target height; a tap
// counts as a touch (the idle timer starts again) before tap runs.
func (k *Kiosk) button(label string, icon fyne.Resource, primary bool, tap func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, func() {
		k.touch()
		tap()
	})
	if primary {
		b.Importance = widget.HighImportance
	}
	return b
}

// target gives obj at least the mode's touch-target size in both
// directions (60 dp or more).
func (k *Kiosk) target(obj fyne.CanvasObject) fyne.CanvasObject {
	s := k.theme.sizes.Target
	return container.New(&minSize{fyne.NewSize(s, s)}, obj)
}

// bigButton is button inside a touch target.
func (k *Kiosk) bigButton(label string, icon fyne.Resource, primary bool, tap func()) fyne.CanvasObject {
	return k.target(k.button(label, icon, primary, tap))
}

// minSize lays out its objects stacked, at least min big.
type minSize struct{ min fyne.Size }

func (m *minSize) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (m *minSize) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := m.min
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// text is a label in the given size and colour, wrapping.
func (k *Kiosk) text(s string, size float32, bold bool, c color.Color) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	// bold is accepted for intent but not set: the embedded font has no
	// bold face, so Fyne would draw the same glyphs after parsing the
	// 4.6 MB font once more for the bold style (about 12 MB resident).
	_ = bold
	return t
}

// heading is the screen's title.
func (k *Kiosk) heading(s string) fyne.CanvasObject {
	return k.text(s, k.theme.sizes.Heading, true, colText)
}

// para is body text that wraps.
func (k *Kiosk) para(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// header is the bar on top: the hall's name, then the language, elderly
// mode and help buttons, on every screen.
func (k *Kiosk) header() fyne.CanvasObject {
	name := k.hallInfo.Name
	if name == "" {
		name = k.T("app.title")
	}
	lang := English
	if k.lang == English {
		lang = Chinese
	}
	mode := "nav.elderly_on"
	if k.elderly {
		mode = "nav.elderly_off"
	}
	buttons := container.NewHBox(
		k.bigButton(k.T("nav.language"), theme.ComputerIcon(), false, func() { k.setLanguage(lang) }),
		k.bigButton(k.T(mode), theme.ZoomInIcon(), false, func() { k.setElderly(!k.elderly) }),
		k.target(k.helpButton()),
	)
	title := k.techEntry(k.text(name, k.theme.sizes.SubHeading, true, colOnPrimary)) // tapped 5 times: technician mode
	bg := canvas.NewRectangle(colPrimary)
	bar := container.NewBorder(nil, nil, container.NewPadded(title), buttons)
	return container.NewStack(bg, container.NewPadded(bar))
}

// footer has Home and Back, except on the home screen.
func (k *Kiosk) footer() fyne.CanvasObject {
	if k.current.name == "home" {
		return layout.NewSpacer()
	}
	return container.NewPadded(container.NewGridWithColumns(2,
		k.bigButton(k.T("nav.back"), theme.NavigateBackIcon(), false, k.back),
		k.bigButton(k.T("nav.home"), theme.HomeIcon(), false, k.endSession),
	))
}

// helpButton is the one-touch call for staff, in the warning colour so it
// stands out from the header.
func (k *Kiosk) helpButton() *widget.Button {
	b := k.button(k.T("nav.help"), theme.AccountIcon(), false, k.callHelp)
	b.Importance = widget.WarningImportance
	return b
}

// helpCaller is a Hall that can alert the supervisors.
type helpCaller interface {
	CallHelp(ctx context.Context) error
}

// callHelp alerts the supervisors (一键呼叫) through the hall server.
func (k *Kiosk) callHelp() {
	h, ok := k.hallNow().(helpCaller)
	if !ok || !k.online {
		k.banner.show(k.T("help.failed"), bannerError)
		return
	}
	k.goAsync(func(ctx context.Context) error { return h.CallHelp(ctx) }, func(err error) {
		if err != nil {
			k.banner.show(k.T("help.failed"), bannerError)
			return
		}
		k.banner.show(k.T("help.sent"), bannerSuccess)
	})
}

// bannerKind says how a banner looks.
type bannerKind int

const (
	bannerInfo bannerKind = iota
	bannerError
	bannerSuccess
)

// banner is the message line under the header: what just happened
// ("paper is out", "staff are coming"). It stays until the next screen
// change or message.
type banner struct {
	bg    *canvas.Rectangle
	label *widget.Label
	box   *fyne.Container
	// relayout lays the window out again when the banner appears or
	// goes: its parent does not notice by itself, and the banner would
	// be drawn over the header.
	relayout func()
}

func newBanner() *banner {
	b := &banner{bg: canvas.NewRectangle(color.Transparent), label: widget.NewLabel("")}
	b.label.Wrapping = fyne.TextWrapWord
	b.label.TextStyle = fyne.TextStyle{}
	b.box = container.NewStack(b.bg, container.NewPadded(b.label))
	b.box.Hide()
	return b
}

func (b *banner) object() fyne.CanvasObject { return b.box }

// show puts a message in the banner.
func (b *banner) show(msg string, kind bannerKind) {
	switch kind {
	case bannerError:
		b.bg.FillColor = color.NRGBA{0xFB, 0xE9, 0xE9, 0xFF}
	case bannerSuccess:
		b.bg.FillColor = color.NRGBA{0xE6, 0xF4, 0xEA, 0xFF}
	default:
		b.bg.FillColor = color.NRGBA{0xE8, 0xF0, 0xFA, 0xFF}
	}
	b.label.SetText(msg)
	shown := b.box.Visible()
	b.box.Show()
	b.box.Refresh()
	if !shown && b.relayout != nil {
		b.relayout()
	}
}

// hide clears the banner.
func (b *banner) hide() {
	b.label.SetText("")
	shown := b.box.Visible()
	b.box.Hide()
	if shown && b.relayout != nil {
		b.relayout()
	}
}

// Text is the banner's message ("" when hidden).
func (b *banner) Text() string {
	if !b.box.Visible() {
		return ""
	}
	return b.label.Text
}
