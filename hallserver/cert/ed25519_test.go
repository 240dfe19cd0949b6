package cert

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"filippo.io/edwards25519"
)

// smallOrderPoints are the canonical encodings of the 8 points of order
// dividing 8 (from "Taming the many EdDSAs", Chalkias et al. 2020); the test
// checks that each is one.
var smallOrderPoints = []string{
	"0100000000000000000000000000000000000000000000000000000000000000", // identity
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
	"0000000000000000000000000000000000000000000000000000000000000000", // order 4
	"0000000000000000000000000000000000000000000000000000000000000080", // order 4
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
}

// nonCanonicalPoints returns every non-canonical encoding that decodes to a
// point: y in [p, 2^255) with either sign bit, and x = 0 with the sign bit
// set. crypto/ed25519 accepts them as public keys.
func nonCanonicalPoints(t *testing.T) [][]byte {
	var out [][]byte
	try := func(b []byte) {
		if p, err := new(edwards25519.Point).SetBytes(b); err == nil && !bytes.Equal(p.Bytes(), b) {
			out = append(out, b)
		}
	}
	for i := range 19 { // y = p + i; p = 2^255 − 19 is ed ff … ff 7f
		for _, sign := range []byte{0, 0x80} {
			b := bytes.Repeat([]byte{0xff}, 32)
			b[0] = 0xed + byte(i)
			b[31] = 0x7f | sign
			try(b)
		}
	}
	for _, s := range smallOrderPoints[:2] { // y = ±1 has x = 0
		b, _ := hex.DecodeString(s)
		b[31] |= 0x80
		try(b)
	}
	if len(out) < 4 {
		t.Fatalf("found only %d non-canonical encodings", len(out))
	}
	return out
}

// scalarL is the group order L, little-endian.
var scalarL = [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 31: 0x10}

// plusL returns the signature with S replaced by S + L: the same value mod L,
// which RFC 8032 requires verifiers to refuse.
func plusL(sig []byte) []byte {
	out := bytes.Clone(sig)
	carry := 0
	for i := range 32 {
		v := int(sig[32+i]) + int(scalarL[i]) + carry
		out[32+i], carry = byte(v), v>>8
	}
	return out
}

// sameVerdict fails unless the verifyingKey for pub and crypto/ed25519 agree
// on the signature, and returns the verdict.
func sameVerdict(t *testing.T, pub ed25519.PublicKey, msg, sig []byte) bool {
	t.Helper()
	want := ed25519.Verify(pub, msg, sig)
	vk, err := newVerifyingKey(pub)
	if err != nil {
		if want {
			t.Fatalf("key %x refused (%v), but crypto/ed25519 accepts a signature with it", pub, err)
		}
		return false
	}
	// the message whole, and split as verifyCOSE splits a Sig_structure
	cut := len(msg) / 3
	if got := vk.verify(sig, msg); got != want {
		t.Fatalf("key %x, message %x, signature %x: verify = %v, crypto/ed25519 = %v", pub, msg, sig, got, want)
	}
	if got := vk.verify(sig, msg[:cut], nil, msg[cut:2*cut], msg[2*cut:]); got != want {
		t.Fatalf("key %x, message %x in parts, signature %x: verify = %v, crypto/ed25519 = %v", pub, msg, sig, got, want)
	}
	return want
}

// TestVerifyingKeyMatchesCryptoEd25519 holds verifyingKey.verify to
// crypto/ed25519.Verify: same verdict on genuine signatures, on signatures
// and messages with a bit changed, with S+L, with another key, and on
// signatures made by hand for keys of small and mixed order, where
// cofactored and cofactorless verifiers differ.
func TestVerifyingKeyMatchesCryptoEd25519(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'c', 'e', 'r', 't'}))
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	n := 300
	if testing.Short() {
		n = 30
	}
	var other ed25519.PublicKey
	for i := range n {
		priv := ed25519.NewKeyFromSeed(randBytes(ed25519.SeedSize))
		pub := priv.Public().(ed25519.PublicKey)
		msg := randBytes(rng.IntN(300))
		sig := ed25519.Sign(priv, msg)
		if !sameVerdict(t, pub, msg, sig) {
			t.Fatal("a genuine signature does not verify")
		}
		bad := bytes.Clone(sig)
		bad[rng.IntN(len(bad))] ^= 1 << rng.IntN(8)
		sameVerdict(t, pub, msg, bad)
		if len(msg) > 0 {
			m := bytes.Clone(msg)
			m[rng.IntN(len(m))] ^= 1 << rng.IntN(8)
			sameVerdict(t, pub, m, sig)
		}
		if sameVerdict(t, pub, msg, plusL(sig)) {
			t.Fatal("S+L verifies")
		}
		sameVerdict(t, pub, msg, sig[:63])
		sameVerdict(t, pub, msg, append(bytes.Clone(sig), 0))
		if other != nil {
			sameVerdict(t, other, msg, sig)
		}
		other = pub
		if i == 0 {
			zeroS := bytes.Clone(sig)
			clear(zeroS[32:])
			sameVerdict(t, pub, msg, zeroS)
			sameVerdict(t, pub, msg, plusL(zeroS)) // S = L
		}
	}

	// Keys of small order, canonical or not, and keys of mixed order
	// A = [a]B + T. Signing as usual with R = [r]B and S = r + k·a makes
	// [S]B − [k]A = R − [k]T: cofactorless verification accepts it exactly
	// when [k]T is the identity, about once in the order of T.
	var torsion []*edwards25519.Point
	var keys [][]byte
	for _, s := range smallOrderPoints {
		b, _ := hex.DecodeString(s)
		T, err := new(edwards25519.Point).SetBytes(b)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if new(edwards25519.Point).MultByCofactor(T).Equal(edwards25519.NewIdentityPoint()) != 1 {
			t.Fatalf("%s is not of small order", s)
		}
		torsion = append(torsion, T)
		keys = append(keys, b)
	}
	keys = append(keys, nonCanonicalPoints(t)...)
	secret := map[int]*edwards25519.Scalar{} // index in keys → a
	for range 8 {
		a, _ := new(edwards25519.Scalar).SetUniformBytes(randBytes(64))
		A := new(edwards25519.Point).ScalarBaseMult(a)
		A.Add(A, torsion[4+rng.IntN(4)])
		secret[len(keys)] = a
		keys = append(keys, A.Bytes())
	}
	accepted := 0
	for i, pub := range keys {
		a := secret[i]
		if a == nil {
			a = edwards25519.NewScalar() // small order: A = [0]B + T
		}
		for range 24 {
			msg := randBytes(rng.IntN(64))
			r, _ := new(edwards25519.Scalar).SetUniformBytes(randBytes(64))
			R := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
			h := sha512.New()
			h.Write(R)
			h.Write(pub)
			h.Write(msg)
			k, _ := new(edwards25519.Scalar).SetUniformBytes(h.Sum(nil))
			S := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
			sig := append(R, S.Bytes()...)
			if sameVerdict(t, pub, msg, sig) {
				accepted++
			}
			sameVerdict(t, pub, msg, plusL(sig))
		}
		// S = 0 and R the identity, encoded every way: [0]B − [k]A is the
		// identity when [k]A is, and only its canonical encoding may match.
		for _, R := range append([]string{smallOrderPoints[0]}, "0100000000000000000000000000000000000000000000000000000000000080",
			"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") {
			sig, _ := hex.DecodeString(R + strings.Repeat("00", 32))
			sameVerdict(t, pub, []byte("any message"), sig)
		}
	}
	if accepted == 0 {
		t.Fatal("no signature with a small- or mixed-order key verified: the torsion cases test nothing")
	}
	t.Logf("%d torsion-key signatures verified by both", accepted)
}

// TestTrustedKeysRefused: a trust list takes only keys that key generation
// can make.
func TestTrustedKeysRefused(t *testing.T) {
	var weak [][]byte
	for _, s := range smallOrderPoints {
		b, _ := hex.DecodeString(s)
		weak = append(weak, b)
	}
	weak = append(weak, nonCanonicalPoints(t)...)
	notAPoint, _ := hex.DecodeString("0200000000000000000000000000000000000000000000000000000000000000") // y = 2
	for _, pub := range append(weak, notAPoint) {
		if _, err := trustedVerifyingKey(pub); err == nil {
			t.Errorf("key %x trusted", pub)
		}
		k := seededSigner(1).TrustedKey(hallCode, keyFrom)
		k.KID, k.PublicKey = KID{}, pub
		if _, err := NewTrustList(1, []TrustedKey{k}); err == nil {
			t.Errorf("trust list with key %x", pub)
		}
	}
	if _, err := new(edwards25519.Point).SetBytes(notAPoint); err == nil {
		t.Fatal("y = 2 is a point after all")
	}
	vk, err := trustedVerifyingKey(seededSigner(1).PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := trustedVerifyingKey(seededSigner(1).PublicKey()); again != vk {
		t.Error("a key's verifyingKey is not shared")
	}
}

// FuzzVerifyingKey compares verifyingKey.verify with crypto/ed25519 on any
// key, message and signature.
func FuzzVerifyingKey(f *testing.F) {
	priv := seededSigner(1).priv
	msg := []byte("message")
	f.Add([]byte(priv.Public().(ed25519.PublicKey)), msg, ed25519.Sign(priv, msg))
	b, _ := hex.DecodeString(smallOrderPoints[0])
	f.Add(b, msg, append(bytes.Clone(b), make([]byte, 32)...))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		if len(pub) != ed25519.PublicKeySize {
			return // crypto/ed25519 panics; trust lists refuse such keys
		}
		sameVerdict(t, pub, msg, sig)
	})
}
