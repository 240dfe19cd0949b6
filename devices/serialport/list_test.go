package serialport

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fakeTree builds the parts of /sys and /dev that list reads: files with
// contents, and symlinks (values starting with "->").
func fakeTree(t *testing.T, entries map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for path, content := range entries {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := cutArrow(content); ok {
			err = os.Symlink(target, full)
		} else if content == "/" {
			err = os.MkdirAll(full, 0o755)
		} else {
			err = os.WriteFile(full, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func cutArrow(s string) (string, bool) {
	if len(s) > 2 && s[:2] == "->" {
		return s[2:], true
	}
	return "", false
}

func TestListFakeSysfs(t *testing.T) {
	const usb = "sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
	const acm = "sys/devices/pci0000:00/0000:00:14.0/usb1/1-3"
	root := fakeTree(t, map[string]string{
		// On-board UARTs: ttyS0, ttyS2 and ttyS10 answer, ttyS1 has none.
		"sys/devices/platform/serial8250/tty/ttyS0/type":    "4\n",
		"sys/devices/platform/serial8250/tty/ttyS1/type":    "0\n",
		"sys/devices/platform/serial8250/tty/ttyS2/type":    "4\n",
		"sys/devices/platform/serial8250/tty/ttyS10/type":   "4\n",
		"sys/devices/platform/serial8250/driver":            "->../../../bus/platform/drivers/serial8250",
		"sys/bus/platform/drivers/serial8250":               "/",
		"sys/class/tty/ttyS0":                               "->../../devices/platform/serial8250/tty/ttyS0",
		"sys/class/tty/ttyS1":                               "->../../devices/platform/serial8250/tty/ttyS1",
		"sys/class/tty/ttyS2":                               "->../../devices/platform/serial8250/tty/ttyS2",
		"sys/class/tty/ttyS10":                              "->../../devices/platform/serial8250/tty/ttyS10",
		"sys/devices/platform/serial8250/tty/ttyS0/device":  "->../..",
		"sys/devices/platform/serial8250/tty/ttyS1/device":  "->../..",
		"sys/devices/platform/serial8250/tty/ttyS2/device":  "->../..",
		"sys/devices/platform/serial8250/tty/ttyS10/device": "->../..",
		// A CH340 USB-serial adapter (ID card reader).
		usb + "/idVendor":                           "1a86\n",
		usb + "/idProduct":                          "7523\n",
		usb + "/product":                            "USB Serial\n",
		usb + "/1-2:1.0/ttyUSB0/tty/ttyUSB0/dev":    "188:0\n",
		usb + "/1-2:1.0/ttyUSB0/driver":             "->../../../../../../bus/usb-serial/drivers/ch341-uart",
		"sys/bus/usb-serial/drivers/ch341-uart":     "/",
		"sys/class/tty/ttyUSB0":                     "->../../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
		usb + "/1-2:1.0/ttyUSB0/tty/ttyUSB0/device": "->../../../ttyUSB0",
		// A CDC-ACM QR scanner with its own strings.
		acm + "/idVendor":                   "0483\n",
		acm + "/idProduct":                  "5740\n",
		acm + "/manufacturer":               "Newland\n",
		acm + "/product":                    "NLS-FR40\n",
		acm + "/serial":                     "NL123456\n",
		acm + "/1-3:1.0/driver":             "->../../../../../../bus/usb/drivers/cdc_acm",
		"sys/bus/usb/drivers/cdc_acm":       "/",
		acm + "/1-3:1.0/tty/ttyACM0/dev":    "166:0\n",
		acm + "/1-3:1.0/tty/ttyACM0/device": "->../../../1-3:1.0",
		"sys/class/tty/ttyACM0":             "->../../devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/tty/ttyACM0",
		// Virtual terminals and a USB port whose node is not there: left out.
		"sys/devices/virtual/tty/tty1/dev": "4:1\n",
		"sys/class/tty/tty1":               "->../../devices/virtual/tty/tty1",
		"sys/class/tty/ttyUSB1":            "->../../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
		// /dev
		"dev/ttyS0": "", "dev/ttyS1": "", "dev/ttyS2": "", "dev/ttyS10": "",
		"dev/ttyUSB0": "", "dev/ttyACM0": "", "dev/tty1": "",
		"dev/serial/by-id/usb-1a86_USB_Serial-if00-port0":     "->../../ttyUSB0",
		"dev/serial/by-id/usb-Newland_NLS-FR40_NL123456-if00": "->../../ttyACM0",
	})
	got, err := list(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Info{
		{Path: "/dev/ttyACM0", ByID: []string{"/dev/serial/by-id/usb-Newland_NLS-FR40_NL123456-if00"}, Driver: "cdc_acm",
			VendorID: "0483", ProductID: "5740", Manufacturer: "Newland", Product: "NLS-FR40", Serial: "NL123456"},
		{Path: "/dev/ttyS0", Driver: "serial8250"},
		{Path: "/dev/ttyS2", Driver: "serial8250"},
		{Path: "/dev/ttyS10", Driver: "serial8250"},
		{Path: "/dev/ttyUSB0", ByID: []string{"/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0"}, Driver: "ch341-uart",
			VendorID: "1a86", ProductID: "7523", Product: "USB Serial"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("list:\n got %+v\nwant %+v", got, want)
	}
}

func TestListNoSysfs(t *testing.T) {
	if _, err := list(t.TempDir()); err == nil {
		t.Fatal("list without /sys/class/tty returned no error")
	}
}

func TestListThisMachine(t *testing.T) {
	ports, err := List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ports {
		if _, err := os.Stat(p.Path); err != nil {
			t.Errorf("listed %s: %v", p.Path, err)
		}
		t.Logf("%+v", p)
	}
}
