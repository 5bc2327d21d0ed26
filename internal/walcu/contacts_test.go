package walcu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/core"
)

// TestContacts: contacts are the core's contact persons of a client,
// driven by the document's example body: POST (a client of the dealer
// required), GET, PATCH with each operation and the refused ones, PUT
// with a stale __v, lists with q, sort, project and search, the lead's
// computed client_contacts and client_primary_contact, DELETE.
func TestContacts(t *testing.T) {
	e := newEnv(t)
	ctx, _ := e.admin(t)
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 1})
	if err != nil || len(ls) != 1 {
		t.Fatal(err)
	}
	lead := ls[0]
	co := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.CODealerID}})
	theirs, _, err := e.svc.FindLeads(co, core.Query{Limit: 1})
	if err != nil || len(theirs) != 1 {
		t.Fatal(err)
	}
	body := example(t, "contacts")
	body["dealer_id"] = e.dealer
	body["client_id"] = lead.Client.PublicID
	body["name"] = map[string]any{"first_name": "Ana", "last_name": "Compras", "gender": "female", "parsed": true}
	body["phones"] = []any{"600111222"}
	body["emails"] = []any{"ana@example.com"}
	body["government_id"] = "12345678Z"
	for _, bad := range []struct {
		field string
		value any
	}{
		{"client_id", nil}, {"client_id", theirs[0].Client.PublicID}, {"client_id", "nosuch"}, {"phones", "600"}, {"nosuchfield", 1},
	} {
		b := maps(body)
		b[bad.field] = bad.value
		if r := e.es(http.MethodPost, "contacts", b); r.code != 400 || r.obj()["fields"].(map[string]any)[bad.field] == nil {
			t.Errorf("POST with %s %v: %d %s", bad.field, bad.value, r.code, r.raw)
		}
	}
	if r := e.es(http.MethodPost, "contacts", map[string]any{"client_id": lead.Client.PublicID}); r.code != 400 ||
		r.obj()["fields"].(map[string]any)["name"] == nil {
		t.Errorf("POST of nobody: %d %s", r.code, r.raw)
	}
	created := e.es(http.MethodPost, "contacts", body)
	mustStatus(t, "POST", created, 200)
	d := created.obj()
	id, _ := d["_id"].(string)
	if id == "" || id == "string" || d["__v"] != json.Number("0") || d["client_id"] != lead.Client.PublicID ||
		!equalJSON(d["name"], body["name"]) || !equalJSON(d["phones"], body["phones"]) || d["custom"] != "string" {
		t.Fatalf("POST: %s", created.raw)
	}
	n, err := e.svc.ResolvePublicID(ctx, core.RecordContact, id)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := e.svc.FindContact(ctx, n); err != nil || c.Name != "Ana Compras" || c.ClientID != lead.Client.ID || c.GovID != "12345678Z" {
		t.Fatalf("core contact: %+v %v", c, err)
	}
	got := e.es(http.MethodGet, "contacts/"+id, nil)
	if a := got.arr(); got.code != 200 || len(a) != 1 || !equalJSON(a[0], d) {
		t.Fatalf("GET: %s", got.raw)
	}

	// the lead's computed
	lg := e.es(http.MethodGet, "saleleads/"+lead.PublicID, nil)
	mustStatus(t, "GET lead", lg, 200)
	comp := lg.arr()[0].(map[string]any)["computed"].(map[string]any)
	if cs, _ := comp["client_contacts"].([]any); len(cs) != 1 || cs[0].(map[string]any)["_id"] != id ||
		!equalJSON(comp["client_contacts_names"], []any{"Ana Compras"}) {
		t.Fatalf("client_contacts: %v", comp)
	}
	if p, _ := comp["client_primary_contact"].(map[string]any); p["_id"] != lead.Client.PublicID {
		t.Fatalf("client_primary_contact without a primary contact: %v", comp["client_primary_contact"])
	}

	patch := []map[string]any{
		{"op": "test", "path": "/__v", "value": 0},
		{"op": "replace", "path": "/name/first_name", "value": "Ana María"},
		{"op": "add", "path": "/phones/-", "value": "600333444"},
		{"op": "copy", "from": "/custom", "path": "/foreign_ids/0"},
		{"op": "move", "from": "/foreign_ids/0", "path": "/bulk_import_ids/0"},
		{"op": "remove", "path": "/lead_import_ids"},
	}
	p := e.es(http.MethodPatch, "contacts/"+id, patch)
	mustStatus(t, "PATCH", p, 200)
	if pd := p.obj(); at(pd, "name", "first_name") != "Ana María" || !equalJSON(pd["phones"], []any{"600111222", "600333444"}) ||
		pd["__v"] != json.Number("1") || pd["lead_import_ids"] != nil {
		t.Fatalf("PATCH: %s", p.raw)
	}
	for _, bad := range []struct {
		patch any
		code  int
	}{
		{[]map[string]any{{"op": "test", "path": "/__v", "value": 0}, {"op": "replace", "path": "/custom", "value": "x"}}, 409},
		{[]map[string]any{{"op": "replace", "path": "/_id", "value": "x"}}, 400},
		{[]map[string]any{{"op": "replace", "path": "/client_id", "value": theirs[0].Client.PublicID}}, 400},
		{[]map[string]any{{"op": "replace", "path": "/phones", "value": "x"}}, 400},
		{[]map[string]any{{"op": "add", "path": "/computed/x", "value": 1}}, 400},
	} {
		if r := e.es(http.MethodPatch, "contacts/"+id, bad.patch); r.code != bad.code || r.obj()["error"] == nil {
			t.Errorf("PATCH %v: %d %s, want %d", bad.patch, r.code, r.raw, bad.code)
		}
	}
	put := p.obj()
	put["custom"] = "changed"
	put["__v"] = 0
	mustStatus(t, "PUT stale", e.es(http.MethodPut, "contacts/"+id, put), 409)
	put["__v"] = 1
	if r := e.es(http.MethodPut, "contacts/"+id, put); r.code != 200 || r.obj()["__v"] != json.Number("2") || r.obj()["custom"] != "changed" {
		t.Fatalf("PUT: %s", r.raw)
	}

	for q, want := range map[string]int{
		`{"client_id": "` + lead.Client.PublicID + `", "government_id": "12345678Z"}`: 1,
		`{"client_id": "` + theirs[0].Client.PublicID + `"}`:                          0,
		`{"government_id": {"$in": ["x"]}}`:                                           0,
	} {
		l := e.list("contacts", url.Values{"q": {q}, "sort": {"-created_at"}})
		if l.code != 200 || len(l.arr()) != want {
			t.Errorf("list %s: %s", q, l.raw)
		}
	}
	if l := e.list("contacts", url.Values{"search": {"600333"}, "project": {"client_id"}}); len(l.arr()) != 1 ||
		!equalJSON(l.arr()[0], map[string]any{"_id": id, "client_id": lead.Client.PublicID}) {
		t.Fatalf("search and project: %s", l.raw)
	}
	// fields kept in the contact's Ext (its name object, custom) are
	// compiled to SQL as a date's are (recordextquery.go)
	if l := e.list("contacts", url.Values{"q": {`{"name.first_name": "Ana María", "custom": "changed"}`}, "sort": {"-name.last_name"}}); l.code != 200 ||
		len(l.arr()) != 1 || at(l.arr()[0], "_id") != id {
		t.Errorf("q on the name kept in Ext: %d %s", l.code, l.raw)
	}
	if g := e.list("contacts", url.Values{"group_by": {"name.gender"}}); g.code != 200 ||
		!equalJSON(g.body, []any{map[string]any{"_id": "female", "count": 1}}) {
		t.Errorf("group_by name.gender: %d %s", g.code, g.raw)
	}
	for _, bad := range []url.Values{{"q": {`{"phones.x": "Ana"}`}}, {"q": {`{"nosuch": 1}`}}, {"group_by": {"government_id"}}, {"sort": {"nosuch"}}} {
		if r := e.list("contacts", bad); r.code != 400 || r.obj()["fields"] == nil {
			t.Errorf("list %v: %d %s", bad, r.code, r.raw)
		}
	}
	if g := e.list("contacts", url.Values{"group_by": {`{"client": "client_id"}`}}); g.code != 200 ||
		!equalJSON(g.body, []any{map[string]any{"_id": map[string]any{"client": lead.Client.PublicID}, "count": 1}}) {
		t.Errorf("group_by client_id: %s", g.raw)
	}
	if g := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/contacts?group_by=client_id", nil); g.code != 200 || len(g.arr()) != 0 {
		t.Errorf("Colombia's groups: %d %s", g.code, g.raw)
	}
	if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/contacts", nil); r.code != 200 || len(r.arr()) != 0 {
		t.Errorf("Colombia's list: %d %s", r.code, r.raw)
	}
	del := e.es(http.MethodDelete, "contacts/"+id, nil)
	if del.code != 200 || !equalJSON(del.body, map[string]any{"_id": id}) {
		t.Fatalf("DELETE: %s", del.raw)
	}
	mustStatus(t, "GET deleted", e.es(http.MethodGet, "contacts/"+id, nil), 404)
}
