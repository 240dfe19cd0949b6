package certpdf

import (
	"fmt"
	"image/color"

	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"
)

// quietZone is the white margin around a QR code, in modules, that the
// standard asks for.
const quietZone = 4

// qrCode is an encoded QR code: size×size modules, dark[y*size+x].
type qrCode struct {
	size int
	dark []bool
}

// encodeQR encodes text at error correction level Q, the level for
// archival A4 prints, which survives a fold or a stain.
func encodeQR(text string) (qrCode, error) {
	bc, err := qr.Encode(text, qr.Q, qr.Auto)
	if err != nil {
		return qrCode{}, fmt.Errorf("%w: QRText: %w", ErrDoesNotFit, err)
	}
	b := bc.Bounds()
	n := b.Dx()
	code := qrCode{size: n, dark: make([]bool, n*n)}
	for y := range n {
		for x := range n {
			g := color.GrayModel.Convert(bc.At(b.Min.X+x, b.Min.Y+y)).(color.Gray)
			code.dark[y*n+x] = g.Y < 128
		}
	}
	return code, nil
}

// draw paints the dark modules, module mm square, from (x, y) with the
// current fill colour. Each row's runs of dark modules become rectangles
// of one path, filled once, so that anti-aliasing leaves no hairlines
// between neighbouring modules. The quiet zone is the caller's.
func (c qrCode) draw(pdf *fpdf.Fpdf, x, y, module float64) {
	for row := range c.size {
		top, bottom := y+float64(row)*module, y+float64(row+1)*module
		for col := 0; col < c.size; {
			if !c.dark[row*c.size+col] {
				col++
				continue
			}
			end := col
			for end < c.size && c.dark[row*c.size+end] {
				end++
			}
			l, r := x+float64(col)*module, x+float64(end)*module
			pdf.MoveTo(l, top)
			pdf.LineTo(r, top)
			pdf.LineTo(r, bottom)
			pdf.LineTo(l, bottom)
			pdf.ClosePath()
			col = end
		}
	}
	pdf.DrawPath("F")
}
