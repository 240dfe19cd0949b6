package store_test

import (
	"testing"
	"time"

	"onestop/hallserver/store"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	s, clk := newHall(t)
	u, err := s.CreateUser(ctx, admin, store.NewUser{Username: "  Alice ", Role: "counter", PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "alice" || u.DisplayName != "alice" || u.Role != "counter" || u.ID == 0 || !u.CreatedAt.Equal(clk.Now()) {
		t.Errorf("CreateUser = %+v", u)
	}
	for _, tc := range []struct {
		name   string
		nu     store.NewUser
		target error
		words  []string
	}{
		{"too short", store.NewUser{Username: "a", Role: "counter", PasswordHash: "h"}, store.ErrInvalid, []string{`"a"`}},
		{"starts with a digit", store.NewUser{Username: "1bob", Role: "counter", PasswordHash: "h"}, store.ErrInvalid, []string{`"1bob"`}},
		{"space inside", store.NewUser{Username: "bob smith", Role: "counter", PasswordHash: "h"}, store.ErrInvalid, []string{`"bob smith"`}},
		{"empty", store.NewUser{Role: "counter", PasswordHash: "h"}, store.ErrInvalid, []string{"username"}},
		{"bad role", store.NewUser{Username: "bob", Role: "boss", PasswordHash: "h"}, store.ErrInvalid, []string{`"boss"`}},
		{"kiosk is no staff role", store.NewUser{Username: "bob", Role: "kiosk", PasswordHash: "h"}, store.ErrInvalid, []string{`"kiosk"`}},
		{"no password", store.NewUser{Username: "bob", Role: "counter"}, store.ErrInvalid, []string{"password"}},
		{"duplicate", store.NewUser{Username: "alice", Role: "admin", PasswordHash: "h"}, store.ErrConflict, []string{"alice"}},
		{"duplicate in capitals", store.NewUser{Username: "ALICE", Role: "admin", PasswordHash: "h"}, store.ErrConflict, []string{"alice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, admin, tc.nu)
			wantErr(t, err, tc.target, tc.words...)
		})
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 {
		t.Errorf("Users = %+v, %v; want only alice", users, err)
	}
	got, err := s.UserByUsername(ctx, "ALICE")
	if err != nil || got.ID != u.ID || got.PasswordHash != "h" {
		t.Errorf("UserByUsername = %+v, %v", got, err)
	}
	_, err = s.UserByUsername(ctx, "nobody")
	wantErr(t, err, store.ErrNotFound)
}

func TestSessions(t *testing.T) {
	t.Parallel()
	s, clk := newHall(t)
	alice := staff(t, s, "alice", "counter", 1)
	bob := staff(t, s, "bob", "counter", 2)
	login := func(a store.Actor, token string, ttl time.Duration) {
		t.Helper()
		if err := s.CreateSession(ctx, a, store.Session{TokenHash: token, UserID: a.UserID, ExpiresAt: clk.Now().Add(ttl)}); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	live := func(token string, want int64) {
		t.Helper()
		sess, u, err := s.SessionUser(ctx, token)
		if want == 0 {
			wantErr(t, err, store.ErrNotFound)
			return
		}
		if err != nil || u.ID != want || sess.UserID != want {
			t.Fatalf("SessionUser(%s) = %+v, %+v, %v; want user %d", token, sess, u, err, want)
		}
	}

	login(alice, "a1", time.Hour)
	login(bob, "b1", time.Hour)
	live("a1", alice.UserID)
	live("nope", 0)

	t.Run("expiry", func(t *testing.T) {
		clk.Advance(time.Hour - time.Millisecond)
		live("a1", alice.UserID)
		// Staying active moves the expiry.
		if err := s.TouchSession(ctx, "b1", clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Millisecond)
		live("a1", 0)
		live("b1", bob.UserID)
	})
	t.Run("new password ends sessions", func(t *testing.T) {
		login(alice, "a2", time.Hour)
		login(alice, "a3", time.Hour)
		live("a2", alice.UserID)
		if err := s.SetPassword(ctx, admin, "alice", "new-hash"); err != nil {
			t.Fatal(err)
		}
		live("a2", 0)
		live("a3", 0)
		live("b1", bob.UserID)
		u, _ := s.UserByUsername(ctx, "alice")
		if u.PasswordHash != "new-hash" || !u.PasswordAt.Equal(clk.Now()) {
			t.Errorf("after SetPassword: %+v", u)
		}
		wantErr(t, s.SetPassword(ctx, admin, "nobody", "x"), store.ErrNotFound)
	})
	t.Run("disabled user", func(t *testing.T) {
		if err := s.SetUserDisabled(ctx, admin, "bob", true); err != nil {
			t.Fatal(err)
		}
		live("b1", 0)
		// Even a session recorded after disabling does not let bob in.
		login(bob, "b2", time.Hour)
		live("b2", 0)
		if err := s.SetUserDisabled(ctx, admin, "bob", false); err != nil {
			t.Fatal(err)
		}
		live("b2", bob.UserID)
	})
	t.Run("logout", func(t *testing.T) {
		login(alice, "a4", time.Hour)
		if err := s.DeleteSession(ctx, alice, "a4"); err != nil {
			t.Fatal(err)
		}
		live("a4", 0)
	})
}

// Account commands accept a username as CreateUser and UserByUsername do:
// in any case, with surrounding space.
func TestUsernameNormalised(t *testing.T) {
	t.Parallel()
	s, _ := newHall(t)
	staff(t, s, "alice", "counter", 1)
	if err := s.SetPassword(ctx, admin, " Alice ", "h2"); err != nil {
		t.Errorf("SetPassword(\" Alice \"): %v", err)
	}
	if err := s.SetUserDisabled(ctx, admin, "ALICE", true); err != nil {
		t.Errorf("SetUserDisabled(ALICE): %v", err)
	}
	u, err := s.UserByUsername(ctx, "alice")
	if err != nil || u.PasswordHash != "h2" || !u.Disabled {
		t.Errorf("alice = %+v, %v; want new hash, disabled", u, err)
	}
}

func TestKioskEnrollment(t *testing.T) {
	t.Parallel()
	s, clk := newHall(t)
	code := func(name, hash string, ttl time.Duration) {
		t.Helper()
		if err := s.CreateEnrollmentCode(ctx, admin, name, hash, clk.Now().Add(ttl)); err != nil {
			t.Fatalf("CreateEnrollmentCode: %v", err)
		}
	}
	err := s.CreateEnrollmentCode(ctx, admin, "bad name!", "x", clk.Now().Add(time.Hour))
	wantErr(t, err, store.ErrInvalid, `"bad name!"`)

	code("K01", "c1", 10*time.Minute)
	k, err := s.EnrollKiosk(ctx, "c1", "tok1")
	if err != nil || k.Name != "K01" || k.ID == 0 {
		t.Fatalf("EnrollKiosk = %+v, %v", k, err)
	}
	if got, err := s.KioskByToken(ctx, "tok1"); err != nil || got.ID != k.ID {
		t.Errorf("KioskByToken(tok1) = %+v, %v", got, err)
	}

	t.Run("single use", func(t *testing.T) {
		_, err := s.EnrollKiosk(ctx, "c1", "tok-again")
		wantErr(t, err, store.ErrConflict, "used")
		_, err = s.KioskByToken(ctx, "tok-again")
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("unknown code", func(t *testing.T) {
		_, err := s.EnrollKiosk(ctx, "never-issued", "tok")
		wantErr(t, err, store.ErrNotFound)
	})
	t.Run("expiry", func(t *testing.T) {
		code("K02", "c2", 10*time.Minute)
		clk.Advance(10 * time.Minute)
		_, err := s.EnrollKiosk(ctx, "c2", "tok2")
		wantErr(t, err, store.ErrConflict, "expired")
		code("K02", "c2b", 10*time.Minute)
		clk.Advance(10*time.Minute - time.Millisecond)
		if _, err := s.EnrollKiosk(ctx, "c2b", "tok2"); err != nil {
			t.Errorf("enroll a millisecond before expiry: %v", err)
		}
	})
	t.Run("re-enrollment replaces the token", func(t *testing.T) {
		code("K01", "c3", time.Hour)
		again, err := s.EnrollKiosk(ctx, "c3", "tok3")
		if err != nil || again.ID != k.ID || again.Name != "K01" {
			t.Fatalf("re-enroll = %+v, %v; want kiosk %d", again, err, k.ID)
		}
		_, err = s.KioskByToken(ctx, "tok1")
		wantErr(t, err, store.ErrNotFound)
		if got, err := s.KioskByToken(ctx, "tok3"); err != nil || got.ID != k.ID {
			t.Errorf("KioskByToken(tok3) = %+v, %v", got, err)
		}
	})
	kiosks, err := s.Kiosks(ctx)
	if err != nil || len(kiosks) != 2 || kiosks[0].Name != "K01" || kiosks[1].Name != "K02" {
		t.Errorf("Kiosks = %+v, %v; want K01, K02", kiosks, err)
	}
}
