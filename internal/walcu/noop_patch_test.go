package walcu_test

import (
	"net/http"
	"testing"

	"forecourt/internal/core"
)

// TestPatchThatChangesNothing: a JSON Patch whose result is the document
// as read (an empty patch, test operations only, a value replaced by
// itself) answers the document and writes nothing: the same __v and
// updated_at, no new entry in the lead's history. A lead made by another
// API (the demo's, as SML makes them) was written anew with this API's
// empty fields and a "Lead modificado" entry naming them.
func TestPatchThatChangesNothing(t *testing.T) {
	e := newEnv(t)
	ctx, _ := e.admin(t)
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 1})
	if err != nil || len(ls) != 1 {
		t.Fatalf("demo leads: %v", err)
	}
	lead := ls[0]
	_, before, err := e.svc.LeadHistory(ctx, lead.ID, true, core.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := e.es(http.MethodGet, "saleleads/"+lead.PublicID, nil)
	mustStatus(t, "get", r, 200)
	got := r.arr()[0].(map[string]any)
	v, updated, status := num(got["__v"]), got["updated_at"], at(got, "status", "status")
	for _, patch := range [][]any{
		{},
		{map[string]any{"op": "test", "path": "/__v", "value": got["__v"]}},
		{map[string]any{"op": "replace", "path": "/status/status", "value": status}},
	} {
		r := e.es(http.MethodPatch, "saleleads/"+lead.PublicID, patch)
		mustStatus(t, "a patch that changes nothing", r, 200)
		if num(r.obj()["__v"]) != v || r.obj()["updated_at"] != updated || r.obj()["_id"] != lead.PublicID {
			t.Fatalf("%v: %s, want __v %s and updated_at %v", patch, r.raw, v, updated)
		}
	}
	after, err := e.svc.FindLead(ctx, lead.ID)
	if err != nil || after.Version != lead.Version {
		t.Fatalf("the core's lead: version %d, was %d (%v)", after.Version, lead.Version, err)
	}
	if _, n, err := e.svc.LeadHistory(ctx, lead.ID, true, core.Page{Limit: 1}); err != nil || n != before {
		t.Fatalf("history: %d entries, was %d (%v)", n, before, err)
	}
	// a patch that changes something still writes
	r = e.es(http.MethodPatch, "saleleads/"+lead.PublicID, []any{map[string]any{"op": "add", "path": "/custom", "value": "x"}})
	mustStatus(t, "a patch that changes something", r, 200)
	if num(r.obj()["__v"]) == v {
		t.Fatalf("changed without a new version: %s", r.raw)
	}
}
