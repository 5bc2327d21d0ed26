package walcu_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// WQL's shorthands (docs/walcu.md): status is status.status,
// status.substatus is status.substatus.substatus, car.<field> on saleleads
// is car_list.car.<field>. Each finds exactly what its long form finds (a
// non-empty part of the leads), on both engines; an unknown field is still
// 400 naming it as typed, and q keeps the schema's paths exactly.
func TestWQLShorthands(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		post := func(body map[string]any) {
			t.Helper()
			mustStatus(t, "post a salelead", e.es(http.MethodPost, "saleleads", body), 200)
		}
		car := func(make, plate string, year int) map[string]any {
			return map[string]any{"car": map[string]any{"make": make, "model": "X", "license_plate": plate, "year": year}}
		}
		post(map[string]any{"car_list": []any{car("Seat", "1111AAA", 2022)}})
		post(map[string]any{"car_list": []any{car("Ford", "2222BBB", 2015), car("Seat", "3333CCC", 2019)}})
		post(map[string]any{"car_list": []any{car("Ford", "4444DDD", 2024)}})

		ids := func(search string) []string {
			t.Helper()
			r := e.list("saleleads", url.Values{"search": {search}, "limit": {"50"}})
			mustStatus(t, search, r, 200)
			var out []string
			for _, d := range r.arr() {
				out = append(out, d.(map[string]any)["_id"].(string))
			}
			slices.Sort(out)
			return out
		}
		all := len(ids("_id:*"))
		for _, c := range []struct{ short, long string }{
			{"status:new", "status.status:new"},
			{"status:new,tracing", "status.status:new,tracing"},
			{"NOT status:new", "NOT status.status:new"},
			{"status:!new", "status.status:!new"},
			{"-status:new", "NOT status.status:new"}, // - before a field:value is NOT
			{"-car.make:Seat -status:end", "NOT car_list.car.make:Seat NOT status.status:end"},
			{"status.substatus:sale", "status.substatus.substatus:sale"},
			{"status.substatus:*", "status.substatus.substatus:*"},
			{"car.make:Seat", "car_list.car.make:Seat"},
			{"car.make:~sea", "car_list.car.make:~sea"},
			{"car.license_plate:2222BBB", "car_list.car.license_plate:2222BBB"},
			{"car.year:>2020", "car_list.car.year:>2020"},
			{"status:new AND car.make:Seat", "status.status:new AND car_list.car.make:Seat"}, // the example
			{"(status:end OR car.make:Ford) NOT car.license_plate:4444DDD", "(status.status:end OR car_list.car.make:Ford) NOT car_list.car.license_plate:4444DDD"},
		} {
			short, long := ids(c.short), ids(c.long)
			if len(long) == 0 || len(long) == all {
				t.Errorf("%s finds %d of %d leads: the test tells nothing", c.long, len(long), all)
			}
			if !slices.Equal(short, long) {
				t.Errorf("%s finds %v, %s finds %v", c.short, short, c.long, long)
			}
		}

		for _, c := range []struct{ search, field string }{
			{"statuss:new", "search.statuss"},
			{"status.foo:new", "search.status.foo"},
			{"substatus:sale", "search.substatus"},
			{"car.foo:x", "search.car.foo"},
			{"car:Seat", "search.car"},
			{"car.price:>1", "search.car.price"}, // the long form is not filterable: named as typed
			{"status:nonsense", "search.status"},
		} {
			r := e.list("saleleads", url.Values{"search": {c.search}})
			mustStatus(t, c.search, r, 400)
			if f, _ := r.obj()["fields"].(map[string]any); f[c.field] == nil {
				t.Errorf("%s: the error does not name %s: %s", c.search, c.field, r.raw)
			}
		}
		// the other collections with a status object take it the same way
		for _, coll := range []string{"appraisalleads", "aftersaleleads", "cars"} {
			for _, c := range []struct{ short, long string }{{"status:*", "status.status:*"}, {"-status.substatus:*", "NOT status.substatus.substatus:*"}} {
				short := e.list(coll, url.Values{"search": {c.short}, "project": {"_id"}})
				long := e.list(coll, url.Values{"search": {c.long}, "project": {"_id"}})
				mustStatus(t, coll+" "+c.short, short, 200)
				mustStatus(t, coll+" "+c.long, long, 200)
				if short.raw != long.raw {
					t.Errorf("%s: %s finds %s, %s finds %s", coll, c.short, short.raw, c.long, long.raw)
				}
			}
		}
		// cars have no car_list: car.make is not make
		if r := e.list("cars", url.Values{"search": {"car.make:Seat"}}); r.code != 400 {
			t.Errorf("cars, car.make: %d %s", r.code, r.raw)
		}
		// q names the schema's paths exactly, as MongoDB does
		for _, q := range []string{`{"status": "new"}`, `{"car.make": "Seat"}`} {
			mustStatus(t, "q "+q, e.list("saleleads", url.Values{"q": {q}}), 400)
		}
	})
}
