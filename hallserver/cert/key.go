package cert

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"time"
)

// KID is a key id: the first 8 bytes of SHA-256 of the raw 32-byte Ed25519
// public key. It is written in hex.
type KID [8]byte

// KeyID returns the key id of an Ed25519 public key.
func KeyID(pub ed25519.PublicKey) KID {
	var k KID
	sum := sha256.Sum256(pub)
	copy(k[:], sum[:])
	return k
}

// String returns the key id as 16 lowercase hex digits.
func (k KID) String() string { return hex.EncodeToString(k[:]) }

// MarshalText writes the hex form (for JSON).
func (k KID) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads 16 hex digits.
func (k *KID) UnmarshalText(b []byte) error {
	var v KID
	if len(b) != hex.EncodedLen(len(v)) {
		return fmt.Errorf("%w: key id %q: want 16 hex digits", ErrInvalid, b)
	}
	if _, err := hex.Decode(v[:], b); err != nil {
		return fmt.Errorf("%w: key id %q: want 16 hex digits", ErrInvalid, b)
	}
	*k = v
	return nil
}

// Signer is a hall's signing key. It never hands out the private key: the
// only way out is Save, to a file only its owner can read. Printing a
// Signer shows its key id only.
type Signer struct {
	priv ed25519.PrivateKey
	kid  KID
}

// GenerateKey returns a new random Ed25519 signing key.
func GenerateKey() (*Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cert: generating key: %w", err)
	}
	return newSigner(priv), nil
}

func newSigner(priv ed25519.PrivateKey) *Signer {
	return &Signer{priv: priv, kid: KeyID(priv.Public().(ed25519.PublicKey))}
}

// KID returns the key id.
func (s *Signer) KID() KID { return s.kid }

// PublicKey returns the public key, for the trust list.
func (s *Signer) PublicKey() ed25519.PublicKey {
	return append(ed25519.PublicKey(nil), s.priv.Public().(ed25519.PublicKey)...)
}

// TrustedKey returns the trust list entry for this key: an active key of
// the hall, valid from the given time with no end yet.
func (s *Signer) TrustedKey(hall string, validFrom time.Time) TrustedKey {
	return TrustedKey{Hall: hall, KID: s.kid, PublicKey: s.PublicKey(), ValidFrom: validFrom, Status: KeyActive}
}

// String describes the signer by its key id, never its private key.
func (s Signer) String() string { return "cert.Signer{kid=" + s.kid.String() + "}" }

// GoString is String, so %#v does not print the private key either.
func (s Signer) GoString() string { return s.String() }

// Format prints String for every verb (%v, %x, %d …), so no format prints
// the private key.
func (s Signer) Format(f fmt.State, verb rune) { io.WriteString(f, s.String()) }

// Save writes the private key to a new file as PEM "PRIVATE KEY" (PKCS #8),
// readable and writable by its owner only (0600). It refuses to overwrite an
// existing file, so a key is never lost by mistake.
func (s *Signer) Save(path string) error {
	der, err := x509.MarshalPKCS8PrivateKey(s.priv)
	if err != nil {
		return fmt.Errorf("cert: encoding private key: %w", err)
	}
	block := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("cert: saving private key: %s already exists; move it away first, a key file is never overwritten", path)
	}
	if err != nil {
		return fmt.Errorf("cert: saving private key: %w", err)
	}
	if _, err = f.Write(block); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("cert: saving private key: %w", err)
	}
	return nil
}

// maxKeyFile bounds what LoadSigner reads: a PEM Ed25519 key is 119 bytes.
const maxKeyFile = 16 << 10

// LoadSigner reads a private key written by Save: PEM "PRIVATE KEY" holding
// a PKCS #8 Ed25519 key. It refuses a file that its group or others may
// read or write, with the command that fixes it.
func LoadSigner(path string) (*Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cert: loading private key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cert: loading private key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: private key %s is not a regular file", ErrInvalid, path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%w: %s has mode %04o, so others may read or change it; run: chmod 600 %s",
			ErrKeyFileMode, path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("cert: loading private key: %w", err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%w: private key %s is larger than %d bytes: not a key file", ErrInvalid, path, maxKeyFile)
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: private key %s: no PEM \"PRIVATE KEY\" block", ErrInvalid, path)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: private key %s: text after the key", ErrInvalid, path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: private key %s: %v", ErrInvalid, path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: private key %s is a %T, want Ed25519", ErrInvalid, path, k)
	}
	return newSigner(priv), nil
}
