package idcard_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"unicode/utf8"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// FuzzDecodeFrame feeds arbitrary bytes to ScanFrame, and to a Reader
// through a port that cuts them into reads of fuzzed sizes. Neither may
// panic; a frame ScanFrame accepts must re-encode to bytes of the input.
func FuzzDecodeFrame(f *testing.F) {
	ok := idcard.EncodeResponse(idcard.StatusOK, nil)
	f.Add(ok, uint8(0))
	f.Add(append([]byte{0xAA, 0xAA, 0x00, 0xAA}, ok...), uint8(1))
	f.Add(pre(0x00, 0x08, 0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00, 0x97), uint8(3))
	f.Add(pre(0xFF, 0xFF), uint8(2))
	f.Add(pre(0x00, 0x03, 0x20, 0x01, 0x21), uint8(5))
	f.Add(idcard.EncodeResponse(idcard.StatusOK, make([]byte, 1284)), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		buf := data
		for len(buf) > 0 {
			body, n, err := idcard.ScanFrame(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("n = %d of %d", n, len(buf))
			}
			if err == nil {
				if !bytes.Contains(data, idcard.EncodeFrame(body)) {
					t.Fatalf("accepted a frame that is not in the input: % X", body)
				}
			} else if !errors.Is(err, idcard.ErrIncomplete) && !errors.Is(err, idcard.ErrChecksum) && !errors.Is(err, idcard.ErrLength) {
				t.Fatalf("unexpected error %v", err)
			}
			if n == 0 {
				break // incomplete: nothing to drop
			}
			buf = buf[n:]
		}

		step := int(split%16) + 1
		var steps []readStep
		for i := 0; i < len(data); i += step {
			steps = append(steps, readStep{data: data[i:min(i+step, len(data))]})
		}
		// The port fails once the input is used up, rather than time out,
		// so that each run takes microseconds (timeouts have their tests).
		r := idcard.New(&chunkPort{steps: steps, end: errEndOfInput}, &idcard.Opts{Attempts: 1})
		resp, err := r.Command(context.Background(), 0x11, 0xFF, nil)
		if err == nil && !bytes.Contains(data, idcard.EncodeResponse(resp.Status, resp.Data)[7:]) && resp.SW1 == 0 && resp.SW2 == 0 {
			t.Fatalf("Command returned an answer not in the input: %+v", resp)
		}
	})
}

var errEndOfInput = errors.New("end of fuzz input")

// FuzzParseText parses arbitrary blocks; it must never panic, and what it
// returns must be usable: valid UTF-8, masks that work, a check that
// agrees with ValidIDNumber.
func FuzzParseText(f *testing.F) {
	for _, c := range devicetest.IDCardSamples() {
		f.Add(devicetest.IDCardText(c))
	}
	f.Add(devicetest.IDCardText(devicetest.IDCardSampleBadCheck()))
	f.Add(make([]byte, 256))
	f.Add(bytes.Repeat([]byte{0xFF}, 256))
	f.Add(bytes.Repeat([]byte{0x00, 0xD8}, 128)) // unpaired surrogates
	f.Add([]byte("short"))
	f.Fuzz(func(t *testing.T, block []byte) {
		c, err := idcard.ParseText(block)
		for _, s := range []string{c.Name, c.NameEn, c.Address, c.IDNumber, c.Authority, c.PassNumber, c.Nationality, c.OldCardNumber} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
			_ = idcard.MaskName(s)
			_ = idcard.MaskIDNumber(s)
		}
		_ = c.String()
		_ = c.Gender.String()
		if c.IDNumberValid && c.Kind != idcard.KindForeigner2017 && c.Kind != idcard.KindForeigner2023 && !idcard.ValidIDNumber(c.IDNumber) {
			t.Fatalf("IDNumberValid for %q, which ValidIDNumber rejects", c.IDNumber)
		}
		if c.IDNumberValid && c.Kind == idcard.KindForeigner2023 {
			if _, cerr := idcard.CheckDigit(c.IDNumber); cerr != nil {
				t.Fatalf("IDNumberValid for %q: %v", c.IDNumber, cerr)
			}
		}
		if err == nil && len(block) != idcard.TextLen {
			t.Fatalf("accepted a block of %d bytes", len(block))
		}
		if err == nil && !c.IDNumberValid {
			t.Fatal("no error for an invalid ID number")
		}
		if err == nil {
			// What parses cleanly survives the encoder.
			again, err2 := idcard.ParseText(devicetest.IDCardText(c))
			if err2 != nil || again.IDNumber != c.IDNumber || again.BirthDate != c.BirthDate || again.Kind != c.Kind {
				t.Fatalf("re-encoded card differs: %v\n%+v\n%+v", err2, c, again)
			}
		}
	})
}
