package scanner

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/serialport"
)

// TestOverPTY runs the whole chain a kiosk runs: a scanner (simulated on
// a pty at 9600 baud) → devices/serialport → Scanner.
func TestOverPTY(t *testing.T) {
	p, err := devicetest.OpenPTY()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	defer p.Close()
	port, err := serialport.Open(serialport.Config{Name: p.Path, Baud: 9600, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	scans := make(chan Scan, 16)
	done := make(chan error, 1)
	go func() {
		done <- New(port, &Opts{MaxLen: 64}).Run(ctx, func(s Scan) { scans <- s })
	}()

	sim := &devicetest.ScannerSim{W: p.Master, Baud: 9600, Terminator: "\r\n"}
	codes := []struct {
		send string
		want string // "ERR" for a line too long
	}{
		{"https://zwfw.example.gov.cn/appt?id=20260302-0815", "https://zwfw.example.gov.cn/appt?id=20260302-0815"},
		{strings.Repeat("9", 100), "ERR"},
		{"A0815", "A0815"},
		{"520102199003071234", "520102199003071234"},
	}
	for _, c := range codes {
		// One at a time, so the reader meets timeouts between codes too.
		if err := sim.Scan(c.send); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-scans:
			if c.want == "ERR" {
				if !errors.Is(s.Err, ErrTooLong) {
					t.Errorf("a %d-byte code gave %+v; want ErrTooLong", len(c.send), s)
				}
			} else if s.Err != nil || s.Text != c.want {
				t.Errorf("scan %+v, want %q", s, c.want)
			}
			if s.Time.IsZero() {
				t.Errorf("scan %q has no time", s.Text)
			}
		case err := <-done:
			t.Fatalf("Run ended: %v", err)
		case <-time.After(5 * time.Second):
			t.Fatalf("no scan for %q", c.send)
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
	select {
	case s := <-scans:
		t.Fatalf("unexpected scan %+v", s)
	default:
	}
}

// TestUnplugEndsRun: when the device goes away Run returns the port's
// error instead of reading timeouts forever.
func TestUnplugEndsRun(t *testing.T) {
	p, err := devicetest.OpenPTY()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	defer p.Close()
	port, err := serialport.Open(serialport.Config{Name: p.Path, Baud: 9600, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	p.Master.Close() // hangs the tty up, as unplugging the scanner does
	done := make(chan error, 1)
	go func() { done <- New(port, nil).Run(context.Background(), func(Scan) {}) }()
	select {
	case err := <-done:
		var pe *serialport.PortError
		if !errors.As(err, &pe) || pe.Kind != serialport.Missing {
			t.Fatalf("Run returned %v; want the port's Missing error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept reading a port whose device is gone")
	}
}
