package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"onestop/hallserver/store"
)

// hallctl runs the command in-process and returns its output and error.
func hallctl(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

func newHall(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := hallctl(t, "", "init", "--data", dir, "--hall-code", "520100-TEST", "--name", "测试政务服务中心"); err != nil {
		t.Fatalf("init: %v", err)
	}
	return dir
}

func TestCommands(t *testing.T) {
	dir := newHall(t)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		want    string // regexp the output must match
		wantErr string // substring of the error; "" for success
		usage   bool   // the error must be a usage error (exit status 2)
	}{
		{name: "init twice keeps the hall", args: []string{"init", "--data", dir, "--hall-code", "X-2", "--name", "x"}, wantErr: "already holds hall 520100-TEST; nothing changed"},
		{name: "init with a bad code", args: []string{"init", "--data", t.TempDir(), "--hall-code", "bad code", "--name", "x"}, wantErr: "hall code"},
		{name: "init without name", args: []string{"init", "--data", t.TempDir(), "--hall-code", "X-1"}, usage: true, wantErr: "--name"},
		{name: "add user with generated password", args: []string{"users", "add", "--data", dir, "--username", "wangfang", "--role", "counter", "--display-name", "王芳"},
			want: `(?s)added wangfang \(王芳, counter\).*password: [a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}`},
		{name: "add user with password on stdin", stdin: "a-long-enough-password\n", args: []string{"users", "add", "--data", dir, "--username", "zhuren", "--role", "supervisor", "--password-stdin"},
			want: `^added zhuren \(zhuren, supervisor\)\n$`},
		{name: "short password refused", stdin: "short\n", args: []string{"users", "add", "--data", dir, "--username", "x1", "--role", "counter", "--password-stdin"}, wantErr: "password too short"},
		{name: "duplicate user", args: []string{"users", "add", "--data", dir, "--username", "wangfang", "--role", "counter"}, wantErr: "taken"},
		{name: "bad role", args: []string{"users", "add", "--data", dir, "--username", "li", "--role", "boss"}, wantErr: "use one of counter, supervisor, admin, technician"},
		{name: "list users", args: []string{"users", "list", "--data", dir}, want: `(?s)USERNAME.*wangfang\s+王芳\s+counter\s+active.*zhuren`},
		{name: "reset password", args: []string{"users", "reset-password", "--data", dir, "--username", "wangfang"}, want: `password of wangfang reset`},
		{name: "reset password of nobody", args: []string{"users", "reset-password", "--data", dir, "--username", "nobody"}, wantErr: "no user nobody"},
		{name: "enrollment code", args: []string{"kiosk", "enroll-code", "--data", dir, "--kiosk", "K01"}, want: `enrollment code for kiosk K01: \d{4}-\d{4}-\d{4}`},
		{name: "bad kiosk name", args: []string{"kiosk", "enroll-code", "--data", dir, "--kiosk", "k 1"}, wantErr: "kiosk name"},
		{name: "kiosks", args: []string{"kiosk", "list", "--data", dir}, want: `KIOSK`},
		{name: "tickets today", args: []string{"tickets", "today", "--data", dir}, want: `0 tickets on \d{4}-\d{2}-\d{2}`},
		{name: "tickets on a bad day", args: []string{"tickets", "today", "--data", dir, "--day", "yesterday"}, wantErr: "use YYYY-MM-DD"},
		{name: "audit verify", args: []string{"audit", "verify", "--data", dir}, want: `audit chain intact: \d+ records`},
		{name: "missing hall", args: []string{"users", "list", "--data", filepath.Join(t.TempDir(), "nothing")}, wantErr: "no hall in"},
		{name: "missing --data", args: []string{"users", "list"}, usage: true, wantErr: "--data"},
		{name: "unknown command", args: []string{"frobnicate"}, usage: true, wantErr: "unknown command"},
		{name: "unknown flag", args: []string{"users", "list", "--data", dir, "--colour"}, usage: true, wantErr: "colour"},
		{name: "help", args: []string{"help"}, want: `(?s)Commands:.*audit verify`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := hallctl(t, tt.stdin, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q (output %q)", err, tt.wantErr, out)
				}
				var ue usageError
				if errors.As(err, &ue) != tt.usage {
					t.Errorf("usage error = %v, want %v", errors.As(err, &ue), tt.usage)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v (output %q)", err, out)
			}
			if !regexp.MustCompile(tt.want).MatchString(out) {
				t.Errorf("output %q does not match %q", out, tt.want)
			}
		})
	}
}

// TestAuditVerifyNamesTamperedRecord edits and deletes audit rows behind
// the hall's back, the way someone with the database file would, and
// expects `hallctl audit verify` to fail naming the record.
func TestAuditVerifyNamesTamperedRecord(t *testing.T) {
	tests := []struct {
		name   string
		tamper []string
		want   string
	}{
		{"edited record", []string{`UPDATE audit SET after = replace(after, 'counter', 'admin') WHERE id = 4`}, "record 4 was changed"},
		{"edited actor", []string{`UPDATE audit SET actor = 'someone-else' WHERE id = 3`}, "record 3 was changed"},
		{"deleted record", []string{`DELETE FROM audit WHERE id = 4`}, "record 4 was removed"},
		{"deleted tail", []string{`DELETE FROM audit WHERE id >= 5`}, "records 5 to 6 were removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newHall(t)                                    // records 1, 2: hall.init, cert.key.add
			for _, u := range []string{"a1", "b2", "c3", "d4"} { // records 3..6
				if _, err := hallctl(t, "", "users", "add", "--data", dir, "--username", u, "--role", "counter"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := hallctl(t, "", "audit", "verify", "--data", dir); err != nil {
				t.Fatalf("untouched chain: %v", err)
			}
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.FileName))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// The triggers refuse the edit first...
			if _, err := db.Exec(tt.tamper[0]); err == nil {
				t.Fatal("the audit triggers let an edit through")
			}
			// ...so a forger drops them, as someone with the file can.
			for _, q := range append([]string{"DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"}, tt.tamper...) {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db.Close()
			_, err = hallctl(t, "", "audit", "verify", "--data", dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("verify err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestCalendarImport imports a (fictional) official 2027 notice over the
// provisional one the hall ships with; the hall then counts with it, and
// the import is in the audit trail.
func TestCalendarImport(t *testing.T) {
	dir := newHall(t)
	out, err := hallctl(t, "", "calendar", "list", "--data", dir)
	if err != nil || !regexp.MustCompile(`2027\s+embedded\s+PROVISIONAL`).MatchString(out) {
		t.Fatalf("before: %v\n%s", err, out)
	}
	notice := filepath.Join("..", "..", "hallserver", "workday", "testdata", "2027-fictional-notice.json")
	out, err = hallctl(t, "", "calendar", "import", "--data", dir, notice)
	if err != nil || !strings.Contains(out, "imported the 2027 calendar") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = hallctl(t, "", "calendar", "list", "--data", dir)
	if err != nil || !regexp.MustCompile(`2027\s+imported\s+official`).MatchString(out) {
		t.Fatalf("after: %v\n%s", err, out)
	}
	if _, err := hallctl(t, "", "audit", "verify", "--data", dir); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	trail, err := st.AuditTrail(context.Background(), "calendar", "2027")
	if err != nil || len(trail) != 1 || trail[0].Action != "calendar.import" {
		t.Fatalf("audit trail %v, %v", trail, err)
	}
	// A file that is not a calendar is refused with what is wrong; nothing changes.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"year":2027,"holidays":[{"name":"x","from":"2027-13-01","to":"2027-13-02"}]}`), 0o644)
	if _, err := hallctl(t, "", "calendar", "import", "--data", dir, bad); err == nil {
		t.Fatal("a broken calendar was imported")
	}
	if _, err := hallctl(t, "", "calendar", "import", "--data", dir); err == nil {
		t.Fatal("import without a file")
	}
}
