package serialport

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockPort opens a descriptor of the device and takes an exclusive
// flock on it. Opening it first also gives the clearest errno when the
// device is missing, not permitted, or in exclusive use (EBUSY, from
// another holder's TIOCEXCL).
func lockPort(name string) (*os.File, error) {
	// O_NONBLOCK: a modem-control line must not make open wait for carrier.
	f, err := os.OpenFile(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, classify(name, err)
	}
	err = control(f, func(fd int) error {
		return unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	})
	if err != nil {
		f.Close()
		return nil, classify(name, fmt.Errorf("lock: %w", err))
	}
	return f, nil
}

// unlockPort leaves exclusive mode and closes the lock descriptor (which
// releases the flock). Leaving exclusive mode matters: a tty that stays
// open elsewhere (a pty's other end) would keep refusing opens.
func unlockPort(f *os.File) error {
	setExclusive(f, false) // fails on a hung-up tty, which is gone anyway
	return f.Close()
}

// setExclusive sets or clears TIOCEXCL: while it is set, the kernel
// refuses further opens of the tty (except to root, which the flock
// stops instead).
func setExclusive(f *os.File, on bool) error {
	req := uint(unix.TIOCNXCL)
	if on {
		req = unix.TIOCEXCL
	}
	return control(f, func(fd int) error {
		if err := unix.IoctlSetInt(fd, req, 0); err != nil {
			return fmt.Errorf("exclusive mode: %w", err)
		}
		return nil
	})
}

// hungUp reports whether the tty was hung up (its device removed): ioctls
// on a hung-up tty fail with EIO.
func hungUp(f *os.File) bool {
	err := control(f, func(fd int) error {
		_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		return err
	})
	return errors.Is(err, syscall.EIO)
}

func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// holders names the processes that have name open, from /proc (all of
// them as root, the user's own otherwise), e.g. "pid 812 (minicom)".
func holders(name string) string {
	target, err := filepath.EvalSymlinks(name)
	if err != nil {
		target = name
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return ""
	}
	var found []string
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && link == target {
				comm, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "comm"))
				found = append(found, fmt.Sprintf("pid %d (%s)", pid, strings.TrimSpace(string(comm))))
				break
			}
		}
		if len(found) == 3 {
			break
		}
	}
	return strings.Join(found, ", ")
}

// deviceGroup is the name of the group owning the device, or "".
func deviceGroup(name string) string {
	fi, err := os.Stat(name)
	if err != nil {
		return "dialout"
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "dialout"
	}
	g, err := user.LookupGroupId(strconv.Itoa(int(st.Gid)))
	if err != nil {
		return "dialout"
	}
	return g.Name
}
