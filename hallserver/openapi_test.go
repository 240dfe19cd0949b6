package hallserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/hallserver/auth"
	"onestop/hallserver/store"
)

// openAPIDoc is the part of an OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Info       struct{ Title, Version string }       `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		SecuritySchemes map[string]struct {
			Type, Scheme, In, Name, Description string
		} `json:"securitySchemes"`
	} `json:"components"`
}

// openAPIOperation is one operation of the document.
type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Summary     string                     `json:"summary"`
	Description string                     `json:"description"`
	Security    *[]map[string][]string     `json:"security"`
	Roles       *[]auth.Role               `json:"x-roles"`
	Parameters  []json.RawMessage          `json:"parameters"`
	RequestBody json.RawMessage            `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
	EventTypes  map[string]json.RawMessage `json:"x-event-types"`
}

// httpMethods are the keys of a path item that are operations.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadOpenAPI(t *testing.T) (openAPIDoc, any) {
	t.Helper()
	if !json.Valid(OpenAPIDocument) {
		t.Fatal("openapi.json is not valid JSON")
	}
	var doc openAPIDoc
	if err := json.Unmarshal(OpenAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var tree any
	if err := json.Unmarshal(OpenAPIDocument, &tree); err != nil {
		t.Fatal(err)
	}
	return doc, tree
}

// newServerForTest is a server over an empty store (no hall, no users).
func newServerForTest(t *testing.T) *Server {
	t.Helper()
	hub := NewHub()
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{Notify: hub.Notify})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := New(st, hub, Config{})
	t.Cleanup(srv.Close)
	return srv
}

// testRoutes is the route table as New mounts it.
func testRoutes(t *testing.T) []route { return newServerForTest(t).routes }

var muxWildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// openAPIPath turns a ServeMux pattern's path into an OpenAPI path:
// {name} and {name...} become {name}; {$} goes.
func openAPIPath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	return muxWildcard.ReplaceAllString(p, "{$1}")
}

func pathParams(path string) []string {
	var out []string
	for _, m := range muxWildcard.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// resolve follows a local $ref ("#/a/b") in the document tree.
func resolve(tree any, ref string) (any, error) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local to the document", ref)
	}
	cur := tree
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not inside an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	return cur, nil
}

// deref resolves v if it is a {"$ref": …} object (repeatedly).
func deref(t *testing.T, tree, v any) map[string]any {
	t.Helper()
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("not an object: %v", v)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var err error
		if v, err = resolve(tree, ref); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("$ref chain too long at %v", v)
	return nil
}

func asTree(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc, tree := loadOpenAPI(t)
	routes := testRoutes(t)

	t.Run("is OpenAPI 3 with a title and version", func(t *testing.T) {
		if !strings.HasPrefix(doc.OpenAPI, "3.") {
			t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
		}
		if doc.Info.Title == "" || doc.Info.Version == "" {
			t.Errorf("info.title %q, info.version %q: both are required", doc.Info.Title, doc.Info.Version)
		}
	})

	t.Run("is indented with two spaces", func(t *testing.T) {
		var compact, indented bytes.Buffer
		if err := json.Compact(&compact, OpenAPIDocument); err != nil {
			t.Fatal(err)
		}
		json.Indent(&indented, compact.Bytes(), "", "  ")
		indented.WriteByte('\n')
		if !bytes.Equal(indented.Bytes(), OpenAPIDocument) {
			t.Error("openapi.json is not formatted as json.Indent(…, \"\", \"  \") plus a final newline")
		}
	})

	// Every operation in the document, by "METHOD /path".
	ops := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for key, raw := range item {
			if !slices.Contains(httpMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			ops[strings.ToUpper(key)+" "+path] = op
		}
	}

	t.Run("documents every route exactly once", func(t *testing.T) {
		seen := map[string]bool{}
		for _, rt := range routes {
			key := rt.Method + " " + openAPIPath(rt.Pattern)
			if seen[key] {
				t.Errorf("route table has %s twice", key)
			}
			seen[key] = true
			if _, ok := ops[key]; !ok {
				t.Errorf("route %s %s is not in openapi.json: document it", rt.Method, rt.Pattern)
			}
		}
		for key := range ops {
			if !seen[key] {
				t.Errorf("openapi.json documents %s, which is not in the route table", key)
			}
		}
	})

	t.Run("operationIds are unique", func(t *testing.T) {
		ids := map[string]string{}
		for _, key := range slices.Sorted(maps.Keys(ops)) {
			id := ops[key].OperationID
			if other, dup := ids[id]; dup && id != "" {
				t.Errorf("operationId %q is used by %s and %s", id, other, key)
			}
			ids[id] = key
		}
	})

	for _, rt := range routes {
		key := rt.Method + " " + openAPIPath(rt.Pattern)
		op, ok := ops[key]
		if !ok {
			continue // reported above
		}
		t.Run(key, func(t *testing.T) {
			if op.OperationID == "" {
				t.Error("no operationId")
			}
			if op.Summary == "" || op.Description == "" {
				t.Error("summary and description are required")
			}

			// x-roles is the route's roles, in the table's order.
			if op.Roles == nil {
				t.Fatal("no x-roles")
			}
			want := rt.Roles
			if want == nil {
				want = []auth.Role{}
			}
			if !slices.Equal(*op.Roles, want) {
				t.Errorf("x-roles = %v, route table says %v", *op.Roles, want)
			}
			// The description says who may call it.
			if len(rt.Roles) == 0 {
				if !strings.Contains(strings.ToLower(op.Description), "public") {
					t.Error("description of a public operation does not say it is public")
				}
			}
			for _, r := range rt.Roles {
				if !strings.Contains(op.Description, string(r)) {
					t.Errorf("description does not name role %s", r)
				}
			}

			// security: [] exactly for public routes.
			if op.Security == nil {
				t.Fatal("no security: use [] for public operations")
			}
			sec := *op.Security
			if rt.Roles == nil {
				if len(sec) != 0 {
					t.Errorf("public route has security %v, want []", sec)
				}
			} else {
				checkSecurity(t, rt, sec)
			}

			// Path parameters match the path's wildcards.
			var params []string
			for _, p := range op.Parameters {
				pm := deref(t, tree, asTree(t, p))
				if pm["in"] == "path" {
					params = append(params, pm["name"].(string))
					if pm["required"] != true {
						t.Errorf("path parameter %v is not required", pm["name"])
					}
				}
			}
			sort.Strings(params)
			if want := pathParams(openAPIPath(rt.Pattern)); !slices.Equal(params, want) {
				t.Errorf("path parameters %v, the path has %v", params, want)
			}

			checkResponses(t, tree, rt, op)
		})
	}

	t.Run("every $ref resolves", func(t *testing.T) {
		walkRefs(tree, func(ref string) {
			if _, err := resolve(tree, ref); err != nil {
				t.Error(err)
			}
		})
	})

	t.Run("every component is used", func(t *testing.T) {
		used := map[string]bool{}
		walkRefs(tree, func(ref string) { used[ref] = true })
		comps := tree.(map[string]any)["components"].(map[string]any)
		for _, kind := range []string{"schemas", "responses", "parameters"} {
			m, _ := comps[kind].(map[string]any)
			for name := range m {
				if ref := "#/components/" + kind + "/" + name; !used[ref] {
					t.Errorf("%s is never referenced: remove it or use it", ref)
				}
			}
		}
	})

	t.Run("security schemes", func(t *testing.T) {
		ss := doc.Components.SecuritySchemes
		if b := ss["bearer"]; b.Type != "http" || b.Scheme != "bearer" ||
			!strings.Contains(b.Description, auth.SessionPrefix) || !strings.Contains(b.Description, auth.DevicePrefix) {
			t.Errorf("bearer scheme %+v: want http bearer naming %s and %s tokens", b, auth.SessionPrefix, auth.DevicePrefix)
		}
		if c := ss["cookie"]; c.Type != "apiKey" || c.In != "cookie" || c.Name != sessionCookie || !strings.Contains(c.Description, csrfHeader) {
			t.Errorf("cookie scheme %+v: want apiKey in cookie %s whose description names %s", c, sessionCookie, csrfHeader)
		}
		if len(ss) != 2 {
			t.Errorf("security schemes %v: want bearer and cookie", slices.Sorted(maps.Keys(ss)))
		}
	})

	t.Run("event stream documents every event type", func(t *testing.T) {
		op := ops["GET /api/v1/events"]
		types := []string{store.EventTicketCalled, store.EventTicketRecalled, store.EventTicketChanged,
			store.EventWindowChanged, store.EventSettingsChanged, store.EventKioskHelp, "queue.changed", "reset"}
		for _, typ := range types {
			if !strings.Contains(op.Description, "`"+typ+"`") {
				t.Errorf("description does not document event %s", typ)
			}
			if _, ok := op.EventTypes[typ]; !ok {
				t.Errorf("x-event-types lacks %s", typ)
			}
		}
		if len(op.EventTypes) != len(types) {
			t.Errorf("x-event-types has %d types, want %d", len(op.EventTypes), len(types))
		}
		var res struct {
			Content map[string]any `json:"content"`
		}
		json.Unmarshal(op.Responses["200"], &res)
		if _, ok := res.Content["text/event-stream"]; !ok {
			t.Errorf("200 response content %v lacks text/event-stream", slices.Sorted(maps.Keys(res.Content)))
		}
		if !strings.Contains(op.Description, "Last-Event-ID") {
			t.Error("description does not explain Last-Event-ID")
		}
		if !slices.ContainsFunc(op.Parameters, func(p json.RawMessage) bool {
			return deref(t, tree, asTree(t, p))["name"] == "Last-Event-ID"
		}) {
			t.Error("no Last-Event-ID header parameter")
		}
	})
}

// checkSecurity: a protected operation accepts bearer, and the session
// cookie too unless only kiosks may call it.
func checkSecurity(t *testing.T, rt route, sec []map[string][]string) {
	t.Helper()
	var schemes []string
	for _, req := range sec {
		if len(req) != 1 {
			t.Errorf("security requirement %v: want one scheme per alternative", req)
		}
		for name, scopes := range req {
			if len(scopes) != 0 {
				t.Errorf("security scheme %s lists scopes %v", name, scopes)
			}
			schemes = append(schemes, name)
		}
	}
	kioskOnly := !slices.ContainsFunc(rt.Roles, func(r auth.Role) bool { return r != auth.Kiosk })
	want := []string{"bearer", "cookie"}
	if kioskOnly && len(schemes) == 1 {
		want = []string{"bearer"}
	}
	if !slices.Equal(schemes, want) {
		t.Errorf("security schemes %v, want %v", schemes, want)
	}
}

// checkResponses: a success is documented; protected operations document
// 401 and 403, operations with a body 400 and 413; every error response
// is the Error schema in JSON.
func checkResponses(t *testing.T, tree any, rt route, op openAPIOperation) {
	t.Helper()
	success := false
	for code, raw := range op.Responses {
		if strings.HasPrefix(code, "2") {
			success = true
			continue
		}
		if code == "default" || code < "400" {
			continue
		}
		r := deref(t, tree, asTree(t, raw))
		content, _ := r["content"].(map[string]any)
		js, _ := content["application/json"].(map[string]any)
		schema, _ := js["schema"].(map[string]any)
		if len(content) != 1 || schema["$ref"] != "#/components/schemas/Error" {
			t.Errorf("response %s is not application/json with the Error schema: %v", code, r)
		}
	}
	if !success {
		t.Error("no 2xx response documented")
	}
	need := []string{}
	if rt.Roles != nil {
		need = append(need, "401", "403")
	}
	if op.RequestBody != nil {
		need = append(need, "400", "413")
	}
	for _, code := range need {
		if _, ok := op.Responses[code]; !ok {
			t.Errorf("response %s is not documented", code)
		}
	}
}

// walkRefs calls fn with every $ref in the tree.
func walkRefs(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				fn(s)
				continue
			}
			walkRefs(x, fn)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, fn)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newServerForTest(t).Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !bytes.Equal(buf.Bytes(), OpenAPIDocument) {
		t.Error("the served document is not the embedded openapi.json")
	}
}

// openAPITree is the embedded document, decoded once for the conformance
// checks (numbers as json.Number).
var openAPITree = sync.OnceValues(func() (any, error) {
	dec := json.NewDecoder(bytes.NewReader(OpenAPIDocument))
	dec.UseNumber()
	var tree any
	err := dec.Decode(&tree)
	return tree, err
})

// routeMux finds the route pattern a request matches.
func routeMux(routes []route) *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Pattern, http.NotFoundHandler())
	}
	return mux
}

// checkConforms fails the test unless res is what openapi.json documents
// for the operation of pattern: a documented status, the documented
// content type, and a JSON body that matches the documented schema.
// Bodies must already be read into memory (roundTrip does).
func checkConforms(t *testing.T, method, pattern string, res *http.Response) {
	t.Helper()
	tree, err := openAPITree()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	where := fmt.Sprintf("%s %s → %d", method, pattern, res.StatusCode)
	op, err := resolve(tree, "#/paths/"+strings.ReplaceAll(openAPIPath(pattern), "/", "~1")+"/"+strings.ToLower(method))
	if err != nil {
		t.Errorf("%s: not documented: %v", where, err)
		return
	}
	responses := op.(map[string]any)["responses"].(map[string]any)
	doc, ok := responses[strconv.Itoa(res.StatusCode)]
	if !ok {
		if doc, ok = responses["default"]; !ok {
			t.Errorf("%s: status %d is not documented (documented: %v)", where, res.StatusCode, slices.Sorted(maps.Keys(responses)))
			return
		}
	}
	r := deref(t, tree, doc)
	content, _ := r["content"].(map[string]any)
	ct := res.Header.Get("Content-Type")
	if len(content) == 0 {
		if b := bodyOf(res); len(b) != 0 {
			t.Errorf("%s: documented without a body, but has %q", where, b)
		}
		return
	}
	var media map[string]any
	for typ, m := range content {
		if strings.HasPrefix(ct, typ) {
			media = m.(map[string]any)
		}
	}
	if media == nil {
		t.Errorf("%s: Content-Type %q, documented %v", where, ct, slices.Sorted(maps.Keys(content)))
		return
	}
	if !strings.HasPrefix(ct, "application/json") {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(bodyOf(res)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Errorf("%s: body is not JSON: %v", where, err)
		return
	}
	for _, problem := range matchSchema(tree, media["schema"], v, "body") {
		t.Errorf("%s: %s", where, problem)
	}
}

// matchSchema checks v against the subset of OpenAPI 3.0 schemas that
// openapi.json uses: $ref, type, nullable, enum, format (date, date-time),
// properties, required, additionalProperties: false, items.
func matchSchema(tree, schema, v any, at string) []string {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		target, err := resolve(tree, ref)
		if err != nil {
			return []string{at + ": " + err.Error()}
		}
		return matchSchema(tree, target, v, at)
	}
	if v == nil {
		if s["nullable"] == true {
			return nil
		}
		return []string{at + " is null, which the schema does not allow"}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, at+" "+fmt.Sprintf(format, args...)) }
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		bad("is %v, not one of %v", v, enum)
	}
	switch typ, _ := s["type"].(string); typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("is %T, want an object", v)
			break
		}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for _, name := range req {
			if _, ok := m[name.(string)]; !ok {
				bad("lacks required field %q", name)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if ps, ok := props[k]; ok {
				problems = append(problems, matchSchema(tree, ps, m[k], at+"."+k)...)
			} else if s["additionalProperties"] == false {
				bad("has field %q, which the schema does not document", k)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			bad("is %T, want an array", v)
			break
		}
		for i, x := range a {
			problems = append(problems, matchSchema(tree, s["items"], x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("is %T, want a string", v)
			break
		}
		switch s["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				bad("%q is not a date-time", str)
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, str); err != nil {
				bad("%q is not a date", str)
			}
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			bad("is %v, want an integer", v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			bad("is %T, want a number", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("is %T, want a boolean", v)
		}
	}
	return problems
}
