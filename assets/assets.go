// Package assets holds the files OneStop ships embedded: the sample service
// catalogue that seeds a new hall (catalogue/seed.json) and, as they arrive,
// the fonts, translations and holiday calendar. Everything is in FS under its
// path relative to this directory; the helpers below name the well-known
// files so callers don't spell paths.
package assets

import (
	"embed"
	"fmt"
	"path"
)

// FS holds the embedded files (the font apart: see Font), by their path relative to this directory
// (e.g. "catalogue/seed.json"). To ship another folder, add one
// //go:embed line naming it.
//
//go:embed catalogue
//go:embed holidays
//go:embed translations
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

// FontPath is the path (in this directory; embedded as Font, not in FS) of the one TrueType font with Latin and CJK
// glyphs (WenQuanYi Micro Hei, face 0 of Debian's .ttc; made by
// scripts/make-font). The kiosk, certificates and slip previews all use it,
// so Chinese renders the same everywhere, whatever the machine has.
const FontPath = "fonts/wqy-microhei.ttf"

//go:embed fonts/wqy-microhei.ttf
var font []byte

// Font returns the bytes of the font at FontPath. They are the embedded
// bytes themselves, not a copy (4.6 MB the kiosk would otherwise hold
// twice): callers must not change them.
func Font() []byte { return font }

// HolidaysDir is the folder in FS holding the public-holiday calendars, one
// JSON file per year named after it ("2026.json"); a year not yet published
// by the State Council is shipped marked provisional.
const HolidaysDir = "holidays"

// HolidayFiles returns the embedded holiday calendars, keyed by file name
// ("2026.json"). Package hallserver/workday parses and validates them.
func HolidayFiles() (map[string][]byte, error) {
	entries, err := FS.ReadDir(HolidaysDir)
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	files := make(map[string][]byte, len(entries))
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		b, err := FS.ReadFile(path.Join(HolidaysDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("assets: %w", err)
		}
		files[e.Name()] = b
	}
	return files, nil
}

// TranslationsDir is the folder in FS of the kiosk's translation files:
// go-i18n message files named AREA.LANG.json ("home.zh.json",
// "home.en.json"), one pair per screen, flat maps from message id to text.
const TranslationsDir = "translations"
