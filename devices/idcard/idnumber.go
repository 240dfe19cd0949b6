package idcard

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidIDNumber is matched by every *IDNumberError.
var ErrInvalidIDNumber = errors.New("idcard: invalid ID number")

// The reasons an ID number is rejected, matched by errors.Is on an
// *IDNumberError.
var (
	ErrIDLength     = errors.New("idcard: ID number has the wrong length")
	ErrIDCharacter  = errors.New("idcard: ID number has a character out of place")
	ErrIDCheckDigit = errors.New("idcard: ID number check digit mismatch")
	ErrIDBirthDate  = errors.New("idcard: ID number birth date implausible")
	ErrIDPrefix     = errors.New("idcard: ID number prefix does not fit the card kind")
)

// IDNumberError explains why an ID number was rejected. Errors.Is matches
// it against ErrInvalidIDNumber, ErrInvalidCard and its Reason.
type IDNumberError struct {
	// Number is the number as read (normalised where possible).
	Number string
	// Reason is one of ErrIDLength, ErrIDCharacter, ErrIDCheckDigit,
	// ErrIDBirthDate, ErrIDPrefix.
	Reason error
	// Detail says more (e.g. the expected check character).
	Detail string
}

// Error gives the reason, with the number masked (the error may be
// logged).
func (e *IDNumberError) Error() string {
	s := fmt.Sprintf("idcard: invalid ID number %s: %s", MaskIDNumber(e.Number), strings.TrimPrefix(e.Reason.Error(), "idcard: "))
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap lets errors.Is match ErrInvalidIDNumber, ErrInvalidCard and the
// Reason.
func (e *IDNumberError) Unwrap() []error {
	return []error{ErrInvalidIDNumber, ErrInvalidCard, e.Reason}
}

// idWeights are 2^(18−i) mod 11 for i = 1..17 (GB 11643-1999).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckDigit computes the GB 11643 (ISO 7064 MOD 11-2) check character of
// the first 17 digits of an 18-character ID number: '0'–'9' or 'X'.
// first17 may be the whole 18-character number; only its first 17
// characters are used.
func CheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 && len(first17) != 18 {
		return 0, fmt.Errorf("idcard: check digit of %d characters: %w", len(first17), ErrIDLength)
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("idcard: check digit: character %d is %q: %w", i+1, c, ErrIDCharacter)
		}
		sum += int(c-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11], nil
}

// oldestBirth is the earliest birth date an ID number may carry: older
// than anyone alive.
var oldestBirth = Date{Year: 1890, Month: 1, Day: 1}

// NormalizeIDNumber checks an 18-character ID number (居民身份证, and the
// same form on HMT residence permits and 2023 foreigner cards) and returns
// it normalised: spaces trimmed, a lowercase x made X. It checks the
// characters, the MOD 11-2 check digit, and that the birth date part
// (characters 7–14) is a real date between 1890 and today in China. The
// error is an *IDNumberError.
func NormalizeIDNumber(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return s, &IDNumberError{Number: s, Reason: ErrIDLength, Detail: fmt.Sprintf("%d characters, want 18", len(s))}
	}
	want, err := CheckDigit(s[:17])
	if err != nil {
		return s, &IDNumberError{Number: s, Reason: ErrIDCharacter, Detail: "the first 17 must be digits"}
	}
	if c := s[17]; (c < '0' || c > '9') && c != 'X' {
		return s, &IDNumberError{Number: s, Reason: ErrIDCharacter, Detail: "the last must be a digit or X"}
	}
	if s[17] != want {
		return s, &IDNumberError{Number: s, Reason: ErrIDCheckDigit, Detail: fmt.Sprintf("check character %c, computed %c", s[17], want)}
	}
	if _, err := idBirthDate(s); err != nil {
		return s, &IDNumberError{Number: s, Reason: ErrIDBirthDate, Detail: err.Error()}
	}
	return s, nil
}

// ValidIDNumber reports whether s passes NormalizeIDNumber: 18
// characters (a lowercase x accepted), the right check digit and a
// plausible birth date.
func ValidIDNumber(s string) bool {
	_, err := NormalizeIDNumber(s)
	return err == nil
}

// idBirthDate is the plausible birth date in characters 7–14 of an
// 18-character number.
func idBirthDate(s string) (Date, error) {
	d, err := ParseDate(s[6:14])
	if err != nil {
		return Date{}, errors.New("the birth date part is not a date")
	}
	if d.Before(oldestBirth) || d.After(Today()) {
		return Date{}, errors.New("the birth date part is out of range")
	}
	return d, nil
}
