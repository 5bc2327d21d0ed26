package walcu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// documentCollections are the collections driven by their example body
// through TestDocumentRoundTrip: those kept as core documents, and cars
// and clientvehicles (the core's vehicle records, vehicles.go).
var documentCollections = []string{"cars", "chatproviders", "chatsessions", "clientvehicles", "leadimporttasks", "offers",
	"repairorders", "whatsappsessions"}

// TestDocumentRoundTrip: every collection kept as documents, driven by
// the document's own example body: POST, GET, PATCH with each operation,
// a failing test, changes to the server's fields and to types refused,
// PUT with and without a stale __v, lists with q, sort, project,
// group_by and search, another dealer's key refused, DELETE.
func TestDocumentRoundTrip(t *testing.T) {
	e := newEnv(t)
	leads, _, err := e.svc.FindLeads(core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.DealerID}}), core.Query{Limit: 1})
	if err != nil || len(leads) == 0 {
		t.Fatal(err)
	}
	lead := leads[0]
	for _, coll := range documentCollections {
		t.Run(coll, func(t *testing.T) {
			body := example(t, coll)
			body["dealer_id"] = e.dealer
			if _, ok := body["client_id"]; ok {
				body["client_id"] = lead.Client.PublicID
			}
			if _, ok := body["lead_id"]; ok {
				body["lead_id"] = lead.PublicID
			}
			created := e.es(http.MethodPost, coll, body)
			mustStatus(t, "POST", created, 200)
			d := created.obj()
			for k := range body {
				if _, ok := d[k]; !ok {
					t.Errorf("POST answer lacks %s", k)
				}
			}
			id, _ := d["_id"].(string)
			if id == "" || id == "string" || d["__v"] != json.Number("0") || d["dealer_id"] != e.dealer {
				t.Fatalf("envelope: _id %v __v %v dealer_id %v", d["_id"], d["__v"], d["dealer_id"])
			}
			got := e.es(http.MethodGet, coll+"/"+id, nil)
			mustStatus(t, "GET", got, 200)
			if a := got.arr(); len(a) != 1 || !equalJSON(a[0], d) {
				t.Fatalf("GET: %s, want [%v]", got.raw, d)
			}
			patch := []map[string]any{
				{"op": "test", "path": "/__v", "value": 0},
				{"op": "replace", "path": "/custom", "value": "changed"},
				{"op": "add", "path": "/foreign_ids/-", "value": "f2"},
				{"op": "copy", "from": "/custom", "path": "/foreign_ids/0"},
				{"op": "move", "from": "/foreign_ids/0", "path": "/foreign_ids/-"},
				{"op": "remove", "path": "/foreign_ids/0"},
			}
			p := e.es(http.MethodPatch, coll+"/"+id, patch)
			mustStatus(t, "PATCH", p, 200)
			if pd := p.obj(); pd["custom"] != "changed" || !equalJSON(pd["foreign_ids"], []any{"f2", "changed"}) || pd["__v"] != json.Number("1") {
				t.Fatalf("PATCH: %s", p.raw)
			}
			for _, bad := range []struct {
				patch any
				code  int
			}{
				{[]map[string]any{{"op": "test", "path": "/__v", "value": 0}, {"op": "replace", "path": "/custom", "value": "x"}}, 409},
				{[]map[string]any{{"op": "replace", "path": "/_id", "value": "x"}}, 400},
				{[]map[string]any{{"op": "replace", "path": "/dealer_id", "value": e.other}}, 400},
				{[]map[string]any{{"op": "add", "path": "/computed/x", "value": 1}}, 400},
				{[]map[string]any{{"op": "replace", "path": "/custom", "value": 5}}, 400},
				{[]map[string]any{{"op": "add", "path": "/nosuchfield", "value": 5}}, 400},
				{[]map[string]any{{"op": "remove", "path": "/nosuchfield"}}, 400},
				{[]map[string]any{{"op": "jump", "path": "/custom"}}, 400},
				{map[string]any{"op": "replace"}, 400},
				{"[", 400},
			} {
				r := e.es(http.MethodPatch, coll+"/"+id, bad.patch)
				if r.code != bad.code || r.obj()["error"] == nil {
					t.Errorf("PATCH %v: %d %s, want %d", bad.patch, r.code, r.raw, bad.code)
				}
			}
			if now := e.es(http.MethodGet, coll+"/"+id, nil).arr()[0].(map[string]any); !equalJSON(now, p.obj()) {
				t.Fatalf("refused patches changed the document: %v", now)
			}
			put := p.obj()
			put["custom"] = "changed2"
			put["__v"] = 0
			mustStatus(t, "PUT stale", e.es(http.MethodPut, coll+"/"+id, put), 409)
			put["__v"] = 1
			r := e.es(http.MethodPut, coll+"/"+id, put)
			mustStatus(t, "PUT", r, 200)
			if r.obj()["__v"] != json.Number("2") || r.obj()["custom"] != "changed2" {
				t.Fatalf("PUT: %s", r.raw)
			}
			// lists
			l := e.list(coll, url.Values{"q": {`{"custom": "changed2", "created_at": {"$lte": "2100-01-01"}}`}, "sort": {"-created_at"}})
			mustStatus(t, "list", l, 200)
			if len(l.arr()) != 1 || l.header.Get("mapp-has-more") != "false" {
				t.Fatalf("list: %s", l.raw)
			}
			l = e.list(coll, url.Values{"q": {`{"custom": {"$ne": "changed2"}}`}})
			if len(l.arr()) != 0 {
				t.Fatalf("list $ne: %s", l.raw)
			}
			l = e.list(coll, url.Values{"project": {"custom"}})
			var keys []string
			for k := range l.arr()[0].(map[string]any) {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !slices.Equal(keys, []string{"_id", "custom"}) {
				t.Fatalf("project: %s", l.raw)
			}
			l = e.list(coll, url.Values{"group_by": {`{"c": "custom"}`}})
			if l.code != 200 || !equalJSON(l.body, []any{map[string]any{"_id": map[string]any{"c": "changed2"}, "count": 1}}) {
				t.Fatalf("group_by: %s", l.raw)
			}
			l = e.list(coll, url.Values{"search": {"custom:changed2 AND foreign_ids:f2"}})
			if len(l.arr()) != 1 {
				t.Fatalf("search: %s", l.raw)
			}
			for _, bad := range []url.Values{{"q": {`{"custom": {"$where": "1"}}`}}, {"q": {`{"nosuch": 1}`}}, {"q": {`[`}},
				{"sort": {"nosuch"}}, {"limit": {"0"}}, {"skip": {"-1"}}, {"project": {"a -b"}}, {"search": {"(custom:x"}}} {
				if r := e.list(coll, bad); r.code != 400 || r.obj()["fields"] == nil {
					t.Errorf("list %v: %d %s", bad, r.code, r.raw)
				}
			}
			// another dealer's key sees nothing of it
			for _, m := range []string{http.MethodGet, http.MethodDelete, http.MethodPut, http.MethodPatch} {
				if r := e.do(e.coKey, m, "/dealers/"+e.dealer+"/"+coll+"/"+id, "[]"); r.code != 404 {
					t.Errorf("%s with Colombia's key: %d", m, r.code)
				}
				if r := e.do(e.coKey, m, "/dealers/"+e.other+"/"+coll+"/"+id, "[]"); r.code != 404 && r.code != 400 {
					t.Errorf("%s through Colombia's dealer: %d %s", m, r.code, r.raw)
				}
			}
			if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/"+coll, nil); r.code != 200 || len(r.arr()) != 0 {
				t.Errorf("Colombia's list: %d %s", r.code, r.raw)
			}
			if r := e.do("", http.MethodGet, "/dealers/"+e.dealer+"/"+coll, nil); r.code != 401 {
				t.Errorf("without a credential: %d", r.code)
			}
			del := e.es(http.MethodDelete, coll+"/"+id, nil)
			if del.code != 200 || !equalJSON(del.body, map[string]any{"_id": id}) {
				t.Fatalf("DELETE: %s", del.raw)
			}
			mustStatus(t, "GET deleted", e.es(http.MethodGet, coll+"/"+id, nil), 404)
		})
	}
	_ = testkit.Now
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	var u, v any
	_ = json.Unmarshal(x, &u)
	_ = json.Unmarshal(y, &v)
	p, _ := json.Marshal(u)
	q, _ := json.Marshal(v)
	return string(p) == string(q)
}
