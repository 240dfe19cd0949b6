package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the OWASP minimum (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// The largest cost CheckPassword accepts from a stored hash, so that a
// damaged or planted row cannot exhaust the server's memory or time
// (about 13 and 8 times the parameters above).
const (
	maxArgonMemory = 256 * 1024 // KiB
	maxArgonTime   = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// ErrWeakPassword is returned for a password that is too short.
var ErrWeakPassword = fmt.Errorf("auth: password too short: use at least %d characters", MinPasswordLength)

// HashPassword returns the argon2id hash of pw in PHC string form.
func HashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return "", ErrWeakPassword
	}
	return hashArgon2id(pw)
}

// hashArgon2id is the PHC string of pw's argon2id hash with a fresh salt.
func hashArgon2id(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC hash.
func CheckPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("auth: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("auth: unsupported argon2 version %q", parts[2])
	}
	var mem uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false, fmt.Errorf("auth: bad argon2 parameters %q: %w", parts[3], err)
	}
	// argon2.IDKey panics on t or p of 0; RFC 9106 wants m ≥ 8p.
	if t < 1 || t > maxArgonTime || p < 1 || mem < 8*uint32(p) || mem > maxArgonMemory {
		return false, fmt.Errorf("auth: argon2 parameters out of range %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("auth: bad salt: %w", err)
	}
	if len(salt) < 8 { // RFC 9106's minimum
		return false, fmt.Errorf("auth: salt of %d bytes is too short", len(salt))
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("auth: bad key: %w", err)
	}
	if len(want) < 4 { // RFC 9106's minimum; argon2.IDKey panics on 0
		return false, fmt.Errorf("auth: key of %d bytes is too short", len(want))
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
