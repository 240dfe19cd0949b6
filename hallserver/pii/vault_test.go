package pii

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpenAndLookup(t *testing.T) {
	dir := t.TempDir()
	v, err := OpenVault(dir)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := v.Seal("11010519491231002x")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("110105")) {
		t.Fatal("the sealed value contains the number in clear")
	}
	again, _ := v.Seal("11010519491231002X")
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals of one number are equal: the nonce is not random")
	}
	got, err := v.Open(sealed)
	if err != nil || got != "11010519491231002X" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if v.LookupHash(" 11010519491231002x ") != v.LookupHash("11010519491231002X") {
		t.Error("the lookup hash depends on case or spaces")
	}
	if v.LookupHash("11010519491231002X") == v.LookupHash("110105194912310030") {
		t.Error("different numbers hash alike")
	}
	// The same directory gives the same key; another hall's does not.
	v2, err := OpenVault(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v2.Open(sealed); err != nil || got != "11010519491231002X" {
		t.Fatalf("reopened vault: %q, %v", got, err)
	}
	other, _ := OpenVault(t.TempDir())
	if _, err := other.Open(sealed); !errors.Is(err, ErrCorrupt) {
		t.Errorf("another hall opened our value: %v", err)
	}
	if other.LookupHash("11010519491231002X") == v.LookupHash("11010519491231002X") {
		t.Error("another hall's lookup hash matches ours: the hash is not keyed")
	}
}

func TestTamperedValueRefused(t *testing.T) {
	v, _ := OpenVault(t.TempDir())
	sealed, _ := v.Seal("520102199007140243")
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := v.Open(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d changed: %v", i, err)
		}
	}
	if _, err := v.Open(sealed[:10]); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated: %v", err)
	}
}

func TestKeyFileGuarded(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o, want 600", st.Mode().Perm())
	}
	os.Chmod(path, 0o644)
	if _, err := OpenVault(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a readable key file: %v", err)
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := OpenVault(dir); err == nil || !strings.Contains(err.Error(), "32-byte") {
		t.Fatalf("a damaged key file: %v", err)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"52010219900101123x": "5201**********123X",
		"GBR520076090112":    "GBR5*******0112",
		"1234":               "***4",
		"":                   "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
