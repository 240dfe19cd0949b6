package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"onestop/devices/escpos"
)

func (e env) printerFlags(name string, args []string, withWidth bool) (port string, baud, width int, err error) {
	fs := flags(name)
	p := fs.String("port", "", "")
	b := fs.Int("baud", 9600, "")
	w := fs.Int("width", 80, "")
	if err := parse(fs, args); err != nil {
		return "", 0, 0, err
	}
	if withWidth && *w != 58 && *w != 80 {
		return "", 0, 0, usageError{"--width must be 58 or 80 (mm of paper)"}
	}
	return *p, *b, *w, nil
}

func (e env) openPrinter(port string, baud, width int) (*escpos.Printer, func(), error) {
	sp, err := openPort(port, baud)
	if err != nil {
		return nil, nil, err
	}
	opts := escpos.DefaultOpts
	opts.PaperWidth = width
	p, err := escpos.New(sp, &opts)
	if err != nil {
		sp.Close()
		return nil, nil, err
	}
	return p, func() { sp.Close() }, nil
}

// printerTest prints a test slip laid out like a real one.
func (e env) printerTest(args []string) error {
	port, baud, width, err := e.printerFlags("printer test", args, true)
	if err != nil {
		return err
	}
	p, done, err := e.openPrinter(port, baud, width)
	if err != nil {
		return err
	}
	defer done()
	host, _ := os.Hostname()
	st, err := p.PrintSlip(escpos.Slip{
		Hall: "政务服务中心 打印测试", Queue: "测试", QueueEn: "Test", Number: "T000",
		Ahead: 3, Wait: 12 * time.Minute, IssuedAt: time.Now(),
		URL:  "https://onestop.invalid/t/printer-test",
		Note: fmt.Sprintf("devicectl 打印测试 / test slip, %s, %d mm", host, width),
	})
	if err != nil {
		return printerProblem(err)
	}
	fmt.Fprintf(e.stdout, "test slip sent to %s (%d mm); printer status: %s\n", port, width, describeStatus(st))
	return nil
}

func (e env) printerStatus(args []string) error {
	port, baud, width, err := e.printerFlags("printer status", args, false)
	if err != nil {
		return err
	}
	p, done, err := e.openPrinter(port, baud, width)
	if err != nil {
		return err
	}
	defer done()
	st, err := p.Status()
	if err != nil {
		return printerProblem(err)
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", port, describeStatus(st))
	if err := st.Err(); err != nil {
		return printerProblem(err)
	}
	return nil
}

// describeStatus says in a few words how the printer is.
func describeStatus(st escpos.Status) string {
	if err := st.Err(); err != nil {
		return err.Error()
	}
	if w := st.Warning(); w != nil {
		return "ready, but " + w.Error()
	}
	return "ready"
}

// printerProblem adds what to check to a printer error.
func printerProblem(err error) error {
	var p *escpos.Problem
	if errors.As(err, &p) && p.Code == escpos.ErrNoResponse.Code {
		return fmt.Errorf("%w: check that the printer is on, the cable is in, and --baud matches the printer's setting (often 9600, 19200 or 115200)", err)
	}
	return err
}
