// Command provsim runs the reference province of the exchange API v1
// (package hallserver/exchange/provsim): halls push their events to it and
// pull the catalogue, the signed trust document and application updates,
// with faults injected on demand.
//
//	provsim --data /var/lib/provsim --addr 127.0.0.1:8090 --halls halls.json
//
// halls.json lists the halls and their secrets:
//
//	[{"code": "520000-ZWFW", "name": "贵州省政务服务中心", "secret": "<base64 of 32 random bytes>"}]
//
// Every flag can also be set in the environment as PROVSIM_<FLAG> (for
// example PROVSIM_FAIL_RATE=0.3); a flag wins. On start it writes the
// province's public key to DATA/province.pub (base64), which halls pin
// with --province-key. SIGTERM or Ctrl-C stops it gracefully. The guide is
// docs/province-exchange.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "provsim:", err)
		os.Exit(1)
	}
}
