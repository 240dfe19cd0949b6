package devicetest

import (
	"errors"
	"strings"
	"testing"

	"onestop/devices/idcard"
)

func TestIDCardSamples(t *testing.T) {
	kinds := map[idcard.Kind]int{}
	nations := map[string]bool{}
	longTerm := 0
	for i, c := range IDCardSamples() {
		kinds[c.Kind]++
		nations[c.Nation] = true
		if c.ValidLongTerm {
			longTerm++
		}
		if !c.IDNumberValid || len(c.Photo) != idcard.PhotoLen || !strings.HasPrefix(string(c.Photo), "WLf") {
			t.Errorf("sample %d: valid %v, photo %d bytes", i, c.IDNumberValid, len(c.Photo))
		}
		if c.Kind != idcard.KindForeigner2017 {
			n, err := idcard.NormalizeIDNumber(c.IDNumber)
			if err != nil || n != c.IDNumber {
				t.Errorf("sample %d: %s: %v", i, c.IDNumber, err)
			}
			// The 17th digit is odd for men, even for women.
			if odd := (c.IDNumber[16]-'0')%2 == 1; odd != (c.Gender == idcard.GenderMale) {
				t.Errorf("sample %d: sequence %s does not fit gender %v", i, c.IDNumber[14:17], c.Gender)
			}
			if c.IDNumber[6:14] != c.BirthDate.Compact() {
				t.Errorf("sample %d: number %s, born %v", i, c.IDNumber, c.BirthDate)
			}
		}
		if (c.Kind == idcard.KindResident || c.Kind == idcard.KindResidencePermit) && !strings.HasPrefix(c.Address, "贵州省") {
			t.Errorf("sample %d: address %q not in Guizhou", i, c.Address)
		}
		if c.Kind == idcard.KindResident && idcard.NationName(c.NationCode) != c.Nation {
			t.Errorf("sample %d: nation %s/%s", i, c.NationCode, c.Nation)
		}
		if got, err := idcard.ParseText(IDCardText(c)); err != nil || got.IDNumber != c.IDNumber || got.Name != c.Name || got.NameEn != c.NameEn {
			t.Errorf("sample %d does not parse back: %v", i, err)
		}
	}
	if len(kinds) != 4 {
		t.Errorf("kinds %v, want all four", kinds)
	}
	for _, n := range []string{"汉", "苗", "土家", "布依"} {
		if !nations[n] {
			t.Errorf("no %s sample", n)
		}
	}
	if longTerm != 1 {
		t.Errorf("%d long-term samples, want 1", longTerm)
	}
	a := IDCardSamples()
	a[0].Name, a[0].Photo[0] = "改", 0
	if b := IDCardSamples(); b[0].Name == "改" || b[0].Photo[0] == 0 {
		t.Error("IDCardSamples shares its cards between calls")
	}
	if len(IDCardSamples()[IDCardSampleForeign2023].NameEn) <= 35 {
		t.Error("the 2023 sample's Latin name must be longer than 35 characters to exercise the split")
	}
}

func TestIDCardSampleBadCheck(t *testing.T) {
	c := IDCardSampleBadCheck()
	if c.IDNumberValid {
		t.Error("marked valid")
	}
	if _, err := idcard.NormalizeIDNumber(c.IDNumber); !errors.Is(err, idcard.ErrIDCheckDigit) {
		t.Errorf("%s: %v, want a check digit error", c.IDNumber, err)
	}
	first17 := c.IDNumber[:17]
	if IDCardNumber(first17[:6], first17[6:14], first17[14:]) == c.IDNumber {
		t.Error("the bad number has the right check digit")
	}
}

func TestIDCardText(t *testing.T) {
	tests := []struct {
		name   string
		card   idcard.Card
		marker string
	}{
		{"resident", IDCardSamples()[IDCardSampleHan], " "},
		{"permit", IDCardSamples()[IDCardSampleHKPermit], "J"},
		{"2017", IDCardSamples()[IDCardSampleForeign2017], "I"},
		{"2023", IDCardSamples()[IDCardSampleForeign2023], "Y"},
		{"zero card", idcard.Card{}, " "},
	}
	for _, tt := range tests {
		b := IDCardText(tt.card)
		if len(b) != 256 || string(b[248:250]) != tt.marker+"\x00" {
			t.Errorf("%s: %d bytes, marker % X", tt.name, len(b), b[248:250])
		}
	}
	// Too long fields are cut, not spilled into the next.
	c := IDCardSamples()[IDCardSampleHan]
	c.Name = strings.Repeat("龘", 20)
	c.Address = strings.Repeat("路", 50)
	got, _ := idcard.ParseText(IDCardText(c))
	if got.Name != strings.Repeat("龘", 15) || got.Address != strings.Repeat("路", 35) || got.Gender != idcard.GenderFemale {
		t.Errorf("cut fields: %q %q %v", got.Name, got.Address, got.Gender)
	}
	// Characters outside the BMP are surrogate pairs in UCS-2... and
	// ParseText reads them back.
	c.Name = "𠮷野"
	if got, _ := idcard.ParseText(IDCardText(c)); got.Name != "𠮷野" {
		t.Errorf("surrogate pair: %q", got.Name)
	}
	if a := IDCardAddressText("贵州省"); len(a) != 70 || idcard.DecodeText(a) != "贵州省" {
		t.Errorf("IDCardAddressText: % X", a)
	}
}

func TestIDCardNumber(t *testing.T) {
	if got := IDCardNumber("110105", "19491231", "002"); got != "11010519491231002X" {
		t.Errorf("IDCardNumber = %s", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic on a malformed argument")
		}
	}()
	IDCardNumber("11010A", "19491231", "002")
}
