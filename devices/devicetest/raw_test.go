package devicetest

import (
	"os"
	"syscall"
)

// openRaw opens a pty's slave end for a test without going through
// devices/serialport (which is tested on its own).
func openRaw(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
}
