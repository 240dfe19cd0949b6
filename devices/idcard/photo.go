package idcard

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The size of a decoded card photo.
const (
	PhotoWidth  = 102
	PhotoHeight = 126
)

// ErrNoPhotoDecoder is returned when a photo is to be decoded and no
// PhotoDecoder is configured. Show Placeholder instead.
var ErrNoPhotoDecoder = errors.New("idcard: no WLT photo decoder configured")

// ErrNoPhoto is returned for a card read without a photo.
var ErrNoPhoto = errors.New("idcard: card has no photo")

// PhotoDecoder decodes the WLT photo of a card (1024 bytes of a
// proprietary compression) into an image, normally 102 × 126. No open
// decoder exists: the vendors ship one with their readers (WltRS.dll
// GetBmp on Windows; libwlt2bmp.so, JNI wlt2Bmp(in, out), or another .so
// on Linux and Android). Plug one in either
//
//   - as a program run for each photo, with ExecDecoder (no cgo in the
//     kiosk binary; the program can be a ten-line C wrapper around the
//     vendor's .so, or the vendor's own command-line tool), or
//   - in-process, with PhotoDecoderFunc around a cgo binding kept in a
//     package of its own behind a build tag, so that builds without the
//     vendor library still work.
type PhotoDecoder interface {
	Decode(wlt []byte) (image.Image, error)
}

// PhotoDecoderFunc adapts a function to PhotoDecoder.
type PhotoDecoderFunc func(wlt []byte) (image.Image, error)

// Decode calls f.
func (f PhotoDecoderFunc) Decode(wlt []byte) (image.Image, error) { return f(wlt) }

// PhotoImage decodes the card's photo with d. Without a decoder it
// returns ErrNoPhotoDecoder; a screen then shows Placeholder:
//
//	img, err := card.PhotoImage(dec)
//	if err != nil {
//		log.Printf("photo: %v", err)
//		img = idcard.Placeholder(idcard.PhotoWidth, idcard.PhotoHeight)
//	}
func (c Card) PhotoImage(d PhotoDecoder) (image.Image, error) {
	if d == nil {
		return nil, ErrNoPhotoDecoder
	}
	if len(c.Photo) == 0 {
		return nil, ErrNoPhoto
	}
	img, err := d.Decode(c.Photo)
	if err != nil {
		return nil, fmt.Errorf("idcard: decode photo: %w", err)
	}
	return img, nil
}

// ExecDecoder is a PhotoDecoder that runs an external program for each
// photo. By default the program reads the 1024 WLT bytes on its standard
// input and writes the picture on its standard output; arguments can
// instead name files, for tools that want them:
//
//   - an argument containing {in} has it replaced by the path of a
//     temporary file holding the WLT bytes;
//   - an argument containing {out} has it replaced by the path of a
//     temporary file that the program writes, read back instead of the
//     standard output.
//
// The picture may be a BMP (24- or 32-bit, uncompressed, what vendor
// tools write: 38862 bytes for 102 × 126) or the raw 38556-byte BGR buffer
// the vendor libraries fill (DecodeRawBGR). Configure it, e.g. from the
// kiosk's settings:
//
//	dec := &idcard.ExecDecoder{Path: "/opt/vendor/bin/wlt2bmp"}                     // stdin → stdout
//	dec := &idcard.ExecDecoder{Path: "/opt/vendor/bin/wlt2bmp", Args: []string{"{in}", "{out}"}}
//	dec := &idcard.ExecDecoder{Path: "/opt/vendor/bin/wlt2bmp", Env: []string{"LD_LIBRARY_PATH=/opt/vendor/lib"}}
type ExecDecoder struct {
	// Path is the program.
	Path string
	// Args are its arguments, with {in} and {out} as above.
	Args []string
	// Env is added to the program's environment (e.g.
	// LD_LIBRARY_PATH=/opt/vendor/lib for the vendor's .so files).
	Env []string
	// Dir is its working directory; "" is the kiosk's.
	Dir string
	// Timeout bounds each run; 0 means 5 s.
	Timeout time.Duration
}

var (
	_ PhotoDecoder = (*ExecDecoder)(nil)
	_ PhotoDecoder = PhotoDecoderFunc(nil)
)

// Decode runs the program on wlt.
func (d *ExecDecoder) Decode(wlt []byte) (image.Image, error) {
	if d == nil || d.Path == "" {
		return nil, ErrNoPhotoDecoder
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	var dir, inPath, outPath string
	needs := func(tag string) bool {
		for _, a := range d.Args {
			if strings.Contains(a, tag) {
				return true
			}
		}
		return false
	}
	if needs("{in}") || needs("{out}") {
		var err error
		if dir, err = os.MkdirTemp("", "wlt"); err != nil {
			return nil, fmt.Errorf("idcard: photo decoder: %w", err)
		}
		defer os.RemoveAll(dir)
		inPath, outPath = filepath.Join(dir, "photo.wlt"), filepath.Join(dir, "photo.bmp")
		if err := os.WriteFile(inPath, wlt, 0o600); err != nil {
			return nil, fmt.Errorf("idcard: photo decoder: %w", err)
		}
	}
	args := make([]string, len(d.Args))
	for i, a := range d.Args {
		args[i] = strings.NewReplacer("{in}", inPath, "{out}", outPath).Replace(a)
	}
	cmd := exec.CommandContext(ctx, d.Path, args...)
	cmd.Dir = d.Dir
	if len(d.Env) > 0 {
		cmd.Env = append(os.Environ(), d.Env...)
	}
	if !needs("{in}") {
		cmd.Stdin = bytes.NewReader(wlt)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return nil, fmt.Errorf("idcard: photo decoder %s: %w: %s", d.Path, err, msg)
	}
	out := stdout.Bytes()
	if needs("{out}") {
		b, err := os.ReadFile(outPath)
		if err != nil {
			return nil, fmt.Errorf("idcard: photo decoder %s wrote no picture: %w", d.Path, err)
		}
		out = b
	}
	img, err := DecodePicture(out)
	if err != nil {
		return nil, fmt.Errorf("idcard: photo decoder %s: %w", d.Path, err)
	}
	return img, nil
}

// RawBGRLen is the size of the raw buffer vendor libraries decode a photo
// into: 102 × 126 pixels of 3 bytes.
const RawBGRLen = PhotoWidth * PhotoHeight * 3

// DecodePicture decodes what a vendor decoder produces: a BMP (starting
// "BM") or the raw RawBGRLen-byte buffer (DecodeRawBGR).
func DecodePicture(b []byte) (image.Image, error) {
	switch {
	case len(b) >= 2 && b[0] == 'B' && b[1] == 'M':
		return decodeBMP(b)
	case len(b) == RawBGRLen:
		return DecodeRawBGR(b)
	}
	return nil, fmt.Errorf("idcard: picture of %d bytes is neither a BMP nor a raw %d-byte buffer", len(b), RawBGRLen)
}

// DecodeRawBGR converts the raw buffer of the vendor libraries (102 ×
// 126, 3 bytes B G R per pixel, rows bottom-up and mirrored left to right,
// as the protocol document describes it) into an upright image.
func DecodeRawBGR(raw []byte) (image.Image, error) {
	if len(raw) != RawBGRLen {
		return nil, fmt.Errorf("idcard: raw photo of %d bytes, want %d", len(raw), RawBGRLen)
	}
	img := image.NewRGBA(image.Rect(0, 0, PhotoWidth, PhotoHeight))
	for y := range PhotoHeight {
		row := raw[(PhotoHeight-1-y)*PhotoWidth*3:]
		for x := range PhotoWidth {
			p := row[(PhotoWidth-1-x)*3:]
			img.SetRGBA(x, y, color.RGBA{R: p[2], G: p[1], B: p[0], A: 0xFF})
		}
	}
	return img, nil
}

// maxBMPSide bounds the BMPs decodeBMP accepts, against absurd headers.
const maxBMPSide = 4096

// decodeBMP decodes an uncompressed 24- or 32-bit BMP, bottom-up or
// top-down: what photo decoders write.
func decodeBMP(b []byte) (image.Image, error) {
	bad := func(why string) error { return fmt.Errorf("idcard: BMP: %s", why) }
	if len(b) < 54 {
		return nil, bad("shorter than its headers")
	}
	le := binary.LittleEndian
	off := int64(le.Uint32(b[10:]))
	hdr := le.Uint32(b[14:])
	if hdr < 40 {
		return nil, bad("not a BITMAPINFOHEADER")
	}
	w := int64(int32(le.Uint32(b[18:])))
	h := int64(int32(le.Uint32(b[22:])))
	bpp := le.Uint16(b[28:])
	if comp := le.Uint32(b[30:]); comp != 0 && !(comp == 3 && bpp == 32) {
		return nil, bad(fmt.Sprintf("compression %d not supported", comp))
	}
	if bpp != 24 && bpp != 32 {
		return nil, bad(fmt.Sprintf("%d bits per pixel not supported", bpp))
	}
	topDown := h < 0
	if topDown {
		h = -h
	}
	if w <= 0 || h <= 0 || w > maxBMPSide || h > maxBMPSide {
		return nil, bad(fmt.Sprintf("size %d × %d", w, h))
	}
	bytesPP := int64(bpp / 8)
	stride := (w*bytesPP + 3) &^ 3
	if off < 54 || off+stride*h > int64(len(b)) {
		return nil, bad("pixel data out of the file")
	}
	img := image.NewRGBA(image.Rect(0, 0, int(w), int(h)))
	for y := int64(0); y < h; y++ {
		src := y
		if !topDown {
			src = h - 1 - y
		}
		row := b[off+src*stride:]
		for x := int64(0); x < w; x++ {
			p := row[x*bytesPP:]
			img.SetRGBA(int(x), int(y), color.RGBA{R: p[2], G: p[1], B: p[0], A: 0xFF})
		}
	}
	return img, nil
}

// Placeholder draws a neutral head-and-shoulders silhouette of w × h
// pixels (102 × 126, the card photo's size, for w or h ≤ 0), for screens
// to show where the photo goes when no decoder is configured or decoding
// failed.
func Placeholder(w, h int) image.Image {
	if w <= 0 || h <= 0 {
		w, h = PhotoWidth, PhotoHeight
	}
	w, h = min(w, maxBMPSide), min(h, maxBMPSide)
	bg := [3]float64{0xE9, 0xED, 0xF2}
	fg := [3]float64{0xA7, 0xB1, 0xBE}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fw, fh := float64(w), float64(h)
	// The figure, in units of the width, centred; the head's centre at
	// 38 % of the height.
	s := math.Min(fw, fh*0.81)
	cx, headY, headR := fw/2, fh*0.38, s*0.22
	shoulderY, shoulderRX, shoulderRY := fh*0.38+s*0.62, s*0.46, s*0.36
	neckW := s * 0.11
	inside := func(x, y float64) bool {
		dx, dy := x-cx, y-headY
		if dx*dx+dy*dy*0.8 <= headR*headR {
			return true
		}
		if math.Abs(dx) <= neckW && y >= headY && y <= shoulderY {
			return true
		}
		ex, ey := (x-cx)/shoulderRX, (y-shoulderY)/shoulderRY
		return y >= shoulderY-shoulderRY && ex*ex+ey*ey <= 1 || y >= shoulderY && math.Abs(x-cx) <= shoulderRX
	}
	const ss = 4 // supersampling per axis, for smooth edges
	for y := range h {
		for x := range w {
			n := 0
			for j := range ss {
				for i := range ss {
					if inside(float64(x)+(float64(i)+0.5)/ss, float64(y)+(float64(j)+0.5)/ss) {
						n++
					}
				}
			}
			a := float64(n) / (ss * ss)
			var c [3]uint8
			for k := range c {
				c[k] = uint8(bg[k]*(1-a) + fg[k]*a + 0.5)
			}
			img.SetRGBA(x, y, color.RGBA{R: c[0], G: c[1], B: c[2], A: 0xFF})
		}
	}
	return img
}
