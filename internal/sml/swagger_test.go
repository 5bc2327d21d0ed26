package sml

import (
	"context"
	"encoding/json"
	"net/http"
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
