package kiosk

import (
	"context"
	"errors"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/idcard"
	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// Rating the service (好差评): a visit, named by the QR code on its queue
// slip, or an application, named by its number together with the
// applicant's ID card (the hall server wants proof that the person rating
// is the applicant: numbers can be guessed) or by the QR code on its
// acceptance notice. Then one of five levels, optional reasons, and a
// thank-you that, for a bad rating, says when staff will call back.
//
// The flow's state (what is rated, the ID number when a card proves an
// application) lives in the screens' closures: endSession drops them.

// rateTarget is what is rated.
type rateTarget struct {
	// A visit: the slip's token, and what the person recognises.
	ticketToken string
	ticket      api.TicketStatus
	// An application: its number and item, proved by the applicant's ID
	// number (from the card) or the acceptance notice's QR code.
	appNumber   string
	itemName    string
	applicantID string
	noticeQR    string
}

// request is the rating request for the target.
func (t rateTarget) request(level int, reasons []string) api.RatingRequest {
	req := api.RatingRequest{Level: level, Reasons: reasons}
	switch {
	case t.ticketToken != "":
		req.TicketToken = t.ticketToken
	case t.noticeQR != "":
		req.NoticeQR = t.noticeQR
	default:
		req.ApplicationNumber, req.ApplicantID = t.appNumber, t.applicantID
	}
	return req
}

// rateFlow is one rating in progress.
type rateFlow struct {
	target  rateTarget
	scale   api.RatingReasons
	level   int
	reasons []string
	sending bool
	submit  *widget.Button
}

// rateScreen is where rating starts: scan the slip (or the acceptance
// notice), or rate an application by its number and the ID card.
func (k *Kiosk) rateScreen() fyne.CanvasObject {
	k.onScan = k.rateScanned
	k.onCard = func(idcard.Card) { k.showRateApp() }
	// The scanner is the way for most: a tinted box that reads as a
	// notice, not as a button.
	bg := canvas.NewRectangle(colScanNotice)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = colPrimary, 2, 8
	scan := container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil,
		container.NewCenter(k.rateScanIcon()), nil, container.NewVBox(
			k.guideText(k.T("rate.scan_title"), theme.SizeNameSubHeadingText, true, widget.HighImportance),
			k.guideText(k.T("rate.scan_body"), theme.SizeNameText, false, widget.MediumImportance)))))
	app := k.guideRow(k.T("rate.app_button"), k.T("rate.app_button_sub"), k.showRateApp)
	parts := []fyne.CanvasObject{
		k.guideHeading(k.T("rate.title")),
		k.guideText(k.T("rate.intro"), theme.SizeNameText, false, widget.MediumImportance),
		scan, app,
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// colScanNotice is the light blue of the scan notice (text on it keeps
// well over 4.5:1).
var colScanNotice = color.NRGBA{0xE8, 0xF0, 0xFA, 0xFF}

// rateScanIcon is a large QR-code sign beside the scan notice.
func (k *Kiosk) rateScanIcon() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(theme.NewPrimaryThemedResource(qrIcon))
	s := k.theme.sizes.Target * 1.2
	icon.SetMinSize(fyne.NewSize(s, s))
	icon.FillMode = canvas.ImageFillContain
	return icon
}

// qrIcon is a QR-code sign (three finder squares and a few modules).
var qrIcon = fyne.NewStaticResource("qr.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">`+
	`<path fill="#000" d="M3 3h8v8H3zm2 2v4h4V5zm8-2h8v8h-8zm2 2v4h4V5zM3 13h8v8H3zm2 2v4h4v-4z`+
	`M6 6h2v2H6zm10 0h2v2h-2zM6 16h2v2H6zm7-3h2v2h-2zm2 2h2v2h-2zm2-2h4v2h-4zm-4 4h2v4h-2zm4 0h4v2h-4zm2 2h2v2h-2z"/></svg>`))

// rateScan is what a scanned code names: a slip's ticket token, an
// acceptance notice's QR code, or a bare token that may be either.
type rateScan struct {
	ticket string
	notice string
	bare   string
}

// parseRateScan reads a scanned code. A slip's QR code is a URL ending in
// /t/TOKEN; an acceptance notice's is another URL ending in its token; a
// token alone may be either. Anything else is not for rating.
func parseRateScan(text string) (rateScan, bool) {
	s := strings.TrimSpace(text)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndex(s, "/t/"); i >= 0 {
		tok := s[i+len("/t/"):]
		return rateScan{ticket: tok}, isRateToken(tok)
	}
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return rateScan{notice: s}, strings.Contains(s, "://") && isRateToken(s[i+1:])
	}
	return rateScan{bare: s}, isRateToken(s)
}

// isRateToken reports whether s can be a ticket's or notice's token: 8 to 64
// letters, digits, dashes or underscores.
func isRateToken(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// rateScanned handles a code scanned on the rating screens.
func (k *Kiosk) rateScanned(text string) {
	sc, ok := parseRateScan(text)
	if !ok {
		k.banner.show(k.T("rate.scan_unknown"), bannerError)
		return
	}
	k.rateIdentify(sc)
}

// homeScanned is the home screen's scanner hook: a queue slip's QR code
// goes straight to rating that visit (or, while it still waits, says how
// it stands). Other codes are left alone.
func (k *Kiosk) homeScanned(text string) {
	sc, ok := parseRateScan(text)
	if !ok || sc.ticket == "" {
		return
	}
	if !k.online || k.hallNow() == nil {
		k.banner.show(k.T("rate.offline"), bannerError)
		return
	}
	k.rateIdentify(sc)
}

// rateIdentify asks the hall server what a scanned code names, and goes
// on to the levels when it can be rated; otherwise it says why not (a
// visit still waiting says how many are ahead).
func (k *Kiosk) rateIdentify(sc rateScan) {
	if k.hallNow() == nil {
		k.banner.show(k.T("rate.offline"), bannerError)
		return
	}
	from := k.current.name
	k.banner.show(k.T("rate.checking"), bannerInfo)
	f := &rateFlow{}
	k.goAsync(func(ctx context.Context) error {
		var err error
		if f.target, err = k.resolveScan(ctx, sc); err != nil {
			return err
		}
		f.scale, err = k.hallNow().RatingReasons(ctx)
		return err
	}, func(err error) {
		if k.current.name != from {
			return // the person has gone on meanwhile
		}
		if err != nil {
			msg, _ := k.rateRefusal(err)
			k.banner.show(msg, bannerError)
			return
		}
		if why := k.ticketNotReady(f.target); why != "" {
			k.banner.show(why, bannerInfo)
			return
		}
		k.showRateLevels(f)
	})
}

// errNotRatingCode is a scanned token that is neither a ticket's nor an
// acceptance notice's.
var errNotRatingCode = errors.New("kiosk: the code is not a slip's or an acceptance notice's")

// resolveScan finds what a scanned code names: a ticket (its status) or
// an application (by its acceptance notice).
func (k *Kiosk) resolveScan(ctx context.Context, sc rateScan) (rateTarget, error) {
	if tok := sc.ticket + sc.bare; sc.notice == "" {
		st, err := k.hallNow().TicketStatus(ctx, tok)
		if err == nil {
			return rateTarget{ticketToken: tok, ticket: st}, nil
		}
		if sc.ticket != "" || !errors.Is(err, client.ErrNotFound) {
			return rateTarget{}, err
		}
	}
	qr := sc.notice + sc.bare
	app, err := k.hallNow().ApplicationByNotice(ctx, qr)
	if errors.Is(err, client.ErrNotFound) && sc.bare != "" {
		return rateTarget{}, errNotRatingCode
	}
	if err != nil {
		return rateTarget{}, err
	}
	return rateTarget{noticeQR: qr, appNumber: app.Number, itemName: app.ItemName}, nil
}

// ticketNotReady says why a visit cannot be rated yet ("" when it can):
// the hall server rates a visit once it has been served.
func (k *Kiosk) ticketNotReady(t rateTarget) string {
	if t.ticketToken == "" {
		return ""
	}
	st := t.ticket
	switch st.State {
	case "serving", "done":
		return ""
	case "called", "recalled":
		return k.T("rate.ticket_called", map[string]string{"Number": st.Number, "Window": st.Window})
	case "no_show", "cancelled":
		return k.T("rate.ticket_never", map[string]string{"Number": st.Number})
	}
	return k.T("rate.ticket_waiting", map[string]any{"Number": st.Number, "Ahead": st.Ahead})
}

// rateRefusal says in plain words why the hall server refused a rating,
// and whether trying again could help (final: it cannot). The server
// words its refusals for developers; the kiosk picks the words for the
// person from the kind of refusal.
func (k *Kiosk) rateRefusal(err error) (msg string, final bool) {
	var ce *client.Error
	if errors.Is(err, errNotRatingCode) {
		return k.T("rate.scan_unknown"), false
	}
	if !errors.As(err, &ce) {
		return k.errText(err), false
	}
	m := ce.Message
	switch {
	case errors.Is(err, client.ErrConflict):
		switch {
		case strings.Contains(m, "re-rated only once"):
			return k.T("rate.err_rerated"), true
		case strings.Contains(m, "following it up"):
			return k.T("rate.err_followup"), true
		case strings.Contains(m, "already rated"):
			return k.T("rate.err_already"), true
		case strings.Contains(m, "never served"):
			return k.T("rate.err_never_served"), true
		}
		return k.T("rate.err_not_served"), true
	case errors.Is(err, client.ErrForbidden):
		return k.T("rate.err_not_yours"), true
	case errors.Is(err, client.ErrNotFound):
		return k.T("rate.err_not_found"), true
	}
	return k.errText(err), false
}

// rateWhat names what is rated, as the person knows it: the ticket number
// and queue, or the application number and item.
func (k *Kiosk) rateWhat(t rateTarget) string {
	if t.ticketToken != "" {
		return k.T("rate.what_ticket", map[string]string{"Number": t.ticket.Number,
			"Queue": k.catName(t.ticket.QueueName, t.ticket.QueueNameEn)})
	}
	item := t.itemName
	if k.cat != nil {
		for _, it := range k.cat.Items {
			if it.Name == item {
				item = k.catName(it.Name, it.NameEn)
			}
		}
	}
	return k.T("rate.what_app", map[string]string{"Number": t.appNumber, "Item": item})
}
