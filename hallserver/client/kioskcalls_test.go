package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/client"
	"onestop/hallserver/halltest"
)

// TestKioskLookups: what a kiosk asks after an ID card: the holder's
// applications and certificates, and a certificate's PDF.
func TestKioskLookups(t *testing.T) {
	ctx := context.Background()
	h := halltest.New(t, halltest.Options{})
	staff, err := client.New(h.URL, client.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staff.Login(ctx, "wangfang", "demo-counter-1"); err != nil {
		t.Fatal(err)
	}
	kiosk, err := client.New(h.URL, client.WithToken(h.KioskToken))
	if err != nil {
		t.Fatal(err)
	}
	const id = "52010219900307123X"
	app, err := staff.AcceptApplication(ctx, api.AcceptApplicationRequest{Item: "ZR-BDC-005", ApplicantName: "王晓红", ApplicantID: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"review", "decide"} {
		if _, err := staff.ApplicationEvent(ctx, app.Number, api.ApplicationEventRequest{Kind: "advance", Step: step}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := staff.ApplicationEvent(ctx, app.Number, api.ApplicationEventRequest{Kind: "advance", Step: "make",
		CertificateFields: map[string]string{"证明权利或事项": "预告登记", "坐落": "贵阳市", "不动产单元号": "520115"}}); err != nil {
		t.Fatal(err)
	}
	apps, err := kiosk.ApplicationsOf(ctx, id)
	if err != nil || len(apps) != 1 || apps[0].Number != app.Number || len(apps[0].Certificates) != 1 {
		t.Fatalf("applications of the card: %+v, %v", apps, err)
	}
	byNumber, err := kiosk.Application(ctx, app.Number)
	for _, ev := range byNumber.Events {
		if ev.Note != "" || ev.Actor != "" {
			t.Errorf("a kiosk reading by number sees staff notes or names: %+v", ev)
		}
	}
	if err != nil || byNumber.ApplicantName != "王*红" {
		t.Errorf("by number at the kiosk: %q, %v", byNumber.ApplicantName, err)
	}
	byNotice, err := kiosk.ApplicationByNotice(ctx, app.NoticeToken)
	if err != nil || byNotice.Number != app.Number {
		t.Errorf("by notice: %v", err)
	}
	if _, err := kiosk.ApplicationByNotice(ctx, "nope"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown notice: %v, want ErrNotFound", err)
	}
	certs, err := kiosk.CertificatesOf(ctx, id)
	if err != nil || len(certs) != 1 {
		t.Fatalf("certificates: %+v, %v", certs, err)
	}
	for want := 1; want <= 2; want++ {
		pdf, copyNo, err := kiosk.PrintCertificate(ctx, certs[0].Serial, id)
		if err != nil || copyNo != want || len(pdf) < 1000 || string(pdf[:5]) != "%PDF-" {
			t.Fatalf("print %d: copy %d, %d bytes, %v", want, copyNo, len(pdf), err)
		}
	}
	if _, _, err := kiosk.PrintCertificate(ctx, certs[0].Serial, "110101199003074514"); !errors.Is(err, client.ErrForbidden) {
		t.Errorf("printing someone else's certificate at the kiosk: %v, want ErrForbidden", err)
	}
	if len(byNumber.Certificates) != 0 {
		t.Errorf("a kiosk reading an application by number sees its certificates: %+v", byNumber.Certificates)
	}
	if c, err := staff.Certificate(ctx, certs[0].Serial); err != nil || c.Prints != 2 {
		t.Errorf("after two prints: %+v, %v", c, err)
	}
	if _, _, err := kiosk.PrintCertificate(ctx, "NOTASERIAL", id); !errors.Is(err, client.ErrInvalid) {
		t.Errorf("bad serial: %v, want ErrInvalid", err)
	}
	if tl, err := kiosk.TrustList(ctx); err != nil || len(tl) == 0 {
		t.Errorf("trust list: %v", err)
	}
}
