package serialport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tarm/serial"
)

// Config says which port to open and how.
type Config struct {
	// Name is the device path: /dev/ttyUSB0, /dev/ttyS0, or a stable
	// /dev/serial/by-id/... name.
	Name string
	// Baud is the line speed; it must be one of Bauds. Zero means 9600.
	// The line is always 8 data bits, no parity, 1 stop bit (8N1).
	Baud int
	// ReadTimeout is how long a Read waits for a first byte before it
	// returns ErrTimeout. The tty counts it in tenths of a second, from
	// 100ms to MaxReadTimeout; shorter positive values wait 100ms. Zero
	// means Read blocks until data arrives.
	ReadTimeout time.Duration
}

// MaxReadTimeout is the longest ReadTimeout a tty supports (VTIME is one
// byte of tenths of a second).
const MaxReadTimeout = 25500 * time.Millisecond

// Bauds are the line speeds Open accepts: those tarm/serial maps to a
// termios speed on Linux.
var Bauds = []int{
	50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600,
	19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600,
	1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
}

// ErrBaud is wrapped by Open's error for a baud rate not in Bauds.
var ErrBaud = errors.New("serialport: unsupported baud rate")

type baudError struct {
	name string
	baud int
}

func (e baudError) Error() string {
	return fmt.Sprintf("serialport: %s: unsupported baud rate %d; use one of %s (the device's manual or its DIP switches give its speed; 9600 and 115200 are usual)",
		e.name, e.baud, baudList())
}

func (e baudError) Is(target error) bool { return target == ErrBaud }

// ErrTimeout is what Port.Read returns when ReadTimeout passed without a
// byte: the device stayed silent, the port is fine. It reports Timeout()
// true, and errors.Is(ErrTimeout, os.ErrDeadlineExceeded) holds, as for an
// os.File read past its deadline.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string        { return "serialport: read timeout" }
func (timeoutError) Timeout() bool        { return true }
func (timeoutError) Temporary() bool      { return true }
func (timeoutError) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// Port is an open serial port, held exclusively until Close.
type Port struct {
	name    string
	timeout time.Duration
	sp      *serial.Port
	// lock is a second descriptor of the device that holds the flock and
	// serves ioctls (TIOCEXCL, the hang-up probe): tarm keeps its own
	// descriptor private.
	lock *os.File

	closeOnce sync.Once
	closeErr  error
}

var _ io.ReadWriteCloser = (*Port)(nil)

// Open opens and locks the port. Its errors are a *PortError for what is
// wrong with the device (missing, busy, not permitted), or wrap ErrBaud.
func Open(cfg Config) (*Port, error) {
	if cfg.Name == "" {
		return nil, errors.New("serialport: no port name (e.g. /dev/ttyUSB0; `devicectl ports` lists them)")
	}
	if cfg.Baud == 0 {
		cfg.Baud = 9600
	}
	if !slices.Contains(Bauds, cfg.Baud) {
		return nil, baudError{cfg.Name, cfg.Baud}
	}
	if cfg.ReadTimeout < 0 || cfg.ReadTimeout > MaxReadTimeout {
		return nil, fmt.Errorf("serialport: %s: read timeout %v out of range (0 to %v)", cfg.Name, cfg.ReadTimeout, MaxReadTimeout)
	}
	lock, err := lockPort(cfg.Name)
	if err != nil {
		return nil, err
	}
	sp, err := serial.OpenPort(&serial.Config{Name: cfg.Name, Baud: cfg.Baud, ReadTimeout: cfg.ReadTimeout})
	if err != nil {
		unlockPort(lock)
		return nil, classify(cfg.Name, err)
	}
	if err := setExclusive(lock, true); err != nil {
		sp.Close()
		unlockPort(lock)
		return nil, classify(cfg.Name, err)
	}
	return &Port{name: cfg.Name, timeout: cfg.ReadTimeout, sp: sp, lock: lock}, nil
}

// Name is the device path the port was opened with.
func (p *Port) Name() string { return p.name }

// Read reads what the device sent. When ReadTimeout passes without a
// byte it returns (0, ErrTimeout); when the device went away (USB adapter
// unplugged) a *PortError of Kind Missing.
func (p *Port) Read(b []byte) (int, error) {
	n, err := p.sp.Read(b)
	if n > 0 {
		// os.File does not return data with io.EOF, but be safe: data
		// first, and the timeout is not an error worth reporting.
		if err == io.EOF {
			err = nil
		}
		return n, p.wrap("read", err)
	}
	if len(b) > 0 && (err == io.EOF || err == nil) {
		// Linux tarm: VTIME expired, or the tty was hung up (a hung-up tty
		// reads as end of file at once). Windows tarm: (0, nil).
		if hungUp(p.lock) {
			return 0, &PortError{Name: p.name, Kind: Missing, Err: errHangup, Hint: hintMissing}
		}
		return 0, ErrTimeout
	}
	return n, p.wrap("read", err)
}

var errHangup = errors.New("the device hung up (unplugged?)")

// Write sends b to the device.
func (p *Port) Write(b []byte) (int, error) {
	n, err := p.sp.Write(b)
	return n, p.wrap("write", err)
}

// Flush discards what was received but not read and what was written but
// not yet sent.
func (p *Port) Flush() error {
	return p.wrap("flush", p.sp.Flush())
}

// Close releases the port: its exclusive mode, its lock, its descriptors.
// Closing twice returns an error wrapping os.ErrClosed.
func (p *Port) Close() error {
	done := false
	p.closeOnce.Do(func() {
		done = true
		err1 := p.sp.Close()
		err2 := unlockPort(p.lock)
		if err := errors.Join(err1, err2); err != nil {
			p.closeErr = fmt.Errorf("serialport: close %s: %w", p.name, err)
		}
	})
	if !done {
		return fmt.Errorf("serialport: close %s: %w", p.name, os.ErrClosed)
	}
	return p.closeErr
}

func (p *Port) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("serialport: %s %s: %w", op, p.name, err)
}

func baudList() string {
	s := make([]string, len(Bauds))
	for i, b := range Bauds {
		s[i] = strconv.Itoa(b)
	}
	return strings.Join(s, ", ")
}
