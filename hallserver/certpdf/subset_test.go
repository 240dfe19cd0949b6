package certpdf

import (
	"bytes"
	"testing"

	"onestop/assets"
)

func TestSubset(t *testing.T) {
	face, err := parseTTF(assets.Font())
	if err != nil {
		t.Fatal(err)
	}
	runes := runeSet("不动产登记证明 0123456789 ABC xyz（）《》，。")
	sub := face.subset(runes)
	if len(sub) > 64<<10 {
		t.Errorf("subset of %d runes is %d bytes", len(runes), len(sub))
	}
	got, err := parseTTF(sub)
	if err != nil {
		t.Fatalf("subset does not parse: %v", err)
	}
	if checksum(sub) != 0xB1B0AFBA {
		t.Errorf("whole-font checksum is %#x, want 0xB1B0AFBA", checksum(sub))
	}
	if got.numGlyphs > 3*len(runes) {
		t.Errorf("subset has %d glyphs for %d runes", got.numGlyphs, len(runes))
	}
	for _, r := range runes {
		g, og := got.gidOf[r], face.gidOf[r]
		if g == 0 {
			t.Errorf("subset lost %q", r)
			continue
		}
		if !sameGlyph(got, g, face, og) {
			t.Errorf("glyph of %q differs from the original", r)
		}
		if a, b := hmetric(got, g), hmetric(face, og); a != b {
			t.Errorf("metrics of %q are %v, want %v", r, a, b)
		}
	}
	if got.has('中') {
		t.Error("subset has a rune it was not asked for")
	}
}

// sameGlyph reports whether glyph ga of a and gb of b are the same
// outline: equal bytes but for composite glyphs' component indices, whose
// components must be the same in turn.
func sameGlyph(a *ttf, ga uint16, b *ttf, gb uint16) bool {
	da, db := a.glyph(int(ga)), b.glyph(int(gb))
	if len(da) != len(db) {
		return false
	}
	da, db = bytes.Clone(da), bytes.Clone(db)
	same := true
	var ca, cb []uint16
	components(da, func(at int) { ca = append(ca, be16(da, at)); da[at], da[at+1] = 0, 0 })
	components(db, func(at int) { cb = append(cb, be16(db, at)); db[at], db[at+1] = 0, 0 })
	if !bytes.Equal(da, db) || len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		same = same && sameGlyph(a, ca[i], b, cb[i])
	}
	return same
}

func hmetric(f *ttf, gid uint16) [2]uint16 {
	h := f.tables["hmtx"]
	if int(gid) < f.numHMetric {
		return [2]uint16{be16(h, 4*int(gid)), be16(h, 4*int(gid)+2)}
	}
	return [2]uint16{be16(h, 4*(f.numHMetric-1)), be16(h, 4*f.numHMetric+2*(int(gid)-f.numHMetric))}
}

func TestQRQuietZoneIsOurs(t *testing.T) {
	// boombuler's code has no margin of its own: 17+4v modules a side,
	// and dark finder patterns in the corners.
	code, err := encodeQR("HTTPS://V.ONESTOP.GOV.CN/C/6YQKZ3HB4TQW2M7RXN5PJD8ECFA2")
	if err != nil {
		t.Fatal(err)
	}
	if (code.size-17)%4 != 0 || !code.dark[0] || !code.dark[code.size*code.size-1-(code.size-1)] {
		t.Fatalf("unexpected QR geometry: %d modules, corner dark %v", code.size, code.dark[0])
	}
}
