package devicetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"onestop/devices/idcard"
)

// simPipe runs a simulator on one end of a net.Pipe and returns the
// other end, the host's.
func simPipe(t *testing.T, baud int) (*IDCardSim, net.Conn) {
	t.Helper()
	host, dev := net.Pipe()
	sim := NewIDCardSim(dev, baud)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		host.Close()
		dev.Close()
	})
	return sim, host
}

// ask sends a request and returns everything up to the end of the first
// whole frame, garbage included (nil after wait without one).
func ask(t *testing.T, c net.Conn, req []byte, wait time.Duration) []byte {
	t.Helper()
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(wait))
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if i := bytes.Index(got, idcard.Preamble); i >= 0 && len(got) >= i+7 {
			if end := i + 7 + (int(got[i+5])<<8 | int(got[i+6])); len(got) >= end {
				return got[:end]
			}
		}
		if err != nil {
			if IsTimeout(err) && len(got) == 0 {
				return nil
			}
			t.Fatalf("after % X: %v", got, err)
		}
	}
}

func req(cmd, para byte, data ...byte) []byte { return idcard.EncodeRequest(cmd, para, data) }
func resp(st idcard.Status, data ...byte) []byte {
	return idcard.EncodeResponse(st, data)
}

func TestIDCardSimAnswers(t *testing.T) {
	sim, c := simPipe(t, 0)
	miao := IDCardSamples()[IDCardSampleMiao]
	tujia := IDCardSamples()[IDCardSampleTujia]
	steps := []struct {
		name   string
		before func()
		req    []byte
		want   []byte              // exact answer, or
		check  func([]byte) string // a check of it
	}{
		{"reset", nil, req(0x10, 0xFF), resp(idcard.StatusOK), nil},
		{"SAM status", nil, req(0x11, 0xFF), resp(idcard.StatusOK), nil},
		{"SAM ID", nil, req(0x12, 0xFF), resp(idcard.StatusOK, IDCardSAMID[:]...), nil},
		{"find, no card", nil, req(0x20, 0x01), resp(idcard.StatusNoCard), nil},
		{"select, no card", nil, req(0x20, 0x02), resp(idcard.StatusSelectFailed), nil},
		{"read, no card", nil, req(0x30, 0x01), resp(idcard.StatusReadFailed), nil},
		{"select before find", func() { sim.PlaceCard(miao) }, req(0x20, 0x02), resp(idcard.StatusSelectFailed), nil},
		{"read before select", nil, req(0x30, 0x01), resp(idcard.StatusReadFailed), nil},
		{"find", nil, req(0x20, 0x01), resp(idcard.StatusFound, 0, 0, 0, 0), nil},
		{"select", nil, req(0x20, 0x02), nil, func(a []byte) string {
			if len(a) != 19 || a[9] != 0x90 {
				return "want 90 and 8 bytes"
			}
			return ""
		}},
		{"read", nil, req(0x30, 0x01), nil, func(a []byte) string {
			if len(a) != 1295 || a[5] != 0x05 || a[6] != 0x08 || a[9] != 0x90 {
				return "want the 1295-byte frame of LEN 0x0508"
			}
			if binary.BigEndian.Uint16(a[10:]) != 256 || binary.BigEndian.Uint16(a[12:]) != 1024 {
				return "want lengths 256 and 1024 at bytes 10–13"
			}
			if c, err := idcard.ParseText(a[14:270]); err != nil || c.Name != "杨秀英" || !c.ValidLongTerm {
				return "text at 14–269 does not parse"
			}
			if !bytes.Equal(a[270:1294], miao.Photo) {
				return "photo not at 270–1293"
			}
			return ""
		}},
		{"find after the read", nil, req(0x20, 0x01), resp(idcard.StatusNoCard), nil},
		{"read again while selected", nil, req(0x30, 0x01), nil, func(a []byte) string {
			if len(a) != 1295 {
				return "a selected card can be read again"
			}
			return ""
		}},
		{"additional address", nil, req(0x30, 0x03), resp(idcard.StatusOK, IDCardAddressText(miao.AdditionalAddress)...), nil},
		{"management number", nil, req(0x30, 0x05), nil, func(a []byte) string {
			if len(a) != 7+3+28+1 || a[9] != 0x90 {
				return "want 90 and 28 bytes"
			}
			return ""
		}},
		{"management number after removal", func() { sim.RemoveCard() }, req(0x30, 0x05), resp(idcard.StatusReadFailed), nil},
		{"fingerprint read", func() {
			sim.PlaceCard(tujia)
			ask(t, c, req(0x20, 0x01), time.Second)
			ask(t, c, req(0x20, 0x02), time.Second)
		}, req(0x30, 0x10), nil, func(a []byte) string {
			if len(a) != 2321 || a[5] != 0x09 || a[6] != 0x0A {
				return "want the 2321-byte frame of LEN 0x090A"
			}
			if binary.BigEndian.Uint16(a[14:]) != 1024 || !bytes.Equal(a[1296:2320], tujia.Fingerprint) || !bytes.Equal(a[272:1296], tujia.Photo) {
				return "fingerprint length at 14–15, photo at 272, fingerprint at 1296"
			}
			return ""
		}},
		{"no additional address", nil, req(0x30, 0x03), resp(idcard.StatusNoContent), nil},
		{"set max RF frame", nil, req(0x61, 0xFF, 0x50), resp(idcard.StatusOK), nil},
		{"unknown command", nil, req(0x42, 0x00), resp(idcard.StatusCommand), nil},
		{"bad parameter", nil, req(0x11, 0x00), resp(idcard.StatusCommand), nil},
		{"request with a bad checksum", nil, []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x21}, resp(idcard.StatusChecksum), nil},
		{"request with a bad length", nil, []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x01, 0x20}, resp(idcard.StatusLength), nil},
		{"request after line noise", nil, append([]byte{0x13, 0xAA, 0x37}, req(0x11, 0xFF)...), resp(idcard.StatusOK), nil},
		{"set baud 19200", nil, req(0x60, 0x03), resp(idcard.StatusOK), nil},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		a := ask(t, c, s.req, time.Second)
		switch {
		case s.want != nil && !bytes.Equal(a, s.want):
			t.Errorf("%s: answered\n% X\nwant\n% X", s.name, a, s.want)
		case s.check != nil:
			if msg := s.check(a); msg != "" {
				t.Errorf("%s: %s (% X…)", s.name, msg, a[:min(len(a), 16)])
			}
		}
	}
	if b := sim.Baud(); b != 19200 {
		t.Errorf("baud after 60 03 = %d", b)
	}
}

func TestIDCardSimFaults(t *testing.T) {
	sim, c := simPipe(t, 0)
	ok := resp(idcard.StatusOK)

	sim.InjectGarbage(40)
	a := ask(t, c, req(0x11, 0xFF), time.Second)
	if len(a) != 40+len(ok) || !bytes.Equal(a[40:], ok) || !bytes.HasPrefix(a, []byte{0xAA, 0xAA, 0xAA, 0x96}) || bytes.IndexByte(a[:40], 0x69) >= 0 {
		t.Errorf("garbage: % X", a)
	}

	sim.CorruptNext()
	sim.CorruptNext()
	for i := range 2 {
		if a := ask(t, c, req(0x11, 0xFF), time.Second); len(a) != len(ok) || a[len(a)-1] == ok[len(ok)-1] || !bytes.Equal(a[:len(a)-1], ok[:len(ok)-1]) {
			t.Errorf("corrupt %d: % X", i, a)
		}
	}
	if a := ask(t, c, req(0x11, 0xFF), time.Second); !bytes.Equal(a, ok) {
		t.Errorf("after the corrupted answers: % X", a)
	}

	sim.SilenceNext(2)
	for i := range 2 {
		if a := ask(t, c, req(0x11, 0xFF), 100*time.Millisecond); a != nil {
			t.Errorf("silence %d: answered % X", i, a)
		}
	}
	if a := ask(t, c, req(0x11, 0xFF), time.Second); !bytes.Equal(a, ok) {
		t.Errorf("after the silence: % X", a)
	}

	sim.FailNext(idcard.StatusSelfTest)
	sim.FailNext(idcard.StatusUnauthorized)
	for _, st := range []idcard.Status{idcard.StatusSelfTest, idcard.StatusUnauthorized, idcard.StatusOK} {
		if a := ask(t, c, req(0x11, 0xFF), time.Second); !bytes.Equal(a, resp(st)) {
			t.Errorf("FailNext %v: % X", st, a)
		}
	}

	st := sim.Stats()
	if st.Requests != 10 || st.Ignored != 2 || st.BytesIn != 100 || st.BytesOut != 40+8*len(ok) {
		t.Errorf("stats %+v", st)
	}
}

func TestIDCardSimPacesAnswers(t *testing.T) {
	_, c := simPipe(t, 9600)
	start := time.Now()
	a := ask(t, c, req(0x12, 0xFF), time.Second)
	took := time.Since(start)
	// 10 bytes in and 27 out at 9600 baud: 38.5 ms on the wire.
	if wire := 37 * ByteTime(9600); len(a) != 27 || took < wire*9/10 {
		t.Errorf("SAM ID answered in %v; the wire needs %v", took, wire)
	}
}

// TestIDCardSimStopsOnPTY: cancelling Run must interrupt its read of a
// pty master, which creack/pty leaves in blocking mode, and leave the
// master usable.
func TestIDCardSimStopsOnPTY(t *testing.T) {
	p, err := OpenPTY()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer p.Close()
	tty, err := openRaw(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	sim := NewIDCardSim(p.Master, 0)
	for round := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- sim.Run(ctx) }()
		if _, err := tty.Write(req(0x11, 0xFF)); err != nil {
			t.Fatal(err)
		}
		tty.SetReadDeadline(time.Now().Add(2 * time.Second))
		got := make([]byte, 11)
		for n := 0; n < 11; {
			m, err := tty.Read(got[n:])
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			n += m
		}
		if !bytes.Equal(got, resp(idcard.StatusOK)) {
			t.Errorf("round %d: % X", round, got)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Run did not stop")
		}
	}
}

func TestIDCardSimEndsAtEOF(t *testing.T) {
	sim := NewIDCardSim(&eofRW{}, 0)
	if err := sim.Run(context.Background()); err != nil {
		t.Errorf("Run at EOF: %v", err)
	}
	failing := NewIDCardSim(&eofRW{err: errors.New("unplugged")}, 0)
	if err := failing.Run(context.Background()); err == nil {
		t.Error("Run hid a read error")
	}
}

type eofRW struct{ err error }

func (e *eofRW) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
func (e *eofRW) Write(b []byte) (int, error) { return len(b), nil }
