package certpdf

import (
	"strings"
	"unicode"
)

// Line breaking for mixed Chinese and Latin text. A Chinese line may break
// between any two characters, a Latin one only at spaces (or inside a word
// too long for a line, such as a URL or an identifier), and the rules of
// 避头尾 hold: closing punctuation never starts a line, opening punctuation
// never ends one.

// noStart may not begin a line; noEnd may not end one.
const (
	noStart = "，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}"
	noEnd   = "（《「『【〔〈“‘([{"
)

// tokens splits a line of text into the units a line may break between:
// single CJK characters and punctuation, runs of Latin letters and digits
// (one word), and runs of spaces.
func tokens(s string) []string {
	var out []string
	start := -1 // start of the current word or space run
	space := false
	flush := func(i int) {
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case r == ' ':
			if start >= 0 && !space {
				flush(i)
			}
			if start < 0 {
				start, space = i, true
			}
		case isWord(r):
			if start >= 0 && space {
				flush(i)
			}
			if start < 0 {
				start, space = i, false
			}
		default:
			flush(i)
			out = append(out, string(r))
		}
	}
	flush(len(s))
	return out
}

// isWord reports whether r belongs to a Latin word: a run of printable
// ASCII (punctuation included, so "1,200,000.00" and "(2026)" hold
// together) or of other Latin, Greek or Cyrillic letters. A word is not
// broken unless it alone is wider than a line.
func isWord(r rune) bool {
	if r < 0x80 {
		return r > ' ' && r < 0x7F
	}
	return unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic) && !unicode.IsPunct(r)
}

// wrap breaks s into lines no wider than width, measured by w. A "\n" in s
// forces a break. It never returns an empty slice.
func wrap(s string, width float64, w func(string) float64) []string {
	var lines []string
	for para := range strings.SplitSeq(s, "\n") {
		lines = append(lines, wrapLine(para, width, w)...)
	}
	return lines
}

func wrapLine(s string, width float64, w func(string) float64) []string {
	var lines [][]string // tokens of each finished line
	var cur []string
	curW := 0.0
	emit := func() {
		for len(cur) > 0 && isSpace(cur[len(cur)-1]) {
			cur = cur[:len(cur)-1]
		}
		lines = append(lines, cur)
		cur, curW = nil, 0
	}
	for _, t := range tokens(s) {
		tw := w(t)
		if len(cur) == 0 && isSpace(t) {
			continue // no line starts with a space
		}
		if curW+tw <= width || isSpace(t) {
			cur = append(cur, t)
			curW += tw
			continue
		}
		// t does not fit.
		if tw > width {
			// A word wider than a line: break it by characters.
			for _, r := range t {
				rs := string(r)
				rw := w(rs)
				if curW+rw > width && len(cur) > 0 {
					emit()
				}
				cur = append(cur, rs)
				curW += rw
			}
			continue
		}
		var carry []string
		switch {
		case strings.Contains(noStart, t) && len(cur) > 1:
			// Take the last character down with the punctuation.
			carry = []string{cur[len(cur)-1]}
			cur = cur[:len(cur)-1]
		case len(cur) > 1 && strings.Contains(noEnd, cur[len(cur)-1]):
			carry = []string{cur[len(cur)-1]}
			cur = cur[:len(cur)-1]
		}
		emit()
		for _, c := range append(carry, t) {
			cur = append(cur, c)
			curW += w(c)
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		emit()
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Join(l, "")
	}
	return out
}

func isSpace(t string) bool { return strings.TrimLeft(t, " ") == "" }
