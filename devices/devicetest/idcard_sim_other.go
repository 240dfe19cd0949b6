//go:build !linux

package devicetest

import "io"

// idcardLineSpeed is unknown outside Linux: CheckLineSpeed has no effect.
func idcardLineSpeed(rw any) (int, bool) { return 0, false }

// idcardPollable returns rw as it is outside Linux.
func idcardPollable(rw io.ReadWriter) (io.ReadWriter, func()) { return rw, func() {} }
