package certpdf

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// unitWidth measures a CJK character as 1 and anything below U+0080 as ½.
func unitWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x80 {
			w += 0.5
		} else {
			w++
		}
	}
	return w
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		width float64
		want  []string
	}{
		{"fits", "抵押权", 5, []string{"抵押权"}},
		{"empty", "", 5, []string{""}},
		{"chinese breaks anywhere", "贵州省贵阳市观山湖区", 4, []string{"贵州省贵", "阳市观山", "湖区"}},
		{"latin breaks at spaces", "see the notice here", 5, []string{"see the", "notice", "here"}},
		{"long word broken", "ABCDEFGHIJKLMN", 3, []string{"ABCDEF", "GHIJKL", "MN"}},
		{"closing punctuation not at line start", "一二三四，五六", 4, []string{"一二三", "四，五六"}},
		{"opening punctuation not at line end", "一二三《四五》", 4, []string{"一二三", "《四五》"}},
		{"newline forces a break", "一二\n三", 10, []string{"一二", "三"}},
		{"mixed", "人民币1,200,000.00元", 7, []string{"人民币", "1,200,000.00元"}},
		{"no leading spaces", "一二三四    五", 4, []string{"一二三四", "五"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.in, tc.width, unitWidth)
			if !slices.Equal(got, tc.want) {
				t.Errorf("wrap(%q, %v) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
			for _, l := range got {
				if unitWidth(l) > tc.width+1 { // punctuation may bring one character down
					t.Errorf("line %q is wider than %v", l, tc.width)
				}
			}
		})
	}
}

// FuzzWrap checks that wrapping loses no text and never makes a line
// wider than the width by more than the one character 避头尾 may add.
func FuzzWrap(f *testing.F) {
	for _, s := range []string{"贵州省贵阳市观山湖区", "see the notice here", "一二三四，五六", "A《B》C", "  ，，。。  "} {
		f.Add(s, 3.0)
	}
	f.Fuzz(func(t *testing.T, s string, width float64) {
		if !utf8.ValidString(s) || width < 1 || width > 100 {
			return
		}
		got := wrap(s, width, unitWidth)
		stripped := func(s string) []rune {
			var rs []rune
			for _, r := range s {
				if r != ' ' && r != '\n' {
					rs = append(rs, r)
				}
			}
			return rs
		}
		var all []rune
		for _, l := range got {
			all = append(all, stripped(l)...)
			if unitWidth(l) > width+2 {
				t.Errorf("line %q is wider than %v", l, width)
			}
		}
		if !slices.Equal(all, stripped(s)) {
			t.Errorf("wrap(%q) = %q loses text", s, got)
		}
	})
}
