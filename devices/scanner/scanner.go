package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Scan is one code read by the scanner, or a line that could not be.
type Scan struct {
	// Text is the code, without its terminator. When Err is set it holds
	// the first bytes of the rejected line, for the log.
	Text string
	// Time is when the line's terminator arrived (when Err is set: when
	// the line was found too long).
	Time time.Time
	// Err is set for a line that is not delivered as a code: it wraps
	// ErrTooLong.
	Err error
}

// ErrTooLong is wrapped by Scan.Err for a line longer than Opts.MaxLen.
var ErrTooLong = errors.New("scanner: line too long")

// Opts configures a Scanner.
type Opts struct {
	// Terminator ends each line, as set in the scanner: "\r" (CR),
	// "\n" (LF), "\r\n" (CRLF), or another suffix such as "\t". Empty
	// means DefaultOpts' CR. With CR, an LF right after it is dropped,
	// so a scanner sending CRLF works too; with LF, a CR right before it
	// is dropped.
	Terminator string
	// MaxLen is the longest code accepted, in bytes. Zero means
	// DefaultOpts' MaxLen.
	MaxLen int
	// Now is the clock that stamps scans; nil means time.Now.
	Now func() time.Time
}

// DefaultOpts are the options New uses for nil or zero fields: CR, and
// room for the largest QR code (2953 bytes in binary mode).
var DefaultOpts = Opts{Terminator: "\r", MaxLen: 4096}

// eofPause is how long Run waits after a read that returned io.EOF and no
// data before it reads again. tarm/serial reports a read timeout that way,
// after waiting already; the pause keeps a reader truly at its end (a
// closed pipe, a hung-up tty read raw) from spinning a core.
const eofPause = 20 * time.Millisecond

// Scanner splits a scanner's byte stream into scans.
type Scanner struct {
	r    io.Reader
	opts Opts

	line     []byte
	skipLF   bool
	dropping bool
}

// New returns a Scanner reading r, typically a *serialport.Port opened
// with a read timeout (Run notices a cancelled context between reads).
// opts may be nil.
func New(r io.Reader, opts *Opts) *Scanner {
	o := DefaultOpts
	if opts != nil {
		o = *opts
		if o.Terminator == "" {
			o.Terminator = DefaultOpts.Terminator
		}
		if o.MaxLen <= 0 {
			o.MaxLen = DefaultOpts.MaxLen
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Scanner{r: r, opts: o}
}

// Run reads scans and passes each to deliver, in Run's goroutine, until
// ctx is cancelled (it returns ctx.Err()) or the reader fails (it
// returns that error). Read timeouts (errors whose Timeout() is true, and
// the (0, io.EOF) of tarm/serial) are not failures: Run reads on. A line
// cut short by the end is not delivered.
func (s *Scanner) Run(ctx context.Context, deliver func(Scan)) error {
	buf := make([]byte, 512)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := s.r.Read(buf)
		if n > 0 {
			s.feed(buf[:n], deliver)
		}
		switch {
		case err == nil:
		case isTimeout(err):
		case errors.Is(err, io.EOF):
			if n == 0 {
				t := time.NewTimer(eofPause)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
		default:
			return fmt.Errorf("scanner: read: %w", err)
		}
	}
}

// feed splits p into lines, delivering each complete one.
func (s *Scanner) feed(p []byte, deliver func(Scan)) {
	term := []byte(s.opts.Terminator)
	crTerm := term[len(term)-1] == '\r'
	lfOnly := s.opts.Terminator == "\n"
	// A line may hold this much beyond MaxLen before it is surely too
	// long: a partial terminator, or the CR before an LF terminator.
	slack := len(term) - 1
	if lfOnly {
		slack++
	}
	var now time.Time
	stamp := func() time.Time {
		if now.IsZero() {
			now = s.opts.Now()
		}
		return now
	}
	for _, c := range p {
		if s.skipLF {
			s.skipLF = false
			if c == '\n' {
				continue
			}
		}
		s.line = append(s.line, c)
		if bytes.HasSuffix(s.line, term) {
			text := s.line[:len(s.line)-len(term)]
			if lfOnly {
				text = bytes.TrimSuffix(text, []byte{'\r'})
			}
			switch {
			case s.dropping:
				s.dropping = false
			case len(text) > s.opts.MaxLen:
				deliver(s.tooLong(text, stamp()))
			case len(text) > 0:
				deliver(Scan{Text: string(text), Time: stamp()})
			}
			s.skipLF = crTerm
			s.line = s.line[:0]
			continue
		}
		if !s.dropping && len(s.line) > s.opts.MaxLen+slack {
			s.dropping = true
			deliver(s.tooLong(s.line, stamp()))
		}
		if s.dropping && len(s.line) > 64+len(term) {
			// Keep only what could be the start of the terminator.
			s.line = append(s.line[:0], s.line[len(s.line)-len(term)+1:]...)
		}
	}
}

func (s *Scanner) tooLong(line []byte, t time.Time) Scan {
	return Scan{
		Text: string(line[:min(len(line), 32)]),
		Time: t,
		Err: fmt.Errorf("%w: more than %d bytes before the terminator %s (is the scanner's suffix set to %s?)",
			ErrTooLong, s.opts.MaxLen, termName(s.opts.Terminator), termName(s.opts.Terminator)),
	}
}

func termName(t string) string {
	switch t {
	case "\r":
		return "CR"
	case "\n":
		return "LF"
	case "\r\n":
		return "CRLF"
	}
	return fmt.Sprintf("%q", t)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
