package kiosk

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/devices/idcard"
	"onestop/hallserver/api"
	"onestop/hallserver/client"
)

// rateAppState is the application-rating screen's state: the number
// typed, and the applications of the card on the reader (personal data,
// dropped with the screen).
type rateAppState struct {
	number  string
	mine    []api.Application
	mineOf  string // the ID number mine belongs to
	loading bool
	next    *widget.Button
}

func (k *Kiosk) showRateApp() {
	st := &rateAppState{}
	k.show(page{"rate_app", func() fyne.CanvasObject { return k.rateAppScreen(st) }})
	k.rateLoadMine(st)
}

// rateAppScreen rates an application: the ID card first (only the
// applicant may rate it; their applications are then listed to tap), or
// its number on the keypad with the card. Scanning the acceptance
// notice's QR code works here too.
func (k *Kiosk) rateAppScreen(st *rateAppState) fyne.CanvasObject {
	k.onScan = k.rateScanned
	k.onCard = func(idcard.Card) {
		k.render()
		k.rateLoadMine(st)
	}
	card := k.session.Card
	parts := []fyne.CanvasObject{k.guideHeading(k.T("rate.app_title"))}
	if card == nil {
		parts = append(parts, k.guidePanel(
			k.guideText(k.T("rate.app_card"), theme.SizeNameSubHeadingText, true, widget.HighImportance),
			k.guideText(k.T("rate.app_card_why"), theme.SizeNameText, false, widget.MediumImportance)))
	} else {
		parts = append(parts, k.rateMine(st, card)...)
	}
	st.next = k.button(k.T("rate.app_next"), theme.NavigateNextIcon(), true, func() { k.rateAppNext(st, st.number) })
	pad := k.keypad(CodeKeys, 40, false, nil)
	pad.Type(st.number)
	pad.changed = func(v string) {
		st.number = v
		k.rateAppReady(st)
	}
	k.rateAppReady(st)
	parts = append(parts,
		k.guideTitle(k.T("rate.app_number")),
		pad.Object(),
		container.NewPadded(k.target(st.next)),
		k.guideText(k.T("rate.app_notice_hint"), theme.SizeNameText, false, widget.LowImportance))
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// rateAppReady enables Next once a number is typed and a card is read.
func (k *Kiosk) rateAppReady(st *rateAppState) {
	if strings.TrimSpace(st.number) != "" && k.session.Card != nil {
		st.next.Enable()
		return
	}
	st.next.Disable()
}

// rateMine is the card's part of the screen: whose card it is, and their
// applications to tap.
func (k *Kiosk) rateMine(st *rateAppState, card *idcard.Card) []fyne.CanvasObject {
	who := k.guideText(k.T("rate.app_card_ok", map[string]string{"Name": idcard.MaskName(card.Name + card.NameEn)}),
		theme.SizeNameSubHeadingText, true, widget.SuccessImportance)
	var objs []fyne.CanvasObject
	switch {
	case st.loading || st.mineOf != card.IDNumber:
		objs = append(objs, k.guidePanel(who, k.guideText(k.T("rate.checking"), theme.SizeNameText, false, widget.LowImportance)))
	case len(st.mine) == 0:
		objs = append(objs, k.guidePanel(who, k.guideText(k.T("rate.app_mine_none"), theme.SizeNameText, false, widget.MediumImportance)))
	default:
		objs = append(objs, k.guidePanel(who, k.guideText(k.T("rate.app_mine"), theme.SizeNameText, false, widget.MediumImportance)))
		for _, a := range st.mine {
			number := a.Number
			objs = append(objs, k.guideRow(a.Number, a.ItemName+" · "+a.StepName, func() { k.rateAppNext(st, number) }))
		}
	}
	return objs
}

// rateLoadMine fetches the applications of the card on the reader, to
// list them.
func (k *Kiosk) rateLoadMine(st *rateAppState) {
	card := k.session.Card
	if card == nil || st.loading || st.mineOf == card.IDNumber {
		return
	}
	id := card.IDNumber
	st.loading = true
	var apps []api.Application
	k.goAsync(func(ctx context.Context) error {
		var err error
		apps, err = k.hallNow().ApplicationsOf(ctx, id)
		return err
	}, func(err error) {
		st.loading = false
		if err != nil {
			k.banner.show(k.errText(err), bannerError)
		}
		st.mine, st.mineOf = apps, id
		if k.current.name == "rate_app" {
			k.render()
		}
	})
}

// errNotApplicant and errNoApplication are why an application cannot be
// rated with the card on the reader.
var (
	errNotApplicant  = errors.New("kiosk: the card is not the applicant's")
	errNoApplication = errors.New("kiosk: no such application")
)

// rateAppNext checks that the number is one of the card holder's
// applications and goes on to the levels.
func (k *Kiosk) rateAppNext(st *rateAppState, number string) {
	card := k.session.Card
	number = strings.TrimSpace(number)
	if card == nil {
		k.banner.show(k.T("rate.app_need_card"), bannerError)
		return
	}
	if number == "" {
		k.banner.show(k.T("rate.app_need_number"), bannerError)
		return
	}
	id := card.IDNumber
	mine := st.mine
	if st.mineOf != id {
		mine = nil
	}
	f := &rateFlow{}
	k.banner.show(k.T("rate.checking"), bannerInfo)
	k.goAsync(func(ctx context.Context) error {
		var err error
		if mine == nil {
			if mine, err = k.hallNow().ApplicationsOf(ctx, id); err != nil {
				return err
			}
		}
		i := -1
		for j, a := range mine {
			if strings.EqualFold(a.Number, number) {
				i = j
			}
		}
		if i < 0 {
			_, err := k.hallNow().Application(ctx, number)
			if errors.Is(err, client.ErrNotFound) {
				return errNoApplication
			}
			if err != nil {
				return err
			}
			return errNotApplicant
		}
		f.target = rateTarget{appNumber: mine[i].Number, itemName: mine[i].ItemName, applicantID: id}
		f.scale, err = k.hallNow().RatingReasons(ctx)
		return err
	}, func(err error) {
		if k.current.name != "rate_app" {
			return
		}
		switch {
		case errors.Is(err, errNoApplication):
			k.banner.show(k.T("rate.app_not_found", map[string]string{"Number": number}), bannerError)
		case errors.Is(err, errNotApplicant):
			k.banner.show(k.T("rate.app_not_yours", map[string]string{"Number": number}), bannerError)
		case err != nil:
			msg, _ := k.rateRefusal(err)
			k.banner.show(msg, bannerError)
		default:
			k.banner.hide()
			k.showRateLevels(f)
		}
	})
}
