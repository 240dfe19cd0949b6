package auth

import (
	"errors"
	"testing"
)

func TestHashPIN(t *testing.T) {
	h, err := HashPIN("246810")
	if err != nil {
		t.Fatal(err)
	}
	for pin, want := range map[string]bool{"246810": true, "246811": false, "": false} {
		if ok, err := CheckPassword(h, pin); err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pin, ok, err, want)
		}
	}
	for _, bad := range []string{"12345", "1234567890123", "12345a", "１２３４５６", "123 456"} {
		if _, err := HashPIN(bad); !errors.Is(err, ErrBadPIN) {
			t.Errorf("HashPIN(%q) = %v, want ErrBadPIN", bad, err)
		}
	}
}
