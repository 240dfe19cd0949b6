package provsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"onestop/hallserver/catalogue"
	"onestop/hallserver/cert"
	"onestop/hallserver/exchange"
)

// openAPIFile is the API's OpenAPI document, from this package's folder.
const openAPIFile = "../../../docs/province-exchange.openapi.json"

func loadOpenAPI(t *testing.T) (raw []byte, tree map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	return raw, tree
}

var muxWildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// TestOpenAPIListsEveryRoute: the document's operations are exactly the
// handler's routes.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	_, tree := loadOpenAPI(t)
	if tree["openapi"] != "3.0.3" {
		t.Errorf("openapi %v, want 3.0.3", tree["openapi"])
	}
	var documented []string
	for path, item := range tree["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	tp := newProvince(t, Options{})
	var served []string
	for _, r := range tp.routes {
		p := strings.ReplaceAll(r.pattern, "{$}", "")
		served = append(served, muxWildcard.ReplaceAllString(p, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("the document lists\n  %s\nthe handler serves\n  %s", strings.Join(documented, "\n  "), strings.Join(served, "\n  "))
	}
	// And every documented route is served (not a 404 from the mux).
	for _, r := range served {
		method, path, _ := strings.Cut(r, " ")
		path = strings.NewReplacer("{code}", hallA.Code, "{kid}", "0123456789abcdef").Replace(path)
		req, _ := http.NewRequest(method, tp.srv.URL+path, nil)
		resp, err := tp.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 404 && !strings.Contains(path, "/keys/") || resp.StatusCode == 405 {
			t.Errorf("%s answered %d", r, resp.StatusCode)
		}
	}
}

// TestOpenAPIDocument: references resolve, the exchange routes take the
// signature headers, every error answer is an Error, and the closed wire
// types' schemas have exactly the Go types' JSON fields.
func TestOpenAPIDocument(t *testing.T) {
	raw, tree := loadOpenAPI(t)
	var indented bytes.Buffer
	json.Indent(&indented, raw, "", "  ")
	if !bytes.Equal(bytes.TrimSpace(indented.Bytes()), bytes.TrimSpace(raw)) {
		t.Error("the document is not indented with 2 spaces")
	}
	// Every $ref resolves.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				if _, err := resolve(tree, r); err != nil {
					t.Error(err)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(tree)

	for path, item := range tree["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			op := op.(map[string]any)
			name := strings.ToUpper(method) + " " + path
			var params []string
			for _, p := range asList(op["parameters"]) {
				p = deref(t, tree, p)
				params = append(params, p.(map[string]any)["name"].(string))
			}
			if strings.HasPrefix(path, "/exchange/") && path != exchange.PathProvinceKey {
				for _, h := range []string{exchange.HeaderHall, exchange.HeaderTimestamp, exchange.HeaderNonce, exchange.HeaderSignature} {
					if !slices.Contains(params, h) {
						t.Errorf("%s: no %s parameter", name, h)
					}
				}
			}
			if path == exchange.PathEvents && !slices.Contains(params, exchange.HeaderIdempotencyKey) {
				t.Errorf("%s: no Idempotency-Key parameter", name)
			}
			if strings.HasPrefix(path, "/admin/") && op["security"] == nil {
				t.Errorf("%s: no security", name)
			}
			ok := false
			for status, resp := range op["responses"].(map[string]any) {
				if status[0] == '2' {
					ok = true
					continue
				}
				resp := deref(t, tree, resp).(map[string]any)
				schema := resp["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
				if schema["$ref"] != "#/components/schemas/Error" {
					t.Errorf("%s %s: the answer is not an Error", name, status)
				}
			}
			if !ok {
				t.Errorf("%s: no 2xx answer", name)
			}
		}
	}

	schemas := tree["components"].(map[string]any)["schemas"].(map[string]any)
	closed := map[string]any{
		"Error": exchange.Error{}, "Event": exchange.Event{}, "PushRequest": exchange.PushRequest{},
		"EventResult": exchange.EventResult{}, "PushResponse": exchange.PushResponse{},
		"CatalogueResponse": exchange.CatalogueResponse{}, "TrustResponse": exchange.TrustResponse{},
		"TrustDocument": exchange.TrustDocument{}, "Revocation": exchange.Revocation{},
		"ApplicationUpdate": exchange.ApplicationUpdate{}, "ApplicationUpdatesResponse": exchange.ApplicationUpdatesResponse{},
		"ProvinceKeyResponse": exchange.ProvinceKeyResponse{}, "TrustedKey": cert.TrustedKey{},
		"Faults": faultsJSON{}, "Stats": Stats{}, "FaultStats": FaultStats{}, "KindStats": KindStats{},
		"HallStats": HallStats{}, "HallView": HallView{}, "HallRegistration": hallJSON{},
		"Catalogue": catalogue.Catalogue{}, "CatalogueItem": catalogue.Item{},
	}
	open := map[string]any{
		"TicketSummary": exchange.TicketSummary{}, "RatingRecorded": exchange.RatingRecorded{},
		"RatingFollowup": exchange.RatingFollowup{}, "ApplicationEvent": exchange.ApplicationEvent{},
		"UpdateRefused": exchange.UpdateRefused{}, "CertificateIssued": exchange.CertificateIssued{},
		"CertificateRevoked": exchange.CertificateRevoked{}, "SigningKeyChanged": exchange.SigningKeyChanged{},
		"AuditHead": exchange.AuditHead{},
	}
	check := func(name string, v any, wantClosed bool) {
		s, ok := schemas[name].(map[string]any)
		if !ok {
			t.Errorf("no schema %s", name)
			return
		}
		if got := s["additionalProperties"] == false; got != wantClosed {
			t.Errorf("schema %s: additionalProperties false is %v, want %v", name, got, wantClosed)
		}
		var props []string
		for p := range s["properties"].(map[string]any) {
			props = append(props, p)
		}
		sort.Strings(props)
		if fields := jsonFields(reflect.TypeOf(v)); !slices.Equal(props, fields) {
			t.Errorf("schema %s has %v, the Go type %v", name, props, fields)
		}
		for _, r := range asList(s["required"]) {
			if !slices.Contains(props, r.(string)) {
				t.Errorf("schema %s requires %s, which it does not have", name, r)
			}
		}
	}
	for name, v := range closed {
		check(name, v, true)
	}
	for name, v := range open {
		check(name, v, false)
	}
	// Every kind has its payload schema among the event's data.
	event := schemas["Event"].(map[string]any)["properties"].(map[string]any)
	var kinds []string
	for _, k := range event["kind"].(map[string]any)["enum"].([]any) {
		kinds = append(kinds, k.(string))
	}
	if !slices.Equal(kinds, exchange.SortedKinds()) {
		t.Errorf("event kinds %v, want %v", kinds, exchange.SortedKinds())
	}
	if n := len(event["data"].(map[string]any)["anyOf"].([]any)); n != len(open) {
		t.Errorf("%d payload schemas for %d kinds", n, len(open))
	}
}

// jsonFields are the JSON names of a struct's fields, sorted.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func deref(t *testing.T, tree map[string]any, v any) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if r, ok := m["$ref"].(string); ok {
		x, err := resolve(tree, r)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	return v
}

// resolve follows a local $ref ("#/a/b").
func resolve(tree map[string]any, ref string) (any, error) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, &refError{ref, "not local to the document"}
	}
	var cur any = tree
	for _, tok := range strings.Split(ptr, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, &refError{ref, "not inside an object"}
		}
		if cur, ok = m[tok]; !ok {
			return nil, &refError{ref, "no " + tok}
		}
	}
	return cur, nil
}

type refError struct{ ref, why string }

func (e *refError) Error() string { return "$ref " + e.ref + ": " + e.why }
