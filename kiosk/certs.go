package kiosk

import (
	"context"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/idcard"
	"onestop/hallserver/api"
	"onestop/hallserver/workday"
)

// Printing a certificate (证照打印): after the ID card, the holder's
// certificates are listed (revoked ones shown as such, not printable) and
// one is printed on the A4 printer — the hall server records every print
// and marks copies after the first as reprints. certs_print.go prints.

// certsFlow is one person's certificate printing: whose list is shown and
// the print under way. It lives only in the pages it builds (and so in
// the screen history), which endSession drops.
type certsFlow struct {
	k     *Kiosk
	owner screenOwner
	// card is the card whose certificates are listed (or being looked
	// up); loading is true while they are; asked counts the questions so
	// that only the latest answer is shown.
	card    *idcard.Card
	loading bool
	loaded  bool
	asked   int
	certs   []api.Certificate
	// print is the print under way or just ended; prints counts them,
	// so that a late answer of an earlier one is dropped.
	print  certPrint
	prints int
}

// certsScreen starts the certificate flow. The flow's own builders take
// over the page (a language switch keeps the list); with an ID card
// already placed, its holder's certificates are looked up at once.
func (k *Kiosk) certsScreen() fyne.CanvasObject {
	f := &certsFlow{k: k, owner: screenOwner{k: k}}
	p := f.owner.page("certs", f.listScreen)
	k.current = p
	if c := k.session.Card; c != nil {
		f.load(*c)
	}
	return p.build()
}

// load looks up the certificates of the card's holder.
func (f *certsFlow) load(c idcard.Card) {
	k := f.k
	if k.hallNow() == nil {
		k.banner.show(k.T("error.server"), bannerError)
		return
	}
	f.card, f.loading, f.loaded, f.certs = &c, true, false, nil
	f.asked++
	n, id := f.asked, c.IDNumber
	var certs []api.Certificate
	k.goAsync(func(ctx context.Context) error {
		var err error
		certs, err = k.hallNow().CertificatesOf(ctx, id)
		return err
	}, func(err error) {
		if n != f.asked || !f.owner.onScreen() {
			return
		}
		f.loading = false
		if err != nil {
			f.card = nil
			k.render()
			k.banner.show(k.errText(err), bannerError)
			return
		}
		f.certs, f.loaded = certs, true
		k.render()
	})
	if f.owner.onScreen() {
		k.render()
	}
}

// listScreen asks for the ID card, says it is looking, or lists the
// holder's certificates.
func (f *certsFlow) listScreen() fyne.CanvasObject {
	k := f.k
	k.onCard = f.load
	var parts []fyne.CanvasObject
	switch {
	case f.loading:
		parts = []fyne.CanvasObject{k.heading(k.T("certs.title")),
			k.lookupPanel(toneInfo, k.T("certs.loading"))}
	case !f.loaded || f.card == nil:
		parts = []fyne.CanvasObject{k.heading(k.T("certs.title")), f.cardPrompt()}
	default:
		parts = f.listParts()
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// cardPrompt asks for the ID card, large, and says why.
func (f *certsFlow) cardPrompt() fyne.CanvasObject {
	k := f.k
	s := k.theme.sizes.Target * 2
	icon := container.NewCenter(container.New(&minSize{fyne.NewSize(s, s)},
		widget.NewIcon(theme.NewPrimaryThemedResource(theme.AccountIcon()))))
	title := k.text(k.T("certs.place_card"), k.theme.sizes.Heading, true, colPrimary)
	title.Alignment = fyne.TextAlignCenter
	body := k.plain(k.T("certs.place_card_body"))
	body.Alignment = fyne.TextAlignCenter
	return container.NewVBox(icon, title, body)
}

// listParts are the list: a title with the holder's masked name, the
// certificates, or what to do when there are none.
func (f *certsFlow) listParts() []fyne.CanvasObject {
	k := f.k
	name := idcard.MaskName(f.card.Name + f.card.NameEn)
	if len(f.certs) == 0 {
		return []fyne.CanvasObject{k.heading(k.T("certs.title")),
			k.lookupPanel(toneInfo, k.T("certs.none", map[string]string{"Name": name}), k.plain(k.T("certs.none_body")))}
	}
	parts := []fyne.CanvasObject{
		k.heading(k.T("certs.list_title", map[string]any{"Name": name, "Count": len(f.certs)})),
		k.text(k.T("certs.list_hint"), k.theme.sizes.Text, false, colMuted),
	}
	if k.dev.Pages == nil {
		parts = append(parts, k.lookupPanel(toneWarn, k.T("certs.no_printer")))
	}
	for _, c := range f.certs {
		parts = append(parts, f.certTile(c))
	}
	return parts
}

// certTile is one certificate: its title, what it certifies, when it was
// issued and how long it is valid, whether it was printed before — or
// that it is revoked — and the button that prints it.
func (f *certsFlow) certTile(c api.Certificate) fyne.CanvasObject {
	k := f.k
	lines := []fyne.CanvasObject{k.text(k.certTitle(c), k.theme.sizes.SubHeading, true, colText)}
	if fields := certFieldsLine(c); fields != "" {
		lines = append(lines, k.plain(fields))
	}
	dates := k.T("certs.issued", map[string]string{"Date": k.certDate(c)}) + "    " + f.validity(c)
	lines = append(lines, k.text(dates, k.theme.sizes.Text, false, colMuted))
	printable := !c.Revoked && !c.KeyRevoked
	switch {
	case c.Revoked:
		lines = append(lines, k.text(k.T("certs.revoked"), k.theme.sizes.Text, true, colDanger))
		if c.RevokeReason != "" {
			lines = append(lines, k.plain(k.T("certs.revoked_reason", map[string]string{"Reason": c.RevokeReason})))
		}
	case c.KeyRevoked:
		lines = append(lines, k.text(k.T("certs.key_revoked"), k.theme.sizes.Text, true, colWarning))
	case c.Prints > 0:
		lines = append(lines, k.plain(k.T("certs.printed_before", map[string]any{"Count": c.Prints})))
	}
	var action fyne.CanvasObject
	if printable {
		label, primary := k.T("certs.print"), true
		if c.Prints > 0 {
			label, primary = k.T("certs.reprint"), false
		}
		b := k.button(label, theme.DocumentPrintIcon(), primary, func() { f.startPrint(c) })
		if k.dev.Pages == nil {
			b.Disable()
		}
		t := k.theme.sizes.Target
		action = container.NewCenter(container.New(&minSize{fyne.NewSize(t*2.2, t)}, b))
	}
	tone := toneNeutral
	if !printable {
		tone = toneBad
	}
	bg, _, _ := tone.look()
	return k.certCard(bg, container.NewBorder(nil, nil, nil, action, container.NewVBox(lines...)))
}

// validity says until when the certificate is valid, or that it is
// expired.
func (f *certsFlow) validity(c api.Certificate) string {
	k := f.k
	switch {
	case c.Expires.IsZero():
		return k.T("certs.valid_forever")
	case c.Expires.Before(k.now()):
		return k.T("certs.expired", map[string]string{"Date": k.certDay(c.Expires)})
	}
	return k.T("certs.valid_until", map[string]string{"Date": k.certDay(c.Expires)})
}

// certFieldsLine is the first fields of the certificate ("坐落：…"), so
// that two certificates of one kind can be told apart.
func certFieldsLine(c api.Certificate) string {
	// Only the first field: later ones may name people (a certificate's
	// 权利人, 义务人) in full, and everything else on the kiosk is masked.
	var parts []string
	for i, fl := range c.Fields {
		if i == 1 {
			break
		}
		parts = append(parts, fl.Name+"："+fl.Value)
	}
	return strings.Join(parts, "    ")
}

// certDate is the certificate's issue date in the kiosk's language.
func (k *Kiosk) certDate(c api.Certificate) string { return k.certDay(c.IssuedAt) }

// certDay is a date in the hall's zone, as the kiosk's language writes it.
func (k *Kiosk) certDay(t time.Time) string {
	return t.In(workday.Location).Format(k.T("certs.layout_date"))
}

// certCard is a certificate's panel: bg with a thin border.
func (k *Kiosk) certCard(bg color.Color, content fyne.CanvasObject) fyne.CanvasObject {
	r := canvas.NewRectangle(bg)
	r.StrokeColor, r.StrokeWidth, r.CornerRadius = colSeparator, 2, 8
	return container.NewStack(r, container.NewPadded(content))
}
