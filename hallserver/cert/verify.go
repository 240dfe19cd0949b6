package cert

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"time"
)

// ClockSkew is how far in the future a certificate's issue time may lie
// before Verify calls it not yet valid: a kiosk's clock may run behind the
// hall server's.
const ClockSkew = 10 * time.Minute

// StatusChecker says whether the hall has revoked one certificate. The hall
// server answers from its database; an offline verifier has none.
type StatusChecker interface {
	// Revoked reports whether the certificate with the serial is revoked,
	// and why (for people). An error means the status is unknown.
	Revoked(ctx context.Context, serial Serial) (revoked bool, reason string, err error)
}

// Verified is what Verify found.
type Verified struct {
	// Claims are the certificate's signed claims.
	Claims Claims
	// Key is the trust list entry whose key signed it.
	Key TrustedKey
	// StatusChecked is true when a StatusChecker answered (revoked or not).
	StatusChecked bool
}

// Verify checks a certificate's QR code text (see DecodeURL) against the
// trust list at time now and returns its claims. In order, it decodes the
// text and the COSE_Sign1 message (ErrMalformed), finds every trusted key
// with its kid (ErrUnknownKey) and checks the signature with each
// (ErrBadSignature), refuses a revoked key (ErrKeyRevoked), decodes the
// claims (ErrMalformed), checks that the key belongs to the issuing hall
// (ErrIssuerMismatch) and was valid when the certificate was issued
// (ErrKeyNotValid), that the issue time is not after now plus ClockSkew
// (ErrNotYetValid) and that now is before the expiry (ErrExpired). Then, if
// status is not nil, it asks whether this certificate was revoked
// (ErrRevoked, or ErrStatusUnavailable when the checker fails; ctx is
// passed to the checker). Offline verifiers pass a nil status.
//
// With ErrNotYetValid, ErrExpired, ErrRevoked and ErrStatusUnavailable the
// signature is good, so Verified carries the claims for a screen to say
// which certificate it is; with any other error Verified is empty.
func Verify(ctx context.Context, qrText string, trust *TrustList, now time.Time, status StatusChecker) (Verified, error) {
	msg, err := DecodeURL(qrText)
	if err != nil {
		return Verified{}, err
	}
	return verifyCOSE(ctx, msg, trust, now, status)
}

func verifyCOSE(ctx context.Context, data []byte, trust *TrustList, now time.Time, status StatusChecker) (Verified, error) {
	if trust == nil {
		return Verified{}, fmt.Errorf("%w: no trust list", ErrUnknownKey)
	}
	msg, err := parseSign1(data)
	if err != nil {
		return Verified{}, err
	}
	kid := msg.kid
	cands := trust.candidates(kid)
	if len(cands) == 0 {
		return Verified{}, fmt.Errorf("%w: kid %s is not in trust list version %d", ErrUnknownKey, kid, trust.version)
	}
	var signers []TrustedKey // every entry whose key verifies the signature
	for _, i := range cands {
		if msg.verify(trust.verifiers[i]) {
			signers = append(signers, trust.keys[i])
		}
	}
	if len(signers) == 0 {
		return Verified{}, fmt.Errorf("%w: kid %s", ErrBadSignature, kid)
	}
	for _, k := range signers {
		if k.Status == KeyRevoked {
			return Verified{}, fmt.Errorf("%w: key %s of hall %s (%s)", ErrKeyRevoked, k.KID, k.Hall, k.Note)
		}
	}
	var c Claims
	if err := c.UnmarshalCBOR(msg.payload); err != nil {
		return Verified{}, err
	}
	var key TrustedKey
	found := false
	for _, k := range signers {
		if k.Hall == c.Issuer && k.covers(c.IssuedAt) {
			key, found = k, true
			break
		}
	}
	if !found {
		if !hasHall(signers, c.Issuer) {
			return Verified{}, fmt.Errorf("%w: issuer %s, key %s belongs to %s", ErrIssuerMismatch, c.Issuer, kid, signers[0].Hall)
		}
		return Verified{}, fmt.Errorf("%w: key %s of hall %s, issued %s", ErrKeyNotValid, kid, c.Issuer, c.IssuedAt.Format(time.RFC3339))
	}
	key.PublicKey = bytes.Clone(key.PublicKey) // the list's own slice stays private
	out := Verified{Claims: c, Key: key}
	if c.IssuedAt.After(now.Add(ClockSkew)) {
		return out, fmt.Errorf("%w: issued %s, now %s", ErrNotYetValid, c.IssuedAt.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if !c.Expires.IsZero() && !now.Before(c.Expires) {
		return out, fmt.Errorf("%w: on %s", ErrExpired, c.Expires.Format(time.RFC3339))
	}
	if status != nil {
		revoked, reason, err := status.Revoked(ctx, c.Serial)
		if err != nil {
			return out, fmt.Errorf("%w: serial %s: %w", ErrStatusUnavailable, c.Serial, err)
		}
		out.StatusChecked = true
		if revoked {
			return out, fmt.Errorf("%w: serial %s: %s", ErrRevoked, c.Serial, reason)
		}
	}
	return out, nil
}

func hasHall(keys []TrustedKey, hall string) bool {
	for _, k := range keys {
		if k.Hall == hall {
			return true
		}
	}
	return false
}

// A certificate's COSE_Sign1 message has exactly one encoding, the one Issue
// writes (go-cose's deterministic encoding of our headers):
//
//	d2                 tag 18: COSE_Sign1
//	84                 array of 4
//	4d                 protected header: a byte string of 13 bytes holding
//	   a2              a map of 2:
//	   01 27           alg (1): EdDSA (−8)
//	   04 48 <8 bytes> kid (4): the 8-byte key id
//	a0                 unprotected header: empty (a kid there could be swapped)
//	<bstr>             payload: the claims, with the shortest length head
//	58 40 <64 bytes>   signature
//
// Checking these bytes in place is both stricter and cheaper than decoding
// with go-cose and encoding again: go-cose writes the protected and
// unprotected headers back as it read them, so such a round trip let a
// non-minimal length head there through, a second text for the same
// certificate. TestParseSign1MatchesGoCOSE holds this parser to go-cose's
// decoding and verification.
var sign1Head = [...]byte{0xd2, 0x84, 0x4d, 0xa2, 0x01, 0x27, 0x04, 0x48}

// Offsets in a COSE_Sign1 message, and the signature's head.
const (
	protectedStart = 2                     // the protected header's bstr head
	kidStart       = len(sign1Head)        // the key id
	unprotectedAt  = kidStart + len(KID{}) // the empty unprotected map, a0
	payloadStart   = unprotectedAt + 1     // the payload's bstr head
	signatureHead  = "\x58\x40"            // bstr of 64 bytes
)

// sign1 is a COSE_Sign1 message split into its parts, slices of the message.
type sign1 struct {
	kid         KID
	protected   []byte // the protected header's bstr, head included
	payloadBstr []byte // the payload's bstr, head included
	payload     []byte // the payload's content: the claims
	signature   []byte // 64 bytes
}

// parseSign1 splits a COSE_Sign1 message in the form Issue writes; anything
// else wraps ErrMalformed.
func parseSign1(data []byte) (sign1, error) {
	var m sign1
	bad := func(what string) (sign1, error) {
		return sign1{}, fmt.Errorf("%w: COSE_Sign1: %s", ErrMalformed, what)
	}
	switch {
	case len(data) < payloadStart+1:
		return bad("too short")
	case !bytes.HasPrefix(data, sign1Head[:protectedStart]):
		return bad("not a tagged COSE_Sign1 array of 4")
	case !bytes.HasPrefix(data, sign1Head[:]):
		return bad("protected header is not {alg: EdDSA, kid: 8 bytes} in deterministic encoding")
	case data[unprotectedAt] != 0xa0:
		return bad("unprotected header is not empty")
	}
	copy(m.kid[:], data[kidStart:unprotectedAt])
	m.protected = data[protectedStart:unprotectedAt]

	head, n, problem := bstrHead(data[payloadStart:])
	if problem != "" {
		return bad("payload " + problem)
	}
	end := payloadStart + head + n
	m.payloadBstr = data[payloadStart:end]
	m.payload = m.payloadBstr[head:]

	sig := data[end:]
	if len(sig) != len(signatureHead)+ed25519.SignatureSize || string(sig[:len(signatureHead)]) != signatureHead {
		return bad("signature is not the last field, 64 bytes")
	}
	m.signature = sig[len(signatureHead):]
	return m, nil
}

// bstrHead reads the head of the CBOR byte string that b begins with: the
// head's size and the content's. The length must be in its shortest form
// (RFC 8949 §4.2.1) and the content must fit in b.
func bstrHead(b []byte) (head, n int, problem string) {
	if len(b) == 0 || b[0]>>5 != 2 {
		return 0, 0, "is not a byte string"
	}
	ai := b[0] & 0x1f
	size := uint64(ai)
	switch {
	case ai < 24:
		head = 1
	case ai <= 27: // 1, 2, 4 or 8 bytes of length follow
		head = 1 + 1<<(ai-24)
		if len(b) < head {
			return 0, 0, "is cut short"
		}
		size = 0
		for _, x := range b[1:head] {
			size = size<<8 | uint64(x)
		}
		if size < [...]uint64{24, 1 << 8, 1 << 16, 1 << 32}[ai-24] {
			return 0, 0, "length is not in its shortest form"
		}
	default:
		return 0, 0, "has no definite length"
	}
	if size > uint64(len(b)-head) {
		return 0, 0, "is cut short"
	}
	return head, int(size), ""
}

// sigStructureHead begins the Sig_structure that a COSE_Sign1 signature
// signs (RFC 9052 §4.4): ["Signature1", protected, external_aad, payload]
// encoded deterministically, that is, an array of 4 and the text
// "Signature1". The protected header's and the payload's byte strings follow
// as they are in the message, with an empty external_aad (40) between them.
var sigStructureHead = []byte{0x84, 0x6a, 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1'}

// emptyAAD is the empty external_aad byte string.
var emptyAAD = []byte{0x40}

// verify reports whether the message's signature is valid with the key. It
// hashes the Sig_structure in pieces instead of building it.
func (m *sign1) verify(vk *verifyingKey) bool {
	return vk.verify(m.signature, sigStructureHead, m.protected, emptyAAD, m.payloadBstr)
}
