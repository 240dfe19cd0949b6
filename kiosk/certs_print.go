package kiosk

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/a4"
	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// Printing one certificate, in three stages shown on a progress bar:
// check the A4 printer (so that a printer that is off or missing costs
// nothing: the hall server has recorded no print yet), ask the hall server
// for the copy (it records the print and returns the PDF, marked as a
// reprint after the first copy), send the PDF to the printer. The screen
// then says where to take the paper, that it is a copy when it is one, or
// what went wrong and what to do.

// printStage is how far a print is.
type printStage int

const (
	stageCheck printStage = iota + 1 // checking the printer
	stageFetch                       // the hall server renders and records the copy
	stageSend                        // sending the PDF to the printer
	stageCount = stageSend
)

// certPrint is one print: the certificate, the stage reached, and how it
// ended.
type certPrint struct {
	cert  api.Certificate
	stage printStage
	bar   *widget.ProgressBar
	// copyNo is the copy the hall server recorded (1 the original, 2 and
	// up reprints); 0 when it recorded none.
	copyNo int
	// failed says what went wrong for the person; detail is the
	// technical reason, for staff.
	failed, detail string
}

// Errors of a print that the screen tells apart.
var (
	// errNoPrinter: the kiosk has no A4 printer configured.
	errNoPrinter = errors.New("kiosk: no A4 printer is configured (set a4_queue or a4_folder in technician mode)")
)

// printerDownError is a printer found not ready before anything was
// recorded.
type printerDownError struct{ err error }

func (e *printerDownError) Error() string { return e.err.Error() }
func (e *printerDownError) Unwrap() error { return e.err }

// printFailedError is a printer that failed after the hall server recorded
// the copy.
type printFailedError struct{ err error }

func (e *printFailedError) Error() string { return e.err.Error() }
func (e *printFailedError) Unwrap() error { return e.err }

// startPrint prints c for the holder of the card in the session (the
// hall server checks it is theirs).
func (f *certsFlow) startPrint(c api.Certificate) {
	k := f.k
	card := k.session.Card
	if card == nil {
		f.card, f.loaded = nil, false
		k.render()
		return
	}
	f.prints++
	run := f.prints
	f.print = certPrint{cert: c, stage: stageCheck}
	k.replace(f.owner.page("certs_printing", f.printingScreen))
	pages, hall, id, serial, title := k.dev.Pages, k.hallNow(), card.IDNumber, c.Serial, c.Title
	var copyNo int
	k.goAsync(func(ctx context.Context) error {
		if pages == nil {
			return &printerDownError{errNoPrinter}
		}
		if err := printerReady(ctx, pages); err != nil {
			return &printerDownError{err}
		}
		k.do(func() { f.setStage(run, stageFetch) })
		pdf, n, err := hall.PrintCertificate(ctx, serial, id)
		if err != nil {
			return err
		}
		copyNo = n
		// The holder may have left (card taken away, idle, Home) while
		// the copy was fetched: then nothing goes to the printer for the
		// next person to pick up (the session's context has ended).
		if err := ctx.Err(); err != nil {
			return err
		}
		k.do(func() { f.setStage(run, stageSend) })
		if _, err := pages.Print(ctx, pdf, title); err != nil {
			return &printFailedError{err}
		}
		return nil
	}, func(err error) {
		if run != f.prints || !f.owner.onScreen() {
			return
		}
		f.printed(copyNo, err)
	})
}

// printerReady reports why the printer cannot print now, or nil.
func printerReady(ctx context.Context, p a4.Printer) error {
	st, err := p.Status(ctx)
	if err != nil {
		return err
	}
	if !st.Ready() {
		return fmt.Errorf("a4: printer %s: %s", st.State, st.Reason)
	}
	return nil
}

// setStage moves the progress bar on, if the print is still on screen.
func (f *certsFlow) setStage(run int, s printStage) {
	if run != f.prints || !f.owner.onScreen() {
		return
	}
	f.print.stage = s
	if b := f.print.bar; b != nil {
		b.SetValue(float64(s) / float64(stageCount+1))
	}
}

// printed shows how the print ended.
func (f *certsFlow) printed(copyNo int, err error) {
	k := f.k
	p := &f.print
	p.copyNo = copyNo
	if err == nil {
		k.replace(f.owner.page("certs_done", f.doneScreen))
		return
	}
	p.detail = err.Error()
	var down *printerDownError
	var failed *printFailedError
	switch {
	case errors.Is(err, errNoPrinter):
		p.failed = k.T("certs.no_printer")
	case errors.As(err, &down):
		p.failed = k.T("certs.printer_down")
	case errors.As(err, &failed):
		p.failed = k.T("certs.print_failed")
	case errors.Is(err, client.ErrForbidden):
		p.failed = k.T("certs.not_holder")
	case errors.Is(err, client.ErrConflict):
		p.failed = k.T("certs.not_printable")
	default:
		p.failed = k.errText(err)
	}
	k.replace(f.owner.page("certs_failed", f.failedScreen))
}

// printingScreen shows the print under way: the certificate, a progress
// bar with the stage in words, and to leave the card where it is.
func (f *certsFlow) printingScreen() fyne.CanvasObject {
	k := f.k
	p := &f.print
	bar := widget.NewProgressBar()
	bar.SetValue(float64(p.stage) / float64(stageCount+1))
	bar.TextFormatter = func() string { return k.T(stageKeys[f.print.stage]) }
	p.bar = bar
	s := k.theme.sizes.Target * 1.5
	icon := container.NewCenter(container.New(&minSize{fyne.NewSize(s, s)},
		widget.NewIcon(theme.NewPrimaryThemedResource(theme.DocumentPrintIcon()))))
	title := k.text(k.T("certs.printing"), k.theme.sizes.Heading, true, colPrimary)
	title.Alignment = fyne.TextAlignCenter
	what := k.text(k.certTitle(p.cert), k.theme.sizes.SubHeading, true, colText)
	what.Alignment = fyne.TextAlignCenter
	body := k.plain(k.T("certs.printing_body"))
	body.Alignment = fyne.TextAlignCenter
	barBox := container.New(&minSize{fyne.NewSize(0, k.theme.sizes.Target)}, bar)
	return container.NewPadded(container.NewVBox(icon, title, what, barBox, body))
}

// stageKeys are the stages' words.
var stageKeys = map[printStage]string{stageCheck: "certs.stage_check", stageFetch: "certs.stage_fetch", stageSend: "certs.stage_print"}

// doneScreen says the certificate is printed and, large, where to take
// it — with an arrow down to the printer — and that it is a copy when it
// is one.
func (f *certsFlow) doneScreen() fyne.CanvasObject {
	k := f.k
	p := &f.print
	s := k.theme.sizes.Target * 1.5
	icon := container.NewCenter(container.New(&minSize{fyne.NewSize(s, s)},
		widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))))
	title := k.text(k.T("certs.done"), k.theme.sizes.Heading, true, colSuccess)
	title.Alignment = fyne.TextAlignCenter
	what := k.text(k.certTitle(p.cert), k.theme.sizes.SubHeading, false, colText)
	what.Alignment = fyne.TextAlignCenter
	take := widget.NewRichText(&widget.TextSegment{Text: k.T("certs.done_body"), Style: widget.RichTextStyle{
		Alignment: fyne.TextAlignCenter, SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{}}})
	take.Wrapping = k.plain("").Wrapping
	parts := []fyne.CanvasObject{icon, title, what, take}
	if p.copyNo > 1 {
		parts = append(parts, k.lookupPanel(toneWarn, k.T("certs.done_copy", map[string]any{"Copy": p.copyNo})))
	}
	down := container.NewCenter(container.New(&minSize{fyne.NewSize(s, s)},
		widget.NewIcon(theme.NewPrimaryThemedResource(theme.MoveDownIcon()))))
	again := k.bigButton(k.T("certs.print_another"), theme.DocumentPrintIcon(), false, f.backToList)
	parts = append(parts, down, container.NewCenter(again))
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// failedScreen says the certificate was not printed, why in plain words,
// what to do (call staff: one button), and the technical reason small,
// for the staff who come.
func (f *certsFlow) failedScreen() fyne.CanvasObject {
	k := f.k
	p := &f.print
	tech := k.plain(k.T("certs.tech", map[string]string{"Detail": p.detail}))
	tech.SizeName, tech.Importance = theme.SizeNameCaptionText, widget.LowImportance
	panel := k.lookupPanel(toneBad, k.T("certs.failed"), k.text(k.certTitle(p.cert), k.theme.sizes.SubHeading, true, colText),
		k.plain(p.failed), tech)
	buttons := container.NewGridWithColumns(3,
		k.target(k.helpButton()),
		k.bigButton(k.T("certs.try_again"), theme.ViewRefreshIcon(), false, func() { f.startPrint(p.cert) }),
		k.bigButton(k.T("certs.back_to_list"), theme.ListIcon(), false, f.backToList),
	)
	return container.NewVScroll(container.NewPadded(container.NewVBox(k.heading(k.T("certs.title")), panel, buttons)))
}

// backToList shows the list again, read afresh (the prints changed).
func (f *certsFlow) backToList() {
	k := f.k
	f.prints++
	f.print = certPrint{}
	k.replace(f.owner.page("certs", f.listScreen))
	if c := k.session.Card; c != nil {
		f.load(*c)
	}
}
