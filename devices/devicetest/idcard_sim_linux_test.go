package devicetest

import (
	"context"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"onestop/devices/idcard"
)

// setSpeed sets a tty's line speed as a serial library does.
func setSpeed(t *testing.T, f *os.File, code uint32) {
	t.Helper()
	raw, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ierr error
	raw.Control(func(fd uintptr) {
		tio, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			ierr = err
			return
		}
		tio.Cflag = tio.Cflag&^unix.CBAUD | code
		tio.Ispeed, tio.Ospeed = code, code
		ierr = unix.IoctlSetTermios(int(fd), unix.TCSETS, tio)
	})
	if ierr != nil {
		t.Skipf("cannot set the line speed: %v", ierr)
	}
}

func TestIDCardSimChecksLineSpeed(t *testing.T) {
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

	for _, tt := range []struct {
		code uint32
		baud int
	}{{unix.B9600, 9600}, {unix.B57600, 57600}, {unix.B115200, 115200}} {
		setSpeed(t, tty, tt.code)
		if got, ok := idcardLineSpeed(p.Master); !ok || got != tt.baud {
			t.Fatalf("the master reads %d baud (%v), the port was set to %d", got, ok, tt.baud)
		}
	}

	sim := NewIDCardSim(p.Master, 57600)
	sim.CheckLineSpeed = true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx) }()
	defer func() { cancel(); <-done }()

	answer := func() bool {
		tty.Write(idcard.EncodeRequest(0x11, 0xFF, nil))
		tty.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
		buf := make([]byte, 64)
		n, _ := tty.Read(buf)
		return n > 0
	}
	setSpeed(t, tty, unix.B115200)
	if answer() {
		t.Error("answered at 115200 baud while simulating 57600")
	}
	setSpeed(t, tty, unix.B57600)
	if !answer() {
		t.Error("silent at the right speed")
	}
	if st := sim.Stats(); st.Ignored != 1 || st.Requests != 2 {
		t.Errorf("stats %+v", st)
	}
}
