package sml

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"forecourt/internal/core"
)

// loadSwagger loads and validates the embedded swagger.json.
func loadSwagger(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(swaggerJSON)
	if err != nil {
		t.Fatalf("load swagger.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("swagger.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func TestRoutesMatchSwagger(t *testing.T) {
	doc := loadSwagger(t)
	seen := map[string]bool{}
	for _, r := range Routes() {
		item := doc.Paths.Value(r.Pattern)
		if item == nil {
			t.Errorf("route %s %s: path missing from swagger.json", r.Method, r.Pattern)
			continue
		}
		op := item.GetOperation(r.Method)
		if op == nil {
			t.Errorf("route %s %s: method missing from swagger.json", r.Method, r.Pattern)
			continue
		}
		if op.OperationID != r.Name {
			t.Errorf("route %s %s: operationId %q, want %q", r.Method, r.Pattern, op.OperationID, r.Name)
		}
		if strings.Contains(r.Pattern, "{id}") {
			if p := op.Parameters.GetByInAndName("path", "id"); p == nil {
				if item.Parameters.GetByInAndName("path", "id") == nil {
					t.Errorf("route %s %s: no {id} path parameter", r.Method, r.Pattern)
				}
			}
		}
		seen[r.Method+" "+r.Pattern] = true
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !seen[method+" "+path] {
				t.Errorf("swagger.json describes %s %s, which is not a route", method, path)
			}
		}
	}
}

// schemaCheck validates response bodies against swagger.json.
type schemaCheck struct {
	doc *openapi3.T
	ops map[string]*openapi3.Operation // by operationId
}

func newSchemaCheck(t *testing.T) *schemaCheck {
	doc := loadSwagger(t)
	c := &schemaCheck{doc: doc, ops: map[string]*openapi3.Operation{}}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			c.ops[op.OperationID] = op
		}
	}
	return c
}

// check validates body, answered with status by route name, against the
// response schema swagger.json gives for it.
func (c *schemaCheck) check(t *testing.T, name string, status int, body []byte) {
	t.Helper()
	op, ok := c.ops[name]
	if !ok {
		t.Fatalf("no operation %q in swagger.json", name)
	}
	resp := op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		t.Errorf("%s answered %d, which swagger.json does not describe", name, status)
		return
	}
	if status == http.StatusNoContent {
		return
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Errorf("%s %d: no JSON schema", name, status)
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s %d: body is not JSON: %v", name, status, err)
		return
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		t.Errorf("%s %d: body does not match swagger.json: %v\nbody: %.2000s", name, status, err, body)
	}
}

func TestSwaggerSchemasAcceptRenderedLead(t *testing.T) {
	c := newSchemaCheck(t)
	refs, lead := testRefs()
	rd := renderer{refs: refs, now: time.Now(), p: core.Principal{UserID: 2, DealerIDs: []int64{1}}}
	b, err := json.Marshal(rd.lead(lead))
	if err != nil {
		t.Fatal(err)
	}
	c.check(t, "lead-detail", http.StatusOK, b)
}

// TestSwaggerBodiesDeclareLimits: every operation that takes a body
// declares the 413 the server answers to one over 1 MiB, and the schemas of
// the lead and task bodies are the same in POST and PATCH.
func TestSwaggerBodiesDeclareLimits(t *testing.T) {
	t.Parallel()
	doc := loadSwagger(t)
	e := newEnv(t, 0)
	big := `{"x":"` + strings.Repeat("x", maxBody) + `"}`
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			resp := op.Responses.Status(http.StatusRequestEntityTooLarge)
			if resp == nil || resp.Value.Content.Get("application/json") == nil {
				t.Errorf("%s %s takes a body but declares no 413", method, path)
			}
			target := strings.ReplaceAll(path, "{id}", "1")
			if r := e.do(method, target, big); r.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s %s with 1 MiB+ = %d, want 413", method, target, r.status)
			}
		}
	}
	schemas := doc.Components.Schemas
	same := func(a, b string, except ...string) {
		for name, p := range schemas[a].Value.Properties {
			q, ok := schemas[b].Value.Properties[name]
			if slices.Contains(except, name) {
				continue
			}
			pj, _ := json.Marshal(p)
			qj, _ := json.Marshal(q)
			if !ok || string(pj) != string(qj) {
				t.Errorf("%s.%s = %s, but %s.%s = %s", a, name, pj, b, name, qj)
			}
		}
	}
	same("LeadUpdate", "LeadCreate")
	same("LeadCreate", "LeadUpdate")
	same("TaskInput", "TaskCreateInput", "id")
	same("TaskUpdateInput", "TaskCreateInput")
	same("TaskCreateInput", "TaskInput", "lead")
}

// TestSwaggerAcceptsTheDocumentsRequests: the document's request examples
// and templates are valid bodies by swagger.json.
func TestSwaggerAcceptsTheDocumentsRequests(t *testing.T) {
	c := newSchemaCheck(t)
	for _, tt := range []struct{ op, file string }{
		{"lead-create", "templates/lead_create.json"},
		{"lead-update", "templates/lead_update.json"},
		{"task-create", "templates/task_create.json"},
		{"task-update", "templates/task_update.json"},
		{"lead-create", "requests/minimal.json"},
		{"lead-create", "requests/average.json"},
		{"lead-create", "requests/complex.json"},
		{"lead-update", "requests/update.json"}, // "score": 4
	} {
		var body any
		if err := json.Unmarshal(mustRead(t, "testdata/"+tt.file), &body); err != nil {
			t.Fatal(err)
		}
		s := c.ops[tt.op].RequestBody.Value.Content.Get("application/json").Schema.Value
		if err := s.VisitJSON(body, openapi3.MultiErrors()); err != nil {
			t.Errorf("%s: %s is not a valid body by swagger.json: %v", tt.op, tt.file, err)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// refFields are the integer fields that name a record: the server checks
// them against the database, not against a range.
var refFields = map[string]bool{"id": true, "source": true, "gas": true, "user": true, "province": true, "location": true, "lead": true}

// TestSwaggerRequestSchemasMatchServer probes every field of the bodies of
// Login, Crear Lead and Crear Solicitudes/Tareas with values around the
// limits swagger.json declares (lengths, ranges, choices, null, blank) and
// around the server's own, and checks that swagger.json accepts a value
// exactly when the server does: a limit the server enforces and swagger.json
// leaves out, or one it declares wrongly, fails.
func TestSwaggerRequestSchemasMatchServer(t *testing.T) {
	t.Parallel()
	c := newSchemaCheck(t)
	e := newEnv(t, 0)
	for _, b := range bodyProbes(e) {
		s := c.ops[b.op].RequestBody.Value.Content.Get("application/json").Schema.Value
		probeSchema(t, e, b.method, b.target, b.base, s, nil)
	}
}

// bodyProbe is a valid body of a route, with every field the tests probe.
type bodyProbe struct {
	op, method, target string
	base               map[string]any
}

// bodyProbes are valid bodies of the POST routes of SML, with (nearly)
// every field each takes.
func bodyProbes(e *env) []bodyProbe {
	gas := e.fx.GasIDs[0]
	lead := e.createLead(map[string]any{"source": e.fx.SourceIDs["phone"], "vehicle": map[string]any{"brand_model": "v"},
		"client": map[string]any{"name": "c", "phone": "600000001"}})
	task := func() map[string]any {
		return map[string]any{
			"type": "date", "subtype": "s", "description": "d", "media": "Phone",
			"planified_realization_date": "2026-01-01T10:00:00Z", "planified_tracking_date": "2026-01-02T10:00:00Z",
			"realization_date_check": false, "tracking_date_check": false, "note": []any{map[string]any{"content": "n"}},
			"appraisal": map[string]any{"brand_model": "b", "license_plate": "p", "km": "1", "year": 2010, "gas": gas, "extras": "e", "origin": "national"},
		}
	}
	taskCreate := task()
	taskCreate["lead"] = lead["id"]
	return []bodyProbe{
		{"login", http.MethodPost, "/api/auth/login/", map[string]any{"username": "nobody@example.com", "password": "x"}},
		{"lead-create", http.MethodPost, "/api/lead/", map[string]any{
			"source":  e.fx.SourceIDs["phone"],
			"vehicle": map[string]any{"brand_model": "v", "price": "1", "km": "1", "year": 2008, "gas": gas, "sold": false},
			"client":  map[string]any{"name": "c", "phone": "600000000", "email": "c@example.com", "province": e.fx.ProvinceID, "location": e.fx.LocalityID},
			"request": map[string]any{"task": []any{task()}},
			"note":    []any{map[string]any{"content": "n"}}, "tags": []any{map[string]any{"content": "t"}},
			"user": e.fx.AdminID, "status": "new", "score": "1", "mail_content": "m",
		}},
		{"task-create", http.MethodPost, "/api/lead_task_create/", taskCreate},
		{"click2call-post", http.MethodPost, "/api/netelip/call_control_lead/click2call/", map[string]any{"lead": lead["id"]}},
	}
}

// probeSchema probes each property of s (the schema of the object at at in
// base) and recurses into objects and the first item of lists.
func probeSchema(t *testing.T, e *env, method, target string, base map[string]any, s *openapi3.Schema, at []any) {
	t.Helper()
	names := slices.Sorted(maps.Keys(s.Properties))
	for _, name := range names {
		p := s.Properties[name].Value
		keys := append(slices.Clone(at), name)
		vs := candidates(name, p)
		if item, ok := path(base, append(keys, 0)...).(map[string]any); ok && p.Type.Is("array") {
			// lists: as long as declared and one more, or past the server's limit
			lengths := []int{201}
			if p.MaxItems != nil {
				lengths = []int{int(*p.MaxItems), int(*p.MaxItems) + 1}
			}
			for _, n := range lengths {
				vs = append(vs, slices.Repeat([]any{item}, n))
			}
		}
		for _, v := range vs {
			body := cloneJSON(t, base)
			parent, _ := path(body, at...).(map[string]any)
			if parent == nil {
				t.Fatalf("base body has no object at %v", at)
			}
			parent[name] = v
			r := e.req(e.token, method, target, body)
			var errs any
			if r.status == http.StatusBadRequest {
				errs = path(r.obj(t), keys...)
			}
			server := errs == nil
			schema := p.VisitJSON(normalJSON(t, v)) == nil
			if server != schema {
				t.Errorf("%s %v = %s: the server accepts it %v, swagger.json %v (%s)", target, keys, short(v), server, schema, short(errs))
			}
			if server && r.status >= 300 && target != "/api/auth/login/" {
				t.Errorf("%s %v = %s: refused elsewhere: %s", target, keys, short(v), r)
			}
		}
		switch {
		case p.Type.Is("object"):
			if _, ok := path(base, keys...).(map[string]any); ok {
				probeSchema(t, e, method, target, base, p, keys)
			}
		case p.Type.Is("array") && p.Items != nil && p.Items.Value.Type.Is("object"):
			if _, ok := path(base, append(keys, 0)...).(map[string]any); ok {
				probeSchema(t, e, method, target, base, p.Items.Value, append(keys, 0))
			}
		case p.Type == nil && len(p.AllOf) == 1 && p.AllOf[0].Value.Type.Is("object"):
			if _, ok := path(base, keys...).(map[string]any); ok {
				probeSchema(t, e, method, target, base, p.AllOf[0].Value, keys)
			}
		}
	}
}

// candidates are the values a property is probed with: of its type (the
// server's leniencies, such as numbers for strings, are not swagger's to
// describe), around the limits it declares and the server's.
func candidates(name string, p *openapi3.Schema) []any {
	vs := []any{nil}
	switch {
	case p.Type.Is("integer"):
		if !refFields[name] {
			vs = append(vs, -1, 0, 1, 1899, 1900, 2100, 2101)
		}
	case p.Type == nil && len(p.OneOf) > 0: // score: an integer or a string
		for _, v := range []int{-1, 0, 1, 4, 5} {
			vs = append(vs, v, strconv.Itoa(v))
		}
	case p.Type.Is("boolean"):
		vs = append(vs, true, false)
	case p.Type.Is("string") && len(p.Enum) > 0:
		for _, v := range p.Enum {
			if v != nil {
				vs = append(vs, v)
			}
		}
		vs = append(vs, "zzz")
	case p.Type.Is("string") && p.Format == "date-time":
		vs = append(vs, "2026-03-01T10:00:00Z")
	case p.Type.Is("string"):
		lengths := []int{0, 20001} // no limit declared: past any the server has
		if p.MaxLength != nil {
			n := int(*p.MaxLength)
			lengths = []int{0, n, n + 1}
		}
		for _, n := range lengths {
			if p.Format == "email" {
				if n < 13 {
					continue
				}
				vs = append(vs, strings.Repeat("x", n-12)+"@example.com")
				continue
			}
			vs = append(vs, strings.Repeat("x", n))
		}
		if p.Format != "email" {
			vs = append(vs, "x")
		}
	}
	return vs
}

func cloneJSON(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// normalJSON is v as encoding/json decodes it (numbers as float64), which
// is what kin-openapi validates.
func normalJSON(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return fmt.Sprintf("%.40s… (%d bytes)", b, len(b))
	}
	return string(b)
}
