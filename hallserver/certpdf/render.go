package certpdf

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/go-pdf/fpdf"
)

// Renderer makes certificate PDFs. Create it once with NewRenderer; it is
// safe for concurrent use.
type Renderer struct {
	face *ttf
}

// NewRenderer parses font, a TrueType (.ttf) font with Latin and CJK
// glyphs (assets.Font), once for every certificate to come. It refuses a
// collection (.ttc), a CFF OpenType font (.otf) and a face without the
// digits, Latin letters or fixed Chinese wording certificates print, and
// checks that fpdf accepts the face.
func NewRenderer(font []byte) (*Renderer, error) {
	face, err := parseTTF(font)
	if err != nil {
		return nil, fmt.Errorf("certpdf: font: %w", err)
	}
	r := &Renderer{face: face}
	probe := fixedText + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	if err := r.checkGlyphs("the certificate wording and Latin letters and digits", probe); err != nil {
		return nil, err
	}
	// Let fpdf read a subset now, so a font it cannot use fails here
	// and not at the first certificate.
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", face.subset(runeSet(probe)))
	pdf.SetFont(fontFamily, "", 12)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("certpdf: font rejected by fpdf: %w", err)
	}
	return r, nil
}

// checkGlyphs returns an error wrapping ErrMissingGlyph, naming what and
// the first character of s the face cannot print.
func (r *Renderer) checkGlyphs(what, s string) error {
	for _, c := range s {
		if c == '\n' {
			continue
		}
		if !r.face.has(c) {
			return fmt.Errorf("%w for %q (%U) in %s", ErrMissingGlyph, c, c, what)
		}
	}
	return nil
}

// runeSet returns the distinct runes of the strings, sorted, without "\n".
func runeSet(ss ...string) []rune {
	var rs []rune
	for _, s := range ss {
		for _, r := range s {
			if r != '\n' {
				rs = append(rs, r)
			}
		}
	}
	slices.Sort(rs)
	return slices.Compact(rs)
}

const fontFamily = "cert"

// Render returns certificate c as a one-page A4 PDF. The same c gives the
// same bytes. It returns an error wrapping ErrInvalid, ErrMissingGlyph or
// ErrDoesNotFit when c cannot be printed as it is.
func (r *Renderer) Render(c Certificate) ([]byte, error) {
	ct, err := prepare(c)
	if err != nil {
		return nil, err
	}
	if err := r.checkGlyphs("Title", ct.title); err != nil {
		return nil, err
	}
	if err := r.checkGlyphs("TitleEn", ct.titleEn); err != nil {
		return nil, err
	}
	for _, rs := range [][]row{ct.rows, ct.info} {
		for _, row := range rs {
			if err := r.checkGlyphs(row.label, row.label+row.value); err != nil {
				return nil, err
			}
		}
	}
	code, err := encodeQR(ct.qr)
	if err != nil {
		return nil, err
	}

	runes := runeSet(ct.strings()...)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCatalogSort(true)
	created := c.PrintedAt
	if created.IsZero() {
		created = c.IssuedAt
	}
	// fpdf writes these dates without a zone, so give it UTC.
	pdf.SetCreationDate(created.UTC())
	pdf.SetModificationDate(created.UTC())
	pdf.SetTitle(ct.title, true)
	pdf.SetSubject(labelSerial+" "+strings.TrimSpace(c.Serial), true)
	pdf.SetAuthor(strings.TrimSpace(c.Hall), true)
	pdf.SetCreator("OneStop certpdf", true)
	pdf.SetLang("zh-CN")
	pdf.AddUTF8FontFromBytes(fontFamily, "", r.face.subset(runes))
	pdf.SetFont(fontFamily, "", 12)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("certpdf: font: %w", err)
	}
	p := &page{pdf: pdf, runes: runes}
	l, err := p.layout(ct, code)
	if err != nil {
		return nil, err
	}
	pdf.AddPage()
	p.draw(ct, l, code)
	if p.err != nil {
		return nil, p.err
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("certpdf: %w", err)
	}
	if n := pdf.PageCount(); n != 1 {
		return nil, fmt.Errorf("certpdf: internal: %d pages", n)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("certpdf: write PDF: %w", err)
	}
	return out.Bytes(), nil
}

// Page geometry, in millimetres.
const (
	pageW, pageH = 210.0, 297.0
	outerInset   = 10.0  // outer (thick) frame
	innerInset   = 13.0  // inner (thin) frame
	left         = 22.0  // content area
	right        = 188.0 // pageW - left
	contentW     = right - left

	titleSize      = 28.0 // pt, shrunk to fit
	titleMinSize   = 18.0
	titleEnSize    = 11.5
	titleEnMinSize = 8.0
	titleTop       = 24.0 // top of the title's first line

	labelSize   = 11.0 // table
	labelEnSize = 7.0
	valueSize   = 11.0
	holderSize  = 14.0
	labelColW   = 40.0
	cellPadX    = 3.0
	cellPadY    = 2.4 // at least; more when the page has room
	cellPadYMax = 4.4

	infoSize      = 10.0 // block beside the QR code
	infoEnSize    = 6.5
	infoGap       = 1.4 // between its entries
	qrTarget      = 38.0
	qrMinModule   = 0.5
	qrMax         = 56.0
	qrGap         = 6.0 // between the info block and the QR code
	captionSize   = 9.5
	captionEnSize = 7.0

	footerRule  = 269.0
	footerBase  = 276.0
	footerSize  = 8.0
	bottomBlock = footerRule - 5 // bottom of the info/QR block
	sectionGap  = 8.0            // table to info block, at least
)

// Colours.
var (
	black     = rgb{0, 0, 0}
	ink       = rgb{25, 25, 25}
	grey      = rgb{110, 110, 110}
	ruleGrey  = rgb{150, 150, 150}
	labelFill = rgb{246, 242, 234}
	sealRed   = rgb{165, 28, 28}
	watermark = rgb{220, 220, 220}
)

type rgb struct{ r, g, b int }

// mm converts a font size in points to millimetres.
func mm(pt float64) float64 { return pt * 25.4 / 72 }

// lineH is the line pitch for a font size in points.
func lineH(pt float64) float64 { return mm(pt) * 1.45 }

// page draws on one fpdf document whose font holds exactly runes.
type page struct {
	pdf   *fpdf.Fpdf
	runes []rune
	err   error
}

func (p *page) size(pt float64) { p.pdf.SetFontSize(pt) }

func (p *page) width(s string) float64 { return p.pdf.GetStringWidth(s) }

func (p *page) color(c rgb) { p.pdf.SetTextColor(c.r, c.g, c.b) }

// text draws s with its baseline at y, starting at x.
func (p *page) text(x, y float64, s string) {
	for _, r := range s {
		if _, ok := slices.BinarySearch(p.runes, r); !ok && p.err == nil {
			p.err = fmt.Errorf("certpdf: internal: %q is not in the font subset", r)
		}
	}
	p.pdf.Text(x, y, s)
}

// textIn draws one line of text vertically centred in a line box of
// height h whose top is at top.
func (p *page) textIn(x, top, h, pt float64, s string) {
	p.text(x, top+h/2+0.36*mm(pt), s)
}

// centred draws s centred on x.
func (p *page) centred(x, top, h, pt float64, s string) {
	p.textIn(x-p.width(s)/2, top, h, pt, s)
}

// lines wraps s at font size pt to width.
func (p *page) lines(s string, pt, width float64) []string {
	p.size(pt)
	return wrap(s, width, p.width)
}

// cell is a laid-out row: its label and value lines and height.
type cell struct {
	label, value []string
	h            float64
}

// layout is where everything goes.
type layout struct {
	titlePt    float64
	titleGap   float64 // extra space between title characters
	title      []string
	titleEnPt  float64
	titleEnY   float64
	ruleY      float64
	tableTop   float64
	rows       []cell
	padY       float64 // vertical padding of table cells
	info       []cell
	infoLabelW float64
	qrModule   float64
	qrSize     float64
	blockTop   float64
}

// layout measures the content, and fails with ErrDoesNotFit if it does not
// fit the page.
func (p *page) layout(ct *content, code qrCode) (*layout, error) {
	l := &layout{}
	// The title: spaced out when short, shrunk when long, wrapped as a
	// last resort.
	p.size(titleSize)
	n := len([]rune(ct.title))
	for pt := titleSize; pt >= titleMinSize; pt-- {
		p.size(pt)
		gap := 0.0
		if allWide(ct.title) {
			switch {
			case n <= 6:
				gap = 0.45 * mm(pt)
			case n <= 10:
				gap = 0.2 * mm(pt)
			}
		}
		if p.width(ct.title)+gap*float64(n-1) <= contentW {
			l.titlePt, l.titleGap, l.title = pt, gap, []string{ct.title}
			break
		}
	}
	if l.title == nil {
		l.titlePt = titleMinSize
		l.title = p.lines(ct.title, titleMinSize, contentW)
		if len(l.title) > 2 {
			return nil, fmt.Errorf("%w: the title needs %d lines", ErrDoesNotFit, len(l.title))
		}
	}
	y := titleTop + float64(len(l.title))*lineH(l.titlePt)
	if ct.titleEn != "" {
		l.titleEnPt = titleEnSize
		for p.size(l.titleEnPt); p.width(ct.titleEn) > contentW; p.size(l.titleEnPt) {
			if l.titleEnPt -= 0.5; l.titleEnPt < titleEnMinSize {
				return nil, fmt.Errorf("%w: TitleEn is wider than the page", ErrDoesNotFit)
			}
		}
		l.titleEnY = y + 0.5
		y = l.titleEnY + lineH(titleEnSize)
	}
	l.ruleY = y + 3
	l.tableTop = l.ruleY + 6

	// The table.
	valueW := contentW - labelColW - 2*cellPadX
	tableH := 0.0
	for _, r := range ct.rows {
		var c cell
		c.label = p.lines(r.label, labelSize, labelColW-2*cellPadX)
		labelH := float64(len(c.label)) * lineH(labelSize)
		if r.labelEn != "" {
			labelH += lineH(labelEnSize)
		}
		pt := valueSize
		if r.big {
			pt = holderSize
		}
		c.value = p.lines(r.value, pt, valueW)
		c.h = max(labelH, float64(len(c.value))*lineH(pt))
		l.rows = append(l.rows, c)
		tableH += c.h + 2*cellPadY
	}

	// The QR code and the block beside it.
	n = code.size + 2*quietZone
	l.qrModule = max(qrTarget/float64(n), qrMinModule)
	l.qrSize = l.qrModule * float64(n)
	if l.qrSize > qrMax {
		return nil, fmt.Errorf("%w: QRText needs a %d-module QR code", ErrDoesNotFit, code.size)
	}
	qrBlockH := l.qrSize + lineH(captionSize) + lineH(captionEnSize)
	// Entries of the info block: the Chinese label above its English
	// gloss, the value beside them.
	for _, r := range ct.info {
		p.size(infoSize)
		w := p.width(r.label)
		p.size(infoEnSize)
		l.infoLabelW = max(l.infoLabelW, w+4, p.width(r.labelEn)+4)
	}
	infoW := contentW - l.qrSize - qrGap - l.infoLabelW
	infoH := 0.0
	for _, r := range ct.info {
		c := cell{value: p.lines(r.value, infoSize, infoW)}
		c.h = max(float64(len(c.value))*lineH(infoSize), lineH(infoSize)+lineH(infoEnSize)-1)
		l.info = append(l.info, c)
		infoH += c.h + infoGap
	}
	l.blockTop = bottomBlock - max(infoH-infoGap, qrBlockH)
	room := l.blockTop - sectionGap - l.tableTop
	if tableH > room {
		return nil, fmt.Errorf("%w: the table needs %.0f mm, the page has %.0f mm", ErrDoesNotFit, tableH, room)
	}
	// Spread the rows out a little when the page has room to spare.
	l.padY = min(cellPadY+(room-tableH)/float64(2*len(l.rows))/2, cellPadYMax)
	return l, nil
}

// allWide reports whether s is all CJK (no Latin), so may be spaced out.
func allWide(s string) bool {
	for _, r := range s {
		if r < 0x2E80 {
			return false
		}
	}
	return true
}

func (p *page) draw(ct *content, l *layout, code qrCode) {
	pdf := p.pdf
	pdf.SetLineCapStyle("square")
	pdf.SetLineJoinStyle("miter")

	// A double frame.
	pdf.SetDrawColor(sealRed.r, sealRed.g, sealRed.b)
	pdf.SetLineWidth(1.2)
	pdf.Rect(outerInset, outerInset, pageW-2*outerInset, pageH-2*outerInset, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(innerInset, innerInset, pageW-2*innerInset, pageH-2*innerInset, "D")

	// The title, in faux bold: filled and stroked thinly.
	p.color(ink)
	y := titleTop
	for _, line := range l.title {
		p.size(l.titlePt)
		pdf.RawWriteStr(fmt.Sprintf("q 2 Tr %.2f w 0.098 0.098 0.098 RG", 0.25*72/25.4))
		if l.titleGap > 0 {
			chars := []rune(line)
			w := p.width(line) + l.titleGap*float64(len(chars)-1)
			x := pageW/2 - w/2
			for _, c := range chars {
				p.textIn(x, y, lineH(l.titlePt), l.titlePt, string(c))
				x += p.width(string(c)) + l.titleGap
			}
		} else {
			p.centred(pageW/2, y, lineH(l.titlePt), l.titlePt, line)
		}
		pdf.RawWriteStr("Q")
		y += lineH(l.titlePt)
	}
	if ct.titleEn != "" {
		p.size(l.titleEnPt)
		p.color(grey)
		p.centred(pageW/2, l.titleEnY, lineH(titleEnSize), l.titleEnPt, ct.titleEn)
	}
	pdf.SetLineWidth(0.5)
	pdf.Line(left, l.ruleY, right, l.ruleY)
	pdf.SetLineWidth(0.2)
	pdf.Line(left, l.ruleY+1, right, l.ruleY+1)

	p.drawTable(ct, l)
	p.drawInfo(ct, l)
	p.drawQR(l, code)
	p.drawFooter(ct)
	if ct.reprint != "" {
		p.drawReprint()
	}
}

func (p *page) drawTable(ct *content, l *layout) {
	pdf := p.pdf
	// The label column's tint first, then the rules over it.
	y := l.tableTop
	for _, c := range l.rows {
		y += c.h + 2*l.padY
	}
	bottom := y
	pdf.SetFillColor(labelFill.r, labelFill.g, labelFill.b)
	pdf.Rect(left, l.tableTop, labelColW, bottom-l.tableTop, "F")
	pdf.SetDrawColor(ruleGrey.r, ruleGrey.g, ruleGrey.b)
	pdf.SetLineWidth(0.2)
	y = l.tableTop
	for _, c := range l.rows[:len(l.rows)-1] {
		y += c.h + 2*l.padY
		pdf.Line(left, y, right, y)
	}
	pdf.SetDrawColor(ink.r, ink.g, ink.b)
	pdf.Line(left+labelColW, l.tableTop, left+labelColW, bottom)
	pdf.SetLineWidth(0.5)
	pdf.Rect(left, l.tableTop, contentW, bottom-l.tableTop, "D")

	y = l.tableTop
	for i, r := range ct.rows {
		c := l.rows[i]
		h := c.h + 2*l.padY
		// Label (and its English gloss), vertically centred.
		labelH := float64(len(c.label)) * lineH(labelSize)
		if r.labelEn != "" {
			labelH += lineH(labelEnSize)
		}
		ly := y + (h-labelH)/2
		p.size(labelSize)
		p.color(ink)
		for _, s := range c.label {
			p.textIn(left+cellPadX, ly, lineH(labelSize), labelSize, s)
			ly += lineH(labelSize)
		}
		if r.labelEn != "" {
			p.size(labelEnSize)
			p.color(grey)
			p.textIn(left+cellPadX, ly-0.6, lineH(labelEnSize), labelEnSize, r.labelEn)
		}

		pt := valueSize
		if r.big {
			pt = holderSize
		}
		vy := y + (h-float64(len(c.value))*lineH(pt))/2
		p.size(pt)
		p.color(black)
		for _, s := range c.value {
			p.textIn(left+labelColW+cellPadX, vy, lineH(pt), pt, s)
			vy += lineH(pt)
		}
		y += h
	}
}

func (p *page) drawInfo(ct *content, l *layout) {
	y := l.blockTop
	for i, r := range ct.info {
		c := l.info[i]
		p.size(infoSize)
		p.color(ink)
		p.textIn(left, y, lineH(infoSize), infoSize, r.label)
		p.size(infoEnSize)
		p.color(grey)
		p.textIn(left, y+lineH(infoSize)-1, lineH(infoEnSize), infoEnSize, r.labelEn)
		p.size(infoSize)
		p.color(black)
		vy := y
		for _, s := range c.value {
			p.textIn(left+l.infoLabelW, vy, lineH(infoSize), infoSize, s)
			vy += lineH(infoSize)
		}
		y += c.h + infoGap
	}
}

func (p *page) drawQR(l *layout, code qrCode) {
	x, y := right-l.qrSize, l.blockTop
	p.pdf.SetFillColor(255, 255, 255)
	p.pdf.Rect(x, y, l.qrSize, l.qrSize, "F")
	p.pdf.SetFillColor(0, 0, 0)
	code.draw(p.pdf, x+quietZone*l.qrModule, y+quietZone*l.qrModule, l.qrModule)
	cx := x + l.qrSize/2
	cy := y + l.qrSize
	p.size(captionSize)
	p.color(ink)
	p.centred(cx, cy, lineH(captionSize), captionSize, qrCaption)
	p.size(captionEnSize)
	p.color(grey)
	p.centred(cx, cy+lineH(captionSize)-0.5, lineH(captionEnSize), captionEnSize, qrCaptionEn)
}

func (p *page) drawFooter(ct *content) {
	pdf := p.pdf
	pdf.SetDrawColor(ruleGrey.r, ruleGrey.g, ruleGrey.b)
	pdf.SetLineWidth(0.2)
	pdf.Line(left, footerRule, right, footerRule)
	p.size(footerSize)
	if ct.footer != "" {
		p.color(grey)
		p.text(left, footerBase, ct.footer)
	}
	if ct.reprint != "" {
		p.size(footerSize + 1.5)
		p.color(sealRed)
		p.text(right-p.width(ct.reprint), footerBase, ct.reprint)
	}
}

// drawReprint marks a reprint: a boxed tag at the top right and a large
// diagonal watermark, multiplied over the page so it greys the paper but
// never hides what is printed.
func (p *page) drawReprint() {
	pdf := p.pdf
	const tagSize = 10.0
	p.size(tagSize)
	w := p.width(reprintMark) + 5
	h := lineH(tagSize) + 1.5
	x, y := right-w, innerInset+3.5
	pdf.SetDrawColor(sealRed.r, sealRed.g, sealRed.b)
	pdf.SetLineWidth(0.5)
	pdf.Rect(x, y, w, h, "D")
	p.color(sealRed)
	p.centred(x+w/2, y, h, tagSize, reprintMark)

	const markSize = 72.0
	p.size(markSize)
	p.color(watermark)
	cx, cy := pageW/2, pageH/2-10
	pdf.SetAlpha(1, "Multiply")
	pdf.TransformBegin()
	pdf.TransformRotate(35, cx, cy)
	p.text(cx-p.width(reprintMark)/2, cy+0.36*mm(markSize), reprintMark)
	pdf.TransformEnd()
	pdf.SetAlpha(1, "Normal")
}
