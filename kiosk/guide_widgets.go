package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Building blocks of the guide and rating screens: long texts that wrap
// (item names run to 26 Chinese characters, their English names to 90
// letters), rows that are one big touch target, and white panels.

// guideText is a wrapping label in a theme text size, bold or not, coloured
// by importance (widget.MediumImportance for body text).
func (k *Kiosk) guideText(s string, size fyne.ThemeSizeName, bold bool, imp widget.Importance) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = size
	l.TextStyle = fyne.TextStyle{} // no bold: see Kiosk.text
	l.Importance = imp
	return l
}

// guideTapRow is a row of wrapping texts that is one touch target: a button
// (made by k.button, so at least the target size and resetting the idle
// timer) lies under the texts, which let taps through to it.
func (k *Kiosk) guideTapRow(tap func(), content ...fyne.CanvasObject) fyne.CanvasObject {
	b := k.target(k.button("", nil, false, tap))
	return container.NewStack(b, container.NewPadded(container.NewVBox(content...)))
}

// guideRow is a list row: a bold title and a muted detail line.
func (k *Kiosk) guideRow(title, detail string, tap func()) fyne.CanvasObject {
	parts := []fyne.CanvasObject{k.guideText(title, theme.SizeNameText, true, widget.MediumImportance)}
	if detail != "" {
		parts = append(parts, k.guideText(detail, theme.SizeNameCaptionText, false, widget.LowImportance))
	}
	return k.guideTapRow(tap, parts...)
}

// guidePanel is a white box with a thin border around objs, stacked.
func (k *Kiosk) guidePanel(objs ...fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(colButton)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = colSeparator, 1, 8
	return container.NewStack(bg, container.NewPadded(container.NewVBox(objs...)))
}

// guideTitle is the title of a part of a screen, in the primary colour.
func (k *Kiosk) guideTitle(s string) *widget.Label {
	return k.guideText(s, theme.SizeNameSubHeadingText, true, widget.HighImportance)
}
