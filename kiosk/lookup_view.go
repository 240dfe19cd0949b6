package kiosk

import (
	"image/color"
	"strconv"
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

// One application, in plain words: what it is, the steps with their
// times, where it stands (in progress, waiting for the person's
// materials, paused, completed and how), the time limits with the days
// used and left, and the supervision warning — every colour said in words
// too, and its certificates with a way to print them.

// The steps of an application, in order, as the hall server names them.
var lookupSteps = []string{"accept", "review", "decide", "make", "deliver"}

// Application statuses and outcomes, as the hall server names them.
const (
	appInProgress = "in_progress"
	appAwaiting   = "awaiting_materials"
	appSuspended  = "suspended"
	appCompleted  = "completed"
	appApproved   = "approved"
	appRejected   = "rejected"
	appWithdrawn  = "withdrawn"
)

// resultScreen shows one application.
func (f *lookupFlow) resultScreen() fyne.CanvasObject {
	k := f.k
	f.hooks()
	a := f.app
	title := k.heading(k.itemName(a))
	who := k.T("lookup.number", map[string]string{"Number": a.Number})
	if a.ApplicantName != "" {
		// Masked whatever the hall server sent: others may be looking.
		who += "    " + k.T("lookup.applicant", map[string]string{"Name": idcard.MaskName(a.ApplicantName)})
	}
	meta := k.plain(who)
	now := container.NewGridWithColumns(2, f.statusPanel(a), f.clockPanel(a))
	parts := []fyne.CanvasObject{title, meta, f.stepBar(a), now}
	if c := f.certsPanel(a); c != nil {
		parts = append(parts, c) // before the limits: it is what to do next
	}
	parts = append(parts, f.limitTiles(a))
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// summary is the application's state in a few words and its tone, for
// the list: the status, and for one in progress how its time stands.
func (f *lookupFlow) summary(a api.Application) (string, lookupTone) {
	k := f.k
	switch a.Status {
	case appCompleted:
		t, _, tone := f.outcome(a)
		return t, tone
	case appAwaiting:
		return k.T("lookup.status_awaiting"), toneWarn
	case appSuspended:
		return k.T("lookup.status_suspended", map[string]string{"Reason": f.suspendReason(a)}), toneInfo
	}
	s := k.T("lookup.status_in_progress", map[string]string{"Step": k.T("lookup.step_" + a.Step)})
	w, tone := f.warning(a)
	return s + " · " + w, tone
}

// outcome is a completed application's title, body and tone.
func (f *lookupFlow) outcome(a api.Application) (title, body string, tone lookupTone) {
	k := f.k
	body = k.T("lookup.completed_at", map[string]string{"Time": k.lookupTime(a.CompletedAt)})
	switch a.Outcome {
	case appApproved:
		return k.T("lookup.status_approved"), body, toneGood
	case appRejected:
		if n := f.lastNote("complete"); n != "" {
			body += "\n" + k.T("lookup.reason", map[string]string{"Note": n})
		}
		return k.T("lookup.status_rejected"), body, toneBad
	}
	return k.T("lookup.status_withdrawn"), body, toneNeutral
}

// lastNote is the note of the application's last event of the kind.
func (f *lookupFlow) lastNote(kind string) string {
	ev := f.app.Events
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Kind == kind {
			return ev[i].Note
		}
	}
	return ""
}

// suspendReason names why the clock is suspended, in the kiosk's
// language; the hall server's note when the reason is not a known one.
func (f *lookupFlow) suspendReason(a api.Application) string {
	for i := len(a.Events) - 1; i >= 0; i-- {
		if ev := a.Events[i]; ev.Kind == "suspend" {
			if id := "lookup.suspend_" + ev.Suspend; f.k.tr.Has(id) {
				return f.k.T(id)
			}
			break
		}
	}
	return a.Clock.Stopped
}

// statusPanel says where the application stands and, when it waits for
// the person, what to do.
func (f *lookupFlow) statusPanel(a api.Application) fyne.CanvasObject {
	k := f.k
	switch a.Status {
	case appCompleted:
		title, body, tone := f.outcome(a)
		return k.lookupPanel(tone, title, k.plain(body))
	case appAwaiting:
		note := a.Clock.Stopped
		if n := f.lastNote("request_materials"); n != "" {
			note = n
		}
		return k.lookupPanel(toneWarn, k.T("lookup.status_awaiting"),
			k.plain(k.T("lookup.awaiting_body", map[string]string{"Note": note})))
	case appSuspended:
		return k.lookupPanel(toneInfo, k.T("lookup.status_suspended", map[string]string{"Reason": f.suspendReason(a)}),
			k.plain(k.T("lookup.suspended_body")))
	}
	body := []fyne.CanvasObject{k.plain(k.T("lookup.accepted", map[string]string{"Time": k.lookupTime(a.AcceptedAt)}))}
	for i, s := range lookupSteps[:len(lookupSteps)-1] {
		if s == a.Step {
			body = append(body, k.plain(k.T("lookup.next_step", map[string]string{"Step": k.T("lookup.step_" + lookupSteps[i+1])})))
		}
	}
	return k.lookupPanel(toneInfo, k.T("lookup.status_in_progress", map[string]string{"Step": k.T("lookup.step_" + a.Step)}), body...)
}

// warning is the supervision warning in words and its tone.
func (f *lookupFlow) warning(a api.Application) (string, lookupTone) {
	switch a.Clock.Warning {
	case "red":
		return f.k.T("lookup.warn_red"), toneBad
	case "yellow":
		return f.k.T("lookup.warn_yellow"), toneWarn
	}
	return f.k.T("lookup.warn_none"), toneGood
}

// clockPanel is the supervision warning in words (or the pause, or how
// the finished application kept to its limit), with what it means.
func (f *lookupFlow) clockPanel(a api.Application) fyne.CanvasObject {
	k := f.k
	c := a.Clock
	var title, body string
	var tone lookupTone
	switch {
	case a.Status == appCompleted:
		title, tone = k.T("lookup.done_on_time"), toneGood
		if c.Warning == "red" {
			title, tone = k.T("lookup.done_late"), toneWarn
		}
	case a.Status == appAwaiting || a.Status == appSuspended:
		title, body, tone = k.T("lookup.warn_paused"), k.T("lookup.warn_paused_body"), toneInfo
	default:
		title, tone = f.warning(a)
		switch c.Warning {
		case "red":
			body = k.T("lookup.warn_red_body", map[string]any{"Days": -c.PromisedLeft})
		case "yellow":
			body = k.T("lookup.warn_yellow_body", map[string]any{"Days": c.PromisedLeft})
		default:
			body = k.T("lookup.warn_none_body")
		}
	}
	var lines []fyne.CanvasObject
	if body != "" {
		lines = append(lines, k.plain(body))
	}
	if c.OverLegal {
		l := k.plain(k.T("lookup.over_legal"))
		// (no bold: see Kiosk.text)
		lines = append(lines, l)
	}
	return k.lookupPanel(tone, title, lines...)
}

// limitTiles are the time limits as large numbers side by side: the
// legal and promised limits, the working days used and those left (or
// over, or frozen while the clock is paused) — the last in the warning's
// colour, with the last day.
func (f *lookupFlow) limitTiles(a api.Application) fyne.CanvasObject {
	k := f.k
	c := a.Clock
	tiles := container.NewGridWithColumns(4)
	tiles.Add(k.limitTile(k.T("lookup.tile_legal"), c.LegalLimit, "", colText))
	if c.PromisedLimit > 0 {
		tiles.Add(k.limitTile(k.T("lookup.tile_promised"), c.PromisedLimit, "", colText))
	} else if a.Instant {
		tiles.Add(k.limitTile(k.T("lookup.tile_promised"), 0, k.T("lookup.instant"), colText))
	}
	if a.Status == appCompleted {
		tiles.Add(k.limitTile(k.T("lookup.tile_took"), c.Used, "", colText))
	} else {
		tiles.Add(k.limitTile(k.T("lookup.tile_used"), c.Used, "", colText))
		tiles.Add(f.leftTile(a))
	}
	parts := []fyne.CanvasObject{k.text(k.T("lookup.limits_title"), k.theme.sizes.SubHeading, true, colText), tiles}
	if c.Provisional {
		l := k.plain(k.T("lookup.provisional"))
		l.SizeName = theme.SizeNameCaptionText
		parts = append(parts, l)
	}
	return container.NewVBox(parts...)
}

// leftTile is the working days left of the promised limit (the legal one
// for an item without a promise), with the last day.
func (f *lookupFlow) leftTile(a api.Application) fyne.CanvasObject {
	k := f.k
	c := a.Clock
	n, deadline := c.PromisedLeft, c.PromisedDeadline
	if c.PromisedLimit == 0 {
		n, deadline = c.LegalLeft, c.LegalDeadline
	}
	_, tone := f.warning(a)
	switch {
	case a.Status == appAwaiting || a.Status == appSuspended:
		return k.limitTile(k.T("lookup.tile_left"), max(n, 0), k.T("lookup.tile_paused"), colPrimary)
	case n < 0:
		return k.limitTile(k.T("lookup.tile_over"), -n, "", tone.color())
	case n == 0:
		return k.limitTile(k.T("lookup.tile_left"), 0, k.T("lookup.tile_today"), tone.color())
	}
	return k.limitTile(k.T("lookup.tile_left"), n, k.T("lookup.tile_deadline", map[string]string{"Date": k.lookupDay(deadline)}), tone.color())
}

// limitTile is one figure: what it is, the number of working days large,
// and a note under it.
func (k *Kiosk) limitTile(what string, days int, note string, c color.Color) fyne.CanvasObject {
	label := k.text(what, k.theme.sizes.Text, false, colMuted)
	num := k.text(strconv.Itoa(days), k.theme.sizes.Heading, true, c)
	unit := k.text(k.T("lookup.unit_days", map[string]any{"Days": days}), k.theme.sizes.Text, false, c)
	figure := container.NewHBox(num, container.NewCenter(unit))
	parts := []fyne.CanvasObject{label, figure}
	if note != "" {
		n := k.plain(note)
		n.SizeName = theme.SizeNameCaptionText
		parts = append(parts, n)
	}
	bg := canvas.NewRectangle(colButton)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = colSeparator, 2, 8
	return container.NewStack(bg, container.NewPadded(container.NewVBox(parts...)))
}

// plain is a paragraph that wraps as its language does: Chinese between
// any two characters (it has no spaces to wait for), English between
// words.
func (k *Kiosk) plain(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	if k.lang == Chinese {
		l.Wrapping = fyne.TextWrapBreak
	}
	return l
}

// lookupStepState is how far a step is.
type lookupStepState int

const (
	lookupStepTodo    lookupStepState = iota // not reached yet
	lookupStepCurrent                        // being handled (or paused in it)
	lookupStepDone                           // done
	lookupStepSkipped                        // the application ended before it
)

// stepBar shows the five steps side by side, as a bar in segments: done
// (green, ✓, "done" and its time), the current one (blue, its number,
// "in progress"), those to come (grey, "not yet"), and after an early end
// "not needed".
func (f *lookupFlow) stepBar(a api.Application) fyne.CanvasObject {
	k := f.k
	reached := 0
	for i, s := range lookupSteps {
		if s == a.Step {
			reached = i
		}
	}
	at := f.stepTimes(a)
	bar := container.NewGridWithColumns(len(lookupSteps))
	for i, s := range lookupSteps {
		st := lookupStepTodo
		switch {
		case i < reached, i == reached && a.Status == appCompleted:
			st = lookupStepDone
		case i == reached:
			st = lookupStepCurrent
		case a.Status == appCompleted:
			st = lookupStepSkipped
		}
		bar.Add(k.lookupStepCell(i+1, k.T("lookup.step_"+s), st, at[s]))
	}
	head := k.text(k.T("lookup.steps_title"), k.theme.sizes.SubHeading, true, colText)
	return container.NewVBox(head, bar)
}

// stepTimes is when each step was reached.
func (f *lookupFlow) stepTimes(a api.Application) map[string]time.Time {
	at := map[string]time.Time{"accept": a.AcceptedAt}
	for _, ev := range a.Events {
		if ev.Kind == "advance" && ev.Step != "" {
			at[ev.Step] = ev.At
		}
	}
	return at
}

// lookupStepCell is one step of the bar: a coloured segment, a round marker
// (✓ or the step's number), the step's name, its state in words and the
// time it was reached.
func (k *Kiosk) lookupStepCell(n int, name string, st lookupStepState, at time.Time) fyne.CanvasObject {
	var fill, mark color.Color = colSeparator, colText
	symbol, word, wordColor := strconv.Itoa(n), k.T("lookup.step_todo"), colMuted
	switch st {
	case lookupStepDone:
		fill, mark, symbol, word, wordColor = colSuccess, colOnPrimary, "✓", k.T("lookup.step_done"), colSuccess
	case lookupStepCurrent:
		fill, mark, word, wordColor = colPrimary, colOnPrimary, k.T("lookup.step_current"), colPrimary
	case lookupStepSkipped:
		word = k.T("lookup.step_skipped")
	}
	segment := canvas.NewRectangle(fill)
	segment.SetMinSize(fyne.NewSize(0, 8))
	d := k.theme.sizes.Target * 0.7
	circle := canvas.NewCircle(fill)
	sym := k.text(symbol, k.theme.sizes.SubHeading, true, mark)
	sym.Alignment = fyne.TextAlignCenter
	marker := container.NewCenter(container.New(&minSize{fyne.NewSize(d, d)}, circle, container.NewCenter(sym)))
	center := func(t *canvas.Text) *canvas.Text { t.Alignment = fyne.TextAlignCenter; return t }
	label := center(k.text(name, k.theme.sizes.Text, true, colText))
	state := center(k.text(word, k.theme.sizes.Caption, st == lookupStepCurrent, wordColor))
	when := " "
	if !at.IsZero() && st != lookupStepTodo && st != lookupStepSkipped {
		when = k.lookupTime(at)
	}
	return container.NewVBox(segment, marker, label, state, center(k.text(when, k.theme.sizes.Caption, false, colMuted)))
}

// certsPanel lists the application's certificates with a button to print
// them (the certificate flow asks for the ID card if it is not placed);
// nil when there are none (a kiosk reading by number is not told them).
func (f *lookupFlow) certsPanel(a api.Application) fyne.CanvasObject {
	k := f.k
	if len(a.Certificates) == 0 {
		return nil
	}
	var lines []fyne.CanvasObject
	printable := false
	for _, c := range a.Certificates {
		s := k.T("lookup.cert_line", map[string]string{"Title": k.certTitle(c), "Date": k.lookupDate(c.IssuedAt)})
		if c.Revoked {
			s = k.T("lookup.cert_revoked", map[string]string{"Title": k.certTitle(c)})
		} else {
			printable = true
		}
		lines = append(lines, k.plain(s))
	}
	box := container.NewVBox(lines...)
	var action fyne.CanvasObject
	if printable {
		action = container.NewCenter(k.bigButton(k.T("lookup.print_cert"), theme.DocumentPrintIcon(), true, func() {
			k.show(page{"certs", k.certsScreen})
		}))
	}
	return k.lookupPanel(toneNeutral, k.T("lookup.certs_title"), container.NewBorder(nil, nil, nil, action, box))
}

// lookupTone is the tone of a panel: its colour, its icon — and always
// words that say the same.
type lookupTone int

const (
	toneInfo lookupTone = iota
	toneGood
	toneWarn
	toneBad
	toneNeutral
)

// color is the tone's text colour (≥ 4.5:1 on its panel and on the
// background).
func (t lookupTone) color() color.Color {
	switch t {
	case toneGood:
		return colSuccess
	case toneWarn:
		return colWarning
	case toneBad:
		return colDanger
	case toneNeutral:
		return colMuted
	}
	return colPrimary
}

// look is the tone's panel colour, icon and the theme colour of its title.
func (t lookupTone) look() (bg color.Color, icon fyne.Resource, title fyne.ThemeColorName) {
	switch t {
	case toneGood:
		return color.NRGBA{0xE6, 0xF4, 0xEA, 0xFF}, theme.NewSuccessThemedResource(theme.ConfirmIcon()), theme.ColorNameSuccess
	case toneWarn:
		return color.NRGBA{0xFF, 0xF4, 0xDC, 0xFF}, theme.NewWarningThemedResource(theme.WarningIcon()), theme.ColorNameWarning
	case toneBad:
		return color.NRGBA{0xFB, 0xE9, 0xE9, 0xFF}, theme.NewErrorThemedResource(theme.ErrorIcon()), theme.ColorNameError
	case toneNeutral:
		return colButton, theme.DocumentIcon(), theme.ColorNameForeground
	}
	return color.NRGBA{0xE8, 0xF0, 0xFA, 0xFF}, theme.NewPrimaryThemedResource(theme.InfoIcon()), theme.ColorNamePrimary
}

// lookupPanel is a panel in the tone: an icon and a bold title in the
// tone's colour (wrapping), then the body.
func (k *Kiosk) lookupPanel(t lookupTone, title string, body ...fyne.CanvasObject) fyne.CanvasObject {
	bgColor, icon, titleColor := t.look()
	bg := canvas.NewRectangle(bgColor)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = t.color(), 2, 8
	if t == toneNeutral {
		bg.StrokeColor = colSeparator
	}
	head := widget.NewRichText(&widget.TextSegment{Text: title, Style: widget.RichTextStyle{
		ColorName: titleColor, SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{}}})
	head.Wrapping = fyne.TextWrapWord
	s := k.theme.sizes.Target * 0.6
	mark := container.NewCenter(container.New(&minSize{fyne.NewSize(s, s)}, widget.NewIcon(icon)))
	top := container.NewBorder(nil, nil, mark, nil, head)
	return container.NewStack(bg, container.NewPadded(container.NewVBox(append([]fyne.CanvasObject{top}, body...)...)))
}

// lookupWay is one way to look up on the entry screen: a framed panel
// with an icon and a title.
func (k *Kiosk) lookupWay(icon fyne.Resource, title string, body ...fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(colBackground) // white buttons stand out
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = colSeparator, 2, 8
	head := k.text(title, k.theme.sizes.SubHeading, true, colText)
	var top fyne.CanvasObject = head
	if icon != nil {
		s := k.theme.sizes.Target * 0.8
		top = container.NewBorder(nil, nil, container.New(&minSize{fyne.NewSize(s, s)}, widget.NewIcon(icon)), nil, head)
	}
	return container.NewStack(bg, container.NewPadded(container.NewVBox(append([]fyne.CanvasObject{top}, body...)...)))
}

// itemName is the application's item in the kiosk's language: the
// catalogue's English name in English, when it has one.
func (k *Kiosk) itemName(a api.Application) string {
	if k.lang == English && k.cat != nil {
		if it, ok := k.cat.Item(a.Item); ok && it.NameEn != "" {
			return it.NameEn
		}
	}
	return a.ItemName
}

// certTitle is the certificate's title in the kiosk's language: the
// catalogue's English title of its type in English, when it has one.
func (k *Kiosk) certTitle(c api.Certificate) string {
	if k.lang == English && k.cat != nil {
		for _, it := range k.cat.Items {
			if s := it.Certificate; s != nil && s.Type == c.Type && s.TitleEn != "" {
				return s.TitleEn
			}
		}
	}
	return c.Title
}

// lookupTime is a time of day and date in the hall's zone, as people
// write it in the kiosk's language ("11月26日 09:30").
func (k *Kiosk) lookupTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workday.Location).Format(k.T("lookup.layout_time"))
}

// lookupDate is a date in the hall's zone ("2026年11月26日").
func (k *Kiosk) lookupDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workday.Location).Format(k.T("lookup.layout_date"))
}

// lookupDay is a YYYY-MM-DD date from the hall server as lookupDate
// writes it; as it came when it does not parse.
func (k *Kiosk) lookupDay(s string) string {
	t, err := time.ParseInLocation(time.DateOnly, s, workday.Location)
	if err != nil {
		return s
	}
	return k.lookupDate(t)
}
