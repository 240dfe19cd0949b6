package cert

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckCharacterTable pins the MOD 37,36 character values and known
// check characters.
func TestCheckCharacterTable(t *testing.T) {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for want, c := range []byte(chars) {
		v, ok := charValue(c)
		if !ok || v != want || valueChar(v) != c {
			t.Errorf("%c: value %d, %v; back %c", c, v, ok, valueChar(v))
		}
	}
	for _, c := range []byte("a.-/ *\x00") {
		if _, ok := charValue(c); ok {
			t.Errorf("%q has a value", c)
		}
	}
	for _, tt := range []struct{ in, check string }{
		// ISO 7064 MOD 37,36 as used by GRid: A1-2425G-ABC1234002-M
		{"A12425GABC1234002", "M"},
		{"A1-2425G-ABC1234002", "M"}, // dashes skipped
		{"0", "2"},                   // 0 then 2 gives the final (p+v) mod 36 = 1
		{"", "1"},
		{IdentifierPrefix + "BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1", "V"},
	} {
		got, ok := mod3736(tt.in)
		if !ok || string(got) != tt.check {
			t.Errorf("mod3736(%q) = %c, %v, want %s", tt.in, got, ok, tt.check)
		}
	}
	if _, ok := mod3736("AB_C"); ok {
		t.Error("underscore accepted")
	}
}

func TestIdentifier(t *testing.T) {
	r := typicalRecord()
	id, err := r.Identifier()
	if err != nil {
		t.Fatal(err)
	}
	if id != "1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1.V" {
		t.Fatalf("identifier %s", id)
	}
	for _, in := range []string{id, strings.ToLower(id), " " + id + "\n"} {
		p, err := ParseIdentifier(in)
		if err != nil || p != (IdentifierParts{Type: r.Type, Issuer: r.Issuer, Serial: r.Serial, Version: 1}) {
			t.Fatalf("ParseIdentifier(%q) = %+v, %v", in, p, err)
		}
	}
	r.Version = 12
	id12, _ := r.Identifier()
	if p, err := ParseIdentifier(id12); err != nil || p.Version != 12 {
		t.Fatalf("%s: %+v %v", id12, p, err)
	}

	// every single wrong letter or digit, and every swap of neighbouring
	// letters or digits (also across a dot or dash), is caught
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	n := 0
	for i := len(IdentifierPrefix); i < len(id); i++ {
		if id[i] == '.' || id[i] == '-' {
			continue
		}
		for _, c := range []byte(chars) {
			if c == id[i] {
				continue
			}
			bad := id[:i] + string(c) + id[i+1:]
			if _, err := ParseIdentifier(bad); err == nil {
				t.Fatalf("%s accepted", bad)
			}
			n++
		}
	}
	alnum := func(c byte) bool { _, ok := charValue(c); return ok }
	for i := len(IdentifierPrefix); i+1 < len(id); i++ {
		j := i + 1
		if j+1 < len(id) && !alnum(id[j]) {
			j++ // across a separator
		}
		if !alnum(id[i]) || !alnum(id[j]) || id[i] == id[j] {
			continue
		}
		b := []byte(id)
		b[i], b[j] = b[j], b[i]
		bad := string(b)
		if _, err := ParseIdentifier(bad); err == nil {
			t.Fatalf("swap at %d: %s accepted", i, bad)
		}
		n++
	}
	t.Logf("%d altered identifiers refused", n)

	for _, bad := range []string{
		"",
		"1.2.156.3005.1.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1.V",
		"1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1",
		"1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1.Z.Z",
		"1.2.156.3005.2.BDC_ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1.V",
		"1.2.156.3005.2.BDC-ZM.520000-ZWFW.0102030405060708090A0B0C.1." + checkOf(t, "1.2.156.3005.2.BDC-ZM.520000-ZWFW.0102030405060708090A0B0C.1"),
		"1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.0." + checkOf(t, "1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.0"),
		"1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.01." + checkOf(t, "1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.01"),
		"1.2.156.3005.2..520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1." + checkOf(t, "1.2.156.3005.2..520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1"),
	} {
		if _, err := ParseIdentifier(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseIdentifier(%q): %v", bad, err)
		}
	}
	for _, r := range []Record{{Type: "bdc", Issuer: hallCode, Serial: Serial{1}, Version: 1}, {Type: "BDC", Issuer: "X.Y", Serial: Serial{1}, Version: 1},
		{Type: "BDC", Issuer: hallCode, Version: 1}, {Type: "BDC", Issuer: hallCode, Serial: Serial{1}}} {
		if _, err := r.Identifier(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Identifier of %+v: %v", r, err)
		}
	}
}

func checkOf(t *testing.T, s string) string {
	c, ok := mod3736(s)
	if !ok {
		t.Fatalf("mod3736(%q)", s)
	}
	return string(c)
}
