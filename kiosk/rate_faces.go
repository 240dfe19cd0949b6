package kiosk

import (
	"image"
	"image/color"
	"math"
	"sync"
)

// Faces for the five rating levels, drawn in code (the kiosk's font has no
// emoji): a coloured disc from green (5, very satisfied) to red (1, very
// dissatisfied), two eyes, and a mouth from a broad smile to a frown. A
// face always goes with its words on screen, never alone.

// faceSize is the side of a face image in pixels; screens scale it.
const faceSize = 192

// faceColors are the discs' colours by level (index 1–5): each dark
// enough for the white features to stand out.
var faceColors = [6]color.NRGBA{
	{},
	{0xB3, 0x26, 0x1E, 0xFF}, // 1 非常不满意
	{0xD9, 0x5D, 0x12, 0xFF}, // 2 不满意
	{0xB8, 0x86, 0x00, 0xFF}, // 3 基本满意
	{0x4E, 0x9A, 0x2F, 0xFF}, // 4 满意
	{0x13, 0x7A, 0x3A, 0xFF}, // 5 非常满意
}

var (
	facesOnce sync.Once
	faces     [6]image.Image
)

// faceImage is the face of a rating level (1–5); other levels get the
// middle one.
func faceImage(level int) image.Image {
	facesOnce.Do(func() {
		for l := 1; l <= 5; l++ {
			faces[l] = drawFace(faceSize, faceColors[l], float64(l-3)/2)
		}
	})
	if level < 1 || level > 5 {
		level = 3
	}
	return faces[level]
}

// drawFace draws a face of side n: a disc in fill with white eyes and a
// mouth whose curve goes from smile (mood 1) to frown (mood -1). Edges are
// anti-aliased by coverage: each pixel is shaded by how far its centre
// lies inside a shape.
func drawFace(n int, fill color.NRGBA, mood float64) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	s := float64(n)
	cx, cy, r := s/2, s/2, s/2-2
	eyeR, eyeY, eyeDX := s*0.065, s*0.38, s*0.17
	// The mouth: a parabola y = my - bend·(1 - (dx/w)²) over dx in [-w, w].
	mw, my, bend, thick := s*0.22, s*0.66, mood*s*0.11, s*0.045
	if mood < 0 {
		my += s * 0.04 // a frown sits a little lower
	}
	mouth := make([][2]float64, 0, 65)
	for i := 0; i <= 64; i++ {
		t := -1 + 2*float64(i)/64
		mouth = append(mouth, [2]float64{cx + t*mw, my + bend*(1-t*t)})
	}
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			disc := faceCoverage(r - math.Hypot(px-cx, py-cy))
			if disc == 0 {
				continue
			}
			feature := max(
				faceCoverage(eyeR-math.Hypot(px-(cx-eyeDX), py-eyeY)),
				faceCoverage(eyeR-math.Hypot(px-(cx+eyeDX), py-eyeY)),
			)
			if math.Abs(py-my) < math.Abs(bend)+thick+2 && math.Abs(px-cx) < mw+thick+2 {
				feature = max(feature, faceCoverage(thick-faceDistance(px, py, mouth)))
			}
			c := faceMix(fill, white, feature)
			c.A = uint8(math.Round(255 * disc))
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// faceCoverage turns a signed distance (positive inside) into how much of a
// pixel a shape covers.
func faceCoverage(d float64) float64 { return math.Max(0, math.Min(1, d+0.5)) }

// faceDistance is the distance from (x, y) to the nearest point of the
// polyline.
func faceDistance(x, y float64, pts [][2]float64) float64 {
	best := math.Inf(1)
	for i := 1; i < len(pts); i++ {
		ax, ay, bx, by := pts[i-1][0], pts[i-1][1], pts[i][0], pts[i][1]
		dx, dy := bx-ax, by-ay
		t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
		t = math.Max(0, math.Min(1, t))
		best = math.Min(best, math.Hypot(x-(ax+t*dx), y-(ay+t*dy)))
	}
	return best
}

// faceMix blends a towards b by f (0–1).
func faceMix(a, b color.NRGBA, f float64) color.NRGBA {
	m := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + (float64(q)-float64(p))*f)) }
	return color.NRGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 0xFF}
}
