package cert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTrustListJSON(t *testing.T) {
	a, b := seededSigner(1), seededSigner(2)
	tl, err := NewTrustList(1, []TrustedKey{a.TrustedKey(hallCode, keyFrom), b.TrustedKey(otherHall, keyFrom)})
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := tl.Rotate(hallCode, seededSigner(3).TrustedKey("", t0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := rotated.Revoke(b.KID(), "密钥泄露")
	if err != nil {
		t.Fatal(err)
	}
	if revoked.Version() != 3 {
		t.Fatalf("version %d", revoked.Version())
	}
	data, err := json.MarshalIndent(revoked, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "trustlist.json", append(data, '\n'))
	back, err := ParseTrustList(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.MarshalIndent(back, "", "  ")
	if string(again) != string(data) {
		t.Fatalf("round trip changed the list:\n%s", again)
	}
	var viaJSON TrustList
	if err := json.Unmarshal(data, &viaJSON); err != nil || viaJSON.Version() != 3 || len(viaJSON.Keys()) != 3 {
		t.Fatal(err)
	}
	keys := back.Keys()
	if keys[0].Status != KeyRetired || !keys[0].ValidUntil.Equal(t0.Add(time.Hour)) || keys[1].Status != KeyRevoked || keys[1].Note != "密钥泄露" ||
		keys[2].Status != KeyActive || keys[2].Hall != hallCode {
		t.Fatalf("%+v", keys)
	}
	// the original lists are unchanged
	if tl.Keys()[0].Status != KeyActive || rotated.Keys()[1].Status != KeyActive {
		t.Fatal("Rotate or Revoke changed the list it was called on")
	}
	// a verifier with the parsed list accepts the old certificate
	if _, err := Verify(t.Context(), issueURL(t, a, typicalClaims()), back, now, nil); err != nil {
		t.Fatal(err)
	}
}

func TestTrustListRefuses(t *testing.T) {
	s := seededSigner(1)
	ok := s.TrustedKey(hallCode, keyFrom)
	change := func(f func(k *TrustedKey)) []TrustedKey {
		k := ok
		k.PublicKey = s.PublicKey()
		f(&k)
		return []TrustedKey{k}
	}
	for _, tt := range []struct {
		name    string
		version int64
		keys    []TrustedKey
		want    string
	}{
		{"version 0", 0, []TrustedKey{ok}, "version"},
		{"bad hall", 1, change(func(k *TrustedKey) { k.Hall = "x" }), "hall"},
		{"short key", 1, change(func(k *TrustedKey) { k.PublicKey = k.PublicKey[:31] }), "31 bytes"},
		{"not a point", 1, change(func(k *TrustedKey) { k.KID, k.PublicKey = KID{}, append([]byte{2}, make([]byte, 31)...) }), "not a point"},
		{"small order", 1, change(func(k *TrustedKey) { k.KID, k.PublicKey = KID{}, append([]byte{1}, make([]byte, 31)...) }), "small order"},
		{"wrong kid", 1, change(func(k *TrustedKey) { k.KID[0]++ }), "does not match"},
		{"no status", 1, change(func(k *TrustedKey) { k.Status = "" }), "status"},
		{"retired without end", 1, change(func(k *TrustedKey) { k.Status = KeyRetired }), "valid_until"},
		{"no valid from", 1, change(func(k *TrustedKey) { k.ValidFrom = time.Time{} }), "valid_from"},
		{"until before from", 1, change(func(k *TrustedKey) { k.ValidUntil = k.ValidFrom }), "not after"},
		{"same key twice", 1, []TrustedKey{ok, s.TrustedKey(otherHall, keyFrom)}, "same public key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTrustList(tt.version, tt.keys)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want ErrInvalid about %q", err, tt.want)
			}
		})
	}
	// a missing kid is computed
	k := ok
	k.KID = KID{}
	tl, err := NewTrustList(1, []TrustedKey{k})
	if err != nil || tl.Keys()[0].KID != s.KID() {
		t.Fatal(err)
	}

	good, _ := json.Marshal(tl)
	for _, tt := range []struct{ name, json string }{
		{"not JSON", "{"},
		{"other format", strings.Replace(string(good), TrustListFormat, "onestop-trust-list/v2", 1)},
		{"unknown field", strings.Replace(string(good), `"status"`, `"scope":"x","status"`, 1)},
		{"trailing data", string(good) + "{}"},
		{"bad kid", strings.Replace(string(good), s.KID().String(), "zz", 1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseTrustList([]byte(tt.json)); !errors.Is(err, ErrInvalid) {
				t.Fatalf("%v", err)
			}
		})
	}
	if _, err := tl.Revoke(seededSigner(9).KID(), ""); !errors.Is(err, ErrUnknownKey) {
		t.Fatal(err)
	}
	if _, err := tl.Rotate(hallCode, seededSigner(9).TrustedKey(otherHall, t0)); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
}
