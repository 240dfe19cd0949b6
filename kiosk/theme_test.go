package kiosk

import (
	"image/color"
	"math"
	"testing"
)

// luminance is the WCAG relative luminance of c.
func luminance(c color.NRGBA) float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.NRGBA) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestContrast: every text colour on every ground it is drawn on keeps
// the 4.5:1 of the 适老化 rules.
func TestContrast(t *testing.T) {
	pairs := []struct {
		name   string
		fg, bg color.NRGBA
	}{
		{"text on background", colText, colBackground},
		{"muted text on background", colMuted, colBackground},
		{"text on button", colText, colButton},
		{"muted text on button", colMuted, colButton},
		{"white on primary", colOnPrimary, colPrimary},
		{"white on danger", colOnPrimary, colDanger},
		{"white on success", colOnPrimary, colSuccess},
		{"white on warning", colOnPrimary, colWarning},
		{"danger text on button", colDanger, colButton},
		{"disabled text on disabled button", colDisabled, colDisabledButton},
	}
	for _, p := range pairs {
		if c := contrast(p.fg, p.bg); c < 4.5 {
			t.Errorf("%s: %.2f:1, want at least 4.5:1", p.name, c)
		}
	}
}

// TestSizes: the elderly mode's sizes meet the rules (body ≥ 18,
// largest ≥ 30, targets ≥ 60 dp), and standard mode's targets too.
func TestSizes(t *testing.T) {
	for name, s := range map[string]Sizes{"standard": Standard, "elderly": Elderly} {
		if s.Target < 60 {
			t.Errorf("%s: touch targets %v dp, want at least 60", name, s.Target)
		}
		if s.Caption < 18 || s.Text < 18 {
			t.Errorf("%s: text %v, caption %v: want at least 18", name, s.Text, s.Caption)
		}
	}
	if Elderly.Heading < 30 || Elderly.Text <= Standard.Text {
		t.Errorf("elderly: heading %v (want ≥ 30), body %v (want larger than standard %v)", Elderly.Heading, Elderly.Text, Standard.Text)
	}
}
