package idcard_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"io"
	"os"
	"strings"
	"testing"

	"onestop/devices/idcard"
)

// TestMain lets the test binary stand in for a vendor wlt2bmp tool when
// IDCARD_FAKE_WLT2BMP is set: stdin → BMP on stdout, files named by its
// arguments, a raw buffer, or a failure.
func TestMain(m *testing.M) {
	if mode := os.Getenv("IDCARD_FAKE_WLT2BMP"); mode != "" {
		os.Exit(fakeWLT2BMP(mode))
	}
	os.Exit(m.Run())
}

func fakeWLT2BMP(mode string) int {
	var wlt []byte
	var err error
	if mode == "files" {
		wlt, err = os.ReadFile(os.Args[len(os.Args)-2])
	} else {
		wlt, err = io.ReadAll(os.Stdin)
	}
	if err != nil || len(wlt) != 1024 {
		os.Stderr.WriteString("bad WLT input\n")
		return 2
	}
	switch mode {
	case "stdin":
		os.Stdout.Write(testBMP(102, 126, wlt[3], false))
	case "files":
		os.WriteFile(os.Args[len(os.Args)-1], testBMP(102, 126, wlt[3], false), 0o600)
	case "raw":
		os.Stdout.Write(testRaw(wlt[3]))
	default:
		os.Stderr.WriteString("licence file missing\n")
		return 3
	}
	return 0
}

// pix is the colour the fakes give pixel (x, y) of an upright picture.
func pix(x, y int, tag byte) color.RGBA {
	return color.RGBA{R: byte(x), G: byte(y), B: tag, A: 0xFF}
}

// testBMP writes a 24-bit BMP of pix, bottom-up (or top-down).
func testBMP(w, h int, tag byte, topDown bool) []byte {
	stride := (w*3 + 3) &^ 3
	b := make([]byte, 54+stride*h)
	le := binary.LittleEndian
	copy(b, "BM")
	le.PutUint32(b[2:], uint32(len(b)))
	le.PutUint32(b[10:], 54)
	le.PutUint32(b[14:], 40)
	le.PutUint32(b[18:], uint32(w))
	hh := int32(h)
	if topDown {
		hh = -hh
	}
	le.PutUint32(b[22:], uint32(hh))
	le.PutUint16(b[26:], 1)
	le.PutUint16(b[28:], 24)
	for y := range h {
		row := h - 1 - y
		if topDown {
			row = y
		}
		for x := range w {
			c := pix(x, y, tag)
			o := 54 + row*stride + 3*x
			b[o], b[o+1], b[o+2] = c.B, c.G, c.R
		}
	}
	return b
}

// testRaw is the raw buffer of the vendor libraries: bottom-up and
// mirrored.
func testRaw(tag byte) []byte {
	b := make([]byte, idcard.RawBGRLen)
	for y := range idcard.PhotoHeight {
		for x := range idcard.PhotoWidth {
			c := pix(x, y, tag)
			o := ((idcard.PhotoHeight-1-y)*idcard.PhotoWidth + (idcard.PhotoWidth - 1 - x)) * 3
			b[o], b[o+1], b[o+2] = c.B, c.G, c.R
		}
	}
	return b
}

// checkPicture verifies size and orientation.
func checkPicture(t *testing.T, img image.Image, w, h int, tag byte) {
	t.Helper()
	if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Fatalf("size %v", img.Bounds())
	}
	for _, p := range [][2]int{{0, 0}, {w - 1, 0}, {0, h - 1}, {w - 1, h - 1}, {w * 3 / 8, h * 2 / 3}} {
		if got := color.RGBAModel.Convert(img.At(p[0], p[1])); got != pix(p[0], p[1], tag) {
			t.Fatalf("pixel %v = %v, want %v", p, got, pix(p[0], p[1], tag))
		}
	}
}

func TestExecDecoder(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	wlt := make([]byte, 1024)
	copy(wlt, "WLf\x7e")
	card := idcard.Card{Photo: wlt}
	tests := []struct {
		name    string
		dec     *idcard.ExecDecoder
		wantErr string
	}{
		{"stdin to stdout BMP", &idcard.ExecDecoder{Path: self, Env: []string{"IDCARD_FAKE_WLT2BMP=stdin"}}, ""},
		{"files named by arguments", &idcard.ExecDecoder{Path: self, Args: []string{"-test.run=^$", "{in}", "{out}"}, Env: []string{"IDCARD_FAKE_WLT2BMP=files"}}, ""},
		{"raw buffer", &idcard.ExecDecoder{Path: self, Env: []string{"IDCARD_FAKE_WLT2BMP=raw"}}, ""},
		{"program fails", &idcard.ExecDecoder{Path: self, Env: []string{"IDCARD_FAKE_WLT2BMP=fail"}}, "licence file missing"},
		{"program missing", &idcard.ExecDecoder{Path: "/nonexistent/wlt2bmp"}, "wlt2bmp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := card.PhotoImage(tt.dec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkPicture(t, img, idcard.PhotoWidth, idcard.PhotoHeight, 0x7e)
		})
	}
}

func TestPhotoImageWithoutDecoder(t *testing.T) {
	c := idcard.Card{Photo: make([]byte, 1024)}
	if _, err := c.PhotoImage(nil); !errors.Is(err, idcard.ErrNoPhotoDecoder) {
		t.Errorf("nil decoder: %v", err)
	}
	if _, err := (&idcard.ExecDecoder{}).Decode(c.Photo); !errors.Is(err, idcard.ErrNoPhotoDecoder) {
		t.Errorf("ExecDecoder without Path: %v", err)
	}
	dec := idcard.PhotoDecoderFunc(func([]byte) (image.Image, error) { return idcard.Placeholder(0, 0), nil })
	if _, err := (idcard.Card{}).PhotoImage(dec); !errors.Is(err, idcard.ErrNoPhoto) {
		t.Errorf("card without photo: %v", err)
	}
	if img, err := c.PhotoImage(dec); err != nil || img.Bounds().Dx() != idcard.PhotoWidth {
		t.Errorf("PhotoDecoderFunc: %v", err)
	}
}

func TestDecodePicture(t *testing.T) {
	bmp := testBMP(102, 126, 9, false)
	if len(bmp) != 38862 {
		t.Fatalf("a 102 × 126 BMP is %d bytes; the document says 38862", len(bmp))
	}
	t.Run("bottom-up BMP", func(t *testing.T) {
		img, err := idcard.DecodePicture(bmp)
		if err != nil {
			t.Fatal(err)
		}
		checkPicture(t, img, 102, 126, 9)
	})
	t.Run("top-down BMP", func(t *testing.T) {
		img, err := idcard.DecodePicture(testBMP(5, 3, 1, true))
		if err != nil {
			t.Fatal(err)
		}
		checkPicture(t, img, 5, 3, 1)
	})
	t.Run("raw", func(t *testing.T) {
		img, err := idcard.DecodePicture(testRaw(4))
		if err != nil {
			t.Fatal(err)
		}
		checkPicture(t, img, 102, 126, 4)
	})
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"header only", bmp[:54]},
		{"truncated pixels", bmp[:1000]},
		{"8-bit", func() []byte { b := bytes.Clone(bmp); b[28] = 8; return b }()},
		{"compressed", func() []byte { b := bytes.Clone(bmp); b[30] = 1; return b }()},
		{"huge", func() []byte { b := bytes.Clone(bmp); binary.LittleEndian.PutUint32(b[18:], 1<<30); return b }()},
		{"negative width", func() []byte { b := bytes.Clone(bmp); binary.LittleEndian.PutUint32(b[18:], 0xFFFFFFF0); return b }()},
		{"offset past the end", func() []byte { b := bytes.Clone(bmp); binary.LittleEndian.PutUint32(b[10:], 0xFFFFFFFF); return b }()},
		{"neither", make([]byte, 500)},
	} {
		if _, err := idcard.DecodePicture(tt.b); err == nil {
			t.Errorf("%s: decoded", tt.name)
		}
	}
}

func TestPlaceholder(t *testing.T) {
	for _, sz := range [][2]int{{102, 126}, {0, 0}, {-1, 5}, {300, 200}, {1, 1}} {
		img := idcard.Placeholder(sz[0], sz[1])
		w, h := sz[0], sz[1]
		if w <= 0 || h <= 0 {
			w, h = idcard.PhotoWidth, idcard.PhotoHeight
		}
		if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			t.Errorf("Placeholder(%d, %d) is %v", sz[0], sz[1], img.Bounds())
		}
	}
	img := idcard.Placeholder(102, 126)
	corner := color.RGBAModel.Convert(img.At(2, 2))
	head := color.RGBAModel.Convert(img.At(51, 48))
	body := color.RGBAModel.Convert(img.At(51, 120))
	if corner == head || head != body {
		t.Errorf("no silhouette: corner %v, head %v, shoulders %v", corner, head, body)
	}
}
