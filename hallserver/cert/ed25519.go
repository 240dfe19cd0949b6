package cert

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"errors"
	"fmt"
	"sync"

	"filippo.io/edwards25519"
)

// Ed25519 verification against a fixed set of keys.
//
// A verifier needs 20,000 verifications a second per core (50 µs each), and
// crypto/ed25519 alone does not reach that on a small CPU. Its Verify decodes
// the public key (a square root, ~4 µs) and computes [S]B − [k]A with
// VarTimeDoubleScalarBaseMult, about 253 doublings and 70 additions: on the
// 2-core VM the target was set on, that takes 53–60 µs by itself. Keeping
// the decoded key saves only the 4 µs.
//
// A trust list's keys are few and fixed, so each key is treated the way every
// Ed25519 implementation treats the base point B: its multiples are computed
// once, into a pointTable, and [k](−A) becomes a sum of at most 64 table
// entries. With a table for B too, [S]B + [k](−A) costs at most 128 point
// additions and 4 doublings, ~30 µs on the same VM. The group element is the
// one crypto/ed25519 computes, reached in another order, so the verdict is
// the same for every input: TestVerifyingKeyMatchesCryptoEd25519 compares the
// two on genuine, altered and hand-made signatures, including keys of small
// order and non-canonical encodings, and FuzzVerifyingKey on any input.
//
// Everything here is variable-time, like crypto/ed25519's verification: a
// signature, a message and a public key are public.

// verifyingKey is an Ed25519 public key prepared for verifying many
// signatures. It is safe for concurrent use.
type verifyingKey struct {
	// raw is the key's encoding as given; it goes into the hash k as it is
	// (RFC 8032 §5.1.7 hashes the encoding, and so does crypto/ed25519).
	raw [ed25519.PublicKeySize]byte
	// negA is −A, the negated decoded point.
	negA edwards25519.Point

	// table holds multiples of −A. It takes 40 KiB and ~80 µs to build, so
	// it is built on the key's first verification: a trust list may hold
	// hundreds of keys, most of which one kiosk never sees.
	once  sync.Once
	table *pointTable
}

// trustedKeys holds the verifyingKey of every key a trust list in this
// process has accepted, by encoding. A key's table depends on the key alone,
// so every list holding the key shares it: a list rebuilt for each request,
// or by Rotate and Revoke, neither decodes its keys again nor rebuilds a
// table. Past maxTrustedKeys (far more keys than a province has) new keys
// get a verifyingKey of their own list instead.
var trustedKeys struct {
	sync.Mutex
	m map[[ed25519.PublicKeySize]byte]*verifyingKey
}

const maxTrustedKeys = 4096

// trustedVerifyingKey returns the verifyingKey for a trust list entry's
// public key, or why the key cannot be trusted: it is not a point, or it is
// weak (see weakness).
func trustedVerifyingKey(pub []byte) (*verifyingKey, error) {
	var raw [ed25519.PublicKeySize]byte
	if len(pub) != len(raw) {
		return nil, fmt.Errorf("public key has %d bytes, want %d", len(pub), len(raw))
	}
	copy(raw[:], pub)
	trustedKeys.Lock()
	vk := trustedKeys.m[raw]
	trustedKeys.Unlock()
	if vk != nil {
		return vk, nil
	}
	vk, err := newVerifyingKey(pub)
	if err != nil {
		return nil, fmt.Errorf("public key is %v", err)
	}
	if why := vk.weakness(); why != "" {
		return nil, fmt.Errorf("public key %s: not a generated Ed25519 key", why)
	}
	trustedKeys.Lock()
	defer trustedKeys.Unlock()
	if old := trustedKeys.m[raw]; old != nil {
		return old, nil // another list added it meanwhile
	}
	if trustedKeys.m == nil {
		trustedKeys.m = make(map[[ed25519.PublicKeySize]byte]*verifyingKey)
	}
	if len(trustedKeys.m) < maxTrustedKeys {
		trustedKeys.m[raw] = vk
	}
	return vk, nil
}

// newVerifyingKey decodes an Ed25519 public key. Like crypto/ed25519 it
// accepts every 32-byte encoding of a point on the curve, including
// non-canonical ones and points of small order; trust lists refuse those
// (see trustedVerifyingKey). A key that is not a point is an error:
// crypto/ed25519 would reject every signature with it.
func newVerifyingKey(pub []byte) (*verifyingKey, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, errors.New("not 32 bytes")
	}
	A, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return nil, errors.New("not a point on the Ed25519 curve")
	}
	vk := &verifyingKey{}
	copy(vk.raw[:], pub)
	vk.negA.Negate(A)
	return vk, nil
}

// weakness says what makes the key one that no Ed25519 key generation
// produces, or "" for an ordinary key. A generated key is [a]B encoded
// canonically, so it is canonical and of order L. A key of small order lets
// anyone forge a signature with a few tries; a non-canonical encoding is a
// second spelling of some point, which Ed25519 implementations disagree on.
func (vk *verifyingKey) weakness() string {
	var A edwards25519.Point
	A.Negate(&vk.negA)
	if !bytes.Equal(A.Bytes(), vk.raw[:]) {
		return "is not in canonical encoding"
	}
	if A.MultByCofactor(&A).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return "has small order"
	}
	return ""
}

// verify reports whether sig is a valid Ed25519 signature by vk of the
// message made of the parts put together, with the same rules as
// crypto/ed25519.Verify (RFC 8032 §5.1.7, cofactorless): S must be below L,
// k = SHA-512(R ‖ A ‖ M) mod L, and the encoding of [S]B − [k]A must equal R
// byte for byte (so a non-canonical R never verifies). The parts spare the
// caller from copying a COSE Sig_structure together.
func (vk *verifyingKey) verify(sig []byte, parts ...[]byte) bool {
	if len(sig) != ed25519.SignatureSize {
		return false
	}
	S, err := new(edwards25519.Scalar).SetCanonicalBytes(sig[32:])
	if err != nil {
		return false // S ≥ L: a second form of a valid signature
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(vk.raw[:])
	for _, p := range parts {
		h.Write(p)
	}
	var digest [sha512.Size]byte
	k, err := new(edwards25519.Scalar).SetUniformBytes(h.Sum(digest[:0]))
	if err != nil {
		panic("cert: SHA-512 digest is not 64 bytes")
	}
	R := sumMultiples(basepointTable(), S, vk.negATable(), k) // [S]B + [k](−A)
	return bytes.Equal(R.Bytes(), sig[:32])
}

func (vk *verifyingKey) negATable() *pointTable {
	vk.once.Do(func() { vk.table = newPointTable(&vk.negA) })
	return vk.table
}

// basepointTable is the pointTable of the base point B, built on first use.
var basepointTable = sync.OnceValue(func() *pointTable {
	return newPointTable(edwards25519.NewGeneratorPoint())
})

// pointTable holds the multiples j·256^i·P of a point P for i = 0…31 and
// j = 1…8, at [i][j−1]: 256 points, 40 KiB. Write a scalar s in signed radix
// 16, s = Σ d_n·16^n with digits d_n in [−8, 8]; then
//
//	[s]P = Σ_{n even} d_n·256^(n/2)·P + 16·Σ_{n odd} d_n·256^((n−1)/2)·P
//
// is a sum of at most 64 table entries or their negations, and four
// doublings. (The same layout as the base point table inside
// edwards25519.ScalarBaseMult, which that package does not export.)
type pointTable [32][8]edwards25519.Point

func newPointTable(p *edwards25519.Point) *pointTable {
	t := new(pointTable)
	q := new(edwards25519.Point).Set(p) // q = 256^i·P
	for i := range t {
		t[i][0].Set(q)
		for j := 1; j < len(t[i]); j++ {
			t[i][j].Add(&t[i][j-1], q)
		}
		q.Add(&t[i][7], &t[i][7]) // 16·q
		for range 4 {
			q.Add(q, q)
		}
	}
	return t
}

// add sets v = v + d·256^i·P, for d in [−8, 8].
func (t *pointTable) add(v *edwards25519.Point, i int, d int8) {
	switch {
	case d > 0:
		v.Add(v, &t[i][d-1])
	case d < 0:
		v.Subtract(v, &t[i][-d-1])
	}
}

// sumMultiples returns [a]P + [b]Q, given P's table tp and Q's table tq. The
// four doublings are shared by both sums.
func sumMultiples(tp *pointTable, a *edwards25519.Scalar, tq *pointTable, b *edwards25519.Scalar) *edwards25519.Point {
	da, db := signedRadix16(a), signedRadix16(b)
	v := edwards25519.NewIdentityPoint()
	for n := 1; n < 64; n += 2 {
		tp.add(v, n/2, da[n])
		tq.add(v, n/2, db[n])
	}
	for range 4 {
		v.Add(v, v)
	}
	for n := 0; n < 64; n += 2 {
		tp.add(v, n/2, da[n])
		tq.add(v, n/2, db[n])
	}
	return v
}

// signedRadix16 returns the digits d_0…d_63 of s = Σ d_n·16^n, each in
// [−8, 8). A scalar is below L < 2^253, so its top digit is at most 2 even
// after the carries.
func signedRadix16(s *edwards25519.Scalar) [64]int8 {
	b := s.Bytes() // little-endian
	var d [64]int8
	for i, x := range b {
		d[2*i] = int8(x & 15)
		d[2*i+1] = int8(x >> 4)
	}
	for n := range 63 {
		carry := (d[n] + 8) >> 4 // 1 when d_n ≥ 8
		d[n] -= carry << 4
		d[n+1] += carry
	}
	return d
}
