package serialport

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"syscall"
)

// Kind says what is wrong with a port, so that a caller can branch on it
// and a screen can say it in the technician's language.
type Kind int

const (
	// Other is any failure not below; Err says what.
	Other Kind = iota
	// Missing: no such device, or it went away (cable, USB adapter).
	Missing
	// Busy: another program (or another part of this one) holds the port.
	Busy
	// Permission: the user may not open the device.
	Permission
)

func (k Kind) String() string {
	switch k {
	case Missing:
		return "no such device"
	case Busy:
		return "in use by another program"
	case Permission:
		return "permission denied"
	}
	return "cannot open"
}

// PortError is a failure of a serial port, with what a technician should
// do about it.
type PortError struct {
	// Name is the device path.
	Name string
	Kind Kind
	// Err is the underlying error (an errno from open, flock or ioctl).
	Err error
	// Holder names who holds a Busy port, e.g. "pid 812 (minicom)", when
	// /proc shows it; empty otherwise.
	Holder string
	// Hint is the fix, e.g. "add the kiosk user to the dialout group: ...".
	Hint string
}

func (e *PortError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "serialport: %s: %s", e.Name, e.Kind)
	if e.Holder != "" {
		fmt.Fprintf(&b, " (held by %s)", e.Holder)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *PortError) Unwrap() error { return e.Err }

const hintMissing = "check the cable and the USB adapter; `devicectl ports` lists the serial ports present"

// classify turns an error from opening name into a *PortError.
func classify(name string, err error) *PortError {
	e := &PortError{Name: name, Kind: Other, Err: err}
	switch {
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.ENXIO):
		e.Kind = Missing
		e.Hint = hintMissing
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		e.Kind = Permission
		e.Hint = permissionHint(name)
	case errors.Is(err, syscall.EBUSY), errors.Is(err, syscall.EWOULDBLOCK):
		e.Kind = Busy
		e.Holder = holders(name)
		if e.Holder != "" {
			e.Hint = "close that program"
		} else {
			e.Hint = fmt.Sprintf("close the program using it (`sudo fuser -v %s` names it)", name)
		}
	case errors.Is(err, syscall.ENOTTY), errors.Is(err, syscall.EINVAL):
		e.Hint = "this is not a serial port: `devicectl ports` lists the serial ports present"
	}
	return e
}

// permissionHint tells how to give the current user the device's group.
func permissionHint(name string) string {
	who := "USER"
	if u, err := user.Current(); err == nil && u.Username != "" {
		who = u.Username
	} else if s := os.Getenv("USER"); s != "" {
		who = s
	}
	group := deviceGroup(name)
	if group == "" || group == "root" {
		return fmt.Sprintf("the device belongs to no user group: add a udev rule giving it GROUP=\"dialout\", MODE=\"0660\", then add the kiosk user to dialout: sudo usermod -aG dialout %s, and log in again", who)
	}
	return fmt.Sprintf("add the kiosk user to the %s group: sudo usermod -aG %s %s, then log in again", group, group, who)
}
