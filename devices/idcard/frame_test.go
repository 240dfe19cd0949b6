package idcard_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"onestop/devices/idcard"
)

// hexFrame is a frame written out as in the protocol document.
func pre(b ...byte) []byte { return append([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}, b...) }

// xorFromLen recomputes a frame's CHK the long way, independently of
// idcard.Checksum: XOR of bytes 5 .. len-2.
func xorFromLen(f []byte) byte {
	var x byte
	for i := 5; i <= len(f)-2; i++ {
		x ^= f[i]
	}
	return x
}

// TestDocumentFrames checks every frame listed in IDCARD-SAMV.md,
// byte for byte, and the checksums in them.
func TestDocumentFrames(t *testing.T) {
	tests := []struct {
		name      string
		cmd, para byte
		data      []byte
		want      []byte
	}{
		{"reset SAM", 0x10, 0xFF, nil, pre(0x00, 0x03, 0x10, 0xFF, 0xEC)},
		{"SAM status", 0x11, 0xFF, nil, pre(0x00, 0x03, 0x11, 0xFF, 0xED)},
		{"SAM ID", 0x12, 0xFF, nil, pre(0x00, 0x03, 0x12, 0xFF, 0xEE)},
		{"find card", 0x20, 0x01, nil, pre(0x00, 0x03, 0x20, 0x01, 0x22)},
		{"select card", 0x20, 0x02, nil, pre(0x00, 0x03, 0x20, 0x02, 0x21)},
		{"read text+photo", 0x30, 0x01, nil, pre(0x00, 0x03, 0x30, 0x01, 0x32)},
		{"read additional address", 0x30, 0x03, nil, pre(0x00, 0x03, 0x30, 0x03, 0x30)},
		{"read management number", 0x30, 0x05, nil, pre(0x00, 0x03, 0x30, 0x05, 0x36)},
		{"read with fingerprint", 0x30, 0x10, nil, pre(0x00, 0x03, 0x30, 0x10, 0x23)},
		{"set SAM baud 57600", 0x60, 0x01, nil, pre(0x00, 0x03, 0x60, 0x01, 0x62)},
		{"set max RF frame", 0x61, 0xFF, []byte{0x50}, pre(0x00, 0x04, 0x61, 0xFF, 0x50, 0xCA)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := xorFromLen(tt.want); c != tt.want[len(tt.want)-1] {
				t.Fatalf("the table's own CHK is wrong: 0x%02X, computed 0x%02X", tt.want[len(tt.want)-1], c)
			}
			if got := idcard.EncodeRequest(tt.cmd, tt.para, tt.data); !bytes.Equal(got, tt.want) {
				t.Errorf("EncodeRequest = % X\nwant            % X", got, tt.want)
			}
		})
	}
	// The wrong sample the document warns of: find card with CHK 0x21.
	if _, _, err := idcard.ScanFrame(pre(0x00, 0x03, 0x20, 0x01, 0x21)); !errors.Is(err, idcard.ErrChecksum) {
		t.Errorf("find card with CHK 0x21 scanned as %v, want a checksum error", err)
	}
}

func TestDocumentResponses(t *testing.T) {
	tests := []struct {
		name string
		st   idcard.Status
		data []byte
		want []byte
	}{
		{"SAM OK", idcard.StatusOK, nil, pre(0x00, 0x04, 0x00, 0x00, 0x90, 0x94)},
		{"find card OK", idcard.StatusFound, []byte{0, 0, 0, 0}, pre(0x00, 0x08, 0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00, 0x97)},
		{"no card", idcard.StatusNoCard, nil, pre(0x00, 0x04, 0x00, 0x00, 0x80, 0x84)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := xorFromLen(tt.want); c != tt.want[len(tt.want)-1] {
				t.Fatalf("the table's own CHK is wrong")
			}
			if got := idcard.EncodeResponse(tt.st, tt.data); !bytes.Equal(got, tt.want) {
				t.Errorf("EncodeResponse = % X\nwant             % X", got, tt.want)
			}
			body, n, err := idcard.ScanFrame(tt.want)
			if err != nil || n != len(tt.want) || body[2] != byte(tt.st) || !bytes.Equal(body[3:], tt.data) {
				t.Errorf("ScanFrame = % X, %d, %v", body, n, err)
			}
		})
	}
	// The lengths the document gives for the big answers.
	for _, c := range []struct {
		data, wantLen, wantFrame int
	}{{16, 0x14, 27}, {8, 0x0C, 19}, {4 + 256 + 1024, 0x0508, 1295}, {6 + 256 + 1024 + 1024, 0x090A, 2321}} {
		f := idcard.EncodeResponse(idcard.StatusOK, make([]byte, c.data))
		if l := int(f[5])<<8 | int(f[6]); l != c.wantLen || len(f) != c.wantFrame {
			t.Errorf("answer with %d data bytes: LEN 0x%04X, frame %d; want 0x%04X, %d", c.data, l, len(f), c.wantLen, c.wantFrame)
		}
	}
}

func TestScanFrame(t *testing.T) {
	if idcard.MaxLen != 0x0A00 {
		t.Fatalf("MaxLen = 0x%04X; the table below assumes 0x0A00", idcard.MaxLen)
	}
	ok := idcard.EncodeResponse(idcard.StatusOK, []byte{1, 2, 3})
	okBody := ok[7 : len(ok)-1]
	bad := bytes.Clone(ok)
	bad[len(bad)-1] ^= 0x55
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name     string
		in       []byte
		wantBody []byte
		wantN    int
		wantErr  error
	}{
		{"exact frame", ok, okBody, len(ok), nil},
		{"garbage before the preamble", cat([]byte{0x00, 0x13, 0x37, 0xFF}, ok), okBody, 4 + len(ok), nil},
		{"partial preamble inside garbage", cat([]byte{0xAA, 0xAA, 0x96, 0x00, 0xAA, 0xAA, 0xAA, 0x96}, ok), okBody, 8 + len(ok), nil},
		{"preamble bytes doubled", cat([]byte{0xAA, 0xAA}, ok), okBody, 2 + len(ok), nil},
		{"frame followed by more", cat(ok, []byte{0xAA, 0xAA}), okBody, len(ok), nil},
		{"empty", nil, nil, 0, idcard.ErrIncomplete},
		{"garbage only", []byte{1, 2, 3, 4, 5, 6}, nil, 6, idcard.ErrIncomplete},
		{"garbage then a partial preamble", []byte{1, 2, 0xAA, 0xAA, 0xAA}, nil, 2, idcard.ErrIncomplete},
		{"garbage then AA AA AA 96", []byte{1, 0xAA, 0xAA, 0xAA, 0x96}, nil, 1, idcard.ErrIncomplete},
		{"header cut", cat([]byte{9}, ok[:6]), nil, 1, idcard.ErrIncomplete},
		{"body cut", cat([]byte{9, 9}, ok[:len(ok)-1]), nil, 2, idcard.ErrIncomplete},
		{"bad checksum", cat([]byte{7}, bad), nil, 1 + len(bad), idcard.ErrChecksum},
		{"LEN too small", pre(0x00, 0x02, 0x00, 0x02), nil, 1, idcard.ErrLength},
		{"LEN zero", cat([]byte{5}, pre(0x00, 0x00)), nil, 2, idcard.ErrLength},
		{"LEN too large", pre(0xFF, 0xFF, 0x00), nil, 1, idcard.ErrLength},
		{"LEN just over the bound", pre(0x0A, 0x01), nil, 1, idcard.ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, n, err := idcard.ScanFrame(tt.in)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if n != tt.wantN || !bytes.Equal(body, tt.wantBody) {
				t.Errorf("ScanFrame = % X, n %d; want % X, n %d", body, n, tt.wantBody, tt.wantN)
			}
			var fe *idcard.FrameError
			if (errors.Is(err, idcard.ErrChecksum) || errors.Is(err, idcard.ErrLength)) && !errors.As(err, &fe) {
				t.Errorf("%v is not a *FrameError", err)
			}
		})
	}
}

// readStep is one Read of a chunkPort: data, or an error.
type readStep struct {
	data  []byte
	err   error
	delay time.Duration
}

// chunkPort is a hand-written fake port: each Write is recorded, and
// Reads play steps in order; past them, Read reports a timeout at once,
// or end if set.
type chunkPort struct {
	mu      sync.Mutex
	steps   []readStep
	end     error
	written [][]byte
}

func (p *chunkPort) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.written = append(p.written, bytes.Clone(b))
	return len(b), nil
}

func (p *chunkPort) Read(b []byte) (int, error) {
	p.mu.Lock()
	if len(p.steps) == 0 {
		p.mu.Unlock()
		if p.end != nil {
			return 0, p.end
		}
		return 0, timeoutErr{}
	}
	s := p.steps[0]
	n := copy(b, s.data)
	if n < len(s.data) {
		p.steps[0].data = s.data[n:]
	} else {
		p.steps = p.steps[1:]
	}
	p.mu.Unlock()
	time.Sleep(s.delay)
	return n, s.err
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "read timeout" }
func (timeoutErr) Timeout() bool { return true }

// bytewise splits b into one-byte reads.
func bytewise(b []byte) []readStep {
	s := make([]readStep, len(b))
	for i := range b {
		s[i] = readStep{data: b[i : i+1]}
	}
	return s
}

// TestDecoder runs one SAM status command against ports that deliver
// the answer in every troublesome way.
func TestDecoder(t *testing.T) {
	ok := idcard.EncodeResponse(idcard.StatusOK, nil)
	bad := bytes.Clone(ok)
	bad[len(bad)-1] ^= 1
	garbage := []byte{0x00, 0xFF, 0xAA, 0x13, 0xAA, 0xAA, 0xAA, 0x96, 0x42}
	falseHeader := pre(0x7F, 0xFF) // LEN out of bounds
	eioErr := errors.New("input/output error")
	tests := []struct {
		name    string
		steps   []readStep
		wantErr error // nil: SAM status succeeds
	}{
		{"whole frame", []readStep{{data: ok}}, nil},
		{"garbage before the preamble", []readStep{{data: append(bytes.Clone(garbage), ok...)}}, nil},
		{"garbage in its own reads", []readStep{{data: garbage[:3]}, {data: garbage[3:]}, {data: ok}}, nil},
		{"a partial preamble split across reads", []readStep{{data: []byte{0xAA, 0xAA}}, {data: []byte{0xAA, 0x96}}, {data: ok}}, nil},
		{"one byte at a time", bytewise(append(bytes.Clone(garbage), ok...)), nil},
		{"timeout, then data", []readStep{{err: timeoutErr{}}, {err: timeoutErr{}}, {data: ok}}, nil},
		{"(0, io.EOF) as tarm/serial times out, then data", []readStep{{err: io.EOF}, {err: io.EOF}, {data: ok[:4]}, {err: io.EOF}, {data: ok[4:]}}, nil},
		{"(0, nil) as on Windows, then data", []readStep{{}, {}, {data: ok}}, nil},
		{"data with io.EOF", []readStep{{data: ok, err: io.EOF}}, nil},
		{"a slow line", []readStep{{data: ok[:5], delay: 5 * time.Millisecond}, {data: ok[5:], delay: 5 * time.Millisecond}}, nil},
		{"bad LEN, then a good frame", []readStep{{data: append(bytes.Clone(falseHeader), ok...)}}, nil},
		{"bad checksum", []readStep{{data: bad}}, idcard.ErrChecksum},
		{"bad LEN and nothing after", []readStep{{data: falseHeader}}, idcard.ErrLength},
		{"silence", nil, idcard.ErrTimeout},
		{"only garbage", []readStep{{data: garbage}}, idcard.ErrTimeout},
		{"frame cut short", []readStep{{data: ok[:8]}}, idcard.ErrTimeout},
		{"port error", []readStep{{err: eioErr}}, eioErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := &chunkPort{steps: tt.steps}
			r := idcard.New(port, &idcard.Opts{HeaderTimeout: 60 * time.Millisecond, TotalTimeout: 120 * time.Millisecond, Attempts: 1})
			err := r.SAMStatus(context.Background())
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("SAMStatus: %v", err)
				}
			} else if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SAMStatus = %v, want %v", err, tt.wantErr)
			}
			if len(port.written) != 1 || !bytes.Equal(port.written[0], pre(0x00, 0x03, 0x11, 0xFF, 0xED)) {
				t.Errorf("wrote % X", port.written)
			}
		})
	}
}

func TestTimeoutErrorDetails(t *testing.T) {
	ok := idcard.EncodeResponse(idcard.StatusOK, make([]byte, 16))
	for _, tt := range []struct {
		name             string
		steps            []readStep
		header           bool
		wantGot, wantLen int
	}{
		{"no header", []readStep{{data: ok[:6]}}, true, 0, 0},
		{"body missing", []readStep{{data: ok[:10]}}, false, 10, len(ok)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := idcard.New(&chunkPort{steps: tt.steps}, &idcard.Opts{HeaderTimeout: 30 * time.Millisecond, TotalTimeout: 60 * time.Millisecond, Attempts: 1})
			_, err := r.SAMID(context.Background())
			var te *idcard.TimeoutError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TimeoutError", err)
			}
			if te.Header != tt.header || te.Got != tt.wantGot || te.Want != tt.wantLen || !te.Timeout() {
				t.Errorf("TimeoutError = %+v", te)
			}
			want := 30 * time.Millisecond
			if !tt.header {
				want = 60 * time.Millisecond
			}
			if te.Waited < want {
				t.Errorf("gave up after %v, before the %v timeout", te.Waited, want)
			}
		})
	}
}

func TestContextCancelsWait(t *testing.T) {
	r := idcard.New(&chunkPort{}, nil) // default timeouts: 2 s, 5 s
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := r.SAMStatus(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to notice the context", d)
	}
}
