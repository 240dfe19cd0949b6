package devicetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Exchange is one write a driver is expected to make and the bytes the
// device answers with (possibly none).
type Exchange struct {
	Write []byte
	Read  []byte
}

// ErrReadTimeout is what Playback's Read returns when the script has no
// answer pending: what a serial port with a read timeout does when the
// device stays silent. It reports Timeout() true, the convention drivers
// test for.
var ErrReadTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string   { return "devicetest: read timeout (no answer pending)" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// Playback is an io.ReadWriter that plays a device from a script: each
// Write must match the next exchange's Write exactly, and that exchange's
// Read bytes are then served to Reads. A mismatch is an error from Write,
// kept for Close as well, so a test learns the first byte a driver got
// wrong.
type Playback struct {
	Ops []Exchange

	mu      sync.Mutex
	next    int
	pending []byte
	err     error
}

// Write checks p against the script.
func (p *Playback) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return 0, p.err
	}
	if p.next >= len(p.Ops) {
		p.err = fmt.Errorf("devicetest: unexpected write % X after the script's %d exchanges", b, len(p.Ops))
		return 0, p.err
	}
	want := p.Ops[p.next].Write
	if !bytes.Equal(b, want) {
		p.err = fmt.Errorf("devicetest: exchange %d: wrote\n  % X\nwant\n  % X", p.next, b, want)
		return 0, p.err
	}
	p.pending = append(p.pending, p.Ops[p.next].Read...)
	p.next++
	return len(b), nil
}

// Read serves the answer of the latest matched write; with nothing
// pending it returns ErrReadTimeout.
func (p *Playback) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return 0, ErrReadTimeout
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	return n, nil
}

// Close reports the first mismatch, or that the script was not played to
// its end, or that answers were left unread.
func (p *Playback) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.err != nil:
		return p.err
	case p.next < len(p.Ops):
		return fmt.Errorf("devicetest: %d of %d exchanges played; next expected write % X", p.next, len(p.Ops), p.Ops[p.next].Write)
	case len(p.pending) > 0:
		return fmt.Errorf("devicetest: %d answer bytes never read: % X", len(p.pending), p.pending)
	}
	return nil
}

// Record wraps a real device and records what is written to it and read
// from it as exchanges, so that a session with real hardware becomes a
// Playback script.
type Record struct {
	RW io.ReadWriter

	mu  sync.Mutex
	Ops []Exchange
}

// Write starts a new exchange.
func (r *Record) Write(b []byte) (int, error) {
	n, err := r.RW.Write(b)
	r.mu.Lock()
	r.Ops = append(r.Ops, Exchange{Write: bytes.Clone(b[:n])})
	r.mu.Unlock()
	return n, err
}

// Read adds what the device answered to the current exchange.
func (r *Record) Read(b []byte) (int, error) {
	n, err := r.RW.Read(b)
	if n > 0 {
		r.mu.Lock()
		if len(r.Ops) == 0 {
			r.Ops = append(r.Ops, Exchange{})
		}
		last := &r.Ops[len(r.Ops)-1]
		last.Read = append(last.Read, b[:n]...)
		r.mu.Unlock()
	}
	return n, err
}

// IsTimeout reports whether err is a read timeout (it or an error it
// wraps has Timeout() true): the device stayed silent, which is not the
// end of the port.
func IsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
