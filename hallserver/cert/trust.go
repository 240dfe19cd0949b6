package cert

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"
)

// KeyStatus is where a trusted key is in its life.
type KeyStatus string

// Key statuses.
const (
	// KeyActive: the hall signs with this key now.
	KeyActive KeyStatus = "active"
	// KeyRetired: the hall has rotated to a newer key. What this key signed
	// before its ValidUntil stays valid.
	KeyRetired KeyStatus = "retired"
	// KeyRevoked: the key must not be trusted (it leaked, or was issued in
	// error). Everything it signed is invalid, whenever it was signed.
	KeyRevoked KeyStatus = "revoked"
)

// TrustedKey is one entry of a trust list: a hall's public key and when it
// may have signed.
type TrustedKey struct {
	// Hall is the code of the hall that owns the key.
	Hall string `json:"hall"`
	// KID is KeyID(PublicKey). In JSON it may be left out; when present it
	// must match.
	KID KID `json:"kid"`
	// PublicKey is the raw 32-byte Ed25519 public key (Base64 in JSON).
	PublicKey ed25519.PublicKey `json:"public_key"`
	// ValidFrom is the earliest issue time the key may sign.
	ValidFrom time.Time `json:"valid_from"`
	// ValidUntil, when set, ends the key's signing period: a certificate
	// must say it was issued before it. Required for a retired key.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// Status is active, retired or revoked.
	Status KeyStatus `json:"status"`
	// Note says why, for people: "rotated 2026-07", "key leaked, see 2026-031".
	Note string `json:"note,omitempty"`
}

// covers reports whether the key's signing period includes t.
func (k TrustedKey) covers(t time.Time) bool {
	return !t.Before(k.ValidFrom) && (k.ValidUntil.IsZero() || t.Before(k.ValidUntil))
}

// TrustList is the set of keys a verifier trusts, as the province
// distributes it. It is immutable and safe for concurrent use; Rotate and
// Revoke return a new list with the next version.
type TrustList struct {
	version int64
	keys    []TrustedKey
	// verifiers[i] checks signatures by keys[i]; see verifyingKey.
	verifiers []*verifyingKey
	byKID     map[KID][]int
}

// TrustListFormat names the JSON form of a trust list.
const TrustListFormat = "onestop-trust-list/v1"

// NewTrustList checks the entries and returns a trust list. version counts
// up with every change, so a verifier can refuse to go back to an older
// list. Each entry needs a hall code, a 32-byte Ed25519 public key (KID
// zero or matching), a known status and a ValidFrom; ValidUntil, if set,
// after ValidFrom; a retired key needs a ValidUntil; no public key twice.
// The public key must be one that Ed25519 key generation can produce: a
// point on the curve, canonically encoded, not of small order (a key of
// small order would let anyone forge its signatures). The error wraps
// ErrInvalid.
func NewTrustList(version int64, keys []TrustedKey) (*TrustList, error) {
	if version < 1 {
		return nil, fmt.Errorf("%w: trust list version %d: want 1 or more", ErrInvalid, version)
	}
	t := &TrustList{
		version:   version,
		keys:      make([]TrustedKey, len(keys)),
		verifiers: make([]*verifyingKey, len(keys)),
		byKID:     make(map[KID][]int, len(keys)),
	}
	for i, k := range keys {
		bad := func(format string, a ...any) (*TrustList, error) {
			return nil, fmt.Errorf("%w: trust list entry %d (hall %q): %s", ErrInvalid, i+1, k.Hall, fmt.Sprintf(format, a...))
		}
		if !isHallCode(k.Hall) {
			return bad("not a hall code")
		}
		if len(k.PublicKey) != ed25519.PublicKeySize {
			return bad("public key has %d bytes, want %d", len(k.PublicKey), ed25519.PublicKeySize)
		}
		vk, err := trustedVerifyingKey(k.PublicKey)
		if err != nil {
			return bad("%v", err)
		}
		k.PublicKey = bytes.Clone(k.PublicKey)
		kid := KeyID(k.PublicKey)
		if k.KID != (KID{}) && k.KID != kid {
			return bad("kid %s does not match the public key (%s)", k.KID, kid)
		}
		k.KID = kid
		switch k.Status {
		case KeyActive, KeyRevoked:
		case KeyRetired:
			if k.ValidUntil.IsZero() {
				return bad("retired key without valid_until")
			}
		default:
			return bad("status %q: want active, retired or revoked", k.Status)
		}
		if k.ValidFrom.IsZero() {
			return bad("no valid_from")
		}
		if !k.ValidUntil.IsZero() && !k.ValidUntil.After(k.ValidFrom) {
			return bad("valid_until is not after valid_from")
		}
		for j := range i {
			if t.keys[j].PublicKey.Equal(k.PublicKey) {
				return bad("same public key as entry %d", j+1)
			}
		}
		t.keys[i] = k
		t.verifiers[i] = vk
		t.byKID[kid] = append(t.byKID[kid], i)
	}
	return t, nil
}

// Version returns the list's version number.
func (t *TrustList) Version() int64 { return t.version }

// Keys returns a copy of the entries.
func (t *TrustList) Keys() []TrustedKey {
	out := make([]TrustedKey, len(t.keys))
	for i, k := range t.keys {
		k.PublicKey = bytes.Clone(k.PublicKey)
		out[i] = k
	}
	return out
}

// Rotate returns the next version of the list with next added as the hall's
// key, and each key of the hall that was active retired, valid until
// next.ValidFrom. Certificates the old key signed stay valid.
func (t *TrustList) Rotate(hall string, next TrustedKey) (*TrustList, error) {
	if next.Hall == "" {
		next.Hall = hall
	}
	if next.Hall != hall {
		return nil, fmt.Errorf("%w: rotating hall %s to a key of hall %s", ErrInvalid, hall, next.Hall)
	}
	if next.Status == "" {
		next.Status = KeyActive
	}
	keys := t.Keys()
	for i, k := range keys {
		if k.Hall == hall && k.Status == KeyActive {
			keys[i].Status = KeyRetired
			if k.ValidUntil.IsZero() || k.ValidUntil.After(next.ValidFrom) {
				keys[i].ValidUntil = next.ValidFrom
			}
		}
	}
	return NewTrustList(t.version+1, append(keys, next))
}

// Revoke returns the next version of the list with the key marked revoked:
// every certificate it signed stops verifying.
func (t *TrustList) Revoke(kid KID, note string) (*TrustList, error) {
	if len(t.byKID[kid]) == 0 {
		return nil, fmt.Errorf("%w: revoking key %s: not in the trust list", ErrUnknownKey, kid)
	}
	keys := t.Keys()
	for _, i := range t.byKID[kid] {
		keys[i].Status = KeyRevoked
		keys[i].Note = note
	}
	return NewTrustList(t.version+1, keys)
}

// candidates returns the entries with the key id, in list order.
func (t *TrustList) candidates(kid KID) []int { return t.byKID[kid] }

// trustListJSON is the JSON form of a TrustList.
type trustListJSON struct {
	Format  string       `json:"format"`
	Version int64        `json:"version"`
	Keys    []TrustedKey `json:"keys"`
}

// MarshalJSON writes the list as
//
//	{"format":"onestop-trust-list/v1","version":N,"keys":[{"hall":…,"kid":…,
//	 "public_key":…,"valid_from":…,"valid_until":…,"status":…,"note":…}]}
//
// with times in RFC 3339, the kid in hex and the public key in Base64.
func (t *TrustList) MarshalJSON() ([]byte, error) {
	return json.Marshal(trustListJSON{Format: TrustListFormat, Version: t.version, Keys: t.keys})
}

// ParseTrustList reads a trust list written by MarshalJSON and checks it as
// NewTrustList does. Unknown fields and other formats are refused: a
// verifier must not silently ignore what a newer list says about a key. The
// error wraps ErrInvalid.
func ParseTrustList(data []byte) (*TrustList, error) {
	var w trustListJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: trust list: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trust list: data after the list", ErrInvalid)
	}
	if w.Format != TrustListFormat {
		return nil, fmt.Errorf("%w: trust list format %q: want %q", ErrInvalid, w.Format, TrustListFormat)
	}
	return NewTrustList(w.Version, w.Keys)
}

// UnmarshalJSON reads what ParseTrustList reads.
func (t *TrustList) UnmarshalJSON(data []byte) error {
	v, err := ParseTrustList(data)
	if err != nil {
		return err
	}
	*t = *v
	return nil
}
