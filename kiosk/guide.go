package kiosk

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/hallserver/catalogue"
)

// The service guide (办事指南): departments → items, common topics, item
// codes on the keypad; an item's conditions, materials, time limits,
// fees, legal basis, process and certificate; the materials checklist
// (一次性告知) printed on the ticket printer. It reads k.cat, the
// catalogue as last fetched (and cached on disk by hallwatch.go), so it
// keeps working while the hall server is away. It holds no personal data.

// guideScreen is the guide's first screen: the common topics and the
// item-code search on one side, the departments on the other (one above
// the other in elderly mode).
func (k *Kiosk) guideScreen() fyne.CanvasObject {
	c := k.cat
	if c == nil {
		return k.guideUnavailable()
	}
	parts := []fyne.CanvasObject{
		k.guideHeading(k.T("guide.title")),
		k.guideText(k.T("guide.intro"), theme.SizeNameText, false, widget.MediumImportance),
	}
	if !k.online {
		parts = append(parts, k.guideText(k.T("guide.offline_note", map[string]string{"Version": c.Version}),
			theme.SizeNameText, true, widget.WarningImportance))
	}
	code := k.guideRow(k.T("guide.by_code_button"), k.T("guide.by_code_sub"), func() {
		st := &guideCodeState{}
		k.show(page{"guide_code", func() fyne.CanvasObject { return k.guideCodeScreen(st) }})
	})
	topics := container.NewVBox(k.guideTitle(k.T("guide.topics")), k.guideTopicGrid(c), code)
	depts := container.NewVBox(k.guideTitle(k.T("guide.departments")), k.guideDepartmentGrid(c))
	if k.elderly {
		parts = append(parts, topics, depts)
	} else {
		parts = append(parts, container.NewGridWithColumns(2, topics, depts))
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// guideHeading is a screen's title that wraps (item names can be long).
func (k *Kiosk) guideHeading(s string) *widget.Label {
	return k.guideText(s, theme.SizeNameHeadingText, true, widget.MediumImportance)
}

// guideUnavailable says the guide cannot be read yet: the kiosk has never
// reached the hall server, so it has no catalogue.
func (k *Kiosk) guideUnavailable() fyne.CanvasObject {
	return container.NewPadded(container.NewVBox(
		k.guideHeading(k.T("guide.title")),
		k.guidePanel(
			k.guideText(k.T("guide.unavailable_title"), theme.SizeNameSubHeadingText, true, widget.DangerImportance),
			k.guideText(k.T("guide.unavailable_body"), theme.SizeNameText, false, widget.MediumImportance),
		)))
}

// guideTopicGrid has a button per common topic that has items.
func (k *Kiosk) guideTopicGrid(c *catalogue.Catalogue) fyne.CanvasObject {
	grid := container.NewGridWithColumns(2)
	for _, t := range guideTopics {
		if len(topicItems(c, t)) == 0 {
			continue
		}
		sel := guideList{topic: t.id}
		grid.Add(k.bigButton(k.T("guide.topic."+t.id), nil, false, func() { k.showGuideList(sel) }))
	}
	return grid
}

// guideDepartmentGrid has a row per department: its name, and how many
// items it has on the right.
func (k *Kiosk) guideDepartmentGrid(c *catalogue.Catalogue) fyne.CanvasObject {
	box := container.NewVBox()
	for _, d := range c.Departments {
		n := len(c.ItemsOf(d.Code))
		if n == 0 {
			continue
		}
		sel := guideList{dept: d.Code}
		count := k.guideText(k.T("guide.items_count", map[string]int{"N": n}), theme.SizeNameText, false, widget.LowImportance)
		count.Wrapping = fyne.TextWrapOff
		name := k.guideText(k.catName(d.Name, d.NameEn), theme.SizeNameText, true, widget.MediumImportance)
		box.Add(k.guideTapRow(func() { k.showGuideList(sel) }, container.NewBorder(nil, nil, nil, count, name)))
	}
	return box
}

// guideColumns is how many columns a grid has: fewer in elderly mode,
// where everything is larger.
func (k *Kiosk) guideColumns(standard, elderly int) int {
	if k.elderly {
		return elderly
	}
	return standard
}

// catName is a catalogue name in the kiosk's language (the Chinese one when
// there is no English).
func (k *Kiosk) catName(zh, en string) string {
	if k.lang == English && en != "" {
		return en
	}
	return zh
}

// guideList selects a list of items: a department's or a topic's.
type guideList struct {
	dept  string
	topic string
}

func (k *Kiosk) showGuideList(sel guideList) {
	k.show(page{"guide_list", func() fyne.CanvasObject { return k.guideListScreen(sel) }})
}

// guideListScreen lists the items of a department or a topic.
func (k *Kiosk) guideListScreen(sel guideList) fyne.CanvasObject {
	c := k.cat
	if c == nil {
		return k.guideUnavailable()
	}
	var title string
	var items []catalogue.Item
	if t, ok := findTopic(sel.topic); ok {
		title, items = k.T("guide.topic."+t.id), topicItems(c, t)
	} else {
		d, _ := c.Department(sel.dept)
		title, items = k.catName(d.Name, d.NameEn), c.ItemsOf(sel.dept)
	}
	parts := []fyne.CanvasObject{
		k.guideHeading(title),
		k.guideText(k.T("guide.choose_item"), theme.SizeNameText, false, widget.MediumImportance),
		k.guideItemRows(c, items, sel.topic != ""),
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// guideItemRows is a row per item, opening its details; withDept adds the
// department's name (lists that mix departments).
func (k *Kiosk) guideItemRows(c *catalogue.Catalogue, items []catalogue.Item, withDept bool) fyne.CanvasObject {
	if len(items) == 0 {
		return k.guideText(k.T("guide.list_empty"), theme.SizeNameText, false, widget.MediumImportance)
	}
	box := container.NewVBox()
	for _, it := range items {
		detail := []string{k.T("guide.row_code", map[string]string{"Code": it.Code}), k.guideTimeShort(it)}
		if withDept {
			if d, ok := c.Department(it.Department); ok {
				detail = append(detail, k.catName(d.Name, d.NameEn))
			}
		}
		code := it.Code
		box.Add(k.guideRow(k.catName(it.Name, it.NameEn), strings.Join(detail, " · "), func() { k.showGuideItem(code) }))
	}
	return box
}

// guideTimeShort says an item's time limit in a few words.
func (k *Kiosk) guideTimeShort(it catalogue.Item) string {
	if it.Instant {
		return k.T("guide.row_instant")
	}
	return k.T("guide.row_promised", map[string]int{"Days": it.PromisedDays})
}

// guideCodeState is what was typed on the item-code keypad.
type guideCodeState struct {
	typed string
}

// guideCodeScreen finds items by their code: the keypad on top, the
// items whose code contains what was typed below, as it is typed.
func (k *Kiosk) guideCodeScreen(st *guideCodeState) fyne.CanvasObject {
	c := k.cat
	if c == nil {
		return k.guideUnavailable()
	}
	results := container.NewVBox()
	found := k.guideText("", theme.SizeNameText, true, widget.MediumImportance)
	update := func(typed string) {
		st.typed = typed
		items := codeItems(c, typed)
		switch {
		case typed == "":
			found.SetText(k.T("guide.code_hint"))
			results.Objects = nil
		case len(items) == 0:
			found.SetText(k.T("guide.list_empty"))
			results.Objects = nil
		default:
			found.SetText(k.T("guide.code_found", map[string]int{"N": len(items)}))
			results.Objects = []fyne.CanvasObject{k.guideItemRows(c, items, true)}
		}
		results.Refresh()
	}
	pad := k.keypad(CodeKeys, 12, false, nil)
	pad.Type(st.typed)
	pad.changed = update
	update(st.typed)
	top := container.NewVBox(k.guideHeading(k.T("guide.code_title")), pad.Object(), found)
	return container.NewBorder(container.NewPadded(top), nil, nil, nil,
		container.NewVScroll(container.NewPadded(results)))
}

// guideItemState is the item shown, and the print button while the
// checklist prints.
type guideItemState struct {
	code     string
	printing bool
	print    *widget.Button
}

func (k *Kiosk) showGuideItem(code string) {
	st := &guideItemState{code: code}
	k.show(page{"guide_item", func() fyne.CanvasObject { return k.guideItemScreen(st) }})
}

// guideItemScreen shows everything about an item: the key facts first
// (time limit, fees, certificate) and the print button, then conditions,
// materials, process and legal basis.
func (k *Kiosk) guideItemScreen(st *guideItemState) fyne.CanvasObject {
	c := k.cat
	if c == nil {
		return k.guideUnavailable()
	}
	it, ok := c.Item(st.code)
	if !ok {
		return k.guideText(k.T("guide.list_empty"), theme.SizeNameText, false, widget.MediumImportance)
	}
	dept, _ := c.Department(it.Department)
	st.print = k.button(k.T("guide.print"), theme.DocumentPrintIcon(), true, func() { k.printChecklist(st, it) })
	if st.printing {
		st.print.Disable()
	}
	parts := []fyne.CanvasObject{
		k.guideHeading(k.catName(it.Name, it.NameEn)),
		k.guideText(k.T("guide.item_where", map[string]string{"Dept": k.catName(dept.Name, dept.NameEn), "Code": it.Code}),
			theme.SizeNameText, false, widget.LowImportance),
		k.guideFacts(it),
		container.NewHBox(k.target(st.print), layout.NewSpacer()),
	}
	if k.lang == English {
		parts = append(parts, k.guideText(k.T("guide.in_chinese"), theme.SizeNameText, false, widget.WarningImportance))
	}
	parts = append(parts,
		k.guideTitle(k.T("guide.conditions")), k.guideConditions(it),
		k.guideTitle(k.T("guide.materials", map[string]int{"N": len(it.Materials)})), k.guideMaterials(it),
		k.guideTitle(k.T("guide.steps")),
		k.guideText(strings.Join(it.Steps, "  →  "), theme.SizeNameText, true, widget.MediumImportance),
		k.guideTitle(k.T("guide.basis")),
		k.guideText(guideOrDash(it.LegalBasis), theme.SizeNameText, false, widget.MediumImportance),
	)
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// guideFacts are the three things people ask first: how long, how much,
// and what they get.
func (k *Kiosk) guideFacts(it catalogue.Item) fyne.CanvasObject {
	fact := func(title, value, sub string) fyne.CanvasObject {
		objs := []fyne.CanvasObject{
			k.guideText(title, theme.SizeNameCaptionText, false, widget.LowImportance),
			k.guideText(value, theme.SizeNameSubHeadingText, true, widget.MediumImportance),
		}
		if sub != "" {
			objs = append(objs, k.guideText(sub, theme.SizeNameText, false, widget.MediumImportance))
		}
		return k.guidePanel(objs...)
	}
	value, sub := k.guideTimeLimit(it)
	cert, certSub := k.T("guide.cert_none"), ""
	if s := it.Certificate; s != nil {
		cert, certSub = k.catName(s.Title, s.TitleEn), k.T("guide.cert_sub")
	}
	fees := it.Fees
	if strings.TrimSpace(fees) == "" {
		fees = k.T("guide.fees_none")
	}
	return container.NewGridWithColumns(3,
		fact(k.T("guide.fact_time"), value, sub),
		fact(k.T("guide.fact_fees"), fees, ""),
		fact(k.T("guide.fact_cert"), cert, certSub))
}

// guideTimeLimit says an item's time limit: 即办件 are done on the spot;
// other items have a promised limit, within the legal one.
func (k *Kiosk) guideTimeLimit(it catalogue.Item) (value, sub string) {
	legal := ""
	if it.LegalDays > 0 {
		legal = k.T("guide.legal_days", map[string]int{"Days": it.LegalDays})
	}
	if it.Instant {
		return k.T("guide.instant"), legal
	}
	if it.PromisedDays > 0 {
		return k.T("guide.promised_days", map[string]int{"Days": it.PromisedDays}), legal
	}
	return legal, ""
}

// guideConditions lists who may apply.
func (k *Kiosk) guideConditions(it catalogue.Item) fyne.CanvasObject {
	if len(it.Conditions) == 0 {
		return k.guideText(k.T("guide.conditions_none"), theme.SizeNameText, false, widget.MediumImportance)
	}
	box := container.NewVBox()
	for i, cond := range it.Conditions {
		box.Add(k.guideText(guideNumbered(i, cond), theme.SizeNameText, false, widget.MediumImportance))
	}
	return k.guidePanel(box)
}

// guideMaterials lists the documents to bring: each with original or
// paper, how many, and the note.
func (k *Kiosk) guideMaterials(it catalogue.Item) fyne.CanvasObject {
	if len(it.Materials) == 0 {
		return k.guideText(k.T("guide.materials_none"), theme.SizeNameText, false, widget.MediumImportance)
	}
	box := container.NewVBox()
	for i, m := range it.Materials {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		box.Add(k.guideText(guideNumbered(i, m.Name), theme.SizeNameText, true, widget.MediumImportance))
		box.Add(k.materialDetail(m))
	}
	return k.guidePanel(box)
}

// materialDetail is how a material is handed in, in the primary colour,
// then its note, wrapping as one text.
func (k *Kiosk) materialDetail(m catalogue.Material) fyne.CanvasObject {
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: k.materialForm(m), Style: widget.RichTextStyle{
		Inline: true, ColorName: theme.ColorNamePrimary, SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{}}}}
	if m.Note != "" {
		segs = append(segs, &widget.TextSegment{Text: k.T("guide.material_note_sep") + m.Note, Style: widget.RichTextStyle{
			Inline: true, ColorName: theme.ColorNameForeground, SizeName: theme.SizeNameText}})
	}
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// materialForm says how a material is handed in: the original (shown, and
// returned unless noted) or a paper document, and how many.
func (k *Kiosk) materialForm(m catalogue.Material) string {
	form := k.T("guide.material_paper")
	if m.Original {
		form = k.T("guide.material_original")
	}
	copies := max(m.Copies, 1)
	return form + k.T("guide.material_sep") + k.T("guide.material_copies", map[string]int{"N": copies})
}

// guideNumbered is "1. text" for the i-th (0-based) entry of a list.
func guideNumbered(i int, s string) string {
	return strconv.Itoa(i+1) + ". " + s
}

// guideOrDash is s, or a dash for nothing.
func guideOrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
