package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Token prefixes tell a session token from a kiosk's device token at a glance.
const (
	SessionPrefix = "ses_"
	DevicePrefix  = "dev_"
)

// NewToken returns a fresh random token with the prefix (256 bits) and the
// hash under which it is stored.
func NewToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token: hex SHA-256. Tokens carry 256
// random bits, so a fast hash is enough; a stolen database yields no token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewEnrollmentCode returns a one-time kiosk enrollment code that a
// technician can type on a touch keypad: 12 digits in groups of four.
func NewEnrollmentCode() string {
	var sb strings.Builder
	b := make([]byte, 1)
	for i := 0; i < 12; {
		rand.Read(b)
		if b[0] >= 250 { // 250 = 25 × 10: keep every digit equally likely
			continue
		}
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte('0' + b[0]%10)
		i++
	}
	return sb.String()
}

// NormalizeEnrollmentCode keeps only the digits, so "1234 5678-9012" and
// "123456789012" are the same code; full-width digits ("１２３４"), which a
// Chinese input method types, count as the digits they are.
func NormalizeEnrollmentCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		}
		return -1
	}, code)
}
