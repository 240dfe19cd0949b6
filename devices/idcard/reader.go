package idcard

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// The commands of the protocol (CMD byte; PARA in the comment).
const (
	CmdReset              = 0x10 // FF: reset the SAM
	CmdSAMStatus          = 0x11 // FF: SAM status
	CmdSAMID              = 0x12 // FF: SAM ID
	CmdCard               = 0x20 // 01 find card, 02 select card
	CmdRead               = 0x30 // 01 text+photo, 03 additional address, 05 management number, 10 text+photo+fingerprint
	CmdSetBaud            = 0x60 // n: 0=115200 1=57600 2=38400 3=19200 4=9600
	CmdSetMaxRFFrame      = 0x61 // FF, DATA n
	ParaFindCard          = 0x01
	ParaSelectCard        = 0x02
	ParaReadText          = 0x01
	ParaReadAddress       = 0x03
	ParaReadManagementNum = 0x05
	ParaReadFingerprint   = 0x10
)

// Opts configures a Reader. Zero fields take DefaultOpts' values.
type Opts struct {
	// HeaderTimeout is how long to wait, after sending a command, for the
	// answer's preamble and length (2 s, as Sdtapi).
	HeaderTimeout time.Duration
	// TotalTimeout is how long to wait, after sending a command, for the
	// whole answer (5 s, as Sdtapi; a 2321-byte answer takes 2.4 s at
	// 9600 baud).
	TotalTimeout time.Duration
	// Attempts is how many times a command is sent at most when its answer
	// is lost (timeout), damaged (*FrameError) or the SAM reports it
	// received a damaged request (StatusChecksum, StatusLength).
	Attempts int
	// Fingerprint makes Read use 30 10 (text, photo and fingerprint)
	// instead of 30 01.
	Fingerprint bool
	// AdditionalAddress makes Read also read the additional address
	// (30 03).
	AdditionalAddress bool
}

// DefaultOpts are the options New uses for nil, and for zero fields.
var DefaultOpts = Opts{
	HeaderTimeout: 2 * time.Second,
	TotalTimeout:  5 * time.Second,
	Attempts:      3,
}

// ErrTimeout is matched by every *TimeoutError.
var ErrTimeout = errors.New("idcard: no answer from the reader")

// TimeoutError is an answer that did not arrive, or not whole, in time.
// It reports Timeout() true.
type TimeoutError struct {
	// Header is true when not even the preamble and length arrived
	// within Opts.HeaderTimeout.
	Header bool
	// Waited is how long the Reader waited.
	Waited time.Duration
	// Got is how many bytes of a started frame had arrived, of Want.
	Got, Want int
	// Err is a damaged frame seen while waiting (a *FrameError), if any.
	Err error
}

// Error says how long the Reader waited and what arrived.
func (e *TimeoutError) Error() string {
	var s string
	if e.Header {
		s = fmt.Sprintf("idcard: no answer within %v", e.Waited.Round(time.Millisecond))
	} else {
		s = fmt.Sprintf("idcard: answer incomplete after %v (%d of %d bytes)", e.Waited.Round(time.Millisecond), e.Got, e.Want)
	}
	if e.Err != nil {
		s += "; before it: " + strings.TrimPrefix(e.Err.Error(), "idcard: ")
	}
	return s
}

// Timeout is true: the device stayed silent.
func (e *TimeoutError) Timeout() bool { return true }

// Is matches ErrTimeout.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns the damaged frame seen while waiting, if any.
func (e *TimeoutError) Unwrap() error { return e.Err }

// OpError is the error of a Reader operation: which one, after how many
// attempts, and why (a Status, *FrameError, *TimeoutError, I/O error,
// card data error, or the context's error).
type OpError struct {
	Op       string // e.g. "find card"
	Attempts int    // how many times the command was sent
	Err      error  // the cause
}

// Error is "idcard: <op>: <cause>".
func (e *OpError) Error() string {
	s := "idcard: " + e.Op + ": " + strings.TrimPrefix(e.Err.Error(), "idcard: ")
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// Reader speaks the SAM protocol over a serial line. Its methods may be
// called from several goroutines; each holds the line for the whole
// exchange (Read for find, select and read).
//
// The io.ReadWriter should return from Read now and then when nothing
// arrives: either it has SetReadDeadline (an *os.File on a tty or pty, a
// net.Conn), which the Reader uses, or it is a serial port opened with a
// read timeout, whose timeouts the Reader takes as silence: errors with
// Timeout() true, (0, io.EOF) as tarm/serial returns on Linux, and
// (0, nil) as on Windows.
type Reader struct {
	rw   io.ReadWriter
	opts Opts

	mu  sync.Mutex
	buf []byte // received, not yet consumed
	tmp []byte
	// noDeadline is set once SetReadDeadline failed.
	noDeadline bool
	// dirty means an answer may still be on its way from an abandoned
	// exchange: drain the line before the next command.
	dirty bool
}

// New returns a Reader on rw; opts nil means DefaultOpts.
func New(rw io.ReadWriter, opts *Opts) *Reader {
	o := DefaultOpts
	if opts != nil {
		o = *opts
		if o.HeaderTimeout <= 0 {
			o.HeaderTimeout = DefaultOpts.HeaderTimeout
		}
		if o.TotalTimeout <= 0 {
			o.TotalTimeout = DefaultOpts.TotalTimeout
		}
		if o.Attempts <= 0 {
			o.Attempts = DefaultOpts.Attempts
		}
	}
	o.TotalTimeout = max(o.TotalTimeout, o.HeaderTimeout)
	return &Reader{rw: rw, opts: o, tmp: make([]byte, 4096)}
}

// Command sends a command and returns the SAM's answer, whatever its
// status: only a lost or damaged exchange is an error, after
// Opts.Attempts tries. It is the raw access for tools; the other methods
// interpret the status.
func (r *Reader) Command(ctx context.Context, cmd, para byte, data []byte) (Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.command(ctx, fmt.Sprintf("command %02X %02X", cmd, para), cmd, para, data)
}

func (r *Reader) command(ctx context.Context, op string, cmd, para byte, data []byte) (Response, error) {
	req := EncodeRequest(cmd, para, data)
	defer r.clearDeadline()
	for attempt := 1; ; attempt++ {
		resp, err := r.attempt(ctx, req)
		if err == nil && !resp.Status.transient() {
			return resp, nil
		}
		retry := err == nil || errors.Is(err, ErrTimeout) || errors.Is(err, ErrChecksum) || errors.Is(err, ErrLength)
		if !retry || attempt >= r.opts.Attempts || ctx.Err() != nil {
			if err == nil {
				return resp, nil // the SAM keeps saying our frame is damaged
			}
			return Response{}, &OpError{Op: op, Attempts: attempt, Err: err}
		}
	}
}

// attempt sends req once and waits for one answer.
func (r *Reader) attempt(ctx context.Context, req []byte) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	if r.dirty {
		r.drain()
	}
	r.buf = r.buf[:0]
	start := time.Now()
	if _, err := r.rw.Write(req); err != nil {
		return Response{}, fmt.Errorf("idcard: write: %w", err)
	}
	resp, err := r.receive(ctx, start)
	if err != nil && (errors.Is(err, ErrTimeout) || ctx.Err() != nil) {
		r.dirty = true
	}
	return resp, err
}

// receive reads until a whole answer is in, the deadlines pass or ctx
// ends.
func (r *Reader) receive(ctx context.Context, start time.Time) (Response, error) {
	headerBy := start.Add(r.opts.HeaderTimeout)
	totalBy := start.Add(r.opts.TotalTimeout)
	var damaged error
	for {
		body, n, err := ScanFrame(r.buf)
		if err == nil {
			resp, perr := parseResponse(body)
			r.consume(n)
			return resp, perr
		}
		r.consume(n)
		if errors.Is(err, ErrChecksum) {
			return Response{}, err
		}
		if errors.Is(err, ErrLength) {
			damaged = err // a corrupted length or a false preamble: resynchronise
			continue
		}
		// ErrIncomplete: the buffer now starts with a preamble, or holds
		// at most the start of one.
		header := len(r.buf) >= headerLen
		deadline := totalBy
		if !header {
			deadline = headerBy
		}
		if now := time.Now(); !now.Before(deadline) {
			te := &TimeoutError{Header: !header, Waited: now.Sub(start), Err: damaged}
			if header {
				te.Got, te.Want = len(r.buf), headerLen+(int(r.buf[5])<<8|int(r.buf[6]))
			}
			return Response{}, te
		}
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
		if err := r.fill(ctx, deadline); err != nil {
			return Response{}, err
		}
	}
}

// consume drops the first n bytes of the buffer.
func (r *Reader) consume(n int) {
	r.buf = r.buf[:copy(r.buf, r.buf[n:])]
}

// pollSlice bounds a single read's wait, so that a cancelled context is
// noticed soon.
const pollSlice = 50 * time.Millisecond

type readDeadliner interface {
	SetReadDeadline(time.Time) error
}

// fill reads once, waiting at most until deadline, and appends what came.
func (r *Reader) fill(ctx context.Context, deadline time.Time) error {
	if cd, ok := ctx.Deadline(); ok && cd.Before(deadline) {
		deadline = cd
	}
	if s := time.Now().Add(pollSlice); s.Before(deadline) {
		deadline = s
	}
	r.setDeadline(deadline)
	t0 := time.Now()
	n, err := r.rw.Read(r.tmp)
	r.buf = append(r.buf, r.tmp[:n]...)
	switch {
	case err == nil, errors.Is(err, io.EOF), isTimeout(err):
		// Silence, in one of its forms.
	default:
		return fmt.Errorf("idcard: read: %w", err)
	}
	if n == 0 && time.Since(t0) < time.Millisecond {
		// The port returned at once: don't spin.
		time.Sleep(min(2*time.Millisecond, time.Until(deadline)))
	}
	return nil
}

func (r *Reader) setDeadline(t time.Time) {
	if r.noDeadline {
		return
	}
	d, ok := r.rw.(readDeadliner)
	if !ok {
		r.noDeadline = true
		return
	}
	if err := d.SetReadDeadline(t); err != nil {
		r.noDeadline = true
	}
}

// clearDeadline leaves the port without a read deadline, as found.
func (r *Reader) clearDeadline() {
	if !r.noDeadline {
		r.setDeadline(time.Time{})
	}
}

// drainQuiet is how long the line must stay silent for a drain to end.
const (
	drainQuiet = 20 * time.Millisecond
	drainMax   = 500 * time.Millisecond
)

// drain discards whatever arrives until the line is quiet, so that a late
// answer to an abandoned exchange is not taken for the next one's.
func (r *Reader) drain() {
	r.dirty = false
	stop := time.Now().Add(drainMax)
	quietUntil := time.Now().Add(drainQuiet)
	for now := time.Now(); now.Before(quietUntil) && now.Before(stop); now = time.Now() {
		r.buf = r.buf[:0]
		if err := r.fill(context.Background(), quietUntil); err != nil {
			return
		}
		if len(r.buf) > 0 {
			quietUntil = time.Now().Add(drainQuiet)
		}
	}
	r.buf = r.buf[:0]
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// do runs a command and wants one of the statuses.
func (r *Reader) do(ctx context.Context, op string, cmd, para byte, data []byte, want ...Status) (Response, error) {
	resp, err := r.command(ctx, op, cmd, para, data)
	if err != nil {
		return resp, err
	}
	for _, w := range want {
		if resp.Status == w {
			return resp, nil
		}
	}
	return resp, &OpError{Op: op, Attempts: 1, Err: resp.Status}
}

// Reset resets the SAM (10 FF).
func (r *Reader) Reset(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.do(ctx, "reset SAM", CmdReset, 0xFF, nil, StatusOK)
	return err
}

// SAMStatus asks the SAM whether it works (11 FF); nil means SW3 = 0x90.
func (r *Reader) SAMStatus(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.do(ctx, "SAM status", CmdSAMStatus, 0xFF, nil, StatusOK)
	return err
}

// SAMID reads the SAM's ID (12 FF), formatted as FormatSAMID does.
func (r *Reader) SAMID(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	const op = "SAM ID"
	resp, err := r.do(ctx, op, CmdSAMID, 0xFF, nil, StatusOK)
	if err != nil {
		return "", err
	}
	id, err := FormatSAMID(resp.Data)
	if err != nil {
		return "", &OpError{Op: op, Attempts: 1, Err: err}
	}
	return id, nil
}

// FormatSAMID formats the 16 bytes of a SAM ID, two uint16 and three
// uint32 little-endian, as "%02d.%02d-%08d-%010d-%010d".
func FormatSAMID(b []byte) (string, error) {
	if len(b) != 16 {
		return "", &FrameError{Err: ErrLength, Len: len(b), Detail: fmt.Sprintf("SAM ID of %d bytes, want 16", len(b))}
	}
	le := binary.LittleEndian
	return fmt.Sprintf("%02d.%02d-%08d-%010d-%010d",
		le.Uint16(b[0:]), le.Uint16(b[2:]), le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:])), nil
}

// FindCard looks for a card in the field (20 01): true for SW3 = 0x9F,
// false without error for 0x80 (no card, or a card already read that has
// not left the field), an error otherwise.
func (r *Reader) FindCard(ctx context.Context) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.findCard(ctx)
}

func (r *Reader) findCard(ctx context.Context) (bool, error) {
	resp, err := r.do(ctx, "find card", CmdCard, ParaFindCard, nil, StatusFound, StatusNoCard)
	if err != nil {
		return false, err
	}
	return resp.Status == StatusFound, nil
}

// SelectCard selects the card found (20 02) and returns the 8 bytes the
// SAM answers with (the card's serial number).
func (r *Reader) SelectCard(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.selectCard(ctx)
}

func (r *Reader) selectCard(ctx context.Context) ([]byte, error) {
	resp, err := r.do(ctx, "select card", CmdCard, ParaSelectCard, nil, StatusOK)
	if err != nil {
		return nil, err
	}
	return resp.Data, nil
}

// ReadCard reads the text and photo of the selected card (30 01). An
// error matching ErrInvalidCard comes with the card filled in (see
// ParseText).
func (r *Reader) ReadCard(ctx context.Context) (Card, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readCard(ctx, false)
}

// ReadCardWithFingerprint reads the text, photo and fingerprint of the
// selected card (30 10). Card.Fingerprint stays nil for a card without
// one.
func (r *Reader) ReadCardWithFingerprint(ctx context.Context) (Card, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readCard(ctx, true)
}

func (r *Reader) readCard(ctx context.Context, fingerprint bool) (Card, error) {
	op, para := "read card", byte(ParaReadText)
	if fingerprint {
		op, para = "read card with fingerprint", ParaReadFingerprint
	}
	resp, err := r.do(ctx, op, CmdRead, para, nil, StatusOK)
	if err != nil {
		return Card{}, err
	}
	c, err := parseCardData(resp.Data, fingerprint)
	if err != nil {
		return c, &OpError{Op: op, Attempts: 1, Err: err}
	}
	return c, nil
}

// parseCardData splits the answer to 30 01 (text and photo lengths, then
// the data) or 30 10 (and the fingerprint's).
func parseCardData(d []byte, fingerprint bool) (Card, error) {
	nlen := 2
	if fingerprint {
		nlen = 3
	}
	if len(d) < 2*nlen {
		return Card{}, &FrameError{Err: ErrLength, Len: len(d), Detail: fmt.Sprintf("card data of %d bytes has no room for its lengths", len(d))}
	}
	var l [3]int
	for i := range nlen {
		l[i] = int(binary.BigEndian.Uint16(d[2*i:]))
	}
	rest := d[2*nlen:]
	if l[0] != TextLen || l[0]+l[1]+l[2] != len(rest) {
		return Card{}, &FrameError{Err: ErrLength, Len: len(d),
			Detail: fmt.Sprintf("card data says text %d, photo %d, fingerprint %d bytes, and carries %d", l[0], l[1], l[2], len(rest))}
	}
	c, err := ParseText(rest[:l[0]])
	if l[1] > 0 {
		c.Photo = bytes.Clone(rest[l[0] : l[0]+l[1]])
	}
	if l[2] > 0 {
		c.Fingerprint = bytes.Clone(rest[l[0]+l[1]:])
	}
	return c, err
}

// ReadAdditionalAddress reads the address added after a move (30 03) from
// the selected card; "" without error when the card has none (SW3 =
// 0x91).
func (r *Reader) ReadAdditionalAddress(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readAdditionalAddress(ctx)
}

func (r *Reader) readAdditionalAddress(ctx context.Context) (string, error) {
	resp, err := r.do(ctx, "read additional address", CmdRead, ParaReadAddress, nil, StatusOK, StatusNoContent)
	if err != nil {
		return "", err
	}
	return DecodeText(resp.Data), nil
}

// ReadManagementNumber reads the card management number (30 05, 28
// bytes, returned as received). It succeeds only while a selected card is
// in the field, which is how Watch tells that a card it read is still
// there.
func (r *Reader) ReadManagementNumber(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readManagementNumber(ctx)
}

func (r *Reader) readManagementNumber(ctx context.Context) ([]byte, error) {
	resp, err := r.do(ctx, "read management number", CmdRead, ParaReadManagementNum, nil, StatusOK)
	if err != nil {
		return nil, err
	}
	return resp.Data, nil
}

// Bauds are the speeds a SAM can be set to, in the order of their codes
// for 60 n, which is also the order DetectBaud tries them in.
var Bauds = []int{115200, 57600, 38400, 19200, 9600}

// SetSAMBaud sets the SAM's serial speed (60 n). The SAM answers at the
// old speed; the caller must then reopen the port at the new one.
func (r *Reader) SetSAMBaud(ctx context.Context, baud int) error {
	code := -1
	for i, b := range Bauds {
		if b == baud {
			code = i
		}
	}
	if code < 0 {
		return fmt.Errorf("idcard: set SAM baud: %d is not one of %v", baud, Bauds)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.do(ctx, "set SAM baud", CmdSetBaud, byte(code), nil, StatusOK)
	return err
}

// SetMaxRFFrame sets the largest RF frame the SAM uses with cards (61 FF
// n); hev-idcard-reader uses 0x50.
func (r *Reader) SetMaxRFFrame(ctx context.Context, n byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.do(ctx, "set max RF frame", CmdSetMaxRFFrame, 0xFF, []byte{n}, StatusOK)
	return err
}

// Read is the whole sequence for a card on the reader: find, select,
// read (text and photo; with Opts.Fingerprint the fingerprint too; with
// Opts.AdditionalAddress the additional address). Without a card it
// returns an error matching ErrNoCard. A card that was read but fails a
// check comes with an error matching ErrInvalidCard (see ParseText).
func (r *Reader) Read(ctx context.Context) (Card, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	found, err := r.findCard(ctx)
	if err != nil {
		return Card{}, err
	}
	if !found {
		return Card{}, &OpError{Op: "find card", Attempts: 1, Err: StatusNoCard}
	}
	if _, err := r.selectCard(ctx); err != nil {
		return Card{}, err
	}
	c, err := r.readCard(ctx, r.opts.Fingerprint)
	if err != nil && !errors.Is(err, ErrInvalidCard) {
		return Card{}, err
	}
	if r.opts.AdditionalAddress {
		addr, aerr := r.readAdditionalAddress(ctx)
		if aerr != nil {
			return c, errors.Join(err, aerr)
		}
		c.AdditionalAddress = addr
	}
	return c, err
}
