package cert

import (
	"fmt"
	"strings"

	"github.com/veraison/go-cose"
)

// Issue signs the claims and returns the certificate as a tagged COSE_Sign1
// message (RFC 9052, CBOR tag 18): protected header {alg: EdDSA, kid: the
// signer's KID}, empty unprotected header, the claims' deterministic CBOR as
// payload, and the 64-byte Ed25519 signature. Ed25519 is deterministic, so
// the same key and claims always give the same bytes. Invalid claims give an
// error wrapping ErrInvalid.
func Issue(s *Signer, c Claims) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: no signer", ErrInvalid)
	}
	payload, err := c.MarshalCBOR()
	if err != nil {
		return nil, err
	}
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, s.priv)
	if err != nil {
		return nil, fmt.Errorf("cert: signing: %w", err)
	}
	msg := cose.Sign1Message{
		Headers: cose.Headers{
			Protected: cose.ProtectedHeader{
				cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA,
				cose.HeaderLabelKeyID:     s.kid[:],
			},
			Unprotected: cose.UnprotectedHeader{},
		},
		Payload: payload,
	}
	// Ed25519 takes no randomness; nil keeps that explicit.
	if err := msg.Sign(nil, nil, signer); err != nil {
		return nil, fmt.Errorf("cert: signing: %w", err)
	}
	out, err := msg.MarshalCBOR()
	if err != nil {
		return nil, fmt.Errorf("cert: encoding COSE_Sign1: %w", err)
	}
	return out, nil
}

// URLPath is the path that precedes the Base32 certificate in a QR code URL.
const URLPath = "/C/"

// EncodeURL returns the text of a certificate's QR code: base uppercased,
// then "/C/", then the COSE_Sign1 bytes in RFC 4648 Base32 without padding,
// e.g. "HTTPS://ZWFW.GUIZHOU.GOV.CN/C/2KCE3IQB…". Everything is uppercase so
// the QR code can use alphanumeric mode (5.5 bits a character instead of 8).
//
// base is the scheme and host of the online check, such as
// "https://zwfw.guizhou.gov.cn"; a trailing "/" is dropped. Host names are
// case-insensitive; if base has a path, it is uppercased too and the web
// server must route it so. To stay in alphanumeric mode base may use only
// A–Z, 0–9 and " $%*+-./:" (a port is fine, "_", "?" or "#" are not).
func EncodeURL(base string, coseMsg []byte) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	return strings.ToUpper(base) + URLPath + b32.EncodeToString(coseMsg)
}

// maxQRText bounds what DecodeURL reads: a version 40 QR code holds at most
// 4,296 alphanumeric characters.
const maxQRText = 4296

// DecodeURL returns the COSE_Sign1 bytes in a QR code's text: the whole URL
// made by EncodeURL (http or https), its path "/C/…", or only its Base32
// part, in upper or lower case
// (surrounding white space, as some scanners add, is ignored). The Base32
// must be canonical: the unused bits of its last character zero, no
// padding, nothing after it; anything else wraps ErrMalformed.
func DecodeURL(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxQRText {
		return nil, fmt.Errorf("%w: %d characters, more than a QR code holds", ErrMalformed, len(s))
	}
	s = strings.ToUpper(s)
	if i := strings.LastIndex(s, URLPath); i >= 0 {
		if i > 0 && !strings.HasPrefix(s, "HTTPS://") && !strings.HasPrefix(s, "HTTP://") {
			return nil, fmt.Errorf("%w: not an HTTP(S) URL", ErrMalformed)
		}
		s = s[i+len(URLPath):]
	}
	if s == "" {
		return nil, fmt.Errorf("%w: no certificate after %s", ErrMalformed, URLPath)
	}
	b, err := b32.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not Base32: %v", ErrMalformed, err)
	}
	// Base32 leaves unused bits in a last partial character; the decoder
	// ignores them. Re-encoding catches a changed unused bit, so a code has
	// one text only.
	if b32.EncodeToString(b) != s {
		return nil, fmt.Errorf("%w: Base32 is not canonical (last character)", ErrMalformed)
	}
	return b, nil
}
