package serialport

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Info describes a serial port present on the machine.
type Info struct {
	// Path is the device path, e.g. /dev/ttyUSB0.
	Path string
	// ByID are its stable names under /dev/serial/by-id (USB devices
	// only), which survive replugging into another USB socket: prefer
	// them in a kiosk's configuration.
	ByID []string
	// Driver is the kernel driver, e.g. ch341-uart, cp210x, ftdi_sio,
	// pl2303, cdc_acm (scanners and many card readers), serial8250.
	Driver string
	// VendorID and ProductID are the USB identity in hex, e.g. "1a86"
	// and "7523"; empty for on-board ports.
	VendorID, ProductID string
	// Manufacturer, Product and Serial are the USB device's own strings,
	// when it has them.
	Manufacturer, Product, Serial string
}

// prefixes are the serial device names List looks for: on-board UARTs,
// USB-serial adapters, USB CDC-ACM devices, ARM boards' UARTs.
var prefixes = []string{"ttyS", "ttyUSB", "ttyACM", "ttyAMA"}

// List returns the serial ports present, in name order. On-board ttyS
// names that have no UART behind them (the kernel always creates a few)
// are left out.
func List() ([]Info, error) {
	return list("/")
}

// list reads sysfs and /dev under root, so tests can give it a fake tree.
func list(root string) ([]Info, error) {
	classDir := filepath.Join(root, "sys/class/tty")
	entries, err := os.ReadDir(classDir)
	if err != nil {
		return nil, fmt.Errorf("serialport: list ports: %w", err)
	}
	byID := byIDNames(root)
	var ports []Info
	for _, e := range entries {
		name := e.Name()
		if !slices.ContainsFunc(prefixes, func(p string) bool { return isNumbered(name, p) }) {
			continue
		}
		dir := filepath.Join(classDir, name)
		dev, err := filepath.EvalSymlinks(filepath.Join(dir, "device"))
		if err != nil {
			continue // a virtual tty, no hardware behind it
		}
		if strings.HasPrefix(name, "ttyS") && !isUART(dir) {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "dev", name)); err != nil {
			continue // no device node (yet)
		}
		info := Info{Path: "/dev/" + name, ByID: byID[name]}
		if drv, err := os.Readlink(filepath.Join(dev, "driver")); err == nil {
			info.Driver = filepath.Base(drv)
		}
		if usb := usbDevice(dev, filepath.Join(root, "sys")); usb != "" {
			info.VendorID = readAttr(usb, "idVendor")
			info.ProductID = readAttr(usb, "idProduct")
			info.Manufacturer = readAttr(usb, "manufacturer")
			info.Product = readAttr(usb, "product")
			info.Serial = readAttr(usb, "serial")
		}
		ports = append(ports, info)
	}
	slices.SortFunc(ports, func(a, b Info) int {
		pa, na := splitNumber(a.Path)
		pb, nb := splitNumber(b.Path)
		return cmp.Or(strings.Compare(pa, pb), cmp.Compare(na, nb))
	})
	return ports, nil
}

// isNumbered reports whether name is prefix followed by a number.
func isNumbered(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

func splitNumber(path string) (string, int) {
	i := len(path)
	for i > 0 && path[i-1] >= '0' && path[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(path[i:])
	return path[:i], n
}

// isUART reports whether a ttyS port has a UART: the 8250 driver creates
// ttyS0..3 whether or not one answers, with type 0 (PORT_UNKNOWN) then.
func isUART(dir string) bool {
	t := readAttr(dir, "type")
	return t != "" && t != "0"
}

// usbDevice finds the USB device above a tty's device directory: the
// first ancestor with an idVendor attribute.
func usbDevice(dev, sysRoot string) string {
	for d := dev; strings.HasPrefix(d, sysRoot) && len(d) > len(sysRoot); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "idVendor")); err == nil {
			return d
		}
	}
	return ""
}

func readAttr(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// byIDNames maps tty names (ttyUSB0) to their /dev/serial/by-id links.
func byIDNames(root string) map[string][]string {
	dir := filepath.Join(root, "dev/serial/by-id")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := map[string][]string{}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		tty := filepath.Base(target)
		names[tty] = append(names[tty], "/dev/serial/by-id/"+e.Name())
	}
	return names
}
