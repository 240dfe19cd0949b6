package auth

import (
	"fmt"
	"strings"
)

// PIN lengths: a technician PIN is typed on a kiosk's keypad.
const (
	MinPINLength = 6
	MaxPINLength = 12
)

// ErrBadPIN is returned for a PIN that is not 6–12 digits.
var ErrBadPIN = fmt.Errorf("auth: a PIN is %d to %d digits", MinPINLength, MaxPINLength)

// HashPIN returns the argon2id hash (as HashPassword's, checked with
// CheckPassword) of a numeric PIN, such as a kiosk's technician PIN.
// Digits alone are few: a PIN guards a screen that locks after wrong
// tries, and its hash must stay in a file only its owner reads.
func HashPIN(pin string) (string, error) {
	if len(pin) < MinPINLength || len(pin) > MaxPINLength || strings.Trim(pin, "0123456789") != "" {
		return "", ErrBadPIN
	}
	return hashArgon2id(pin)
}
