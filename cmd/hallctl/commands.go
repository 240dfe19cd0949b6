package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"onestop/hallserver"
	"onestop/hallserver/auth"
	"onestop/hallserver/catalogue"
	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

func (e env) initHall(args []string) error {
	fs := e.flags("init")
	dir := fs.String("data", "", "hall data directory")
	code := fs.String("hall-code", "", "hall code, e.g. 520000-ZWFW")
	name := fs.String("name", "", "hall name, e.g. 贵州省政务服务中心")
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

func (e env) usersAdd(args []string) error {
	fs := e.flags("users add")
	dir := fs.String("data", "", "")
	username := fs.String("username", "", "")
	role := fs.String("role", "", "")
	display := fs.String("display-name", "", "")
	stdinPW := fs.Bool("password-stdin", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *username == "" || *role == "" {
		return usageError{"users add needs --username and --role"}
	}
	pw, generated, err := e.password(*stdinPW)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(e.ctx, actor(), store.NewUser{Username: *username, DisplayName: *display, Role: *role, PasswordHash: hash})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %s (%s, %s)\n", u.Username, u.DisplayName, u.Role)
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n(shown once: hand it over, the user can change it after signing in)\n", pw)
	}
	return nil
}

func (e env) usersList(args []string) error {
	fs := e.flags("users list")
	dir := fs.String("data", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	us, err := st.Users(e.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(us)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tSTATUS\tCREATED")
	for _, u := range us {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, u.Role, status, u.CreatedAt.In(queue.Location).Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func (e env) usersResetPassword(args []string) error {
	fs := e.flags("users reset-password")
	dir := fs.String("data", "", "")
	username := fs.String("username", "", "")
	stdinPW := fs.Bool("password-stdin", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return usageError{"users reset-password needs --username"}
	}
	pw, generated, err := e.password(*stdinPW)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetPassword(e.ctx, actor(), *username, hash); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s reset; their sessions are ended\n", *username)
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n", pw)
	}
	return nil
}

func (e env) kioskEnrollCode(args []string) error {
	fs := e.flags("kiosk enroll-code")
	dir := fs.String("data", "", "")
	kiosk := fs.String("kiosk", "", "")
	ttl := fs.Duration("ttl", 24*time.Hour, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *kiosk == "" {
		return usageError{"kiosk enroll-code needs --kiosk NAME (e.g. K01)"}
	}
	if *ttl <= 0 || *ttl > 30*24*time.Hour {
		return usageError{"--ttl must be between 1s and 720h"}
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	code, err := hallserver.CreateEnrollmentCode(e.ctx, st, actor(), *kiosk, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "enrollment code for kiosk %s: %s\nvalid until %s; type it in the kiosk's technician screen (once)\n",
		code.Kiosk, code.Code, code.ExpiresAt.In(queue.Location).Format("2006-01-02 15:04"))
	return nil
}

func (e env) kioskList(args []string) error {
	fs := e.flags("kiosk list")
	dir := fs.String("data", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	ks, err := st.Kiosks(e.ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(ks)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIOSK\tENROLLED\tLAST SEEN")
	for _, k := range ks {
		seen := "never"
		if !k.LastSeen.IsZero() {
			seen = k.LastSeen.In(queue.Location).Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.EnrolledAt.In(queue.Location).Format("2006-01-02 15:04"), seen)
	}
	return tw.Flush()
}

func (e env) ticketsToday(args []string) error {
	fs := e.flags("tickets today")
	dir := fs.String("data", "", "")
	day := fs.String("day", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := e.openHall(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if *day == "" {
		*day = queue.ServiceDay(time.Now())
	}
	ts, err := st.Tickets(e.ctx, *day)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			ID       int64     `json:"id"`
			Number   string    `json:"number"`
			Queue    string    `json:"queue"`
			Item     string    `json:"item,omitempty"`
			Priority string    `json:"priority,omitempty"`
			State    string    `json:"state"`
			Window   string    `json:"window,omitempty"`
			IssuedAt time.Time `json:"issued_at"`
		}
		rows := make([]row, len(ts))
		for i, t := range ts {
			rows[i] = row{t.ID, t.Number, t.Queue, t.Item, string(t.Priority), string(t.State), t.Window, t.IssuedAt}
		}
		return json.NewEncoder(e.stdout).Encode(rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "NUMBER\tQUEUE\tITEM\tPRIORITY\tSTATE\tWINDOW\tISSUED\n")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Number, t.Queue, dash(t.Item), dash(string(t.Priority)),
			t.State, dash(t.Window), t.IssuedAt.In(queue.Location).Format("15:04:05"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d tickets on %s\n", len(ts), *day)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (e env) auditVerify(args []string) error {
	fs := e.flags("audit verify")
	dir := fs.String("data", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"--data DIR is required"}
	}
	if _, err := os.Stat(filepath.Join(*dir, store.FileName)); err != nil {
		return fmt.Errorf("no hall in %s: check --data", *dir)
	}
	st, err := store.Open(e.ctx, *dir, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
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
}
