package walcu_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// hostileValues replace one field of a body at a time: text that is no
// text, numbers out of range, other types, nesting.
var hostileValues = []string{`"\udc00"`, `"a\ud800b"`, `"a\u0000"`, `9223372036854775808`, `1e400`, `-0`, `null`, `[]`, `{}`, `[[[[[[[[["x"]]]]]]]]]`, `"10000-01-01"`}

// leafPaths lists the JSON Pointers of every leaf (and empty container)
// of v.
func leafPaths(v any, at string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			*out = append(*out, at)
		}
		for k, e := range x {
			leafPaths(e, at+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), out)
		}
	case []any:
		if len(x) == 0 {
			*out = append(*out, at)
		}
		for i, e := range x {
			leafPaths(e, at+"/"+strconv.Itoa(i), out)
		}
	default:
		*out = append(*out, at)
	}
}

// replaceAt returns body's JSON with the value at pointer replaced by the
// JSON text raw.
func replaceAt(t *testing.T, body map[string]any, pointer, raw string) string {
	t.Helper()
	const mark = "\x01hostile\x01"
	var cp any
	b, _ := json.Marshal(body)
	if err := json.Unmarshal(b, &cp); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(pointer, "/")[1:]
	cur := cp
	for i, p := range parts {
		p = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = mark
			}
			cur = c[p]
		case []any:
			n, _ := strconv.Atoi(p)
			if last {
				c[n] = mark
			}
			cur = c[n]
		}
	}
	out, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(out), `"\u0001hostile\u0001"`, raw, 1)
}

// TestHostileFields replaces every field of a body of each kind of
// collection — a document of the core's records as read (a salelead, a
// client, a note) and a document collection's example (chatproviders,
// leadimporttasks) — by each hostile value, sent as a POST, a PUT and a
// JSON Patch: never a 500, a lone surrogate always a 400, every answer
// JSON that Go reads (found checking from outside: a patch replacing a
// list's item by null answered 500; surrogates were stored as U+FFFD; a
// number 1e400 was kept and answered as written), on both engines.
func TestHostileFields(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of requests")
	}
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		server := map[string]bool{"_id": true, "__v": true, "dealer_id": true, "created_at": true, "updated_at": true, "updated_by": true, "computed": true}
		for _, coll := range []string{"saleleads", "clients", "notes", "chatproviders", "leadimporttasks"} {
			var base map[string]any
			var id string
			if docs := e.list(coll, url.Values{"limit": {"1"}}).arr(); len(docs) == 1 {
				base = docs[0].(map[string]any)
				id = base["_id"].(string)
				for k := range server {
					delete(base, k)
				}
			} else {
				base = example(t, coll)
				base["dealer_id"] = e.dealer
				r := e.es(http.MethodPost, coll, base)
				mustStatus(t, coll+": the example", r, 200)
				id = r.obj()["_id"].(string)
			}
			var paths []string
			leafPaths(base, "", &paths)
			n := 0
			for _, p := range paths {
				for _, v := range hostileValues {
					body := replaceAt(t, base, p, v)
					patch := fmt.Sprintf(`[{"op":"replace","path":%q,"value":%s}]`, p, v)
					for _, rq := range []struct{ method, path, body string }{
						{http.MethodPost, coll, body},
						{http.MethodPut, coll + "/" + id, body},
						{http.MethodPatch, coll + "/" + id, patch},
					} {
						n++
						r := e.es(rq.method, rq.path, rq.body)
						if r.code >= 500 || (strings.Contains(v, `\ud`) && r.code < 300) {
							t.Errorf("%s %s with %s = %s: %d %.200s", rq.method, coll, p, v, r.code, r.raw)
						}
					}
				}
			}
			t.Logf("%s: %d requests", coll, n)
		}
	})
}
