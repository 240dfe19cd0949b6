package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/auth"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/certkeys"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func (e env) initHall(args []string) error {
	fs := e.flags("init")
	dir := fs.String("data", "", "hall data directory")
	code := fs.String("hall-code", "", "hall code, e.g. 520000-ZWFW")
	name := fs.String("name", "", "hall name, e.g. 贵州省政务服务中心")
	publicURL := fs.String("public-url", "", "the address printed in certificate QR codes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *code == "" || *name == "" {
		return usageError{"init needs --data, --hall-code and --name"}
	}
	h := store.Hall{Code: *code, Name: *name}
	if err := store.ValidateHall(h); err != nil {
		return err
	}
	cat, err := catalogue.Seed()
	if err != nil {
		return err
	}
	st, err := store.Open(e.ctx, *dir, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.InitHall(e.ctx, actor(), h, cat); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("%s: %s; nothing changed", *dir, hallserver.UserMessage(err))
		}
		return err
	}
	fmt.Fprintf(e.stdout, "initialised hall %s (%s) in %s: %d departments, %d items, %d queues, %d windows\n",
		h.Code, h.Name, *dir, len(cat.Departments), len(cat.Items), len(cat.Queues), len(cat.Windows))
	if _, err := hallserver.EnsureSigningKey(e.ctx, st, certkeys.Open(*dir), actor()); err != nil {
		return fmt.Errorf("the hall was made, but its certificate signing key was not: %w; make one with hallctl cert key rotate --data %s", err, *dir)
	}
	kid, _ := st.ActiveSigningKey(e.ctx)
	fmt.Fprintf(e.stdout, "certificate signing key %s made in %s (mode 0600: back it up with the data directory)\n",
		kid, filepath.Join(*dir, certkeys.Dir))
	if *publicURL != "" {
		if err := st.SetCertificateURL(e.ctx, actor(), *publicURL); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "before issuing certificates, set the address citizens check them at: hallctl cert set-url --data %s https://…\n", *dir)
	}
	fmt.Fprintf(e.stdout, "next: hallctl users add --data %s --username admin --role admin\n", *dir)
	return nil
}

// readPassword reads one line from stdin.
func (e env) readPassword() (string, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("--password-stdin: no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (e env) password(fromStdin bool) (pw string, generated bool, err error) {
	if fromStdin {
		pw, err = e.readPassword()
		return pw, false, err
	}
	return newPassword(), true, nil
}

// hallCmd parses a command's flags — --data, and those define adds — and
// runs it on the opened hall. define may return a check of the flags,
// run before the hall is opened.
func (e env) hallCmd(name string, args []string, define func(*flag.FlagSet) func() error, run func(*store.Store) error) error {
	return e.hallDirCmd(name, args, define, func(st *store.Store, _ string) error { return run(st) })
}

// hallDirCmd is hallCmd for commands that also need the data directory
// itself (its keys).
func (e env) hallDirCmd(name string, args []string, define func(*flag.FlagSet) func() error, run func(st *store.Store, dir string) error) error {
	fs := e.flags(name)
	dir := fs.String("data", "", "")
	check := define(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	return run(st, *dir)
}

// output prints v as JSON with --json, otherwise as a table.
func (e env) output(asJSON bool, v any, header string, rows [][]string) error {
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(v)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func localTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(queue.Location).Format(layout)
}

func (e env) usersAdd(args []string) error {
	var username, role, display *string
	var stdinPW *bool
	return e.hallCmd("users add", args, func(fs *flag.FlagSet) func() error {
		username, role = fs.String("username", "", ""), fs.String("role", "", "")
		display, stdinPW = fs.String("display-name", "", ""), fs.Bool("password-stdin", false, "")
		return func() error {
			if *username == "" || *role == "" {
				return usageError{"users add needs --username and --role"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		pw, hash, generated, err := e.newPasswordHash(*stdinPW)
		if err != nil {
			return err
		}
		u, err := st.CreateUser(e.ctx, actor(), store.NewUser{Username: *username, DisplayName: *display, Role: *role, PasswordHash: hash})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s (%s, %s)\n", u.Username, u.DisplayName, u.Role)
		if generated {
			fmt.Fprintf(e.stdout, "password: %s\n(shown once: hand it over, the user can change it after signing in)\n", pw)
		}
		return nil
	})
}

// newPasswordHash reads the password from stdin or makes one, and hashes it.
func (e env) newPasswordHash(fromStdin bool) (pw, hash string, generated bool, err error) {
	pw, generated, err = e.password(fromStdin)
	if err != nil {
		return "", "", false, err
	}
	hash, err = auth.HashPassword(pw)
	return pw, hash, generated, err
}

func (e env) usersList(args []string) error {
	var asJSON *bool
	return e.hallCmd("users list", args, func(fs *flag.FlagSet) func() error {
		asJSON = fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		us, err := st.Users(e.ctx)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, u := range us {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			rows = append(rows, []string{u.Username, u.DisplayName, u.Role, status, localTime(u.CreatedAt, "2006-01-02 15:04")})
		}
		return e.output(*asJSON, us, "USERNAME\tNAME\tROLE\tSTATUS\tCREATED", rows)
	})
}

func (e env) usersResetPassword(args []string) error {
	var username *string
	var stdinPW *bool
	return e.hallCmd("users reset-password", args, func(fs *flag.FlagSet) func() error {
		username, stdinPW = fs.String("username", "", ""), fs.Bool("password-stdin", false, "")
		return func() error {
			if *username == "" {
				return usageError{"users reset-password needs --username"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		pw, hash, generated, err := e.newPasswordHash(*stdinPW)
		if err != nil {
			return err
		}
		if err := st.SetPassword(e.ctx, actor(), *username, hash); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of %s reset; their sessions are ended\n", *username)
		if generated {
			fmt.Fprintf(e.stdout, "password: %s\n", pw)
		}
		return nil
	})
}

func (e env) kioskEnrollCode(args []string) error {
	var kiosk *string
	var ttl *time.Duration
	return e.hallCmd("kiosk enroll-code", args, func(fs *flag.FlagSet) func() error {
		kiosk, ttl = fs.String("kiosk", "", ""), fs.Duration("ttl", 24*time.Hour, "")
		return func() error {
			if *kiosk == "" {
				return usageError{"kiosk enroll-code needs --kiosk NAME (e.g. K01)"}
			}
			if *ttl <= 0 || *ttl > 30*24*time.Hour {
				return usageError{"--ttl must be between 1s and 720h"}
			}
			return nil
		}
	}, func(st *store.Store) error {
		code, err := hallserver.CreateEnrollmentCode(e.ctx, st, actor(), *kiosk, *ttl)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "enrollment code for kiosk %s: %s\nvalid until %s; type it in the kiosk's technician screen (once)\n",
			code.Kiosk, code.Code, localTime(code.ExpiresAt, "2006-01-02 15:04"))
		return nil
	})
}

func (e env) kioskList(args []string) error {
	var asJSON *bool
	return e.hallCmd("kiosk list", args, func(fs *flag.FlagSet) func() error {
		asJSON = fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		ks, err := st.Kiosks(e.ctx)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, k := range ks {
			online, problems := "no", "-"
			if k.Online {
				online = "yes"
			}
			var ps []string
			for _, p := range k.Problems {
				ps = append(ps, p.Device+": "+p.Problem)
			}
			if len(ps) > 0 {
				problems = strings.Join(ps, "; ")
			}
			rows = append(rows, []string{k.Name, localTime(k.EnrolledAt, "2006-01-02 15:04"), localTime(k.LastSeen, "2006-01-02 15:04:05"), online, problems})
		}
		return e.output(*asJSON, ks, "KIOSK\tENROLLED\tLAST SEEN\tONLINE\tPROBLEMS", rows)
	})
}

// ticketRow is a ticket as hallctl prints it.
type ticketRow struct {
	ID       int64     `json:"id"`
	Number   string    `json:"number"`
	Queue    string    `json:"queue"`
	Item     string    `json:"item,omitempty"`
	Priority string    `json:"priority,omitempty"`
	State    string    `json:"state"`
	Window   string    `json:"window,omitempty"`
	IssuedAt time.Time `json:"issued_at"`
}

func (e env) ticketsToday(args []string) error {
	var day *string
	var asJSON *bool
	return e.hallCmd("tickets today", args, func(fs *flag.FlagSet) func() error {
		day, asJSON = fs.String("day", "", ""), fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		if *day == "" {
			*day = queue.ServiceDay(time.Now())
		}
		ts, err := st.Tickets(e.ctx, *day)
		if err != nil {
			return err
		}
		out := make([]ticketRow, len(ts))
		rows := make([][]string, len(ts))
		for i, t := range ts {
			out[i] = ticketRow{t.ID, t.Number, t.Queue, t.Item, string(t.Priority), string(t.State), t.Window, t.IssuedAt}
			rows[i] = []string{t.Number, t.Queue, dash(t.Item), dash(string(t.Priority)), string(t.State), dash(t.Window),
				localTime(t.IssuedAt, "15:04:05")}
		}
		if err := e.output(*asJSON, out, "NUMBER\tQUEUE\tITEM\tPRIORITY\tSTATE\tWINDOW\tISSUED", rows); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintf(e.stdout, "%d tickets on %s\n", len(ts), *day)
		}
		return nil
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (e env) auditVerify(args []string) error {
	var asJSON *bool
	return e.hallCmd("audit verify", args, func(fs *flag.FlagSet) func() error {
		asJSON = fs.Bool("json", false, "")
		return nil
	}, func(st *store.Store) error {
		v, err := st.VerifyAudit(e.ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			json.NewEncoder(e.stdout).Encode(v)
		} else if v.OK {
			fmt.Fprintf(e.stdout, "audit chain intact: %d records, head %d %s\n", v.Records, v.HeadID, v.HeadHash)
		}
		if !v.OK {
			return fmt.Errorf("audit chain BROKEN at record %d: %s (%d records read)", v.FirstBad, v.Problem, v.Records)
		}
		return nil
	})
}
