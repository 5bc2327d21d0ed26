package walcu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestPatchNullArrayItem: a JSON Patch replacing an item of a list of texts
// by null (chatproviders' foreign_ids…) is taken as a PUT of its result,
// null being "no value" in every field of a schema, not a panic answered
// 500 (found checking from outside: json-patch's Equal, which told a patch
// that changes nothing, panics on a list holding null), on both engines.
func TestPatchNullArrayItem(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		body := example(t, "chatproviders")
		body["dealer_id"] = e.dealer
		r := e.es(http.MethodPost, "chatproviders", body)
		mustStatus(t, "create", r, 200)
		id := r.obj()["_id"].(string)
		for _, path := range []string{"/foreign_ids/0", "/supported_inbound_types/0", "/accounts/0/notify_to/users/0"} {
			r := e.es(http.MethodPatch, "chatproviders/"+id, []any{map[string]any{"op": "replace", "path": path, "value": nil}})
			mustStatus(t, "replace "+path+" by null", r, 200)
			if !strings.Contains(r.raw, "[null]") {
				t.Errorf("replace %s by null: %s", path, r.raw)
			}
			// the same patch again changes nothing
			again := e.es(http.MethodPatch, "chatproviders/"+id, []any{map[string]any{"op": "replace", "path": path, "value": nil}})
			mustStatus(t, "replace "+path+" by null again", again, 200)
			if again.obj()["__v"] != r.obj()["__v"] {
				t.Errorf("the same patch again: __v %v, was %v", again.obj()["__v"], r.obj()["__v"])
			}
		}
	})
}

// TestBodyNotText: a body escaping a lone UTF-16 surrogate, in a field
// forecourt keeps (a chatprovider's name, a note's content, a PATCH's
// value) or not (created_by), or holding bytes that are not UTF-8, is a
// 400 naming the field and changes nothing; encoding/json read both as
// U+FFFD, which was stored (found checking from outside), on both engines.
func TestBodyNotText(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		body := example(t, "chatproviders")
		body["dealer_id"] = e.dealer
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		count := func() int { return len(e.list("chatproviders", url.Values{"limit": {"1000"}}).arr()) }
		before := count()
		notes := e.list("notes", url.Values{"limit": {"1"}}).arr()
		if len(notes) != 1 {
			t.Fatal("no note in the demo")
		}
		note := notes[0].(map[string]any)
		noteID, content := note["_id"].(string), note["content"]
		noteBody, err := json.Marshal(map[string]any{"content": "NOTEX", "lead_id": note["lead_id"], "client_id": note["client_id"]})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ method, path, body, field string }{
			{"POST", "chatproviders", strings.Replace(string(raw), `"name":"string"`, `"name":"a\udc00"`, 1), "name"},
			{"POST", "chatproviders", strings.Replace(string(raw), `"name":"string"`, `"created_by":"\ud800b","name":"x"`, 1), "created_by"},
			{"POST", "chatproviders", strings.Replace(string(raw), `"groups":["string"]`, `"groups":["\udfff"]`, 1), "accounts.0.notify_to.groups.0"},
			{"POST", "chatproviders", strings.Replace(string(raw), `"name":"string"`, "\"name\":\"a\xffb\"", 1), "body"},
			{"PUT", "notes/" + noteID, strings.Replace(string(noteBody), "NOTEX", `\udc00`, 1), "content"},
			{"PATCH", "notes/" + noteID, `[{"op":"replace","path":"/content","value":"x\ud800"}]`, "0.value"},
		} {
			if !strings.Contains(tc.body, `\u`) && !strings.Contains(tc.body, "\xff") {
				t.Fatalf("%s: the example's field not found", tc.field)
			}
			r := e.es(tc.method, tc.path, tc.body)
			mustStatus(t, tc.method+" "+tc.field, r, 400)
			if f, _ := r.obj()["fields"].(map[string]any); f[tc.field] == nil {
				t.Errorf("%s %s: %s, want the error on %s", tc.method, tc.path, r.raw, tc.field)
			}
		}
		if n := count(); n != before {
			t.Errorf("%d chatproviders, were %d", n, before)
		}
		if got := e.es(http.MethodGet, "notes/"+noteID, nil).arr()[0].(map[string]any)["content"]; got != content {
			t.Errorf("the note's content %q, was %q", got, content)
		}
	})
}

// TestClientNameSplit: a client named in another API (one name, as the
// core keeps it) shows here as given names and two surnames, as LeanCore
// splits it: "María José García López" is first_name "María José",
// last_name "García López", not "María" and "José García López" (found
// checking from outside: a Casabaca ticket's nombres FREDDY ROBERTO showed
// as FREDDY); three words are the first and the rest.
func TestClientNameSplit(t *testing.T) {
	e := newEnv(t)
	ctx, _ := e.admin(t)
	for _, tc := range []struct{ full, first, last, phone string }{
		{"María José García López", "María José", "García López", "600700801"},
		{"FREDDY ROBERTO RODRIGUEZ VARGAS", "FREDDY ROBERTO", "RODRIGUEZ VARGAS", "600700802"},
		{"Juan Pérez Gómez", "Juan", "Pérez Gómez", "600700803"},
	} {
		c, err := e.svc.CreateClient(ctx, core.Client{DealerID: e.fx.DealerID, Name: tc.full, Phone: tc.phone})
		if err != nil {
			t.Fatal(err)
		}
		r := e.es(http.MethodGet, "clients/"+c.PublicID, nil)
		mustStatus(t, "get", r, 200)
		got := r.arr()[0].(map[string]any)
		if f, l := at(got, "primary_contact", "name", "first_name"), at(got, "primary_contact", "name", "last_name"); f != tc.first || l != tc.last {
			t.Errorf("%q: first_name %q, last_name %q; want %q, %q", tc.full, f, l, tc.first, tc.last)
		}
		if names, _ := got["contacts_names"].([]any); len(names) == 0 || names[0] != tc.full {
			t.Errorf("%q: contacts_names %v", tc.full, got["contacts_names"])
		}
	}
}

// TestMalformedQuery: a query string Go's parser reads as another — a
// malformed percent-escape, a ";" as separator — is a 400 naming the
// parameter, and a q escaping a lone surrogate a 400 on q; url.Values
// dropped the pair, so that ?q=%zz or ?limit=%4 listed every document
// (found checking from outside).
func TestMalformedQuery(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ query, field string }{
		{"q=%zz", "q"},
		{"limit=%4", "limit"},
		{"q=%7B%7D&search=a%2", "search"},
		{"q%zz=1", "q%zz"},
		{"limit=1;skip=2", "limit"},
		{"q=%7B%22_id%22%3A%22%5Cudc00%22%7D", "q"},
	} {
		for _, path := range []string{"saleleads?", "notes?", "saleleads/all?"} {
			r := e.es(http.MethodGet, path+tc.query, nil)
			mustStatus(t, path+tc.query, r, 400)
			if f, _ := r.obj()["fields"].(map[string]any); f[tc.field] == nil {
				t.Errorf("%s%s: %s, want the error on %s", path, tc.query, r.raw, tc.field)
			}
		}
	}
	// well-formed escapes are read as ever
	r := e.es(http.MethodGet, "saleleads?limit=%32&q=%7B%7D", nil)
	mustStatus(t, "well-formed", r, 200)
	if n := len(r.arr()); n != 2 {
		t.Errorf("limit=%%32: %d documents", n)
	}
}

// TestJobIDNotText: a job id of the path that is no UTF-8 text or holds a
// NUL is the 404 of any unknown job, not a 500 on PostgreSQL (which
// refuses such text) nor a 400 (found checking from outside).
func TestJobIDNotText(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		for _, id := range []string{"%ff", "%ed%a0%80", "a%00b", "%c0%80"} {
			r := e.es(http.MethodGet, "jobs/"+id, nil)
			mustStatus(t, "jobs/"+id, r, 404)
		}
	})
}
