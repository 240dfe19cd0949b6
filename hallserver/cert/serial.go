package cert

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
)

// Serial is a certificate's serial number: 96 random bits, so serials from
// different halls never collide and cannot be guessed or enumerated.
// Its text form is 20 characters of RFC 4648 Base32 (A–Z, 2–7), which has no
// 0/O or 1/I to confuse when read aloud; ParseSerial also takes 24 hex digits.
type Serial [12]byte

// b32 is RFC 4648 Base32 without padding, the alphabet of serials and of the
// QR code text.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSerial returns a fresh random serial.
func NewSerial() Serial {
	var s Serial
	rand.Read(s[:]) // never fails (crypto/rand, Go 1.24+)
	return s
}

// ParseSerial reads a serial written as 20 Base32 characters or 24 hex
// digits, in either case.
func ParseSerial(text string) (Serial, error) {
	var s Serial
	t := strings.ToUpper(strings.TrimSpace(text))
	var b []byte
	var err error
	switch len(t) {
	case 20:
		b, err = b32.DecodeString(t)
		if err == nil && b32.EncodeToString(b) != t {
			err = fmt.Errorf("non-canonical final character")
		}
	case 24:
		b, err = hex.DecodeString(t)
	default:
		return s, fmt.Errorf("%w: serial %q: want 20 Base32 characters or 24 hex digits", ErrInvalid, text)
	}
	if err != nil || len(b) != len(s) {
		return s, fmt.Errorf("%w: serial %q: %v", ErrInvalid, text, err)
	}
	copy(s[:], b)
	return s, nil
}

// String returns the serial as 20 uppercase Base32 characters.
func (s Serial) String() string { return b32.EncodeToString(s[:]) }

// Hex returns the serial as 24 lowercase hex digits.
func (s Serial) Hex() string { return hex.EncodeToString(s[:]) }

// IsZero reports whether the serial is all zero bits, which is never issued.
func (s Serial) IsZero() bool { return s == Serial{} }

// MarshalText writes the Base32 form (for JSON).
func (s Serial) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what ParseSerial reads.
func (s *Serial) UnmarshalText(b []byte) error {
	v, err := ParseSerial(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
