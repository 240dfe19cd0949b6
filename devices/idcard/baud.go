package idcard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrNoReader is matched by DetectBaud's error when no speed drew a
// working answer.
var ErrNoReader = errors.New("idcard: no reader answered")

// ProbeOpts are the options DetectBaud probes each speed with: one SAM
// status command, an answer within half a second (10 bytes take 10 ms at
// 9600 baud).
var ProbeOpts = Opts{HeaderTimeout: 500 * time.Millisecond, TotalTimeout: time.Second, Attempts: 1}

// DetectBaud finds the speed of a reader, as Sdtapi does: for each baud
// rate in bauds (nil: Bauds, 115200 first) it opens the port with open,
// asks for the SAM status (11 FF) and keeps the first port whose SAM
// answers SW3 = 0x90. It closes every port it does not return. The error,
// when no speed works, matches ErrNoReader and joins what each speed
// gave (e.g. a SAM that answers but reports a failed self-test).
func DetectBaud(ctx context.Context, open func(baud int) (io.ReadWriteCloser, error), bauds []int) (baud int, rw io.ReadWriteCloser, err error) {
	if len(bauds) == 0 {
		bauds = Bauds
	}
	var errs []error
	for _, b := range bauds {
		if err := ctx.Err(); err != nil {
			return 0, nil, fmt.Errorf("idcard: detect baud: %w", err)
		}
		port, err := open(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("at %d baud: %w", b, err))
			continue
		}
		err = New(port, &ProbeOpts).SAMStatus(ctx)
		if err == nil {
			return b, port, nil
		}
		errs = append(errs, fmt.Errorf("at %d baud: %w", b, err))
		if cerr := port.Close(); cerr != nil {
			errs = append(errs, fmt.Errorf("at %d baud: close: %w", b, cerr))
		}
	}
	return 0, nil, fmt.Errorf("%w at %v: %w", ErrNoReader, bauds, errors.Join(errs...))
}
