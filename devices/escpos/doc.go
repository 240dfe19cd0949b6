// Package escpos drives the kiosk's thermal ticket printer: an ESC/POS
// printer on 58 mm or 80 mm paper, reached over a serial line. It
// builds print jobs (Chinese text in GB18030, alignment, bold, character
// size, QR codes, feeds and cuts), reads the printer's status with DLE EOT
// and decodes it into typed problems a kiosk can show in Chinese and a
// technician can read in English, and lays out the hall's queue slip and a
// generic list printout (the materials checklist).
//
// The protocol is described in ../shared/protocols/ESCPOS.md; the bytes
// written here are the ones that document gives, plus ESC d n (print and
// feed n lines), which every ESC/POS printer has and the document leaves
// out.
//
// A Printer takes an io.ReadWriter (devices/serialport opens the port; in
// tests a devicetest.PrinterSim or a devicetest.Playback stands in). A
// whole slip is built first, so that text the printer cannot print is
// refused before any byte is sent, then the printer's status is checked,
// and the slip goes out in a single Write.
package escpos
