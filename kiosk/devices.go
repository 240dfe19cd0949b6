package kiosk

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"onestop/devices/a4"
	"onestop/devices/escpos"
	"onestop/devices/idcard"
	"onestop/devices/scanner"
	"onestop/devices/serialport"
)

// DeviceConfig names the kiosk's devices. An empty port means the kiosk
// has no such device; its functions say so instead of failing later.
type DeviceConfig struct {
	IDCardPort  string `json:"idcard_port"` // e.g. /dev/ttyUSB0
	IDCardBaud  int    `json:"idcard_baud"` // 115200 when 0
	PrinterPort string `json:"printer_port"`
	PrinterBaud int    `json:"printer_baud"` // 9600 when 0
	PaperMM     int    `json:"paper_mm"`     // 58 or 80; 80 when 0
	A4Queue     string `json:"a4_queue"`     // a CUPS queue, or
	A4Server    string `json:"a4_server"`    // (its scheduler, optional)
	A4Folder    string `json:"a4_folder"`    // a folder PDFs are written to
	ScannerPort string `json:"scanner_port"`
	ScannerBaud int    `json:"scanner_baud"` // 9600 when 0
}

// SlipPrinter prints on the ticket printer (*escpos.Printer).
type SlipPrinter interface {
	PrintSlip(s escpos.Slip) (escpos.Status, error)
	PrintLines(title string, lines []string) (escpos.Status, error)
	Status() (escpos.Status, error)
}

// Devices are the kiosk's devices, open and running. A nil field is a
// device the kiosk does not have (or that failed to open: Problems says
// why).
type Devices struct {
	// Cards delivers ID card events (placed, removed, errors).
	Cards <-chan idcard.Event
	// Slips is the ticket printer.
	Slips SlipPrinter
	// Pages is the A4 printer (CUPS or a folder).
	Pages a4.Printer
	// Scans delivers what the QR/barcode scanner read.
	Scans <-chan scanner.Scan
	// Problems says, by device ("idcard", "printer", "a4", "scanner"),
	// why a configured device could not be opened.
	Problems map[string]error

	cancel  context.CancelFunc
	closers []io.Closer
	wg      sync.WaitGroup
}

// cardPoll is how often the card reader is asked for a card: a card placed
// just after a poll waits this long before its read (121 ms at 115200
// baud) starts, so the greeting comes within cardPoll + 121 ms + the
// kiosk's few ms (target 300 ms). The reader's own guidance is about once
// a second; idle polls are 10-byte frames.
const cardPoll = 150 * time.Millisecond

// serialReadTimeout is the read timeout the drivers' ports use: short, so
// that a cancelled context is noticed between reads.
const serialReadTimeout = 100 * time.Millisecond

// OpenDevices opens the configured devices and starts watching the card
// reader and the scanner. It never fails as a whole: a device that cannot
// be opened is left nil with the reason in Problems, and the rest work.
// Close stops everything.
func OpenDevices(cfg DeviceConfig) *Devices {
	ctx, cancel := context.WithCancel(context.Background())
	d := &Devices{Problems: map[string]error{}, cancel: cancel}
	open := func(name, port string, baud, def int) *serialport.Port {
		if baud == 0 {
			baud = def
		}
		p, err := serialport.Open(serialport.Config{Name: port, Baud: baud, ReadTimeout: serialReadTimeout})
		if err != nil {
			d.Problems[name] = err
			return nil
		}
		d.closers = append(d.closers, p)
		return p
	}
	if cfg.IDCardPort != "" {
		if p := open("idcard", cfg.IDCardPort, cfg.IDCardBaud, 115200); p != nil {
			events := make(chan idcard.Event, 4)
			d.Cards = events
			r := idcard.New(p, nil)
			d.wg.Go(func() { idcard.Watch(ctx, r, cardPoll, events) })
		}
	}
	if cfg.PrinterPort != "" {
		if p := open("printer", cfg.PrinterPort, cfg.PrinterBaud, 9600); p != nil {
			opts := escpos.DefaultOpts
			if cfg.PaperMM != 0 {
				opts.PaperWidth = cfg.PaperMM
			}
			pr, err := escpos.New(p, &opts)
			if err != nil {
				d.Problems["printer"] = err
			} else {
				d.Slips = pr
			}
		}
	}
	switch {
	case cfg.A4Queue != "":
		d.Pages = a4.CUPS{Queue: cfg.A4Queue, Server: cfg.A4Server}
	case cfg.A4Folder != "":
		d.Pages = a4.Folder{Dir: cfg.A4Folder}
	}
	if cfg.ScannerPort != "" {
		if p := open("scanner", cfg.ScannerPort, cfg.ScannerBaud, 9600); p != nil {
			scans := make(chan scanner.Scan, 4)
			d.Scans = scans
			sc := scanner.New(p, nil)
			d.wg.Go(func() {
				defer close(scans)
				sc.Run(ctx, func(s scanner.Scan) {
					select {
					case scans <- s:
					case <-ctx.Done():
					}
				})
			})
		}
	}
	return d
}

// Close stops watching and closes the ports.
func (d *Devices) Close() error {
	if d == nil || d.cancel == nil {
		return nil
	}
	d.cancel()
	d.wg.Wait()
	var first error
	for _, c := range d.closers {
		if err := c.Close(); err != nil && first == nil {
			first = fmt.Errorf("kiosk: close device: %w", err)
		}
	}
	return first
}
