package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pw string
		wrong    []string
	}{
		{"ascii", "correct horse battery staple", []string{"", "correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple"}},
		{"exactly the minimum", "0123456789", []string{"012345678", "0123456780", "01234567890"}},
		{"ten han characters", "政务服务大厅一站通办", []string{"政务服务大厅一站通", "政务服务大厅一站通辦"}},
		{"long", strings.Repeat("长password", 40), []string{strings.Repeat("长password", 39)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hash, err := HashPassword(tt.pw)
			if err != nil {
				t.Fatalf("HashPassword: %v", err)
			}
			prefix := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, argonMemory, argonTime, argonThreads)
			if !strings.HasPrefix(hash, prefix) {
				t.Errorf("hash %q does not start with %q", hash, prefix)
			}
			if strings.Contains(hash, tt.pw) {
				t.Errorf("hash %q contains the password", hash)
			}
			ok, err := CheckPassword(hash, tt.pw)
			if err != nil || !ok {
				t.Errorf("CheckPassword(right password) = %v, %v; want true, nil", ok, err)
			}
			for _, w := range tt.wrong {
				ok, err := CheckPassword(hash, w)
				if err != nil || ok {
					t.Errorf("CheckPassword(%q) = %v, %v; want false, nil", w, ok, err)
				}
			}
		})
	}
}

func TestHashPasswordTooShort(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{
		"",
		"short",
		"123456789", // one short
		"九个字的中文密码啊", // 9 characters but 27 bytes: the minimum counts characters
	} {
		if len([]rune(pw)) >= MinPasswordLength {
			t.Fatalf("test password %q is not short", pw)
		}
		hash, err := HashPassword(pw)
		if !errors.Is(err, ErrWeakPassword) || hash != "" {
			t.Errorf("HashPassword(%q) = %q, %v; want \"\", ErrWeakPassword", pw, hash, err)
		}
	}
}

func TestHashPasswordSalted(t *testing.T) {
	t.Parallel()
	const pw = "same password twice"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Fatalf("two hashes of the same password are equal: %s", h1)
	}
	s1, s2 := strings.Split(h1, "$")[4], strings.Split(h2, "$")[4]
	if s1 == s2 {
		t.Errorf("two hashes share the salt %s", s1)
	}
	if raw, err := base64.RawStdEncoding.DecodeString(s1); err != nil || len(raw) != 16 {
		t.Errorf("salt %q: %d bytes, %v; want 16", s1, len(raw), err)
	}
	for _, h := range []string{h1, h2} {
		if ok, err := CheckPassword(h, pw); !ok || err != nil {
			t.Errorf("CheckPassword(%s) = %v, %v", h, ok, err)
		}
	}
}

// TestCheckPasswordOtherParameters checks that the parameters are read
// from the hash, so hashes made with older or newer settings still verify.
func TestCheckPasswordOtherParameters(t *testing.T) {
	t.Parallel()
	const pw = "an older account's password"
	salt := []byte("0123456789abcdef")
	b64 := base64.RawStdEncoding
	for _, p := range []struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}{
		{1, 8 * 1024, 2, 32},
		{3, 12 * 1024, 1, 16},
		{1, 64, 4, 64},
	} {
		key := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, p.keyLen)
		hash := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
			b64.EncodeToString(salt), b64.EncodeToString(key))
		if ok, err := CheckPassword(hash, pw); !ok || err != nil {
			t.Errorf("CheckPassword(%s, right) = %v, %v; want true, nil", hash, ok, err)
		}
		if ok, err := CheckPassword(hash, pw+"!"); ok || err != nil {
			t.Errorf("CheckPassword(%s, wrong) = %v, %v; want false, nil", hash, ok, err)
		}
	}
}

// TestCheckPasswordMalformed: a damaged hash in the database is an error,
// never a panic (which would take down the login handler) nor a match.
func TestCheckPasswordMalformed(t *testing.T) {
	t.Parallel()
	const (
		salt = "MDEyMzQ1Njc4OWFiY2RlZg"                      // 16 bytes
		key  = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" // 32 bytes
	)
	valid := "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key
	if _, err := CheckPassword(valid, "whatever password"); err != nil {
		t.Fatalf("the template hash is not valid: %v", err)
	}
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"plain text", "hunter2hunter2"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"too few fields", "$argon2id$v=19$m=19456,t=2,p=1$" + salt},
		{"too many fields", valid + "$extra"},
		{"no leading dollar", "argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$"},
		{"old version", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"version not a number", "$argon2id$v=x$m=19456,t=2,p=1$" + salt + "$" + key},
		{"version missing", "$argon2id$$m=19456,t=2,p=1$" + salt + "$" + key},
		{"parameters missing", "$argon2id$v=19$$" + salt + "$" + key},
		{"parameters incomplete", "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key},
		{"parameters reordered", "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key},
		{"negative memory", "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key},
		{"memory overflows", "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key},
		{"memory absurd", "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + key},
		{"memory below the minimum", "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + key},
		{"zero passes", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key},
		{"passes absurd", "$argon2id$v=19$m=19456,t=4294967295,p=1$" + salt + "$" + key},
		{"zero lanes", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key},
		{"lanes overflow", "$argon2id$v=19$m=19456,t=2,p=300$" + salt + "$" + key},
		{"salt not base64", "$argon2id$v=19$m=19456,t=2,p=1$!!!!$" + key},
		{"salt padded", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key},
		{"salt empty", "$argon2id$v=19$m=19456,t=2,p=1$$" + key},
		{"salt too short", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ$" + key},
		{"key not base64", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$****"},
		{"key empty", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$"},
		{"key too short", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$MDEy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, err := checkNoPanic(t, tt.hash, "whatever password")
			if err == nil || ok {
				t.Errorf("CheckPassword(%q) = %v, %v; want false and an error", tt.hash, ok, err)
			}
		})
	}
}

func checkNoPanic(t *testing.T, hash, pw string) (ok bool, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("CheckPassword(%q) panicked: %v", hash, r)
		}
	}()
	return CheckPassword(hash, pw)
}

// The hashing is deliberately slow (argon2id, 19 MiB, 2 passes): these
// report what one login costs.

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("benchmark password"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	hash, err := HashPassword("benchmark password")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := CheckPassword(hash, "benchmark password"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
