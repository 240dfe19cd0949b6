package exchange

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request signature headers. A hall signs every request with its secret:
//
//	HMAC-SHA256(secret, "ONESTOP-EXCHANGE-V1\n" + method + "\n" + path?query + "\n" +
//	            hall + "\n" + timestamp + "\n" + nonce + "\n" + hex(SHA-256(body)))
//
// sent as "v1=<hex>". Each attempt of a request gets a new timestamp and
// nonce (and so a new signature): the province refuses a timestamp more
// than MaxSkew away from its clock and a nonce it has seen in that time, so
// a captured request cannot be sent again; the body's digest is signed, so
// it cannot be altered; the hall code is signed, so one hall's secret
// cannot speak for another.
const (
	HeaderHall           = "X-OneStop-Hall"
	HeaderTimestamp      = "X-OneStop-Timestamp" // Unix seconds
	HeaderNonce          = "X-OneStop-Nonce"     // 32 hex digits, fresh per attempt
	HeaderSignature      = "X-OneStop-Signature" // "v1=<hex HMAC>"
	HeaderIdempotencyKey = "Idempotency-Key"
	MaxSkew              = 5 * time.Minute
)

// MinSecretBytes is the shortest hall secret accepted.
const MinSecretBytes = 32

// Signature errors; VerifyRequest wraps one of them.
var (
	ErrUnsigned         = errors.New("exchange: request is not signed")
	ErrStale            = errors.New("exchange: request timestamp is outside the allowed clock skew")
	ErrSignatureInvalid = errors.New("exchange: signature does not match")
	ErrUnknownHall      = errors.New("exchange: unknown hall")
)

// NewNonce returns 16 random bytes in hex.
func NewNonce() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

func stringToSign(method, pathQuery, hall, ts, nonce string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte("ONESTOP-EXCHANGE-V1\n" + method + "\n" + pathQuery + "\n" + hall + "\n" + ts + "\n" + nonce + "\n" + hex.EncodeToString(sum[:]))
}

func mac(secret, msg []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(msg)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// SignRequest sets the signature headers on r for body (the exact bytes
// sent), with a fresh nonce and the time now.
func SignRequest(h http.Header, method, pathQuery, hall string, secret, body []byte, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := NewNonce()
	h.Set(HeaderHall, hall)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderSignature, mac(secret, stringToSign(method, pathQuery, hall, ts, nonce, body)))
}

// PathQuery is what a request's signature covers of its URL: the escaped
// path and the raw query, as the server sees them.
func PathQuery(r *http.Request) string {
	pq := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		pq += "?" + r.URL.RawQuery
	}
	return pq
}

// Signed is what VerifyRequest found: the hall, and the nonce and time to
// remember against replays.
type Signed struct {
	Hall  string
	Nonce string
	At    time.Time
}

// VerifyRequest checks r's signature over body. secretOf returns the
// hall's secret, or ErrUnknownHall. It does not check the nonce against
// earlier ones: the caller keeps those (for at least 2×MaxSkew) and refuses
// a nonce seen before.
func VerifyRequest(r *http.Request, body []byte, secretOf func(hall string) ([]byte, error), now time.Time) (Signed, error) {
	hall, ts, nonce, sig := r.Header.Get(HeaderHall), r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderNonce), r.Header.Get(HeaderSignature)
	if hall == "" || ts == "" || nonce == "" || sig == "" {
		return Signed{}, fmt.Errorf("%w: send %s, %s, %s and %s", ErrUnsigned, HeaderHall, HeaderTimestamp, HeaderNonce, HeaderSignature)
	}
	if len(nonce) < 16 || len(nonce) > 64 {
		return Signed{}, fmt.Errorf("%w: the nonce must be 16–64 characters", ErrSignatureInvalid)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Signed{}, fmt.Errorf("%w: timestamp %q is not Unix seconds", ErrStale, ts)
	}
	at := time.Unix(secs, 0)
	if d := now.Sub(at); d > MaxSkew || d < -MaxSkew {
		return Signed{}, fmt.Errorf("%w: the request was signed at %s, the province's clock says %s (allowed: ±%s); set the hall server's clock (NTP)",
			ErrStale, at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), MaxSkew)
	}
	secret, err := secretOf(hall)
	if err != nil {
		return Signed{}, err
	}
	want := mac(secret, stringToSign(r.Method, PathQuery(r), hall, ts, nonce, body))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return Signed{}, fmt.Errorf("%w for hall %s: the body or URL was changed on the way, or the hall's secret is not the one the province has", ErrSignatureInvalid, hall)
	}
	return Signed{Hall: hall, Nonce: nonce, At: at}, nil
}

// DecodeSecret reads a hall secret: base64 (standard or URL alphabet, with
// or without padding) of at least MinSecretBytes bytes.
func DecodeSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < MinSecretBytes {
				return nil, fmt.Errorf("exchange: the hall secret has %d bytes; it needs at least %d (make one with: head -c 32 /dev/urandom | base64)", len(b), MinSecretBytes)
			}
			return b, nil
		}
	}
	return nil, errors.New("exchange: the hall secret is not base64 (make one with: head -c 32 /dev/urandom | base64)")
}

// SignDocument signs a trust document's exact bytes with the province key.
func SignDocument(priv ed25519.PrivateKey, doc []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(priv, append([]byte("onestop-province-trust/v1\n"), doc...)))
}

// VerifyDocument checks a trust document's signature with the province's
// public key (the one the hall was configured with, never one fetched
// alongside the document).
func VerifyDocument(pub ed25519.PublicKey, doc []byte, sig string) error {
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return errors.New("exchange: the trust document's signature is malformed")
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, append([]byte("onestop-province-trust/v1\n"), doc...), raw) {
		return errors.New("exchange: the trust document is not signed by the province key this hall trusts: check --province-key")
	}
	return nil
}

// DecodePublicKey reads a province public key: base64 of 32 bytes.
func DecodePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("exchange: a province public key is the base64 of 32 bytes")
	}
	return ed25519.PublicKey(b), nil
}
