package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"onestop/devices/serialport"
)

func (e env) ports(args []string) error {
	fs := flags("ports")
	asJSON := fs.Bool("json", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	ports, err := serialport.List()
	if err != nil {
		return err
	}
	if *asJSON {
		if ports == nil {
			ports = []serialport.Info{}
		}
		return json.NewEncoder(e.stdout).Encode(ports)
	}
	if len(ports) == 0 {
		fmt.Fprintln(e.stdout, "no serial ports found: check that the reader, printer or scanner is plugged in and powered (dmesg shows USB adapters as they appear)")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORT\tDRIVER\tUSB\tDEVICE\tSTABLE NAME")
	for _, p := range ports {
		usb := "-"
		if p.VendorID != "" {
			usb = p.VendorID + ":" + p.ProductID
		}
		dev := strings.TrimSpace(p.Manufacturer + " " + p.Product)
		if dev == "" {
			dev = "-"
		}
		byID := "-"
		if len(p.ByID) > 0 {
			byID = p.ByID[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Path, p.Driver, usb, dev, byID)
	}
	return tw.Flush()
}

// openPort opens a serial port with a read timeout, so that drivers see a
// silent device as a timeout rather than waiting forever.
func openPort(path string, baud int) (*serialport.Port, error) {
	if path == "" {
		return nil, usageError{"--port is required: a serial device such as /dev/ttyUSB0 (see devicectl ports)"}
	}
	return serialport.Open(serialport.Config{Name: path, Baud: baud, ReadTimeout: 200 * time.Millisecond})
}
