package devicetest

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestScannerSimBytes(t *testing.T) {
	tests := []struct {
		name  string
		baud  int
		term  string
		codes []string
		want  string
	}{
		{"default CR", 0, "", []string{"A123", "B456"}, "A123\rB456\r"},
		{"CRLF", 0, "\r\n", []string{"X"}, "X\r\n"},
		{"tab suffix", 0, "\t", []string{"1", "2"}, "1\t2\t"},
		{"chinese utf-8", 0, "", []string{"不动产登记"}, "不动产登记\r"},
		{"paced", 115200, "", []string{"https://zwfw.example.cn/q?id=42"}, "https://zwfw.example.cn/q?id=42\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			sim := &ScannerSim{W: &buf, Baud: tt.baud, Terminator: tt.term}
			for _, c := range tt.codes {
				if err := sim.Scan(c); err != nil {
					t.Fatal(err)
				}
			}
			if buf.String() != tt.want {
				t.Fatalf("sent %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("cable cut") }

func TestScannerSimWriteError(t *testing.T) {
	sim := &ScannerSim{W: failingWriter{}}
	if err := sim.Scan("A"); err == nil || !bytes.Contains([]byte(err.Error()), []byte("cable cut")) {
		t.Fatalf("Scan on a failing writer: %v", err)
	}
}

func TestScannerSimOverPTY(t *testing.T) {
	p, err := OpenPTY()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	defer p.Close()
	tty, err := openRaw(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	sim := &ScannerSim{W: p.Master, Baud: 115200, Terminator: "\r\n"}
	// Longer than LineWriter's chunk, so it arrives in pieces.
	code := "1234567890abcdefghijklmnopqrstuvwxyz-1234567890"
	go sim.Scan(code)
	want := code + "\r\n"
	got := make([]byte, 0, len(want))
	buf := make([]byte, 64)
	tty.SetReadDeadline(time.Now().Add(5 * time.Second))
	for len(got) < len(want) {
		n, err := tty.Read(buf)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != want {
		t.Fatalf("the other end read %q, want %q", got, want)
	}
}
