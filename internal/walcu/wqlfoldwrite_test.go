package walcu_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestWQLFoldsCaseAfterWrites: a vehicle changed through SML (its
// brand_model) and through Walcu (a salelead's car: make, model, plate,
// VIN) is found case aside by its new values and no longer by its old ones:
// the store rewrites the lower-cased copies WQL reads on SQLite (migration
// 0055's fold columns) wherever it writes the vehicle. Both engines.
func TestWQLFoldsCaseAfterWrites(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		e := newEnvOn(t, s)
		c := newSMLLead(t, e)
		sml := c.create("SEAT Ibiza")
		r := e.es(http.MethodPost, "saleleads", map[string]any{"car_list": []any{map[string]any{"car": map[string]any{
			"make": "Seat", "model": "Arona", "license_plate": "1111AAA", "vin": "VSSZZZ6JZ00000011"}}}})
		mustStatus(t, "post saleleads", r, 200)
		walcu := r.obj()["_id"].(string)

		c.rename(sml, "KIA Niro")
		r = e.es(http.MethodPatch, "saleleads/"+walcu, []any{map[string]any{"op": "replace", "path": "/car_list/0/car",
			"value": map[string]any{"make": "POLESTAR", "model": "Precept", "license_plate": "2222BBB", "vin": "VSSZZZ6JZ00000022"}}})
		mustStatus(t, "patch saleleads car", r, 200)

		for search, want := range map[string][]string{
			"car.make:seat":                       nil,
			"car.model:ibiza":                     nil,
			"car.model:arona":                     nil,
			"car.license_plate:1111aaa":           nil,
			"car.vin:vsszzz6jz00000011":           nil,
			"car.make:kia":                        {sml},
			"car.model:niro":                      {sml},
			"car.make:polestar":                   {walcu},
			"car.model:precept":                   {walcu},
			"car.license_plate:2222bbb":           {walcu},
			"car.vin:vsszzz6jz00000022":           {walcu},
			"car.make:Kia,polestar":               sortedIDs(sml, walcu),
			"car.make:polestar car.model:PRECEPT": {walcu},
		} {
			if got := listIDs(t, e, "saleleads", url.Values{"search": {search}, "limit": {"50"}}); !slices.Equal(got, want) {
				t.Errorf("search=%s: got %v, want %v", search, got, want)
			}
		}
		// q's $eq stays exact after the writes
		if got := listIDs(t, e, "saleleads", url.Values{"q": {`{"car_list.car.make": "POLESTAR"}`}}); !slices.Equal(got, []string{walcu}) {
			t.Errorf("q make POLESTAR: %v", got)
		}
		if got := listIDs(t, e, "saleleads", url.Values{"q": {`{"car_list.car.make": "polestar"}`}}); len(got) != 0 {
			t.Errorf("q make polestar: %v, want none", got)
		}
	})
}

func sortedIDs(ids ...string) []string { slices.Sort(ids); return ids }
