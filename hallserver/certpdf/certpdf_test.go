package certpdf

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"onestop/assets"
)

var writePNG = flag.Bool("png", false, "write the rendered pages to testdata/*.png")

var testRenderer = sync.OnceValues(func() (*Renderer, error) {
	return NewRenderer(assets.Font())
})

func renderer(tb testing.TB) *Renderer {
	tb.Helper()
	r, err := testRenderer()
	if err != nil {
		tb.Fatalf("NewRenderer: %v", err)
	}
	return r
}

// sample is a realistic certificate: a mortgage registration certificate
// with long, wrapping values.
func sample() Certificate {
	return Certificate{
		Title:    "不动产登记证明",
		TitleEn:  "Certificate of Real Estate Registration",
		Holder:   "张三",
		HolderID: "5201**********123X",
		Fields: []Field{
			{"证明权利或事项", "抵押权"},
			{"权利人（申请人）", "中国建设银行股份有限公司贵阳观山湖支行"},
			{"义务人", "张三"},
			{"坐落", "贵州省贵阳市观山湖区长岭北路街道林城西路以北、长岭北路以东“中天未来方舟”F2组团3栋2单元18层1801号"},
			{"不动产单元号", "520115 004005 GB00123 F00010018"},
			{"其他", "抵押方式：一般抵押；担保债权数额：人民币1,200,000.00元（壹佰贰拾万元整）；债务履行期限：2026年11月26日起至2056年11月25日止。"},
			{"附记", "本证明依据《不动产登记暂行条例》颁发。Issued under the Interim Regulations on Real Estate Registration; see https://www.example.gov.cn/bdc/notice for details."},
		},
		Serial:     "黔(2026)贵阳市不动产证明第0012345号",
		Identifier: "1.2.156.3005.2.11520100MB1234567X.0012345.001.K",
		Hall:       "贵阳市观山湖区政务服务中心",
		IssuedAt:   time.Date(2026, 11, 26, 10, 15, 0, 0, Location),
		QRText:     "HTTPS://V.ONESTOP.GOV.CN/C/6YQKZ3HB4TQW2M7RXN5PJD8ECFA2",
		PrintCount: 1,
		PrintedAt:  time.Date(2026, 11, 26, 10, 21, 0, 0, Location),
	}
}

func sampleReprint() Certificate {
	c := sample()
	c.Reprint = true
	c.PrintCount = 3
	c.PrintedAt = time.Date(2027, 3, 2, 14, 5, 0, 0, Location)
	return c
}

func render(t *testing.T, c Certificate) []byte {
	t.Helper()
	b, err := renderer(t).Render(c)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b
}

func TestRenderIsPDF(t *testing.T) {
	b := render(t, sample())
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output starts %q, want %%PDF-", b[:min(len(b), 16)])
	}
	if !bytes.Contains(b[max(0, len(b)-32):], []byte("%%EOF")) {
		t.Error("no EOF marker at the end")
	}
	if len(b) > 200_000 {
		t.Errorf("PDF is %d bytes; the font subset should keep it small", len(b))
	}
}

func TestRenderDeterministic(t *testing.T) {
	for _, c := range []Certificate{sample(), sampleReprint()} {
		a := render(t, c)
		b := render(t, c)
		if !bytes.Equal(a, b) {
			t.Fatal("two renders of the same certificate differ")
		}
		other, err := NewRenderer(assets.Font())
		if err != nil {
			t.Fatal(err)
		}
		o, err := other.Render(c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, o) {
			t.Fatal("two renderers give different bytes for the same certificate")
		}
	}
	a, b := render(t, sample()), render(t, sampleReprint())
	if bytes.Equal(a, b) {
		t.Fatal("a reprint renders the same bytes as the original")
	}
}

// pdfTool runs a poppler tool, skipping the test if it is not installed.
func pdfTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (Debian: poppler-utils): %v", name, err)
	}
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// pageText returns the text of a PDF as pdftotext extracts it.
func pageText(t *testing.T, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "c.pdf"), filepath.Join(dir, "c.txt")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pdfTool(t, "pdftotext", "-enc", "UTF-8", in, out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pageImage rasterises the first page of a PDF at 150 dpi.
func pageImage(t *testing.T, pdf []byte, name string) image.Image {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pdfTool(t, "pdftoppm", "-r", "150", "-png", "-singlefile", in, filepath.Join(dir, "page"))
	b, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	if *writePNG {
		if err := os.WriteFile(filepath.Join("testdata", name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("QR code not decoded from the page image: %v", err)
	}
	return res.GetText()
}

func TestRenderPage(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Certificate
		want []string // in the page text, spaces removed
		not  []string
	}{
		{"original", sample(),
			[]string{"不动产登记证明", "张三", "5201**********123X", "0012345", "2026年11月26日", "长期",
				"1.2.156.3005.2.11520100MB1234567X.0012345.001.K", "扫码验证", "Scantoverify", "贵阳市观山湖区政务服务中心",
				"1801号", "2056年11月25日止", "2026年11月26日10:21"},
			[]string{"补打", "REPRINT", "次打印"}},
		{"reprint", sampleReprint(),
			[]string{"不动产登记证明", "张三", "0012345", "2026年11月26日", "补打", "REPRINT", "第3次打印/print3", "2027年3月2日14:05"},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf := render(t, tc.c)
			text := strings.Join(strings.Fields(pageText(t, pdf)), "")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("page text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(text, w) {
					t.Errorf("page text has %q", w)
				}
			}
			img := pageImage(t, pdf, tc.name)
			if b := img.Bounds(); b.Dx() < 1239 || b.Dx() > 1241 || b.Dy() < 1753 || b.Dy() > 1755 {
				t.Errorf("page is %v pixels at 150 dpi, want A4 1240×1754", b.Size())
			}
			if got := decodeQR(t, img); got != tc.c.QRText {
				t.Errorf("QR code holds %q, want %q", got, tc.c.QRText)
			}
		})
	}
}

func TestRenderValidUntil(t *testing.T) {
	c := sample()
	c.ValidUntil = time.Date(2031, 1, 5, 0, 0, 0, 0, Location)
	text := strings.Join(strings.Fields(pageText(t, render(t, c))), "")
	if !strings.Contains(text, "2031年1月5日") || strings.Contains(text, "长期") {
		t.Errorf("page text should show 2031年1月5日 and not 长期:\n%s", text)
	}
}

func TestRenderSparse(t *testing.T) {
	// The least a certificate can hold, and a long QR code at its size limit.
	c := Certificate{
		Title:    "营业执照",
		Holder:   "贵阳某某科技有限公司",
		Serial:   "91520100MA6DXXXX1Q",
		Hall:     "贵阳市市场监督管理局",
		IssuedAt: time.Date(2026, 1, 2, 9, 0, 0, 0, Location),
		QRText:   "HTTPS://V.ONESTOP.GOV.CN/C/" + strings.Repeat("6YQKZ3HB4TQW2M7RXN5PJD8ECFA2", 8),
	}
	pdf := render(t, c)
	img := pageImage(t, pdf, "sparse")
	if got := decodeQR(t, img); got != c.QRText {
		t.Errorf("QR code holds %q, want %q", got, c.QRText)
	}
}

func TestRenderDoesNotFit(t *testing.T) {
	long := strings.Repeat("贵州省贵阳市观山湖区长岭北路街道林城西路以北", 4)
	for _, tc := range []struct {
		name string
		edit func(*Certificate)
	}{
		{"many fields", func(c *Certificate) {
			for range 30 {
				c.Fields = append(c.Fields, Field{"坐落", long})
			}
		}},
		{"one huge value", func(c *Certificate) {
			c.Fields = append(c.Fields, Field{"附记", strings.Repeat(long, 20)})
		}},
		{"huge title", func(c *Certificate) { c.Title = strings.Repeat("不动产登记证明", 10) }},
		{"huge QR text", func(c *Certificate) { c.QRText = strings.Repeat("HTTPS://V.ONESTOP.GOV.CN/", 40) }},
		{"QR text beyond any QR code", func(c *Certificate) { c.QRText = strings.Repeat("A", 5000) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sample()
			tc.edit(&c)
			_, err := renderer(t).Render(c)
			if !errors.Is(err, ErrDoesNotFit) {
				t.Fatalf("err = %v, want ErrDoesNotFit", err)
			}
			if !strings.HasPrefix(err.Error(), "certpdf: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestRenderLongButFits(t *testing.T) {
	// Long values that still fit must wrap inside the table, not overflow.
	c := sample()
	c.Fields = c.Fields[3:]
	c.Holder = strings.Repeat("贵阳市观山湖区某某某某科技发展有限责任公司", 2)
	c.Hall = strings.Repeat("贵阳市观山湖区政务服务中心", 3)
	c.Fields = append(c.Fields, Field{"附记", strings.Repeat("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 3)})
	text := strings.Join(strings.Fields(pageText(t, render(t, c))), "")
	for _, w := range []string{"有限责任公司", "政务服务中心", "XYZ0123456789"} {
		if !strings.Contains(text, w) {
			t.Errorf("page text lacks %q", w)
		}
	}
	pageImage(t, render(t, c), "long")
}

func TestRenderInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Certificate)
	}{
		{"no title", func(c *Certificate) { c.Title = "  " }},
		{"no holder", func(c *Certificate) { c.Holder = "" }},
		{"no serial", func(c *Certificate) { c.Serial = "" }},
		{"no hall", func(c *Certificate) { c.Hall = "" }},
		{"no QR text", func(c *Certificate) { c.QRText = "" }},
		{"no issue date", func(c *Certificate) { c.IssuedAt = time.Time{} }},
		{"expires before issue", func(c *Certificate) { c.ValidUntil = c.IssuedAt.AddDate(-1, 0, 0) }},
		{"empty label", func(c *Certificate) { c.Fields[0].Label = "" }},
		{"control character", func(c *Certificate) { c.Holder = "张\x07三" }},
		{"newline in title", func(c *Certificate) { c.Title = "不动产\n登记证明" }},
		{"invalid UTF-8", func(c *Certificate) { c.Holder = "张\xff" }},
		{"reprint counted 1", func(c *Certificate) { c.Reprint, c.PrintCount = true, 1 }},
		{"reprint not counted", func(c *Certificate) { c.Reprint, c.PrintCount = true, 0 }},
		{"second print unmarked", func(c *Certificate) { c.PrintCount = 2 }},
		{"negative count", func(c *Certificate) { c.PrintCount = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sample()
			tc.edit(&c)
			_, err := renderer(t).Render(c)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestRenderMissingGlyph(t *testing.T) {
	for _, s := range []string{"张😀", "𠀀三", "\uE000"} { // emoji, CJK Ext-B (beyond the BMP), private use
		c := sample()
		c.Holder = s
		_, err := renderer(t).Render(c)
		if !errors.Is(err, ErrMissingGlyph) {
			t.Errorf("holder %q: err = %v, want ErrMissingGlyph", s, err)
		}
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := renderer(t)
	want := render(t, sample())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			got, err := r.Render(sample())
			if err == nil && !bytes.Equal(got, want) {
				err = errors.New("concurrent render differs")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestNewRendererRejects(t *testing.T) {
	face, err := parseTTF(assets.Font())
	if err != nil {
		t.Fatal(err)
	}
	cjkOnly := face.subset(runeSet(strings.Map(func(r rune) rune {
		if r < 0x80 {
			return -1
		}
		return r
	}, fixedText)))
	for _, tc := range []struct {
		name string
		font []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"collection", append([]byte("ttcf"), make([]byte, 64)...), ".ttc"},
		{"CFF", append([]byte("OTTO"), make([]byte, 64)...), ".otf"},
		{"not a font", []byte("%PDF-1.4 this is not a font at all"), "not a TrueType font"},
		{"truncated", assets.Font()[:4096], "outside the file"},
		{"no Latin glyphs", cjkOnly, "no glyph"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRenderer(tc.font)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "certpdf: ") {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	r := renderer(b)
	c := sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewRenderer(b *testing.B) {
	font := assets.Font()
	for b.Loop() {
		if _, err := NewRenderer(font); err != nil {
			b.Fatal(err)
		}
	}
}
