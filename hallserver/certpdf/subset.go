package certpdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// This file holds a small TrueType subsetter. fpdf parses a UTF-8 font in
// full every time a document adds it (AddUTF8FontFromBytes), and parses it
// again when it writes the document (GenerateCutFont): with a 4–5 MB CJK
// font that is 20+ ms per certificate, nearly all of it spent building maps
// over every code point in the font. The face is parsed here once, in
// NewRenderer; each certificate then hands fpdf a tiny font holding only the
// glyphs its text uses (a few hundred), which fpdf parses in well under a
// millisecond. fpdf still cuts and embeds its own subset of that font, so
// the PDF is the same kind of file as before, only made faster.

// ttf is a TrueType face parsed once: its tables, the Unicode (BMP)
// character map and where each glyph lies.
type ttf struct {
	tables     map[string][]byte // by tag, slices of the font file
	numGlyphs  int
	numHMetric int
	gidOf      []uint16 // by BMP code point; 0 = no glyph
	loca       []uint32 // numGlyphs+1 glyph offsets into tables["glyf"]
}

// parseTTF reads the tables of a TrueType font that fpdf can embed.
func parseTTF(b []byte) (*ttf, error) {
	if len(b) < 12 {
		return nil, errors.New("not a font: too short")
	}
	switch tag := string(b[:4]); tag {
	case "\x00\x01\x00\x00", "true":
	case "ttcf":
		return nil, errors.New("a TrueType collection (.ttc); extract one face into a .ttf")
	case "OTTO":
		return nil, errors.New("an OpenType font with CFF outlines (.otf); a TrueType (.ttf) font is needed")
	default:
		return nil, fmt.Errorf("not a TrueType font (starts %q)", tag)
	}
	n := int(be16(b, 4))
	if len(b) < 12+16*n {
		return nil, errors.New("truncated table directory")
	}
	f := &ttf{tables: make(map[string][]byte, n)}
	for i := range n {
		rec := b[12+16*i:]
		tag := string(rec[:4])
		off, size := int(be32(rec, 8)), int(be32(rec, 12))
		if off < 0 || size < 0 || off+size > len(b) || off+size < off {
			return nil, fmt.Errorf("table %q lies outside the file", tag)
		}
		f.tables[tag] = b[off : off+size : off+size]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "name", "post"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("no %q table", tag)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(f.tables["post"]) < 32 {
		return nil, errors.New("truncated head, hhea, maxp or post table")
	}
	if be16(head, 18) == 0 {
		return nil, errors.New("unitsPerEm is 0")
	}
	f.numGlyphs = int(be16(maxp, 4))
	f.numHMetric = int(be16(hhea, 34))
	if f.numHMetric == 0 || f.numHMetric > f.numGlyphs {
		return nil, fmt.Errorf("bad numberOfHMetrics %d for %d glyphs", f.numHMetric, f.numGlyphs)
	}
	if len(f.tables["hmtx"]) < 4*f.numHMetric+2*(f.numGlyphs-f.numHMetric) {
		return nil, errors.New("truncated hmtx table")
	}
	if err := f.parseLoca(int16(be16(head, 50))); err != nil {
		return nil, err
	}
	if err := f.parseCmap(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *ttf) parseLoca(format int16) error {
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	f.loca = make([]uint32, f.numGlyphs+1)
	switch format {
	case 0:
		if len(loca) < 2*(f.numGlyphs+1) {
			return errors.New("truncated loca table")
		}
		for i := range f.loca {
			f.loca[i] = 2 * uint32(be16(loca, 2*i))
		}
	case 1:
		if len(loca) < 4*(f.numGlyphs+1) {
			return errors.New("truncated loca table")
		}
		for i := range f.loca {
			f.loca[i] = be32(loca, 4*i)
		}
	default:
		return fmt.Errorf("unknown loca format %d", format)
	}
	for i := range f.numGlyphs {
		if f.loca[i] > f.loca[i+1] || int(f.loca[i+1]) > len(glyf) {
			return fmt.Errorf("glyph %d lies outside the glyf table", i)
		}
	}
	return nil
}

// parseCmap fills gidOf from the Windows Unicode BMP (3,1) or a Unicode
// (0,*) format 4 subtable: the one fpdf reads too.
func (f *ttf) parseCmap() error {
	cmap := f.tables["cmap"]
	if len(cmap) < 4 {
		return errors.New("truncated cmap table")
	}
	var sub []byte
	for i := range int(be16(cmap, 2)) {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			return errors.New("truncated cmap table")
		}
		platform, encoding, off := be16(cmap, rec), be16(cmap, rec+2), int(be32(cmap, rec+4))
		if !(platform == 3 && encoding == 1) && platform != 0 {
			continue
		}
		if off+4 <= len(cmap) && be16(cmap, off) == 4 {
			sub = cmap[off:]
			break
		}
	}
	if sub == nil {
		return errors.New("no format 4 Unicode cmap (fpdf needs one)")
	}
	if len(sub) < 14 {
		return errors.New("truncated cmap format 4")
	}
	if l := int(be16(sub, 2)); l <= len(sub) && l >= 14 {
		sub = sub[:l]
	}
	segs := int(be16(sub, 6)) / 2
	ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
	if ranges+2*segs > len(sub) {
		return errors.New("truncated cmap format 4")
	}
	f.gidOf = make([]uint16, 0x10000)
	for s := range segs {
		end, start := int(be16(sub, ends+2*s)), int(be16(sub, starts+2*s))
		delta, ro := be16(sub, deltas+2*s), int(be16(sub, ranges+2*s))
		for c := start; c <= end && c < 0xFFFF; c++ {
			var g uint16
			if ro == 0 {
				g = uint16(c) + delta
			} else {
				at := ranges + 2*s + ro + 2*(c-start)
				if at+2 > len(sub) {
					continue
				}
				if g = be16(sub, at); g != 0 {
					g += delta
				}
			}
			if int(g) < f.numGlyphs {
				f.gidOf[c] = g
			}
		}
	}
	return nil
}

// has reports whether the face has a glyph for r.
func (f *ttf) has(r rune) bool {
	return r >= 0 && r < 0xFFFF && f.gidOf[r] != 0
}

// Composite glyph flags (TrueType glyf table).
const (
	compArgWords  = 0x0001
	compScale     = 0x0008
	compMore      = 0x0020
	compXYScale   = 0x0040
	compTwoByTwo  = 0x0080
	compHeaderLen = 10
)

// components calls fn with the byte offset (in g) of each component glyph
// index of composite glyph g; it does nothing for a simple glyph.
func components(g []byte, fn func(at int)) {
	if len(g) < compHeaderLen || int16(be16(g, 0)) >= 0 {
		return
	}
	at := compHeaderLen
	for at+4 <= len(g) {
		flags := be16(g, at)
		fn(at + 2)
		at += 4
		if flags&compArgWords != 0 {
			at += 4
		} else {
			at += 2
		}
		switch {
		case flags&compScale != 0:
			at += 2
		case flags&compXYScale != 0:
			at += 4
		case flags&compTwoByTwo != 0:
			at += 8
		}
		if flags&compMore == 0 {
			return
		}
	}
}

func (f *ttf) glyph(gid int) []byte {
	return f.tables["glyf"][f.loca[gid]:f.loca[gid+1]]
}

// subset returns a standalone TrueType font holding .notdef and the glyphs
// of runes (every one of which the face must have), with glyphs renumbered
// and a format 4 cmap for just those runes. Hinting tables are kept; layout
// tables (kern, GSUB, GPOS) are not, as fpdf uses none of them.
func (f *ttf) subset(runes []rune) []byte {
	// Old glyph ids to keep, closed over composite components.
	keep := map[uint16]bool{0: true}
	var add func(gid uint16)
	add = func(gid uint16) {
		if keep[gid] || int(gid) >= f.numGlyphs {
			return
		}
		keep[gid] = true
		g := f.glyph(int(gid))
		components(g, func(at int) { add(be16(g, at)) })
	}
	for _, r := range runes {
		add(f.gidOf[r])
	}
	old := make([]uint16, 0, len(keep))
	for gid := range keep {
		old = append(old, gid)
	}
	slices.Sort(old)
	newID := make(map[uint16]uint16, len(old))
	for i, gid := range old {
		newID[gid] = uint16(i)
	}

	// glyf, loca (long format) and hmtx.
	var glyf []byte
	loca := make([]byte, 0, 4*(len(old)+1))
	hmtx := make([]byte, 0, 4*len(old))
	src := f.tables["hmtx"]
	for _, gid := range old {
		loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
		start := len(glyf)
		glyf = append(glyf, f.glyph(int(gid))...)
		g := glyf[start:]
		components(g, func(at int) {
			binary.BigEndian.PutUint16(g[at:], newID[be16(g, at)])
		})
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		adv := be16(src, 4*(f.numHMetric-1))
		lsb := uint16(0)
		if int(gid) < f.numHMetric {
			adv, lsb = be16(src, 4*int(gid)), be16(src, 4*int(gid)+2)
		} else {
			lsb = be16(src, 4*f.numHMetric+2*(int(gid)-f.numHMetric))
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, adv)
		hmtx = binary.BigEndian.AppendUint16(hmtx, lsb)
	}
	loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1)
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(len(old)))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(len(old)))
	post := slices.Clone(f.tables["post"][:32])
	binary.BigEndian.PutUint32(post[0:], 0x00030000) // no glyph names

	tables := map[string][]byte{
		"cmap": cmap4(runes, func(r rune) uint16 { return newID[f.gidOf[r]] }),
		"glyf": glyf, "head": head, "hhea": hhea, "hmtx": hmtx,
		"loca": loca, "maxp": maxp, "post": post,
	}
	for _, tag := range []string{"name", "OS/2", "cvt ", "fpgm", "prep", "gasp"} {
		if t := f.tables[tag]; len(t) > 0 {
			tables[tag] = t
		}
	}
	return assemble(tables)
}

// cmap4 builds a cmap table with one (3,1) format 4 subtable mapping runes
// (sorted, unique, all in the BMP below U+FFFF) to glyph ids.
func cmap4(runes []rune, gid func(rune) uint16) []byte {
	// One segment per run of consecutive code points with consecutive
	// glyph ids, so each is a plain idDelta segment.
	type seg struct{ start, end, delta uint16 }
	var segs []seg
	for _, r := range runes {
		g := gid(r)
		if n := len(segs); n > 0 && segs[n-1].end+1 == uint16(r) && uint16(r)+segs[n-1].delta == g {
			segs[n-1].end = uint16(r)
			continue
		}
		segs = append(segs, seg{uint16(r), uint16(r), g - uint16(r)})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	n := len(segs)
	searchRange, selector := 2, 0
	for searchRange*2 <= 2*n {
		searchRange *= 2
		selector++
	}
	sub := make([]byte, 0, 16+8*n)
	for _, v := range []int{4, 16 + 8*n, 0, 2 * n, searchRange, selector, 2*n - searchRange} {
		sub = binary.BigEndian.AppendUint16(sub, uint16(v))
	}
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.end)
	}
	sub = binary.BigEndian.AppendUint16(sub, 0) // reservedPad
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.start)
	}
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.delta)
	}
	for range segs {
		sub = binary.BigEndian.AppendUint16(sub, 0) // idRangeOffset
	}
	out := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12} // version 0, one (3,1) subtable at 12
	return append(out, sub...)
}

// assemble writes an sfnt file from its tables, with checksums.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	size := 12 + 16*len(tables)
	for tag, t := range tables {
		tags = append(tags, tag)
		size += (len(t) + 3) &^ 3
	}
	sort.Strings(tags)
	n := len(tags)
	entry := 0
	for 1<<(entry+1) <= n {
		entry++
	}
	out := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(out[0:], 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<entry))
	binary.BigEndian.PutUint16(out[8:], uint16(entry))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-16<<entry))
	headAt := 0
	for i, tag := range tags {
		t := tables[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t)))
		if tag == "head" {
			headAt = len(out)
		}
		out = append(out, t...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

func be16(b []byte, at int) uint16 { return binary.BigEndian.Uint16(b[at:]) }
func be32(b []byte, at int) uint32 { return binary.BigEndian.Uint32(b[at:]) }
