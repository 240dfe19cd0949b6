package escpos

import (
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

// TestQRCapacityTable checks the byte capacities at level M that the
// slip layout sizes its QR codes with against an independent encoder.
func TestQRCapacityTable(t *testing.T) {
	version := func(n int) int {
		code, err := qr.Encode(strings.Repeat("a", n), qr.M, qr.Unicode)
		if err != nil {
			return 41
		}
		return (code.Bounds().Dx() - 17) / 4
	}
	for v, c := range qrByteCapacityM {
		if v >= 12 && v != 19 {
			continue // large symbols are slow to make: spot-check them
		}
		if got := version(c); got != v+1 {
			t.Errorf("%d bytes: version %d, want %d", c, got, v+1)
		}
		if got := version(c + 1); got != v+2 {
			t.Errorf("%d bytes: version %d, want %d", c+1, got, v+2)
		}
	}
}

func TestQRCapacityLimits(t *testing.T) {
	if qrByteCapacityM[39] != qrByteCapacity[QRLevelM] {
		t.Fatalf("version 40 at M holds %d bytes in one table, %d in the other", qrByteCapacityM[39], qrByteCapacity[QRLevelM])
	}
}

func TestQRModule(t *testing.T) {
	tests := []struct {
		n, dots, max, want int // want 0: refused
	}{
		{14, 384, 6, 6},   // version 1: 21+8 modules
		{52, 384, 6, 6},   // version 4: 33+8
		{213, 384, 6, 5},  // version 10: 57+8 = 65 modules → 5 dots
		{331, 384, 6, 4},  // version 13: 69+8 = 77 → 4
		{600, 384, 6, 3},  // version 19: 93+8 = 101 → 3
		{1000, 384, 6, 0}, // version 26: 121+8 → 2: refused
		{52, 576, 8, 8},   // version 4
		{1000, 576, 8, 4}, // version 26: 129 → 4
		{2331, 576, 8, 3}, // version 40: 177+8 = 185 → 3
		{2332, 576, 8, 0}, // too much for any version
	}
	for _, tt := range tests {
		got, err := qrModule(tt.n, tt.dots, tt.max)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("qrModule(%d, %d) = %d, want refused", tt.n, tt.dots, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("qrModule(%d, %d) = %d, %v; want %d", tt.n, tt.dots, got, err, tt.want)
		}
	}
}
