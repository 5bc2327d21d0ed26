package walcu_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"forecourt/internal/walcu"
)

// Every answer of this package's tests (env.do) is checked against the
// OpenAPI description the server serves: its status must be one the
// operation declares, and its body must fit that answer's schema. After a
// whole run, TestMain checks that every route was exercised.

var (
	apiOnce sync.Once
	apiDoc  *openapi3.T
	apiErr  error

	seenMu sync.Mutex
	seen   = map[string]bool{}
)

func loadAPI() (*openapi3.T, error) {
	apiOnce.Do(func() {
		l := openapi3.NewLoader()
		apiDoc, apiErr = l.LoadFromData(walcu.OpenAPI())
		if apiErr == nil {
			apiErr = apiDoc.Validate(context.Background())
		}
	})
	return apiDoc, apiErr
}

// routeOf returns the route that serves method on path: the one whose
// pattern matches with the most literal segments.
func routeOf(method, path string) (walcu.Route, bool) {
	path, _, _ = strings.Cut(path, "?")
	if method == http.MethodHead {
		method = http.MethodGet
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestLit := walcu.Route{}, -1
	for _, r := range walcu.Routes() {
		if r.Method != method {
			continue
		}
		ps := strings.Split(strings.Trim(r.Pattern, "/"), "/")
		if len(ps) != len(segs) {
			continue
		}
		lit, ok := 0, true
		for i, p := range ps {
			switch {
			case strings.HasPrefix(p, "{"):
				ok = ok && segs[i] != ""
			case p == segs[i]:
				lit++
			default:
				ok = false
			}
		}
		if ok && lit > bestLit {
			best, bestLit = r, lit
		}
	}
	return best, bestLit >= 0
}

// checkAnswer checks one answer against the description.
func checkAnswer(t testing.TB, method, path string, code int, raw []byte) {
	t.Helper()
	doc, err := loadAPI()
	if err != nil {
		t.Fatalf("the OpenAPI description: %v", err)
	}
	rt, ok := routeOf(method, path)
	if !ok {
		return // a method no route has: the 405 of another route's path
	}
	seenMu.Lock()
	seen[rt.Method+" "+rt.Pattern] = true
	seenMu.Unlock()
	item := doc.Paths.Value(rt.Pattern)
	if item == nil || item.GetOperation(rt.Method) == nil {
		t.Errorf("%s %s: no operation %s %s in the description", method, path, rt.Method, rt.Pattern)
		return
	}
	resp := item.GetOperation(rt.Method).Responses.Status(code)
	if resp == nil || resp.Value == nil {
		t.Errorf("%s %s: status %d is not declared for %s", method, path, code, rt.Name)
		return
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Errorf("%s %s: %d answer is no JSON: %s", method, path, code, raw)
		return
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		t.Errorf("%s %s: %d answer does not fit the description: %s\n%s", method, path, code, msg, truncate(raw))
	}
}

func truncate(b []byte) string {
	if len(b) > 1500 {
		return string(b[:1500]) + "…"
	}
	return string(b)
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		var missing []string
		for _, r := range walcu.Routes() {
			if !seen[r.Method+" "+r.Pattern] {
				missing = append(missing, r.Method+" "+r.Pattern)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			fmt.Fprintf(os.Stderr, "FAIL: routes no test exercised against the OpenAPI description:\n  %s\n", strings.Join(missing, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// TestOpenAPIRoutes: the description is a valid OpenAPI document, served
// without a credential, and holds every route with its name as
// operationId, and no other.
func TestOpenAPIRoutes(t *testing.T) {
	doc, err := loadAPI()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, r := range walcu.Routes() {
		want[r.Method+" "+r.Pattern] = true
		item := doc.Paths.Value(r.Pattern)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s %s is not described", r.Method, r.Pattern)
			continue
		}
		if id := item.GetOperation(r.Method).OperationID; id != r.Name {
			t.Errorf("route %s %s: operationId %q, want %q", r.Method, r.Pattern, id, r.Name)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !want[method+" "+path] {
				t.Errorf("%s %s is described but not served", method, path)
			}
		}
	}
	// the schemas do refuse what does not fit
	sc := doc.Components.Schemas["Salelead"].Value
	for name, bad := range map[string]any{
		"unknown field":    map[string]any{"_id": "x", "nope": 1},
		"wrong type":       map[string]any{"_id": "x", "cost": "cheap"},
		"nested unknown":   map[string]any{"_id": "x", "status": map[string]any{"nope": 1}},
		"computed unknown": map[string]any{"_id": "x", "computed": map[string]any{"nope": 1}},
	} {
		if err := sc.VisitJSON(bad); err == nil {
			t.Errorf("%s: the Salelead schema accepts %v", name, bad)
		}
	}
	e := newEnv(t)
	r := e.do("", http.MethodGet, "/.well-known/service-desc", nil)
	mustStatus(t, "the description", r, 200)
	if r.obj()["openapi"] != "3.0.3" || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("served description: %.200s", r.raw)
	}
}
