package kiosk

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"
)

// Languages the kiosk speaks: Chinese first (the default), English one tap
// away.
const (
	Chinese = "zh"
	English = "en"
)

// Translator holds the kiosk's messages in every language. Fyne's lang
// package picks one language for the life of the process from the
// system's locale; a kiosk switches at a tap, so it reads the same
// go-i18n message files (assets/translations/AREA.LANG.json) itself.
type Translator struct {
	msgs map[string]map[string]*template.Template // lang → id → text
}

// LoadTranslations reads every AREA.LANG.json in dir of fsys. Every id
// must exist in both languages, and every text must parse as a template;
// otherwise the error names what to fix.
func LoadTranslations(fsys fs.FS, dir string) (*Translator, error) {
	t := &Translator{msgs: map[string]map[string]*template.Template{Chinese: {}, English: {}}}
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("kiosk: translations: %w", err)
	}
	for _, f := range files {
		parts := strings.Split(path.Base(f), ".")
		if len(parts) != 3 || t.msgs[parts[1]] == nil {
			return nil, fmt.Errorf("kiosk: translation file %s: name it AREA.zh.json or AREA.en.json", f)
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("kiosk: %w", err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("kiosk: translation file %s: %w", f, err)
		}
		for id, text := range m {
			if _, dup := t.msgs[parts[1]][id]; dup {
				return nil, fmt.Errorf("kiosk: translation %q is in two %s files", id, parts[1])
			}
			tpl, err := template.New(id).Option("missingkey=error").Parse(text)
			if err != nil {
				return nil, fmt.Errorf("kiosk: translation %q in %s: %w", id, f, err)
			}
			t.msgs[parts[1]][id] = tpl
		}
	}
	var missing []string
	for id := range t.msgs[Chinese] {
		if t.msgs[English][id] == nil {
			missing = append(missing, id+" (en)")
		}
	}
	for id := range t.msgs[English] {
		if t.msgs[Chinese][id] == nil {
			missing = append(missing, id+" (zh)")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("kiosk: translations missing: %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// T returns the message id in lang, filled with data (a map or struct for
// {{.Name}}-style fields). An unknown id comes back as itself in brackets,
// so a missing text shows on screen and in golden images rather than
// vanishing.
func (t *Translator) T(lang, id string, data ...any) string {
	tpl := t.msgs[lang][id]
	if tpl == nil {
		return "[" + id + "]"
	}
	var d any
	if len(data) > 0 {
		d = data[0]
	}
	var b strings.Builder
	if err := tpl.Execute(&b, d); err != nil {
		return "[" + id + ": " + err.Error() + "]"
	}
	return b.String()
}

// Has reports whether id exists.
func (t *Translator) Has(id string) bool { return t.msgs[Chinese][id] != nil }
