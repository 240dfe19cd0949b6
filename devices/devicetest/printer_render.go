package devicetest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"sync"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"onestop/assets"
)

// PrinterMargin is the blank paper, in dots, that the rendered image of a
// receipt has above its first line and below its last (the distance
// between cutter and print head on a real printer is of that order).
const PrinterMargin = 24

// printerPalette is thermal paper: white, and black dots.
var printerPalette = color.Palette{color.White, color.Black}

// Image renders the receipt as the printer prints it: white paper as
// wide as the printable width, black dots only. Characters sit in the
// printer's cells (12×24 dots for ASCII, 24×24 for Chinese, times the
// size multipliers), bottoms aligned on the line, drawn with the
// embedded font (assets.Font); bold is drawn twice, offset by the width
// multiplier in dots; lines are aligned as ESC a said; QR codes are
// drawn from the stored data with modules of the stored size.
//
// If a character has no glyph in the font (it shows as a box) or a QR
// code cannot be drawn, Image returns the whole image anyway, and an
// error naming them.
func (r PrinterReceipt) Image() (*image.Paletted, error) {
	width := r.Width
	if width <= 0 {
		width = PrinterDots80
	}
	height := 2*PrinterMargin + r.CutFeed
	for _, l := range r.Lines {
		height += l.Height
	}
	img := image.NewPaletted(image.Rect(0, 0, width, height), printerPalette)
	var problems []string
	y := PrinterMargin
	for _, l := range r.Lines {
		x := 0
		switch l.Align {
		case PrinterCenter:
			x = (width - l.Dots()) / 2
		case PrinterRight:
			x = width - l.Dots()
		}
		x = max(x, 0)
		if l.QR != nil {
			if err := drawQR(img, x, y, *l.QR); err != nil {
				problems = append(problems, err.Error())
			}
		} else {
			tallest := l.tallest()
			for _, run := range l.Runs {
				cellH := printerCellH * run.Height
				for _, c := range run.Text {
					g, ok := glyphs.get(c, run.Width, run.Height)
					if !ok {
						problems = append(problems, fmt.Sprintf("no glyph for %q (%U)", c, c))
					}
					top := y + tallest - cellH
					g.draw(img, x, top)
					if run.Bold {
						g.draw(img, x+run.Width, top)
					}
					x += charDots(c) * run.Width
				}
			}
		}
		y += l.Height
	}
	if len(problems) > 0 {
		return img, fmt.Errorf("devicetest: render receipt: %s", strings.Join(problems, "; "))
	}
	return img, nil
}

// WritePNG writes the receipt's image (see Image) as a PNG.
func (r PrinterReceipt) WritePNG(w io.Writer) error {
	img, err := r.Image()
	if err != nil {
		return err
	}
	var enc png.Encoder
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("devicetest: encode receipt PNG: %w", err)
	}
	return nil
}

// PNG returns the receipt's image (see Image) as PNG bytes.
func (r PrinterReceipt) PNG() ([]byte, error) {
	var b bytes.Buffer
	if err := r.WritePNG(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func drawQR(img *image.Paletted, x0, y0 int, q PrinterQR) error {
	code, err := printerQRCode(q.Data, q.Level)
	if err != nil {
		return fmt.Errorf("QR code of %d bytes: %w", len(q.Data), err)
	}
	n := code.Bounds().Dx()
	for my := range n {
		for mx := range n {
			if r, _, _, _ := code.At(mx, my).RGBA(); r >= 0x8000 {
				continue // a light module
			}
			for dy := range q.Module {
				for dx := range q.Module {
					setDot(img, x0+mx*q.Module+dx, y0+my*q.Module+dy)
				}
			}
		}
	}
	return nil
}

func setDot(img *image.Paletted, x, y int) {
	if image.Pt(x, y).In(img.Rect) {
		img.Pix[img.PixOffset(x, y)] = 1
	}
}

// glyph is a character cell rendered to dots.
type glyph struct {
	w, h int
	on   []bool // row by row
}

func (g *glyph) draw(img *image.Paletted, x, y int) {
	for j := range g.h {
		for i := range g.w {
			if g.on[j*g.w+i] {
				setDot(img, x+i, y+j)
			}
		}
	}
}

// glyphCache renders each character once per size, from the embedded
// font parsed once.
type glyphCache struct {
	mu     sync.Mutex
	font   *opentype.Font
	err    error
	faces  map[float64]font.Face
	glyphs map[glyphKey]*glyph
	ok     map[glyphKey]bool
}

type glyphKey struct {
	r    rune
	w, h int
}

var glyphs glyphCache

// ink is the coverage from which a dot is black: a little under half,
// as the heat of a thermal head spreads.
const ink = 0x70

// get returns the cell of c at size w×h and whether the font has c.
func (gc *glyphCache) get(c rune, w, h int) (*glyph, bool) {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	key := glyphKey{c, w, h}
	if g, ok := gc.glyphs[key]; ok {
		return g, gc.ok[key]
	}
	if gc.font == nil && gc.err == nil {
		gc.font, gc.err = opentype.Parse(assets.Font())
		gc.faces = map[float64]font.Face{}
		gc.glyphs = map[glyphKey]*glyph{}
		gc.ok = map[glyphKey]bool{}
	}
	cellW, cellH := charDots(c)*w, printerCellH*h
	g := &glyph{w: cellW, h: cellH, on: make([]bool, cellW*cellH)}
	if gc.err != nil {
		return g, false
	}
	// ASCII is drawn a little smaller than Chinese, so that its
	// descenders stay in the cell, as in a printer's 12×24 font.
	size, baseline := 24.0*float64(h), 21*h
	if c < 0x80 {
		size, baseline = 20.0*float64(h), 19*h
	}
	face := gc.faces[size]
	if face == nil {
		var err error
		face, err = opentype.NewFace(gc.font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			gc.glyphs[key] = g
			return g, false
		}
		gc.faces[size] = face
	}
	_, adv, has := face.GlyphBounds(c)
	has = has || c == ' '
	natural := max(adv.Ceil(), 1)
	src := image.NewAlpha(image.Rect(0, 0, natural, cellH))
	d := font.Drawer{Dst: src, Src: image.Opaque, Face: face, Dot: fixed.P(0, baseline)}
	d.DrawString(string(c))
	// Width multipliers stretch the glyph as they stretch a printer's
	// dots; a glyph wider than its cell is narrowed to fit.
	target := min(max(natural*w/h, 1), cellW)
	if target != natural {
		scaled := image.NewAlpha(image.Rect(0, 0, target, cellH))
		draw.ApproxBiLinear.Scale(scaled, scaled.Bounds(), src, src.Bounds(), draw.Src, nil)
		src = scaled
	}
	x0 := (cellW - target) / 2
	for j := range cellH {
		for i := range target {
			if src.AlphaAt(i, j).A >= ink {
				g.on[j*cellW+x0+i] = true
			}
		}
	}
	gc.glyphs[key], gc.ok[key] = g, has
	return g, has
}
