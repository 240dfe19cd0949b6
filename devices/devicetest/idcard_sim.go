package devicetest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"onestop/devices/idcard"
)

// IDCardSim simulates an ID card reader (a GA 467 SAM behind a serial
// port) on any io.ReadWriter, normally the Master of a PTY, so that
// devices/idcard, devicectl and the demo drive it like a real reader.
//
// It answers every command of shared/protocols/IDCARD-SAMV.md. A card is
// put in the field with PlaceCard or PlaceSample and taken away with
// RemoveCard; as on a real reader, once a card has been read, find card
// answers 0x80 until it leaves the field, and the card management number
// (30 05) answers only while a selected card stays.
//
// Answers go out at the line speed of the simulated baud rate (through a
// LineWriter), and a request counts as arrived only when its last byte
// would have, so that timings measured over the pty are those of a
// cable. With CheckLineSpeed, requests are ignored while the port's
// termios speed differs from the reader's, as a reader ignores the noise
// it hears at the wrong speed: DetectBaud can then be tested for real.
//
// Faults are injected for the next answers: InjectGarbage, CorruptNext,
// SilenceNext, FailNext.
type IDCardSim struct {
	rw io.ReadWriter

	// CheckLineSpeed makes the simulator ignore requests while the line
	// speed set on the port (the pty's termios, Linux only) differs from
	// the simulated reader's baud rate (not at baud 0). Set it before Run.
	CheckLineSpeed bool
	// Latency is how long the SAM takes to work on a command before it
	// answers; 0 by default. Set it before Run.
	Latency time.Duration

	mu       sync.Mutex
	baud     int
	card     *idcard.Card
	found    bool // find card succeeded since placement
	selected bool // select card succeeded since placement
	read     bool // the card was read: find fails until it leaves
	samID    [16]byte

	garbage int
	corrupt int
	silent  int
	fail    []idcard.Status

	stats IDCardSimStats

	rxNext time.Time // when the line in is free again
}

// IDCardSimStats counts what a simulator saw and did.
type IDCardSimStats struct {
	// Requests is how many whole request frames arrived (answered or not).
	Requests int
	// Ignored is how many of them went unanswered: silenced, or at the
	// wrong line speed.
	Ignored int
	// BytesIn and BytesOut are the bytes received and sent, garbage
	// included.
	BytesIn, BytesOut int
}

// IDCardSAMID is the SAM ID a simulator reports, and its formatted form.
var (
	IDCardSAMID          = [16]byte{0x05, 0x00, 0x01, 0x00, 0x5F, 0xB8, 0x32, 0x01, 0x30, 0x41, 0xAB, 0x00, 0xD2, 0x02, 0x96, 0x49}
	IDCardSAMIDFormatted = "05.01-20101215-0011223344-1234567890"
)

// NewIDCardSim returns a simulator on rw (normally a PTY's Master) that
// answers at baud (0: as fast as rw takes it), with no card in the field.
func NewIDCardSim(rw io.ReadWriter, baud int) *IDCardSim {
	return &IDCardSim{rw: rw, baud: baud, samID: IDCardSAMID}
}

// Baud is the reader's current baud rate (set by SetBaud or by a 60 n
// command).
func (s *IDCardSim) Baud() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baud
}

// SetBaud changes the reader's baud rate.
func (s *IDCardSim) SetBaud(baud int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baud = baud
}

// PlaceCard puts a card in the field (replacing any).
func (s *IDCardSim) PlaceCard(c idcard.Card) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card = &c
	s.found, s.selected, s.read = false, false, false
}

// PlaceSample puts IDCardSamples()[i] in the field.
func (s *IDCardSim) PlaceSample(i int) { s.PlaceCard(IDCardSamples()[i]) }

// RemoveCard takes the card out of the field.
func (s *IDCardSim) RemoveCard() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card = nil
	s.found, s.selected, s.read = false, false, false
}

// InjectGarbage sends n bytes of line noise before the next answer. The
// noise starts with a partial preamble (AA AA AA 96) when n ≥ 4 but never
// holds a whole one.
func (s *IDCardSim) InjectGarbage(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.garbage += n
}

// CorruptNext damages the checksum of the next answer; each call damages
// one more.
func (s *IDCardSim) CorruptNext() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrupt++
}

// SilenceNext leaves the next n requests unanswered.
func (s *IDCardSim) SilenceNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silent += n
}

// FailNext answers the next request with st (and no data) instead of
// what it would have answered; calls queue up.
func (s *IDCardSim) FailNext(st idcard.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, st)
}

// Stats returns the counters so far.
func (s *IDCardSim) Stats() IDCardSimStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Run serves requests until ctx ends (it then returns nil), rw reaches
// EOF, or reading fails. Ending ctx interrupts a pending read when rw has
// SetReadDeadline, or is an *os.File such as a PTY's master (on Linux
// Run then reads and writes a non-blocking duplicate of its descriptor);
// otherwise Run returns at the next read error, e.g. once rw is closed.
func (s *IDCardSim) Run(ctx context.Context) error {
	rw, restore := idcardPollable(s.rw)
	defer restore()
	if d, ok := rw.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	lw := &LineWriter{W: rw}
	var buf []byte
	tmp := make([]byte, 4096)
	for {
		n, err := rw.Read(tmp)
		if n > 0 {
			s.receive(n)
			buf = append(buf, tmp[:n]...)
			for {
				body, used, serr := idcard.ScanFrame(buf)
				if errors.Is(serr, idcard.ErrIncomplete) {
					buf = buf[used:]
					break
				}
				buf = buf[used:]
				if werr := s.serve(lw, body, serr); werr != nil {
					return fmt.Errorf("devicetest: ID card simulator: write: %w", werr)
				}
			}
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
		case IsTimeout(err):
			// A read timeout of the port, not ours: keep reading.
		case errors.Is(err, io.EOF):
			return nil
		default:
			return fmt.Errorf("devicetest: ID card simulator: read: %w", err)
		}
	}
}

// receive accounts for n bytes read: they are on the line until their
// last bit would have arrived at the reader's speed.
func (s *IDCardSim) receive(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.BytesIn += n
	now := time.Now()
	if s.rxNext.Before(now) {
		s.rxNext = now
	}
	if s.baud > 0 {
		s.rxNext = s.rxNext.Add(time.Duration(n) * ByteTime(s.baud))
	}
}

// serve answers one request frame (or the damage ScanFrame found).
func (s *IDCardSim) serve(lw *LineWriter, body []byte, scanErr error) error {
	s.mu.Lock()
	s.stats.Requests++
	wait := time.Until(s.rxNext) + s.Latency
	if s.CheckLineSpeed && s.baud > 0 {
		if speed, ok := idcardLineSpeed(s.rw); ok && speed != s.baud {
			s.stats.Ignored++
			s.mu.Unlock()
			return nil
		}
	}
	if s.silent > 0 {
		s.silent--
		s.stats.Ignored++
		s.mu.Unlock()
		return nil
	}
	var answer []byte
	newBaud := 0
	switch {
	case errors.Is(scanErr, idcard.ErrChecksum):
		answer = idcard.EncodeResponse(idcard.StatusChecksum, nil)
	case scanErr != nil:
		answer = idcard.EncodeResponse(idcard.StatusLength, nil)
	case len(s.fail) > 0:
		answer = idcard.EncodeResponse(s.fail[0], nil)
		s.fail = s.fail[1:]
	default:
		answer, newBaud = s.answer(body)
	}
	if s.corrupt > 0 {
		s.corrupt--
		answer[len(answer)-1] ^= 0xFF
	}
	if s.garbage > 0 {
		answer = append(idcardGarbage(s.garbage, uint64(s.stats.Requests)), answer...)
		s.garbage = 0
	}
	lw.Baud = s.baud // the answer goes out at the old speed
	if newBaud > 0 {
		s.baud = newBaud // and the next request is heard at the new one
	}
	s.stats.BytesOut += len(answer)
	s.mu.Unlock()

	if wait > 0 {
		time.Sleep(wait)
	}
	_, err := lw.Write(answer)
	return err
}

// answer is the reply of a working reader to a well-formed request, and
// the baud rate to switch to after it (0: none). s.mu is held.
func (s *IDCardSim) answer(body []byte) ([]byte, int) {
	ok := func(data []byte) []byte { return idcard.EncodeResponse(idcard.StatusOK, data) }
	st := func(st idcard.Status) []byte { return idcard.EncodeResponse(st, nil) }
	if len(body) < 2 {
		return st(idcard.StatusLength), 0
	}
	cmd, para, data := body[0], body[1], body[2:]
	switch {
	case cmd == idcard.CmdReset && para == 0xFF:
		s.found, s.selected = false, false
		return ok(nil), 0
	case cmd == idcard.CmdSAMStatus && para == 0xFF:
		return ok(nil), 0
	case cmd == idcard.CmdSAMID && para == 0xFF:
		return ok(s.samID[:]), 0
	case cmd == idcard.CmdCard && para == idcard.ParaFindCard:
		if s.card == nil || s.read {
			return st(idcard.StatusNoCard), 0
		}
		s.found = true
		return idcard.EncodeResponse(idcard.StatusFound, []byte{0, 0, 0, 0}), 0
	case cmd == idcard.CmdCard && para == idcard.ParaSelectCard:
		if s.card == nil || !s.found {
			return st(idcard.StatusSelectFailed), 0
		}
		s.selected = true
		sum := sha256.Sum256([]byte(s.card.IDNumber))
		return ok(sum[:8]), 0
	case cmd == idcard.CmdRead && (para == idcard.ParaReadText || para == idcard.ParaReadFingerprint):
		if s.card == nil || !s.selected {
			return st(idcard.StatusReadFailed), 0
		}
		s.read = true
		return ok(IDCardReadData(*s.card, para == idcard.ParaReadFingerprint)), 0
	case cmd == idcard.CmdRead && para == idcard.ParaReadAddress:
		if s.card == nil || !s.selected {
			return st(idcard.StatusReadFailed), 0
		}
		if s.card.AdditionalAddress == "" {
			return st(idcard.StatusNoContent), 0
		}
		return ok(IDCardAddressText(s.card.AdditionalAddress)), 0
	case cmd == idcard.CmdRead && para == idcard.ParaReadManagementNum:
		if s.card == nil || !s.selected {
			return st(idcard.StatusReadFailed), 0
		}
		sum := sha256.Sum256([]byte("management " + s.card.IDNumber))
		return ok(sum[:28]), 0
	case cmd == idcard.CmdSetBaud && int(para) < len(idcard.Bauds) && len(data) == 0:
		return ok(nil), idcard.Bauds[para]
	case cmd == idcard.CmdSetMaxRFFrame && para == 0xFF && len(data) == 1:
		return ok(nil), 0
	}
	return st(idcard.StatusCommand), 0
}

// IDCardReadData is the data of the answer to 30 01 (text and photo) or
// 30 10 (and fingerprint): the lengths, big-endian, then the blocks.
func IDCardReadData(c idcard.Card, fingerprint bool) []byte {
	text := IDCardText(c)
	var d []byte
	d = binary.BigEndian.AppendUint16(d, uint16(len(text)))
	d = binary.BigEndian.AppendUint16(d, uint16(len(c.Photo)))
	if fingerprint {
		d = binary.BigEndian.AppendUint16(d, uint16(len(c.Fingerprint)))
	}
	d = append(d, text...)
	d = append(d, c.Photo...)
	if fingerprint {
		d = append(d, c.Fingerprint...)
	}
	return d
}

// idcardGarbage is n bytes of line noise, starting with a partial
// preamble and never holding a whole one (0x69 never appears).
func idcardGarbage(n int, seed uint64) []byte {
	g := make([]byte, n)
	copy(g, idcard.Preamble[:4])
	x := seed*0x9E3779B97F4A7C15 + 1
	for i := min(4, n); i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		g[i] = byte(x)
		if g[i] == 0x69 {
			g[i] = 0x68
		}
	}
	return g
}
