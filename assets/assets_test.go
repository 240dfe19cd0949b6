package assets

import (
	"encoding/json"
	"testing"

	"golang.org/x/image/font/sfnt"
)

func TestCatalogueSeed(t *testing.T) {
	b, err := CatalogueSeed()
	if err != nil {
		t.Fatalf("CatalogueSeed: %v", err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s is not valid JSON", CatalogueSeedPath)
	}
}

// TestFontHasLatinAndCJK guards the trap in FYNE-NOTES: a CJK font
// without ASCII glyphs prints blank digits in PDFs, and a .ttc collection
// loads in neither Fyne nor fpdf.
func TestFontHasLatinAndCJK(t *testing.T) {
	f, err := sfnt.Parse(Font())
	if err != nil {
		t.Fatalf("embedded font is not a single TrueType font: %v", err)
	}
	var buf sfnt.Buffer
	for _, r := range "0123456789AZaz:-/ 请到号窗口办理政务服务中心鑫堃玥" {
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			t.Errorf("no glyph for %q", r)
		}
	}
}
