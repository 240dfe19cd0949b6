package kiosk

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Keypad is the kiosk's own on-screen keyboard: a full-screen kiosk
// covers the system's. It edits one line of text shown above the keys;
// keys are touch targets like every button.
type Keypad struct {
	k       *Kiosk
	value   string
	max     int
	secret  bool
	display *widget.Label
	changed func(string)
	obj     fyne.CanvasObject
}

// Keypad layouts.
const (
	// DigitKeys: 0–9, for PINs and numbers.
	DigitKeys = "123456789 0"
	// NumberKeys: digits, X (ID numbers) and the dash of application
	// numbers.
	NumberKeys = "123456789X0-"
	// CodeKeys: letters and digits, for enrollment codes and application
	// numbers with letters.
	CodeKeys = "1234567890QWERTYUIOPASDFGHJKLZXCVBNM-"
)

// keypad makes a keypad with the keys of layout (a space is an empty
// place), accepting up to max characters. secret shows dots instead of
// what was typed.
func (k *Kiosk) keypad(layout string, max int, secret bool, changed func(string)) *Keypad {
	p := &Keypad{k: k, max: max, secret: secret, changed: changed, display: widget.NewLabel("")}
	p.display.TextStyle = fyne.TextStyle{}
	p.display.Alignment = fyne.TextAlignCenter
	cols := 3
	if len(layout) > 12 {
		cols = 10
	}
	keys := container.NewGridWithColumns(cols)
	for _, r := range layout {
		if r == ' ' {
			keys.Add(widget.NewLabel(""))
			continue
		}
		ch := string(r)
		keys.Add(k.target(k.button(ch, nil, false, func() { p.Type(ch) })))
	}
	del := k.target(k.button("", theme.ContentUndoIcon(), false, p.Backspace))
	clear := k.target(k.button("", theme.ContentClearIcon(), false, p.Clear))
	p.obj = container.NewVBox(container.NewPadded(p.display), keys, container.NewGridWithColumns(2, del, clear))
	p.refresh()
	return p
}

// Object is the keypad's widget tree.
func (p *Keypad) Object() fyne.CanvasObject { return p.obj }

// Value is what was typed.
func (p *Keypad) Value() string { return p.value }

// Type adds s (as if its keys were tapped).
func (p *Keypad) Type(s string) {
	for _, r := range strings.ToUpper(s) {
		if p.max > 0 && len([]rune(p.value)) >= p.max {
			break
		}
		p.value += string(r)
	}
	p.refresh()
}

// Backspace removes the last character.
func (p *Keypad) Backspace() {
	if r := []rune(p.value); len(r) > 0 {
		p.value = string(r[:len(r)-1])
	}
	p.refresh()
}

// Clear empties the keypad (also what ending a session does).
func (p *Keypad) Clear() {
	p.value = ""
	p.refresh()
}

func (p *Keypad) refresh() {
	shown := p.value
	if p.secret {
		shown = strings.Repeat("●", len([]rune(p.value)))
	}
	if shown == "" {
		shown = " "
	}
	p.display.SetText(shown)
	if p.changed != nil {
		p.changed(p.value)
	}
}
