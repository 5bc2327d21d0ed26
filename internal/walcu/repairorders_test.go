package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestRepairOrderVehicles: a repair order is of the dealer's client
// vehicle of its car_info's VIN, else of its plate: the order's
// computed.vehicle shows the vehicle as it is now, the vehicle's
// computed.orders and number_of_orders its orders (oldest first, the
// latest of each type marked); another dealer's vehicle of the same
// plate is never one. On both engines (the orders' read is a query on
// their JSON).
func TestRepairOrderVehicles(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) { testRepairOrderVehicles(t, newEnvOn(t, st)) })
}

func testRepairOrderVehicles(t *testing.T, e *env) {
	cl := e.es(http.MethodPost, "clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "Taller"}, "phones": []any{"611 00 11 22"}}})
	mustStatus(t, "client", cl, 200)
	owner := []any{map[string]any{"client_id": cl.obj()["_id"]}}
	vr := e.es(http.MethodPost, "clientvehicles", map[string]any{"make": "Toyota", "model": "Corolla", "license_plate": "1111AAA", "vin": "VIN123",
		"year": 2019, "owner_history": owner})
	mustStatus(t, "clientvehicle", vr, 200)
	vid := vr.obj()["_id"].(string)
	mustStatus(t, "another dealer's vehicle of the plate", e.do(e.coKey, http.MethodPost, "/dealers/"+e.other+"/clientvehicles",
		map[string]any{"make": "Otro", "license_plate": "2222BBB"}), 200)
	order := func(car map[string]any, typ, date string) string {
		t.Helper()
		r := e.es(http.MethodPost, "repairorders", map[string]any{"car_info": car, "type": typ, "date": date, "mileage": 50000})
		mustStatus(t, "repairorder", r, 200)
		return r.obj()["_id"].(string)
	}
	byVIN := order(map[string]any{"vin": "VIN123", "license_plate": "9999ZZZ"}, "maintenance", "2026-03-01T00:00:00Z")
	byPlate := order(map[string]any{"license_plate": "1111AAA"}, "maintenance", "2026-01-01T00:00:00Z")
	other := order(map[string]any{"vin": "VIN999", "license_plate": "1111AAA"}, "repair", "2026-02-01T00:00:00Z") // another VIN: not this vehicle
	foreign := order(map[string]any{"license_plate": "2222BBB"}, "repair", "2026-02-01T00:00:00Z")

	vehicle := func(id string) any {
		t.Helper()
		one := e.es(http.MethodGet, "repairorders/"+id, nil)
		mustStatus(t, "GET repairorder", one, 200)
		return at(one.arr()[0], "computed", "vehicle")
	}
	want := []any{map[string]any{"_id": vid, "make": "Toyota", "model": "Corolla", "year": 2019}}
	for _, id := range []string{byVIN, byPlate} {
		if v := vehicle(id); !equalJSON(v, want) {
			t.Errorf("order %s: vehicle %v", id, v)
		}
	}
	for _, id := range []string{other, foreign} {
		if v := vehicle(id); !equalJSON(v, []any{}) {
			t.Errorf("order %s: vehicle %v, want none", id, v)
		}
	}
	page := e.list("repairorders", url.Values{"q": {`{"_id": "` + byPlate + `"}`}})
	if v := at(page.arr()[0], "computed", "vehicle"); !equalJSON(v, want) {
		t.Errorf("a page's order: %v", v)
	}

	wantOrders := []any{
		map[string]any{"repair_order_id": byPlate, "type": "maintenance", "date": "2026-01-01T00:00:00.000Z", "mileage": 50000, "latest_of_type": false},
		map[string]any{"repair_order_id": byVIN, "type": "maintenance", "date": "2026-03-01T00:00:00.000Z", "mileage": 50000, "latest_of_type": true},
	}
	for what, r := range map[string]resp{"GET": e.es(http.MethodGet, "clientvehicles/"+vid, nil),
		"page": e.list("clientvehicles", url.Values{"q": {`{"_id": "` + vid + `"}`}})} {
		c := at(r.arr()[0], "computed").(map[string]any)
		if !equalJSON(c["orders"], wantOrders) || num(c["number_of_orders"]) != "2" {
			t.Errorf("%s: the vehicle's orders: %v (%v)", what, c["orders"], c["number_of_orders"])
		}
	}
	// the vehicle changes its plate: the order by plate is no longer its
	mustStatus(t, "PATCH plate", e.es(http.MethodPatch, "clientvehicles/"+vid, []any{map[string]any{"op": "replace", "path": "/license_plate", "value": "3333CCC"}}), 200)
	if v := vehicle(byPlate); !equalJSON(v, []any{}) {
		t.Errorf("after the plate changed: %v", v)
	}
}

// TestAverageYearlyMileage: a client vehicle's average_yearly_mileage is
// its latest declared mileage over the years since its registration
// (year and month), else its mileage as of its last change; null without
// a year.
func TestAverageYearlyMileage(t *testing.T) {
	e := newEnv(t)
	post := func(body map[string]any) any {
		t.Helper()
		r := e.es(http.MethodPost, "clientvehicles", body)
		mustStatus(t, "clientvehicle", r, 200)
		one := e.es(http.MethodGet, "clientvehicles/"+r.obj()["_id"].(string), nil)
		return at(one.arr()[0], "computed", "average_yearly_mileage")
	}
	declared := post(map[string]any{"make": "Kia", "year": 2020, "month": 7, "mileage": 1, "declared_mileage_history": []any{
		map[string]any{"date": "2022-07-01T00:00:00Z", "mileage": 20000}, map[string]any{"date": "2024-07-01T00:00:00Z", "mileage": 60000}}})
	if num(declared) != "15000" { // 60,000 km in 4 years (1,461 days): 15,000
		t.Errorf("from the declared mileage: %v", declared)
	}
	if v := post(map[string]any{"make": "Kia", "mileage": 5000}); v != nil {
		t.Errorf("without a year: %v", v)
	}
	if v := post(map[string]any{"make": "Kia", "year": 2015, "mileage": 100000}); num(v) == "" || num(v) == "0" {
		t.Errorf("from its mileage now: %v", v)
	}
}
