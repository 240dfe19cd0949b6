// Package serialport opens the kiosk's serial devices (ID card reader,
// ticket printer, QR scanner: RS-232 ports and USB-serial adapters) over
// github.com/tarm/serial, and fixes what tarm leaves to its callers:
//
//   - Read timeouts: on Linux tarm reports an expired ReadTimeout as
//     (0, io.EOF), which would end any reader. Port.Read returns
//     ErrTimeout instead, an error whose Timeout() is true (the os and net
//     convention that drivers test), and reports a device that went away
//     (USB adapter unplugged: the tty is hung up) as a *PortError.
//   - Exclusive access: Open takes an flock(2) lock and sets TIOCEXCL, so
//     two programs never share a port; a port already held is reported as
//     Busy, naming the holder when /proc shows it.
//   - Errors a technician can act on: *PortError tells whether the port is
//     Missing, Busy or not permitted (Permission), with the fix in Hint.
//
// List enumerates the serial ports present, with their /dev/serial/by-id
// names and USB identities, for `devicectl ports`.
//
// Drivers never open ports: they take an io.ReadWriter, and cmd/ opens it
// here. Tests run the same code over a pseudo-terminal (devicetest.OpenPTY);
// ../shared/protocols/TESTING-DEVICES.md describes the approach and
// tarm's timeout caveat (tarm/serial issue #128).
package serialport
