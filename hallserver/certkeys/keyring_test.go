package certkeys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onestop/hallserver/cert"
)

func TestGenerateThenLoad(t *testing.T) {
	data := t.TempDir()
	ring := Open(data)
	s, err := ring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(ring.Path(s.KID()))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %04o, want 0600", perm)
	}
	di, err := os.Stat(filepath.Join(data, Dir))
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm != 0o700 {
		t.Errorf("keys directory mode %04o, want 0700", perm)
	}
	// A fresh keyring (another process) reads the same key from its file.
	again, err := Open(data).Signer(s.KID())
	if err != nil {
		t.Fatal(err)
	}
	if !again.PublicKey().Equal(s.PublicKey()) {
		t.Error("loaded key differs from the generated one")
	}
}

func TestSignerRefusals(t *testing.T) {
	data := t.TempDir()
	ring := Open(data)
	a, err := ring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	missing := cert.KID{1, 2, 3}
	tests := []struct {
		name  string
		setup func(t *testing.T) cert.KID
		want  string
	}{
		{"missing file", func(t *testing.T) cert.KID { return missing }, "restore the hall's keys directory"},
		{"file readable by others", func(t *testing.T) cert.KID {
			if err := os.Chmod(ring.Path(a.KID()), 0o644); err != nil {
				t.Fatal(err)
			}
			return a.KID()
		}, "chmod 600"},
		{"file swapped for another key", func(t *testing.T) cert.KID {
			data, err := os.ReadFile(ring.Path(b.KID()))
			if err != nil {
				t.Fatal(err)
			}
			var other cert.KID
			other[0] = 9
			if err := os.WriteFile(ring.Path(other), data, 0o600); err != nil {
				t.Fatal(err)
			}
			return other
		}, "the file was replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kid := tt.setup(t)
			_, err := Open(data).Signer(kid)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Signer: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
