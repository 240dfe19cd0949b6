package escpos

import (
	"errors"
	"fmt"
	"strings"
)

// Align is a line's horizontal alignment (ESC a n).
type Align byte

// The alignments.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// CutMode chooses a full or a partial cut (GS V).
type CutMode byte

// The cuts.
const (
	FullCut    CutMode = 0
	PartialCut CutMode = 1
)

// QRLevel is a QR code's error correction level (GS ( k, function 169).
type QRLevel byte

// The QR error correction levels, as the printer codes them.
const (
	QRLevelL QRLevel = 0x30 // recovers about 7 % of the symbol
	QRLevelM QRLevel = 0x31 // about 15 %
	QRLevelQ QRLevel = 0x32 // about 25 %
	QRLevelH QRLevel = 0x33 // about 30 %
)

// qrByteCapacity is the most bytes a QR code (version 40, byte mode) holds
// at each level.
var qrByteCapacity = map[QRLevel]int{QRLevelL: 2953, QRLevelM: 2331, QRLevelQ: 1663, QRLevelH: 1273}

// ErrAlignMidLine is Job's error when Align or QR comes after text that
// has not been ended by a line feed: the printer only aligns at the start
// of a line and would silently ignore it.
var ErrAlignMidLine = errors.New("escpos: alignment only takes effect at the start of a line")

// Job is a print job under construction: its methods append ESC/POS
// commands to a buffer, which Printer.Print sends in a single write. The
// first invalid call (bad argument, text the printer cannot print) is kept
// as the job's error, later calls are then ignored, and Err and
// Printer.Print report it, as bufio.Writer does. Methods return the job so
// that calls chain. The zero Job is empty and ready to use.
type Job struct {
	// Replacement, if not zero, stands in for characters the printer
	// cannot print; if zero, such a character is an error.
	Replacement rune

	buf     []byte
	err     error
	midLine bool // text was written since the last line feed
}

// Bytes returns the commands built so far.
func (j *Job) Bytes() []byte { return j.buf }

// Err returns the first error met while building, or nil.
func (j *Job) Err() error { return j.err }

func (j *Job) fail(err error) *Job {
	if j.err == nil {
		j.err = err
	}
	return j
}

func (j *Job) add(b ...byte) *Job {
	if j.err == nil {
		j.buf = append(j.buf, b...)
	}
	return j
}

// Raw appends b unchanged: for commands this package does not offer.
func (j *Job) Raw(b []byte) *Job { return j.add(b...) }

// Init resets the printer to its power-on settings (ESC @): left aligned,
// normal size, bold off, and an empty line buffer.
func (j *Job) Init() *Job {
	j.add(0x1B, 0x40)
	if j.err == nil {
		j.midLine = false
	}
	return j
}

// ChineseMode turns the printer's Chinese mode on (FS &) or off (FS .). In
// Chinese mode the printer reads bytes from 0x81 up as GB18030 codes,
// which is what Text sends.
func (j *Job) ChineseMode(on bool) *Job {
	if on {
		return j.add(0x1C, 0x26)
	}
	return j.add(0x1C, 0x2E)
}

// Align sets the alignment (ESC a n) of the lines that follow. It must
// come at the start of a line (after Init, LF, Line, Feed, QR or a cut),
// else the job fails with ErrAlignMidLine.
func (j *Job) Align(a Align) *Job {
	if a > Right {
		return j.fail(fmt.Errorf("escpos: alignment %d is not Left, Center or Right", a))
	}
	if j.midLine {
		return j.fail(ErrAlignMidLine)
	}
	return j.add(0x1B, 0x61, byte(a))
}

// Bold turns emphasized printing on or off (ESC E n).
func (j *Job) Bold(on bool) *Job {
	if on {
		return j.add(0x1B, 0x45, 0x01)
	}
	return j.add(0x1B, 0x45, 0x00)
}

// Size sets the character size (GS ! n) as width and height multipliers,
// each 1–8: Size(1, 1) is normal, Size(2, 2) double width and height.
func (j *Job) Size(width, height int) *Job {
	if width < 1 || width > 8 || height < 1 || height > 8 {
		return j.fail(fmt.Errorf("escpos: character size %d×%d: each must be 1–8", width, height))
	}
	return j.add(0x1D, 0x21, byte(width-1)<<4|byte(height-1))
}

// Text appends s encoded in GB18030 (the printer must be in Chinese mode).
// A "\n" in s ends the line as LF does. A character the printer cannot
// print (control characters, invalid UTF-8, characters outside the Basic
// Multilingual Plane such as emoji, the private use area) fails the job
// with an *UnprintableError, unless Replacement is set.
func (j *Job) Text(s string) *Job {
	if j.err != nil || s == "" {
		return j
	}
	b, err := encodeText(s, j.Replacement)
	if err != nil {
		return j.fail(err)
	}
	j.add(b...)
	j.midLine = !strings.HasSuffix(s, "\n")
	return j
}

// LF prints the line buffer and feeds one line (LF, 0x0A).
func (j *Job) LF() *Job {
	j.add(0x0A)
	if j.err == nil {
		j.midLine = false
	}
	return j
}

// Line appends s and a line feed.
func (j *Job) Line(s string) *Job { return j.Text(s).LF() }

// Feed prints the line buffer and feeds n lines, 0–255 (ESC d n).
func (j *Job) Feed(n int) *Job {
	if n < 0 || n > 255 {
		return j.fail(fmt.Errorf("escpos: feed %d lines: must be 0–255", n))
	}
	j.add(0x1B, 0x64, byte(n))
	if j.err == nil {
		j.midLine = false
	}
	return j
}

// QR prints data as a model 2 QR code with modules of module dots (1–16)
// and error correction level, at the start of a line: model (function
// 165), module size (167), error correction (169), store the data (180,
// with its length+3 little-endian), print (181). Prefer ASCII data (a
// URL): the printer stores bytes as they come.
func (j *Job) QR(data []byte, module int, level QRLevel) *Job {
	capacity, ok := qrByteCapacity[level]
	switch {
	case !ok:
		return j.fail(fmt.Errorf("escpos: QR error correction %#02x is not L, M, Q or H", byte(level)))
	case module < 1 || module > 16:
		return j.fail(fmt.Errorf("escpos: QR module size %d: must be 1–16", module))
	case len(data) == 0:
		return j.fail(errors.New("escpos: QR code with no data"))
	case len(data) > capacity:
		return j.fail(fmt.Errorf("escpos: QR data of %d bytes: at most %d fit at this error correction level", len(data), capacity))
	case j.midLine:
		return j.fail(ErrAlignMidLine)
	}
	n := len(data) + 3
	j.add(0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00)
	j.add(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, byte(module))
	j.add(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, byte(level))
	j.add(0x1D, 0x28, 0x6B, byte(n), byte(n>>8), 0x31, 0x50, 0x30)
	j.add(data...)
	return j.add(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30)
}

// Cut cuts the paper where it is (GS V 0 / GS V 1). Most printers need
// the paper fed first or the last lines end up above the cutter: see
// FeedCut.
func (j *Job) Cut(mode CutMode) *Job {
	if mode > PartialCut {
		return j.fail(fmt.Errorf("escpos: cut mode %d is not FullCut or PartialCut", mode))
	}
	j.add(0x1D, 0x56, byte(mode))
	if j.err == nil {
		j.midLine = false
	}
	return j
}

// FeedCut feeds the paper to the cutter plus n motion units (usually
// dots) and cuts (GS V 65 n / GS V 66 n), so that the last printed line
// stays on this slip.
func (j *Job) FeedCut(mode CutMode, n byte) *Job {
	if mode > PartialCut {
		return j.fail(fmt.Errorf("escpos: cut mode %d is not FullCut or PartialCut", mode))
	}
	j.add(0x1D, 0x56, 0x41+byte(mode), n)
	if j.err == nil {
		j.midLine = false
	}
	return j
}
