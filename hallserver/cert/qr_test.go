package cert

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// qrVersion returns the version of the smallest alphanumeric-mode QR code
// that holds text at the error correction level.
func qrVersion(t testing.TB, text string, level qr.ErrorCorrectionLevel) (int, barcode.Barcode) {
	t.Helper()
	code, err := qr.Encode(text, level, qr.AlphaNumeric)
	if err != nil {
		t.Fatalf("not encodable in alphanumeric mode: %v", err)
	}
	return (code.Bounds().Dx() - 17) / 4, code
}

// TestQRSize measures what a certificate costs on paper, and holds the
// typical one to the QR version the design measured (v11 at M).
func TestQRSize(t *testing.T) {
	s := seededSigner(1)
	full := typicalClaims()
	withExpiry := typicalClaims()
	withExpiry.Expires = time.Date(2031, 1, 1, 0, 0, 0, 0, china)
	minimal := typicalClaims()
	minimal.HolderName, minimal.HolderIDLast4, minimal.Title = "", "", ""
	long := typicalClaims()
	long.HolderName = "阿卜杜热合曼·艾买提江" // a long Uyghur name in Chinese characters
	long.Title = "中华人民共和国不动产权证书"
	long.Expires = withExpiry.Expires
	long.StatusIndex = 1 << 40

	for _, tt := range []struct {
		name   string
		claims Claims
		maxM   int
	}{
		{"typical (不动产登记证明, no expiry)", full, 11},
		{"typical with expiry", withExpiry, 11},
		{"no personal data", minimal, 10},
		{"long name and title, expiry", long, 13},
	} {
		t.Run(tt.name, func(t *testing.T) {
			payload := mustCBOR(t, tt.claims)
			msg, err := Issue(s, tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			url := EncodeURL(baseURL, msg)
			vm, _ := qrVersion(t, url, qr.M)
			vq, _ := qrVersion(t, url, qr.Q)
			t.Logf("claims %d B, COSE_Sign1 %d B, URL %d chars (%d host) → QR v%d at M, v%d at Q",
				len(payload), len(msg), len(url), len(EncodeURL(baseURL, nil)), vm, vq)
			if vm > tt.maxM {
				t.Errorf("QR version %d at M, want at most %d", vm, tt.maxM)
			}
		})
	}
}

// TestQRScan renders the typical certificate's QR code, reads it back as a
// phone would, and verifies what was read.
func TestQRScan(t *testing.T) {
	s := seededSigner(1)
	url := issueURL(t, s, typicalClaims())
	_, code := qrVersion(t, url, qr.M)
	scaled, err := barcode.Scale(code, code.Bounds().Dx()*4, code.Bounds().Dy()*4)
	if err != nil {
		t.Fatal(err)
	}
	// a quiet zone of 4 modules, as printed
	img := image.NewGray(image.Rect(0, 0, scaled.Bounds().Dx()+32, scaled.Bounds().Dy()+32))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(img, scaled.Bounds().Add(image.Pt(16, 16)), scaled, scaled.Bounds().Min, draw.Src)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.GetText() != url {
		t.Fatalf("scanned %q, want %q", res.GetText(), url)
	}
	if _, err := Verify(t.Context(), res.GetText(), trustFor(t, hallCode, s), now, nil); err != nil {
		t.Fatal(err)
	}
}
