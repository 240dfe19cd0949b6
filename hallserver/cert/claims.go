package cert

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// Claims are what a certificate's QR code states and signs. Only what a
// checker needs to tie the QR code to the paper travels in it: the rest of
// the certificate is bound by Digest (see RecordDigest).
//
// On the wire the claims are one CBOR map with integer keys, encoded
// deterministically (RFC 8949 core deterministic encoding). Keys 1, 4, 6
// and 7 keep their CWT meaning (RFC 8392: iss, exp, iat, cti), so a generic
// COSE viewer shows the issuer, dates and id right; OneStop's own claims use
// the negative keys, which like the small positive ones take one byte:
//
//	 1  issuer          text   hall code, e.g. "520000-ZWFW"
//	 4  expires         uint   Unix seconds; absent when the certificate does not expire
//	 6  issued-at       uint   Unix seconds
//	 7  serial          bytes  12 random bytes
//	-1  type            text   certificate type code, e.g. "BDC-ZM" (不动产登记证明)
//	-2  record digest   bytes  16 bytes, RecordDigest of the full record
//	-3  status index    uint   position in the issuing hall's status list
//	-4  holder name     text   as printed
//	-5  holder ID last4 text   last 4 characters of the holder's ID number
//	-6  title           text   certificate title as printed
//
// The map holds no other keys: a verifier refuses a code with a key it does
// not know, so a future claim is a new format that verifiers must learn first.
type Claims struct {
	// Issuer is the issuing hall's code (store.Hall.Code): 2 to 32
	// uppercase letters, digits and dashes.
	Issuer string
	// IssuedAt is when the certificate was issued; kept to the second.
	IssuedAt time.Time
	// Expires is when the certificate's validity ends (exclusive: it is
	// valid while now is before Expires); zero when it does not expire. A
	// certificate valid "through 2030-12-31" expires at 2031-01-01 00:00
	// China time.
	Expires time.Time
	// Serial identifies this issued certificate; see Serial.
	Serial Serial
	// Type is the certificate type code: 1 to 16 uppercase letters, digits
	// and dashes, e.g. "BDC-ZM" for 不动产登记证明.
	Type string
	// Digest is RecordDigest of the full certificate record: 16 bytes.
	Digest []byte
	// StatusIndex is the certificate's position in the hall's status list,
	// for revocation checks against a published list.
	StatusIndex uint64
	// HolderName is the holder's name as printed, at most 96 bytes.
	HolderName string
	// HolderIDLast4 is the last 4 characters of the holder's ID number
	// (digits, or X; letters for other documents); up to 4.
	HolderIDLast4 string
	// Title is the certificate title as printed, at most 96 bytes.
	Title string
}

// Claim keys on the wire; see Claims.
const (
	keyIssuer      = 1
	keyExpires     = 4
	keyIssuedAt    = 6
	keySerial      = 7
	keyType        = -1
	keyDigest      = -2
	keyStatusIndex = -3
	keyHolderName  = -4
	keyHolderID    = -5
	keyTitle       = -6
)

// DigestSize is the length of a record digest in the claims.
const DigestSize = 16

// wireClaims is the CBOR form of Claims.
type wireClaims struct {
	Issuer        string `cbor:"1,keyasint"`
	Expires       int64  `cbor:"4,keyasint,omitempty"`
	IssuedAt      int64  `cbor:"6,keyasint"`
	Serial        []byte `cbor:"7,keyasint"`
	Type          string `cbor:"-1,keyasint"`
	Digest        []byte `cbor:"-2,keyasint"`
	StatusIndex   uint64 `cbor:"-3,keyasint"`
	HolderName    string `cbor:"-4,keyasint,omitempty"`
	HolderIDLast4 string `cbor:"-5,keyasint,omitempty"`
	Title         string `cbor:"-6,keyasint,omitempty"`
}

var (
	// detEnc encodes claims and records deterministically.
	detEnc = mustEncMode(cbor.CoreDetEncOptions())
	// strictDec decodes claims: no tags, no duplicate or unknown keys, no
	// indefinite lengths, shallow and small.
	strictDec = mustDecMode(cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   4,
		MaxArrayElements:  16,
		MaxMapPairs:       16,
		UTF8:              cbor.UTF8RejectInvalid,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	})
)

func mustEncMode(o cbor.EncOptions) cbor.EncMode {
	m, err := o.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}

func mustDecMode(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}

// isHallCode reports whether s is a hall code, as store.Hall requires:
// 2 to 32 of A–Z, 0–9 and '-', not starting with '-'.
func isHallCode(s string) bool { return isCode(s, 2, 32) }

// isTypeCode reports whether s is a certificate type code: 1 to 16 of A–Z,
// 0–9 and '-', not starting with '-'.
func isTypeCode(s string) bool { return isCode(s, 1, 16) }

func isCode(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := charValue(s[i]); !ok && (s[i] != '-' || i == 0) {
			return false
		}
	}
	return true
}

// isLast4 reports whether s is up to 4 of 0–9 and A–Z.
func isLast4(s string) bool {
	if len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := charValue(s[i]); !ok {
			return false
		}
	}
	return true
}

// maxText is the longest holder name or title, in bytes (32 CJK characters).
const maxText = 96

// Validate reports whether the claims can be signed: codes well formed, a
// serial, a 16-byte digest, an issue time, an expiry after it, and short
// printable texts. The error wraps ErrInvalid.
func (c Claims) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: claims: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	switch {
	case !isHallCode(c.Issuer):
		return bad("issuer %q: want a hall code (2 to 32 of A-Z 0-9 -)", c.Issuer)
	case !isTypeCode(c.Type):
		return bad("type %q: want a type code (1 to 16 of A-Z 0-9 -)", c.Type)
	case c.Serial.IsZero():
		return bad("no serial")
	case len(c.Digest) != DigestSize:
		return bad("record digest has %d bytes, want %d", len(c.Digest), DigestSize)
	case c.IssuedAt.Unix() <= 0:
		return bad("no issue time")
	case !c.Expires.IsZero() && c.Expires.Unix() <= c.IssuedAt.Unix():
		return bad("expires %s is not after issued %s", c.Expires.UTC().Format(time.RFC3339), c.IssuedAt.UTC().Format(time.RFC3339))
	case !isLast4(c.HolderIDLast4):
		return bad("holder ID last 4 %q: want up to 4 of 0-9 A-Z", c.HolderIDLast4)
	}
	if err := checkText("holder name", c.HolderName); err != nil {
		return bad("%v", err)
	}
	if err := checkText("title", c.Title); err != nil {
		return bad("%v", err)
	}
	return nil
}

// checkText accepts short, valid UTF-8 without control characters.
func checkText(what, s string) error {
	if len(s) > maxText {
		return fmt.Errorf("%s is %d bytes, at most %d", what, len(s), maxText)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Errorf("%s %q has a control character", what, s)
	}
	return nil
}

// MarshalCBOR returns the claims' deterministic CBOR encoding: the same
// claims always give the same bytes. The claims must Validate.
func (c Claims) MarshalCBOR() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return detEnc.Marshal(c.wire())
}

func (c Claims) wire() wireClaims {
	w := wireClaims{
		Issuer:        c.Issuer,
		IssuedAt:      c.IssuedAt.Unix(),
		Serial:        c.Serial[:],
		Type:          c.Type,
		Digest:        c.Digest,
		StatusIndex:   c.StatusIndex,
		HolderName:    c.HolderName,
		HolderIDLast4: c.HolderIDLast4,
		Title:         c.Title,
	}
	if !c.Expires.IsZero() {
		w.Expires = c.Expires.Unix()
	}
	return w
}

// UnmarshalCBOR reads claims written by MarshalCBOR. It accepts only the
// deterministic encoding of valid claims, so one set of claims has exactly
// one encoding; anything else wraps ErrMalformed.
func (c *Claims) UnmarshalCBOR(data []byte) error {
	var w wireClaims
	if err := strictDec.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	v := Claims{
		Issuer:        w.Issuer,
		IssuedAt:      time.Unix(w.IssuedAt, 0).UTC(),
		Type:          w.Type,
		Digest:        w.Digest,
		StatusIndex:   w.StatusIndex,
		HolderName:    w.HolderName,
		HolderIDLast4: w.HolderIDLast4,
		Title:         w.Title,
	}
	if len(w.Serial) != len(v.Serial) {
		return fmt.Errorf("%w: claims: serial has %d bytes, want %d", ErrMalformed, len(w.Serial), len(v.Serial))
	}
	copy(v.Serial[:], w.Serial)
	if w.Expires != 0 {
		v.Expires = time.Unix(w.Expires, 0).UTC()
	}
	if err := v.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	again, err := detEnc.Marshal(v.wire())
	if err != nil || !bytes.Equal(again, data) {
		return fmt.Errorf("%w: claims: not in deterministic encoding", ErrMalformed)
	}
	*c = v
	return nil
}
