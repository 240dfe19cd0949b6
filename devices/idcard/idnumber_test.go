package idcard_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"onestop/devices/idcard"
)

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		in   string
		want byte
		err  error
	}{
		{"11010519491231002", 'X', nil}, // the GB 11643 example
		{"11010519491231002X", 'X', nil},
		{"52010219900714024", '3', nil},
		{"52010319900714031", '1', nil},
		{"81000019950423046", 'X', nil},
		{"95227619880314002", '2', nil},
		{"44052418800101001", '4', nil},
		{"00000000000000000", '1', nil},
		{"1101051949123100", 0, idcard.ErrIDLength},
		{"110105194912310021X", 0, idcard.ErrIDLength},
		{"1101051949123100A", 0, idcard.ErrIDCharacter},
		{"", 0, idcard.ErrIDLength},
	}
	for _, tt := range tests {
		got, err := idcard.CheckDigit(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	// Every check character is reachable, and changing any digit changes it.
	seen := map[byte]bool{}
	for i := range 200 {
		s := fmt.Sprintf("5201021990071%04d", i)
		c, _ := idcard.CheckDigit(s)
		seen[c] = true
		for pos := range 17 {
			m := []byte(s)
			m[pos] = '0' + (m[pos]-'0'+1)%10
			if c2, _ := idcard.CheckDigit(string(m)); c2 == c {
				t.Fatalf("changing digit %d of %s keeps check %c", pos+1, s, c)
			}
		}
	}
	if len(seen) != 11 {
		t.Errorf("%d distinct check characters, want 11", len(seen))
	}
}

func TestValidIDNumber(t *testing.T) {
	tests := []struct {
		in     string
		valid  bool
		norm   string
		reason error
	}{
		{"11010519491231002X", true, "11010519491231002X", nil},
		{"11010519491231002x", true, "11010519491231002X", nil},
		{" 11010519491231002x ", true, "11010519491231002X", nil},
		{"520102199007140243", true, "520102199007140243", nil},
		{"520102199007140244", false, "", idcard.ErrIDCheckDigit},
		{"110105194912310020", false, "", idcard.ErrIDCheckDigit},
		{"11010519491231002", false, "", idcard.ErrIDLength},
		{"11010519491231002XX", false, "", idcard.ErrIDLength},
		{"110105491231002", false, "", idcard.ErrIDLength}, // the old 15-digit form
		{"", false, "", idcard.ErrIDLength},
		{"1101051949123100AX", false, "", idcard.ErrIDCharacter},
		{"11010519491231002Y", false, "", idcard.ErrIDCharacter},
		{"1101051949123100２X", false, "", idcard.ErrIDLength}, // a fullwidth digit is 3 bytes
		// Right check digit, impossible birth dates.
		{withCheck("11010519490230002"), false, "", idcard.ErrIDBirthDate},
		{withCheck("11010518800101002"), false, "", idcard.ErrIDBirthDate},
		{withCheck("11010529990101002"), false, "", idcard.ErrIDBirthDate},
		{withCheck("11010519491331002"), false, "", idcard.ErrIDBirthDate},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := idcard.ValidIDNumber(tt.in); got != tt.valid {
				t.Errorf("ValidIDNumber = %v", got)
			}
			norm, err := idcard.NormalizeIDNumber(tt.in)
			if tt.valid {
				if err != nil || norm != tt.norm {
					t.Errorf("NormalizeIDNumber = %q, %v", norm, err)
				}
				return
			}
			var ie *idcard.IDNumberError
			if !errors.Is(err, tt.reason) || !errors.Is(err, idcard.ErrInvalidIDNumber) || !errors.As(err, &ie) {
				t.Errorf("NormalizeIDNumber error = %v, want %v", err, tt.reason)
			}
		})
	}
}

func withCheck(first17 string) string {
	c, err := idcard.CheckDigit(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// TestErrorsDoNotRevealTheNumber: an error about an ID number shows it
// masked and says nothing of its birth date part, which with the masked
// number would give away all but two digits.
func TestErrorsDoNotRevealTheNumber(t *testing.T) {
	body := "11010520991231002" // born in 2099: out of range
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	n := body + string("10X98765432"[sum%11])
	_, err := idcard.NormalizeIDNumber(n)
	if err == nil {
		t.Fatal("a number born in 2099 passed")
	}
	for _, secret := range []string{"20991231", "2099-12-31", n} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals %q", err, secret)
		}
	}
}
