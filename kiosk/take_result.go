package kiosk

import (
	"context"
	"errors"
	"image/color"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	"onestop/devices/escpos"
	"onestop/hallserver/client"
	"onestop/hallserver/queue"
)

// resultScreen is the take.result screen: issuing, the ticket, or why
// there is none and what to do.
func (f *takeFlow) resultScreen() fyne.CanvasObject {
	switch {
	case f.issuing:
		return f.issuingView()
	case f.issueErr != nil:
		return f.failedView()
	case f.ticket != nil:
		return f.ticketView()
	}
	return f.failedView()
}

// issuingView is shown while the hall server issues the ticket (usually
// for a blink).
func (f *takeFlow) issuingView() fyne.CanvasObject {
	k := f.k
	t := k.text(k.T("take.issuing"), k.theme.sizes.Heading, true, colText)
	t.Alignment = fyne.TextAlignCenter
	return container.NewCenter(t)
}

// failedView says that no ticket was issued, why, and what to do: ask at
// the information desk, or try again (Home is in the footer).
func (f *takeFlow) failedView() fyne.CanvasObject {
	k := f.k
	msg := k.T("take.failed_server")
	if err := f.issueErr; err != nil && !errors.Is(err, client.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) {
		msg = k.T("take.failed_other", map[string]string{"Error": k.errText(err)})
	}
	title := k.text(k.T("take.failed_title"), k.theme.sizes.Heading, true, colDanger)
	box := f.panel(colDanger, title, f.paragraph(msg))
	retry := k.bigButton(k.T("take.retry"), theme.ViewRefreshIcon(), true, f.retry)
	return container.NewVScroll(container.NewPadded(container.NewVBox(box, retry)))
}

// ticketView shows the ticket: the number very large, the queue (and
// item), people ahead and the wait, the QR code to follow the queue on a
// phone, and where the slip is.
func (f *takeFlow) ticketView() fyne.CanvasObject {
	k := f.k
	t := f.ticket
	s := k.theme.sizes
	const qrSide = 288 // modules of 6–8 px: plenty for a phone, in either mode
	textWidth := f.screenWidth() - qrSide - 12*s.Padding
	info := []fyne.CanvasObject{
		k.text(t.Number, s.Heading*4, true, colPrimary),
		k.text(k.T("take.queue", map[string]string{"Name": f.pick(t.Status.QueueName, t.Status.QueueNameEn), "Code": t.Status.Queue}),
			s.SubHeading, true, colText),
	}
	if k.cat != nil && t.Item != "" {
		if it, ok := k.cat.Item(t.Item); ok {
			info = append(info, f.textLines(f.pick(it.Name, it.NameEn), s.Text, colMuted, textWidth))
		}
	}
	if t.Priority == string(queue.Elderly) {
		info = append(info, k.text(k.T("take.priority"), s.SubHeading, true, colSuccess))
	}
	info = append(info, k.text(f.aheadText(), s.SubHeading, false, colText))
	if w := f.waitText(); w != "" {
		info = append(info, k.text(w, s.SubHeading, false, colText))
	}
	info = append(info, k.text(k.T("take.issued_at", map[string]string{
		"Time": t.Status.IssuedAt.In(queue.Location).Format("15:04")}), s.Text, false, colMuted))

	var right fyne.CanvasObject = layout.NewSpacer()
	if u := ticketFollowURL(k.cfg.ServerURL, t.Token); u != "" {
		if img, err := takeQRImage(u, int(qrSide)); err == nil {
			q := canvas.NewImageFromImage(img)
			q.FillMode, q.ScaleMode = canvas.ImageFillContain, canvas.ImageScalePixels
			b := img.Bounds()
			q.SetMinSize(fyne.NewSize(float32(b.Dx()), float32(b.Dy())))
			caption := k.text(k.T("take.qr_caption"), s.Caption, false, colMuted)
			caption.Alignment = fyne.TextAlignCenter
			right = container.NewVBox(container.NewCenter(q), caption)
		}
	}
	card := f.panel(colSeparator, container.NewBorder(nil, nil, nil, right, container.NewVBox(info...)))
	done := k.bigButton(k.T("take.done"), theme.ConfirmIcon(), true, k.endSession)
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		k.heading(k.T("take.title")), card, f.printPanel(), done)))
}

// textLines is s in lines that fit width, as canvas texts (which do not
// wrap by themselves).
func (f *takeFlow) textLines(s string, size float32, c color.Color, width float32) fyne.CanvasObject {
	k := f.k
	box := container.NewVBox()
	for _, l := range strings.Split(takeWrap(s, size, width), "\n") {
		box.Add(k.text(l, size, false, c))
	}
	return box
}

// aheadText says how many people are before the ticket.
func (f *takeFlow) aheadText() string {
	n := f.ticket.Status.Ahead
	if n == 0 {
		return f.k.T("take.ahead_none")
	}
	return f.k.T("take.ahead", map[string]int{"Ahead": n})
}

// waitText is the estimated wait in whole minutes, rounded up as the slip
// does; empty when no one is ahead.
func (f *takeFlow) waitText() string {
	st := f.ticket.Status
	if st.Ahead == 0 {
		return ""
	}
	m := (st.EstimatedWait + 59) / 60
	if m <= 0 {
		return f.k.T("take.wait_short")
	}
	return f.k.T("take.wait", map[string]int{"Minutes": m})
}

// printPanel says where the slip is: printing, take it, or why there is
// none and what to do instead.
func (f *takeFlow) printPanel() fyne.CanvasObject {
	k := f.k
	s := k.theme.sizes
	number := map[string]string{"Number": f.ticket.Number}
	switch f.slip {
	case slipPrinting:
		return f.panel(colPrimary, k.text(k.T("take.printing"), s.SubHeading, true, colText))
	case slipPrinted:
		return f.panel(colSuccess, k.text(k.T("take.take_slip"), s.SubHeading, true, colSuccess))
	case slipNoPrinter:
		return f.panel(colPrimary, f.paragraph(k.T("take.no_printer", number)))
	case slipFailed:
		cause := k.T("take.printer_failed")
		if errors.Is(f.printErr, escpos.ErrPaperOut) {
			cause = k.T("take.paper_out")
		}
		staff := map[staffAlert]string{alertSending: "take.staff_calling", alertSent: "take.staff_told",
			alertFailed: "take.staff_tell"}[f.staff]
		return f.panel(colDanger,
			k.text(k.T("take.print_problem"), s.SubHeading, true, colDanger),
			f.paragraph(f.sentences(cause, k.T("take.keep_number", number))),
			f.paragraph(k.T(staff)))
	}
	return layout.NewSpacer()
}

// printSlip prints the ticket's slip, unless the kiosk has no ticket
// printer; a failure calls staff. The screen follows.
func (f *takeFlow) printSlip() {
	k := f.k
	if k.dev.Slips == nil {
		f.slip = slipNoPrinter
		return
	}
	slip := f.escposSlip()
	f.slip = slipPrinting
	k.goAsync(func(context.Context) error {
		_, err := k.dev.Slips.PrintSlip(slip)
		return err
	}, func(err error) {
		if err != nil {
			f.slip, f.printErr = slipFailed, err
			f.callStaff()
		} else {
			f.slip = slipPrinted
		}
		f.refresh()
	})
}

// callStaff alerts the supervisors that the kiosk's printer needs them,
// through the one-touch help call.
func (f *takeFlow) callStaff() {
	k := f.k
	h, ok := k.hallNow().(helpCaller)
	if !ok {
		f.staff = alertFailed
		return
	}
	f.staff = alertSending
	k.goAsync(func(ctx context.Context) error { return h.CallHelp(ctx) }, func(err error) {
		f.staff = alertSent
		if err != nil {
			f.staff = alertFailed
		}
		f.refresh()
	})
}

// escposSlip is what the ticket printer prints: the hall, the queue in Chinese
// and English, the number, people ahead, the wait, the time, the QR code
// to follow the queue and a short note (the elderly priority first).
func (f *takeFlow) escposSlip() escpos.Slip {
	k := f.k
	t := f.ticket
	hall := t.Hall.Name
	if hall == "" {
		hall = k.hallInfo.Name
	}
	note := k.T("take.slip_note")
	if t.Priority == string(queue.Elderly) {
		note = k.T("take.slip_priority") + "\n" + note
	}
	return escpos.Slip{Hall: hall, Queue: t.Status.QueueName, QueueEn: t.Status.QueueNameEn,
		Number: t.Number, Ahead: t.Status.Ahead, Wait: time.Duration(t.Status.EstimatedWait) * time.Second,
		IssuedAt: t.Status.IssuedAt, URL: ticketFollowURL(k.cfg.ServerURL, t.Token), Note: note}
}

// ticketFollowURL is the address that follows a ticket on a phone: the hall
// server's base URL + "/t/" + the ticket's token. Scheme and host are
// written in capitals (they are case-insensitive, RFC 3986 §3.1, §3.2.2);
// the path and the token stay as they are, since the server matches them
// exactly. Empty when there is no server URL or the address would not be
// printable ASCII, which the slip's QR code needs (escpos.Slip.URL).
func ticketFollowURL(base, token string) string {
	if base == "" || token == "" {
		return ""
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	s := strings.ToUpper(u.Scheme) + "://" + strings.ToUpper(u.Host) +
		strings.TrimRight(u.EscapedPath(), "/") + "/t/" + url.PathEscape(token)
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7E {
			return ""
		}
	}
	return s
}
