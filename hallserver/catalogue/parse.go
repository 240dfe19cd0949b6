package catalogue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every error Validate returns and by
// Parse's error for a catalogue that decodes but breaks a rule. The
// individual problems are joined beneath it (errors.Join).
var ErrInvalid = errors.New("catalogue: invalid catalogue")

// Parse decodes a catalogue from JSON and validates it. Unknown fields and
// trailing data are errors, so a misspelt key ("legal_day") is reported
// instead of silently read as zero.
func Parse(data []byte) (*Catalogue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalogue
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("catalogue: decode: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("catalogue: decode: data after the catalogue object")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the catalogue's rules and reports every broken one in a
// single error wrapping ErrInvalid; each line names what is wrong and where:
//
//   - a version is set;
//   - codes (departments, queues, items) and window numbers are unique;
//   - names (zh-CN) are not empty, nor are material names;
//   - a queue code is one uppercase letter A–Z (the ticket prefix) and lists
//     the departments it serves, each of which exists;
//   - a window number is at least 1; a window lists at least one queue,
//     each of which exists;
//   - every queue is served by at least one window;
//   - an item's department and queue exist, and the queue lists the
//     item's department;
//   - 0 ≤ promised_days ≤ legal_days; an instant item (即办件) promises 0;
//   - material copies are not negative.
func (c *Catalogue) Validate() error {
	var v validator

	if strings.TrimSpace(c.Version) == "" {
		v.add("version is empty; set it, e.g. \"2026.1\"")
	}

	depts := map[string]bool{}
	for i, d := range c.Departments {
		id := fmt.Sprintf("department %q", d.Code)
		switch {
		case d.Code == "":
			id = fmt.Sprintf("departments[%d]", i)
			v.add("%s: code is empty", id)
		case depts[d.Code]:
			v.add("%s: code used twice; give each department its own code", id)
		}
		if d.Code != "" {
			depts[d.Code] = true
		}
		if blank(d.Name) {
			v.add("%s: name is empty; give its Chinese name", id)
		}
	}

	queues := map[string]bool{}
	for i, q := range c.Queues {
		id := fmt.Sprintf("queue %q", q.Code)
		switch {
		case q.Code == "":
			id = fmt.Sprintf("queues[%d]", i)
			v.add("%s: code is empty; use one uppercase letter A–Z", id)
		case !isPrefix(q.Code):
			v.add("%s: code must be one uppercase letter A–Z (it is the ticket prefix)", id)
		case queues[q.Code]:
			v.add("%s: code used twice; give each queue its own letter", id)
		}
		if q.Code != "" {
			queues[q.Code] = true
		}
		if blank(q.Name) {
			v.add("%s: name is empty; give its Chinese name", id)
		}
		if len(q.Departments) == 0 {
			v.add("%s: departments is empty; list the departments whose items it serves", id)
		}
		for _, d := range q.Departments {
			if !depts[d] {
				v.add("%s: department %q does not exist; add it to departments or remove it from the queue", id, d)
			}
		}
	}

	served := map[string]bool{}
	windows := map[int]bool{}
	for i, w := range c.Windows {
		id := fmt.Sprintf("window %d", w.Number)
		switch {
		case w.Number < 1:
			id = fmt.Sprintf("windows[%d]", i)
			v.add("%s: number %d must be 1 or more", id, w.Number)
		case windows[w.Number]:
			v.add("%s: number used twice; give each window its own number", id)
		}
		windows[w.Number] = true
		if blank(w.Name) {
			v.add("%s: name is empty; give its Chinese name, e.g. \"%d号窗口\"", id, max(w.Number, 1))
		}
		if len(w.Queues) == 0 {
			v.add("%s: queues is empty; list the queues it calls from", id)
		}
		for _, q := range w.Queues {
			if !queues[q] {
				v.add("%s: queue %q does not exist; add it to queues or remove it from the window", id, q)
			}
			served[q] = true
		}
	}
	for _, q := range c.Queues {
		if q.Code != "" && !served[q.Code] {
			v.add("queue %q: no window serves it; add %q to at least one window's queues", q.Code, q.Code)
		}
	}

	items := map[string]bool{}
	for i, it := range c.Items {
		id := fmt.Sprintf("item %q", it.Code)
		switch {
		case it.Code == "":
			id = fmt.Sprintf("items[%d]", i)
			v.add("%s: code is empty", id)
		case items[it.Code]:
			v.add("%s: code used twice; give each item its own code", id)
		}
		items[it.Code] = true
		if blank(it.Name) {
			v.add("%s: name is empty; give its Chinese name", id)
		}
		if !depts[it.Department] {
			v.add("%s: department %q does not exist; use one of the departments' codes", id, it.Department)
		}
		if !queues[it.Queue] {
			v.add("%s: queue %q does not exist; use one of the queues' codes", id, it.Queue)
		} else if q, _ := c.Queue(it.Queue); depts[it.Department] && !slices.Contains(q.Departments, it.Department) {
			v.add("%s: queue %q does not serve department %q; add %q to the queue's departments or move the item to a queue that does",
				id, it.Queue, it.Department, it.Department)
		}
		switch {
		case it.LegalDays < 0:
			v.add("%s: legal_days %d is negative; use 0 or more working days", id, it.LegalDays)
		case it.PromisedDays < 0:
			v.add("%s: promised_days %d is negative; use 0 or more working days", id, it.PromisedDays)
		case it.PromisedDays > it.LegalDays:
			v.add("%s: promised_days %d exceeds legal_days %d", id, it.PromisedDays, it.LegalDays)
		}
		if it.Instant && it.PromisedDays != 0 {
			v.add("%s: instant (即办件) but promised_days is %d; set promised_days to 0 or instant to false", id, it.PromisedDays)
		}
		if it.Certificate != nil {
			v.certificate(id, *it.Certificate)
		}
		for j, m := range it.Materials {
			if blank(m.Name) {
				v.add("%s: materials[%d]: name is empty", id, j)
			}
			if m.Copies < 0 {
				v.add("%s: material %q: copies %d is negative", id, m.Name, m.Copies)
			}
		}
	}

	return v.err()
}

// certificate checks an item's certificate spec.
func (v *validator) certificate(id string, c CertificateSpec) {
	if !isTypeCode(c.Type) {
		v.add("%s: certificate type %q: use 1 to 16 uppercase letters, digits and dashes, e.g. BDC-QZ", id, c.Type)
	}
	if blank(c.Title) {
		v.add("%s: certificate title is empty; give it as printed, e.g. 不动产权证书", id)
	}
	if c.ValidYears < 0 || c.ValidYears > 100 {
		v.add("%s: certificate valid_years %d: use 0 (no expiry) to 100", id, c.ValidYears)
	}
	seen := map[string]bool{}
	for j, f := range c.Fields {
		switch {
		case blank(f):
			v.add("%s: certificate fields[%d] is empty", id, j)
		case seen[f]:
			v.add("%s: certificate field %q is listed twice", id, f)
		}
		seen[f] = true
	}
}

// isTypeCode reports whether s is a certificate type code (as package cert
// accepts it): 1 to 16 of A–Z, 0–9 and '-'.
func isTypeCode(s string) bool {
	if len(s) < 1 || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validator collects problems in the order they are found.
type validator struct{ problems []error }

func (v *validator) add(format string, args ...any) {
	v.problems = append(v.problems, fmt.Errorf(format, args...))
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	noun := "problems"
	if len(v.problems) == 1 {
		noun = "problem"
	}
	return fmt.Errorf("%w (%d %s):\n%w", ErrInvalid, len(v.problems), noun, errors.Join(v.problems...))
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// isPrefix reports whether s is one uppercase ASCII letter.
func isPrefix(s string) bool { return len(s) == 1 && s[0] >= 'A' && s[0] <= 'Z' }
