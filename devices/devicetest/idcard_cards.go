package devicetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf16"

	"onestop/devices/idcard"
)

// IDCardText encodes a card into the 256-byte text block of its kind
// (the layouts of shared/protocols/IDCARD-SAMV.md): UCS-2LE, each field
// padded with spaces and cut to its width, the kind's marker at byte 248.
// KindUnknown is encoded as a resident ID card. It is the inverse of
// idcard.ParseText for cards whose fields fit.
func IDCardText(c idcard.Card) []byte {
	b := bytes.Repeat([]byte{' ', 0}, idcard.TextLen/2)
	put := func(off, n int, s string) {
		u := utf16.Encode([]rune(s))
		for i := 0; i < len(u) && 2*i+1 < n; i++ {
			b[off+2*i] = byte(u[i])
			b[off+2*i+1] = byte(u[i] >> 8)
		}
	}
	validTo := c.ValidTo.Compact()
	if c.ValidLongTerm {
		validTo = idcard.LongTerm
	}
	gender := string(rune(c.Gender.Code()))
	count := func(n int) string { return fmt.Sprintf("%02d", n) }
	switch c.Kind {
	case idcard.KindForeigner2017:
		put(0, 120, c.NameEn)
		put(120, 2, gender)
		put(122, 30, c.IDNumber)
		put(152, 6, c.Nationality)
		put(158, 30, c.Name)
		put(188, 16, c.ValidFrom.Compact())
		put(204, 16, validTo)
		put(220, 16, c.BirthDate.Compact())
		put(236, 4, c.CardVersion)
		put(240, 8, c.Authority)
		put(248, 2, "I")
	case idcard.KindForeigner2023:
		put(0, 30, c.Name)
		put(30, 2, gender)
		put(32, 4, count(c.RenewalCount))
		put(36, 16, c.BirthDate.Compact())
		en := []rune(c.NameEn)
		put(52, 70, string(en[:min(35, len(en))]))
		if len(en) > 35 {
			put(220, 22, string(en[35:]))
		}
		put(122, 36, c.IDNumber)
		put(188, 16, c.ValidFrom.Compact())
		put(204, 16, validTo)
		put(242, 6, c.Nationality)
		put(248, 2, "Y")
		put(250, 6, c.OldCardNumber)
	default: // resident ID card, HMT residence permit
		put(0, 30, c.Name)
		put(30, 2, gender)
		put(36, 16, c.BirthDate.Compact())
		put(52, 70, c.Address)
		put(122, 36, c.IDNumber)
		put(158, 30, c.Authority)
		put(188, 16, c.ValidFrom.Compact())
		put(204, 16, validTo)
		if c.Kind == idcard.KindResidencePermit {
			put(220, 18, c.PassNumber)
			put(238, 4, count(c.IssueCount))
			put(248, 2, "J")
		} else {
			put(32, 4, c.NationCode)
		}
	}
	return b
}

// IDCardAddressText encodes an additional address as a reader answers
// 30 03: UCS-2LE in a 70-byte field padded with spaces.
func IDCardAddressText(s string) []byte {
	b := bytes.Repeat([]byte{' ', 0}, 35)
	u := utf16.Encode([]rune(s))
	for i := 0; i < len(u) && i < 35; i++ {
		b[2*i], b[2*i+1] = byte(u[i]), byte(u[i]>>8)
	}
	return b
}

// IDCardNumber appends the GB 11643 check digit to the first 17
// characters: area code (6), birth date YYYYMMDD (8) and sequence (3,
// odd for men, even for women). It panics on a malformed argument, as it
// builds fixtures.
func IDCardNumber(area, birth, seq string) string {
	s := area + birth + seq
	c, err := idcard.CheckDigit(s)
	if err != nil {
		panic(fmt.Sprintf("devicetest: IDCardNumber(%q, %q, %q): %v", area, birth, seq, err))
	}
	return s + string(c)
}

func date(y int, m time.Month, d int) idcard.Date { return idcard.Date{Year: y, Month: m, Day: d} }

// idcardBlob is a deterministic stand-in for a WLT photo or fingerprint:
// 1024 bytes that start like a WLT file ("WLf") but decode to nothing.
func idcardBlob(seed uint64, head string) []byte {
	r := rand.New(rand.NewPCG(seed, 0x1dca7d))
	b := make([]byte, 1024)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, head)
	return b
}

// The indexes of IDCardSamples.
const (
	IDCardSampleHan         = iota // 汉, Guiyang, 20-year validity
	IDCardSampleMiao               // 苗, Kaili, long-term (长期) validity, additional address
	IDCardSampleTujia              // 土家, Yanhe, with fingerprint
	IDCardSampleBuyi               // 布依, Xingyi, 10-year validity
	IDCardSampleHKPermit           // 'J': a Hong Kong resident living in Guiyang
	IDCardSampleForeign2017        // 'I': a 2017 foreigner permanent residence card
	IDCardSampleForeign2023        // 'Y': a 2023 card, Latin name longer than 35 characters
)

// IDCardSamples returns fresh copies of realistic, fictional cards of all
// four kinds, with Guizhou addresses and ID numbers whose check digits
// are computed here. Every one parses without error.
func IDCardSamples() []idcard.Card {
	cards := []idcard.Card{
		IDCardSampleHan: {
			Kind: idcard.KindResident, Name: "王晓红", Gender: idcard.GenderFemale,
			NationCode: "01", Nation: "汉", BirthDate: date(1990, 7, 14),
			Address:   "贵州省贵阳市南明区花果园街道花果园大街18号3栋2单元1502号",
			IDNumber:  IDCardNumber("520102", "19900714", "024"),
			Authority: "贵阳市公安局南明分局",
			ValidFrom: date(2021, 3, 8), ValidTo: date(2041, 3, 8),
		},
		IDCardSampleMiao: {
			Kind: idcard.KindResident, Name: "杨秀英", Gender: idcard.GenderFemale,
			NationCode: "06", Nation: "苗", BirthDate: date(1955, 11, 2),
			Address:   "贵州省凯里市西江镇羊排村二组",
			IDNumber:  IDCardNumber("522601", "19551102", "046"),
			Authority: "凯里市公安局",
			ValidFrom: date(2012, 5, 20), ValidLongTerm: true,
			AdditionalAddress: "贵州省凯里市大十字街道北京东路36号",
		},
		IDCardSampleTujia: {
			Kind: idcard.KindResident, Name: "田茂林", Gender: idcard.GenderMale,
			NationCode: "15", Nation: "土家", BirthDate: date(1978, 11, 2),
			Address:   "贵州省沿河土家族自治县和平街道团结路112号",
			IDNumber:  IDCardNumber("520627", "19781102", "013"),
			Authority: "沿河土家族自治县公安局",
			ValidFrom: date(2015, 9, 30), ValidTo: date(2035, 9, 30),
			Fingerprint: idcardBlob(3, "C\x01"),
		},
		IDCardSampleBuyi: {
			Kind: idcard.KindResident, Name: "韦德明", Gender: idcard.GenderMale,
			NationCode: "09", Nation: "布依", BirthDate: date(2003, 2, 17),
			Address:   "贵州省兴义市桔山街道纳具村五组",
			IDNumber:  IDCardNumber("522301", "20030217", "031"),
			Authority: "兴义市公安局",
			ValidFrom: date(2019, 6, 11), ValidTo: date(2029, 6, 11),
		},
		IDCardSampleHKPermit: {
			Kind: idcard.KindResidencePermit, Name: "陈嘉欣", Gender: idcard.GenderFemale,
			BirthDate: date(1995, 4, 23),
			Address:   "贵州省贵阳市云岩区中华北路200号",
			IDNumber:  IDCardNumber("810000", "19950423", "046"),
			Authority: "贵阳市公安局",
			ValidFrom: date(2023, 1, 10), ValidTo: date(2028, 1, 10),
			PassNumber: "H60218734", IssueCount: 1,
		},
		IDCardSampleForeign2017: {
			Kind: idcard.KindForeigner2017, NameEn: "HARRISON, THOMAS EDWARD", Name: "哈里森",
			Gender: idcard.GenderMale, BirthDate: date(1976, 9, 1),
			IDNumber: "GBR520076090112", Nationality: "GBR",
			ValidFrom: date(2018, 6, 1), ValidTo: date(2028, 6, 1),
			CardVersion: "00", Authority: "5200",
		},
		IDCardSampleForeign2023: {
			Kind: idcard.KindForeigner2023, Name: "穆安娜", Gender: idcard.GenderFemale,
			NameEn:      "MUELLER-SCHMIDT, ANNA KATHARINA ELISABETH",
			BirthDate:   date(1988, 3, 14),
			IDNumber:    IDCardNumber("952276", "19880314", "002"),
			Nationality: "DEU", RenewalCount: 1, OldCardNumber: "1",
			ValidFrom: date(2024, 2, 1), ValidTo: date(2034, 2, 1),
		},
	}
	for i := range cards {
		cards[i].IDNumberValid = true
		cards[i].Photo = idcardBlob(uint64(100+i), "WLf")
	}
	return cards
}

// IDCardSampleBadCheck returns a resident ID card whose number's check
// digit is wrong (everything else as IDCardSamples' first card): a reader
// must report it, never accept it silently.
func IDCardSampleBadCheck() idcard.Card {
	c := IDCardSamples()[IDCardSampleHan]
	c.Name = "赵伟"
	c.Gender = idcard.GenderMale
	good := IDCardNumber("520103", "19900714", "031")
	last := strings.IndexByte("0123456789X", good[17])
	c.IDNumber = good[:17] + string("0123456789X"[(last+1)%11])
	c.IDNumberValid = false
	c.Address = "贵州省贵阳市云岩区延安中路8号"
	c.Authority = "贵阳市公安局云岩分局"
	return c
}
