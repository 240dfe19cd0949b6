// Package assets holds the files OneStop ships embedded: the sample service
// catalogue that seeds a new hall (catalogue/seed.json) and, as they arrive,
// the fonts, translations and holiday calendar. Everything is in FS under its
// path relative to this directory; the helpers below name the well-known
// files so callers don't spell paths.
package assets

import (
	"embed"
	"fmt"
)

// FS holds every embedded file, by its path relative to this directory
// (e.g. "catalogue/seed.json"). To ship another folder, add one
// //go:embed line naming it.
//
//go:embed catalogue
var FS embed.FS

// CatalogueSeedPath is the path in FS of the sample service catalogue.
const CatalogueSeedPath = "catalogue/seed.json"

// CatalogueSeed returns the sample service catalogue (JSON) that a new hall
// starts from until the province sends its own. Package catalogue parses it.
func CatalogueSeed() ([]byte, error) {
	b, err := FS.ReadFile(CatalogueSeedPath)
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	return b, nil
}
