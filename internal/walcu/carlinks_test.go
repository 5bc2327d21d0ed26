package walcu_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// searchBoth is the _ids of coll's leads search finds through Walcu and
// through the core's search (as SML's list compiles its own), in the
// dealer of ctx.
func (e *env) searchBoth(t *testing.T, ctx context.Context, coll, search string) (walcu, viaCore []string) {
	t.Helper()
	r := e.list(coll, url.Values{"search": {search}, "project": {"_id"}})
	mustStatus(t, "search "+search, r, 200)
	for _, d := range r.arr() {
		walcu = append(walcu, d.(map[string]any)["_id"].(string))
	}
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.And(core.Eq("dealer", e.fx.DealerID), core.Match(search)), Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		viaCore = append(viaCore, l.PublicID)
	}
	return walcu, viaCore
}

// TestCarLinks: a salelead's car_list[0].car_id links the lead's vehicle
// to that stock car (core.Vehicle.RecordID), on both engines: the car's
// computed.car_number_of_saleleads and car_last_salelead_date count its
// saleleads when read (after a creation, a relink, a deletion); the
// lead's search (Walcu's WQL and the core's search SML uses) finds the
// car's plate and VIN, current after the car's plate changes, the lead is
// relinked or the car is deleted; another dealer's car, a clientvehicle
// or an unknown id is 400 naming car_list.0.car_id and changes nothing; a
// deleted car leaves its leads unlinked, still read and written.
func TestCarLinks(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		ctx := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.DealerID}})
		postCar := func(key, dealer string, body map[string]any) string {
			t.Helper()
			r := e.do(key, http.MethodPost, "/dealers/"+dealer+"/cars", body)
			mustStatus(t, "POST car", r, 200)
			return r.obj()["_id"].(string)
		}
		carA := postCar(e.esKey, e.dealer, map[string]any{"make": "Seat", "model": "León", "license_plate": "4821KLM", "vin": "VSSZZZ5FZRQ777001"})
		carB := postCar(e.esKey, e.dealer, map[string]any{"make": "Cupra", "model": "Born", "license_plate": "7310JHB", "vin": "VSSZZZK1ZRQ777002"})
		carCO := postCar(e.coKey, e.other, map[string]any{"make": "Kia", "model": "Rio", "license_plate": "QWE123", "vin": "KNAZZZ000RQ777003"})
		sale := func(carID string) map[string]any {
			return map[string]any{"car_list": []any{map[string]any{"car_id": carID, "car": map[string]any{"make": "Seat", "model": "León"}}}}
		}
		postLead := func(body map[string]any) (string, string) {
			t.Helper()
			r := e.es(http.MethodPost, "saleleads", body)
			mustStatus(t, "POST salelead", r, 200)
			return r.obj()["_id"].(string), r.obj()["created_at"].(string)
		}
		counted := func(car string, want int, last string) {
			t.Helper()
			r := e.es(http.MethodGet, "cars/"+car, nil)
			mustStatus(t, "GET car", r, 200)
			c, _ := r.arr()[0].(map[string]any)["computed"].(map[string]any)
			if num(c["car_number_of_saleleads"]) != strconv.Itoa(want) || (last != "" && c["car_last_salelead_date"] != last) ||
				(want == 0 && c["car_last_salelead_date"] != nil) {
				t.Errorf("car %s: computed %v, want %d saleleads, the last at %q", car, c, want, last)
			}
		}
		found := func(search string, want ...string) {
			t.Helper()
			got, core := e.searchBoth(t, ctx, "saleleads", search)
			slices.Sort(got)
			slices.Sort(core)
			slices.Sort(want)
			if !slices.Equal(got, want) || !slices.Equal(core, want) {
				t.Errorf("search %q: Walcu %v, the core %v, want %v", search, got, core, want)
			}
		}
		record := func(lead string) *int64 {
			t.Helper()
			n, err := e.svc.ResolvePublicID(ctx, core.RecordLead, lead)
			if err != nil {
				t.Fatal(err)
			}
			l, err := e.svc.FindLead(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			return l.Vehicle.RecordID
		}
		recordID := func(car string) int64 {
			n, err := e.svc.ResolvePublicID(ctx, core.RecordVehicle, car)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		counted(carA, 0, "")
		l1, at1 := postLead(sale(carA))
		if r := record(l1); r == nil || *r != recordID(carA) {
			t.Fatalf("the lead's vehicle is not linked to car A: %v", r)
		}
		counted(carA, 1, at1)
		l2, at2 := postLead(sale(carA))
		counted(carA, 2, at2)
		counted(carB, 0, "")
		found("4821klm", l1, l2)
		found("5FZRQ777", l1, l2)
		found("7310jhb")

		// relinked: PATCH of car_id
		r := e.es(http.MethodPatch, "saleleads/"+l2, []any{map[string]any{"op": "replace", "path": "/car_list/0/car_id", "value": carB}})
		mustStatus(t, "relink", r, 200)
		if at(r.obj(), "computed", "car_license_plate") != "7310JHB" {
			t.Errorf("relinked lead's computed: %v", r.obj()["computed"])
		}
		counted(carA, 1, at1)
		counted(carB, 1, at2)
		found("4821KLM", l1)
		found("7310jhb", l2)

		// the car's plate changes: the search follows it
		mustStatus(t, "PATCH car", e.es(http.MethodPatch, "cars/"+carA, []any{map[string]any{"op": "replace", "path": "/license_plate", "value": "5599XYZ"}}), 200)
		found("5599xyz", l1)
		found("4821klm")

		// no such car of the dealer: 400 naming car_id, nothing changes
		before := e.list("saleleads", url.Values{"limit": {"50"}})
		v1 := num(e.es(http.MethodGet, "saleleads/"+l1, nil).arr()[0].(map[string]any)["__v"])
		cv := e.es(http.MethodPost, "clientvehicles", map[string]any{"make": "Toyota", "license_plate": "1111TTT"})
		mustStatus(t, "POST clientvehicle", cv, 200)
		for name, id := range map[string]string{"another dealer's car": carCO, "a clientvehicle": cv.obj()["_id"].(string), "unknown": "string"} {
			r := e.es(http.MethodPost, "saleleads", sale(id))
			if fs, _ := r.obj()["fields"].(map[string]any); r.code != 400 || fs["car_list.0.car_id"] == nil {
				t.Errorf("POST with %s: %d %s, want 400 naming car_list.0.car_id", name, r.code, r.raw)
			}
			r = e.es(http.MethodPatch, "saleleads/"+l1, []any{map[string]any{"op": "replace", "path": "/car_list/0/car_id", "value": id}})
			if fs, _ := r.obj()["fields"].(map[string]any); r.code != 400 || fs["car_list.0.car_id"] == nil {
				t.Errorf("PATCH with %s: %d %s, want 400 naming car_list.0.car_id", name, r.code, r.raw)
			}
		}
		if after := e.list("saleleads", url.Values{"limit": {"50"}}); len(after.arr()) != len(before.arr()) {
			t.Errorf("refused saleleads were stored: %d, then %d", len(before.arr()), len(after.arr()))
		}
		if v := num(e.es(http.MethodGet, "saleleads/"+l1, nil).arr()[0].(map[string]any)["__v"]); v != v1 {
			t.Errorf("a refused PATCH changed the lead: __v %s, then %s", v1, v)
		}
		if r := record(l1); r == nil || *r != recordID(carA) {
			t.Errorf("a refused PATCH changed the link: %v", r)
		}
		// Colombia sees neither Spain's leads by the plate nor their counts
		if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/saleleads?search=7310jhb", nil); r.code != 200 || len(r.arr()) != 0 {
			t.Errorf("Colombia's search of Spain's plate: %d %s", r.code, r.raw)
		}
		if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/cars/"+carCO, nil); r.code != 200 ||
			num(at(r.arr()[0], "computed", "car_number_of_saleleads")) != "0" {
			t.Errorf("Colombia's car: %d %s", r.code, r.raw)
		}

		// the car is deleted: its lead is unlinked, not broken
		mustStatus(t, "DELETE car A", e.es(http.MethodDelete, "cars/"+carA, nil), 200)
		if r := record(l1); r != nil {
			t.Errorf("the lead of a deleted car is still linked to %d", *r)
		}
		found("5599xyz")
		r = e.es(http.MethodPatch, "saleleads/"+l1, []any{map[string]any{"op": "add", "path": "/custom", "value": "kept"}})
		mustStatus(t, "PATCH a lead whose car is gone (its car_id kept as written)", r, 200)
		if at(r.obj(), "car_list", "0", "car_id") != carA || at(r.obj(), "computed", "car_make") != "Seat" {
			t.Errorf("the lead of a deleted car: %s", r.raw)
		}
		// a lead deleted no longer counts
		mustStatus(t, "DELETE lead", e.es(http.MethodDelete, "saleleads/"+l2, nil), 200)
		counted(carB, 0, "")
		if l := e.list("cars", url.Values{"q": {`{"_id": "` + carB + `"}`}}); len(l.arr()) != 1 || num(at(l.arr()[0], "computed", "car_number_of_saleleads")) != "0" {
			t.Errorf("cars listed: %s", l.raw)
		}
	})
}
