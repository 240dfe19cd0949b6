package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// homeScreen is large and calm: a greeting and five tiles. Tiles that need
// the hall server are disabled while it is away, with a panel saying
// what still works and what to do.
func (k *Kiosk) homeScreen() fyne.CanvasObject {
	k.onScan = k.homeScanned // a slip's QR code: rate that visit (rate.go)
	hall := k.hallInfo.Name
	if hall == "" {
		hall = k.T("app.title")
	}
	welcome := k.text(k.T("home.welcome", map[string]string{"Hall": hall}), k.theme.sizes.Heading, true, colText)
	welcome.Alignment = fyne.TextAlignCenter
	prompt := k.text(k.T("home.prompt"), k.theme.sizes.SubHeading, false, colMuted)
	prompt.Alignment = fyne.TextAlignCenter
	tiles := []struct {
		id      string
		icon    fyne.Resource
		online  bool
		primary bool
		open    func()
	}{
		{"home.take", theme.ContentAddIcon(), true, true, func() { k.show(page{"take", k.takeScreen}) }},
		{"home.lookup", theme.SearchIcon(), true, false, func() { k.show(page{"lookup", k.lookupScreen}) }},
		{"home.certs", theme.DocumentPrintIcon(), true, false, func() { k.show(page{"certs", k.certsScreen}) }},
		{"home.guide", theme.InfoIcon(), false, false, func() { k.show(page{"guide", k.guideScreen}) }},
		{"home.rate", theme.ConfirmIcon(), true, false, func() { k.show(page{"rate", k.rateScreen}) }},
	}
	grid := container.NewGridWithColumns(3)
	if k.elderly {
		grid = container.NewGridWithColumns(2)
	}
	for _, t := range tiles {
		b := k.button(k.T(t.id), t.icon, t.primary, t.open)
		b.Alignment = widget.ButtonAlignCenter
		sub := k.T(t.id + "_sub")
		if t.online && !k.online {
			b.Disable()
			sub = k.T("offline.unavailable")
		}
		caption := k.text(sub, k.theme.sizes.Caption, false, colMuted)
		caption.Alignment = fyne.TextAlignCenter
		tile := container.NewBorder(nil, caption, nil, nil, k.tile(b))
		grid.Add(container.NewPadded(tile))
	}
	hint := k.text(k.T("home.card_hint"), k.theme.sizes.Text, false, colMuted)
	hint.Alignment = fyne.TextAlignCenter
	parts := []fyne.CanvasObject{welcome, prompt}
	if !k.online {
		parts = append(parts, k.offlinePanel())
	}
	parts = append(parts, grid, hint)
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// tile makes a home-screen button tall: twice the touch target.
func (k *Kiosk) tile(b *widget.Button) fyne.CanvasObject {
	s := k.theme.sizes.Target
	return container.New(&minSize{fyne.NewSize(s*3, s*2)}, b)
}

// offlinePanel says the hall server cannot be reached, what still works
// and what to do.
func (k *Kiosk) offlinePanel() fyne.CanvasObject {
	title := k.text(k.T("offline.title"), k.theme.sizes.SubHeading, true, colDanger)
	body := k.para(k.T("offline.body"))
	bg := canvas.NewRectangle(colButton)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = colDanger, 2, 8
	return container.NewStack(bg, container.NewPadded(container.NewVBox(title, body)))
}
