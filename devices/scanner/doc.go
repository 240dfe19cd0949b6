// Package scanner reads QR code and barcode scanners in serial mode
// (RS-232, or USB in its virtual COM port / CDC-ACM mode, not keyboard
// mode). Such a scanner sends each code it reads as one line: the code's
// bytes, then a suffix set in the scanner's configuration (usually by
// scanning a setup barcode from its manual), CR by default on most models
// (Honeywell, Newland, Zebra), CRLF or LF on others.
//
// A Scanner splits the byte stream into scans: it ignores empty lines,
// reports a line longer than Opts.MaxLen as an error event and resumes at
// the next terminator (so one garbled or misconfigured code never shifts
// the ones after it), reads on through the port's read timeouts, and
// stops when its context is cancelled or the port fails.
//
// The bytes of a code are delivered as they came: many scanners made for
// China send Chinese text in GBK unless set to UTF-8, so a caller that
// shows the text checks utf8.ValidString first.
//
// devicetest.ScannerSim plays a scanner on a pseudo-terminal for tests and
// the demo; ../shared/protocols/TESTING-DEVICES.md describes the
// approach.
package scanner
