package auth

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestNewToken(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{SessionPrefix, DevicePrefix, ""} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			token, hash := NewToken(prefix)
			body, ok := strings.CutPrefix(token, prefix)
			if !ok {
				t.Fatalf("token %q lacks the prefix %q", token, prefix)
			}
			// 32 random bytes in unpadded URL-safe base64: 43 characters.
			if len(body) != 43 {
				t.Errorf("token %q: body of %d characters, want 43", token, len(body))
			}
			if raw, err := base64.RawURLEncoding.DecodeString(body); err != nil || len(raw) != 32 {
				t.Errorf("token body %q: %d bytes, %v; want 32 random bytes", body, len(raw), err)
			}
			if hash != HashToken(token) {
				t.Errorf("hash %q, want HashToken(token) = %q", hash, HashToken(token))
			}
			if !hexSHA256.MatchString(hash) {
				t.Errorf("hash %q is not hex SHA-256", hash)
			}
		})
	}
}

func TestNewTokenUnique(t *testing.T) {
	t.Parallel()
	const n = 10000
	tokens, hashes := map[string]bool{}, map[string]bool{}
	for range n {
		token, hash := NewToken(SessionPrefix)
		if tokens[token] || hashes[hash] {
			t.Fatalf("token %q (hash %s) came twice in %d", token, hash, n)
		}
		tokens[token], hashes[hash] = true, true
	}
}

func TestHashToken(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ token, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	} {
		if got := HashToken(tt.token); got != tt.want {
			t.Errorf("HashToken(%q) = %s, want %s", tt.token, got, tt.want)
		}
	}
	if HashToken("ses_a") == HashToken("dev_a") {
		t.Error("the prefix does not change the hash")
	}
}

var enrollmentCode = regexp.MustCompile(`^[0-9]{4}-[0-9]{4}-[0-9]{4}$`)

func TestNewEnrollmentCode(t *testing.T) {
	t.Parallel()
	const n = 2000
	seen := map[string]bool{}
	var digits [12][10]int // how often each digit appears at each position
	for range n {
		code := NewEnrollmentCode()
		if !enrollmentCode.MatchString(code) {
			t.Fatalf("code %q is not dddd-dddd-dddd", code)
		}
		if seen[code] {
			t.Fatalf("code %q came twice in %d", code, n)
		}
		seen[code] = true
		norm := NormalizeEnrollmentCode(code)
		if norm != strings.ReplaceAll(code, "-", "") {
			t.Fatalf("NormalizeEnrollmentCode(%q) = %q", code, norm)
		}
		for i, d := range norm {
			digits[i][d-'0']++
		}
	}
	// Every digit turns up at every position (each is missing from 2000
	// codes with probability under 1e-88).
	for i, counts := range digits {
		for d, c := range counts {
			if c == 0 {
				t.Errorf("digit %d never appeared at position %d in %d codes", d, i, n)
			}
		}
	}
}

func TestNormalizeEnrollmentCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"1234-5678-9012", "123456789012"},
		{"123456789012", "123456789012"},
		{"1234 5678 9012", "123456789012"},
		{"1234 5678-9012", "123456789012"},
		{" 1234-5678-9012 ", "123456789012"},
		{"1234 - 5678 -- 9012", "123456789012"},
		{"\t1234-5678-9012\n", "123456789012"},
		{"0000-0000-0001", "000000000001"},
		{"", ""},
		{"- -", ""},
		{"１２３４－５６７８－９０１２", "123456789012"}, // full-width, as a Chinese input method types it
	}
	for _, tt := range tests {
		if got := NormalizeEnrollmentCode(tt.in); got != tt.want {
			t.Errorf("NormalizeEnrollmentCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// What the technician types and what was issued hash alike.
	code := NewEnrollmentCode()
	typed := strings.ReplaceAll(code, "-", " ")
	if HashToken(NormalizeEnrollmentCode(typed)) != HashToken(NormalizeEnrollmentCode(code)) {
		t.Errorf("typed %q and issued %q hash differently", typed, code)
	}
}
