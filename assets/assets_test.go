package assets

import (
	"encoding/json"
	"testing"
)

func TestCatalogueSeed(t *testing.T) {
	b, err := CatalogueSeed()
	if err != nil {
		t.Fatalf("CatalogueSeed: %v", err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s is not valid JSON", CatalogueSeedPath)
	}
}
