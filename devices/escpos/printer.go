package escpos

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Opts configures a Printer.
type Opts struct {
	// PaperWidth is the paper roll's width in millimetres: 58 (384 dots,
	// 32 columns at normal size) or 80 (576 dots, 48 columns).
	PaperWidth int
	// StatusTimeout is how long to wait for the answer to each DLE EOT
	// status query before the printer counts as silent (ErrNoResponse).
	StatusTimeout time.Duration
	// Replacement, if not zero, is printed instead of characters the
	// printer cannot print (e.g. '?'); if zero, such text is refused with
	// an *UnprintableError before anything is printed.
	Replacement rune
}

// DefaultOpts are the settings for the usual kiosk printer: 80 mm paper,
// half a second for a status answer, unprintable text refused.
var DefaultOpts = Opts{PaperWidth: 80, StatusTimeout: 500 * time.Millisecond}

// Printer is an ESC/POS thermal printer on a serial line. Its methods are
// safe for concurrent use: each one holds the line until it is done.
type Printer struct {
	rw   io.ReadWriter
	opts Opts
	dots int // printable width in dots
	cols int // columns at normal size

	mu    sync.Mutex
	stale bool // a status answer may still arrive from a query that timed out
}

// New returns a Printer that talks over rw, normally a serial port opened
// with a read timeout (devices/serialport). opts nil means DefaultOpts; a
// zero StatusTimeout means DefaultOpts.StatusTimeout.
//
// rw's Read must return within a bounded time: a port with a read timeout
// (a timeout error, or (0, io.EOF) as tarm/serial gives on Linux, counts
// as "no byte yet"), or a reader with SetReadDeadline (an *os.File on a
// pty), which the status queries then use.
func New(rw io.ReadWriter, opts *Opts) (*Printer, error) {
	if opts == nil {
		opts = &DefaultOpts
	}
	p := &Printer{rw: rw, opts: *opts}
	switch opts.PaperWidth {
	case 58:
		p.dots = 384
	case 80:
		p.dots = 576
	default:
		return nil, fmt.Errorf("escpos: paper width %d mm: want 58 or 80", opts.PaperWidth)
	}
	p.cols = p.dots / 12
	if p.opts.StatusTimeout <= 0 {
		p.opts.StatusTimeout = DefaultOpts.StatusTimeout
	}
	if r := p.opts.Replacement; r != 0 && unprintable(r, len(string(r))) != "" {
		return nil, fmt.Errorf("escpos: replacement %U cannot be printed itself", r)
	}
	return p, nil
}

// Dots returns the printable width in dots: 384 for 58 mm, 576 for 80 mm.
func (p *Printer) Dots() int { return p.dots }

// Columns returns how many columns (see TextWidth) fit on a line at
// normal size: 32 for 58 mm, 48 for 80 mm.
func (p *Printer) Columns() int { return p.cols }

// NewJob returns an empty job with the printer's replacement character.
func (p *Printer) NewJob() *Job { return &Job{Replacement: p.opts.Replacement} }

// Query sends DLE EOT n (n = 1–4) and returns the printer's one-byte
// answer. A printer that does not answer within Opts.StatusTimeout gives
// ErrNoResponse (which reports Timeout() true); an answer that is not a
// status byte, ErrBadStatus.
func (p *Printer) Query(n int) (byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.query(n)
}

func (p *Printer) query(n int) (byte, error) {
	if n < 1 || n > 4 {
		return 0, fmt.Errorf("escpos: DLE EOT %d is not a status query (1–4)", n)
	}
	if p.stale {
		if err := p.drain(); err != nil {
			return 0, err
		}
	}
	if err := p.write([]byte{0x10, 0x04, byte(n)}); err != nil {
		return 0, err
	}
	b, ok, err := p.readByte(p.opts.StatusTimeout)
	if err != nil {
		return 0, fmt.Errorf("escpos: read answer to DLE EOT %d: %w", n, err)
	}
	if !ok {
		p.stale = true
		return 0, fmt.Errorf("%w (DLE EOT %d, waited %v)", ErrNoResponse, n, p.opts.StatusTimeout)
	}
	if b&statusMask != statusBase {
		p.stale = true // perhaps a late answer, or line noise: drain before the next query
		return 0, fmt.Errorf("%w (DLE EOT %d answered %#02x)", ErrBadStatus, n, b)
	}
	return b, nil
}

// Status asks the printer for its four status bytes (DLE EOT 1–4) and
// decodes them. On error the Status holds what was decoded so far.
func (p *Printer) Status() (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status()
}

func (p *Printer) status() (Status, error) {
	var s Status
	for n := 1; n <= 4; n++ {
		b, err := p.query(n)
		if err != nil {
			return s, err
		}
		if err := s.Apply(n, b); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Print checks the printer's status and, if nothing blocks printing,
// sends the job in a single write. It returns the status read before
// printing, so that the caller can warn about paper near its end
// (Status.Warning). If the printer cannot print, nothing is sent and the
// error is the Problem (ErrPaperOut, ErrCoverOpen, …; see Status.Err),
// wrapped. A job with an error is not sent either.
func (p *Printer) Print(j *Job) (Status, error) {
	if err := j.Err(); err != nil {
		return Status{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st, err := p.status()
	if err != nil {
		return st, err
	}
	if err := st.Err(); err != nil {
		return st, fmt.Errorf("%w (status %s; nothing printed)", err, st)
	}
	return st, p.write(j.Bytes())
}

func (p *Printer) write(b []byte) error {
	n, err := p.rw.Write(b)
	if err != nil {
		return fmt.Errorf("escpos: write %d bytes: %w", len(b), err)
	}
	if n < len(b) {
		return fmt.Errorf("escpos: wrote %d of %d bytes: %w", n, len(b), io.ErrShortWrite)
	}
	return nil
}

type deadliner interface {
	SetReadDeadline(time.Time) error
}

// readByte reads one byte, waiting at most timeout; ok is false if none
// came. A timeout error, io.EOF and (0, nil) all mean "no byte yet".
func (p *Printer) readByte(timeout time.Duration) (b byte, ok bool, err error) {
	end := time.Now().Add(timeout)
	if d, isD := p.rw.(deadliner); isD && d.SetReadDeadline(end) == nil {
		defer d.SetReadDeadline(time.Time{})
	}
	var buf [1]byte
	for {
		start := time.Now()
		n, err := p.rw.Read(buf[:])
		if n == 1 {
			return buf[0], true, nil
		}
		if err != nil && !noByteYet(err) {
			return 0, false, err
		}
		now := time.Now()
		if !now.Before(end) {
			return 0, false, nil
		}
		if now.Sub(start) < time.Millisecond {
			// The reader does not block (a fake, or Windows' (0, nil)):
			// poll rather than spin.
			time.Sleep(min(2*time.Millisecond, end.Sub(now)))
		}
	}
}

// drain discards bytes left from a query that timed out, so that a late
// answer is not taken for the next one's.
func (p *Printer) drain() error {
	// A line that never goes quiet (noise, a wrong baud, a printer sending
	// status by itself, another device on the port) must not hold the
	// printer forever.
	deadline := time.Now().Add(4 * p.opts.StatusTimeout)
	for time.Now().Before(deadline) {
		_, ok, err := p.readByte(p.opts.StatusTimeout / 4)
		if err != nil {
			return fmt.Errorf("escpos: discard late status answers: %w", err)
		}
		if !ok {
			p.stale = false
			return nil
		}
	}
	return fmt.Errorf("%w: the line never went quiet: check the baud rate and that the printer does not send status by itself (ASB)", ErrBadStatus)
}

func noByteYet(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, io.EOF) || (errors.As(err, &t) && t.Timeout())
}
