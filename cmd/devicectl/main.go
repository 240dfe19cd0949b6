// Command devicectl is the technician's tool for a kiosk's devices: list
// the serial ports, read an ID card, print a test slip or an A4 test page,
// listen to the QR scanner, and run the device simulators for the demo and
// for pointing a kiosk or another devicectl at them.
//
//	devicectl ports [--json]
//	devicectl idcard read --port P [--baud B|auto] [--json] [--timeout 10s]
//	devicectl idcard watch --port P [--baud B|auto]
//	devicectl printer test|status --port P [--baud B] [--width 58|80]
//	devicectl a4 test --queue Q [--server S] | --dir D
//	devicectl scanner listen --port P [--baud B] [--terminator cr|lf|crlf|tab] [--json]
//	devicectl sim idcard|printer|scanner [options]
//
// Exit status 0 on success; 1 with a message saying what failed and what
// to check; 2 for a mistake in the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `devicectl tests and simulates a OneStop kiosk's devices.

  devicectl ports [--json]                      list serial ports
  devicectl idcard read --port P [--baud B|auto] [--json] [--timeout 10s]
                                                waits up to --timeout for a card
  devicectl idcard watch --port P [--baud B|auto]
  devicectl printer test --port P [--baud B] [--width 58|80]
  devicectl printer status --port P [--baud B]
  devicectl a4 test --queue Q [--server S]      print an A4 test page through CUPS
  devicectl a4 test --dir D                     ... or write it into a folder
  devicectl scanner listen --port P [--baud B] [--terminator cr|lf|crlf|tab] [--json]
  devicectl sim idcard [--baud B] [--place N] [--link PATH]   simulated reader on a pty
  devicectl sim printer [--width 58|80] [--out DIR] [--link PATH]
  devicectl sim scanner [--baud B] [--link PATH]

P is a serial device such as /dev/ttyUSB0 (or a simulator's pty path).
`

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "devicectl: %v\n\n%s", err, usage)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "devicectl:", err)
		os.Exit(1)
	}
}

// env is what every command works with.
type env struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	e := env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	sub, rest := "", []string(nil)
	if len(args) > 1 {
		sub, rest = args[1], args[2:]
	}
	type cmd = func([]string) error
	table := map[string]map[string]cmd{
		"idcard":  {"read": e.idcardRead, "watch": e.idcardWatch},
		"printer": {"test": e.printerTest, "status": e.printerStatus},
		"a4":      {"test": e.a4Test},
		"scanner": {"listen": e.scannerListen},
		"sim":     {"idcard": e.simIDCard, "printer": e.simPrinter, "scanner": e.simScanner},
	}
	if args[0] == "ports" {
		return e.ports(args[1:])
	}
	subs, ok := table[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	c, ok := subs[sub]
	if !ok {
		return usageError{fmt.Sprintf("%s %q: not a command (see devicectl help)", args[0], sub)}
	}
	return c(rest)
}

// flags returns a flag set whose errors are usage errors.
func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}
