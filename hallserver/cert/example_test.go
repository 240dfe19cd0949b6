package cert_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"onestop/hallserver/cert"
)

// The hall issues a certificate; a kiosk verifies its QR code offline
// against the province's trust list.
func Example() {
	// The hall server, once: a key, and its entry for the province.
	key, err := cert.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	issued := time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	trust, err := cert.NewTrustList(1, []cert.TrustedKey{key.TrustedKey("520000-ZWFW", issued.AddDate(0, -1, 0))})
	if err != nil {
		log.Fatal(err)
	}

	// The hall server, for each certificate: the record, its claims, the QR text.
	rec := cert.Record{
		Type: "BDC-ZM", Title: "不动产登记证明", Issuer: "520000-ZWFW",
		Serial: cert.NewSerial(), Version: 1, IssuedAt: issued, StatusIndex: 7,
		HolderName: "王小明", HolderID: "52010219900307123X", Salt: cert.NewSalt(),
		Fields: map[string]string{"坐落": "贵阳市观山湖区长岭北路 8 号"},
	}
	msg, err := cert.Issue(key, rec.Claims())
	if err != nil {
		log.Fatal(err)
	}
	qrText := cert.EncodeURL("https://zwfw.guizhou.gov.cn", msg)

	// A kiosk, offline.
	v, err := cert.Verify(context.Background(), qrText, trust, issued.Add(time.Hour), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Claims.Title, v.Claims.HolderName, "身份证号尾号", v.Claims.HolderIDLast4, "by", v.Claims.Issuer)

	// The same code two years later, after the key leaked and was revoked.
	trust, _ = trust.Revoke(key.KID(), "key leaked")
	_, err = cert.Verify(context.Background(), qrText, trust, issued.AddDate(2, 0, 0), nil)
	fmt.Println(errors.Is(err, cert.ErrKeyRevoked))
	// Output:
	// 不动产登记证明 王小明 身份证号尾号 123X by 520000-ZWFW
	// true
}

func ExampleRecord_Identifier() {
	serial, _ := cert.ParseSerial("AEBAGBAFAYDQQCIKBMGA")
	id, _ := cert.Record{Type: "BDC-ZM", Issuer: "520000-ZWFW", Serial: serial, Version: 1}.Identifier()
	fmt.Println(id)
	_, err := cert.ParseIdentifier("1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.2.V")
	fmt.Println(err != nil)
	// Output:
	// 1.2.156.3005.2.BDC-ZM.520000-ZWFW.AEBAGBAFAYDQQCIKBMGA.1.V
	// true
}
