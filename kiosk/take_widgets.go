package kiosk

import (
	"fmt"
	"image"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/boombuler/barcode/qr"
)

// Building blocks of the take-a-number screens: larger button text,
// choices laid out as many to a row as fit, names wrapped inside buttons,
// and the QR code drawn for the screen.

// takeTextTheme is the kiosk's theme with another body text size: the
// item list shows names larger than other buttons.
type takeTextTheme struct {
	fyne.Theme
	size float32
}

func (t *takeTextTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return t.size
	}
	return t.Theme.Size(n)
}

// screenWidth is the window's width; a kiosk screen's (1280) before the
// window has one.
func (f *takeFlow) screenWidth() float32 {
	k := f.k
	if w := k.win.Canvas().Size().Width; w >= 320 {
		return w
	}
	return 1280
}

// columnsFor is how many buttons with these labels (and icon, if any) fit
// side by side across the screen, at most maxCols and at least one.
func (f *takeFlow) columnsFor(labels []string, icon fyne.Resource, maxCols int) int {
	k := f.k
	widest := float32(0)
	for _, l := range labels {
		widest = max(widest, widget.NewButtonWithIcon(l, icon, nil).MinSize().Width)
	}
	// The grid's gaps, and the padded container's margins.
	pad := k.theme.sizes.Padding
	n := int((f.screenWidth() - 2*pad + pad) / (widest + pad))
	return max(1, min(maxCols, n))
}

// fitChoices lays out choice buttons (with icon, if any): as many to a
// row as fit, up to maxCols, letting a label take two lines when that
// puts more in a row. It returns the columns and the labels, broken with
// "\n" where they wrap.
func (f *takeFlow) fitChoices(labels []string, icon fyne.Resource, maxCols int) (int, []string) {
	k := f.k
	cols := f.columnsFor(labels, icon, maxCols)
	s := k.theme.sizes
	style := fyne.TextStyle{}
	overhead := widget.NewButtonWithIcon("x", icon, nil).MinSize().Width - fyne.MeasureText("x", s.Text, style).Width
	for c := maxCols; c > cols; c-- {
		cell := (f.screenWidth()-2*s.Padding+s.Padding)/float32(c) - s.Padding
		wrapped, ok := make([]string, len(labels)), true
		for i, l := range labels {
			wrapped[i] = takeWrap(l, s.Text, cell-overhead)
			lines := strings.Split(wrapped[i], "\n")
			for _, line := range lines {
				ok = ok && len(lines) <= 2 && fyne.MeasureText(line, s.Text, style).Width <= cell-overhead
			}
		}
		if ok {
			return c, wrapped
		}
	}
	return cols, labels
}

// takeWrap breaks s into lines (joined by "\n") that fit width at the
// text size in bold, as a button's label is drawn: Latin text at spaces,
// Chinese between any two characters, but never before closing
// punctuation.
func takeWrap(s string, size, width float32) string {
	style := fyne.TextStyle{}
	fits := func(l string) bool { return fyne.MeasureText(strings.TrimSpace(l), size, style).Width <= width }
	if width <= 0 || fits(s) {
		return s
	}
	var lines []string
	line := ""
	for _, tok := range takeWrapTokens(s) {
		if line != "" && !fits(line+tok) {
			lines = append(lines, strings.TrimSpace(line))
			line = strings.TrimLeft(tok, " ")
			continue
		}
		line += tok
	}
	return strings.Join(append(lines, strings.TrimSpace(line)), "\n")
}

// takeNoLineStart is punctuation that may not begin a line.
const takeNoLineStart = "，。、；：？！）》」』】〉”’…·,.;:?!)"

// takeWrapTokens splits s into the pieces a line may break between: Latin
// words with the spaces after them, single Chinese characters, with
// closing punctuation kept on the piece before it.
func takeWrapTokens(s string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	prevSpace := false
	for _, r := range s {
		switch {
		case strings.ContainsRune(takeNoLineStart, r):
			if cur.Len() == 0 && len(toks) > 0 {
				toks[len(toks)-1] += string(r)
				continue
			}
			cur.WriteRune(r)
		case r == ' ':
			cur.WriteRune(r)
			prevSpace = true
			continue
		case r < 0x2E80 && !unicode.IsSpace(r):
			if prevSpace {
				flush()
			}
			cur.WriteRune(r)
		default:
			flush()
			cur.WriteRune(r)
			flush()
		}
		prevSpace = false
	}
	flush()
	return toks
}

// takeQRImage draws text as a QR code at error correction M (as on the slip)
// with the 4-module quiet zone a phone needs, black on white, with the
// largest whole number of pixels per module (at least 2) that fits in
// side pixels.
func takeQRImage(text string, side int) (image.Image, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("kiosk: QR code: %w", err)
	}
	n := code.Bounds().Dx()
	module := max(2, side/(n+8))
	px := (n + 8) * module
	img := image.NewGray(image.Rect(0, 0, px, px))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if v, _, _, _ := code.At(x, y).RGBA(); v > 0x7FFF {
				continue // a light module
			}
			for dy := 0; dy < module; dy++ {
				row := img.Pix[((y+4)*module+dy)*img.Stride:]
				for dx := 0; dx < module; dx++ {
					row[(x+4)*module+dx] = 0
				}
			}
		}
	}
	return img, nil
}
