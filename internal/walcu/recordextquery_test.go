package walcu_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestRecordExtQueries: q, sort and group_by on the fields of dates,
// tasks, notes and the communications kept outside the core's columns
// (a date's and a communication's Ext, a task's and a note's extension
// document), compiled to SQL on both engines: a value, a nested field, a
// field through an array, a date compared as a date, $ne on a missing
// field, a sort and a group; the server's fields are still 400; another
// dealer's records are never counted.
func TestRecordExtQueries(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		nl := e.es(http.MethodPost, "saleleads", map[string]any{"car_list": []any{map[string]any{"car": map[string]any{"make": "Seat"}}}})
		mustStatus(t, "a lead of its own", nl, 200)
		lead := nl.obj()["_id"].(string)
		// of the lead: the demo's tasks and notes have no extension
		of := func(q string) string { return `{"$and": [{"lead_id": "` + lead + `"}, ` + q + `]}` }
		post := func(coll string, body map[string]any) string {
			t.Helper()
			body["lead_id"] = lead
			return e.postID(coll, body)
		}
		type made struct{ a, b, c string }
		docs := map[string]made{}
		bodies := func(coll string, i int) map[string]any {
			custom := []string{"alpha", "beta", "alpha"}[i]
			notify := []string{"2026-12-01T09:00:00Z", "2026-12-03T09:00:00Z", "2026-12-05T09:00:00Z"}[i]
			b := map[string]any{"custom": custom, "foreign_ids": []any{"erp-" + custom, "x"}}
			switch coll {
			case "dates":
				b["title"], b["start_date"], b["duration"] = "visita", "2026-12-01T10:00:00Z", 30
				b["notification"] = map[string]any{"notify_at": notify}
			case "tasks":
				b["description"] = "llamar"
				b["bulk_import_ids"] = []any{"bulk-" + custom}
			case "notes":
				b["content"] = "nota"
				b["file_ids"] = []any{"f-" + custom}
			case "conferences":
				b["direction"], b["status"], b["made_at"], b["note"] = "inbound", "completed", "2026-12-01T10:00:00Z", "c"
				b["campaign"] = custom
			case "sms":
				b["direction"], b["body"], b["campaign"] = "outbound-api", "hola", custom
			}
			if i == 2 {
				delete(b, "foreign_ids")
			}
			return b
		}
		colls := []string{"dates", "tasks", "notes", "conferences", "sms"}
		for _, coll := range colls {
			docs[coll] = made{post(coll, bodies(coll, 0)), post(coll, bodies(coll, 1)), post(coll, bodies(coll, 2))}
		}
		ids := func(r resp) []any {
			out := []any{}
			for _, x := range r.arr() {
				out = append(out, at(x, "_id"))
			}
			return out
		}
		set := func(l []any) []any { // in a stable order, for results in no order
			slices.SortFunc(l, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			return l
		}
		for _, coll := range colls {
			m := docs[coll]
			for _, c := range []struct {
				q, sort string
				want    []any
			}{
				{`{"custom": "alpha"}`, "", set([]any{m.a, m.c})},
				{`{"foreign_ids": "erp-beta"}`, "", []any{m.b}},
				{`{"foreign_ids": {"$ne": "x"}}`, "", []any{m.c}},
				{`{"custom": {"$in": ["beta", "gamma"]}}`, "", []any{m.b}},
				{`{"custom": {"$regex": "LPH"}}`, "", set([]any{m.a, m.c})},
				{`{"custom": {"$gt": "alpha"}}`, "", []any{m.b}},
				{`{}`, "-custom", []any{m.b}},
			} {
				r := e.list(coll, url.Values{"q": {of(c.q)}, "sort": {c.sort}})
				got := ids(r)
				if c.sort != "" && len(got) > 0 {
					got = got[:1] // the first; the others tie
				} else {
					got = set(got)
				}
				if r.code != 200 || !equalJSON(got, c.want) {
					t.Errorf("%s q %s sort %q: %d %s, want %v", coll, c.q, c.sort, r.code, r.raw, c.want)
				}
			}
			g := e.list(coll, url.Values{"group_by": {"custom"}, "q": {of("{}")}})
			if g.code != 200 || !equalJSON(g.body, []any{map[string]any{"_id": "alpha", "count": 2}, map[string]any{"_id": "beta", "count": 1}}) {
				t.Errorf("%s group_by custom: %d %s", coll, g.code, g.raw)
			}
			if g := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/"+coll+"?group_by=custom", nil); g.code != 200 || strings.Contains(g.raw, "alpha") {
				t.Errorf("%s: another dealer's groups: %d %s", coll, g.code, g.raw)
			}
			for _, bad := range []url.Values{{"q": {`{"custom.nosuch": "x"}`}}, {"sort": {"foreign_ids"}}, {"q": {`{"custom": 1}`}}} {
				if r := e.list(coll, bad); r.code != 400 || r.obj()["fields"] == nil {
					t.Errorf("%s %v: %d %s", coll, bad, r.code, r.raw)
				}
			}
		}
		// the field of a date compared as a date; a task's and a note's arrays
		if r := e.list("dates", url.Values{"q": {of(`{"notification.notify_at": {"$gte": "2026-12-02"}}`)}, "sort": {"-notification.notify_at"}}); !equalJSON(ids(r), []any{docs["dates"].c, docs["dates"].b}) {
			t.Errorf("dates by notification.notify_at: %s", r.raw)
		}
		if r := e.list("tasks", url.Values{"q": {`{"bulk_import_ids": "bulk-beta"}`}}); !equalJSON(ids(r), []any{docs["tasks"].b}) {
			t.Errorf("tasks by bulk_import_ids: %s", r.raw)
		}
		if r := e.list("notes", url.Values{"q": {`{"file_ids": {"$in": ["f-alpha"]}}`}}); !equalJSON(set(ids(r)), set([]any{docs["notes"].a, docs["notes"].c})) {
			t.Errorf("notes by file_ids: %s", r.raw)
		}
		if r := e.list("tasks", url.Values{"q": {`{"lead_type": "salelead"}`}}); r.code != 400 || at(r.obj(), "fields", "q.lead_type") == nil {
			t.Errorf("a task's lead_type (the server's): %d %s", r.code, r.raw)
		}
	})
}
