// Package devicetest lets device drivers and the kiosk run without
// hardware. It has two kinds of fakes, as periph's conntest does:
//
//   - Playback: an io.ReadWriter that checks each write a driver makes
//     against a recorded script and answers with the recorded bytes, for
//     byte-level tests of every command and status; Record captures such
//     a script from a real device.
//   - Simulators that speak each device's protocol on a pseudo-terminal
//     (see PTY), so that drivers, devicectl and the demo open them with
//     devices/serialport exactly like a real port: an ID card reader with
//     sample cards, an ESC/POS ticket printer that renders what it printed,
//     and a QR/barcode scanner.
//
// ../shared/protocols/TESTING-DEVICES.md describes the approach.
package devicetest
