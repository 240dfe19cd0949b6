package cert

import (
	"fmt"
	"strconv"
	"strings"
)

// IdentifierPrefix starts every 电子证照 identifier: the arc that
// GB/T 36901 assigns to electronic certificates.
const IdentifierPrefix = "1.2.156.3005.2."

// IdentifierParts are the fields of a 电子证照 identifier.
type IdentifierParts struct {
	Type    string
	Issuer  string
	Serial  Serial
	Version int
}

// Identifier returns the record's 电子证照-style identifier, in the shape of
// GB/T 36901:
//
//	1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>
//
// for example 1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1.V
// (serial in Base32, version in decimal from 1). The check character is
// ISO/IEC 7064 MOD 37,36 (the hybrid system GRid and ISAN use) over the
// letters and digits of everything before it, dots and dashes skipped: one
// character of 0–9 A–Z that catches every single wrong letter or digit and
// every swap of two neighbouring letters or digits, also across a dot or
// dash. A dot or dash moved by one place ("BD-CZM" for "BDC-ZM") is not
// caught by the check character, since MOD 37,36 has no values for them;
// such a typo names a type or hall code that does not exist. (MOD 11-2, the
// GB 11643 ID-number check, takes digits only, and type and hall codes
// have letters.) The error wraps ErrInvalid when a code or the version
// cannot be written in this shape.
func (rec Record) Identifier() (string, error) {
	return IdentifierParts{Type: rec.Type, Issuer: rec.Issuer, Serial: rec.Serial, Version: rec.Version}.Encode()
}

// Encode writes the identifier; see Record.Identifier.
func (p IdentifierParts) Encode() (string, error) {
	switch {
	case !isTypeCode(p.Type):
		return "", fmt.Errorf("%w: identifier: type %q: want 1 to 16 of A-Z 0-9 -", ErrInvalid, p.Type)
	case !isHallCode(p.Issuer):
		return "", fmt.Errorf("%w: identifier: issuer %q: want 2 to 32 of A-Z 0-9 -", ErrInvalid, p.Issuer)
	case p.Serial.IsZero():
		return "", fmt.Errorf("%w: identifier: no serial", ErrInvalid)
	case p.Version < 1:
		return "", fmt.Errorf("%w: identifier: version %d: want 1 or more", ErrInvalid, p.Version)
	}
	body := IdentifierPrefix + p.Type + "." + p.Issuer + "." + p.Serial.String() + "." + strconv.Itoa(p.Version)
	c, _ := mod3736(body)
	return body + "." + string(c), nil
}

// ParseIdentifier reads an identifier written by Record.Identifier, in
// either case, and checks its check character. The error wraps ErrInvalid.
func ParseIdentifier(id string) (IdentifierParts, error) {
	var p IdentifierParts
	s := strings.ToUpper(strings.TrimSpace(id))
	bad := func(why string) (IdentifierParts, error) {
		return IdentifierParts{}, fmt.Errorf("%w: identifier %q: %s", ErrInvalid, id, why)
	}
	if !strings.HasPrefix(s, IdentifierPrefix) {
		return bad("does not start with " + IdentifierPrefix)
	}
	f := strings.Split(s[len(IdentifierPrefix):], ".")
	if len(f) != 5 {
		return bad("want type.issuer.serial.version.check after the prefix")
	}
	body := s[:strings.LastIndexByte(s, '.')]
	want, ok := mod3736(body)
	if !ok {
		return bad("has a character other than 0-9 A-Z . -")
	}
	if f[4] != string(want) {
		return bad("check character does not match: a character is wrong or two are swapped")
	}
	p.Type, p.Issuer = f[0], f[1]
	var err error
	if p.Serial, err = ParseSerial(f[2]); err != nil || len(f[2]) != 20 {
		return bad("serial is not 20 Base32 characters")
	}
	if v, err := strconv.Atoi(f[3]); err != nil || v < 1 || strconv.Itoa(v) != f[3] {
		return bad("version is not a number from 1")
	} else {
		p.Version = v
	}
	if _, err := p.Encode(); err != nil {
		return bad(strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": identifier: "))
	}
	return p, nil
}

// mod3736 returns the ISO/IEC 7064 MOD 37,36 check character of the letters
// and digits in s, skipping '.' and '-'; ok is false if s has any other
// character. Digits are worth 0–9 and letters A–Z 10–35.
func mod3736(s string) (check byte, ok bool) {
	const m = 36
	p := m
	for i := 0; i < len(s); i++ {
		v, isChar := charValue(s[i])
		if !isChar {
			if s[i] == '.' || s[i] == '-' {
				continue
			}
			return 0, false
		}
		t := (p + v) % m
		if t == 0 {
			t = m
		}
		p = (t * 2) % (m + 1)
	}
	return valueChar((m + 1 - p) % m), true
}

// charValue is a character's value in MOD 37,36: 0–9, then A–Z as 10–35.
func charValue(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	}
	return 0, false
}

// valueChar is the character for a value 0–35.
func valueChar(v int) byte {
	if v < 10 {
		return byte('0' + v)
	}
	return byte('A' + v - 10)
}
