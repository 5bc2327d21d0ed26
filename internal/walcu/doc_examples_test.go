package walcu_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestDocumentExamplesAsWritten: the document's POST examples sent as
// written are 400 on their placeholder dealer_id, changing nothing; with
// the path's dealer, those of the collections kept as documents and of
// the vehicle records are taken, the others answer 400 naming the
// placeholder that is no record or value (docs/walcu.md, "Documents").
// A document shows only the fields it has; a PUT's _id must be the
// path's; dates sort by created_at, every collection by _id
// (TestSortByID).
func TestDocumentExamplesAsWritten(t *testing.T) {
	e := newEnv(t)
	taken := map[string]bool{"cars": true, "chatproviders": true, "chatsessions": true, "clientvehicles": true,
		"leadimporttasks": true, "whatsappsessions": true}
	entries, err := os.ReadDir("schemas")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range entries {
		coll, ok := strings.CutSuffix(f.Name(), ".json")
		if !ok {
			continue
		}
		body := example(t, coll)
		if body == nil {
			continue // appraisalleads: the document shows no POST example
		}
		before := e.list(coll, url.Values{"limit": {"1000"}}).arr()
		r := e.es(http.MethodPost, coll, body)
		if r.code != 400 || !strings.Contains(r.raw, `"dealer_id"`) {
			t.Errorf("%s as written: %d %s", coll, r.code, r.raw)
		}
		body["dealer_id"] = e.dealer
		r = e.es(http.MethodPost, coll, body)
		switch {
		case taken[coll] && r.code != 200:
			t.Errorf("%s with the path's dealer: %d %s", coll, r.code, r.raw)
		case !taken[coll] && (r.code != 400 || !strings.Contains(r.raw, `"fields"`)):
			t.Errorf("%s with the path's dealer: %d %s, want 400 naming a field", coll, r.code, r.raw)
		}
		if !taken[coll] {
			if after := e.list(coll, url.Values{"limit": {"1000"}}).arr(); len(after) != len(before) {
				t.Errorf("%s: %d documents after two refused posts, were %d", coll, len(after), len(before))
			}
		}
	}

	// a lead made through the core shows no field it never had
	r := e.es(http.MethodGet, "saleleads?limit=1", nil)
	mustStatus(t, "saleleads", r, 200)
	lead := r.arr()[0].(map[string]any)
	for _, f := range []string{"custom", "bulk_import_ids", "assigned"} {
		if v, ok := lead[f]; ok {
			t.Errorf("a field never written is shown: %s = %v", f, v)
		}
	}
	if _, ok := lead["computed"].(map[string]any)["client_address"]; !ok {
		t.Errorf("computed lacks a field: %v", lead["computed"])
	}
	r = e.es(http.MethodPut, "saleleads/"+lead["_id"].(string), map[string]any{"_id": "string"})
	if r.code != 400 || !strings.Contains(r.raw, `"_id"`) {
		t.Errorf("PUT with another _id: %d %s", r.code, r.raw)
	}
	for _, q := range []string{"dates?sort=created_at", "dates?sort=-created_at", "saleleads?sort=_id", "cars?sort=-_id", "dates?sort=-updated_at"} {
		if r := e.es(http.MethodGet, q, nil); r.code != 200 {
			t.Errorf("%s: %d %s", q, r.code, r.raw)
		}
	}
}
