package devicetest

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// PTY is a pseudo-terminal pair standing in for a serial cable. A
// simulator holds the master end; the code under test opens Path with
// devices/serialport, like /dev/ttyUSB0.
type PTY struct {
	// Master is the simulator's end.
	Master *os.File
	// Path is the device path of the other end, e.g. /dev/pts/3.
	Path string
	// slave stays open for the PTY's life: once every slave descriptor is
	// closed, reads on the master fail with EIO.
	slave *os.File
}

// OpenPTY opens a pseudo-terminal pair in raw mode (no echo, no line
// editing, no CR/LF translation), as a serial port is.
func OpenPTY() (*PTY, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("devicetest: open pty: %w", err)
	}
	if _, err := term.MakeRaw(int(slave.Fd())); err != nil {
		master.Close()
		slave.Close()
		return nil, fmt.Errorf("devicetest: raw mode on %s: %w", slave.Name(), err)
	}
	return &PTY{Master: master, Path: slave.Name(), slave: slave}, nil
}

// Close closes both ends.
func (p *PTY) Close() error {
	err1 := p.Master.Close()
	err2 := p.slave.Close()
	if err1 != nil {
		return fmt.Errorf("devicetest: close pty: %w", err1)
	}
	if err2 != nil {
		return fmt.Errorf("devicetest: close pty: %w", err2)
	}
	return nil
}
