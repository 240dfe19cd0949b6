package kiosk

import (
	"context"
	"errors"
	"strings"

	"onestop/devices/escpos"
	"onestop/hallserver/catalogue"
)

// printChecklist prints the item's materials checklist (一次性告知单) on
// the ticket printer. While it prints the button is disabled; a printer
// that cannot print (paper out, cover open) is said in plain words, and
// the list stays on the screen.
func (k *Kiosk) printChecklist(st *guideItemState, it catalogue.Item) {
	slips := k.dev.Slips
	if slips == nil {
		k.banner.show(k.T("guide.no_printer"), bannerError)
		return
	}
	if st.printing {
		return
	}
	st.printing = true
	st.print.Disable()
	k.banner.show(k.T("guide.printing"), bannerInfo)
	title, lines := k.checklist(it, k.slipColumns())
	var status escpos.Status
	k.goAsync(func(context.Context) error {
		var err error
		status, err = slips.PrintLines(title, lines)
		return err
	}, func(err error) {
		st.printing = false
		st.print.Enable()
		switch {
		case err == nil && status.Warning() != nil:
			k.banner.show(k.T("guide.printed")+" "+k.T("guide.paper_low"), bannerSuccess)
		case err == nil:
			k.banner.show(k.T("guide.printed"), bannerSuccess)
		case errors.Is(err, escpos.ErrPaperOut):
			k.banner.show(k.T("guide.print_paper_out"), bannerError)
		default:
			k.banner.show(k.T("guide.print_failed"), bannerError)
		}
	})
}

// slipColumns is how many columns (escpos.TextWidth) a line of the ticket
// printer holds: asked of the printer when it says, else from the paper
// width configured.
func (k *Kiosk) slipColumns() int {
	if p, ok := k.dev.Slips.(interface{ Columns() int }); ok && p.Columns() > 0 {
		return p.Columns()
	}
	if k.cfg.Devices.PaperMM == 58 {
		return 32
	}
	return 48
}

// checklist is the materials checklist of an item as lines of at most
// cols columns: what, where, how long and how much, the conditions, each
// material with a box to tick, the process, and when it was printed.
// Continued lines are indented with ideographic spaces, which the
// printer's word wrap keeps (it drops leading ASCII spaces).
func (k *Kiosk) checklist(it catalogue.Item, cols int) (title string, lines []string) {
	add := func(prefix, text string) {
		lines = append(lines, checklistHang(prefix, text, cols)...)
	}
	name := it.Name
	if k.lang == English && it.NameEn != "" {
		name = it.NameEn + " / " + it.Name
	}
	add(k.T("guide.slip_item"), name)
	add(k.T("guide.slip_code"), it.Code)
	if c := k.cat; c != nil {
		if d, ok := c.Department(it.Department); ok {
			add(k.T("guide.slip_dept"), k.catName(d.Name, d.NameEn))
		}
	}
	value, sub := k.guideTimeLimit(it)
	if sub != "" {
		value += k.T("guide.slip_paren", map[string]string{"Text": sub})
	}
	add(k.T("guide.slip_time"), value)
	add(k.T("guide.slip_fees"), guideOrDash(it.Fees))
	if s := it.Certificate; s != nil {
		add(k.T("guide.slip_cert"), k.catName(s.Title, s.TitleEn))
	}
	lines = append(lines, "")
	add("", k.T("guide.slip_conditions"))
	if len(it.Conditions) == 0 {
		add("", k.T("guide.conditions_none"))
	}
	for i, c := range it.Conditions {
		add(guideNumbered(i, ""), c)
	}
	lines = append(lines, "")
	add("", k.T("guide.slip_materials", map[string]int{"N": len(it.Materials)}))
	for i, m := range it.Materials {
		add("□ "+guideNumbered(i, ""), m.Name)
		note := k.materialForm(m)
		if m.Note != "" {
			note += k.T("guide.material_sep") + m.Note
		}
		add("　　", note)
	}
	lines = append(lines, "")
	add(k.T("guide.slip_steps"), strings.Join(it.Steps, "→"))
	add(k.T("guide.slip_basis"), guideOrDash(it.LegalBasis))
	lines = append(lines, "")
	if k.hallInfo.Name != "" {
		add("", k.hallInfo.Name)
	}
	add(k.T("guide.slip_printed"), k.now().In(escpos.Shanghai).Format("2006-01-02 15:04"))
	add("", k.T("guide.slip_footer"))
	return k.T("guide.slip_title"), lines
}

// checklistHang wraps prefix+text to cols columns, indenting the continued
// lines by the prefix's width in ideographic spaces (two columns each).
func checklistHang(prefix, text string, cols int) []string {
	pw := escpos.TextWidth(prefix)
	indent := strings.Repeat("　", (pw+1)/2)
	width := max(cols-2*((pw+1)/2), cols/2)
	var out []string
	for i, l := range escpos.Wrap(text, width) {
		if i == 0 {
			out = append(out, prefix+l)
			continue
		}
		out = append(out, indent+l)
	}
	return out
}
