package kiosk

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onestop/hallserver/api"
)

func (k *Kiosk) showRateLevels(f *rateFlow) {
	k.show(page{"rate_levels", func() fyne.CanvasObject { return k.rateLevelsScreen(f) }})
}

// rateLevelsScreen asks how satisfied the person is: five large faces,
// each with its words, best first, as the hall server lists them.
func (k *Kiosk) rateLevelsScreen(f *rateFlow) fyne.CanvasObject {
	grid := container.NewGridWithColumns(max(len(f.scale.Levels), 1))
	for _, l := range f.scale.Levels {
		level := l.Level
		grid.Add(k.rateLevelTile(l, func() {
			f.level, f.reasons = level, nil
			k.show(page{"rate_reasons", func() fyne.CanvasObject { return k.rateReasonsScreen(f) }})
		}))
	}
	title := k.text(k.T("rate.levels_title"), k.theme.sizes.Heading, true, colText)
	title.Alignment = fyne.TextAlignCenter
	what := k.guideText(k.rateWhat(f.target), theme.SizeNameSubHeadingText, false, widget.MediumImportance)
	what.Alignment = fyne.TextAlignCenter
	hint := k.guideText(k.T("rate.levels_hint"), theme.SizeNameText, false, widget.LowImportance)
	hint.Alignment = fyne.TextAlignCenter
	return container.NewVScroll(container.NewPadded(container.NewVBox(title, what, hint, grid)))
}

// rateLevelTile is one level: its face above its name, all one button.
func (k *Kiosk) rateLevelTile(l api.RatingLevel, tap func()) fyne.CanvasObject {
	name := k.guideText(k.catName(l.Name, l.NameEn), theme.SizeNameSubHeadingText, true, widget.MediumImportance)
	name.Alignment = fyne.TextAlignCenter
	return k.guideTapRow(tap, k.rateFace(l.Level, 2.2), name)
}

// rateFace is a level's face, scale times the touch target's size.
func (k *Kiosk) rateFace(level int, scale float32) fyne.CanvasObject {
	img := canvas.NewImageFromImage(faceImage(level))
	img.FillMode = canvas.ImageFillContain
	s := k.theme.sizes.Target * scale
	img.SetMinSize(fyne.NewSize(s, s))
	return img
}

// rateLevel is the chosen level of the scale.
func (f *rateFlow) rateLevel() api.RatingLevel {
	for _, l := range f.scale.Levels {
		if l.Level == f.level {
			return l
		}
	}
	return api.RatingLevel{Level: f.level}
}

// rateReasonsScreen shows the chosen level and offers its reasons to tick
// (none needed), then sends the rating.
func (k *Kiosk) rateReasonsScreen(f *rateFlow) fyne.CanvasObject {
	lvl := f.rateLevel()
	chosen := k.guideText(k.T("rate.reasons_title", map[string]string{"Level": k.catName(lvl.Name, lvl.NameEn)}),
		theme.SizeNameHeadingText, true, widget.MediumImportance)
	top := container.NewBorder(nil, nil, k.rateFace(f.level, 1.2), nil,
		container.NewVBox(chosen, k.guideText(k.rateWhat(f.target), theme.SizeNameText, false, widget.LowImportance)))
	parts := []fyne.CanvasObject{top,
		k.guideText(k.T("rate.reasons_hint"), theme.SizeNameText, false, widget.MediumImportance)}
	chips := container.NewGridWithColumns(k.guideColumns(3, 2))
	for _, r := range f.scale.Reasons {
		if slices.Contains(r.Levels, f.level) {
			chips.Add(k.target(k.rateChip(f, r)))
		}
	}
	parts = append(parts, chips)
	if lvl.Bad {
		parts = append(parts, k.guideText(k.T("rate.bad_note"), theme.SizeNameText, false, widget.MediumImportance))
	}
	f.submit = k.button(k.T("rate.submit"), theme.ConfirmIcon(), true, func() { k.rateSubmit(f) })
	if f.sending {
		f.submit.Disable()
	}
	// Send stays in sight below the reasons, however many there are.
	return container.NewBorder(nil, container.NewPadded(k.target(f.submit)), nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(parts...))))
}

// rateChip is a reason the person may tick: a button that shows a ticked
// box and turns blue when chosen, its words always there.
func (k *Kiosk) rateChip(f *rateFlow, r api.RatingReason) *widget.Button {
	var b *widget.Button
	look := func() {
		on := slices.Contains(f.reasons, r.Code)
		b.Importance, b.Icon = widget.MediumImportance, theme.CheckButtonIcon()
		if on {
			b.Importance, b.Icon = widget.HighImportance, theme.CheckButtonCheckedIcon()
		}
		b.Refresh()
	}
	b = k.button(k.catName(r.Name, r.NameEn), nil, false, func() {
		if i := slices.Index(f.reasons, r.Code); i >= 0 {
			f.reasons = slices.Delete(f.reasons, i, i+1)
		} else {
			f.reasons = append(f.reasons, r.Code)
		}
		look()
	})
	b.Alignment = widget.ButtonAlignLeading
	look()
	return b
}

// rateSubmit sends the rating. A refusal that trying again cannot change
// (rated already, not served yet, not the applicant's card) ends the flow
// on a screen that says so; others stay on the screen to try again.
func (k *Kiosk) rateSubmit(f *rateFlow) {
	if f.sending {
		return
	}
	f.sending = true
	f.submit.Disable()
	k.banner.show(k.T("rate.sending"), bannerInfo)
	req := f.target.request(f.level, slices.Clone(f.reasons))
	var receipt api.RatingReceipt
	k.goAsync(func(ctx context.Context) error {
		var err error
		receipt, err = k.hallNow().Rate(ctx, req)
		return err
	}, func(err error) {
		f.sending = false
		if k.current.name != "rate_reasons" {
			return
		}
		if err != nil {
			msg, final := k.rateRefusal(err)
			if final {
				k.rateEnd(page{"rate_refused", func() fyne.CanvasObject { return k.rateRefusedScreen(msg) }})
				return
			}
			f.submit.Enable()
			k.banner.show(msg, bannerError)
			return
		}
		lvl := f.rateLevel()
		what := k.rateWhat(f.target)
		k.rateEnd(page{"rate_thanks", func() fyne.CanvasObject { return k.rateThanksScreen(lvl, what, receipt) }})
	})
}

// rateEnd shows the flow's last screen; Back then goes home, not into the
// finished rating.
func (k *Kiosk) rateEnd(p page) {
	k.history = nil
	k.replace(p)
}

// rateThanksScreen thanks the person. After a bad rating it says that
// staff will call back within 1 working day and put things right within
// 15, with the dates.
func (k *Kiosk) rateThanksScreen(lvl api.RatingLevel, what string, rc api.RatingReceipt) fyne.CanvasObject {
	title := k.text(k.T("rate.thanks"), k.theme.sizes.Heading, true, colSuccess)
	title.Alignment = fyne.TextAlignCenter
	name := k.catName(lvl.Name, lvl.NameEn)
	if name == "" {
		name = rc.LevelName
	}
	parts := []fyne.CanvasObject{
		container.NewCenter(k.rateFace(rc.Level, 2)), title,
		k.guideText(k.T("rate.thanks_body", map[string]string{"Level": name}), theme.SizeNameSubHeadingText, true, widget.MediumImportance),
		k.guideText(what, theme.SizeNameText, false, widget.LowImportance),
	}
	if rc.Followup != nil {
		parts = append(parts, k.guidePanel(k.guideText(k.T("rate.thanks_bad", map[string]string{
			"Callback": k.rateDay(rc.Followup.CallbackDue), "Resolve": k.rateDay(rc.Followup.ResolveDue)}),
			theme.SizeNameText, false, widget.MediumImportance)))
	}
	if rc.Rerating {
		parts = append(parts, k.guideText(k.T("rate.thanks_rerating"), theme.SizeNameText, false, widget.MediumImportance))
	}
	parts = append(parts, container.NewCenter(k.bigButton(k.T("rate.done"), theme.HomeIcon(), true, k.endSession)))
	for _, p := range parts[2:4] {
		p.(*widget.Label).Alignment = fyne.TextAlignCenter
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// rateRefusedScreen says why the rating cannot be made.
func (k *Kiosk) rateRefusedScreen(msg string) fyne.CanvasObject {
	return container.NewPadded(container.NewVBox(
		k.guideHeading(k.T("rate.refused_title")),
		k.guidePanel(k.guideText(msg, theme.SizeNameSubHeadingText, false, widget.MediumImportance)),
		container.NewCenter(k.bigButton(k.T("rate.done"), theme.HomeIcon(), true, k.endSession)),
	))
}

// rateDay writes a YYYY-MM-DD date as people read it.
func (k *Kiosk) rateDay(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	if k.lang == English {
		return d.Format("Monday 2 January")
	}
	return d.Format("1月2日") + "（" + [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[d.Weekday()] + "）"
}
