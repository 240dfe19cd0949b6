package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// KeyFile is where a hall's secret lives, relative to its data directory.
const KeyFile = "keys/pii.key"

// ErrCorrupt is returned by Open for a sealed value that was changed,
// truncated, or sealed under another key.
var ErrCorrupt = errors.New("pii: sealed value is corrupt or from another hall's key")

// Vault seals and hashes identity numbers with one hall's secret.
type Vault struct {
	hashKey []byte
	aead    cipher.AEAD
}

// OpenVault loads the secret from dir/KeyFile, creating it (0600, in a
// 0700 directory) the first time. A key file that others can read is
// refused: the message says how to fix it.
func OpenVault(dir string) (*Vault, error) {
	path := filepath.Join(dir, KeyFile)
	secret, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("pii: make key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("pii: key directory: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("pii: create %s: %w", path, err)
		}
		if _, err := f.Write(secret); err != nil {
			f.Close()
			return nil, fmt.Errorf("pii: write %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("pii: write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("pii: write %s: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("pii: read %s: %w", path, err)
	default:
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("pii: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("pii: %s can be read by others (mode %o): run chmod 600 %s", path, st.Mode().Perm(), path)
		}
		if len(secret) != 32 {
			return nil, fmt.Errorf("pii: %s holds %d bytes, not a 32-byte key: restore it from the hall's backup", path, len(secret))
		}
	}
	return NewVault(secret)
}

// NewVault makes a vault from a 32-byte secret.
func NewVault(secret []byte) (*Vault, error) {
	if len(secret) != 32 {
		return nil, fmt.Errorf("pii: the secret must be 32 bytes, not %d", len(secret))
	}
	block, err := aes.NewCipher(derive(secret, "onestop pii seal v1"))
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	return &Vault{hashKey: derive(secret, "onestop pii lookup v1"), aead: aead}, nil
}

// derive makes a purpose-bound 32-byte key from the secret.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Normalize is the form of an ID number that hashes and seals: spaces
// removed, letters upper-cased (a lowercase x check digit is an X).
func Normalize(id string) string {
	return strings.ToUpper(strings.Join(strings.Fields(id), ""))
}

// LookupHash is the keyed hash under which an ID number is found.
func (v *Vault) LookupHash(id string) string {
	m := hmac.New(sha256.New, v.hashKey)
	m.Write([]byte(Normalize(id)))
	return hex.EncodeToString(m.Sum(nil))
}

// Seal encrypts an ID number (normalised) with a random nonce.
func (v *Vault) Seal(id string) ([]byte, error) {
	nonce := make([]byte, v.aead.NonceSize(), v.aead.NonceSize()+len(id)+v.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("pii: nonce: %w", err)
	}
	return v.aead.Seal(nonce, nonce, []byte(Normalize(id)), nil), nil
}

// Open decrypts what Seal made.
func (v *Vault) Open(sealed []byte) (string, error) {
	n := v.aead.NonceSize()
	if len(sealed) < n+v.aead.Overhead() {
		return "", ErrCorrupt
	}
	plain, err := v.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// Mask shows the first four and last four characters of an ID number
// and stars between: 5201**********123X. Short values are starred whole
// but for their last character.
func Mask(id string) string {
	id = Normalize(id)
	n := utf8.RuneCountInString(id)
	r := []rune(id)
	switch {
	case n == 0:
		return ""
	case n <= 8:
		return strings.Repeat("*", n-1) + string(r[n-1])
	}
	return string(r[:4]) + strings.Repeat("*", n-8) + string(r[n-4:])
}
