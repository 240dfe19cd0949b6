package cert

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed: the wire format must not change silently\n got %s\nwant %s", path, got, want)
	}
}

func TestClaimsDeterministic(t *testing.T) {
	c := typicalClaims()
	a, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	// the same claims built separately, with times in another zone and a
	// fresh digest slice
	d := typicalRecord().Claims()
	d.IssuedAt = d.IssuedAt.UTC()
	d.Digest = bytes.Clone(d.Digest)
	b, err := d.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("same claims, different bytes:\n%x\n%x", a, b)
	}
	s := seededSigner(1)
	m1, err := Issue(s, c)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Issue(s, d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m1, m2) {
		t.Fatal("same key and claims, different COSE_Sign1")
	}
	golden(t, "typical-claims.hex", []byte(hex.EncodeToString(a)+"\n"))
	golden(t, "typical.url", []byte(EncodeURL(baseURL, m1)+"\n"))

	var back Claims
	if err := back.UnmarshalCBOR(a); err != nil {
		t.Fatal(err)
	}
	if again, _ := back.MarshalCBOR(); !bytes.Equal(again, a) {
		t.Fatal("decode and encode changed the bytes")
	}
}

// TestClaimKeys pins the claim key numbering documented at Claims.
func TestClaimKeys(t *testing.T) {
	c := typicalClaims()
	c.Expires = t0.AddDate(5, 0, 0)
	var m map[int]cbor.RawMessage
	if err := cbor.Unmarshal(mustCBOR(t, c), &m); err != nil {
		t.Fatal(err)
	}
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []int{keyTitle, keyHolderID, keyHolderName, keyStatusIndex, keyDigest, keyType, keyIssuer, keyExpires, keyIssuedAt, keySerial}
	slices.Sort(want)
	if !slices.Equal(keys, want) || !slices.Equal(want, []int{-6, -5, -4, -3, -2, -1, 1, 4, 6, 7}) {
		t.Fatalf("claim keys %v, want %v", keys, want)
	}
	var iss string
	if err := cbor.Unmarshal(m[1], &iss); err != nil || iss != hallCode {
		t.Errorf("key 1 = %q, %v", iss, err)
	}
	var iat int64
	if err := cbor.Unmarshal(m[6], &iat); err != nil || iat != t0.Unix() {
		t.Errorf("key 6 = %d, %v", iat, err)
	}
}

func TestClaimsValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(c *Claims)
		want   string
	}{
		{"ok", func(c *Claims) {}, ""},
		{"lower-case issuer", func(c *Claims) { c.Issuer = "520000-zwfw" }, "issuer"},
		{"issuer with dot", func(c *Claims) { c.Issuer = "520000.ZWFW" }, "issuer"},
		{"no type", func(c *Claims) { c.Type = "" }, "type"},
		{"long type", func(c *Claims) { c.Type = strings.Repeat("A", 17) }, "type"},
		{"no serial", func(c *Claims) { c.Serial = Serial{} }, "serial"},
		{"short digest", func(c *Claims) { c.Digest = c.Digest[:8] }, "digest"},
		{"no issue time", func(c *Claims) { c.IssuedAt = time.Time{} }, "issue time"},
		{"expires before issue", func(c *Claims) { c.Expires = c.IssuedAt }, "expires"},
		{"id last 5", func(c *Claims) { c.HolderIDLast4 = "1234X" }, "last 4"},
		{"id lower x", func(c *Claims) { c.HolderIDLast4 = "123x" }, "last 4"},
		{"long name", func(c *Claims) { c.HolderName = strings.Repeat("王", 33) }, "holder name"},
		{"control in title", func(c *Claims) { c.Title = "证明\n" }, "title"},
		{"bad UTF-8", func(c *Claims) { c.HolderName = "\xff" }, "UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := typicalClaims()
			tt.change(&c)
			err := c.Validate()
			if tt.want == "" {
				wantErr(t, err, nil)
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrInvalid about %q", err, tt.want)
			}
			if _, err := Issue(seededSigner(1), c); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Issue: %v", err)
			}
		})
	}
}

func TestSerial(t *testing.T) {
	s := Serial{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c}
	if s.String() != "AEBAGBAFAYDQQCIKBMGA" || s.Hex() != "0102030405060708090a0b0c" {
		t.Fatalf("%s %s", s, s.Hex())
	}
	for _, in := range []string{"AEBAGBAFAYDQQCIKBMGA", "aebagbafaydqqcikbmga", " AEBAGBAFAYDQQCIKBMGA\n", "0102030405060708090a0b0c", "0102030405060708090A0B0C"} {
		got, err := ParseSerial(in)
		if err != nil || got != s {
			t.Errorf("ParseSerial(%q) = %s, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "AEBAGBAFAYDQQCIKBMG", "AEBAGBAFAYDQQCIKBMGB", "AEBAGBAFAYDQQCIKBMG1", "0102030405060708090a0b0g"} {
		if _, err := ParseSerial(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseSerial(%q): %v", in, err)
		}
	}
	if a, b := NewSerial(), NewSerial(); a == b || a.IsZero() {
		t.Error("NewSerial repeats or is zero")
	}
}

// TestCodes holds the hand-written code checks to the patterns they stand
// for (the hall code pattern is store.Hall's).
func TestCodes(t *testing.T) {
	hall := regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,31}$`)
	typ := regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,15}$`)
	last4 := regexp.MustCompile(`^[0-9A-Z]{0,4}$`)
	for _, s := range []string{"", "A", "AB", "-A", "A-", "520000-ZWFW", "520000-zwfw", "BDC-ZM", "BDC_ZM", "X.Y", "123X", "12345",
		strings.Repeat("A", 16), strings.Repeat("A", 17), strings.Repeat("A", 32), strings.Repeat("A", 33), "王", "A B"} {
		if isHallCode(s) != hall.MatchString(s) || isTypeCode(s) != typ.MatchString(s) || isLast4(s) != last4.MatchString(s) {
			t.Errorf("%q: hall %v, type %v, last4 %v", s, isHallCode(s), isTypeCode(s), isLast4(s))
		}
	}
}
