package idcard_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"onestop/devices/devicetest"
	"onestop/devices/idcard"
)

// block builds a text block by hand, independently of IDCardText:
// spaces, then each field at its offset.
type block []byte

func newBlock() block { return block(bytes.Repeat([]byte{0x20, 0x00}, 128)) }

func (b block) put(off int, s string) block {
	for i, u := range utf16.Encode([]rune(s)) {
		b[off+2*i], b[off+2*i+1] = byte(u), byte(u>>8)
	}
	return b
}

func d(y int, m time.Month, day int) idcard.Date { return idcard.Date{Year: y, Month: m, Day: day} }

// TestParseTextOffsets checks each kind against blocks laid out from the
// document's tables.
func TestParseTextOffsets(t *testing.T) {
	resident := newBlock().put(0, "王晓红").put(30, "2").put(32, "01").put(36, "19900714").
		put(52, "贵州省贵阳市南明区花果园大街18号").put(122, "520102199007140243").
		put(158, "贵阳市公安局南明分局").put(188, "20210308").put(204, "20410308")
	permit := newBlock().put(0, "陈嘉欣").put(30, "2").put(36, "19950423").put(52, "贵州省贵阳市云岩区中华北路200号").
		put(122, devicetest.IDCardNumber("810000", "19950423", "046")).put(158, "贵阳市公安局").
		put(188, "20230110").put(204, "20280110").put(220, "H60218734").put(238, "03").put(248, "J")
	f2017 := newBlock().put(0, "HARRISON, THOMAS EDWARD").put(120, "1").put(122, "GBR520076090112").put(152, "GBR").
		put(158, "哈里森").put(188, "20180601").put(204, "20280601").put(220, "19760901").put(236, "00").put(240, "5200").put(248, "I")
	f2023 := newBlock().put(0, "穆安娜").put(30, "2").put(32, "01").put(36, "19880314").
		put(52, "MUELLER-SCHMIDT, ANNA KATHARINA ELI"). // characters 1–35
		put(220, "SABETH").                             // characters 36–
		put(122, devicetest.IDCardNumber("952276", "19880314", "002")).put(188, "20240201").put(204, "20340201").
		put(242, "DEU").put(248, "Y").put(250, "1")
	split := newBlock().put(0, "穆安娜").put(30, "2").put(36, "19880314").
		put(52, "ABCDEFGHIJ ABCDEFGHIJ ABCDEFGHIJ AB"). // a space right after the split
		put(220, " CD").put(122, devicetest.IDCardNumber("952276", "19880314", "002")).put(188, "20240201").put(204, "20340201").put(248, "Y")
	tests := []struct {
		name string
		in   block
		want idcard.Card
	}{
		{"resident", resident, idcard.Card{
			Kind: idcard.KindResident, Name: "王晓红", Gender: idcard.GenderFemale, NationCode: "01", Nation: "汉",
			BirthDate: d(1990, 7, 14), Address: "贵州省贵阳市南明区花果园大街18号", IDNumber: "520102199007140243", IDNumberValid: true,
			Authority: "贵阳市公安局南明分局", ValidFrom: d(2021, 3, 8), ValidTo: d(2041, 3, 8),
		}},
		{"HMT residence permit", permit, idcard.Card{
			Kind: idcard.KindResidencePermit, Name: "陈嘉欣", Gender: idcard.GenderFemale, BirthDate: d(1995, 4, 23),
			Address: "贵州省贵阳市云岩区中华北路200号", IDNumber: devicetest.IDCardNumber("810000", "19950423", "046"), IDNumberValid: true,
			Authority: "贵阳市公安局", ValidFrom: d(2023, 1, 10), ValidTo: d(2028, 1, 10), PassNumber: "H60218734", IssueCount: 3,
		}},
		{"foreigner 2017", f2017, idcard.Card{
			Kind: idcard.KindForeigner2017, NameEn: "HARRISON, THOMAS EDWARD", Name: "哈里森", Gender: idcard.GenderMale,
			IDNumber: "GBR520076090112", IDNumberValid: true, Nationality: "GBR", BirthDate: d(1976, 9, 1),
			ValidFrom: d(2018, 6, 1), ValidTo: d(2028, 6, 1), CardVersion: "00", Authority: "5200",
		}},
		{"foreigner 2023", f2023, idcard.Card{
			Kind: idcard.KindForeigner2023, Name: "穆安娜", NameEn: "MUELLER-SCHMIDT, ANNA KATHARINA ELISABETH", Gender: idcard.GenderFemale,
			RenewalCount: 1, BirthDate: d(1988, 3, 14), IDNumber: devicetest.IDCardNumber("952276", "19880314", "002"), IDNumberValid: true,
			ValidFrom: d(2024, 2, 1), ValidTo: d(2034, 2, 1), Nationality: "DEU", OldCardNumber: "1",
		}},
		{"foreigner 2023, space at the name split", split, idcard.Card{
			Kind: idcard.KindForeigner2023, Name: "穆安娜", NameEn: "ABCDEFGHIJ ABCDEFGHIJ ABCDEFGHIJ AB CD", Gender: idcard.GenderFemale,
			BirthDate: d(1988, 3, 14), IDNumber: devicetest.IDCardNumber("952276", "19880314", "002"), IDNumberValid: true,
			ValidFrom: d(2024, 2, 1), ValidTo: d(2034, 2, 1),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := idcard.ParseText(tt.in)
			if err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseText =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

// TestRoundTrip: every sample survives IDCardText → ParseText.
func TestRoundTrip(t *testing.T) {
	kinds := map[idcard.Kind]bool{}
	for i, want := range devicetest.IDCardSamples() {
		t.Run(want.Name, func(t *testing.T) {
			text := devicetest.IDCardText(want)
			if len(text) != idcard.TextLen {
				t.Fatalf("IDCardText gave %d bytes", len(text))
			}
			got, err := idcard.ParseText(text)
			if err != nil {
				t.Fatalf("sample %d: %v", i, err)
			}
			want.Photo, want.Fingerprint, want.AdditionalAddress = nil, nil, ""
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip =\n%#v\nwant\n%#v", got, want)
			}
			kinds[got.Kind] = true
		})
	}
	if len(kinds) != 4 {
		t.Errorf("the samples cover %d kinds, want 4", len(kinds))
	}
}

func TestGender(t *testing.T) {
	tests := []struct {
		code   string
		want   idcard.Gender
		zh, en string
		bad    bool
	}{
		{"1", idcard.GenderMale, "男", "male", false},
		{"2", idcard.GenderFemale, "女", "female", false},
		{"0", idcard.GenderUnknown, "未知", "unknown", false},
		{"9", idcard.GenderUnstated, "未说明", "not stated", false},
		{"3", idcard.GenderUnknown, "未知", "unknown", true},
		{"男", idcard.GenderUnknown, "未知", "unknown", true},
		{"", idcard.GenderUnknown, "未知", "unknown", true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			b := newBlock().put(0, "王晓红").put(30, tt.code).put(32, "01").put(36, "19900714").
				put(122, "520102199007140243").put(188, "20210308").put(204, "20410308")
			c, err := idcard.ParseText(b)
			var fe *idcard.FieldError
			if tt.bad != (errors.As(err, &fe) && fe.Field == "gender") {
				t.Fatalf("ParseText error = %v", err)
			}
			if c.Gender != tt.want || c.Gender.String() != tt.zh || c.Gender.NameEN() != tt.en {
				t.Errorf("gender %q → %v %q %q", tt.code, c.Gender, c.Gender, c.Gender.NameEN())
			}
			if !tt.bad && string(rune(c.Gender.Code())) != tt.code {
				t.Errorf("Code() = %q", c.Gender.Code())
			}
		})
	}
}

func TestNations(t *testing.T) {
	tests := []struct{ code, name string }{
		{"01", "汉"}, {"02", "蒙古"}, {"03", "回"}, {"06", "苗"}, {"09", "布依"}, {"12", "侗"},
		{"15", "土家"}, {"25", "水"}, {"37", "仡佬"}, {"46", "德昂"}, {"56", "基诺"},
		{"97", "其他"}, {"98", "外国血统中国籍人士"},
		{"00", ""}, {"57", ""}, {"99", ""}, {"1", ""}, {"", ""},
	}
	for _, tt := range tests {
		if got := idcard.NationName(tt.code); got != tt.name {
			t.Errorf("NationName(%q) = %q, want %q", tt.code, got, tt.name)
		}
		if tt.name != "" && idcard.NationCode(tt.name) != tt.code {
			t.Errorf("NationCode(%q) = %q", tt.name, idcard.NationCode(tt.name))
		}
	}
	n := 0
	for i := range 100 {
		code := string(rune('0'+i/10)) + string(rune('0'+i%10))
		if name := idcard.NationName(code); name != "" {
			n++
			if strings.Contains(name, "昴") || strings.HasSuffix(name, "族") {
				t.Errorf("%s = %q", code, name)
			}
		}
	}
	if n != 58 {
		t.Errorf("%d nations, GB 3304 has 56 + 2", n)
	}
	b := newBlock().put(0, "王晓红").put(30, "2").put(32, "99").put(36, "19900714").
		put(122, "520102199007140243").put(188, "20210308").put(204, "20410308")
	c, err := idcard.ParseText(b)
	var fe *idcard.FieldError
	if !errors.As(err, &fe) || fe.Field != "nation" || c.NationCode != "99" || c.Nation != "" {
		t.Errorf("unknown nation: %v, %+v", err, c)
	}
}

func TestLongTermValidity(t *testing.T) {
	miao := devicetest.IDCardSamples()[devicetest.IDCardSampleMiao]
	c, err := idcard.ParseText(devicetest.IDCardText(miao))
	if err != nil {
		t.Fatal(err)
	}
	if !c.ValidLongTerm || !c.ValidTo.IsZero() || c.ValidTo.String() != "" {
		t.Errorf("长期: ValidLongTerm %v, ValidTo %v", c.ValidLongTerm, c.ValidTo)
	}
	if c.ExpiredOn(d(2999, 1, 1)) {
		t.Error("a long-term card expired")
	}
	han, _ := idcard.ParseText(devicetest.IDCardText(devicetest.IDCardSamples()[devicetest.IDCardSampleHan]))
	for _, tt := range []struct {
		on   idcard.Date
		want bool
	}{{d(2041, 3, 8), false}, {d(2041, 3, 9), true}, {d(2030, 1, 1), false}} {
		if han.ExpiredOn(tt.on) != tt.want {
			t.Errorf("valid to %v: ExpiredOn(%v) = %v", han.ValidTo, tt.on, !tt.want)
		}
	}
	if (idcard.Card{}).ExpiredOn(d(2000, 1, 1)) != true {
		t.Error("a card without ValidTo is not expired")
	}
}

func TestParseTextErrors(t *testing.T) {
	base := func() block {
		return newBlock().put(0, "王晓红").put(30, "2").put(32, "01").put(36, "19900714").
			put(122, "520102199007140243").put(158, "贵阳市公安局").put(188, "20210308").put(204, "20410308")
	}
	good := devicetest.IDCardNumber("520102", "19900714", "024")
	wrongCheck := good[:17] + map[bool]string{true: "1", false: "0"}[good[17] == '0']
	tests := []struct {
		name      string
		in        []byte
		want      []error
		field     string
		validID   bool
		checkCard func(t *testing.T, c idcard.Card)
	}{
		{"short", make([]byte, 255), []error{idcard.ErrLength}, "", false, nil},
		{"long", make([]byte, 257), []error{idcard.ErrLength}, "", false, nil},
		{"unknown kind", base().put(248, "Q"), []error{idcard.ErrUnknownKind}, "", false, nil},
		{"marker's high byte set", func() []byte { b := base().put(248, "J"); b[249] = 1; return b }(), []error{idcard.ErrUnknownKind}, "", false, nil},
		{"bad birth date", base().put(36, "19901332"), []error{idcard.ErrInvalidCard}, "birth date", true, nil},
		{"bad valid-from", base().put(188, "2021-3-8"), []error{idcard.ErrInvalidCard}, "valid from", true, nil},
		{"missing valid-to", base().put(204, "        "), []error{idcard.ErrInvalidCard}, "valid to", true, nil},
		{"wrong check digit", base().put(122, wrongCheck), []error{idcard.ErrInvalidCard, idcard.ErrInvalidIDNumber, idcard.ErrIDCheckDigit}, "", false,
			func(t *testing.T, c idcard.Card) {
				if c.IDNumber != wrongCheck || c.Name != "王晓红" || c.BirthDate != d(1990, 7, 14) {
					t.Errorf("card not filled in: %+v", c)
				}
			}},
		{"number's birth date differs from the card's", base().put(36, "19900715"), []error{idcard.ErrInvalidIDNumber, idcard.ErrIDBirthDate}, "", false, nil},
		{"number too short", base().put(122, "52010219900714024 "), []error{idcard.ErrIDLength}, "", false, nil},
		{"letter in the number", base().put(122, "5201021990071402A3"), []error{idcard.ErrIDCharacter}, "", false, nil},
		{"resident number starting with 9", base().put(122, devicetest.IDCardNumber("952276", "19900714", "024")), []error{idcard.ErrIDPrefix}, "", false, nil},
		{"permit number without 810000", base().put(248, "J"), []error{idcard.ErrIDPrefix}, "", false, nil},
		{"2023 foreigner number not starting with 9", base().put(248, "Y"), []error{idcard.ErrIDPrefix}, "", false, nil},
		{"2017 foreigner number of digits", newBlock().put(0, "A").put(120, "1").put(122, "123520076090112").put(188, "20180601").put(204, "20280601").put(220, "19760901").put(248, "I"),
			[]error{idcard.ErrIDCharacter}, "", false, nil},
		{"lowercase x accepted and normalised", base().put(122, "11010519491231002x").put(36, "19491231"), nil, "", true,
			func(t *testing.T, c idcard.Card) {
				if c.IDNumber != "11010519491231002X" {
					t.Errorf("IDNumber = %q", c.IDNumber)
				}
			}},
		{"bad issue count", func() []byte {
			return base().put(248, "J").put(122, devicetest.IDCardNumber("820000", "19900714", "024")).put(238, "x1")
		}(), []error{idcard.ErrInvalidCard}, "issue count", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := idcard.ParseText(tt.in)
			if len(tt.want) == 0 && err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("ParseText error = %v; want it to match %v", err, w)
				}
			}
			if tt.field != "" {
				var fe *idcard.FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Errorf("error %v is not a FieldError of %s", err, tt.field)
				}
			}
			if c.IDNumberValid != tt.validID {
				t.Errorf("IDNumberValid = %v, want %v", c.IDNumberValid, tt.validID)
			}
			if tt.checkCard != nil {
				tt.checkCard(t, c)
			}
		})
	}
}

// TestBadCheckSample: the simulator's broken card is caught.
func TestBadCheckSample(t *testing.T) {
	bad := devicetest.IDCardSampleBadCheck()
	c, err := idcard.ParseText(devicetest.IDCardText(bad))
	if !errors.Is(err, idcard.ErrIDCheckDigit) || c.IDNumberValid {
		t.Fatalf("ParseText = %v, IDNumberValid %v", err, c.IDNumberValid)
	}
	var ie *idcard.IDNumberError
	if !errors.As(err, &ie) || strings.Contains(err.Error(), bad.IDNumber) {
		t.Errorf("error %q must be an *IDNumberError and must not print the full number", err)
	}
	if s := c.String(); strings.Contains(s, bad.IDNumber) || strings.Contains(s, bad.Name) || !strings.Contains(s, "INVALID") {
		t.Errorf("Card.String() = %q: it must be masked and say the number is invalid", s)
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		k      idcard.Kind
		marker byte
		zh     string
	}{
		{idcard.KindResident, ' ', "居民身份证"},
		{idcard.KindResidencePermit, 'J', "港澳台居民居住证"},
		{idcard.KindForeigner2017, 'I', "外国人永久居留身份证（2017版）"},
		{idcard.KindForeigner2023, 'Y', "外国人永久居留身份证（2023版）"},
		{idcard.KindUnknown, '?', "未知证件"},
		{idcard.Kind(42), '?', "未知证件"},
	}
	for _, tt := range tests {
		if tt.k.Marker() != tt.marker || tt.k.String() != tt.zh || tt.k.NameEN() == "" {
			t.Errorf("Kind %d: %q %q %q", tt.k, tt.k.Marker(), tt.k.String(), tt.k.NameEN())
		}
	}
	// A resident block with NULs in its reserved area is still resident.
	b := devicetest.IDCardText(devicetest.IDCardSamples()[0])
	for i := 220; i < 256; i++ {
		b[i] = 0
	}
	if c, err := idcard.ParseText(b); err != nil || c.Kind != idcard.KindResident {
		t.Errorf("NUL-padded resident: %v %v", c.Kind, err)
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in   string
		want idcard.Date
		ok   bool
	}{
		{"20000229", d(2000, 2, 29), true},
		{"19000229", idcard.Date{}, false},
		{"20240230", idcard.Date{}, false},
		{"20241301", idcard.Date{}, false},
		{"20240100", idcard.Date{}, false},
		{"00000101", idcard.Date{}, false},
		{"2024011", idcard.Date{}, false},
		{"2024O101", idcard.Date{}, false},
		{"长期", idcard.Date{}, false},
		{"20491231", d(2049, 12, 31), true},
	}
	for _, tt := range tests {
		got, err := idcard.ParseDate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v", tt.in, got, err)
		}
	}
	a, b := d(1990, 7, 14), d(1990, 12, 1)
	if !a.Before(b) || !b.After(a) || a.Compare(a) != 0 || a.String() != "1990-07-14" || a.Compact() != "19900714" {
		t.Error("Date methods")
	}
	if tm := a.Time(nil); tm.Hour() != 0 || tm.Day() != 14 {
		t.Errorf("Time = %v", tm)
	} else if _, off := tm.Zone(); off != 8*3600 {
		t.Errorf("Time zone offset %d", off)
	}
	if idcard.DateOf(time.Date(2024, 5, 6, 23, 0, 0, 0, time.UTC)) != d(2024, 5, 6) {
		t.Error("DateOf")
	}
	if today := idcard.Today(); today.Year < 2024 {
		t.Errorf("Today = %v", today)
	}
}
