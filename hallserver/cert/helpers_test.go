package cert

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/veraison/go-cose"
)

// Fixed keys and times, so encodings are reproducible (Ed25519 signing is
// deterministic).
var (
	china   = time.FixedZone("CST", 8*3600)
	t0      = time.Date(2026, 3, 2, 9, 30, 0, 0, china) // issue time
	keyFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, china)  // the hall key's valid-from
	now     = t0.Add(24 * time.Hour)                    // verification time
)

const (
	hallCode  = "520000-ZWFW"
	otherHall = "520100-ZWFW"
	baseURL   = "https://zwfw.guizhou.gov.cn"
)

// seededSigner returns a signer whose key is derived from one byte.
func seededSigner(b byte) *Signer {
	return newSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize)))
}

// typicalRecord is a 不动产登记证明 as a hall would issue it.
func typicalRecord() Record {
	return Record{
		Type:        "BDC-ZM",
		Title:       "不动产登记证明",
		Issuer:      hallCode,
		Serial:      Serial{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c},
		Version:     1,
		IssuedAt:    t0,
		StatusIndex: 1234,
		HolderName:  "王小明",
		HolderID:    "52010219900307123X",
		Salt:        bytes.Repeat([]byte{0x5a}, 16),
		Fields: map[string]string{
			"证明权利或事项": "抵押权",
			"坐落":      "贵阳市观山湖区长岭北路 8 号 1 栋 2 单元 301",
			"不动产单元号":  "520115001001GB00001F00010001",
			"其他":      "抵押金额 100 万元",
		},
	}
}

// typicalClaims are typicalRecord's claims.
func typicalClaims() Claims { return typicalRecord().Claims() }

// trustFor returns a trust list holding the signers as active keys of the
// hall, valid from keyFrom.
func trustFor(t testing.TB, hall string, signers ...*Signer) *TrustList {
	t.Helper()
	var keys []TrustedKey
	for _, s := range signers {
		keys = append(keys, s.TrustedKey(hall, keyFrom))
	}
	tl, err := NewTrustList(1, keys)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// issueURL signs the claims and returns the QR code text.
func issueURL(t testing.TB, s *Signer, c Claims) string {
	t.Helper()
	msg, err := Issue(s, c)
	if err != nil {
		t.Fatal(err)
	}
	return EncodeURL(baseURL, msg)
}

// signRaw signs any payload under any headers: for messages Issue refuses
// to make.
func signRaw(t testing.TB, s *Signer, protected cose.ProtectedHeader, unprotected cose.UnprotectedHeader, payload []byte) []byte {
	t.Helper()
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, s.priv)
	if err != nil {
		t.Fatal(err)
	}
	if unprotected == nil {
		unprotected = cose.UnprotectedHeader{}
	}
	msg := cose.Sign1Message{Headers: cose.Headers{Protected: protected, Unprotected: unprotected}, Payload: payload}
	if err := msg.Sign(nil, nil, signer); err != nil {
		t.Fatal(err)
	}
	b, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stdHeader is the protected header Issue writes for s.
func stdHeader(s *Signer) cose.ProtectedHeader {
	kid := s.KID()
	return cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA, cose.HeaderLabelKeyID: kid[:]}
}

// wantErr fails unless err wraps want (nil: no error).
func wantErr(t testing.TB, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// fakeStatus is a StatusChecker backed by a map of revoked serials.
type fakeStatus struct {
	revoked map[Serial]string
	err     error
	calls   int
}

func (f *fakeStatus) Revoked(_ context.Context, s Serial) (bool, string, error) {
	f.calls++
	if f.err != nil {
		return false, "", f.err
	}
	r, ok := f.revoked[s]
	return ok, r, nil
}

var _ StatusChecker = (*fakeStatus)(nil)
