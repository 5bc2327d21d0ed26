package walcu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestCarAmounts: a car with a negative price or mileage, or a mileage
// with a fraction, is a 400 naming the car's field and stores nothing,
// for every car of a salelead's car_list and an appraisallead's car, a
// stock car's prices of every kind, a client vehicle's declared mileages
// and a repair order's mileage, on POST and PATCH; a fractional price
// (cents) is a price
// (docs/walcu.md, "Checked from outside", the second round), on both
// engines. Before, they were stored as given.
func TestCarAmounts(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		car := func(fields map[string]any) map[string]any {
			c := map[string]any{"make": "SEAT", "model": "León"}
			for k, v := range fields {
				c[k] = v
			}
			return c
		}
		count := func(coll string) int {
			r := e.list(coll, url.Values{"limit": {"50"}})
			mustStatus(t, "list "+coll, r, 200)
			return len(r.arr())
		}
		sales, appraisals := count("saleleads"), count("appraisalleads")
		for _, tc := range []struct {
			coll  string
			body  map[string]any
			field string
		}{
			{"saleleads", map[string]any{"car_list": []any{map[string]any{"car": car(map[string]any{"price": -1})}}}, "car_list.0.car.price"},
			{"saleleads", map[string]any{"car_list": []any{map[string]any{"car": car(map[string]any{"mileage": -4})}}}, "car_list.0.car.mileage"},
			{"saleleads", map[string]any{"car_list": []any{map[string]any{"car": car(map[string]any{"mileage": 1.5})}}}, "car_list.0.car.mileage"},
			{"saleleads", map[string]any{"car_list": []any{map[string]any{"car": car(nil)}, map[string]any{"car": car(map[string]any{"price": -0.5})}}}, "car_list.1.car.price"},
			{"appraisalleads", map[string]any{"car": car(map[string]any{"mileage": -3})}, "car.mileage"},
			{"cars", car(map[string]any{"prices": map[string]any{"financed": map[string]any{"current_price": map[string]any{"price": -5}}}}), "prices.financed.current_price.price"},
			{"cars", car(map[string]any{"prices": map[string]any{"retail": map[string]any{"previous_prices": []any{map[string]any{"price": 1}, map[string]any{"price": -5}}}}}), "prices.retail.previous_prices.1.price"},
			{"cars", car(map[string]any{"mileage": 10.5}), "mileage"},
			{"clientvehicles", car(map[string]any{"declared_mileage_history": []any{map[string]any{"mileage": -100, "date": "2026-01-01"}}}), "declared_mileage_history.0.mileage"},
			{"repairorders", map[string]any{"mileage": -1}, "mileage"},
		} {
			r := e.es(http.MethodPost, tc.coll, tc.body)
			if r.code != 400 || !strings.Contains(r.raw, `"`+tc.field+`"`) {
				t.Errorf("POST %s %v: %d %s, want 400 naming %s", tc.coll, tc.body, r.code, r.raw, tc.field)
			}
		}
		// a whole mileage written as 1e3 is a mileage; an item of
		// equipment may cost less than nothing (a discount)
		r := e.es(http.MethodPost, "cars", car(map[string]any{"mileage": json.Number("1e3"), "equipment": []any{map[string]any{"price": -3}}}))
		mustStatus(t, "a car of mileage 1e3", r, 200)
		if got := r.obj()["mileage"]; got != json.Number("1000") {
			t.Errorf("mileage 1e3: %v", got)
		}
		if got := count("saleleads"); got != sales {
			t.Errorf("%d saleleads after refused posts, were %d", got, sales)
		}
		if got := count("appraisalleads"); got != appraisals {
			t.Errorf("%d appraisalleads after refused posts, were %d", got, appraisals)
		}

		id := e.postID("saleleads", map[string]any{"car_list": []any{map[string]any{"car": car(map[string]any{"price": 21000.5, "mileage": 15000})}}})
		for _, tc := range []struct{ path, field string }{{"/car_list/0/car/mileage", "car_list.0.car.mileage"}, {"/car_list/0/car/price", "car_list.0.car.price"}} {
			r := e.es(http.MethodPatch, "saleleads/"+id, []any{map[string]any{"op": "replace", "path": tc.path, "value": -7}})
			if r.code != 400 || !strings.Contains(r.raw, `"`+tc.field+`"`) {
				t.Errorf("PATCH %s to -7: %d %s", tc.path, r.code, r.raw)
			}
		}
		got := e.es(http.MethodGet, "saleleads/"+id, nil).body
		if c := at(got, "0", "car_list", "0", "car"); at(c, "price") != json.Number("21000.5") || at(c, "mileage") != json.Number("15000") {
			t.Errorf("the car after refused patches: %v", c)
		}

		// the core's rule, whatever API writes: SML's texts that are
		// negative numbers; its other texts stay texts
		ctx := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.DealerID}})
		l, err := e.svc.FindLead(ctx, mustResolve(t, ctx, e, core.RecordLead, id))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"-5", " -1e3"} {
			if _, err := e.svc.UpdateLead(ctx, l.ID, core.LeadPatch{Vehicle: &core.VehiclePatch{ID: &l.Vehicle.ID, Km: core.Value(s)}}); core.ErrorCode(err) != core.Invalid {
				t.Errorf("km %q: %v, want invalid", s, err)
			}
		}
		if _, err := e.svc.UpdateLead(ctx, l.ID, core.LeadPatch{Vehicle: &core.VehiclePatch{ID: &l.Vehicle.ID, Price: core.Value("15.000 €")}}); err != nil {
			t.Errorf("price \"15.000 €\": %v", err)
		}
	})
}

// TestCarNumbersNotJSON: a lead whose price or mileage another API wrote
// as a text strconv reads as a number but JSON does not ("NaN",
// "0x10", "1_0"; "Inf" is now out of the core's range) is listed and read with the car's price and mileage left
// out, and a mileage with a fraction (SML's "1.5") too; a salelead whose
// cars' prices times quantities pass a double's range has a null
// total_price_of_lead. Both answered 500 (found checking from outside:
// encoding/json refuses such a json.Number), on both engines.
func TestCarNumbersNotJSON(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		ctx := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.DealerID}})
		id := e.postID("saleleads", map[string]any{"car_list": []any{map[string]any{"car": map[string]any{"make": "SEAT", "model": "León"}}}})
		l, err := e.svc.FindLead(ctx, mustResolve(t, ctx, e, core.RecordLead, id))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"NaN", "0x10", "1_0", "1.5"} {
			if _, err := e.svc.UpdateLead(ctx, l.ID, core.LeadPatch{Vehicle: &core.VehiclePatch{ID: &l.Vehicle.ID, Km: core.Value(s), Price: core.Value(s)}}); err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			r := e.es(http.MethodGet, "saleleads/"+id, nil)
			mustStatus(t, "GET with "+s, r, 200)
			car := at(r.body, "0", "car_list", "0", "car")
			if at(car, "mileage") != nil || (s != "1.5" && at(car, "price") != nil) {
				t.Errorf("%q: car %v", s, car)
			}
			mustStatus(t, "list with "+s, e.list("saleleads", url.Values{"limit": {"50"}}), 200)
		}

		big := map[string]any{"car_list": []any{
			map[string]any{"car": map[string]any{"make": "SEAT", "model": "León", "price": 1e12, "quantity": 1e300}},
			map[string]any{"car": map[string]any{"make": "SEAT", "price": 1e300, "quantity": 1e300}}}}
		r := e.es(http.MethodPost, "saleleads", big)
		mustStatus(t, "POST past a double", r, 200)
		if v, ok := at(r.obj(), "computed").(map[string]any)["total_price_of_lead"]; !ok || v != nil {
			t.Errorf("total_price_of_lead %v, want null", v)
		}
		mustStatus(t, "list past a double", e.list("saleleads", url.Values{"limit": {"50"}}), 200)
	})
}
