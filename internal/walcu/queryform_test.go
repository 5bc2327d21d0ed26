package walcu_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestQueryObjectForms: q and group_by, which the document declares as
// query parameters of type object, are read in the serializations an
// OpenAPI client (form, exploded: ?status.status=new) and an Express
// client (deepObject: ?q[status.status]=new) send, with the answer of the
// JSON form; malformed ones are 400 naming the parameter. Before, each was
// a 400 "unknown parameter" (docs/walcu.md, "Checked from outside", the
// second round), on both engines.
func TestQueryObjectForms(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		ids := func(coll, raw string) []string {
			t.Helper()
			r := e.es(http.MethodGet, coll+"?"+raw, nil)
			mustStatus(t, coll+"?"+raw, r, 200)
			var out []string
			for _, d := range r.arr() {
				out = append(out, d.(map[string]any)["_id"].(string))
			}
			return out
		}
		e.postID("cars", map[string]any{"make": "SEAT", "model": "Ibiza", "year": 2021, "published": true})
		e.postID("cars", map[string]any{"make": "CUPRA", "model": "Born", "year": 2016})
		json := func(q string) string { return "q=" + url.QueryEscape(q) }
		for _, tc := range []struct {
			coll, form, json string
			some             bool // the JSON form finds some of the demo's
		}{
			{"saleleads", "q[status.status]=new", json(`{"status.status":"new"}`), true},
			{"saleleads", "status.status=new", json(`{"status.status":"new"}`), true},
			{"saleleads", "q%5Bstatus.status%5D%5B%24in%5D%5B%5D=new&q%5Bstatus.status%5D%5B%24in%5D%5B%5D=tracing", json(`{"status.status":{"$in":["new","tracing"]}}`), true},
			{"saleleads", "q[status.status][$in][0]=new&q[status.status][$in][1]=end", json(`{"status.status":{"$in":["new","end"]}}`), true},
			{"saleleads", "q[$or][0][status.status]=new&q[$or][1][status.status]=end", json(`{"$or":[{"status.status":"new"},{"status.status":"end"}]}`), true},
			{"saleleads", "q[created_at][$gte]=2000-01-01&status.status=new", json(`{"created_at":{"$gte":"2000-01-01"},"status.status":"new"}`), true},
			{"cars", "q[year][$gte]=2018", json(`{"year":{"$gte":2018}}`), true},
			{"cars", "year=2021", json(`{"year":2021}`), true},
			{"cars", "q[make][$regex]=ea&q[make][$options]=i", json(`{"make":{"$regex":"ea","$options":"i"}}`), true},
			{"cars", "q[make][$exists]=true", json(`{"make":{"$exists":true}}`), true},
			{"cars", "published=true", json(`{"published":true}`), true},
		} {
			want := ids(tc.coll, tc.json+"&limit=50")
			if tc.some && len(want) == 0 {
				t.Fatalf("%s %s: the demo has none", tc.coll, tc.json)
			}
			if got := ids(tc.coll, tc.form+"&limit=50"); !reflect.DeepEqual(got, want) {
				t.Errorf("%s?%s: %v, want %v (%s)", tc.coll, tc.form, got, want, tc.json)
			}
		}
		group := func(raw string) any {
			r := e.es(http.MethodGet, "saleleads?"+raw, nil)
			mustStatus(t, raw, r, 200)
			return r.body
		}
		if got, want := group("group_by[_id]=status.status"), group("group_by=status.status"); !reflect.DeepEqual(got, want) {
			t.Errorf("group_by[_id]: %v, want %v", got, want)
		}
		if got, want := group("group_by[k]=$status.status"), group("group_by="+url.QueryEscape(`{"k":"$status.status"}`)); !reflect.DeepEqual(got, want) {
			t.Errorf("group_by[k]: %v, want %v", got, want)
		}

		for _, tc := range []struct{ path, field string }{
			{"saleleads?q[status.status", "q[status.status"},
			{"saleleads?q[status.status]x=new", "q[status.status]x"},
			{"saleleads?statu=new", "statu"},
			{"saleleads?computed.car_make=SEAT", "q.computed.car_make"}, // a field, not filterable: said so
			{"saleleads?status=new", "q.status"},
			{"saleleads?sort[x]=1", "sort[x]"},
			{"saleleads?q[status.status]=%ff", "q[status.status]"},
			{"saleleads?q[status.status]=a%00", "q[status.status]"},
			{"saleleads?q[status.status]=new&q[status.status]=end", "q[status.status]"},
			{"saleleads?q[status.status]=new&q[status.status][$ne]=end", "q[status.status][$ne]"},
			{"saleleads?q[status.status]=new&" + json(`{}`), "q"},
			{"saleleads?q[status.status]=nuevo", "q.status.status"},
			{"cars?q[year]=abc", "q.year"},
			{"cars?q[make][$exists]=maybe", "q.make.$exists"},
			{"cars?q[make][$in]=SEAT", "q.make.$in"},
			{"saleleads?group_by[a]=status.status&group_by[b]=status.status", "group_by"},
			{"saleleads?group_by[a]=status.status&group_by=status.status", "group_by"},
			{"saleleads/all?group_by[_id]=status.status", "group_by"},
			{"saleleads?q" + strings.Repeat("[a]", 30) + "=1", "q" + strings.Repeat("[a]", 30)},
		} {
			r := e.es(http.MethodGet, tc.path, nil)
			if r.code != 400 || r.obj()["fields"].(map[string]any)[tc.field] == nil {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.path, r.code, r.raw, tc.field)
			}
		}

		// an export takes them too
		r := e.es(http.MethodGet, "saleleads/all?q[status.status]=new", nil)
		if r.code != 200 && r.code != 202 {
			t.Errorf("an export with q[…]: %d %s", r.code, r.raw)
		}
	})
}
