package hallserver

import (
	"context"
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"onestop/hallserver/api"
	"onestop/hallserver/cert"
	"onestop/hallserver/exchange"
)

// TestCheckOtherHallsCertificateAgainstProvinceRevocations: a certificate
// another hall issued is genuine by its signature; whether it was revoked
// only that hall knows — and, once pulled, the province's signed list.
func TestCheckOtherHallsCertificateAgainstProvinceRevocations(t *testing.T) {
	h := newTestHall(t, false)
	const other = "520100-ZWFW"
	signer, err := cert.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	from := testStart.Add(-24 * time.Hour)
	issue := func() (string, string) {
		rec := cert.Record{Type: "YYZZ", Title: "营业执照", Issuer: other, Serial: cert.NewSerial(), Version: 1,
			IssuedAt: testStart.Add(-time.Hour), HolderName: "李四", HolderID: "110101199003074514"}
		code, err := cert.Issue(signer, rec.Claims())
		if err != nil {
			t.Fatal(err)
		}
		return rec.Serial.String(), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(code)
	}
	_, keptCode := issue()
	revoked, revokedCode := issue()
	mixedUp, mixedUpCode := issue()
	list, err := cert.NewTrustList(3, []cert.TrustedKey{signer.TrustedKey(other, from)})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := list.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc := exchange.TrustDocument{Format: exchange.TrustDocumentFormat, Version: 3, IssuedAt: testStart, TrustList: raw,
		Revocations: []exchange.Revocation{
			{Hall: other, Serial: revoked, RevokedAt: testStart.Add(-30 * time.Minute), Reason: "营业执照已注销"},
			{Hall: "520200-ZWFW", Serial: mixedUp, RevokedAt: testStart.Add(-30 * time.Minute), Reason: "?"},
		}}
	// Before any list from the province, the key is not even trusted.
	if got := h.check(t, keptCode); got.Status != api.CheckInvalid {
		t.Fatalf("another hall's certificate before the trust list: %+v", got)
	}
	if applied, err := h.st.ApplyProvinceTrust(context.Background(), doc); err != nil || !applied {
		t.Fatalf("apply the trust document: %v %v", applied, err)
	}
	tests := []struct {
		name, code, status, words string
	}{
		{"not on the list", keptCode, api.CheckValid, "not on the province's revocation list (version 3)"},
		{"revoked by its hall", revokedCode, api.CheckRevoked, "营业执照已注销"},
		{"listed under a third hall", mixedUpCode, api.CheckUnknown, "names another hall"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := h.check(t, tc.code)
			if got.Status != tc.status || !strings.Contains(got.Reason, tc.words) {
				t.Fatalf("check %+v, want %s saying %q", got, tc.status, tc.words)
			}
			if tc.status == api.CheckRevoked && (got.RevokeReason != "营业执照已注销" || got.RevokedAt.IsZero()) {
				t.Errorf("revocation details missing: %+v", got)
			}
		})
	}
	if page := h.page(t, "/C/"+revokedCode, ""); !strings.Contains(page, "证照已撤销") {
		t.Error("the page does not say revoked")
	}
	// An older document changes nothing.
	doc.Version, doc.Revocations = 2, nil
	if applied, err := h.st.ApplyProvinceTrust(context.Background(), doc); err != nil || applied {
		t.Fatalf("an older trust document: %v %v", applied, err)
	}
	if got := h.check(t, revokedCode); got.Status != api.CheckRevoked {
		t.Errorf("after an older document: %+v", got)
	}
}
