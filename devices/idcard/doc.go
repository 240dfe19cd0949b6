// Package idcard drives the resident ID card readers (居民身份证阅读器)
// of the self-service kiosks: CVR-100, SS628, 新中新, iDR210 and the other
// readers that carry a GA 467 SAM (security module) behind an RS-232 or
// CDC-ACM serial port.
//
// The protocol is described in protocols/IDCARD-SAMV.md of the project's
// shared documents (../shared beside the repository, as for
// devicetest's TESTING-DEVICES.md): frames AA AA AA 96 69 · LEN · CMD
// PARA · DATA · CHK, the SW3 status codes, the 256-byte text block of the
// four card kinds and the GB 11643 check digit. Its sources are listed at
// its end.
//
// A Reader takes an io.ReadWriter, normally a serial port opened by cmd/
// at 115200 8N1 with a read timeout (devices/serialport), and speaks the
// protocol over it:
//
//	r := idcard.New(port, nil) // nil: DefaultOpts
//	card, err := r.Read(ctx)   // find → select → read
//	switch {
//	case errors.Is(err, idcard.ErrNoCard):
//		// nothing on the reader
//	case errors.Is(err, idcard.ErrInvalidCard):
//		// read, but the card fails a check (e.g. the ID number's check
//		// digit): card is filled in, card.IDNumberValid may be false
//	case err != nil:
//		// transport or SAM error, already retried Opts.Attempts times
//	}
//
// Watch polls a Reader and reports each placement of a card once, and
// its removal. DetectBaud finds the speed of a reader whose SAM was set
// to another baud rate.
//
// Errors are typed so that callers can branch on them: Status (the SW3
// byte, with Chinese and English messages), *FrameError (ErrChecksum,
// ErrLength), *TimeoutError (ErrTimeout), *FieldError and *IDNumberError
// (ErrInvalidCard, ErrInvalidIDNumber).
//
// Dates on cards are calendar dates without a time of day or zone; they
// are kept as the package's own Date type rather than a time.Time (see
// Date).
//
// The photo is kept as the card stores it, 1024 bytes of WLT, a
// proprietary compression that only the vendors' libraries decode; see
// PhotoDecoder and ExecDecoder for plugging one in, and Placeholder for
// what to show without one.
//
// devices/devicetest has a simulator of such a reader (IDCardSim) with
// sample cards of all four kinds, for tests and demos without hardware.
package idcard
