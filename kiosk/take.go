package kiosk

import (
	"context"
	"errors"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/idcard"
	"onestop/hallserver/api"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/client"
	"onestop/hallserver/queue"
)

// Take a number (取号): 取号 → department → item issues the ticket (three
// taps), or 取号 → queue for those who know their queue (two). An ID card,
// already read or placed during the flow, greets the person and brings
// the elderly priority when the hall's policy gives it. The result screen
// shows the number, people ahead, the wait and the QR code to follow the
// queue on a phone, and the slip is printed; when the printer cannot
// print, the number and its QR stay on screen with what to do.
//
// The screens are "take" (departments and queues), "take.items" (one
// department's items) and "take.result" (issuing, the ticket, or why
// there is none).

// takeFlow is one person's way through taking a number: the choice, the
// ticket and how printing went. Its screens are built from it; it lives
// only in the closures of its pages, so ending the session (which drops
// them) drops it, ticket and all.
type takeFlow struct {
	k *Kiosk
	// root is the object this flow's screen last built: the flow's
	// results are shown only while it is on display.
	root fyne.CanvasObject

	dept string // the department chosen, for take.items

	// What was asked for (to try again) and what came back.
	req      api.IssueRequest
	issuing  bool
	ticket   *api.IssuedTicket
	issueErr error

	slip slipState
	// printErr is the printer's failure (slipFailed).
	printErr error
	// staff is how the call for staff went after a printer failure.
	staff staffAlert
}

// slipState is where the slip is.
type slipState int

const (
	slipPending   slipState = iota // nothing to print yet
	slipPrinting                   // sent to the printer
	slipPrinted                    // out: take it
	slipFailed                     // the printer could not print (printErr)
	slipNoPrinter                  // the kiosk has no ticket printer
)

// staffAlert is how the call for staff about a printer failure went.
type staffAlert int

const (
	alertSending staffAlert = iota
	alertSent
	alertFailed
)

// takeScreen starts the flow: the departments, and the queues for those
// who know theirs.
func (k *Kiosk) takeScreen() fyne.CanvasObject {
	f := &takeFlow{k: k}
	return f.departmentsScreen()
}

// page is a screen of this flow, remembering what it built.
func (f *takeFlow) page(name string, build func() fyne.CanvasObject) page {
	return page{name, func() fyne.CanvasObject {
		f.root = build()
		return f.root
	}}
}

// shown reports whether the screen on display is this flow's, not
// another screen after Home, Back or the idle reset, nor a later flow's.
func (f *takeFlow) shown() bool {
	b := f.k.body.Objects
	return f.root != nil && len(b) == 1 && b[0] == f.root
}

// refresh redraws the flow's screen after its state changed.
func (f *takeFlow) refresh() {
	if f.shown() {
		f.k.render()
	}
}

// departmentsScreen lists the departments, then the queues.
func (f *takeFlow) departmentsScreen() fyne.CanvasObject {
	k := f.k
	f.root = nil
	k.onCard = f.cardPlaced
	parts := []fyne.CanvasObject{k.heading(k.T("take.choose_dept")),
		k.text(k.T("take.choose_dept_sub"), k.theme.sizes.Text, false, colMuted)}
	if p := f.cardPanel(); p != nil {
		parts = append(parts, p)
	}
	if !k.online {
		parts = append(parts, k.offlinePanel())
	}
	cat := k.cat
	if cat == nil {
		parts = append(parts, f.paragraph(k.T("take.no_catalogue")))
		return f.keep(container.NewVScroll(container.NewPadded(container.NewVBox(parts...))))
	}
	depts := takeDepartments(cat)
	labels := make([]string, len(depts))
	for i, d := range depts {
		labels[i] = f.pick(d.Name, d.NameEn)
	}
	cols, labels := f.fitChoices(labels, theme.NavigateNextIcon(), f.maxColumns(3))
	grid := container.NewGridWithColumns(cols)
	for i, d := range depts {
		b := k.button(labels[i], theme.NavigateNextIcon(), false, func() { f.showItems(d.Code) })
		b.Alignment = widget.ButtonAlignLeading
		if !k.online {
			b.Disable()
		}
		grid.Add(k.target(b))
	}
	parts = append(parts, grid, widget.NewSeparator(),
		k.text(k.T("take.by_queue"), k.theme.sizes.SubHeading, true, colText))
	qlabels := make([]string, len(cat.Queues))
	for i, q := range cat.Queues {
		qlabels[i] = q.Code + "  " + f.pick(q.Name, q.NameEn)
	}
	cols, qlabels = f.fitChoices(qlabels, nil, f.maxColumns(6))
	queues := container.NewGridWithColumns(cols)
	for i, q := range cat.Queues {
		b := k.button(qlabels[i], nil, false, func() { f.issue(api.IssueRequest{Queue: q.Code}) })
		if !k.online {
			b.Disable()
		}
		queues.Add(k.target(b))
	}
	parts = append(parts, queues)
	return f.keep(container.NewVScroll(container.NewPadded(container.NewVBox(parts...))))
}

// keep notes obj as the flow's screen and returns it (for screens built
// outside page, such as the first).
func (f *takeFlow) keep(obj fyne.CanvasObject) fyne.CanvasObject {
	f.root = obj
	return obj
}

// maxColumns is how many choices a row holds at most: half as many in
// elderly mode, so that each is larger.
func (f *takeFlow) maxColumns(standard int) int {
	if f.k.elderly {
		return (standard + 1) / 2
	}
	return standard
}

// takeDepartments lists the departments that have items, grouped as
// the hall's queues serve them (queue A's first), the way the hall floor
// is laid out; any left over follow in catalogue order.
func takeDepartments(cat *catalogue.Catalogue) []catalogue.Department {
	var out []catalogue.Department
	seen := map[string]bool{}
	add := func(code string) {
		d, ok := cat.Department(code)
		if ok && !seen[code] && len(cat.ItemsOf(code)) > 0 {
			seen[code] = true
			out = append(out, d)
		}
	}
	qs := slices.Clone(cat.Queues)
	slices.SortStableFunc(qs, func(a, b catalogue.Queue) int { return strings.Compare(a.Code, b.Code) })
	for _, q := range qs {
		for _, code := range q.Departments {
			add(code)
		}
	}
	for _, d := range cat.Departments {
		add(d.Code)
	}
	return out
}

// showItems opens a department's items.
func (f *takeFlow) showItems(dept string) {
	f.dept = dept
	f.k.show(f.page("take.items", f.itemsScreen))
}

// itemsScreen lists one department's items, one per row with the name
// large (wrapped when long); a tap issues the ticket.
func (f *takeFlow) itemsScreen() fyne.CanvasObject {
	k := f.k
	k.onCard = f.cardPlaced
	var d catalogue.Department
	var items []catalogue.Item
	if k.cat != nil {
		d, _ = k.cat.Department(f.dept)
		items = k.cat.ItemsOf(f.dept)
	}
	parts := []fyne.CanvasObject{k.heading(k.T("take.choose_item")),
		k.text(f.pick(d.Name, d.NameEn), k.theme.sizes.SubHeading, true, colPrimary)}
	if p := f.cardPanel(); p != nil {
		parts = append(parts, p)
	}
	if !k.online {
		parts = append(parts, k.offlinePanel())
	}
	if len(items) == 0 {
		parts = append(parts, f.paragraph(k.T("take.no_items")))
	}
	size := k.theme.sizes.SubHeading
	width := f.screenWidth() - 8*k.theme.sizes.Padding - k.theme.sizes.Text*1.2
	list := container.NewVBox()
	for _, it := range items {
		b := k.button(takeWrap(f.pick(it.Name, it.NameEn), size, width), nil, false, func() {
			f.issue(api.IssueRequest{Item: it.Code})
		})
		b.Alignment = widget.ButtonAlignLeading
		if !k.online {
			b.Disable()
		}
		list.Add(k.target(b))
	}
	big := container.NewThemeOverride(list, &takeTextTheme{Theme: k.theme, size: size})
	parts = append(parts, big)
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// cardPanel greets the person whose ID card was read, and says whether
// they get the elderly priority; without a card, it invites one (when the
// kiosk has a reader). Nil when there is nothing to say.
func (f *takeFlow) cardPanel() fyne.CanvasObject {
	k := f.k
	age, on := f.elderlyPriorityAge()
	if c := k.session.Card; c != nil {
		parts := []fyne.CanvasObject{k.text(k.T("card.greeting", map[string]string{"Name": f.maskedName(c)}),
			k.theme.sizes.SubHeading, true, colSuccess)}
		if f.elderlyPriority() {
			parts = append(parts, f.paragraph(k.T("take.card_priority", map[string]int{"Age": age})))
		} else {
			parts = append(parts, f.paragraph(k.T("take.card_read")))
		}
		return f.panel(colSuccess, parts...)
	}
	if k.dev.Cards == nil {
		return nil
	}
	invite := []string{k.T("take.card_invite")}
	if on {
		invite = append(invite, k.T("take.card_invite_elderly", map[string]int{"Age": age}))
	}
	return f.panel(colPrimary, f.paragraph(f.sentences(invite...)))
}

// cardPlaced is the flow's card hook: cardEvent has put the card in the
// session; the screen greets and shows the priority.
func (f *takeFlow) cardPlaced(idcard.Card) { f.refresh() }

// issue asks the hall server for a ticket for req (an item or a queue),
// with the elderly priority when the card and the hall's policy give it,
// and shows the result screen while it comes.
func (f *takeFlow) issue(req api.IssueRequest) {
	k := f.k
	if f.elderlyPriority() {
		req.Priority = string(queue.Elderly)
	}
	f.req, f.issuing, f.ticket, f.issueErr = req, true, nil, nil
	f.slip, f.printErr = slipPending, nil
	k.replace(f.page("take.result", f.resultScreen))
	hall := k.hallNow()
	var it api.IssuedTicket
	k.goAsync(func(ctx context.Context) error {
		if hall == nil {
			return client.ErrUnavailable // not enrolled yet
		}
		var err error
		it, err = hall.IssueTicket(ctx, req)
		return err
	}, func(err error) {
		f.issuing = false
		if err != nil {
			f.issueErr = err
			if errors.Is(err, client.ErrUnavailable) {
				k.setOnline(false)
			}
			f.refresh()
			return
		}
		f.ticket = &it
		// The slip only for a person still looking: after Home, Back or
		// the idle reset it would come out for the next one.
		if f.shown() {
			f.printSlip()
		}
		f.refresh()
	})
}

// retry asks again for what was asked last.
func (f *takeFlow) retry() {
	req := f.req
	req.Priority = ""
	f.issue(req)
}

// elderlyPriorityAge is the hall's elderly priority age and whether the
// priority is on (the hall server said so, with an age above 0).
func (f *takeFlow) elderlyPriorityAge() (int, bool) {
	k := f.k
	a := k.hallInfo.ElderlyPriorityAge
	if a == nil || *a <= 0 {
		return 0, false
	}
	return *a, true
}

// elderlyPriority reports whether the session's ID card gives the elderly
// priority today (Asia/Shanghai) under the hall's policy.
func (f *takeFlow) elderlyPriority() bool {
	k := f.k
	age, on := f.elderlyPriorityAge()
	c := k.session.Card
	if !on || c == nil || c.BirthDate.IsZero() {
		return false
	}
	return queue.ElderlyPriority(age, c.BirthDate.Time(queue.Location), k.now())
}

// maskedName is the card holder's name as the screen may show it: the
// Chinese name masked (王*红), or the Latin one of a foreigner's card
// when there is no Chinese name or the screen is in English.
func (f *takeFlow) maskedName(c *idcard.Card) string {
	k := f.k
	name := c.Name
	if name == "" || (k.lang == English && c.NameEn != "") {
		name = c.NameEn
	}
	return idcard.MaskName(name)
}

// sentences joins sentences as the language writes them: Chinese ones
// close up, English ones take a space.
func (f *takeFlow) sentences(s ...string) string {
	k := f.k
	if k.lang == English {
		return strings.Join(s, " ")
	}
	return strings.Join(s, "")
}

// paragraph is body text across a panel that wraps as the language
// does: English between words (by the label), Chinese between any two
// characters but never before closing punctuation (broken here, since the
// label would leave a lone "。" on a line).
func (f *takeFlow) paragraph(s string) *widget.Label {
	k := f.k
	l := k.para(s)
	if k.lang != English {
		sz := k.theme.sizes
		l.Wrapping = fyne.TextWrapOff
		l.SetText(takeWrap(s, sz.Text, 0.95*(f.screenWidth()-10*sz.Padding)))
	}
	return l
}

// pick is zh or en as the screen's language wants (zh when en is empty).
func (f *takeFlow) pick(zh, en string) string {
	k := f.k
	if k.lang == English && en != "" {
		return en
	}
	return zh
}

// panel is a white box with a coloured border around objs, stacked.
func (f *takeFlow) panel(border color.Color, objs ...fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(colButton)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = border, 3, 8
	return container.NewStack(bg, container.NewPadded(container.NewVBox(objs...)))
}
