package cert

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyID(t *testing.T) {
	s := seededSigner(1)
	pub := s.PublicKey()
	if len(pub) != ed25519.PublicKeySize || KeyID(pub) != s.KID() {
		t.Fatal("KID is not KeyID of the public key")
	}
	// pinned: SHA-256 of the public key of seed 0x01…01, first 8 bytes
	if s.KID().String() != "34750f98bd59fcfc" {
		t.Fatalf("kid %s", s.KID())
	}
	pub[0] ^= 1 // PublicKey hands out a copy
	if KeyID(s.PublicKey()) != s.KID() {
		t.Fatal("PublicKey returned the signer's own slice")
	}
	var k KID
	if err := k.UnmarshalText([]byte("34750f98bd59fcfc")); err != nil || k != s.KID() {
		t.Fatal(k, err)
	}
	for _, bad := range []string{"", "34750f98bd59fc", "34750f98bd59fcfc00", "34750f98bd59fcfg"} {
		if err := k.UnmarshalText([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	a, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateKey()
	if a.KID() == b.KID() {
		t.Fatal("two generated keys share a kid")
	}
}

// TestSignerKeepsSecret prints a Signer every way fmt can: the private key
// never shows.
func TestSignerKeepsSecret(t *testing.T) {
	s := seededSigner(7)
	secrets := []string{hex.EncodeToString(s.priv), hex.EncodeToString(s.priv.Seed()), base64.StdEncoding.EncodeToString(s.priv.Seed()),
		fmt.Sprint([]byte(s.priv.Seed())[:8])}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d", "%T"} {
		out := fmt.Sprintf(verb, s) + fmt.Sprintf(verb, *s)
		for _, secret := range secrets {
			if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
				t.Errorf("%s prints the private key: %s", verb, out)
			}
		}
	}
	if got := s.String(); got != "cert.Signer{kid="+s.KID().String()+"}" {
		t.Errorf("String() = %s", got)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hall.key")
	s, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved with mode %v, %v", fi.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "-----BEGIN PRIVATE KEY-----\n") {
		t.Fatalf("not PEM PKCS #8:\n%s", data)
	}
	back, err := LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.KID() != s.KID() || !back.priv.Equal(s.priv) {
		t.Fatal("loaded a different key")
	}
	// the loaded key signs what the trust list for the saved one accepts
	if _, err := Verify(t.Context(), issueURL(t, back, typicalClaims()), trustFor(t, hallCode, s), now, nil); err != nil {
		t.Fatal(err)
	}

	if err := s.Save(path); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("overwrote a key file: %v", err)
	}

	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o606, 0o777} {
		t.Run(mode.String(), func(t *testing.T) {
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadSigner(path)
			if !errors.Is(err, ErrKeyFileMode) || !strings.Contains(err.Error(), "chmod 600 "+path) {
				t.Fatalf("mode %v: %v", mode, err)
			}
		})
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		os.Chmod(path, mode)
		if _, err := LoadSigner(path); err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
	}

	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct{ name, path string }{
		{"not PEM", write("a", "hello")},
		{"public key", write("b", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n")},
		{"text after key", write("c", string(data)+"more")},
		{"directory", dir},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := LoadSigner(tt.path); !errors.Is(err, ErrInvalid) {
				t.Fatalf("%v", err)
			}
		})
	}
	if _, err := LoadSigner(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
