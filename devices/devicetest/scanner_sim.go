package devicetest

import (
	"fmt"
	"io"
	"sync"
)

// ScannerSim plays a QR/barcode scanner in serial mode, as
// devices/scanner reads it: each Scan sends the code and the scanner's
// suffix at the line's speed. Its W is usually a PTY's Master, so that
// the code under test opens the PTY's Path with devices/serialport.
type ScannerSim struct {
	// W is where the scanner's bytes go.
	W io.Writer
	// Baud is the line speed (0: as fast as W takes them). Scanners
	// default to 9600 or 115200.
	Baud int
	// Terminator is the suffix after each code; empty means "\r" (CR),
	// most scanners' default.
	Terminator string

	mu   sync.Mutex
	line *LineWriter
}

// Scan sends one code, as if the scanner had just read it. Codes are sent
// whole and in order even when Scan is called from several goroutines.
func (s *ScannerSim) Scan(code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.line == nil {
		s.line = &LineWriter{W: s.W, Baud: s.Baud}
	}
	term := s.Terminator
	if term == "" {
		term = "\r"
	}
	if _, err := s.line.Write([]byte(code + term)); err != nil {
		return fmt.Errorf("devicetest: scanner: send %q: %w", code, err)
	}
	return nil
}
