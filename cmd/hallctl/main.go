// Command hallctl administers a hall from its data directory: initialise
// a hall, manage staff accounts, make kiosk enrollment codes, list the
// day's tickets and verify the audit trail. It works beside a running
// hall server (SQLite in WAL mode lets both write), and every change it
// makes is audited as "hallctl:<user>".
//
//	hallctl init --data DIR --hall-code CODE --name NAME
//	hallctl users add --data DIR --username U --role counter [--display-name N] [--password-stdin]
//	hallctl users list --data DIR
//	hallctl users reset-password --data DIR --username U [--password-stdin]
//	hallctl kiosk enroll-code --data DIR --kiosk K01 [--ttl 24h]
//	hallctl kiosk list --data DIR
//	hallctl tickets today --data DIR [--day YYYY-MM-DD] [--json]
//	hallctl audit verify --data DIR [--json]
//	hallctl calendar list --data DIR [--json]
//	hallctl calendar import --data DIR FILE.json
//	hallctl province status|replay|discard|new-epoch --data DIR ...
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"onestop/hallserver"
	"os"
	"os/signal"
	"syscall"
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `hallctl administers a OneStop hall from its data directory.

Commands:
  init            --data DIR --hall-code CODE --name NAME [--public-url URL]   make DIR a new hall
  users add       --data DIR --username U --role ROLE [--display-name N] [--password-stdin]
  users list      --data DIR [--json]
  users reset-password --data DIR --username U [--password-stdin]
  kiosk enroll-code --data DIR --kiosk NAME [--ttl 24h]
  kiosk list      --data DIR [--json]
  tickets today   --data DIR [--day YYYY-MM-DD] [--json]
  audit verify    --data DIR [--json]
  calendar list   --data DIR [--json]                     holiday calendar years, official or provisional
  calendar import --data DIR FILE.json                    a year's State Council notice (see assets/holidays)
  application accept --data DIR --item CODE --applicant-name N (--applicant-id ID | --applicant-id-stdin) [--ticket ID] [--window N]
  application event NUMBER --data DIR --kind K [--step S] [--suspend S] [--days N] [--outcome O] [--note T] [--field K=V]...
                  kinds: advance (--step review|decide|make|deliver; make takes the certificate's --field values),
                  request_materials, materials_received, suspend, resume, extend, complete
  application show NUMBER --data DIR [--json]              with its working-day clock
  application find --data DIR (--applicant-id ID | --notice QR-TEXT) [--json]
  application number-format --data DIR FORMAT              e.g. '{hall}-{date}-{seq:5}'
  cert issue      --data DIR --type T --holder-name N (--holder-id ID | --holder-id-stdin) [--title T] [--field K=V]...
                  [--valid-years N | --expires YYYY-MM-DD] --out FILE.pdf   issue, sign, print; shows the QR text
  cert verify     (--data DIR | --trust FILE) CODE|-       check a certificate's QR text offline
  cert print      --data DIR --serial S --out FILE.pdf     print again (marked as a reprint, recorded)
  cert revoke     --data DIR --serial S --reason R
  cert set-url    --data DIR URL                           the address printed in QR codes (…/C/<code>)
  cert key list   --data DIR [--json]
  cert key rotate --data DIR [--note N]                    new signing key; the old one's certificates stay valid
  cert key revoke --data DIR --kid KID --reason R          everything the key signed stops verifying
  cert trust export --data DIR [--out FILE]                this hall's trust list, for the province
  cert trust import --data DIR FILE                        the province's trust list
  stats export    --data DIR --from YYYY-MM-DD --to YYYY-MM-DD [--period day|week|month|hour] [--by department|item|window|staff] [--csv]
                  figures per period (month by default); --csv: UTF-8 CSV with a BOM, for Excel on a Chinese Windows

  province status  --data DIR [--json]                    what waits to go to the province, dead letters, what was pulled
  province replay  --data DIR (--ids ID,... | --all)       send dead letters again (after their cause is fixed)
  province discard --data DIR --ids ID,... --reason R      give up on dead letters for good (audited; last resort)
  province new-epoch --data DIR                            new idempotency keys: run after restoring a backup
Roles: counter, supervisor, admin, technician.
Without --password-stdin a strong password is generated and printed once.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "hallctl: %v\n\n%s", err, usage)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "hallctl:", hallserver.UserMessage(err))
		os.Exit(1)
	}
}

// run dispatches to the commands.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	e := env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	switch args[0] {
	case "init":
		return e.initHall(args[1:])
	case "users":
		switch sub {
		case "add":
			return e.usersAdd(args[2:])
		case "list":
			return e.usersList(args[2:])
		case "reset-password":
			return e.usersResetPassword(args[2:])
		}
		return usageError{fmt.Sprintf("users %q: use add, list or reset-password", sub)}
	case "kiosk":
		switch sub {
		case "enroll-code":
			return e.kioskEnrollCode(args[2:])
		case "list":
			return e.kioskList(args[2:])
		}
		return usageError{fmt.Sprintf("kiosk %q: use enroll-code or list", sub)}
	case "tickets":
		if sub == "today" {
			return e.ticketsToday(args[2:])
		}
		return usageError{fmt.Sprintf("tickets %q: use today", sub)}
	case "calendar":
		switch sub {
		case "import":
			return e.calendarImport(args[2:])
		case "list":
			return e.calendarList(args[2:])
		}
		return usageError{fmt.Sprintf("calendar %q: use import or list", sub)}
	case "cert":
		return e.cert(sub, args[2:])
	case "application":
		return e.application(sub, args[2:])
	case "stats":
		return e.stats(sub, args[2:])
	case "province":
		return e.province(sub, args[2:])
	case "audit":
		if sub == "verify" {
			return e.auditVerify(args[2:])
		}
		return usageError{fmt.Sprintf("audit %q: use verify", sub)}
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
