package kiosk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/idcard"
	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// Looking up an application (办件查询) takes one of three ways, all on one
// screen: typing the number on the kiosk's keypad, scanning the
// acceptance notice's QR code, or placing the ID card (the holder's
// applications, newest first). The answer is shown in plain words by
// lookup_view.go.
//
// Typing: application numbers look like 520000-TEST-20261126-00001, the
// hall's code, the day and the day's sequence. The hall code is the same
// on every notice of this hall and the kiosk knows it (GET /hall), so it
// is filled in and a person types only the 13 digits after it on a
// digits-only keypad (big keys, no letters to hunt for); the display shows
// the blanks still to fill ("520000-TEST-2026____-_____"), and a short
// sequence is padded with zeros ("1" → 00001). A notice from a hall whose
// numbers look different can still be typed in full (a switch to the
// letter keypad), which is also the only way while the hall's code is not
// known yet.

// lookupDateDigits and lookupSeqDigits are the parts of an application
// number typed after the hall code: YYYYMMDD and the day's sequence.
const (
	lookupDateDigits = 8
	lookupSeqDigits  = 5
)

// lookupFlow is one lookup: what was typed, how it was asked and what the
// hall server answered. It lives only in the pages it builds (and so in
// the screen history), which endSession drops with everything in it.
type lookupFlow struct {
	k     *Kiosk
	owner screenOwner
	// full is whether the whole number is typed (letter keypad) rather
	// than only the date and sequence; typed is what the keypad holds.
	full  bool
	typed string
	// asked counts the questions put to the hall server: only the
	// answer to the latest is shown.
	asked int
	// holder is the masked name of the card whose applications apps are,
	// newest first; app is the application shown.
	holder string
	apps   []api.Application
	app    api.Application
}

// lookupScreen starts a lookup. The flow's own builders take over the
// page (so that a language switch or Back keeps what was typed or found);
// with an ID card already placed, that person's applications are looked
// up at once.
func (k *Kiosk) lookupScreen() fyne.CanvasObject {
	f := &lookupFlow{k: k, owner: screenOwner{k: k}, full: k.hallInfo.Code == ""}
	p := f.owner.page("lookup", f.entryScreen)
	k.current = p
	if c := k.session.Card; c != nil {
		f.byCard(*c)
	}
	return p.build()
}

// hooks makes every lookup screen answer a placed card and a scanned
// notice.
func (f *lookupFlow) hooks() {
	f.k.onCard = f.byCard
	f.k.onScan = f.byNotice
}

// entryScreen offers the three ways: the keypad on the left, scanning and
// the card on the right.
func (f *lookupFlow) entryScreen() fyne.CanvasObject {
	k := f.k
	f.hooks()
	title := k.heading(k.T("lookup.title"))
	typing := f.typingPanel()
	scan := k.lookupWay(theme.ViewFullScreenIcon(), k.T("lookup.way_scan"), k.plain(k.T("lookup.scan_hint")))
	cardBody := []fyne.CanvasObject{k.plain(k.T("lookup.card_hint"))}
	if c := k.session.Card; c != nil {
		name := idcard.MaskName(c.Name + c.NameEn)
		cardBody = append(cardBody, k.bigButton(k.T("lookup.card_use", map[string]string{"Name": name}),
			theme.SearchIcon(), true, func() { f.byCard(*c) }))
	}
	card := k.lookupWay(theme.AccountIcon(), k.T("lookup.way_card"), cardBody...)
	others := container.NewVBox(scan, card)
	var body fyne.CanvasObject
	if f.full {
		// The letter keypad needs the whole width.
		body = container.NewVBox(typing, container.NewGridWithColumns(2, scan, card))
	} else {
		body = container.NewGridWithColumns(2, typing, others)
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(title, body)))
}

// typingPanel is the first way: the number as typed beside the search
// button (both always in sight), the keypad under them, and the switch
// between short and full typing last (it is seldom needed).
func (f *lookupFlow) typingPanel() fyne.CanvasObject {
	k := f.k
	hint := "lookup.hint_short"
	keys, max := DigitKeys, lookupDateDigits+lookupSeqDigits
	if f.full {
		hint, keys, max = "lookup.hint_full", CodeKeys, 40
	}
	shown := widget.NewLabel(f.display())
	// (no bold: see Kiosk.text)
	shown.SizeName = theme.SizeNameSubHeadingText
	saved := f.typed
	pad := k.keypad(keys, max, false, func(v string) {
		if v != f.typed {
			k.banner.hide() // the person is correcting what the banner said
		}
		f.typed = v
		shown.SetText(f.display())
	})
	pad.Type(saved)
	pad.display.Hide() // shown beside the search button instead
	search := k.bigButton(k.T("lookup.search"), theme.SearchIcon(), true, f.byTyped)
	number := container.NewBorder(nil, nil, nil, search, container.NewCenter(shown))
	var keypad fyne.CanvasObject = pad.Object()
	if !f.full {
		// Three columns of keys: keep them square-ish, not stretched.
		keypad = container.NewCenter(container.New(&minSize{fyne.NewSize(k.theme.sizes.Target*5, 0)}, keypad))
	}
	parts := []fyne.CanvasObject{k.plain(k.T(hint)), number, keypad}
	if k.hallInfo.Code != "" {
		mode := "lookup.mode_full"
		if f.full {
			mode = "lookup.mode_short"
		}
		parts = append(parts, container.NewCenter(k.bigButton(k.T(mode), nil, false, func() {
			f.full, f.typed = !f.full, ""
			k.render()
		})))
	}
	return k.lookupWay(nil, k.T("lookup.way_number"), parts...)
}

// display is the number as typed so far: in short mode the hall code,
// then the date and sequence with blanks still to fill.
func (f *lookupFlow) display() string {
	if f.full {
		if f.typed == "" {
			return " "
		}
		return f.typed
	}
	d := f.typed + strings.Repeat("_", lookupDateDigits+lookupSeqDigits-len(f.typed))
	return f.k.hallInfo.Code + "-" + d[:lookupDateDigits] + "-" + d[lookupDateDigits:]
}

// number is the application number typed, or "" while it is incomplete.
func (f *lookupFlow) number() string {
	if f.full {
		return strings.TrimSpace(f.typed)
	}
	if len(f.typed) <= lookupDateDigits {
		return ""
	}
	seq := f.typed[lookupDateDigits:]
	seq = strings.Repeat("0", lookupSeqDigits-len(seq)) + seq
	return fmt.Sprintf("%s-%s-%s", f.k.hallInfo.Code, f.typed[:lookupDateDigits], seq)
}

// byTyped looks up the number typed on the keypad.
func (f *lookupFlow) byTyped() {
	n := f.number()
	if n == "" {
		f.k.banner.show(f.k.T("lookup.need_digits"), bannerError)
		return
	}
	f.run(func(ctx context.Context) ([]api.Application, error) {
		a, err := f.k.hallNow().Application(ctx, n)
		return []api.Application{a}, err
	}, f.k.T("lookup.not_found_number", map[string]string{"Number": n}), "")
}

// byNotice looks up the application of a scanned acceptance notice.
func (f *lookupFlow) byNotice(qr string) {
	f.run(func(ctx context.Context) ([]api.Application, error) {
		a, err := f.k.hallNow().ApplicationByNotice(ctx, qr)
		return []api.Application{a}, err
	}, f.k.T("lookup.not_found_notice"), "")
}

// byCard lists the applications of the card's holder.
func (f *lookupFlow) byCard(c idcard.Card) {
	id := c.IDNumber
	f.run(func(ctx context.Context) ([]api.Application, error) {
		return f.k.hallNow().ApplicationsOf(ctx, id)
	}, "", idcard.MaskName(c.Name+c.NameEn))
}

// run asks the hall server and shows the answer: one application, or a
// card holder's list (holder set). The answer is dropped if the person
// has left the lookup meanwhile, or asked again since.
func (f *lookupFlow) run(ask func(context.Context) ([]api.Application, error), notFound, holder string) {
	k := f.k
	if k.hallNow() == nil {
		k.banner.show(k.T("error.server"), bannerError)
		return
	}
	f.asked++
	n := f.asked
	k.banner.show(k.T("lookup.searching"), bannerInfo)
	var apps []api.Application
	k.goAsync(func(ctx context.Context) error {
		var err error
		apps, err = ask(ctx)
		return err
	}, func(err error) {
		if n != f.asked || !f.owner.onScreen() {
			return
		}
		switch {
		case errors.Is(err, client.ErrNotFound) && notFound != "":
			k.banner.show(notFound, bannerError)
		case err != nil:
			k.banner.show(k.errText(err), bannerError)
		case holder != "":
			f.showList(holder, apps)
		default:
			f.showApp(apps[0])
		}
	})
}

// showList shows a card holder's applications: one goes straight to its
// details, several are listed to pick from, none is said.
func (f *lookupFlow) showList(holder string, apps []api.Application) {
	k := f.k
	f.holder, f.apps = holder, apps
	switch len(apps) {
	case 0:
		k.banner.show(k.T("lookup.none_for_card", map[string]string{"Name": holder}), bannerInfo)
	case 1:
		f.showApp(apps[0])
	default:
		k.show(f.owner.page("lookup_list", f.listScreen))
	}
}

// showApp shows one application's details.
func (f *lookupFlow) showApp(a api.Application) {
	f.app = a
	f.k.show(f.owner.page("lookup_result", f.resultScreen))
}

// listScreen lists a card holder's applications, newest first; each is a
// large tile that opens it.
func (f *lookupFlow) listScreen() fyne.CanvasObject {
	k := f.k
	f.hooks()
	title := k.heading(k.T("lookup.list_title", map[string]any{"Name": f.holder, "Count": len(f.apps)}))
	hint := k.text(k.T("lookup.list_hint"), k.theme.sizes.Text, false, colMuted)
	rows := container.NewVBox(title, hint)
	for _, a := range f.apps {
		rows.Add(f.listTile(a))
	}
	return container.NewVScroll(container.NewPadded(rows))
}

// listTile is one application in the list: the whole tile is the button.
func (f *lookupFlow) listTile(a api.Application) fyne.CanvasObject {
	k := f.k
	b := k.button("", nil, false, func() { f.showApp(a) })
	name := k.text(k.itemName(a), k.theme.sizes.SubHeading, true, colText)
	meta := k.text(k.T("lookup.number", map[string]string{"Number": a.Number})+"    "+
		k.T("lookup.accepted", map[string]string{"Time": k.lookupTime(a.AcceptedAt)}), k.theme.sizes.Caption, false, colMuted)
	state, tone := f.summary(a)
	status := k.text(state, k.theme.sizes.Text, true, tone.color())
	next := widget.NewIcon(theme.NavigateNextIcon())
	content := container.NewBorder(nil, nil, nil, next, container.NewVBox(name, meta, status))
	return container.NewPadded(container.NewStack(b, container.NewPadded(content)))
}

// screenOwner remembers the last screen a flow built, so that a hall
// server answer arriving later is shown only while one of the flow's
// screens is still up: after Home, idle or a card taken away the answer
// is dropped instead of showing one person's data to the next.
type screenOwner struct {
	k     *Kiosk
	shown fyne.CanvasObject
}

// page is a page whose builder records what it built.
func (o *screenOwner) page(name string, build func() fyne.CanvasObject) page {
	return page{name, func() fyne.CanvasObject {
		obj := build()
		o.shown = obj
		return obj
	}}
}

// onScreen reports whether the screen shown is the last one the flow built.
func (o *screenOwner) onScreen() bool {
	b := o.k.body.Objects
	return o.shown != nil && len(b) == 1 && b[0] == o.shown
}
