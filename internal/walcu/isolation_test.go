package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/core"
)

// TestIsolation: for every collection and every operation, a credential
// of another dealer gets 404 on this dealer's path (lists, searches and
// creations included) and 404 for this dealer's documents on its own
// path, sees none of them in its lists, and changes nothing.
func TestIsolation(t *testing.T) {
	e := newEnv(t)
	ids := e.everyCollection(t)
	patch := []any{map[string]any{"op": "add", "path": "/custom", "value": "theirs"}}
	for coll, id := range ids {
		mine := "/dealers/" + e.dealer + "/" + coll
		theirs := "/dealers/" + e.other + "/" + coll
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, mine + "/" + id, nil},
			{http.MethodGet, mine, nil},
			{http.MethodGet, mine + "?search=a", nil},
			{http.MethodGet, mine + "/all", nil},
			{http.MethodPost, mine, map[string]any{"custom": "theirs"}},
			{http.MethodPut, mine + "/" + id, map[string]any{"custom": "theirs"}},
			{http.MethodPatch, mine + "/" + id, patch},
			{http.MethodDelete, mine + "/" + id, nil},
			{http.MethodGet, theirs + "/" + id, nil},
			{http.MethodPut, theirs + "/" + id, map[string]any{"custom": "theirs"}},
			{http.MethodPatch, theirs + "/" + id, patch},
			{http.MethodDelete, theirs + "/" + id, nil},
		} {
			if r := e.do(e.coKey, c.method, c.path, c.body); r.code != http.StatusNotFound {
				t.Errorf("%s %s as another dealer: %d %s", c.method, c.path, r.code, r.raw)
			}
		}
		q := url.Values{"q": {`{"_id": "` + id + `"}`}}
		if coll == "notes" {
			q = url.Values{"limit": {"1000"}}
		}
		r := e.do(e.coKey, http.MethodGet, theirs+"?"+q.Encode(), nil)
		mustStatus(t, "their list of "+coll, r, 200)
		for _, x := range r.arr() {
			if x.(map[string]any)["_id"] == id {
				t.Errorf("%s: another dealer lists %s", coll, id)
			}
		}
		got := e.es(http.MethodGet, coll+"/"+id, nil)
		mustStatus(t, "GET "+coll, got, 200)
		if d := got.arr()[0].(map[string]any); num(d["__v"]) != "0" || d["custom"] == "theirs" {
			t.Errorf("%s changed by another dealer: %s", coll, got.raw)
		}
	}
}

// everyCollection makes a document in every collection but contacts, of
// Spain's dealer, and returns their ids by collection.
func (e *env) everyCollection(t *testing.T) map[string]string {
	t.Helper()
	ctx, _ := e.admin(t)
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Sort: []core.Sort{{Field: "id"}}, Limit: 1})
	if err != nil || len(ls) != 1 {
		t.Fatal(err)
	}
	lead := ls[0]
	ids := map[string]string{}
	for _, coll := range documentCollections {
		body := example(t, coll)
		body["dealer_id"] = e.dealer
		if _, ok := body["client_id"]; ok {
			body["client_id"] = lead.Client.PublicID
		}
		if _, ok := body["lead_id"]; ok {
			body["lead_id"] = lead.PublicID
		}
		r := e.es(http.MethodPost, coll, body)
		mustStatus(t, "POST "+coll, r, 200)
		ids[coll] = r.obj()["_id"].(string)
	}
	for coll := range commCollections {
		r := e.es(http.MethodPost, coll, map[string]any{"lead_id": lead.PublicID})
		mustStatus(t, "POST "+coll, r, 200)
		ids[coll] = r.obj()["_id"].(string)
	}
	for coll, body := range map[string]map[string]any{
		"saleleads":      {"car_list": []any{map[string]any{"car": map[string]any{"make": "Seat"}}}},
		"appraisalleads": {"car": map[string]any{"make": "Ford"}},
		"aftersaleleads": {"vehicle_id": ids["clientvehicles"]},
		"clients":        {"primary_contact": map[string]any{"name": map[string]any{"first_name": "Isolda"}, "phones": []any{"699888777"}}},
		"dates":          {"lead_id": lead.PublicID, "start_date": "2026-12-03T10:00:00Z"},
		"tasks":          {"lead_id": lead.PublicID, "description": "aislada"},
		"notes":          {"lead_id": lead.PublicID, "content": "aislada"},
		"contacts":       {"client_id": lead.Client.PublicID, "name": map[string]any{"first_name": "Aislada"}},
	} {
		r := e.es(http.MethodPost, coll, body)
		mustStatus(t, "POST "+coll, r, 200)
		ids[coll] = r.obj()["_id"].(string)
	}
	if len(ids) != 20 { // every collection
		t.Fatalf("made %d collections' documents", len(ids))
	}
	return ids
}
