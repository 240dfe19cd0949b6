package devicetest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Printable widths, in dots, of the two usual paper rolls (8 dots/mm).
const (
	PrinterDots58 = 384 // 58 mm paper: 32 columns of 12 dots
	PrinterDots80 = 576 // 80 mm paper: 48 columns
)

// Character cells of the simulated printer at normal size, in dots: a
// single-byte (ASCII) character is 12×24, a Chinese (multi-byte)
// character 24×24. The default line spacing (ESC 2) is 30 dots.
const (
	printerNarrow  = 12
	printerWide    = 24
	printerCellH   = 24
	printerSpacing = 30
	maxNotes       = 1000
)

// PrinterAlign is a printed line's alignment (ESC a).
type PrinterAlign int

// The alignments.
const (
	PrinterLeft PrinterAlign = iota
	PrinterCenter
	PrinterRight
)

// String returns "left", "center" or "right".
func (a PrinterAlign) String() string {
	if a < PrinterLeft || a > PrinterRight {
		return fmt.Sprintf("PrinterAlign(%d)", int(a))
	}
	return [...]string{"left", "center", "right"}[a]
}

// PrinterCut is how a receipt was cut off the roll (GS V).
type PrinterCut int

// The cuts.
const (
	PrinterNoCut PrinterCut = iota // still on the roll
	PrinterFullCut
	PrinterPartialCut
)

// String returns "no cut", "full cut" or "partial cut".
func (c PrinterCut) String() string {
	if c < PrinterNoCut || c > PrinterPartialCut {
		return fmt.Sprintf("PrinterCut(%d)", int(c))
	}
	return [...]string{"no cut", "full cut", "partial cut"}[c]
}

// PrinterRun is text printed with one set of attributes.
type PrinterRun struct {
	Text   string
	Bold   bool
	Width  int // character width multiplier, 1–8 (GS ! n)
	Height int // character height multiplier, 1–8
}

// Dots returns the run's width on paper: 12 dots per ASCII character and
// 24 per other character, times Width.
func (r PrinterRun) Dots() int {
	d := 0
	for _, c := range r.Text {
		d += charDots(c)
	}
	return d * r.Width
}

func charDots(c rune) int {
	if c < 0x80 {
		return printerNarrow
	}
	return printerWide
}

// PrinterQR is a printed QR code (GS ( k).
type PrinterQR struct {
	Data    []byte
	Module  int  // dots per module (function 167)
	Level   byte // error correction: 'L', 'M', 'Q' or 'H' (function 169)
	Model   int  // 1 or 2 (function 165); drawn as model 2 either way
	Modules int  // the symbol's side in modules
}

// Dots returns the symbol's side on paper in dots.
func (q PrinterQR) Dots() int { return q.Modules * q.Module }

// PrinterLine is one printed line: text runs, or a QR code, or nothing
// (a blank feed). Height is how far the paper advanced for it.
type PrinterLine struct {
	Align  PrinterAlign
	Runs   []PrinterRun
	QR     *PrinterQR
	Height int
}

// Text returns the line's text (its runs joined).
func (l PrinterLine) Text() string {
	var b strings.Builder
	for _, r := range l.Runs {
		b.WriteString(r.Text)
	}
	return b.String()
}

// Dots returns the width of the line's content in dots.
func (l PrinterLine) Dots() int {
	if l.QR != nil {
		return l.QR.Dots()
	}
	d := 0
	for _, r := range l.Runs {
		d += r.Dots()
	}
	return d
}

// tallest is the height in dots of the line's tallest character.
func (l PrinterLine) tallest() int {
	h := 0
	for _, r := range l.Runs {
		h = max(h, r.Height*printerCellH)
	}
	return h
}

// PrinterReceipt is a piece of paper: everything printed between two
// cuts.
type PrinterReceipt struct {
	Width   int // printable width in dots
	Lines   []PrinterLine
	Cut     PrinterCut
	CutFeed int // the n of GS V 65/66 n: dots fed before the cut
}

// Find returns the first line whose text contains s.
func (r PrinterReceipt) Find(s string) (PrinterLine, bool) {
	for _, l := range r.Lines {
		if strings.Contains(l.Text(), s) {
			return l, true
		}
	}
	return PrinterLine{}, false
}

// Text returns the receipt as plain text for tests: one line of text per
// printed line, indented by alignment in 12-dot columns (a large
// character counts its real width), a QR code as "[QR: data]", a blank
// feed as an empty line. Trailing spaces are trimmed.
func (r PrinterReceipt) Text() string {
	var b strings.Builder
	for _, l := range r.Lines {
		text := l.Text()
		if l.QR != nil {
			text = "[QR: " + string(l.QR.Data) + "]"
		}
		pad := 0
		switch l.Align {
		case PrinterCenter:
			pad = (r.Width - l.Dots()) / 2 / printerNarrow
		case PrinterRight:
			pad = (r.Width - l.Dots()) / printerNarrow
		}
		b.WriteString(strings.TrimRight(strings.Repeat(" ", max(pad, 0))+text, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// PrinterState is what the simulated printer reports to DLE EOT and
// whether it prints.
type PrinterState struct {
	PaperNearEnd    bool
	PaperOut        bool // status says so, and printed data is discarded
	CoverOpen       bool // idem
	Offline         bool // idem
	CutterError     bool // idem
	Unrecoverable   bool // idem
	AutoRecoverable bool // idem (e.g. head too hot)
	Silent          bool // no answer to anything: unplugged or dead
}

func (st PrinterState) canPrint() bool {
	return !(st.PaperOut || st.CoverOpen || st.Offline || st.CutterError || st.Unrecoverable || st.AutoRecoverable)
}

// status is the answer to DLE EOT n, or false if the printer gives none.
func (st PrinterState) status(n byte) (byte, bool) {
	if st.Silent {
		return 0, false
	}
	b := byte(0x12)
	set := func(on bool, mask byte) {
		if on {
			b |= mask
		}
	}
	switch n {
	case 1:
		set(!st.canPrint(), 0x08)
	case 2:
		set(st.CoverOpen, 0x04)
		set(st.PaperOut, 0x20)
		set(st.CutterError || st.Unrecoverable || st.AutoRecoverable, 0x40)
	case 3:
		set(st.CutterError, 0x08)
		set(st.Unrecoverable, 0x20)
		set(st.AutoRecoverable, 0x40)
	case 4:
		set(st.PaperNearEnd, 0x0C)
		set(st.PaperOut, 0x60)
	default:
		return 0, false
	}
	return b, true
}

// PrinterSim is an ESC/POS thermal printer: it parses the byte stream a
// driver sends (ESC @, FS & / FS ., ESC E, ESC a, GS !, ESC !, ESC d, ESC
// J, ESC 2/3, text in GB18030, GS ( k QR codes, GS V cuts, DLE EOT
// status), keeps what it printed as receipts (lines of runs and QR codes,
// separated by cuts), answers DLE EOT from its PrinterState, and renders
// receipts as text and images (see PrinterReceipt.Image).
//
// Unknown commands are skipped by their known length when the protocol
// fixes one (length-prefixed GS ( / ESC ( functions, images, barcodes),
// else as the prefix and one byte, and are recorded in Notes; the parser
// never loses its place in the stream. Sequences split across reads are
// put together. While the printer cannot print (paper out, cover open,
// offline, an error) it still answers status queries and follows mode
// changes, but prints nothing: those bytes are counted in Discarded.
//
// A PrinterSim is itself an io.ReadWriter (a printer wired straight to
// the driver: Write feeds it bytes, Read returns its answers or
// ErrReadTimeout); Serve puts it at the end of a line such as a PTY's
// master. It is safe for concurrent use.
type PrinterSim struct {
	// Baud, if set before Serve, paces answers at that line speed.
	Baud int

	mu         sync.Mutex
	width      int
	state      PrinterState
	in         []byte // bytes not yet parsed (an incomplete command)
	answers    []byte // for Read
	receipts   []PrinterReceipt
	cur        PrinterReceipt
	line       []PrinterRun
	notes      []string
	dropped    int // notes left out past maxNotes
	discarded  int
	discarding bool // the latest data was discarded (for one note per episode)
	changed    chan struct{}

	// Modes.
	chinese         bool
	boldE, boldG    bool
	width1, height1 int
	align           PrinterAlign
	spacing         int
	qrModel         int
	qrModule        int
	qrLevel         byte
	qrData          []byte
}

var _ io.ReadWriter = (*PrinterSim)(nil)

// NewPrinterSim returns a printer of the given printable width in dots
// (PrinterDots58 or PrinterDots80), ready to print, in Chinese mode.
func NewPrinterSim(dots int) *PrinterSim {
	if dots <= 0 {
		dots = PrinterDots80
	}
	s := &PrinterSim{width: dots, changed: make(chan struct{})}
	s.reset()
	s.cur = PrinterReceipt{Width: dots}
	return s
}

// reset is ESC @: power-on modes, empty line buffer and QR store.
func (s *PrinterSim) reset() {
	s.chinese = true // Chinese-market printers start in Chinese mode
	s.boldE, s.boldG = false, false
	s.width1, s.height1 = 1, 1
	s.align = PrinterLeft
	s.spacing = printerSpacing
	s.qrModel, s.qrModule, s.qrLevel, s.qrData = 2, 3, 'L', nil
	s.line = nil
}

// Dots returns the printable width.
func (s *PrinterSim) Dots() int { return s.width }

// State returns the printer's state.
func (s *PrinterSim) State() PrinterState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// SetState changes the printer's state: open the cover, run out of
// paper, go silent…
func (s *PrinterSim) SetState(st PrinterState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
	s.signal()
}

// Receipts returns the receipts cut so far.
func (s *PrinterSim) Receipts() []PrinterReceipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneReceipts(s.receipts)
}

// Pending returns what has been printed since the last cut (the line
// buffer not yet printed is not in it).
func (s *PrinterSim) Pending() PrinterReceipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneReceipts([]PrinterReceipt{s.cur})[0]
}

// Notes returns what the parser met and skipped or ignored: unknown
// commands, misplaced ones, lines too wide for the paper, data discarded
// while the printer could not print.
func (s *PrinterSim) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := append([]string(nil), s.notes...)
	if s.dropped > 0 {
		n = append(n, fmt.Sprintf("(%d more notes left out)", s.dropped))
	}
	return n
}

// Discarded returns how many bytes arrived while the printer could not
// print and were therefore not printed.
func (s *PrinterSim) Discarded() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.discarded
}

// WaitReceipts waits until at least n receipts have been cut and returns
// them, or fails after timeout.
func (s *PrinterSim) WaitReceipts(n int, timeout time.Duration) ([]PrinterReceipt, error) {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		if len(s.receipts) >= n {
			r := cloneReceipts(s.receipts)
			s.mu.Unlock()
			return r, nil
		}
		got, ch := len(s.receipts), s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return nil, fmt.Errorf("devicetest: printer: %d receipts after %v, want %d", got, timeout, n)
		}
	}
}

func cloneReceipts(rs []PrinterReceipt) []PrinterReceipt {
	out := make([]PrinterReceipt, len(rs))
	for i, r := range rs {
		r.Lines = append([]PrinterLine(nil), r.Lines...)
		for k, l := range r.Lines {
			l.Runs = append([]PrinterRun(nil), l.Runs...)
			if l.QR != nil {
				q := *l.QR
				q.Data = append([]byte(nil), q.Data...)
				l.QR = &q
			}
			r.Lines[k] = l
		}
		out[i] = r
	}
	return out
}

// Write takes bytes from the driver, as if they came down the line.
func (s *PrinterSim) Write(p []byte) (int, error) {
	a := s.process(p)
	s.mu.Lock()
	s.answers = append(s.answers, a...)
	s.mu.Unlock()
	return len(p), nil
}

// Read returns the printer's answers; with none pending it returns
// ErrReadTimeout, as a port with a read timeout does.
func (s *PrinterSim) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.answers) == 0 {
		return 0, ErrReadTimeout
	}
	n := copy(p, s.answers)
	s.answers = s.answers[n:]
	return n, nil
}

// Serve reads the driver's bytes from rw (normally a PTY's Master) and
// writes the answers back, at Baud if set, until rw fails or is closed;
// a closed rw or end of file returns nil.
func (s *PrinterSim) Serve(rw io.ReadWriter) error {
	out := &LineWriter{W: rw, Baud: s.Baud}
	buf := make([]byte, 4096)
	for {
		n, err := rw.Read(buf)
		if n > 0 {
			if a := s.process(buf[:n]); len(a) > 0 {
				if _, werr := out.Write(a); werr != nil {
					return fmt.Errorf("devicetest: printer: answer: %w", werr)
				}
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrClosed), errors.Is(err, syscall.EIO):
			return nil // the line was closed (EIO: a pty whose other end is gone)
		case IsTimeout(err):
		default:
			return fmt.Errorf("devicetest: printer: read: %w", err)
		}
	}
}

func (s *PrinterSim) note(format string, args ...any) {
	if len(s.notes) >= maxNotes {
		s.dropped++
		return
	}
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

// signal wakes WaitReceipts.
func (s *PrinterSim) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// process parses p after what is left from earlier bytes and returns the
// answers to send.
func (s *PrinterSim) process(p []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.in = append(s.in, p...)
	var answers []byte
	for len(s.in) > 0 {
		n, note, skip := s.commandLen(s.in)
		if n == 0 {
			break // incomplete: wait for more bytes
		}
		cmd := s.in[:n]
		if note != "" {
			s.note("% X: %s", head(cmd), note)
		}
		switch {
		case skip:
			// Not understood: neither executed nor printed.
		case cmd[0] == 0x10: // DLE: real-time, processed whatever the state
			if len(cmd) == 3 && cmd[1] == 0x04 {
				if b, ok := s.state.status(cmd[2]); ok {
					answers = append(answers, b)
				} else if !s.state.Silent {
					s.note("DLE EOT %d: not a status query, no answer", cmd[2])
				}
			}
		case s.state.Silent:
			// A dead printer: nothing happens.
		case !s.state.canPrint():
			if !s.discarding {
				s.note("printer cannot print (%s): data discarded", s.stateName())
				s.discarding = true
			}
			s.discarded += n
			s.modes(cmd)
		default:
			s.discarding = false
			s.exec(cmd)
		}
		s.in = s.in[n:]
	}
	if len(s.in) == 0 {
		s.in = nil // let a large buffer go
	}
	s.signal()
	return answers
}

func (s *PrinterSim) stateName() string {
	st := s.state
	switch {
	case st.CoverOpen:
		return "cover open"
	case st.PaperOut:
		return "paper out"
	case st.Offline:
		return "offline"
	}
	return "error"
}

// head is the start of a command, for notes.
func head(b []byte) []byte {
	if len(b) > 8 {
		return b[:8]
	}
	return b
}

// Parameter counts of the commands whose length is fixed, after the
// prefix and the command byte.
var (
	escParams = map[byte]int{
		'@': 0, 'E': 1, 'G': 1, 'a': 1, 'd': 1, 'J': 1, '2': 0, '3': 1, '!': 1, '-': 1,
		'M': 1, 't': 1, 'R': 1, '{': 1, 'V': 1, ' ': 1, 'p': 3, '=': 1, 'L': 0, 'S': 0,
		'T': 1, 'W': 8, 'e': 1, 'r': 1, 'U': 1, 'i': 0, 'm': 0, '$': 2, '\\': 2, '%': 1,
		'?': 1, 'K': 1, 'c': 2, 'u': 1, 'v': 0, 'f': 2, 'g': 1,
	}
	gsParams = map[byte]int{
		'!': 1, 'B': 1, 'H': 1, 'h': 1, 'w': 1, 'f': 1, 'L': 2, 'W': 2, 'P': 2, 'a': 1,
		'r': 1, 'I': 1, 'b': 1, '$': 2, '\\': 2, 'T': 1, '/': 1, ':': 0, '^': 3, 'E': 1,
		'Z': 1, 'j': 1, 'C': 1, 'z': 2,
	}
	fsParams = map[byte]int{
		'&': 0, '.': 0, '!': 1, '-': 1, 'W': 1, 'S': 2, 'C': 1, 'p': 2, 'r': 1, 'c': 1,
		'2': 74, '?': 2,
	}
)

// commandLen returns the length of the command at the start of b (0 if b
// holds only part of it), a note if it is not understood, and whether it
// is to be skipped rather than executed.
func (s *PrinterSim) commandLen(b []byte) (n int, note string, skip bool) {
	c := b[0]
	switch {
	case c == 0x10:
		return dleLen(b)
	case c == 0x1B:
		return prefixedLen(b, "ESC", escParams, escVariable)
	case c == 0x1D:
		return prefixedLen(b, "GS", gsParams, gsVariable)
	case c == 0x1C:
		return prefixedLen(b, "FS", fsParams, fsVariable)
	case c == 0x0A, c == 0x0D, c == 0x09, c == 0x0C, c == 0x18, c == 0x00:
		return 1, "", false
	case c < 0x20 || c == 0x7F:
		return 1, "unknown control byte, skipped", true
	case c < 0x80 || !s.chinese:
		return 1, "", false
	}
	// GB18030: 81–FE then 40–7E/80–FE, or 81–FE 30–39 81–FE 30–39.
	if c == 0x80 || c == 0xFF {
		return 1, "not a GB18030 lead byte, printed as '?'", false
	}
	if len(b) < 2 {
		return 0, "", false
	}
	switch t := b[1]; {
	case t >= 0x30 && t <= 0x39:
		if len(b) < 4 {
			if len(b) == 3 && !(b[2] >= 0x81 && b[2] <= 0xFE) {
				return 1, "broken GB18030 four-byte code, printed as '?'", false
			}
			return 0, "", false
		}
		if b[2] >= 0x81 && b[2] <= 0xFE && b[3] >= 0x30 && b[3] <= 0x39 {
			return 4, "", false
		}
	case t >= 0x40 && t <= 0xFE && t != 0x7F:
		return 2, "", false
	}
	return 1, "broken GB18030 code, printed as '?'", false
}

func dleLen(b []byte) (int, string, bool) {
	if len(b) < 2 {
		return 0, "", false
	}
	switch b[1] {
	case 0x04, 0x05: // EOT n, ENQ n
		if len(b) < 3 {
			return 0, "", false
		}
		return 3, "", false
	case 0x14: // DC4 fn …
		if len(b) < 3 {
			return 0, "", false
		}
		n := map[byte]int{1: 5, 2: 5, 7: 4, 8: 10}[b[2]]
		if n == 0 {
			return 3, "unknown DLE DC4 function, skipped", true
		}
		if len(b) < n {
			return 0, "", false
		}
		return n, "", false
	}
	return 1, "stray DLE, skipped", true
}

// prefixedLen measures an ESC, GS or FS command: from the table of fixed
// lengths, else by the variable-length rules, else as unknown.
func prefixedLen(b []byte, name string, fixed map[byte]int, variable func([]byte) (int, bool)) (int, string, bool) {
	if len(b) < 2 {
		return 0, "", false
	}
	if n, ok := fixed[b[1]]; ok {
		if len(b) < 2+n {
			return 0, "", false
		}
		return 2 + n, "", false
	}
	if n, ok := variable(b); ok {
		if n < 0 {
			return 2, fmt.Sprintf("%s %q with bad parameters, skipped", name, b[1]), true
		}
		if n == 0 || len(b) < n {
			return 0, "", false
		}
		return n, "", false
	}
	if b[1] < 0x20 {
		// Perhaps the start of the next command: leave it be.
		return 1, "stray " + name + ", skipped", true
	}
	return 2, fmt.Sprintf("unknown %s %q, skipped", name, b[1]), true
}

// framed is the length of commands "prefix fn pL pH data…" (GS ( x,
// ESC ( x), 0 until pL pH have arrived.
func framed(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	return 5 + int(b[3]) + int(b[4])<<8
}

// escVariable measures ESC commands of variable length: (n, true) with n
// the length (0 = need more bytes, -1 = parameters make no sense), or
// false if unknown.
func escVariable(b []byte) (int, bool) {
	switch b[1] {
	case '(':
		return framed(b), true
	case '*': // ESC * m nL nH d…
		if len(b) < 5 {
			return 0, true
		}
		k := int(b[3]) + int(b[4])<<8
		if b[2] == 32 || b[2] == 33 {
			k *= 3
		}
		return 5 + k, true
	case 'D': // ESC D n1 … nk NUL, k ≤ 32
		for i := 2; i < len(b) && i < 2+33; i++ {
			if b[i] == 0 {
				return i + 1, true
			}
		}
		if len(b) >= 2+33 {
			return -1, true
		}
		return 0, true
	case '&': // ESC & y c1 c2 [x d1…d(y×x)]…
		if len(b) < 5 {
			return 0, true
		}
		y, c1, c2 := int(b[2]), int(b[3]), int(b[4])
		if y < 1 || y > 3 || c1 < 32 || c2 > 126 || c1 > c2 {
			return -1, true
		}
		n := 5
		for range c2 - c1 + 1 {
			if len(b) <= n {
				return 0, true
			}
			n += 1 + y*int(b[n])
		}
		return n, true
	}
	return 0, false
}

func gsVariable(b []byte) (int, bool) {
	switch b[1] {
	case '(':
		return framed(b), true
	case 'V': // GS V m [n]
		if len(b) < 3 {
			return 0, true
		}
		switch b[2] {
		case 0, 1, 48, 49:
			return 3, true
		case 65, 66, 97, 98, 103, 104:
			return 4, true
		}
		return -1, true
	case 'v': // GS v 0 m xL xH yL yH d…
		if len(b) < 8 {
			return 0, true
		}
		if b[2] != '0' {
			return -1, true
		}
		return 8 + (int(b[4])+int(b[5])<<8)*(int(b[6])+int(b[7])<<8), true
	case '*': // GS * x y d…(x×y×8)
		if len(b) < 4 {
			return 0, true
		}
		return 4 + int(b[2])*int(b[3])*8, true
	case 'k': // GS k m d… NUL (m ≤ 6) or GS k m n d1…dn (m ≥ 65)
		if len(b) < 4 {
			return 0, true
		}
		m := b[2]
		if m >= 65 {
			return 4 + int(b[3]), true
		}
		if m > 6 {
			return -1, true
		}
		for i := 3; i < len(b) && i < 3+256; i++ {
			if b[i] == 0 {
				return i + 1, true
			}
		}
		if len(b) >= 3+256 {
			return -1, true
		}
		return 0, true
	case '8': // GS 8 L p1 p2 p3 p4 …
		if len(b) < 7 {
			return 0, true
		}
		if b[2] != 'L' {
			return -1, true
		}
		return 7 + int(b[3]) + int(b[4])<<8 + int(b[5])<<16 + int(b[6])<<24, true
	}
	return 0, false
}

func fsVariable(b []byte) (int, bool) {
	if b[1] != 'q' { // FS q n [xL xH yL yH d…]…
		return 0, false
	}
	if len(b) < 3 {
		return 0, true
	}
	n := 3
	for range int(b[2]) {
		if len(b) < n+4 {
			return 0, true
		}
		n += 4 + (int(b[n])+int(b[n+1])<<8)*(int(b[n+2])+int(b[n+3])<<8)*8
	}
	return n, true
}

// modes applies the commands that only change modes, so that the parser
// stays in step while nothing is printed (and exec uses it for them).
// It reports whether cmd was one.
func (s *PrinterSim) modes(cmd []byte) bool {
	if len(cmd) < 2 {
		return false
	}
	switch cmd[0] {
	case 0x1B:
		switch cmd[1] {
		case 'E':
			s.boldE = cmd[2]&1 != 0
		case 'G':
			s.boldG = cmd[2]&1 != 0
		case '!':
			s.boldE = cmd[2]&0x08 != 0
			s.width1 = 1 + int(cmd[2]>>5&1)
			s.height1 = 1 + int(cmd[2]>>4&1)
		case '2':
			s.spacing = printerSpacing
		case '3':
			s.spacing = int(cmd[2])
		default:
			return false
		}
	case 0x1D:
		if cmd[1] != '!' {
			return false
		}
		n := cmd[2]
		if n&0x88 != 0 {
			s.note("GS ! %#02x: size out of range, ignored", n)
			return true
		}
		s.width1, s.height1 = int(n>>4)+1, int(n&7)+1
	case 0x1C:
		switch cmd[1] {
		case '&':
			s.chinese = true
		case '.':
			s.chinese = false
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// exec carries out one complete command while the printer can print.
func (s *PrinterSim) exec(cmd []byte) {
	if s.modes(cmd) {
		return
	}
	c := cmd[0]
	switch {
	case c == 0x0A:
		s.printLine(0)
	case c == 0x0C:
		s.printLine(0)
	case c == 0x09:
		s.tab()
	case c == 0x0D, c == 0x00, c == 0x18:
		// CR (auto line feed off), NUL, CAN (page mode only): nothing.
	case c == 0x1B:
		s.execESC(cmd)
	case c == 0x1D:
		s.execGS(cmd)
	case c == 0x1C:
		if cmd[1] == '!' && cmd[2] != 0 {
			s.note("FS ! %#02x: Chinese print mode not simulated", cmd[2])
		}
	case c < 0x20 || c == 0x7F || c == 0x10:
		// Skipped control bytes (noted by commandLen).
	default:
		s.char(s.decode(cmd))
	}
}

func (s *PrinterSim) decode(b []byte) rune {
	switch {
	case b[0] < 0x80:
		return rune(b[0])
	case !s.chinese:
		return charmap.CodePage437.DecodeByte(b[0])
	case len(b) == 1:
		return '?'
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil || len(out) == 0 {
		return '?'
	}
	r := []rune(string(out))
	return r[0]
}

func (s *PrinterSim) execESC(cmd []byte) {
	switch cmd[1] {
	case '@':
		if len(s.line) > 0 {
			s.note("ESC @ cleared an unprinted line %q", PrinterLine{Runs: s.line}.Text())
		}
		s.reset()
	case 'a':
		a := PrinterAlign(cmd[2] % 48)
		if cmd[2] > 50 || (cmd[2] > 2 && cmd[2] < 48) {
			s.note("ESC a %d: not an alignment, ignored", cmd[2])
			return
		}
		if len(s.line) > 0 {
			s.note("ESC a %d in the middle of a line, ignored", cmd[2])
			return
		}
		s.align = a
	case 'd':
		n := int(cmd[2])
		if len(s.line) > 0 {
			s.printLine(0)
			n--
		}
		for range n {
			s.printLine(0)
		}
	case 'J':
		s.printLine(int(cmd[2]))
	case 'i', 'm':
		s.cut(PrinterPartialCut, 0)
	case '*', '(':
		s.note("ESC %q: not simulated (%d bytes skipped)", cmd[1], len(cmd))
	default:
		// Known but not simulated (fonts, code tables, pulses, images…).
	}
}

func (s *PrinterSim) execGS(cmd []byte) {
	switch cmd[1] {
	case 'V':
		mode, feed := PrinterFullCut, 0
		if m := cmd[2]; m == 1 || m == 49 || m == 66 || m == 98 || m == 104 {
			mode = PrinterPartialCut
		}
		if len(cmd) == 4 {
			feed = int(cmd[3])
		}
		s.cut(mode, feed)
	case '(':
		if cmd[2] == 'k' {
			s.code2D(cmd[5:])
		} else {
			s.note("GS ( %q: not simulated (%d bytes skipped)", cmd[2], len(cmd))
		}
	case 'v', '*', 'k', '8':
		s.note("GS %q: images and 1D barcodes are not simulated (%d bytes skipped)", cmd[1], len(cmd))
	}
}

// code2D carries out GS ( k with parameters p = cn fn ….
func (s *PrinterSim) code2D(p []byte) {
	if len(p) < 2 {
		s.note("GS ( k with %d parameter bytes, ignored", len(p))
		return
	}
	if p[0] != 0x31 {
		s.note("GS ( k symbol %#02x (not QR) is not simulated", p[0])
		return
	}
	arg := func(i int) (byte, bool) {
		if len(p) <= i {
			s.note("QR function %d: missing parameter", int(p[1])+100)
			return 0, false
		}
		return p[i], true
	}
	switch p[1] {
	case 0x41: // 165: model
		if n, ok := arg(2); ok {
			switch n {
			case 0x31, 0x32:
				s.qrModel = int(n - 0x30)
			default:
				s.note("QR model %#02x not supported, ignored", n)
			}
		}
	case 0x43: // 167: module size
		if n, ok := arg(2); ok {
			if n < 1 || n > 16 {
				s.note("QR module size %d out of 1–16, ignored", n)
				return
			}
			s.qrModule = int(n)
		}
	case 0x45: // 169: error correction
		if n, ok := arg(2); ok {
			if n < 0x30 || n > 0x33 {
				s.note("QR error correction %#02x out of range, ignored", n)
				return
			}
			s.qrLevel = "LMQH"[n-0x30]
		}
	case 0x50: // 180: store
		if _, ok := arg(2); ok {
			s.qrData = append([]byte(nil), p[3:]...)
		}
	case 0x51: // 181: print
		s.printQR()
	case 0x52: // 182: size information
		s.note("QR size information (function 182) is not answered")
	default:
		s.note("QR function %#02x not simulated", p[1])
	}
}

func (s *PrinterSim) printQR() {
	if len(s.qrData) == 0 {
		s.note("QR print with no data stored, nothing printed")
		return
	}
	code, err := printerQRCode(s.qrData, s.qrLevel)
	if err != nil {
		s.note("QR of %d bytes at level %c cannot be made (%v), nothing printed", len(s.qrData), s.qrLevel, err)
		return
	}
	q := &PrinterQR{Data: append([]byte(nil), s.qrData...), Module: s.qrModule, Level: s.qrLevel, Model: s.qrModel, Modules: code.Bounds().Dx()}
	if s.qrModel != 2 {
		s.note("QR model %d drawn as model 2", s.qrModel)
	}
	if q.Dots() > s.width {
		s.note("QR of %d dots is wider than the paper (%d)", q.Dots(), s.width)
	}
	if len(s.line) > 0 {
		s.note("QR printed with text in the line buffer: the text was printed first")
		s.printLine(0)
	}
	s.cur.Lines = append(s.cur.Lines, PrinterLine{Align: s.align, QR: q, Height: q.Dots()})
}

// printerQRCode encodes data as the printer would (model 2, the given
// level 'L', 'M', 'Q' or 'H').
func printerQRCode(data []byte, level byte) (barcode.Barcode, error) {
	l := map[byte]qr.ErrorCorrectionLevel{'L': qr.L, 'M': qr.M, 'Q': qr.Q, 'H': qr.H}[level]
	return qr.Encode(string(data), l, qr.Auto)
}

// char adds a character to the line buffer, printing the buffer first if
// the character would not fit.
func (s *PrinterSim) char(r rune) {
	bold := s.boldE || s.boldG
	run := PrinterRun{Text: string(r), Bold: bold, Width: s.width1, Height: s.height1}
	if (PrinterLine{Runs: s.line}).Dots()+run.Dots() > s.width {
		s.note("line %q is wider than the paper: wrapped", PrinterLine{Runs: s.line}.Text())
		s.printLine(0)
	}
	if n := len(s.line); n > 0 {
		last := &s.line[n-1]
		if last.Bold == bold && last.Width == s.width1 && last.Height == s.height1 {
			last.Text += string(r)
			return
		}
	}
	s.line = append(s.line, run)
}

// tab moves to the next multiple of 8 columns.
func (s *PrinterSim) tab() {
	for {
		s.char(' ')
		if (PrinterLine{Runs: s.line}).Dots()%(8*printerNarrow) == 0 {
			return
		}
	}
}

// printLine prints the line buffer and feeds: by the line spacing, or by
// feed dots if feed > 0, and never less than the tallest character.
func (s *PrinterSim) printLine(feed int) {
	l := PrinterLine{Align: s.align, Runs: s.line}
	if feed <= 0 {
		feed = s.spacing
	}
	l.Height = max(feed, l.tallest())
	s.cur.Lines = append(s.cur.Lines, l)
	s.line = nil
}

func (s *PrinterSim) cut(mode PrinterCut, feed int) {
	if len(s.line) > 0 {
		s.note("cut with text in the line buffer: the text was printed first")
		s.printLine(0)
	}
	s.cur.Cut, s.cur.CutFeed, s.cur.Width = mode, feed, s.width
	s.receipts = append(s.receipts, s.cur)
	s.cur = PrinterReceipt{Width: s.width}
}
