package cert

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/veraison/go-cose"
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
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(data); err != nil {
		return Verified{}, fmt.Errorf("%w: COSE_Sign1: %v", ErrMalformed, err)
	}
	// One message, one encoding: refuse non-minimal lengths and the like.
	if again, err := msg.MarshalCBOR(); err != nil || !bytes.Equal(again, data) {
		return Verified{}, fmt.Errorf("%w: COSE_Sign1 is not in canonical form", ErrMalformed)
	}
	kid, err := headerKID(msg.Headers)
	if err != nil {
		return Verified{}, err
	}
	cands := trust.candidates(kid)
	if len(cands) == 0 {
		return Verified{}, fmt.Errorf("%w: kid %s is not in trust list version %d", ErrUnknownKey, kid, trust.version)
	}
	var signers []TrustedKey // every entry whose key verifies the signature
	for _, i := range cands {
		k := trust.keys[i]
		v, err := cose.NewVerifier(cose.AlgorithmEdDSA, k.PublicKey)
		if err != nil {
			continue // NewTrustList checked the key; cannot happen
		}
		if msg.Verify(nil, v) == nil {
			signers = append(signers, k)
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
	if err := c.UnmarshalCBOR(msg.Payload); err != nil {
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

// headerKID checks that the protected header is exactly {alg: EdDSA, kid:
// 8 bytes} and the unprotected header empty (a kid outside the signed part
// could be swapped), and returns the kid.
func headerKID(h cose.Headers) (KID, error) {
	var kid KID
	if len(h.Unprotected) != 0 {
		return kid, fmt.Errorf("%w: unprotected header is not empty", ErrMalformed)
	}
	if len(h.Protected) != 2 {
		return kid, fmt.Errorf("%w: protected header has %d entries, want alg and kid", ErrMalformed, len(h.Protected))
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
