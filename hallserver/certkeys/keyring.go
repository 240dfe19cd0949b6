// Package certkeys keeps a hall's certificate signing keys on disk: one PEM
// file per key, DATA/keys/cert-<kid>.key, readable by its owner only (0600)
// in a directory only its owner may enter (0700). The private keys never
// leave the hall server; the store records each key's public half and life
// (active, retired, revoked) and which key is active.
package certkeys

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"onestop/hallserver/cert"
)

// Dir is where the keys live, relative to the hall's data directory.
const Dir = "keys"

// Keyring finds signing keys by key id, loading each file once. It is
// safe for concurrent use.
type Keyring struct {
	dir     string
	mu      sync.Mutex
	signers map[cert.KID]*cert.Signer
}

// Open returns the keyring of the hall whose data directory is dataDir.
// Nothing is read until a key is asked for.
func Open(dataDir string) *Keyring {
	return &Keyring{dir: filepath.Join(dataDir, Dir), signers: map[cert.KID]*cert.Signer{}}
}

// Path is the file that holds the key with the id.
func (k *Keyring) Path(kid cert.KID) string {
	return filepath.Join(k.dir, "cert-"+kid.String()+".key")
}

// Generate makes a new signing key and saves it. The caller records it in
// the store (store.AddSigningKey); until then no certificate uses it.
func (k *Keyring) Generate() (*cert.Signer, error) {
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return nil, fmt.Errorf("certkeys: %w", err)
	}
	s, err := cert.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("certkeys: %w", err)
	}
	if err := s.Save(k.Path(s.KID())); err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.signers[s.KID()] = s
	k.mu.Unlock()
	return s, nil
}

// Signer returns the key with the id, read from its file the first time.
// A missing file says where it was looked for: the hall's keys must be
// restored from its backup, a new key cannot sign for an old one.
func (k *Keyring) Signer(kid cert.KID) (*cert.Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.signers[kid]; ok {
		return s, nil
	}
	path := k.Path(kid)
	s, err := cert.LoadSigner(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("certkeys: the signing key %s is missing (%s): restore the hall's keys directory from its backup, or rotate to a new key with hallctl cert key rotate", kid, path)
	}
	if err != nil {
		return nil, err
	}
	if s.KID() != kid {
		return nil, fmt.Errorf("certkeys: %s holds key %s, not %s: the file was replaced", path, s.KID(), kid)
	}
	k.signers[kid] = s
	return s, nil
}
