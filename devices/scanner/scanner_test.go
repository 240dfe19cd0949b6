package scanner

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"onestop/devices/devicetest"
)

// step is one Read's result in a script.
type step struct {
	data string
	err  error
}

var errEnd = errors.New("end of script")

// scriptReader plays Read results in order, splitting data that does not
// fit the caller's buffer, then fails with errEnd.
type scriptReader struct {
	steps []step
}

func (r *scriptReader) Read(b []byte) (int, error) {
	if len(r.steps) == 0 {
		return 0, errEnd
	}
	s := &r.steps[0]
	n := copy(b, s.data)
	s.data = s.data[n:]
	if s.data != "" {
		return n, nil
	}
	err := s.err
	r.steps = r.steps[1:]
	return n, err
}

// bytewise splits each step's data into one-byte reads.
func bytewise(steps []step) []step {
	var out []step
	for _, s := range steps {
		for i := range len(s.data) {
			out = append(out, step{data: s.data[i : i+1]})
		}
		if s.err != nil {
			out = append(out, step{err: s.err})
		}
	}
	return out
}

// got is a Scan as the tests compare it: the text, or "ERR:" and its start.
func got(s Scan) string {
	if s.Err != nil {
		return "ERR:" + s.Text
	}
	return s.Text
}

func TestLines(t *testing.T) {
	timeout := devicetest.ErrReadTimeout
	tests := []struct {
		name  string
		opts  *Opts
		steps []step
		want  []string
	}{
		{"CR", nil, []step{{data: "A123\rB456\r"}}, []string{"A123", "B456"}},
		{"CRLF with the CR default", nil, []step{{data: "A\r\nB\r\n"}}, []string{"A", "B"}},
		{"CRLF split between reads", nil, []step{{data: "A\r"}, {data: "\nB\r"}, {data: "\n"}}, []string{"A", "B"}},
		{"LF terminator drops a CR before it", &Opts{Terminator: "\n"}, []step{{data: "A\r\nB\nC\r\n"}}, []string{"A", "B", "C"}},
		{"LF terminator keeps CR inside", &Opts{Terminator: "\n"}, []step{{data: "A\rB\n"}}, []string{"A\rB"}},
		{"CRLF terminator", &Opts{Terminator: "\r\n"}, []step{{data: "A\r\nB\rC\r\n"}}, []string{"A", "B\rC"}},
		{"tab terminator", &Opts{Terminator: "\t"}, []step{{data: "A\tB\r\n\t"}}, []string{"A", "B\r\n"}},
		{"multi-line QR content with CR", nil, []step{{data: "BEGIN:VCARD\nFN:张三\nEND:VCARD\r"}}, []string{"BEGIN:VCARD\nFN:张三\nEND:VCARD"}},
		{"empty lines ignored", nil, []step{{data: "\r\r\n\rA\r\r\r\n"}}, []string{"A"}},
		{"GBK bytes kept as sent", nil, []step{{data: "\xd6\xd0\xce\xc4\r"}}, []string{"\xd6\xd0\xce\xc4"}},
		{"timeouts inside a line", nil, []step{
			{data: "AB", err: timeout}, {err: timeout}, {data: "C"}, {err: io.EOF}, {data: "D\r", err: timeout}, {data: "E\r"},
		}, []string{"ABCD", "E"}},
		{"data with EOF (tarm never does, a reader may)", nil, []step{{data: "A\r", err: io.EOF}, {data: "B\r"}}, []string{"A", "B"}},
		{"exactly MaxLen", &Opts{MaxLen: 8}, []step{{data: "12345678\r"}}, []string{"12345678"}},
		{"oversized line reported, sync kept", &Opts{MaxLen: 8}, []step{{data: "123456789\rOK\r"}}, []string{"ERR:123456789", "OK"}},
		{"oversized line across reads and timeouts", &Opts{MaxLen: 4}, []step{
			{data: "ABCDEFGH"}, {err: timeout}, {data: strings.Repeat("x", 1000)}, {err: io.EOF}, {data: "yz\r\nOK\r"},
		}, []string{"ERR:ABCDE", "OK"}},
		{"oversized with CRLF terminator split", &Opts{MaxLen: 3, Terminator: "\r\n"}, []step{
			{data: "ABCD\r"}, {data: "\nXYZ\r"}, {data: "\n"},
		}, []string{"ERR:ABCD\r", "XYZ"}},
		{"oversized by the CR before an LF", &Opts{MaxLen: 3, Terminator: "\n"}, []step{{data: "ABC\r\nABCD\nOK\n"}}, []string{"ABC", "ERR:ABCD", "OK"}},
		{"only one error for one long line", &Opts{MaxLen: 2}, []step{{data: strings.Repeat("z", 200) + "\r"}}, []string{"ERR:" + strings.Repeat("z", 3)}},
		{"partial line at the end not delivered", nil, []step{{data: "A\rB"}}, []string{"A"}},
	}
	for _, tt := range tests {
		for _, split := range []string{"as read", "byte by byte"} {
			t.Run(tt.name+"/"+split, func(t *testing.T) {
				steps := append([]step(nil), tt.steps...)
				if split == "byte by byte" {
					steps = bytewise(steps)
				}
				var scans []string
				err := New(&scriptReader{steps: steps}, tt.opts).Run(context.Background(), func(s Scan) {
					scans = append(scans, got(s))
					if s.Err != nil && !errors.Is(s.Err, ErrTooLong) {
						t.Errorf("Scan.Err %v does not wrap ErrTooLong", s.Err)
					}
				})
				if !errors.Is(err, errEnd) || !strings.HasPrefix(err.Error(), "scanner: ") {
					t.Errorf("Run returned %v; want the reader's error, prefixed", err)
				}
				if !reflect.DeepEqual(scans, tt.want) {
					t.Errorf("scans %q, want %q", scans, tt.want)
				}
			})
		}
	}
}

func TestTooLongMessage(t *testing.T) {
	var scans []Scan
	New(&scriptReader{steps: []step{{data: "ABCDEF\n"}}}, &Opts{MaxLen: 4}).Run(context.Background(), func(s Scan) { scans = append(scans, s) })
	if len(scans) != 1 || scans[0].Err == nil {
		t.Fatalf("scans %+v", scans)
	}
	if msg := scans[0].Err.Error(); !strings.Contains(msg, "4 bytes") || !strings.Contains(msg, "suffix set to CR") {
		t.Errorf("message %q does not give the limit and the likely fix", msg)
	}
}

func TestScanTime(t *testing.T) {
	base := time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	clock := base
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	var times []time.Time
	New(&scriptReader{steps: []step{{data: "A\r"}, {data: "B"}, {data: "\r"}}}, &Opts{Now: now}).
		Run(context.Background(), func(s Scan) { times = append(times, s.Time) })
	// Stamped when the terminator arrived: B's read was the third.
	want := []time.Time{base.Add(time.Second), base.Add(2 * time.Second)}
	if !reflect.DeepEqual(times, want) {
		t.Fatalf("times %v, want %v", times, want)
	}
}

// endless is a silent port: every Read times out, as serialport's does.
type endless struct {
	data string
	err  error
}

func (r *endless) Read(b []byte) (int, error) {
	if r.data != "" {
		n := copy(b, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	return 0, r.err
}

func TestRunStops(t *testing.T) {
	for _, silence := range []error{devicetest.ErrReadTimeout, io.EOF} {
		t.Run(silence.Error(), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var scans []string
			// The reader never ends by itself: only the cancel stops Run.
			err := New(&endless{data: "A\rB\r", err: silence}, nil).Run(ctx, func(s Scan) {
				scans = append(scans, s.Text)
				if s.Text == "B" {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run returned %v, want context.Canceled", err)
			}
			if !reflect.DeepEqual(scans, []string{"A", "B"}) {
				t.Fatalf("scans %q", scans)
			}
		})
	}
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := &endless{data: "A\r"}
		if err := New(r, nil).Run(ctx, func(Scan) { t.Error("delivered a scan") }); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
		if r.data != "A\r" {
			t.Error("Run read from the port after its context was cancelled")
		}
	})
}
