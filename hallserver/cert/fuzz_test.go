package cert

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fuzzTrust is the trust list the fuzz targets verify against: the hall's
// key and another hall's.
func fuzzTrust(t testing.TB) *TrustList {
	tl, err := NewTrustList(1, []TrustedKey{seededSigner(1).TrustedKey(hallCode, keyFrom), seededSigner(2).TrustedKey(otherHall, keyFrom)})
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// checkVerifyResult holds Verify to its contract on any input: a known
// error or a certificate, never both empty, never a panic.
func checkVerifyResult(t *testing.T, v Verified, err error) {
	if err == nil {
		if v.Claims.Issuer == "" || v.Claims.Validate() != nil {
			t.Fatalf("verified invalid claims %+v", v.Claims)
		}
		return
	}
	for _, known := range []error{ErrMalformed, ErrUnknownKey, ErrBadSignature, ErrIssuerMismatch, ErrKeyRevoked,
		ErrKeyNotValid, ErrExpired, ErrNotYetValid, ErrRevoked, ErrStatusUnavailable} {
		if errors.Is(err, known) {
			return
		}
	}
	t.Fatalf("error wraps no sentinel: %v", err)
}

// FuzzVerify feeds any text to Verify: it must never panic, and must fail
// with one of the package's errors unless the text is a genuine
// certificate.
func FuzzVerify(f *testing.F) {
	s := seededSigner(1)
	good := issueURL(f, s, typicalClaims())
	f.Add(good)
	f.Add(strings.ToLower(good))
	f.Add(good[strings.LastIndex(good, "/")+1:])
	f.Add(issueURL(f, seededSigner(2), typicalClaims()))
	f.Add(EncodeURL(baseURL, signRaw(f, s, stdHeader(s), nil, []byte{0xa0})))
	f.Add("HTTPS://X/C/")
	f.Add("")
	f.Add("2KCE")
	trust := fuzzTrust(f)
	status := &fakeStatus{revoked: map[Serial]string{}}
	f.Fuzz(func(t *testing.T, text string) {
		v, err := Verify(context.Background(), text, trust, now, status)
		checkVerifyResult(t, v, err)
	})
}

// FuzzVerifyCOSE feeds any bytes as the COSE_Sign1 message, skipping the
// Base32 layer so the fuzzer reaches the CBOR decoders, and holds parseSign1
// to go-cose's decoding and verification (see TestParseSign1MatchesGoCOSE).
func FuzzVerifyCOSE(f *testing.F) {
	s := seededSigner(1)
	msg, err := Issue(s, typicalClaims())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(msg)
	f.Add(signRaw(f, s, stdHeader(s), nil, []byte{0xa0}))
	f.Add(signRaw(f, s, stdHeader(s), nil, mustDet(f, map[int]any{1: hallCode, 7: []byte{1}})))
	f.Add([]byte{0xd2, 0x84, 0x40, 0xa0, 0xf6, 0x40})
	trust := fuzzTrust(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := verifyCOSE(context.Background(), data, trust, now, nil)
		checkVerifyResult(t, v, err)
		sameLayer(t, data, trust)
		var c Claims
		if c.UnmarshalCBOR(data) == nil {
			if again, err := c.MarshalCBOR(); err != nil || string(again) != string(data) {
				t.Fatalf("claims decoded but do not re-encode to the same bytes")
			}
		}
	})
}
