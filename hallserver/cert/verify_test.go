package cert

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

func TestRoundTrip(t *testing.T) {
	s := seededSigner(1)
	trust := trustFor(t, hallCode, s)
	noExpiry := typicalClaims()
	withExpiry := typicalClaims()
	withExpiry.Expires = time.Date(2031, 1, 1, 0, 0, 0, 0, china)
	minimal := typicalClaims()
	minimal.HolderName, minimal.HolderIDLast4, minimal.Title = "", "", ""

	tests := []struct {
		name   string
		claims Claims
		text   func(url string) string
	}{
		{"url", noExpiry, func(u string) string { return u }},
		{"with expiry", withExpiry, func(u string) string { return u }},
		{"no personal data", minimal, func(u string) string { return u }},
		{"lower case", noExpiry, strings.ToLower},
		{"base32 only", noExpiry, func(u string) string { return u[strings.LastIndex(u, "/")+1:] }},
		{"lower-case base32 only", noExpiry, func(u string) string { return strings.ToLower(u[strings.LastIndex(u, "/")+1:]) }},
		{"scanner adds newline", noExpiry, func(u string) string { return u + "\r\n" }},
		{"path only", noExpiry, func(u string) string { return u[strings.Index(u, "/C/"):] }},
		{"other host", noExpiry, func(u string) string { return "https://verify.example.cn:8443/c/" + u[strings.LastIndex(u, "/")+1:] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := issueURL(t, s, tt.claims)
			if url != strings.ToUpper(url) {
				t.Fatalf("URL not all upper case: %s", url)
			}
			v, err := Verify(context.Background(), tt.text(url), trust, now, nil)
			wantErr(t, err, nil)
			want := tt.claims
			want.IssuedAt = want.IssuedAt.UTC()
			if !want.Expires.IsZero() {
				want.Expires = want.Expires.UTC()
			}
			if !reflect.DeepEqual(v.Claims, want) {
				t.Errorf("claims\n got %+v\nwant %+v", v.Claims, want)
			}
			if v.Key.KID != s.KID() || v.Key.Hall != hallCode || v.StatusChecked {
				t.Errorf("verified by %+v, status checked %v", v.Key, v.StatusChecked)
			}
		})
	}
}

// TestTamperEveryCharacter changes each Base32 character of a certificate
// to every other Base32 character: no change may verify.
func TestTamperEveryCharacter(t *testing.T) {
	s := seededSigner(1)
	trust := trustFor(t, hallCode, s)
	url := issueURL(t, s, typicalClaims())
	start := strings.LastIndex(url, "/") + 1
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	counts := map[string]int{}
	for i := start; i < len(url); i++ {
		for _, c := range []byte(alphabet) {
			if c == url[i] {
				continue
			}
			bad := url[:i] + string(c) + url[i+1:]
			_, err := Verify(context.Background(), bad, trust, now, nil)
			switch {
			case err == nil:
				t.Fatalf("position %d changed to %c verified", i-start, c)
			case errors.Is(err, ErrMalformed):
				counts["malformed"]++
			case errors.Is(err, ErrBadSignature):
				counts["bad signature"]++
			case errors.Is(err, ErrUnknownKey): // a changed kid
				counts["unknown key"]++
			default:
				t.Fatalf("position %d changed to %c: unexpected error %v", i-start, c, err)
			}
		}
	}
	t.Logf("%d characters × 31 changes: %v", len(url)-start, counts)
}

// TestTamperClaims changes a claim and re-encodes the message around the
// old signature.
func TestTamperClaims(t *testing.T) {
	s := seededSigner(1)
	trust := trustFor(t, hallCode, s)
	orig, err := Issue(s, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		change func(c *Claims)
	}{
		{"name", func(c *Claims) { c.HolderName = "王小朋" }},
		{"id last 4", func(c *Claims) { c.HolderIDLast4 = "1234" }},
		{"expiry added", func(c *Claims) { c.Expires = t0.AddDate(5, 0, 0) }},
		{"issued later", func(c *Claims) { c.IssuedAt = c.IssuedAt.Add(time.Second) }},
		{"type", func(c *Claims) { c.Type = "BDC-ZS" }},
		{"status index", func(c *Claims) { c.StatusIndex++ }},
		{"digest", func(c *Claims) { c.Digest = bytes.Repeat([]byte{0}, DigestSize) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var msg cose.Sign1Message
			if err := msg.UnmarshalCBOR(orig); err != nil {
				t.Fatal(err)
			}
			c := typicalClaims()
			tt.change(&c)
			if msg.Payload, err = c.MarshalCBOR(); err != nil {
				t.Fatal(err)
			}
			forged, err := msg.MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			_, err = Verify(context.Background(), EncodeURL(baseURL, forged), trust, now, nil)
			wantErr(t, err, ErrBadSignature)
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	ctx := context.Background()
	hallKey, foreign, newKey := seededSigner(1), seededSigner(2), seededSigner(3)
	trust := trustFor(t, hallCode, hallKey)
	claims := typicalClaims()
	good := issueURL(t, hallKey, claims)

	// a foreign key that the trust list holds for another hall
	bothHalls, err := NewTrustList(1, []TrustedKey{hallKey.TrustedKey(hallCode, keyFrom), foreign.TrustedKey(otherHall, keyFrom)})
	if err != nil {
		t.Fatal(err)
	}
	// the foreign key again, listed (as if by a kid collision) under the
	// hall key's kid, and listed first
	colliding, err := NewTrustList(1, []TrustedKey{foreign.TrustedKey(otherHall, keyFrom), hallKey.TrustedKey(hallCode, keyFrom)})
	if err != nil {
		t.Fatal(err)
	}
	colliding.byKID[hallKey.KID()] = []int{0, 1}
	collidingForgery := EncodeURL(baseURL, signRaw(t, foreign, stdHeader(hallKey), nil, mustCBOR(t, claims)))

	revokedKey, err := trust.Revoke(hallKey.KID(), "key leaked")
	if err != nil {
		t.Fatal(err)
	}
	rotateAt := t0.Add(time.Hour)
	rotated, err := trust.Rotate(hallCode, newKey.TrustedKey(hallCode, rotateAt))
	if err != nil {
		t.Fatal(err)
	}
	later := claims
	later.IssuedAt = rotateAt.Add(time.Minute)
	later.Serial = NewSerial()
	lateKey, err := NewTrustList(1, []TrustedKey{hallKey.TrustedKey(hallCode, t0.Add(time.Second))})
	if err != nil {
		t.Fatal(err)
	}

	expiring := claims
	expiring.Expires = t0.AddDate(1, 0, 0)
	future := claims
	future.IssuedAt = now.Add(ClockSkew + time.Minute)
	nearFuture := claims
	nearFuture.IssuedAt = now.Add(ClockSkew - time.Minute)

	revokedCert := &fakeStatus{revoked: map[Serial]string{claims.Serial: "更正后换发"}}

	protectedExtra := stdHeader(hallKey)
	protectedExtra[cose.HeaderLabelContentType] = "application/cbor"
	kid := hallKey.KID()
	unknownClaim := map[int]any{}
	if err := cbor.Unmarshal(mustCBOR(t, claims), &unknownClaim); err != nil {
		t.Fatal(err)
	}
	unknownClaim[-99] = "x"
	nonCanonical := append([]byte{0xbf}, mustCBOR(t, claims)[1:]...) // indefinite-length map
	nonCanonical = append(nonCanonical, 0xff)
	untagged, err := Issue(hallKey, claims)
	if err != nil {
		t.Fatal(err)
	}
	untagged = untagged[1:]

	tests := []struct {
		name    string
		text    string
		trust   *TrustList
		at      time.Time
		status  StatusChecker
		want    error
		claimed bool // Verified carries the claims despite the error
	}{
		{name: "good", text: good, trust: trust},
		{name: "garbage", text: "hello, world", trust: trust, want: ErrMalformed},
		{name: "empty", text: "", trust: trust, want: ErrMalformed},
		{name: "prefix only", text: "HTTPS://X/C/", trust: trust, want: ErrMalformed},
		{name: "other scheme", text: "FTP://X" + good[strings.Index(good, "/C/"):], trust: trust, want: ErrMalformed},
		{name: "truncated", text: good[:len(good)-8], trust: trust, want: ErrMalformed},
		{name: "appended", text: good + "AAAAAAAA", trust: trust, want: ErrMalformed},
		{name: "untagged COSE_Sign1", text: EncodeURL(baseURL, untagged), trust: trust, want: ErrMalformed},
		{name: "kid in unprotected header", text: EncodeURL(baseURL, signRaw(t, hallKey,
			cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA},
			cose.UnprotectedHeader{cose.HeaderLabelKeyID: kid[:]}, mustCBOR(t, claims))), trust: trust, want: ErrMalformed},
		{name: "extra protected header", text: EncodeURL(baseURL, signRaw(t, hallKey, protectedExtra, nil, mustCBOR(t, claims))), trust: trust, want: ErrMalformed},
		{name: "unknown claim, signed", text: EncodeURL(baseURL, signRaw(t, hallKey, stdHeader(hallKey), nil, mustDet(t, unknownClaim))), trust: trust, want: ErrMalformed},
		{name: "non-canonical claims, signed", text: EncodeURL(baseURL, signRaw(t, hallKey, stdHeader(hallKey), nil, nonCanonical)), trust: trust, want: ErrMalformed},
		{name: "no trust list", text: good, want: ErrUnknownKey},
		{name: "foreign key, same issuer", text: issueURL(t, foreign, claims), trust: trust, want: ErrUnknownKey},
		{name: "foreign key claiming the hall's kid", text: collidingForgery, trust: trust, want: ErrBadSignature},
		{name: "another hall's key", text: issueURL(t, foreign, claims), trust: bothHalls, want: ErrIssuerMismatch},
		{name: "colliding kid, forgery", text: collidingForgery, trust: colliding, want: ErrIssuerMismatch},
		{name: "colliding kid, genuine", text: good, trust: colliding},
		{name: "expired", text: issueURL(t, hallKey, expiring), trust: trust, at: expiring.Expires, want: ErrExpired, claimed: true},
		{name: "not expired yet", text: issueURL(t, hallKey, expiring), trust: trust, at: expiring.Expires.Add(-time.Second)},
		{name: "issued in the future", text: issueURL(t, hallKey, future), trust: trust, want: ErrNotYetValid, claimed: true},
		{name: "issued within clock skew", text: issueURL(t, hallKey, nearFuture), trust: trust},
		{name: "revoked key", text: good, trust: revokedKey, want: ErrKeyRevoked},
		{name: "revoked certificate", text: good, trust: trust, status: revokedCert, want: ErrRevoked, claimed: true},
		{name: "other certificate revoked", text: issueURL(t, hallKey, later), trust: trust, status: revokedCert},
		{name: "status unavailable", text: good, trust: trust, status: &fakeStatus{err: errors.New("database locked")}, want: ErrStatusUnavailable, claimed: true},
		{name: "rotated: old certificate", text: good, trust: rotated},
		{name: "rotated: new key", text: issueURL(t, newKey, later), trust: rotated},
		{name: "rotated: old key after rotation", text: issueURL(t, hallKey, later), trust: rotated, want: ErrKeyNotValid},
		{name: "rotated: new key before its time", text: issueURL(t, newKey, claims), trust: rotated, want: ErrKeyNotValid},
		{name: "key not yet valid at issue", text: good, trust: lateKey, want: ErrKeyNotValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now
			if !tt.at.IsZero() {
				at = tt.at
			}
			v, err := Verify(ctx, tt.text, tt.trust, at, tt.status)
			wantErr(t, err, tt.want)
			if err != nil {
				t.Logf("%v", err)
			}
			if got := v.Claims.Issuer != ""; got != (tt.want == nil || tt.claimed) {
				t.Errorf("Verified has claims = %v with error %v", got, err)
			}
			if fs, ok := tt.status.(*fakeStatus); ok && fs.err == nil && err == nil && !v.StatusChecked {
				t.Error("status checker answered but StatusChecked is false")
			}
		})
	}
}

// mustCBOR is the claims' encoding.
func mustCBOR(t testing.TB, c Claims) []byte {
	t.Helper()
	b, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustDet encodes anything deterministically.
func mustDet(t testing.TB, v any) []byte {
	t.Helper()
	b, err := detEnc.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVerifyConcurrent verifies from several goroutines against one trust
// list (run with -race).
func TestVerifyConcurrent(t *testing.T) {
	s := seededSigner(1)
	trust := trustFor(t, hallCode, s)
	url := issueURL(t, s, typicalClaims())
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			var err error
			for range 20 {
				if _, err = Verify(context.Background(), url, trust, now, nil); err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
