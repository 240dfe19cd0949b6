package store_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/queue"
	"onestop/hallserver/store"
)

// busyHall is a hall after a morning's work: accounts, settings, tickets
// issued, called, served, transferred and cancelled, a kiosk enrolled.
func busyHall(t *testing.T) (*store.Store, *clock) {
	t.Helper()
	s, clk := newHall(t)
	sup := staff(t, s, "sam", "supervisor", 0)
	alice := staff(t, s, "alice", "counter", 1)
	setPolicy(t, s, "interleave:2")
	open(t, s, alice, 1)
	open(t, s, sup, 12)
	for i, q := range []string{"A", "A", "E", "A", "B"} {
		clk.Advance(time.Minute)
		p := queue.Regular
		if i == 1 {
			p = queue.Elderly
		}
		issue(t, s, store.IssueRequest{Queue: q, Priority: p})
	}
	callNext(t, s, alice, 1)
	serve(t, s, clk, alice, 1, 3*time.Minute)
	callNext(t, s, alice, 1)
	act(t, s, alice, 1, store.WindowAction{Kind: queue.Transfer, ToQueue: "E", ToWindow: 12, Return: true})
	callNext(t, s, sup, 12)
	serve(t, s, clk, sup, 12, 2*time.Minute)
	if _, err := s.CancelTicket(ctx, kioskA, 5, "left"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEnrollmentCode(ctx, admin, "K01", "code-hash", clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnrollKiosk(ctx, "code-hash", "token-hash"); err != nil {
		t.Fatal(err)
	}
	if v := verifyOK(t, s); v.Records < 20 {
		t.Fatalf("busy hall has only %d audit records", v.Records)
	}
	return s, clk
}

func dropAuditTriggers(t *testing.T, db *sql.DB) {
	t.Helper()
	mustExec(t, db, "DROP TRIGGER audit_no_update")
	mustExec(t, db, "DROP TRIGGER audit_no_delete")
}

func readRecord(t *testing.T, db *sql.DB, id int64) store.AuditRecord {
	t.Helper()
	var r store.AuditRecord
	var at int64
	err := db.QueryRowContext(ctx, `SELECT id, at, actor, role, device, action, entity, entity_id, before, after,
		prev_hash, hash FROM audit WHERE id = ?`, id).Scan(&r.ID, &at, &r.Actor, &r.Role, &r.Device, &r.Action,
		&r.Entity, &r.EntityID, &r.Before, &r.After, &r.PrevHash, &r.Hash)
	if err != nil {
		t.Fatalf("read audit record %d: %v", id, err)
	}
	r.At = time.UnixMilli(at)
	return r
}

// flipByte changes one ASCII letter or digit of s, at or after its middle.
func flipByte(s string) string {
	b := []byte(s)
	for i := len(b) / 2; i < len(b); i++ {
		c := b[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '8' {
			b[i]++
			return string(b)
		}
	}
	panic("no letter or digit to change in " + s)
}

func TestAuditTamper(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// tamper edits the file and returns the id VerifyAudit must name.
		tamper func(t *testing.T, db *sql.DB, head int64) int64
		words  string // in the problem
	}{
		{"one byte of a record changed", func(t *testing.T, db *sql.DB, head int64) int64 {
			k := head / 2
			r := readRecord(t, db, k)
			mustExec(t, db, "UPDATE audit SET after = ? WHERE id = ?", flipByte(r.After), k)
			return k
		}, "no longer matches its hash"},
		{"a record's actor changed", func(t *testing.T, db *sql.DB, head int64) int64 {
			mustExec(t, db, "UPDATE audit SET actor = 'mallory' WHERE id = 3")
			return 3
		}, "changed"},
		{"a record changed and its hash recomputed", func(t *testing.T, db *sql.DB, head int64) int64 {
			k := head / 2
			r := readRecord(t, db, k)
			r.After = flipByte(r.After)
			r.Hash = r.ComputeHash()
			mustExec(t, db, "UPDATE audit SET after = ?, hash = ? WHERE id = ?", r.After, r.Hash, k)
			return k
		}, "chains to a different hash"},
		{"the last record changed and its hash recomputed", func(t *testing.T, db *sql.DB, head int64) int64 {
			r := readRecord(t, db, head)
			r.Actor = "mallory"
			r.Hash = r.ComputeHash()
			mustExec(t, db, "UPDATE audit SET actor = ?, hash = ? WHERE id = ?", r.Actor, r.Hash, head)
			return head
		}, "chain head"},
		{"a middle record deleted", func(t *testing.T, db *sql.DB, head int64) int64 {
			mustExec(t, db, "DELETE FROM audit WHERE id = ?", head/2)
			return head / 2
		}, "removed"},
		{"the first record deleted", func(t *testing.T, db *sql.DB, head int64) int64 {
			mustExec(t, db, "DELETE FROM audit WHERE id = 1")
			return 1
		}, "removed"},
		{"the last two records deleted", func(t *testing.T, db *sql.DB, head int64) int64 {
			mustExec(t, db, "DELETE FROM audit WHERE id >= ?", head-1)
			return head - 1
		}, "from the end"},
		{"the chain head deleted", func(t *testing.T, db *sql.DB, head int64) int64 {
			mustExec(t, db, "DELETE FROM audit_head")
			return head
		}, "head"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := busyHall(t)
			head := verifyOK(t, s).HeadID
			db := rawDB(t, s)
			dropAuditTriggers(t, db)
			wantBad := tc.tamper(t, db, head)
			v, err := s.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v.OK || v.FirstBad != wantBad || !strings.Contains(v.Problem, tc.words) {
				t.Errorf("VerifyAudit = %+v, want first bad %d, problem mentioning %q", v, wantBad, tc.words)
			}
		})
	}
}

func TestAuditTriggersRefuseChanges(t *testing.T) {
	t.Parallel()
	s, _ := busyHall(t)
	db := rawDB(t, s)
	for _, tc := range []struct{ stmt, words string }{
		{"UPDATE audit SET after = '{}' WHERE id = 2", "cannot be changed"},
		{"UPDATE audit SET hash = hash", "cannot be changed"},
		{"DELETE FROM audit WHERE id = 2", "cannot be deleted"},
		{"DELETE FROM audit", "cannot be deleted"},
	} {
		_, err := db.ExecContext(ctx, tc.stmt)
		if err == nil || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("%s: error %v, want %q", tc.stmt, err, tc.words)
		}
	}
	verifyOK(t, s)
}

// Every state-changing method writes exactly one audit record (and the
// ticket events its transitions call for) in the transaction of the change.
func TestEveryChangeIsAudited(t *testing.T) {
	t.Parallel()
	s, clk := newHall(t)
	db := rawDB(t, s)
	var alice store.Actor
	var ticketID int64
	steps := []struct {
		action string // of the audit record
		events int    // ticket events added
		do     func() error
	}{
		{"user.create", 0, func() error {
			u, err := s.CreateUser(ctx, admin, store.NewUser{Username: "alice", Role: "counter", PasswordHash: "h"})
			alice = store.Actor{Name: u.Username, Role: u.Role, UserID: u.ID}
			return err
		}},
		{"user.password", 0, func() error { return s.SetPassword(ctx, admin, "alice", "h2") }},
		{"session.login", 0, func() error {
			return s.CreateSession(ctx, alice, store.Session{TokenHash: "s1", UserID: alice.UserID, ExpiresAt: clk.Now().Add(time.Hour)})
		}},
		{"session.logout", 0, func() error { return s.DeleteSession(ctx, alice, "s1") }},
		{"settings.update", 0, func() error {
			st := store.DefaultSettings()
			st.PolicyText = "ageing:10m"
			_, err := s.UpdateSettings(ctx, admin, st)
			return err
		}},
		{"catalogue.import", 0, func() error { return s.ImportCatalogue(ctx, admin, seed(t)) }},
		// An issue is the ticket row and its audit record; ticket_events
		// holds the transitions after it (TicketHistory puts the issue first).
		{"ticket.issue", 0, func() error {
			tk, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "A"})
			ticketID = tk.ID
			return err
		}},
		{"window.open", 0, func() error { return s.OpenWindow(ctx, alice, 1) }},
		{"ticket.call", 1, func() error { _, err := s.CallNext(ctx, alice, 1); return err }},
		{"ticket.recall", 1, func() error { _, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.Recall}); return err }},
		{"ticket.hold", 1, func() error {
			_, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.Hold, HoldFor: 60})
			return err
		}},
		{"ticket.call", 1, func() error { _, err := s.CallNumber(ctx, alice, 1, "A001", ""); return err }},
		{"ticket.recall", 1, func() error { _, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.Recall}); return err }},
		{"ticket.no_show", 1, func() error { _, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.MarkNoShow}); return err }},
		{"ticket.issue", 0, func() error { _, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "A"}); return err }},
		{"ticket.cancel", 1, func() error { _, err := s.CancelTicket(ctx, kioskA, ticketID+1, "left"); return err }},
		{"window.close", 0, func() error { return s.CloseWindow(ctx, alice, 1) }},
		{"user.disable", 0, func() error { return s.SetUserDisabled(ctx, admin, "alice", true) }},
		{"kiosk.enrollment_code", 0, func() error {
			return s.CreateEnrollmentCode(ctx, admin, "K02", "c", clk.Now().Add(time.Hour))
		}},
		{"kiosk.enroll", 0, func() error { _, err := s.EnrollKiosk(ctx, "c", "t"); return err }},
	}
	for i, st := range steps {
		audits := count(t, db, "SELECT COUNT(*) FROM audit")
		events := count(t, db, "SELECT COUNT(*) FROM ticket_events")
		if err := st.do(); err != nil {
			t.Fatalf("step %d (%s): %v", i, st.action, err)
		}
		var action string
		if err := db.QueryRowContext(ctx, "SELECT action FROM audit ORDER BY id DESC LIMIT 1").Scan(&action); err != nil {
			t.Fatal(err)
		}
		gotAudits := count(t, db, "SELECT COUNT(*) FROM audit") - audits
		gotEvents := count(t, db, "SELECT COUNT(*) FROM ticket_events") - events
		if gotAudits != 1 || action != st.action || gotEvents != st.events {
			t.Errorf("step %d: %d audit records (last %s), %d ticket events; want 1 %s, %d events",
				i, gotAudits, action, gotEvents, st.action, st.events)
		}
	}
	verifyOK(t, s)
}

// A refused change leaves no audit record and no ticket event: the record
// is written in the change's own transaction, or not at all.
func TestRefusedChangesLeaveNoTrace(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	db := rawDB(t, s)
	alice := staff(t, s, "alice", "counter", 1)
	bob := staff(t, s, "bob", "counter", 2)
	open(t, s, alice, 1)
	open(t, s, bob, 2)
	issue(t, s, store.IssueRequest{Queue: "A"})
	callNext(t, s, alice, 1)
	errFailed := errors.New("failed on purpose")
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"call while busy", func() error { _, err := s.CallNext(ctx, alice, 1); return err }},
		{"call at a closed window", func() error { _, err := s.CallNext(ctx, bob, 3); return err }},
		{"call at another's window", func() error { _, err := s.CallNext(ctx, bob, 1); return err }},
		{"nothing waiting", func() error { _, err := s.CallNext(ctx, bob, 2); return err }},
		{"no-show before recall", func() error {
			_, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.MarkNoShow})
			return err
		}},
		{"transfer to a wrong window", func() error {
			_, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.Transfer, ToWindow: 3})
			return err
		}},
		{"hold too long", func() error {
			_, err := s.Act(ctx, alice, 1, store.WindowAction{Kind: queue.Hold, HoldFor: 5 * 3600})
			return err
		}},
		{"cancel a called ticket", func() error { _, err := s.CancelTicket(ctx, alice, 1, ""); return err }},
		{"issue for an unknown item", func() error {
			_, err := s.IssueTicket(ctx, kioskA, store.IssueRequest{Item: "NOPE"})
			return err
		}},
		{"duplicate user", func() error {
			_, err := s.CreateUser(ctx, admin, store.NewUser{Username: "alice", Role: "counter", PasswordHash: "h"})
			return err
		}},
		{"second hall", func() error { return s.InitHall(ctx, store.System, hall, seed(t)) }},
		{"a write that audits, then fails", func() error {
			return s.Write(ctx, func(tx *store.Tx) error {
				if err := tx.Audit(admin, "test.fail", "test", "1", nil, map[string]int{"n": 1}); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO ticket_events(ticket_id, at, action, from_state, to_state, actor)
					VALUES (1, 0, 'x', '', '', 'test')`); err != nil {
					return err
				}
				return errFailed
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := verifyOK(t, s)
			events := count(t, db, "SELECT COUNT(*) FROM ticket_events")
			if err := tc.do(); err == nil {
				t.Fatal("the change was not refused")
			}
			after := verifyOK(t, s)
			if after.Records != before.Records || after.HeadHash != before.HeadHash {
				t.Errorf("audit went from %d records (head %.8s) to %d (head %.8s)", before.Records, before.HeadHash, after.Records, after.HeadHash)
			}
			if got := count(t, db, "SELECT COUNT(*) FROM ticket_events"); got != events {
				t.Errorf("ticket events went from %d to %d", events, got)
			}
		})
	}
	// The chain goes on from where it was.
	issue(t, s, store.IssueRequest{Queue: "A"})
	verifyOK(t, s)
}

// TestVerifyWhileBusy verifies the chain while tickets are being issued:
// a busy hall must never look tampered with.
func TestVerifyWhileBusy(t *testing.T) {
	s, _ := newHall(t)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				s.IssueTicket(ctx, kioskA, store.IssueRequest{Queue: "A"})
			}
		}
	}()
	for i := 0; i < 30; i++ {
		v, err := s.VerifyAudit(ctx)
		if err != nil || !v.OK {
			close(stop)
			<-done
			t.Fatalf("verification %d during load: %+v, %v", i, v, err)
		}
	}
	close(stop)
	<-done
}
