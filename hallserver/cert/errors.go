package cert

import "errors"

// Sentinel errors that callers branch on. Errors returned by this package
// wrap one of these with the detail.
var (
	// ErrMalformed: the text is not a certificate QR code of this format, or
	// it is damaged (wrong characters, bad Base32, bad COSE or CBOR, claims
	// that break the rules).
	ErrMalformed = errors.New("cert: malformed certificate code")
	// ErrUnknownKey: no key in the trust list has the certificate's key id.
	// The trust list may be out of date, or the certificate is forged.
	ErrUnknownKey = errors.New("cert: unknown signing key")
	// ErrBadSignature: a trusted key has the certificate's key id but the
	// signature does not verify with it: the code was altered or forged.
	ErrBadSignature = errors.New("cert: bad signature")
	// ErrIssuerMismatch: the signature is good, but the key belongs to a
	// different hall than the issuer named in the claims.
	ErrIssuerMismatch = errors.New("cert: signing key does not belong to the issuer")
	// ErrKeyRevoked: the signing key has been revoked (for example after it
	// leaked); everything it signed is invalid.
	ErrKeyRevoked = errors.New("cert: signing key revoked")
	// ErrKeyNotValid: the signing key was not valid when the certificate says
	// it was issued (before the key's valid-from or after its valid-until).
	ErrKeyNotValid = errors.New("cert: signing key not valid at time of issue")
	// ErrExpired: the certificate's validity has ended.
	ErrExpired = errors.New("cert: certificate expired")
	// ErrNotYetValid: the certificate says it was issued in the future
	// (beyond ClockSkew): a wrong clock on the issuer or the verifier.
	ErrNotYetValid = errors.New("cert: certificate not yet valid")
	// ErrRevoked: the hall has revoked this single certificate.
	ErrRevoked = errors.New("cert: certificate revoked")
	// ErrStatusUnavailable: the signature is good but the StatusChecker
	// could not say whether the certificate is revoked.
	ErrStatusUnavailable = errors.New("cert: revocation status unavailable")
	// ErrKeyFileMode: a private key file may be read or written by its
	// group or others; LoadSigner refuses it.
	ErrKeyFileMode = errors.New("cert: private key file not private")
	// ErrInvalid: a value given to this package (claims, record, key entry)
	// breaks the rules; nothing was signed or loaded.
	ErrInvalid = errors.New("cert: invalid")
)
