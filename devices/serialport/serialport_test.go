package serialport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"onestop/devices/devicetest"
)

func openPTY(t *testing.T) *devicetest.PTY {
	t.Helper()
	p, err := devicetest.OpenPTY()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustOpen(t *testing.T, cfg Config) *Port {
	t.Helper()
	port, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return port
}

// readFull reads n bytes from r, failing the test after a deadline
// (read timeouts in between are retried).
func readFull(t *testing.T, r io.Reader, n int) []byte {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	got := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(got) < n {
		if time.Now().After(deadline) {
			t.Fatalf("read %q, want %d bytes", got, n)
		}
		m, err := r.Read(buf[:n-len(got)])
		got = append(got, buf[:m]...)
		if err != nil && !devicetest.IsTimeout(err) {
			t.Fatalf("read after %q: %v", got, err)
		}
	}
	return got
}

func TestReadWriteBothWays(t *testing.T) {
	p := openPTY(t)
	port := mustOpen(t, Config{Name: p.Path, Baud: 115200, ReadTimeout: 100 * time.Millisecond})
	if port.Name() != p.Path {
		t.Errorf("Name() = %q", port.Name())
	}
	// Every byte value, both ways: CR, LF, XON/XOFF and 0xFF included.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if _, err := port.Write(all); err != nil {
		t.Fatal(err)
	}
	p.Master.SetReadDeadline(time.Now().Add(5 * time.Second))
	if got := readFull(t, p.Master, 256); !bytes.Equal(got, all) {
		t.Fatalf("master read % X", got)
	}
	go p.Master.Write(all)
	if got := readFull(t, port, 256); !bytes.Equal(got, all) {
		t.Fatalf("port read % X", got)
	}
}

func TestReadTimeout(t *testing.T) {
	p := openPTY(t)
	port := mustOpen(t, Config{Name: p.Path, Baud: 9600, ReadTimeout: 100 * time.Millisecond})
	n, err := port.Read(make([]byte, 8))
	if n != 0 || err == nil {
		t.Fatalf("Read on a silent line = %d, %v; want a timeout", n, err)
	}
	if err == io.EOF || errors.Is(err, io.EOF) {
		t.Fatalf("Read returned %v: an EOF would end the reader", err)
	}
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("errors.Is(%v, ErrTimeout / os.ErrDeadlineExceeded) = false", err)
	}
	if !devicetest.IsTimeout(err) {
		t.Errorf("%v: Timeout() is not true", err)
	}
	// The port still works after a timeout.
	go p.Master.Write([]byte("ok\r"))
	if got := readFull(t, port, 3); string(got) != "ok\r" {
		t.Fatalf("after the timeout read %q", got)
	}
}

func TestHangupIsNotATimeout(t *testing.T) {
	p := openPTY(t)
	port := mustOpen(t, Config{Name: p.Path, Baud: 9600, ReadTimeout: 100 * time.Millisecond})
	// Closing the master hangs the tty up, as unplugging a USB adapter does.
	p.Master.Close()
	_, err := port.Read(make([]byte, 8))
	var pe *PortError
	if !errors.As(err, &pe) || pe.Kind != Missing || devicetest.IsTimeout(err) {
		t.Fatalf("Read after hang-up: %v; want a PortError of Kind Missing", err)
	}
	if !strings.Contains(err.Error(), "hung up") || !strings.Contains(err.Error(), "cable") {
		t.Errorf("message %q does not say what happened and what to check", err)
	}
}

func TestBusy(t *testing.T) {
	p := openPTY(t)
	cfg := Config{Name: p.Path, Baud: 9600, ReadTimeout: 100 * time.Millisecond}
	// A descriptor opened before the port, to watch the tty's exclusive
	// mode (which root, running CI, is not stopped by).
	watch, err := os.OpenFile(p.Path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	exclusive := func() bool {
		n, err := unix.IoctlGetInt(int(watch.Fd()), unix.TIOCGEXCL)
		if err != nil {
			t.Fatalf("TIOCGEXCL: %v", err)
		}
		return n != 0
	}
	first, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !exclusive() {
		t.Error("the open port is not in exclusive mode (TIOCEXCL)")
	}
	second, err := Open(cfg)
	if err == nil {
		second.Close()
		first.Close()
		t.Fatal("the port opened twice")
	}
	var pe *PortError
	if !errors.As(err, &pe) || pe.Kind != Busy {
		t.Fatalf("second Open: %v; want a PortError of Kind Busy", err)
	}
	if want := fmt.Sprintf("pid %d", os.Getpid()); !strings.Contains(pe.Holder, want) {
		t.Errorf("Holder %q does not name this process (%s)", pe.Holder, want)
	}
	if !strings.Contains(err.Error(), "held by") || !strings.Contains(err.Error(), "close") {
		t.Errorf("message %q names no holder or fix", err)
	}
	// Closing releases both the lock and the exclusive mode.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if exclusive() {
		t.Error("Close left the tty in exclusive mode")
	}
	again, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestCloseTwice(t *testing.T) {
	p := openPTY(t)
	port, err := Open(Config{Name: p.Path, Baud: 9600})
	if err != nil {
		t.Fatal(err)
	}
	if err := port.Close(); err != nil {
		t.Fatal(err)
	}
	if err := port.Close(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("second Close: %v; want os.ErrClosed", err)
	}
}

func TestOpenErrors(t *testing.T) {
	p := openPTY(t)
	regular := filepath.Join(t.TempDir(), "not-a-tty")
	if err := os.WriteFile(regular, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		cfg    Config
		kind   Kind // checked when the error is a *PortError
		is     error
		inText []string
	}{
		{"missing device", Config{Name: "/dev/ttyUSB-onestop-none", Baud: 9600}, Missing, os.ErrNotExist,
			[]string{"serialport: /dev/ttyUSB-onestop-none: no such device", "cable", "devicectl ports"}},
		{"not a tty", Config{Name: regular, Baud: 9600}, Other, syscall.ENOTTY,
			[]string{"not a serial port"}},
		{"bad baud", Config{Name: p.Path, Baud: 12345}, 0, ErrBaud,
			[]string{"12345", "115200", "9600"}},
		{"no name", Config{Baud: 9600}, 0, nil, []string{"no port name"}},
		{"negative timeout", Config{Name: p.Path, Baud: 9600, ReadTimeout: -time.Second}, 0, nil, []string{"read timeout"}},
		{"timeout too long", Config{Name: p.Path, Baud: 9600, ReadTimeout: time.Minute}, 0, nil, []string{"25.5s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port, err := Open(tt.cfg)
			if err == nil {
				port.Close()
				t.Fatal("Open succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			var pe *PortError
			if errors.As(err, &pe) && pe.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v", pe.Kind, tt.kind)
			}
			if tt.kind != Other && pe == nil && tt.is != ErrBaud && tt.is != nil {
				t.Errorf("%v is not a *PortError", err)
			}
			for _, s := range tt.inText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which file permissions do not stop; TestClassify covers the mapping")
	}
	name := filepath.Join(t.TempDir(), "ttyS9")
	if err := os.WriteFile(name, nil, 0); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Config{Name: name, Baud: 9600})
	var pe *PortError
	if !errors.As(err, &pe) || pe.Kind != Permission {
		t.Fatalf("Open of a mode-0000 file: %v; want Kind Permission", err)
	}
	if !strings.Contains(pe.Hint, "sudo usermod -aG") || !strings.Contains(pe.Hint, "log in again") {
		t.Errorf("Hint %q", pe.Hint)
	}
}

func TestClassify(t *testing.T) {
	pty := openPTY(t) // a device that exists, for the group in the hint
	tests := []struct {
		err    error
		kind   Kind
		inHint string
	}{
		{&os.PathError{Op: "open", Path: "x", Err: syscall.ENOENT}, Missing, "devicectl ports"},
		{syscall.ENODEV, Missing, "USB adapter"},
		{syscall.ENXIO, Missing, "cable"},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EACCES}, Permission, "sudo usermod -aG"},
		{syscall.EPERM, Permission, "log in again"},
		{syscall.EBUSY, Busy, "fuser"},
		{fmt.Errorf("lock: %w", syscall.EWOULDBLOCK), Busy, "fuser"},
		{syscall.ENOTTY, Other, "not a serial port"},
		{syscall.EIO, Other, ""},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			// A name nobody holds, so that Busy falls back to fuser.
			name := "/dev/onestop-nobody-holds-this"
			if tt.kind == Permission {
				name = pty.Path
			}
			e := classify(name, tt.err)
			if e.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v", e.Kind, tt.kind)
			}
			if !strings.Contains(e.Hint, tt.inHint) || !strings.Contains(e.Error(), e.Hint) {
				t.Errorf("Hint %q lacks %q (or the message %q lacks the hint)", e.Hint, tt.inHint, e)
			}
			if !errors.Is(e, tt.err) {
				t.Errorf("the PortError does not wrap %v", tt.err)
			}
			if !strings.HasPrefix(e.Error(), "serialport: "+name+": ") {
				t.Errorf("message %q", e)
			}
		})
	}
}
