package idcard_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// simRig is a simulator on a pty and a Reader on the pty's other end,
// opened as a kiosk opens /dev/ttyUSB0.
type simRig struct {
	sim  *devicetest.IDCardSim
	pty  *devicetest.PTY
	port *os.File
	r    *idcard.Reader
}

// fastOpts are short timeouts, so that tests of silence stay quick.
var fastOpts = idcard.Opts{HeaderTimeout: 150 * time.Millisecond, TotalTimeout: time.Second, Attempts: 3}

func openPort(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// newSimRig starts a simulator at baud and a Reader with opts (nil:
// fastOpts). Everything stops with the test.
func newSimRig(t testing.TB, baud int, opts *idcard.Opts, setup func(*devicetest.IDCardSim)) *simRig {
	t.Helper()
	p, err := devicetest.OpenPTY()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	sim := devicetest.NewIDCardSim(p.Master, baud)
	if setup != nil {
		setup(sim)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx) }()
	port := openPort(t, p.Path)
	if opts == nil {
		opts = &fastOpts
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("simulator: %v", err)
		}
		port.Close()
		p.Close()
	})
	return &simRig{sim: sim, pty: p, port: port, r: idcard.New(port, opts)}
}
