package devicetest

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// idcardSpeeds maps the termios speed codes to baud rates.
var idcardSpeeds = map[uint32]int{
	unix.B1200: 1200, unix.B2400: 2400, unix.B4800: 4800, unix.B9600: 9600,
	unix.B19200: 19200, unix.B38400: 38400, unix.B57600: 57600,
	unix.B115200: 115200, unix.B230400: 230400, unix.B460800: 460800,
	unix.B921600: 921600,
}

// idcardLineSpeed reads the output speed set on a tty, as cfgetospeed
// does: the CBAUD bits of c_cflag, or c_ospeed for BOTHER. On a pty
// master, TCGETS reports the termios of the slave, which the code under
// test sets when it opens the port. It uses SyscallConn, not Fd, which
// would put the file in blocking mode and break its deadlines.
func idcardLineSpeed(rw any) (int, bool) {
	sc, ok := rw.(syscall.Conn)
	if !ok {
		return 0, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var t *unix.Termios
	var terr error
	if err := raw.Control(func(fd uintptr) { t, terr = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); err != nil || terr != nil {
		return 0, false
	}
	code := t.Cflag & unix.CBAUD
	if code == unix.BOTHER {
		return int(t.Ospeed), true
	}
	speed, ok := idcardSpeeds[code]
	return speed, ok
}

// idcardPollable returns a version of rw whose reads honour deadlines.
// creack/pty hands out its master in blocking mode (it calls Fd), where
// deadlines have no effect and nothing can interrupt a read; the simulator
// then works on a non-blocking duplicate of the descriptor, which Go's
// poller serves. restore puts the descriptor back in blocking mode (the
// flag is shared with the original) and closes the duplicate.
func idcardPollable(rw io.ReadWriter) (conn io.ReadWriter, restore func()) {
	f, ok := rw.(*os.File)
	if !ok {
		return rw, func() {}
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return rw, func() {}
	}
	// Fd leaves the file registered with the poller, so SetReadDeadline
	// still succeeds: only the descriptor's flags tell.
	dup := -1
	err = raw.Control(func(fd uintptr) {
		if fl, ferr := unix.FcntlInt(fd, unix.F_GETFL, 0); ferr == nil && fl&unix.O_NONBLOCK == 0 {
			dup, err = unix.Dup(int(fd))
		}
	})
	if err != nil || dup < 0 {
		return rw, func() {}
	}
	if err := unix.SetNonblock(dup, true); err != nil {
		unix.Close(dup)
		return rw, func() {}
	}
	nf := os.NewFile(uintptr(dup), f.Name())
	return nf, func() {
		if raw, err := nf.SyscallConn(); err == nil {
			raw.Control(func(fd uintptr) { unix.SetNonblock(int(fd), false) })
		}
		nf.Close()
	}
}
