package sml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// wantViews are the name OPTIONS gives each path, and the Allow header of
// every answer there.
var wantViews = map[string]struct{ name, allow string }{
	"/api/auth/login/":                           {"Login", "POST, OPTIONS"},
	"/api/auth/logout/":                          {"Logout", "POST, OPTIONS"},
	"/api/concessionaire/":                       {"Concessionaire List", "GET, HEAD, OPTIONS"},
	"/api/lead/":                                 {"Lead List", "GET, POST, HEAD, OPTIONS"},
	"/api/lead/{id}/":                            {"Lead Instance", "GET, PATCH, HEAD, OPTIONS"},
	"/api/lead/{id}/change_status/":              {"Change status", "PATCH, OPTIONS"},
	"/api/source/":                               {"Source List", "GET, HEAD, OPTIONS"},
	"/api/gas_type/":                             {"Gas Type List", "GET, HEAD, OPTIONS"},
	"/api/clients/":                              {"Client List", "GET, HEAD, OPTIONS"},
	"/api/provinces/":                            {"Province List", "GET, HEAD, OPTIONS"},
	"/api/localities/":                           {"Locality List", "GET, HEAD, OPTIONS"},
	"/api/user/":                                 {"User List", "GET, HEAD, OPTIONS"},
	"/api/lead_task_create/":                     {"Lead Task Create", "POST, OPTIONS"},
	"/api/task/{id}/":                            {"Task Instance", "GET, PATCH, DELETE, HEAD, OPTIONS"},
	"/api/lead_history/{id}/get_history/":        {"Get history", "GET, HEAD, OPTIONS"},
	"/api/netelip/call_control_lead/click2call/": {"Click2call", "POST, PATCH, OPTIONS"},
	"/swagger.json":                              {"Schema", "GET, HEAD, OPTIONS"},
}

// TestOptions: OPTIONS on every path answers DRF's SimpleMetadata (name,
// description, renders, parses, and "actions" for the paths that take a
// POST body), without credentials, with and without the trailing slash.
func TestOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	withBody := map[string]bool{"/api/auth/login/": true, "/api/lead/": true, "/api/lead_task_create/": true, "/api/netelip/call_control_lead/click2call/": true}
	seen := map[string]bool{}
	for _, rt := range routes {
		if seen[rt.Pattern] {
			continue
		}
		seen[rt.Pattern] = true
		want, ok := wantViews[rt.Pattern]
		if !ok {
			t.Errorf("no expected view for %s", rt.Pattern)
			continue
		}
		for _, target := range []string{rt.Pattern, strings.TrimSuffix(rt.Pattern, "/")} {
			target = strings.ReplaceAll(target, "{id}", "7")
			r := e.req("", http.MethodOptions, target, nil)
			if r.status != http.StatusOK || r.header.Get("Allow") != want.allow {
				t.Errorf("OPTIONS %s = %s, Allow %q; want 200, Allow %q", target, r, r.header.Get("Allow"), want.allow)
				continue
			}
			var got struct {
				Name, Description string
				Renders, Parses   []string
				Actions           map[string]map[string]json.RawMessage
			}
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatalf("OPTIONS %s: %v", target, err)
			}
			if got.Name != want.name || got.Description == "" {
				t.Errorf("OPTIONS %s: name %q, description %q; want name %q and a description", target, got.Name, got.Description, want.name)
			}
			if !slices.Equal(got.Renders, []string{"application/json"}) ||
				!slices.Equal(got.Parses, []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}) {
				t.Errorf("OPTIONS %s: renders %v, parses %v", target, got.Renders, got.Parses)
			}
			if keys := slices.Sorted(maps.Keys(got.Actions)); withBody[rt.Pattern] != slices.Equal(keys, []string{"POST"}) || (!withBody[rt.Pattern] && got.Actions != nil) {
				t.Errorf("OPTIONS %s: actions for %v", target, keys)
			}
			if !strings.HasPrefix(string(r.body), `{"name":`) {
				t.Errorf("OPTIONS %s: keys not in DRF's order: %.80s", target, r.body)
			}
		}
	}
	// the actions of Crear Lead, as DRF renders them
	r := e.req("", http.MethodOptions, "/api/lead/", nil)
	for _, want := range []string{
		`"actions":{"POST":{"source":{"type":"field","required":true,"read_only":false,"label":"Source"},"vehicle":{"type":"nested object","required":true,"read_only":false,"label":"Vehicle","children":{"brand_model":{"type":"string","required":true,"read_only":false,"label":"Brand model","max_length":255}`,
		`"year":{"type":"integer","required":false,"read_only":false,"label":"Year","min_value":1900,"max_value":2100}`,
		`"note":{"type":"field","required":false,"read_only":false,"label":"Note","max_length":200,"child":{"type":"nested object","required":true,"read_only":false,"children":{"content":{"type":"string","required":true,"read_only":false,"label":"Content","max_length":10000}}}}`,
		`"status":{"type":"choice","required":false,"read_only":false,"label":"Status","help_text":"new si no se indica.","choices":[{"value":"new","display_name":"Nuevo"},`,
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("OPTIONS /api/lead/ lacks %s\nin %s", want, r.body)
		}
	}
}

// TestAllowOnEveryAnswer: every answer of a route carries its path's Allow
// header, as DRF's views send it (errors included); a path no route has
// carries none.
func TestAllowOnEveryAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	lead := e.createLead(map[string]any{"source": e.fx.SourceIDs["phone"], "vehicle": map[string]any{"brand_model": "v"},
		"request": map[string]any{"task": []any{map[string]any{"type": "date"}, map[string]any{"type": "date"}}}})
	task := num(path(lead, "request", "task", 0, "id"))
	ids := map[string]int64{"/api/lead/": num(lead["id"]), "/api/task/": task, "/api/lead_history/": num(lead["id"])}
	statuses := map[int]bool{}
	for _, rt := range routes {
		target := rt.Pattern
		for prefix, id := range ids {
			if strings.HasPrefix(rt.Pattern, prefix+"{id}") {
				target = strings.Replace(rt.Pattern, "{id}", fmt.Sprint(id), 1)
			}
		}
		want := wantViews[rt.Pattern].allow
		token := e.token
		if rt.Name == "logout" {
			token = e.login(e.fx.AdminUsername, e.fx.AdminPassword)
		}
		for _, token := range []string{token, ""} {
			var body any
			switch {
			case rt.Name == "lead-create":
				body = e.minimalLead()
			case rt.Name == "task-create":
				body = map[string]any{"lead": lead["id"]}
			case rt.Method == http.MethodPost || rt.Method == http.MethodPatch:
				body = map[string]any{}
			}
			r := e.req(token, rt.Method, target, body)
			statuses[r.status] = true
			if got := r.header.Get("Allow"); got != want {
				t.Errorf("%s %s (%d) Allow = %q, want %q", rt.Method, target, r.status, got, want)
			}
		}
	}
	for _, s := range []int{200, 201, 204, 400, 401} {
		if !statuses[s] {
			t.Errorf("no answer %d was checked", s)
		}
	}
	if r := e.do(http.MethodGet, "/api/lead/999999/", nil); r.status != 404 || r.header.Get("Allow") != "GET, PATCH, HEAD, OPTIONS" {
		t.Errorf("GET of a missing lead = %d, Allow %q", r.status, r.header.Get("Allow"))
	}
	if r := e.do(http.MethodGet, "/api/nothing/", nil); r.status != 404 || r.header.Get("Allow") != "" {
		t.Errorf("GET of no route = %d, Allow %q; want 404 without Allow", r.status, r.header.Get("Allow"))
	}
}

// TestOptionsParsesWhatTheServerParses: a login body in each media type
// OPTIONS lists as parsed logs in.
func TestOptionsParsesWhatTheServerParses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, mt := range parsedMediaTypes {
		var body bytes.Buffer
		ct := mt
		switch mt {
		case "application/json":
			body.Write(mustJSON(t, map[string]string{"username": e.fx.AdminUsername, "password": e.fx.AdminPassword}))
		case "application/x-www-form-urlencoded":
			body.WriteString(url.Values{"username": {e.fx.AdminUsername}, "password": {e.fx.AdminPassword}}.Encode())
		case "multipart/form-data":
			mw := multipart.NewWriter(&body)
			_ = mw.WriteField("username", e.fx.AdminUsername)
			_ = mw.WriteField("password", e.fx.AdminPassword)
			_ = mw.Close()
			ct = mw.FormDataContentType()
		default:
			t.Fatalf("no body for %s", mt)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/auth/login/", &body)
		req.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"token"`) {
			t.Errorf("login as %s = %d %s", mt, w.Code, w.Body)
		}
	}
}

// TestOptionsActionsMatchServer probes every field "actions" describes
// for the POST routes: required (left out, the server says "Este campo es
// requerido."), max_length (that many characters or items are taken, one
// more is refused; none given, 20,001 characters are taken), min_value and
// max_value, choices, and the type.
func TestOptionsActionsMatchServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, b := range bodyProbes(e) {
		v := pathViews[strings.TrimSuffix(b.target, "/")+"/"]
		if v.post == nil {
			t.Fatalf("%s: no actions", b.target)
		}
		probeActions(t, e, b.target, b.base, v.post, nil)
	}
}

// refusedAt reports whether the server refused body at keys, and with
// which messages.
func refusedAt(t *testing.T, e *env, target string, body map[string]any, keys []any) (bool, string) {
	t.Helper()
	r := e.req(e.token, http.MethodPost, target, body)
	if r.status != http.StatusBadRequest {
		if r.status >= 300 && target != "/api/auth/login/" {
			t.Errorf("POST %s = %s", target, r)
		}
		return false, ""
	}
	errs := path(r.obj(t), keys...)
	return errs != nil, string(mustJSON(t, errs))
}

func probeActions(t *testing.T, e *env, target string, base map[string]any, fs metaFields, at []any) {
	t.Helper()
	for _, f := range fs {
		keys := append(slices.Clone(at), f.name)
		info := f.info
		with := func(v any, del bool) map[string]any {
			body := cloneJSON(t, base)
			parent := path(body, at...).(map[string]any)
			if del {
				delete(parent, f.name)
			} else {
				parent[f.name] = v
			}
			return body
		}
		refused, msgs := refusedAt(t, e, target, with(nil, true), keys)
		if got := refused && strings.Contains(msgs, msgRequired); got != info.Required {
			t.Errorf("%s %v: required %v, but left out the server answers %v %s", target, keys, info.Required, refused, msgs)
		}
		var accept, refuse []any
		item, hasItem := path(base, append(keys, 0)...).(map[string]any)
		switch {
		case info.Child != nil:
			if !hasItem || info.MaxLength == nil {
				t.Errorf("%s %v: a list without an item to probe or max_length", target, keys)
				break
			}
			accept = append(accept, slices.Repeat([]any{item}, *info.MaxLength))
			refuse = append(refuse, slices.Repeat([]any{item}, *info.MaxLength+1), "x")
		case info.Type == "string" && info.MaxLength != nil:
			accept = append(accept, strings.Repeat("x", *info.MaxLength))
			refuse = append(refuse, strings.Repeat("x", *info.MaxLength+1), []any{})
		case info.Type == "string":
			accept = append(accept, strings.Repeat("x", 20001))
			refuse = append(refuse, []any{})
		case info.Type == "email":
			accept = append(accept, strings.Repeat("x", *info.MaxLength-12)+"@example.com")
			refuse = append(refuse, strings.Repeat("x", *info.MaxLength-11)+"@example.com", "x")
		case info.Type == "integer":
			accept = append(accept, *info.MinValue, *info.MaxValue)
			refuse = append(refuse, *info.MinValue-1, *info.MaxValue+1, "x")
		case info.Type == "choice":
			for _, c := range info.Choices {
				accept = append(accept, c.Value)
			}
			refuse = append(refuse, "zzz")
		case info.Type == "boolean":
			accept = append(accept, true, false)
			refuse = append(refuse, "x")
		case info.Type == "datetime":
			accept = append(accept, "2026-03-01T10:00:00Z")
			refuse = append(refuse, "yesterday")
		case info.Type == "nested object":
			refuse = append(refuse, "x")
		case info.Type == "field": // a primary key
			refuse = append(refuse, "x")
		default:
			t.Errorf("%s %v: type %q", target, keys, info.Type)
		}
		for _, v := range accept {
			if refused, msgs := refusedAt(t, e, target, with(v, false), keys); refused {
				t.Errorf("%s %v = %s: refused %s, but the actions allow it", target, keys, short(v), msgs)
			}
		}
		for _, v := range refuse {
			if refused, _ := refusedAt(t, e, target, with(v, false), keys); !refused {
				t.Errorf("%s %v = %s: accepted, but the actions do not allow it", target, keys, short(v))
			}
		}
		if info.Children != nil {
			if _, ok := path(base, keys...).(map[string]any); ok {
				probeActions(t, e, target, base, info.Children, keys)
			} else {
				t.Errorf("%s %v: no object to probe", target, keys)
			}
		}
		if info.Child != nil && hasItem {
			probeActions(t, e, target, base, info.Child.Children, append(keys, 0))
		}
	}
}

// TestOptionsActionsMatchSwagger: "actions" name the fields swagger.json's
// request schemas have (ids of nested objects aside, which a POST does not
// take), with the same types and limits.
func TestOptionsActionsMatchSwagger(t *testing.T) {
	c := newSchemaCheck(t)
	for op, target := range map[string]string{"login": "/api/auth/login/", "lead-create": "/api/lead/",
		"task-create": "/api/lead_task_create/", "click2call-post": "/api/netelip/call_control_lead/click2call/"} {
		s := c.ops[op].RequestBody.Value.Content.Get("application/json").Schema.Value
		compareActions(t, op, pathViews[target].post, s)
	}
}

func compareActions(t *testing.T, at string, fs metaFields, s *openapi3.Schema) {
	t.Helper()
	var names []string
	for _, f := range fs {
		names = append(names, f.name)
		p, ok := s.Properties[f.name]
		if !ok {
			t.Errorf("%s.%s: in the actions, not in swagger.json", at, f.name)
			continue
		}
		ps := p.Value
		if ps.Type == nil && len(ps.AllOf) == 1 {
			ps = ps.AllOf[0].Value
		}
		info, where := f.info, at+"."+f.name
		var ok2 bool
		switch info.Type {
		case "string":
			ok2 = ps.Type.Is("string") && len(ps.Enum) == 0 && ps.Format == "" && eqLimit(info.MaxLength, ps.MaxLength)
		case "email":
			ok2 = ps.Type.Is("string") && ps.Format == "email" && eqLimit(info.MaxLength, ps.MaxLength)
		case "datetime":
			ok2 = ps.Type.Is("string") && ps.Format == "date-time"
		case "boolean":
			ok2 = ps.Type.Is("boolean")
		case "integer":
			lo, hi := ps.Min, ps.Max
			for _, o := range ps.OneOf { // an appraisal's year: 0, or a range
				for _, e := range o.Value.Enum {
					f := e.(float64)
					lo, hi = &f, &f
				}
				if o.Value.Min != nil && (lo == nil || *o.Value.Min < *lo) {
					lo = o.Value.Min
				}
				if o.Value.Max != nil && (hi == nil || *o.Value.Max > *hi) {
					hi = o.Value.Max
				}
			}
			ok2 = ps.Type.Is("integer") && lo != nil && hi != nil && float64(*info.MinValue) == *lo && float64(*info.MaxValue) == *hi
		case "choice":
			enum := ps.Enum
			for _, o := range ps.OneOf { // score: an integer or a string
				if o.Value.Type.Is("string") {
					enum = o.Value.Enum
				}
			}
			var want []string
			for _, v := range enum {
				if v != nil {
					want = append(want, fmt.Sprint(v))
				}
			}
			var got []string
			for _, c := range info.Choices {
				got = append(got, c.Value)
			}
			ok2 = slices.Equal(got, want)
		case "nested object":
			ok2 = ps.Type.Is("object")
			if ok2 {
				compareActions(t, where, info.Children, ps)
			}
		case "field":
			if info.Child != nil {
				ok2 = ps.Type.Is("array") && eqLimit(info.MaxLength, ps.MaxItems)
				if ok2 {
					compareActions(t, where, info.Child.Children, ps.Items.Value)
				}
			} else {
				ok2 = ps.Type.Is("integer") && refFields[f.name]
			}
		}
		if !ok2 {
			t.Errorf("%s: actions say %s, swagger.json %s", where, mustJSON(t, info), mustJSON(t, ps))
		}
	}
	for name := range s.Properties {
		if name != "id" && !slices.Contains(names, name) {
			t.Errorf("%s.%s: in swagger.json, not in the actions", at, name)
		}
	}
}

func eqLimit(a *int, b *uint64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return uint64(*a) == *b
}
