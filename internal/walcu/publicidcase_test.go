package walcu_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPublicIDsCaseAside: a UUID's text is case-insensitive on input (RFC
// 9562), so every collection's document is found by its _id in upper case
// (in the path and in q), and a body naming a lead or client by its upper
// case id names it; another dealer still gets 404 (docs/decisions.md,
// "Public ids case aside").
func TestPublicIDsCaseAside(t *testing.T) {
	e := newEnv(t)
	ids := e.everyCollection(t)
	for coll, id := range ids {
		up := strings.ToUpper(id)
		r := e.es(http.MethodGet, coll+"/"+up, nil)
		if r.code != http.StatusOK || len(r.arr()) == 0 || r.arr()[0].(map[string]any)["_id"] != id {
			t.Errorf("GET %s/%s: %d %s, want the document %s", coll, up, r.code, r.raw, id)
		}
		if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/"+coll+"/"+up, nil); r.code != http.StatusNotFound {
			t.Errorf("GET %s/%s as another dealer: %d %s", coll, up, r.code, r.raw)
		}
		if coll == "notes" {
			continue // notes are listed by their lead (TestIsolation)
		}
		r = e.list(coll, url.Values{"q": {`{"_id": "` + up + `"}`}})
		if r.code != http.StatusOK || len(r.arr()) != 1 {
			t.Errorf("%s whose _id is %s: %d %s, want one", coll, up, r.code, r.raw)
		}
	}
	lead := strings.ToUpper(ids["saleleads"])
	r := e.es(http.MethodPost, "notes", map[string]any{"lead_id": lead, "content": "en mayúsculas"})
	mustStatus(t, "POST notes naming the lead in upper case", r, 200)
}
