package devicetest

import (
	"io"
	"time"
)

// LineWriter writes at the speed of a serial line: 10 bits per byte (8N1:
// start, 8 data, stop) at Baud bits per second. A simulator writes its
// answers through it so that timings measured over a pty are those of the
// real cable.
type LineWriter struct {
	W    io.Writer
	Baud int
	// next is when the line is free again.
	next time.Time
}

// ByteTime is how long one byte takes on a line of the given speed.
func ByteTime(baud int) time.Duration {
	return time.Duration(10 * int64(time.Second) / int64(baud))
}

// chunk is how many bytes go out between waits: small enough that a
// reader sees data trickle in as from a cable.
const chunk = 32

// Write sends p at the line's speed.
func (l *LineWriter) Write(p []byte) (int, error) {
	if l.Baud <= 0 {
		return l.W.Write(p)
	}
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	written := 0
	for len(p) > 0 {
		n := min(chunk, len(p))
		// The chunk is on the wire when its last bit has left.
		l.next = l.next.Add(time.Duration(n) * ByteTime(l.Baud))
		if d := time.Until(l.next); d > 0 {
			time.Sleep(d)
		}
		m, err := l.W.Write(p[:n])
		written += m
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}
