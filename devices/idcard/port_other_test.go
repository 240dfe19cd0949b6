//go:build !linux

package idcard_test

import (
	"errors"
	"os"
)

func setLineSpeed(f *os.File, baud int) error { return errors.New("line speed: Linux only") }
