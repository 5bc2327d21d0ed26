package walcu_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestAppraisalSortByCar: appraisalleads sort by their car's make and
// model (the core vehicle's, whichever API wrote it), both ways, ties by
// creation; a salelead's car_list.car.make (through an array) still does
// not sort (400 naming it).
func TestAppraisalSortByCar(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		e := newEnvOn(t, s)
		for _, c := range [][2]string{{"Seat", "León"}, {"Audi", "A3"}, {"Kia", "Ceed"}, {"Audi", "A1"}, {"Volkswagen", "Golf"}} {
			r := e.es(http.MethodPost, "appraisalleads", map[string]any{"car": map[string]any{"make": c[0], "model": c[1]}})
			mustStatus(t, "post", r, 200)
		}
		cars := func(sort string) []string {
			t.Helper()
			r := e.list("appraisalleads", url.Values{"sort": {sort}, "q": {`{"car.make": {"$exists": true}}`}})
			mustStatus(t, "sort="+sort, r, 200)
			var out []string
			for _, d := range r.arr() {
				out = append(out, at(d, "car", "make").(string)+" "+at(d, "car", "model").(string))
			}
			return out
		}
		byMake := []string{"Audi A1", "Audi A3", "Kia Ceed", "Seat León", "Volkswagen Golf"} // ties newest first (-created_at after)
		if got := cars("car.make -created_at"); !slices.Equal(got, byMake) {
			t.Errorf("sort=car.make: %v, want %v", got, byMake)
		}
		desc := []string{"Volkswagen Golf", "Seat León", "Kia Ceed", "Audi A3", "Audi A1"}
		if got := cars("-car.make created_at"); !slices.Equal(got, desc) {
			t.Errorf("sort=-car.make: %v, want %v", got, desc)
		}
		byModel := []string{"Audi A1", "Audi A3", "Kia Ceed", "Volkswagen Golf", "Seat León"}
		if got := cars("car.model"); !slices.Equal(got, byModel) {
			t.Errorf("sort=car.model: %v, want %v", got, byModel)
		}
		if r := e.list("saleleads", url.Values{"sort": {"car_list.car.make"}}); r.code != 400 {
			t.Errorf("saleleads sort=car_list.car.make: %d %s", r.code, r.raw)
		}
	})
}
