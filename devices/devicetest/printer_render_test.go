package devicetest

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"onestop/devices/escpos"
)

var update = flag.Bool("update", false, "rewrite the reference slip images in testdata/")

// sampleSlip is the slip of the reference images.
var sampleSlip = escpos.Slip{
	Hall:     "贵阳市观山湖区政务服务中心",
	Queue:    "不动产登记",
	QueueEn:  "Real estate",
	Number:   "A012",
	Ahead:    7,
	Wait:     22*time.Minute + 10*time.Second,
	IssuedAt: time.Date(2026, 3, 2, 1, 15, 42, 0, time.UTC), // 09:15 in Guiyang
	URL:      "https://hall.example.gov.cn/t/20260302-A012?k=7f3a9c",
	Note:     "请留意叫号屏幕和语音提示，过号请重新取号。Please watch the screen; a missed number needs a new ticket.",
}

// printedSlip prints s with the escpos driver on an in-memory simulator
// and returns the one receipt, failing on any parser note.
func printedSlip(tb testing.TB, mm int, s escpos.Slip) PrinterReceipt {
	tb.Helper()
	dots := map[int]int{58: PrinterDots58, 80: PrinterDots80}[mm]
	sim := NewPrinterSim(dots)
	p, err := escpos.New(sim, &escpos.Opts{PaperWidth: mm, StatusTimeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := p.PrintSlip(s); err != nil {
		tb.Fatal(err)
	}
	if n := sim.Notes(); len(n) > 0 {
		tb.Fatalf("the simulator noted:\n%s", strings.Join(n, "\n"))
	}
	rs := sim.Receipts()
	if len(rs) != 1 {
		tb.Fatalf("%d receipts, want 1", len(rs))
	}
	return rs[0]
}

func goldenPath(mm int) string {
	return filepath.Join("testdata", fmt.Sprintf("printer-slip-%dmm.png", mm))
}

// TestPrinterSlipImageGolden re-renders the reference slips and compares
// them with testdata/ pixel for pixel (the font is embedded, so the
// image is the same on every machine). Run with -update after a
// deliberate change to the layout or the renderer, and look at the new
// images.
func TestPrinterSlipImageGolden(t *testing.T) {
	for _, mm := range []int{58, 80} {
		t.Run(fmt.Sprintf("%dmm", mm), func(t *testing.T) {
			r := printedSlip(t, mm, sampleSlip)
			got, err := r.Image()
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				b, err := r.PNG()
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(goldenPath(mm), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			f, err := os.Open(goldenPath(mm))
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			defer f.Close()
			want, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds() != want.Bounds() {
				t.Fatalf("image is %v, reference %v", got.Bounds(), want.Bounds())
			}
			diff, first := 0, image.Point{-1, -1}
			for y := range got.Bounds().Dy() {
				for x := range got.Bounds().Dx() {
					if dark(got, x, y) != dark(want, x, y) {
						if diff == 0 {
							first = image.Pt(x, y)
						}
						diff++
					}
				}
			}
			if diff > 0 {
				t.Fatalf("%d pixels differ from %s, the first at %v", diff, goldenPath(mm), first)
			}
		})
	}
}

func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(img.Bounds().Min.X+x, img.Bounds().Min.Y+y).RGBA()
	return r+g+b < 3*0x8000
}

// decodeQR reads the one QR code in img, as a phone would.
func decodeQR(tb testing.TB, img image.Image) string {
	tb.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		tb.Fatalf("no QR code found in the rendered slip: %v", err)
	}
	return res.GetText()
}

// rowsWithInk counts the rows of y0…y1 that have at least minDots dark
// dots, and the dark dots in all.
func rowsWithInk(img image.Image, y0, y1, minDots int) (rows, dots int) {
	for y := y0; y < y1; y++ {
		n := 0
		for x := range img.Bounds().Dx() {
			if dark(img, x, y) {
				n++
			}
		}
		if n >= minDots {
			rows++
		}
		dots += n
	}
	return rows, dots
}

// lineTop returns the y at which line i of r is drawn.
func lineTop(r PrinterReceipt, i int) int {
	y := PrinterMargin
	for _, l := range r.Lines[:i] {
		y += l.Height
	}
	return y
}

func TestPrinterSlipImage(t *testing.T) {
	for _, mm := range []int{58, 80} {
		t.Run(fmt.Sprintf("%dmm", mm), func(t *testing.T) {
			r := printedSlip(t, mm, sampleSlip)
			img, err := r.Image()
			if err != nil {
				t.Fatal(err) // a missing glyph would print as a box
			}
			if got := decodeQR(t, img); got != sampleSlip.URL {
				t.Fatalf("QR reads %q, want %q", got, sampleSlip.URL)
			}
			// The hall's name is the first line: Chinese, drawn in black
			// over most of its rows, centred.
			hall := r.Lines[0]
			if !strings.HasPrefix(sampleSlip.Hall, hall.Text()) {
				t.Fatalf("first line %q", hall.Text())
			}
			top := lineTop(r, 0)
			rows, dots := rowsWithInk(img, top, top+hall.tallest(), 4)
			if rows < hall.tallest()*3/4 || dots < 10*len([]rune(hall.Text()))*hall.Runs[0].Height {
				t.Errorf("hall name: %d of %d rows inked, %d dots: Chinese not drawn?", rows, hall.tallest(), dots)
			}
			left, right := inkSpan(img, top, top+hall.tallest())
			if d := left - (img.Bounds().Dx() - 1 - right); d < -24 || d > 24 {
				t.Errorf("hall name spans x %d…%d: not centred", left, right)
			}
			// The ticket number is huge: over three times as tall as normal text (18 dots of ink).
			i := lineIndex(r, sampleSlip.Number)
			top = lineTop(r, i)
			if rows, _ := rowsWithInk(img, top, top+r.Lines[i].Height, 3); rows < 3*18 {
				t.Errorf("number %q has ink on %d rows; want a big number", sampleSlip.Number, rows)
			}
		})
	}
}

func lineIndex(r PrinterReceipt, s string) int {
	for i, l := range r.Lines {
		if l.Text() == s {
			return i
		}
	}
	return -1
}

func inkSpan(img image.Image, y0, y1 int) (left, right int) {
	left, right = img.Bounds().Dx(), -1
	for y := y0; y < y1; y++ {
		for x := range img.Bounds().Dx() {
			if dark(img, x, y) {
				left, right = min(left, x), max(right, x)
			}
		}
	}
	return left, right
}

func TestPrinterImageMissingGlyph(t *testing.T) {
	r := PrinterReceipt{Width: PrinterDots58, Lines: []PrinterLine{{Runs: []PrinterRun{{Text: "\u0e01", Width: 1, Height: 1}}, Height: 30}}}
	if _, err := r.Image(); err == nil || !strings.Contains(err.Error(), "U+0E01") {
		t.Fatalf("a Thai letter (not in the font) rendered without complaint: %v", err)
	}
}

func TestPrinterImageBoldAndSize(t *testing.T) {
	line := func(run PrinterRun) PrinterReceipt {
		run.Text = "8"
		return PrinterReceipt{Width: PrinterDots58, Lines: []PrinterLine{{Runs: []PrinterRun{run}, Height: 24 * run.Height}}}
	}
	ink := func(r PrinterReceipt) int {
		img, err := r.Image()
		if err != nil {
			t.Fatal(err)
		}
		_, dots := rowsWithInk(img, 0, img.Bounds().Dy(), 1)
		return dots
	}
	normal := ink(line(PrinterRun{Width: 1, Height: 1}))
	bold := ink(line(PrinterRun{Width: 1, Height: 1, Bold: true}))
	big := ink(line(PrinterRun{Width: 3, Height: 3}))
	if normal == 0 || bold <= normal*5/4 || big < normal*6 {
		t.Fatalf("ink of '8': normal %d, bold %d, 3×3 %d", normal, bold, big)
	}
}

func BenchmarkPrinterSlipPNG(b *testing.B) {
	r := printedSlip(b, 80, sampleSlip)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := r.WritePNG(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
