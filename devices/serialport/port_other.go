//go:build !linux

package serialport

import "os"

// Elsewhere than Linux (development machines) ports are opened without
// locking and without the hang-up probe.

func lockPort(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return nil, classify(name, err)
	}
	return f, nil
}

func unlockPort(f *os.File) error            { return f.Close() }
func setExclusive(f *os.File, on bool) error { return nil }
func hungUp(f *os.File) bool                 { return false }
func holders(name string) string             { return "" }
func deviceGroup(name string) string         { return "dialout" }
