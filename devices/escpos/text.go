package escpos

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrUnprintable is what Job.Text's error wraps when a string holds a
// character the printer cannot print.
var ErrUnprintable = errors.New("escpos: character cannot be printed")

// UnprintableError names the first character of a text that the printer
// cannot print and why.
type UnprintableError struct {
	Text   string // the whole text given to Job.Text
	Offset int    // byte offset of the character in Text
	Rune   rune   // the character (utf8.RuneError for invalid UTF-8)
	Reason string
}

// Error names the character, where it is and why it cannot be printed.
func (e *UnprintableError) Error() string {
	return fmt.Sprintf("escpos: cannot print %U at byte %d of %q: %s", e.Rune, e.Offset, e.Text, e.Reason)
}

// Unwrap returns ErrUnprintable.
func (e *UnprintableError) Unwrap() error { return ErrUnprintable }

// unprintable says why the printer cannot print r, or "" if it can. In
// Chinese mode the printer takes GB18030: ASCII as single bytes, the rest
// as two- or four-byte codes. Control characters would be taken as
// commands, and thermal printers' fonts carry no glyphs outside the Basic
// Multilingual Plane (emoji, CJK extension B…) nor in the private use
// area.
func unprintable(r rune, size int) string {
	switch {
	case r == utf8.RuneError && size <= 1:
		return "invalid UTF-8"
	case r == '\n':
		return ""
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
		return "control character (the printer would take it as a command)"
	case r > 0xFFFF:
		return "outside the Basic Multilingual Plane: no printer font has it"
	case r >= 0xE000 && r <= 0xF8FF:
		return "private use character"
	case r == utf8.RuneError || r&0xFFFE == 0xFFFE:
		return "not a character"
	}
	return ""
}

// encodeText returns s in GB18030. A character the printer cannot print is
// replaced by repl if repl is not zero, and is otherwise an
// *UnprintableError.
func encodeText(s string, repl rune) ([]byte, error) {
	clean := s
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if why := unprintable(r, size); why != "" {
			if repl == 0 {
				return nil, &UnprintableError{Text: s, Offset: i, Rune: r, Reason: why}
			}
			clean = replaceUnprintable(s, repl)
			break
		}
		i += size
	}
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(clean))
	if err != nil {
		return nil, fmt.Errorf("escpos: encode %q in GB18030: %w", s, err)
	}
	return b, nil
}

func replaceUnprintable(s string, repl rune) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unprintable(r, size) != "" {
			r = repl
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// runeWidth is how many columns r takes at normal size: the printer
// prints single-byte (ASCII) characters in 12-dot cells and every
// multi-byte GB18030 character in 24-dot cells.
func runeWidth(r rune) int {
	if r < 0x80 {
		return 1
	}
	return 2
}

// TextWidth returns how many columns s takes on the printer at normal
// size: 1 for an ASCII character, 2 for any other (Chinese characters,
// full-width punctuation, and everything else printed from the 24-dot
// font). A 58 mm roll has 32 columns, an 80 mm roll 48.
func TextWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// Wrap breaks s into lines of at most cols columns (see TextWidth): Latin
// words break at spaces, Chinese text between any two characters except
// before closing punctuation (，。、）… never begin a line: the character
// before moves down with them), a word longer than a line is cut, and
// "\n" always breaks. Leading spaces of a
// wrapped line are dropped. Wrap returns at least one line.
func Wrap(s string, cols int) []string {
	cols = max(cols, 2)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapLine(para, cols)...)
	}
	return out
}

// noLineStart is the punctuation that may not begin a line.
const noLineStart = "，。、；：？！）》」』】〉”’…·"

func wrapLine(s string, cols int) []string {
	var (
		lines []string
		cur   strings.Builder
		w     int  // width of cur
		space bool // a space is pending between cur and the next token
	)
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		w, space = 0, false
	}
	put := func(tok string, tw int) {
		if space && w > 0 {
			cur.WriteByte(' ')
			w++
		}
		space = false
		cur.WriteString(tok)
		w += tw
	}
	for len(s) > 0 {
		// The next token: a run of spaces, a run of ASCII non-spaces (a
		// word), or one wider character.
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == ' ':
			space = true
			s = s[size:]
			continue
		case r < 0x80:
			end := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r >= 0x80 })
			if end < 0 {
				end = len(s)
			}
			word := s[:end]
			s = s[end:]
			need := len(word)
			if space && w > 0 {
				need++
			}
			if w+need <= cols {
				put(word, len(word))
				continue
			}
			if w > 0 {
				flush()
			}
			for len(word) > cols {
				put(word[:cols], cols)
				flush()
				word = word[cols:]
			}
			put(word, len(word))
		default:
			rw := runeWidth(r)
			need := rw
			if space && w > 0 {
				need++
			}
			if w+need > cols && w > 0 {
				// Chinese typesetting never starts a line with closing
				// punctuation: the character before it moves down too.
				carry := ""
				if strings.ContainsRune(noLineStart, r) && !space {
					line := cur.String()
					last, n := utf8.DecodeLastRuneInString(line)
					if last >= 0x80 && n < len(line) && !strings.ContainsRune(noLineStart, last) {
						carry = line[len(line)-n:]
						cur.Reset()
						cur.WriteString(line[:len(line)-n])
					}
				}
				flush()
				if carry != "" {
					put(carry, runeWidth([]rune(carry)[0]))
				}
			}
			put(s[:size], rw)
			s = s[size:]
		}
	}
	if w > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}
