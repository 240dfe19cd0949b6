package escpos_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/escpos"
)

// statusOps is the script of the four status queries answered with b1…b4.
func statusOps(b1, b2, b3, b4 byte) []devicetest.Exchange {
	return []devicetest.Exchange{
		{Write: []byte{0x10, 0x04, 1}, Read: []byte{b1}},
		{Write: []byte{0x10, 0x04, 2}, Read: []byte{b2}},
		{Write: []byte{0x10, 0x04, 3}, Read: []byte{b3}},
		{Write: []byte{0x10, 0x04, 4}, Read: []byte{b4}},
	}
}

func newPrinter(t *testing.T, rw io.ReadWriter, mm int) *escpos.Printer {
	t.Helper()
	p, err := escpos.New(rw, &escpos.Opts{PaperWidth: mm, StatusTimeout: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		opts       *escpos.Opts
		dots, cols int
		err        string
	}{
		{nil, 576, 48, ""},
		{&escpos.Opts{PaperWidth: 58}, 384, 32, ""},
		{&escpos.Opts{PaperWidth: 80}, 576, 48, ""},
		{&escpos.Opts{PaperWidth: 76}, 0, 0, "paper width 76"},
		{&escpos.Opts{PaperWidth: 80, Replacement: '\x1b'}, 0, 0, "replacement"},
	} {
		p, err := escpos.New(&devicetest.Playback{}, tt.opts)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("New(%+v) error %v, want %q", tt.opts, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Dots() != tt.dots || p.Columns() != tt.cols {
			t.Errorf("New(%+v): %d dots, %d columns", tt.opts, p.Dots(), p.Columns())
		}
	}
}

func TestStatusQueries(t *testing.T) {
	pb := &devicetest.Playback{Ops: statusOps(0x1A, 0x32, 0x12, 0x72)}
	st, err := newPrinter(t, pb, 80).Status()
	if err != nil {
		t.Fatal(err)
	}
	if !st.Offline || !st.PaperEndStop || !st.PaperOut || st.CoverOpen || st.Raw != [4]byte{0x1A, 0x32, 0x12, 0x72} {
		t.Fatalf("status %+v", st)
	}
	if st.Err() != escpos.ErrPaperOut {
		t.Fatalf("Err() = %v", st.Err())
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStatusSilentPrinter(t *testing.T) {
	pb := &devicetest.Playback{Ops: []devicetest.Exchange{{Write: []byte{0x10, 0x04, 1}}}}
	p := newPrinter(t, pb, 80)
	start := time.Now()
	_, err := p.Status()
	took := time.Since(start)
	if !errors.Is(err, escpos.ErrNoResponse) || !devicetest.IsTimeout(err) {
		t.Fatalf("err = %v, want ErrNoResponse that is a timeout", err)
	}
	var prob *escpos.Problem
	if !errors.As(err, &prob) || prob.Zh == "" {
		t.Fatalf("no Problem in %v", err)
	}
	if took < 30*time.Millisecond || took > time.Second {
		t.Fatalf("gave up after %v; the timeout is 30ms", took)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

// eofPort reads as tarm/serial does on Linux when its read timeout
// expires: (0, io.EOF), after a short wait.
type eofPort struct{ wrote bytes.Buffer }

func (e *eofPort) Write(b []byte) (int, error) { return e.wrote.Write(b) }
func (e *eofPort) Read([]byte) (int, error) {
	time.Sleep(5 * time.Millisecond)
	return 0, io.EOF
}

func TestStatusEOFIsNoByteYet(t *testing.T) {
	port := &eofPort{}
	_, err := newPrinter(t, port, 58).Query(4)
	if !errors.Is(err, escpos.ErrNoResponse) {
		t.Fatalf("err = %v, want ErrNoResponse", err)
	}
	if !bytes.Equal(port.wrote.Bytes(), []byte{0x10, 0x04, 0x04}) {
		t.Fatalf("wrote % X", port.wrote.Bytes())
	}
}

// brokenPort fails its reads.
type brokenPort struct{ io.Writer }

func (brokenPort) Read([]byte) (int, error) { return 0, errors.New("port unplugged") }

func TestStatusReadError(t *testing.T) {
	_, err := newPrinter(t, brokenPort{io.Discard}, 58).Query(1)
	if err == nil || errors.Is(err, escpos.ErrNoResponse) || !strings.Contains(err.Error(), "port unplugged") {
		t.Fatalf("err = %v, want the read error", err)
	}
}

func TestStatusBadAnswer(t *testing.T) {
	pb := &devicetest.Playback{Ops: []devicetest.Exchange{{Write: []byte{0x10, 0x04, 1}, Read: []byte{0x41}}}}
	_, err := newPrinter(t, pb, 80).Status()
	if !errors.Is(err, escpos.ErrBadStatus) || !strings.Contains(err.Error(), "0x41") {
		t.Fatalf("err = %v, want ErrBadStatus", err)
	}
}

// latePort is a printer that answers each query only when told to.
type latePort struct {
	mu      sync.Mutex
	pending []byte
	queries int
}

func (l *latePort) Write(b []byte) (int, error) {
	l.mu.Lock()
	l.queries++
	l.mu.Unlock()
	return len(b), nil
}
func (l *latePort) Read(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		return 0, devicetest.ErrReadTimeout
	}
	n := copy(b, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}
func (l *latePort) answer(b byte) { l.mu.Lock(); l.pending = append(l.pending, b); l.mu.Unlock() }

func TestStatusLateAnswerIsNotTakenForTheNext(t *testing.T) {
	port := &latePort{}
	p := newPrinter(t, port, 80)
	if _, err := p.Query(4); !errors.Is(err, escpos.ErrNoResponse) {
		t.Fatalf("first query: %v", err)
	}
	port.answer(0x72) // the paper-out answer arrives too late
	// The next query must discard it, then take its own answer.
	done := make(chan struct{})
	var b byte
	var err error
	go func() {
		defer close(done)
		b, err = p.Query(1)
	}()
	for {
		port.mu.Lock()
		q := port.queries
		port.mu.Unlock()
		if q == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	port.answer(0x12)
	<-done
	if err != nil || b != 0x12 {
		t.Fatalf("second query = %#02x, %v; want 0x12", b, err)
	}
}

// failWriter fails or shortens writes.
type failWriter struct {
	n   int
	err error
}

func (f failWriter) Write(b []byte) (int, error) { return min(f.n, len(b)), f.err }
func (failWriter) Read([]byte) (int, error)      { return 0, devicetest.ErrReadTimeout }

func TestWriteErrors(t *testing.T) {
	_, err := newPrinter(t, failWriter{0, errors.New("EIO")}, 80).Query(1)
	if err == nil || !strings.Contains(err.Error(), "EIO") || !strings.HasPrefix(err.Error(), "escpos: ") {
		t.Fatalf("err = %v", err)
	}
	_, err = newPrinter(t, failWriter{1, nil}, 80).Query(1)
	if !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("err = %v, want a short write", err)
	}
}

func TestPrintRefusesWhenThePrinterCannotPrint(t *testing.T) {
	tests := []struct {
		name           string
		b1, b2, b3, b4 byte
		want           error
	}{
		{"paper out", 0x1A, 0x32, 0x12, 0x72, escpos.ErrPaperOut},
		{"cover open", 0x1A, 0x16, 0x12, 0x12, escpos.ErrCoverOpen},
		{"cutter jam", 0x1A, 0x52, 0x1A, 0x12, escpos.ErrCutter},
		{"head hot", 0x1A, 0x52, 0x52, 0x12, escpos.ErrHeadHot},
		{"offline", 0x1A, 0x12, 0x12, 0x12, escpos.ErrOffline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The script has the status queries only: a write of the
			// slip would fail it.
			pb := &devicetest.Playback{Ops: statusOps(tt.b1, tt.b2, tt.b3, tt.b4)}
			st, err := newPrinter(t, pb, 80).PrintSlip(slip)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if st.Err() != tt.want {
				t.Fatalf("returned status %v", st)
			}
			if err := pb.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPrintSendsOneWrite(t *testing.T) {
	j := new(escpos.Job).Init().Line("排队").FeedCut(escpos.FullCut, 0)
	pb := &devicetest.Playback{Ops: append(statusOps(0x12, 0x12, 0x12, 0x1E), devicetest.Exchange{Write: j.Bytes()})}
	st, err := newPrinter(t, pb, 58).Print(j)
	if err != nil {
		t.Fatal(err)
	}
	if st.Warning() != escpos.ErrPaperNearEnd {
		t.Fatalf("status %v: the near-end warning is lost", st)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPrintRefusesABrokenJob(t *testing.T) {
	pb := &devicetest.Playback{}
	j := new(escpos.Job).Text("😀")
	if _, err := newPrinter(t, pb, 58).Print(j); !errors.Is(err, escpos.ErrUnprintable) {
		t.Fatalf("err = %v", err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

// noisyLine answers every read with a garbage byte, forever: noise on
// the cable, a wrong baud rate, or a printer that sends status by itself.
type noisyLine struct{}

func (noisyLine) Read(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	p[0] = 0x55
	return 1, nil
}

func (noisyLine) Write(p []byte) (int, error) { return len(p), nil }

// TestNoisyLineDoesNotHang: the driver reports a line that never goes
// quiet instead of waiting on it forever.
func TestNoisyLineDoesNotHang(t *testing.T) {
	opts := escpos.DefaultOpts
	opts.StatusTimeout = 40 * time.Millisecond
	p, err := escpos.New(noisyLine{}, &opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err1 := p.Status()
		_, err2 := p.Status()
		done <- errors.Join(err1, err2)
	}()
	select {
	case err := <-done:
		if !errors.Is(err, escpos.ErrBadStatus) {
			t.Fatalf("status on a noisy line: %v, want ErrBadStatus", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Status hung on a line that never goes quiet")
	}
}
