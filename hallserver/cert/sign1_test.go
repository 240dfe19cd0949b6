package cert

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/veraison/go-cose"
)

// sign1Layer is what verifyCOSE takes from the COSE_Sign1 layer: the
// payload and the indexes of the trusted keys whose signature it is, or an
// error wrapping ErrMalformed, ErrUnknownKey or ErrBadSignature.
func sign1Layer(data []byte, trust *TrustList) ([]byte, []int, error) {
	m, err := parseSign1(data)
	if err != nil {
		return nil, nil, err
	}
	cands := trust.candidates(m.kid)
	if len(cands) == 0 {
		return nil, nil, ErrUnknownKey
	}
	var signers []int
	for _, i := range cands {
		if m.verify(trust.verifiers[i]) {
			signers = append(signers, i)
		}
	}
	if len(signers) == 0 {
		return nil, nil, ErrBadSignature
	}
	return m.payload, signers, nil
}

// goCOSELayer does what sign1Layer does with go-cose, as verifyCOSE did
// before parseSign1: decode with go-cose, insist on one encoding, check the
// headers, verify with go-cose's EdDSA verifier. The one-encoding check is
// the complete one: the message must be what go-cose writes for its decoded
// headers, payload and signature (see TestGoCOSERoundTripIsNotEnough). Two
// more differences are marked below.
func goCOSELayer(data []byte, trust *TrustList) ([]byte, []int, error) {
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(data); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	fresh := cose.Sign1Message{
		Headers: cose.Headers{Protected: msg.Headers.Protected, Unprotected: msg.Headers.Unprotected},
		Payload: msg.Payload, Signature: msg.Signature,
	}
	if again, err := fresh.MarshalCBOR(); err != nil || !bytes.Equal(again, data) {
		return nil, nil, fmt.Errorf("%w: not canonical", ErrMalformed)
	}
	kid, err := headerKID(msg.Headers)
	if err != nil {
		return nil, nil, err
	}
	// Two messages that verifyCOSE with go-cose refused as ErrUnknownKey or
	// ErrBadSignature, parseSign1 refuses as ErrMalformed, since no EdDSA
	// COSE_Sign1 of ours looks like them: a detached payload (null), which
	// go-cose's Verify refuses with ErrMissingPayload, and a signature that
	// is not 64 bytes long, which crypto/ed25519 refuses.
	if msg.Payload == nil {
		return nil, nil, fmt.Errorf("%w: no payload", ErrMalformed)
	}
	if len(msg.Signature) != ed25519.SignatureSize {
		return nil, nil, fmt.Errorf("%w: signature of %d bytes", ErrMalformed, len(msg.Signature))
	}
	cands := trust.candidates(kid)
	if len(cands) == 0 {
		return nil, nil, ErrUnknownKey
	}
	var signers []int
	for _, i := range cands {
		v, err := cose.NewVerifier(cose.AlgorithmEdDSA, trust.keys[i].PublicKey)
		if err != nil {
			return nil, nil, err
		}
		if msg.Verify(nil, v) == nil {
			signers = append(signers, i)
		}
	}
	if len(signers) == 0 {
		return nil, nil, ErrBadSignature
	}
	return msg.Payload, signers, nil
}

// headerKID checks that the protected header is exactly {alg: EdDSA, kid:
// 8 bytes} and the unprotected header empty, and returns the kid.
func headerKID(h cose.Headers) (KID, error) {
	var kid KID
	if len(h.Unprotected) != 0 {
		return kid, fmt.Errorf("%w: unprotected header is not empty", ErrMalformed)
	}
	if len(h.Protected) != 2 {
		return kid, fmt.Errorf("%w: protected header has %d entries", ErrMalformed, len(h.Protected))
	}
	alg, err := h.Protected.Algorithm()
	if err != nil || alg != cose.AlgorithmEdDSA {
		return kid, fmt.Errorf("%w: algorithm is not EdDSA", ErrMalformed)
	}
	b, ok := h.Protected[cose.HeaderLabelKeyID].([]byte)
	if !ok || len(b) != len(kid) {
		return kid, fmt.Errorf("%w: kid is not %d bytes", ErrMalformed, len(kid))
	}
	copy(kid[:], b)
	return kid, nil
}

// errClass names the sentinel an error of the COSE_Sign1 layer wraps.
func errClass(err error) string {
	for _, e := range []error{ErrMalformed, ErrUnknownKey, ErrBadSignature} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	if err == nil {
		return "ok"
	}
	return "unexpected error: " + err.Error()
}

// sameLayer fails unless parseSign1 and go-cose agree on the message, and
// returns whether it verified.
func sameLayer(t *testing.T, data []byte, trust *TrustList) bool {
	t.Helper()
	p1, s1, err1 := sign1Layer(data, trust)
	p2, s2, err2 := goCOSELayer(data, trust)
	if errClass(err1) != errClass(err2) || !bytes.Equal(p1, p2) || !slices.Equal(s1, s2) {
		t.Fatalf("message %x:\nparseSign1: %v, signers %v, payload %x\n   go-cose: %v, signers %v, payload %x", data, err1, s1, p1, err2, s2, p2)
	}
	return err1 == nil
}

// signSig1 signs a COSE_Sign1 whose protected header bytes (a bstr, head
// included) are given as they are, which go-cose cannot be made to write.
func signSig1(s *Signer, protected, payload []byte) []byte {
	bstr := func(b []byte) []byte {
		switch {
		case len(b) < 24:
			return append([]byte{0x40 | byte(len(b))}, b...)
		case len(b) < 256:
			return append([]byte{0x58, byte(len(b))}, b...)
		}
		return append([]byte{0x59, byte(len(b) >> 8), byte(len(b))}, b...)
	}
	tbs := slices.Concat(sigStructureHead, protected, emptyAAD, bstr(payload))
	msg := slices.Concat([]byte{0xd2, 0x84}, protected, []byte{0xa0}, bstr(payload))
	return append(msg, bstr(ed25519.Sign(s.priv, tbs))...)
}

// TestParseSign1MatchesGoCOSE compares parseSign1 and the Sig_structure it
// hashes with go-cose's decoding and verification: the same verdict, the
// same payload and the same signing keys, for genuine messages of every
// payload length head, for each of them altered byte by byte, cut, grown
// and shrunk, and for messages in other encodings or with other headers.
func TestParseSign1MatchesGoCOSE(t *testing.T) {
	hallKey, foreign := seededSigner(1), seededSigner(2)
	trust := fuzzTrust(t)
	// the foreign key listed under the hall key's kid too, as by a collision
	colliding, err := NewTrustList(1, []TrustedKey{foreign.TrustedKey(otherHall, keyFrom), hallKey.TrustedKey(hallCode, keyFrom)})
	if err != nil {
		t.Fatal(err)
	}
	colliding.byKID[hallKey.KID()] = []int{0, 1}

	withExpiry := typicalClaims()
	withExpiry.Expires = t0.AddDate(5, 0, 0)
	var genuine [][]byte
	for _, c := range []Claims{typicalClaims(), withExpiry} {
		for _, s := range []*Signer{hallKey, foreign} {
			m, err := Issue(s, c)
			if err != nil {
				t.Fatal(err)
			}
			genuine = append(genuine, m)
		}
	}
	for _, n := range []int{0, 1, 23, 24, 255, 256, 1000, 70000} {
		genuine = append(genuine, signRaw(t, hallKey, stdHeader(hallKey), nil, bytes.Repeat([]byte{0xa5}, n)))
	}
	for i, m := range genuine {
		if !sameLayer(t, m, trust) {
			t.Fatalf("genuine message %d does not verify", i)
		}
		sameLayer(t, m, colliding)
	}

	// every genuine message with each byte changed (a few ways), each prefix,
	// a byte more, a byte less
	checked := 0
	for _, m := range genuine[:3] {
		for i := range m {
			for _, x := range []byte{0x01, 0x80, 0xff, 0x1f, 0x20} {
				sameLayer(t, slices.Concat(m[:i], []byte{m[i] ^ x}, m[i+1:]), trust)
				checked++
			}
			for _, b := range []byte{0x00, 0x18, 0x40, 0x58, 0xa0, 0xf6} {
				sameLayer(t, slices.Concat(m[:i], []byte{b}, m[i+1:]), trust)
				sameLayer(t, slices.Concat(m[:i], []byte{b}, m[i:]), trust)
				checked += 2
			}
			sameLayer(t, m[:i], trust)
			sameLayer(t, slices.Concat(m[:i], m[i+1:]), trust)
			checked += 2
		}
		sameLayer(t, append(bytes.Clone(m), 0x00), trust)
	}

	// other headers and other encodings, signed so that only the encoding
	// or the header is wrong
	kid := hallKey.KID()
	payload := mustCBOR(t, typicalClaims())
	protected := slices.Concat([]byte{0x4d, 0xa2, 0x01, 0x27, 0x04, 0x48}, kid[:])
	extra := stdHeader(hallKey)
	extra[cose.HeaderLabelContentType] = "application/cbor"
	odd := map[string][]byte{
		"hand-signed, standard header":    signSig1(hallKey, protected, payload),
		"protected header keys reordered": signSig1(hallKey, slices.Concat([]byte{0x4d, 0xa2, 0x04, 0x48}, kid[:], []byte{0x01, 0x27}), payload),
		"protected length not shortest":   signSig1(hallKey, slices.Concat([]byte{0x58, 0x0d}, protected[1:]), payload),
		"alg not shortest":                signSig1(hallKey, slices.Concat([]byte{0x4e, 0xa2, 0x01, 0x38, 0x07, 0x04, 0x48}, kid[:]), payload),
		"alg ES256":                       signSig1(hallKey, slices.Concat([]byte{0x4d, 0xa2, 0x01, 0x26, 0x04, 0x48}, kid[:]), payload),
		"kid of 9 bytes":                  signSig1(hallKey, slices.Concat([]byte{0x4e, 0xa2, 0x01, 0x27, 0x04, 0x49}, kid[:], []byte{0}), payload),
		"extra protected header":          signRaw(t, hallKey, extra, nil, payload),
		"kid unprotected": signRaw(t, hallKey, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA},
			cose.UnprotectedHeader{cose.HeaderLabelKeyID: kid[:]}, payload),
		"alg only": signRaw(t, hallKey, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA}, nil, payload),
	}
	m := genuine[0]
	odd["unprotected map length not shortest"] = slices.Concat(m[:unprotectedAt], []byte{0xb8, 0x00}, m[unprotectedAt+1:])
	odd["payload length not shortest"] = slices.Concat(m[:unprotectedAt+1], []byte{0x59, 0x00}, m[unprotectedAt+2:])
	odd["signature length not shortest"] = slices.Concat(m[:len(m)-66], []byte{0x59, 0x00, 0x40}, m[len(m)-64:])
	short := signRaw(t, hallKey, stdHeader(hallKey), nil, []byte{0xa5})
	odd["short payload length not shortest"] = slices.Concat(short[:unprotectedAt+1], []byte{0x58, 0x01}, short[unprotectedAt+2:])
	odd["signature of 63 bytes"] = slices.Concat(m[:len(m)-66], []byte{0x58, 0x3f}, m[len(m)-64:len(m)-1])
	odd["untagged"] = m[1:]
	odd["payload nil"] = slices.Concat(m[:unprotectedAt+1], []byte{0xf6}, m[len(m)-66:])
	for name, data := range odd {
		t.Run(name, func(t *testing.T) {
			ok := sameLayer(t, data, trust)
			if want := strings.HasPrefix(name, "hand-signed"); ok != want {
				t.Fatalf("verified = %v", ok)
			}
		})
	}
	t.Logf("%d altered messages", checked)
}

// TestGoCOSERoundTripIsNotEnough shows why verifyCOSE no longer checks for
// one encoding by decoding with go-cose and encoding again: go-cose writes
// the headers back as it read them, so a second encoding of a genuine
// certificate passed, and still verified.
func TestGoCOSERoundTripIsNotEnough(t *testing.T) {
	s := seededSigner(1)
	trust := trustFor(t, hallCode, s)
	m, err := Issue(s, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"protected length not shortest":       slices.Concat(m[:2], []byte{0x58, 0x0d}, m[3:]),
		"unprotected map length not shortest": slices.Concat(m[:16], []byte{0xb8, 0x00}, m[17:]),
	} {
		var msg cose.Sign1Message
		if err := msg.UnmarshalCBOR(data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, err := msg.MarshalCBOR()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("%s: go-cose's round trip changed it; this test is out of date", name)
		}
		v, _ := cose.NewVerifier(cose.AlgorithmEdDSA, s.PublicKey())
		if err := msg.Verify(nil, v); err != nil {
			t.Fatalf("%s: go-cose does not verify it: %v", name, err)
		}
		_, err = Verify(context.Background(), EncodeURL(baseURL, data), trust, now, nil)
		wantErr(t, err, ErrMalformed)
	}
}
