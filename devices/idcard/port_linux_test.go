package idcard_test

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

var termiosSpeeds = map[int]uint32{
	9600: unix.B9600, 19200: unix.B19200, 38400: unix.B38400,
	57600: unix.B57600, 115200: unix.B115200,
}

// setLineSpeed sets a tty's speed as a serial library does (TCSETS with
// the CBAUD bits), through SyscallConn so that f keeps its deadlines.
func setLineSpeed(f *os.File, baud int) error {
	code, ok := termiosSpeeds[baud]
	if !ok {
		return fmt.Errorf("no termios code for %d baud", baud)
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	err = raw.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			ierr = err
			return
		}
		t.Cflag = t.Cflag&^unix.CBAUD | code
		t.Ispeed, t.Ospeed = code, code
		ierr = unix.IoctlSetTermios(int(fd), unix.TCSETS, t)
	})
	if err != nil {
		return err
	}
	return ierr
}
