package walcu_test

import (
	"net/url"
	"slices"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestWQLFoldsCase: WQL's field:value on a lead's car's make, model,
// plate and VIN compares case aside (docs/walcu.md, "WQL compares text
// case aside"), on the vehicle (the first car, whichever API wrote it) and
// on the further cars of a salelead's car_list, accents kept; q's $eq stays
// exact (MongoDB's meaning). Both engines.
func TestWQLFoldsCase(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		e := newEnvOn(t, s)
		c := newSMLLead(t, e)
		post := e.postID
		sale := func(cars ...map[string]any) string {
			var list []any
			for _, c := range cars {
				list = append(list, map[string]any{"car": c})
			}
			return post("saleleads", map[string]any{"car_list": list})
		}
		upper := c.create("SEAT Ibiza")                                                            // SML: the vehicle's make "SEAT"
		title := sale(map[string]any{"make": "Seat", "model": "León", "license_plate": "1234ABC"}) // Walcu: the first car
		further := sale(map[string]any{"make": "Kia", "model": "Ceed"},
			map[string]any{"make": "seat", "model": "Arona", "license_plate": "7777XYZ", "vin": "VSSZZZ6JZ00000001"}) // a further car
		kia := sale(map[string]any{"make": "KIA", "model": "Niro", "vin": "KNA000000000000N1"})
		_ = c.create("Škoda Octavia")
		ids := func(params url.Values) []string { t.Helper(); return listIDs(t, e, "saleleads", params) }
		sorted := func(s ...string) []string { slices.Sort(s); return s }
		for search, want := range map[string][]string{
			"car.make:seat":                           sorted(upper, title, further),
			"car.make:SEAT":                           sorted(upper, title, further),
			"car.make:Seat":                           sorted(upper, title, further),
			"status:new AND car.make:seat":            sorted(upper, title, further), // the example
			"car.make:seat,kia":                       sorted(upper, title, further, kia),
			"car.make:!seat":                          nil, // filled below: every lead but the three
			"car.model:león":                          {title},
			"car.model:LEÓN":                          {title},
			"car.model:leon":                          nil, // accents are kept
			"car.license_plate:1234abc":               {title},
			"car.license_plate:7777xyz":               {further},
			"car.vin:vsszzz6jz00000001":               {further},
			"car.vin:kna000000000000n1":               {kia},
			"car.make:škoda":                          nil, // filled below
			"car.make:seat car.license_plate:7777xyz": {further},
		} {
			switch search {
			case "car.make:!seat":
				all := ids(url.Values{"limit": {"50"}})
				want = slices.DeleteFunc(all, func(id string) bool { return id == upper || id == title || id == further })
			case "car.make:škoda":
				want = ids(url.Values{"q": {`{"car_list.car.make": "Škoda"}`}})
				if len(want) != 1 {
					t.Fatalf("q on Škoda: %v", want)
				}
			}
			if got := ids(url.Values{"search": {search}, "limit": {"50"}}); !slices.Equal(got, want) {
				t.Errorf("search=%s: got %v, want %v", search, got, want)
			}
		}
		// an enumeration is stored in one case: another case is 400
		if r := e.list("saleleads", url.Values{"search": {"status:NEW"}}); r.code != 400 {
			t.Errorf("search=status:NEW: %d %s, want 400", r.code, r.raw)
		}
		// q's $eq is exact, MongoDB's meaning
		for q, want := range map[string][]string{
			`{"car_list.car.make": "seat"}`:             {further},
			`{"car_list.car.make": "SEAT"}`:             {upper},
			`{"car_list.car.make": {"$in": ["Seat"]}}`:  {title},
			`{"car_list.car.license_plate": "1234abc"}`: nil,
			`{"car_list.car.vin": "VSSZZZ6JZ00000001"}`: {further},
			`{"car_list.car.make": {"$ne": "seat"}}`:    nil, // every lead but further
		} {
			if q == `{"car_list.car.make": {"$ne": "seat"}}` {
				all := ids(url.Values{"limit": {"50"}})
				want = slices.DeleteFunc(all, func(id string) bool { return id == further })
			}
			if got := ids(url.Values{"q": {q}, "limit": {"50"}}); !slices.Equal(got, want) {
				t.Errorf("q=%s: got %v, want %v", q, got, want)
			}
		}
		// an appraisal lead's car
		golf := post("appraisalleads", map[string]any{"car": map[string]any{"make": "Volkswagen", "model": "Golf", "license_plate": "5555GGG"}})
		for _, search := range []string{"car.make:volkswagen", "car.make:VOLKSWAGEN", "car.license_plate:5555ggg"} {
			r := e.list("appraisalleads", url.Values{"search": {search}})
			mustStatus(t, search, r, 200)
			if got := r.arr(); len(got) != 1 || at(got[0], "_id") != golf {
				t.Errorf("appraisalleads search=%s: %s", search, r.raw)
			}
		}
		if r := e.list("appraisalleads", url.Values{"q": {`{"car.make": "volkswagen"}`}}); len(r.arr()) != 0 {
			t.Errorf("appraisalleads q exact: %s", r.raw)
		}
	})
}

// listIDs are the _ids of the documents of coll's list for params,
// sorted.
func listIDs(t *testing.T, e *env, coll string, params url.Values) []string {
	t.Helper()
	r := e.list(coll, params)
	mustStatus(t, params.Encode(), r, 200)
	var out []string
	for _, d := range r.arr() {
		out = append(out, d.(map[string]any)["_id"].(string))
	}
	slices.Sort(out)
	return out
}
