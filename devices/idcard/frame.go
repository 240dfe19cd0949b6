package idcard

import (
	"bytes"
	"errors"
	"fmt"
)

// Preamble starts every frame in both directions.
var Preamble = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

const (
	// headerLen is the preamble and the two LEN bytes.
	headerLen = 7
	// MinLen is the smallest LEN a frame can carry: a request's CMD, PARA
	// and CHK.
	MinLen = 3
	// MaxLen is the largest LEN accepted. The largest answer in the
	// protocol, text + photo + fingerprint, has LEN 0x090A; anything much
	// larger is a corrupted length field, not a frame to wait for.
	MaxLen = 0x0A00
)

var (
	// ErrChecksum is wrapped by a *FrameError whose CHK byte does not match
	// the XOR of the frame.
	ErrChecksum = errors.New("idcard: frame checksum mismatch")
	// ErrLength is wrapped by a *FrameError whose LEN is out of bounds, or
	// whose content does not fit the length fields it carries.
	ErrLength = errors.New("idcard: bad frame length")
	// ErrIncomplete is what ScanFrame returns while the buffer does not yet
	// hold a whole frame: read more and scan again.
	ErrIncomplete = errors.New("idcard: incomplete frame")
)

// FrameError is a frame that arrived damaged: its length field is out of
// bounds or its checksum is wrong. Errors.Is matches it against its Err,
// ErrChecksum or ErrLength. Both are transmission errors, and a Reader
// retries the command that drew them.
type FrameError struct {
	// Err is ErrChecksum or ErrLength.
	Err error
	// Len is the frame's LEN field.
	Len int
	// Got is the CHK byte received and Want the XOR computed, for a
	// checksum error.
	Got, Want byte
	// Detail says more, for a length error.
	Detail string
}

// Error describes the damage.
func (e *FrameError) Error() string {
	switch {
	case errors.Is(e.Err, ErrChecksum):
		return fmt.Sprintf("idcard: frame checksum 0x%02X, computed 0x%02X (LEN %d)", e.Got, e.Want, e.Len)
	case e.Detail != "":
		return fmt.Sprintf("idcard: bad frame length: %s", e.Detail)
	default:
		return fmt.Sprintf("idcard: bad frame length %d (want %d..%d)", e.Len, MinLen, MaxLen)
	}
}

// Unwrap returns ErrChecksum or ErrLength.
func (e *FrameError) Unwrap() error { return e.Err }

// Checksum is the XOR of b: the CHK of a frame is Checksum of its bytes
// from LEN up to the last data byte (preamble and CHK left out).
func Checksum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// EncodeFrame wraps body (CMD PARA DATA for a request, SW1 SW2 SW3 DATA
// for a response) in preamble, LEN and CHK. It panics if body is longer
// than a frame can carry, which is a programming error.
func EncodeFrame(body []byte) []byte {
	n := len(body) + 1
	if n > 0xFFFF {
		panic("idcard: frame body too long")
	}
	f := make([]byte, 0, headerLen+n)
	f = append(f, Preamble...)
	f = append(f, byte(n>>8), byte(n))
	f = append(f, body...)
	return append(f, Checksum(f[len(Preamble):]))
}

// EncodeRequest builds the frame of a command to the SAM.
func EncodeRequest(cmd, para byte, data []byte) []byte {
	body := make([]byte, 0, 2+len(data))
	body = append(body, cmd, para)
	return EncodeFrame(append(body, data...))
}

// EncodeResponse builds the frame of an answer from the SAM (SW1 = SW2 =
// 0), as a simulator sends it.
func EncodeResponse(st Status, data []byte) []byte {
	body := make([]byte, 0, 3+len(data))
	body = append(body, 0, 0, byte(st))
	return EncodeFrame(append(body, data...))
}

// ScanFrame looks for the first frame in buf, skipping any garbage before
// its preamble. It returns the frame's body (the bytes between LEN and
// CHK, aliasing buf) and n, how many bytes of buf the caller may drop:
//
//   - a whole, valid frame: body, n = its end, nil;
//   - not yet a whole frame: n = the garbage before a preamble (or
//     before what may be the start of one), ErrIncomplete;
//   - a LEN out of bounds: n = one byte past that preamble's start, so
//     that scanning again resynchronises on the next one, and a
//     *FrameError wrapping ErrLength;
//   - a wrong CHK: n = the frame's end and a *FrameError wrapping
//     ErrChecksum.
//
// ScanFrame never panics and never reads past buf.
func ScanFrame(buf []byte) (body []byte, n int, err error) {
	i := bytes.Index(buf, Preamble)
	if i < 0 {
		return nil, len(buf) - partialPreamble(buf), ErrIncomplete
	}
	if len(buf)-i < headerLen {
		return nil, i, ErrIncomplete
	}
	l := int(buf[i+5])<<8 | int(buf[i+6])
	if l < MinLen || l > MaxLen {
		return nil, i + 1, &FrameError{Err: ErrLength, Len: l}
	}
	end := i + headerLen + l
	if len(buf) < end {
		return nil, i, ErrIncomplete
	}
	want := Checksum(buf[i+5 : end-1])
	if got := buf[end-1]; got != want {
		return nil, end, &FrameError{Err: ErrChecksum, Len: l, Got: got, Want: want}
	}
	return buf[i+headerLen : end-1], end, nil
}

// partialPreamble is the length of the longest suffix of buf that is a
// proper prefix of the preamble: bytes to keep, as the rest of a preamble
// may be still on its way.
func partialPreamble(buf []byte) int {
	for k := min(len(Preamble)-1, len(buf)); k > 0; k-- {
		if bytes.Equal(buf[len(buf)-k:], Preamble[:k]) {
			return k
		}
	}
	return 0
}

// Response is a decoded answer of the SAM.
type Response struct {
	// SW1 and SW2 are 0x00 on every reader documented.
	SW1, SW2 byte
	// Status is SW3.
	Status Status
	// Data follows the status bytes.
	Data []byte
}

// parseResponse splits a response body.
func parseResponse(body []byte) (Response, error) {
	if len(body) < 3 {
		return Response{}, &FrameError{Err: ErrLength, Len: len(body) + 1,
			Detail: fmt.Sprintf("response of LEN %d has no room for SW1 SW2 SW3", len(body)+1)}
	}
	return Response{SW1: body[0], SW2: body[1], Status: Status(body[2]), Data: bytes.Clone(body[3:])}, nil
}
