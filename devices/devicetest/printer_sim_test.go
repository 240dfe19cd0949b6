package devicetest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"onestop/devices/escpos"
)

// Byte strings for the parser tables.
const (
	escInit   = "\x1b@"
	center    = "\x1ba\x01"
	right     = "\x1ba\x02"
	boldOn    = "\x1bE\x01"
	boldOff   = "\x1bE\x00"
	dbl       = "\x1d!\x11"
	normal    = "\x1d!\x00"
	fullCut   = "\x1dV\x00"
	paiDui    = "\xc5\xc5\xb6\xd3" // 排队 in GB18030
	qrPayload = "https://a.cn/q"
)

// qrBytes is what escpos sends for qrPayload with modules of 4 at level M.
var qrBytes = "\x1d(k\x04\x001A2\x00" + "\x1d(k\x03\x001C\x04" + "\x1d(k\x03\x001E1" +
	"\x1d(k\x11\x001P0" + qrPayload + "\x1d(k\x03\x001Q0"

func simulate(stream string) *PrinterSim {
	s := NewPrinterSim(PrinterDots58)
	s.Write([]byte(stream))
	return s
}

func TestPrinterSimParses(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []PrinterLine // of the first receipt
		notes  []string      // substrings, one per note expected
	}{
		{"plain line", "AB\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"AB", false, 1, 1}}, Height: 30}}, nil},
		{"GB18030", paiDui + "A\xb0\xa1\x819\xee9\n" + fullCut, // 排队A啊㐀
			[]PrinterLine{{Runs: []PrinterRun{{"排队A啊㐀", false, 1, 1}}, Height: 30}}, nil},
		{"align, bold, size", center + boldOn + "T\n" + boldOff + dbl + "9\n" + normal + right + "r\n" + fullCut,
			[]PrinterLine{
				{Align: PrinterCenter, Runs: []PrinterRun{{"T", true, 1, 1}}, Height: 30},
				{Align: PrinterCenter, Runs: []PrinterRun{{"9", false, 2, 2}}, Height: 48},
				{Align: PrinterRight, Runs: []PrinterRun{{"r", false, 1, 1}}, Height: 30},
			}, nil},
		{"runs in a line", "a" + boldOn + "b" + "\x1d!\x23" + "c\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"a", false, 1, 1}, {"b", true, 1, 1}, {"c", true, 3, 4}}, Height: 96}}, nil},
		{"ESC ! print mode", "\x1b!\x38" + "x\n" + "\x1b!\x00" + "y\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"x", true, 2, 2}}, Height: 48}, {Runs: []PrinterRun{{"y", false, 1, 1}}, Height: 30}}, nil},
		{"align mid-line is ignored", "ab" + center + "c\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"abc", false, 1, 1}}, Height: 30}}, []string{"middle of a line"}},
		{"ESC @ resets", center + boldOn + dbl + "lost" + escInit + "x\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"x", false, 1, 1}}, Height: 30}}, []string{"cleared an unprinted line \"lost\""}},
		{"feeds", "\n" + "\x1bd\x02" + "a\x1bd\x02" + "\x1bJ\x50" + "\x1b3\x40\n" + "\x1b2\n" + fullCut,
			[]PrinterLine{
				{Height: 30}, {Height: 30}, {Height: 30},
				{Runs: []PrinterRun{{"a", false, 1, 1}}, Height: 30}, {Height: 30},
				{Height: 80}, {Height: 64}, {Height: 30},
			}, nil},
		{"QR", center + qrBytes + "\n" + fullCut,
			[]PrinterLine{{Align: PrinterCenter, QR: &PrinterQR{Data: []byte(qrPayload), Module: 4, Level: 'M', Model: 2, Modules: 21}, Height: 84}, {Align: PrinterCenter, Height: 30}}, nil},
		{"QR print flushes the line", "x" + qrBytes + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"x", false, 1, 1}}, Height: 30}, {QR: &PrinterQR{Data: []byte(qrPayload), Module: 4, Level: 'M', Model: 2, Modules: 21}, Height: 84}},
			[]string{"text in the line buffer"}},
		{"QR print without data", "\x1d(k\x03\x001Q0" + fullCut, nil, []string{"no data stored"}},
		{"QR bad module size", "\x1d(k\x03\x001C\x11" + fullCut, nil, []string{"module size 17"}},
		{"too wide a line wraps", strings.Repeat("x", 33) + "\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{strings.Repeat("x", 32), false, 1, 1}}, Height: 30}, {Runs: []PrinterRun{{"x", false, 1, 1}}, Height: 30}},
			[]string{"wider than the paper"}},
		{"tab", "a\tb\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"a       b", false, 1, 1}}, Height: 30}}, nil},
		{"CR ignored", "a\r\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"a", false, 1, 1}}, Height: 30}}, nil},
		{"Chinese mode off: code page 437", "\x1c." + "\x82\n" + "\x1c&" + paiDui + "\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"é", false, 1, 1}}, Height: 30}, {Runs: []PrinterRun{{"排队", false, 1, 1}}, Height: 30}}, nil},
		{"broken GB18030", "\x80" + "\xc5\x0a" + "\xff" + "b\n" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"??", false, 1, 1}}, Height: 30}, {Runs: []PrinterRun{{"?b", false, 1, 1}}, Height: 30}},
			[]string{"not a GB18030 lead byte", "broken GB18030 code", "not a GB18030 lead byte"}},
		{"cut flushes the line", "a" + fullCut,
			[]PrinterLine{{Runs: []PrinterRun{{"a", false, 1, 1}}, Height: 30}}, []string{"cut with text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := simulate(tt.stream)
			rs := s.Receipts()
			if len(rs) != 1 {
				t.Fatalf("%d receipts; notes %q", len(rs), s.Notes())
			}
			if !linesEqual(rs[0].Lines, tt.want) {
				t.Errorf("lines\n%s\nwant\n%s", dumpLines(rs[0].Lines), dumpLines(tt.want))
			}
			checkNotes(t, s.Notes(), tt.notes)
		})
	}
}

func linesEqual(a, b []PrinterLine) bool {
	return dumpLines(a) == dumpLines(b)
}

func dumpLines(ls []PrinterLine) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%v h%d", l.Align, l.Height)
		if q := l.QR; q != nil {
			fmt.Fprintf(&b, " QR %q %c module %d model %d %d modules", q.Data, q.Level, q.Module, q.Model, q.Modules)
		}
		for _, r := range l.Runs {
			fmt.Fprintf(&b, " [%s bold=%v %dx%d]", r.Text, r.Bold, r.Width, r.Height)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func checkNotes(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("notes %q, want %d like %q", got, len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("note %d is %q, want one with %q", i, got[i], want[i])
		}
	}
}

// TestPrinterSimSkipsUnknown feeds sequences the simulator does not
// print, each between two pieces of text: the text on either side must
// come out whole, in one line, and each skipped sequence be noted when
// it is unknown.
func TestPrinterSimSkipsUnknown(t *testing.T) {
	tests := []struct {
		name  string
		seq   string
		notes int
	}{
		{"unknown ESC", "\x1b\xf0", 1},
		{"unknown GS", "\x1d\x99", 1},
		{"unknown FS", "\x1c\x77", 1},
		{"stray ESC before a command", "\x1b" + "\x1bE\x00", 1},
		{"stray DLE", "\x10" + "\x1bE\x00", 1},
		{"unknown control byte", "\x07", 1},
		{"known ESC with parameter", "\x1bt\x0f" + "\x1bM\x01" + "\x1b-\x01" + "\x1bp\x00\x19\xfa", 0},
		{"DLE EOT with a bad n", "\x10\x04\x09", 1},
		{"DLE DC4 pulse", "\x10\x14\x01\x00\x05", 0},
		{"GS ( x framed, not simulated", "\x1d(Z\x04\x00\x01\x0a\x1b\x40", 1},
		{"GS ( k not QR (PDF417)", "\x1d(k\x04\x000A\x00\x00", 1},
		{"GS ( k QR size info", "\x1d(k\x03\x001R0", 1},
		{"ESC ( framed", "\x1b(A\x04\x00\x30\x37\x03\x0f", 1},
		{"ESC * bit image", "\x1b*\x21\x02\x00" + strings.Repeat("\x0a\x1b", 3), 1},
		{"GS v 0 raster", "\x1dv0\x00\x02\x00\x02\x00" + "\x1b\x40\x0a\x1d", 1},
		{"GS k barcode NUL-terminated", "\x1dk\x04ABC\x00", 1},
		{"GS k barcode with length", "\x1dkI\x04{B12", 1},
		{"GS 8 L graphics", "\x1d8L\x03\x00\x00\x000p4", 1},
		{"ESC D tabs", "\x1bD\x08\x10\x00", 0},
		{"ESC & user characters", "\x1b&\x03\x41\x42" + "\x02" + "\x0a\x1b\x40\x0a\x1b\x40" + "\x01" + "\x0a\x0a\x0a", 0},
		{"FS q NV image", "\x1cq\x01\x01\x00\x01\x00" + strings.Repeat("\x0a", 8), 0},
		{"GS V bad mode", "\x1dV\x07", 2}, // GS V skipped, then 07 an unknown control byte
		{"GS ! out of range", "\x1d!\x88", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := simulate("before" + tt.seq + "after\n" + fullCut)
			rs := s.Receipts()
			if len(rs) != 1 || len(rs[0].Lines) != 1 || rs[0].Lines[0].Text() != "beforeafter" {
				t.Fatalf("printed:\n%s\nnotes %q", dumpReceipts(rs), s.Notes())
			}
			if n := len(s.Notes()); n != tt.notes {
				t.Fatalf("notes %q, want %d", s.Notes(), tt.notes)
			}
		})
	}
}

// TestPrinterSimByteByByte: a stream cut anywhere (as reads from a line
// cut it) parses as the whole.
func TestPrinterSimByteByByte(t *testing.T) {
	stream := escInit + "\x1c&" + center + boldOn + dbl + paiDui + "\n" + normal + boldOff + qrBytes +
		"\x1b\xf0" + "\x1d(Z\x02\x00\x0a\x0a" + "\x10\x04\x04" + "A\x819\xee9\n" + "\x1dVA\x10"
	whole := simulate(stream)
	split := NewPrinterSim(PrinterDots58)
	for i := range len(stream) {
		split.Write([]byte{stream[i]})
	}
	if a, b := dumpReceipts(whole.Receipts()), dumpReceipts(split.Receipts()); a != b || a == "" {
		t.Fatalf("whole:\n%s\nbyte by byte:\n%s", a, b)
	}
	if a, b := strings.Join(whole.Notes(), "|"), strings.Join(split.Notes(), "|"); a != b {
		t.Fatalf("notes differ: %q vs %q", a, b)
	}
	buf := make([]byte, 4)
	if n, _ := split.Read(buf); n != 1 || buf[0] != 0x12 {
		t.Fatalf("status answer % X", buf[:n])
	}
	if r := whole.Receipts()[0]; r.Cut != PrinterFullCut || r.CutFeed != 16 {
		t.Fatalf("cut %v feed %d", r.Cut, r.CutFeed)
	}
}

func dumpReceipts(rs []PrinterReceipt) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(dumpLines(r.Lines) + r.Cut.String() + "\n")
	}
	return b.String()
}

func TestPrinterSimCuts(t *testing.T) {
	s := simulate("a\n" + fullCut + "b\n" + "\x1dV\x01" + "c\n" + "\x1dVB\x05" + "d\n")
	rs := s.Receipts()
	if len(rs) != 3 {
		t.Fatalf("%d receipts", len(rs))
	}
	for i, want := range []struct {
		text string
		cut  PrinterCut
		feed int
	}{{"a", PrinterFullCut, 0}, {"b", PrinterPartialCut, 0}, {"c", PrinterPartialCut, 5}} {
		if rs[i].Lines[0].Text() != want.text || rs[i].Cut != want.cut || rs[i].CutFeed != want.feed || rs[i].Width != PrinterDots58 {
			t.Errorf("receipt %d: %+v", i, rs[i])
		}
	}
	if p := s.Pending(); len(p.Lines) != 1 || p.Lines[0].Text() != "d" || p.Cut != PrinterNoCut {
		t.Errorf("pending %+v", p)
	}
}

func TestPrinterSimStatus(t *testing.T) {
	tests := []struct {
		name  string
		state PrinterState
		want  [4]byte
	}{
		{"ready", PrinterState{}, [4]byte{0x12, 0x12, 0x12, 0x12}},
		{"near end", PrinterState{PaperNearEnd: true}, [4]byte{0x12, 0x12, 0x12, 0x1E}},
		{"paper out", PrinterState{PaperOut: true}, [4]byte{0x1A, 0x32, 0x12, 0x72}},
		{"cover open", PrinterState{CoverOpen: true}, [4]byte{0x1A, 0x16, 0x12, 0x12}},
		{"offline", PrinterState{Offline: true}, [4]byte{0x1A, 0x12, 0x12, 0x12}},
		{"cutter", PrinterState{CutterError: true}, [4]byte{0x1A, 0x52, 0x1A, 0x12}},
		{"unrecoverable", PrinterState{Unrecoverable: true}, [4]byte{0x1A, 0x52, 0x32, 0x12}},
		{"head hot", PrinterState{AutoRecoverable: true}, [4]byte{0x1A, 0x52, 0x52, 0x12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewPrinterSim(PrinterDots80)
			s.SetState(tt.state)
			s.Write([]byte("\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"))
			var got [4]byte
			if n, err := s.Read(got[:]); n != 4 || err != nil {
				t.Fatalf("read %d, %v", n, err)
			}
			if got != tt.want {
				t.Fatalf("answers % X, want % X", got, tt.want)
			}
			if _, err := s.Read(got[:]); !IsTimeout(err) {
				t.Fatalf("extra answers: %v", err)
			}
		})
	}
	s := NewPrinterSim(PrinterDots80)
	s.SetState(PrinterState{Silent: true})
	s.Write([]byte("\x10\x04\x01"))
	if _, err := s.Read(make([]byte, 1)); !IsTimeout(err) {
		t.Fatal("a silent printer answered")
	}
}

func TestPrinterSimDiscardsWhileItCannotPrint(t *testing.T) {
	s := NewPrinterSim(PrinterDots58)
	s.SetState(PrinterState{PaperOut: true})
	job := escInit + "\x1c&" + boldOn + "lost\n" + qrBytes + fullCut
	s.Write([]byte(job + "\x10\x04\x04"))
	if len(s.Receipts()) != 0 || len(s.Pending().Lines) != 0 {
		t.Fatalf("printed without paper: %+v %+v", s.Receipts(), s.Pending())
	}
	if s.Discarded() != len(job) {
		t.Fatalf("discarded %d bytes, want %d", s.Discarded(), len(job))
	}
	if b := make([]byte, 1); func() bool { n, _ := s.Read(b); return n != 1 || b[0] != 0x72 }() {
		t.Fatal("no paper-out answer")
	}
	checkNotes(t, s.Notes(), []string{"paper out"})
	// Paper loaded: modes set while out were followed (bold is on).
	s.SetState(PrinterState{})
	s.Write([]byte("ok\n" + fullCut))
	rs := s.Receipts()
	if len(rs) != 1 || rs[0].Lines[0].Runs[0] != (PrinterRun{"ok", true, 1, 1}) {
		t.Fatalf("after reloading: %+v", rs)
	}
}

// openTTY opens the driver's end of a PTY as a test opens a port.
func openTTY(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// servePTY starts sim on a new PTY and returns the path of the driver's
// end.
func servePTY(t *testing.T, sim *PrinterSim) string {
	t.Helper()
	p, err := OpenPTY()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- sim.Serve(p.Master) }()
	t.Cleanup(func() {
		p.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return p.Path
}

// TestPrinterSimOverPTY prints a slip with the escpos driver through a
// real pseudo-terminal at 115200 baud, renders it, and reads its QR code
// back as a phone would.
func TestPrinterSimOverPTY(t *testing.T) {
	sim := NewPrinterSim(PrinterDots80)
	sim.Baud = 115200
	tty := openTTY(t, servePTY(t, sim))
	p, err := escpos.New(tty, &escpos.Opts{PaperWidth: 80, StatusTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := p.PrintSlip(sampleSlip); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := sim.WaitReceipts(2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n := sim.Notes(); len(n) > 0 {
		t.Fatalf("notes: %q", n)
	}
	if rs[0].Text() != rs[1].Text() || !strings.Contains(rs[0].Text(), "贵阳市观山湖区政务服务中心") {
		t.Fatalf("receipts:\n%s\n%s", rs[0].Text(), rs[1].Text())
	}
	img, err := rs[1].Image()
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, img); got != sampleSlip.URL {
		t.Fatalf("QR reads %q, want %q", got, sampleSlip.URL)
	}
	top := lineTop(rs[1], 0)
	if rows, _ := rowsWithInk(img, top, top+48, 4); rows < 30 {
		t.Fatalf("hall name drawn on %d rows", rows)
	}
}

func TestPrinterSimOverPTYPaperOut(t *testing.T) {
	sim := NewPrinterSim(PrinterDots58)
	sim.SetState(PrinterState{PaperOut: true})
	tty := openTTY(t, servePTY(t, sim))
	p, err := escpos.New(tty, &escpos.Opts{PaperWidth: 58, StatusTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.PrintSlip(sampleSlip)
	if !errors.Is(err, escpos.ErrPaperOut) {
		t.Fatalf("err = %v, want ErrPaperOut", err)
	}
	// The driver sent only its status queries, all answered: nothing
	// reached the paper, nothing had to be discarded.
	if len(sim.Receipts()) != 0 || len(sim.Pending().Lines) != 0 || sim.Discarded() != 0 {
		t.Fatalf("printed %d, pending %d, discarded %d", len(sim.Receipts()), len(sim.Pending().Lines), sim.Discarded())
	}
}

func TestPrinterSimOverPTYSilent(t *testing.T) {
	sim := NewPrinterSim(PrinterDots80)
	sim.SetState(PrinterState{Silent: true})
	tty := openTTY(t, servePTY(t, sim))
	p, err := escpos.New(tty, &escpos.Opts{PaperWidth: 80, StatusTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = p.PrintSlip(sampleSlip)
	if !errors.Is(err, escpos.ErrNoResponse) || !IsTimeout(err) {
		t.Fatalf("err = %v, want ErrNoResponse", err)
	}
	if took := time.Since(start); took < 50*time.Millisecond || took > 2*time.Second {
		t.Fatalf("took %v", took)
	}
}

func TestPrinterSimAnswersAtLineSpeed(t *testing.T) {
	sim := NewPrinterSim(PrinterDots80)
	sim.Baud = 1200 // 8.3 ms a byte
	tty := openTTY(t, servePTY(t, sim))
	start := time.Now()
	tty.Write(bytes.Repeat([]byte{0x10, 0x04, 0x01}, 12))
	tty.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := 0
	buf := make([]byte, 16)
	for got < 12 {
		n, err := tty.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	if took := time.Since(start); took < 90*time.Millisecond {
		t.Fatalf("12 answers at 1200 baud in %v; the line needs 100 ms", took)
	}
}
