package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"onestop/devices/scanner"
)

var terminators = map[string]string{"cr": "\r", "lf": "\n", "crlf": "\r\n", "tab": "\t"}

// scannerListen prints each code the scanner reads until Ctrl-C.
func (e env) scannerListen(args []string) error {
	fs := flags("scanner listen")
	port := fs.String("port", "", "")
	baud := fs.Int("baud", 9600, "")
	term := fs.String("terminator", "cr", "")
	asJSON := fs.Bool("json", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	t, ok := terminators[*term]
	if !ok {
		return usageError{"--terminator must be cr, lf, crlf or tab (the suffix the scanner is set to send)"}
	}
	sp, err := openPort(*port, *baud)
	if err != nil {
		return err
	}
	defer sp.Close()
	fmt.Fprintf(e.stderr, "listening on %s at %d baud; scan a code (Ctrl-C to stop)\n", *port, *baud)
	s := scanner.New(sp, &scanner.Opts{Terminator: t})
	enc := json.NewEncoder(e.stdout)
	err = s.Run(e.ctx, func(sc scanner.Scan) {
		switch {
		case *asJSON:
			enc.Encode(map[string]any{"text": sc.Text, "time": sc.Time, "error": errString(sc.Err)})
		case sc.Err != nil:
			fmt.Fprintf(e.stdout, "%s  (refused: %v)\n", sc.Time.Format("15:04:05.000"), sc.Err)
		default:
			fmt.Fprintf(e.stdout, "%s  %s\n", sc.Time.Format("15:04:05.000"), sc.Text)
		}
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
