package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/core"
)

// TestCarsAreVehicleRecords: a car is the core's stock vehicle record
// (plate, VIN, make, model, version, year, mileage, colour, retail price
// in columns, the rest in Ext); lists filter and sort on those columns;
// WQL's free words find plates and VINs; bad values answer 400 naming the
// field; a salelead naming the car (car_list[0].car_id) shows its
// computed car_* as the car is now, after the car is patched too.
func TestCarsAreVehicleRecords(t *testing.T) {
	e := newEnv(t)
	ctx := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.DealerID}})
	car := map[string]any{"make": "Seat", "model": "León", "version": "FR", "license_plate": "1234ABC", "vin": "VSSZZZ5FZNR000001",
		"year": 2021, "mileage": 35000, "color": "rojo", "fuel": "gasolina", "custom": "stock-1", "images": []any{"a.jpg", "b.jpg"},
		"prices": map[string]any{"retail": map[string]any{"current_price": map[string]any{"price": 18990, "currency": "EUR"}}}}
	r := e.es(http.MethodPost, "cars", car)
	mustStatus(t, "POST car", r, 200)
	id, _ := r.obj()["_id"].(string)
	if num(at(r.obj(), "computed", "price")) != "18990" || at(r.obj(), "computed", "car_main_image") != "a.jpg" || r.obj()["license_plate"] != "1234ABC" {
		t.Fatalf("POST car: %s", r.raw)
	}
	n, err := e.svc.ResolvePublicID(ctx, core.RecordVehicle, id)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.FindVehicleRecord(ctx, n)
	if err != nil || v.Kind != core.VehicleStock || v.Plate != "1234ABC" || v.VIN != "VSSZZZ5FZNR000001" || v.Make != "Seat" || v.Model != "León" ||
		v.Variant != "FR" || *v.Year != 2021 || *v.Km != 35000 || *v.Price != 18990 || v.Colour != "rojo" || v.Ext["walcu.custom"] != `"stock-1"` ||
		v.Ext["walcu.license_plate"] != "" {
		t.Fatalf("the core's vehicle: %+v %v", v, err)
	}
	other := e.es(http.MethodPost, "cars", map[string]any{"make": "Cupra", "model": "Formentor", "license_plate": "5678DEF", "vin": "VSSZZZKMZPR000002", "mileage": 10})
	mustStatus(t, "POST second car", other, 200)

	for q, want := range map[string]int{
		`{"license_plate": "1234ABC"}`:                      1,
		`{"vin": {"$in": ["VSSZZZ5FZNR000001", "x"]}}`:      1,
		`{"make": "Seat", "model": "León"}`:                 1,
		`{"mileage": {"$gte": 10}}`:                         2,
		`{"prices.retail.current_price.price": {"$gt": 1}}`: 1,
		`{"custom": "stock-1"}`:                             1,
		`{"license_plate": "nope"}`:                         0,
	} {
		if l := e.list("cars", url.Values{"q": {q}}); l.code != 200 || len(l.arr()) != want {
			t.Errorf("q %s: %d %s, want %d", q, l.code, l.raw, want)
		}
	}
	for search, want := range map[string]int{"1234abc": 1, "5fznr": 1, "VSSZZZ": 2, "make:Seat": 1, "license_plate:~678": 1, "seat -1234": 0} {
		if l := e.list("cars", url.Values{"search": {search}}); l.code != 200 || len(l.arr()) != want {
			t.Errorf("search %q: %d %s, want %d", search, l.code, l.raw, want)
		}
	}
	if l := e.list("cars", url.Values{"sort": {"-mileage"}}); len(l.arr()) != 2 || l.arr()[0].(map[string]any)["_id"] != id {
		t.Errorf("sort -mileage: %s", l.raw)
	}
	if l := e.list("cars", url.Values{"group_by": {`{"m": "make"}`}}); l.code != 200 || len(l.arr()) != 2 {
		t.Errorf("group_by make: %s", l.raw)
	}
	for body, field := range map[string]string{
		`{"make": "Seat", "year": 1800}`:                                           "year",
		`{"make": "Seat", "mileage": 1.5}`:                                         "mileage",
		`{"make": "Seat", "license_plate": "0123456789012345678901"}`:              "license_plate",
		`{"make": "Seat", "prices": {"retail": {"current_price": {"price": -1}}}}`: "prices.retail.current_price.price",
	} {
		r := e.es(http.MethodPost, "cars", body)
		if fs, _ := r.obj()["fields"].(map[string]any); r.code != 400 || fs[field] == nil {
			t.Errorf("POST %s: %d %s, want 400 naming %s", body, r.code, r.raw, field)
		}
	}
	if l := e.list("cars", nil); len(l.arr()) != 2 {
		t.Fatalf("refused cars were stored: %s", l.raw)
	}
	if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/cars?search=1234ABC", nil); r.code != 200 || len(r.arr()) != 0 {
		t.Errorf("Colombia's search: %d %s", r.code, r.raw)
	}

	// a salelead about the stock car: computed car_* are the car's, now
	lead := e.es(http.MethodPost, "saleleads", map[string]any{"car_list": []any{map[string]any{"car_id": id, "car": map[string]any{"make": "Seat", "model": "León"}}}})
	mustStatus(t, "POST salelead", lead, 200)
	lid, _ := lead.obj()["_id"].(string)
	c, _ := lead.obj()["computed"].(map[string]any)
	if c["car_id"] != id || c["car_license_plate"] != "1234ABC" || c["car_vin"] != "VSSZZZ5FZNR000001" || num(c["car_current_price"]) != "18990" ||
		num(c["car_mileage"]) != "35000" || num(c["car_number_of_photos"]) != "2" || at(c, "car_list", "0", "license_plate") != "1234ABC" {
		t.Fatalf("the salelead's computed: %v", c)
	}
	p := e.es(http.MethodPatch, "cars/"+id, []any{map[string]any{"op": "replace", "path": "/license_plate", "value": "9999ZZZ"},
		map[string]any{"op": "replace", "path": "/mileage", "value": 36000}})
	mustStatus(t, "PATCH car", p, 200)
	got := e.es(http.MethodGet, "saleleads/"+lid, nil)
	c, _ = got.arr()[0].(map[string]any)["computed"].(map[string]any)
	if c["car_license_plate"] != "9999ZZZ" || num(c["car_mileage"]) != "36000" || at(c, "car_list", "0", "license_plate") != "9999ZZZ" {
		t.Fatalf("the salelead's computed after patching the car: %v", c)
	}
	if l := e.list("saleleads", url.Values{"q": {`{"_id": "` + lid + `"}`}}); len(l.arr()) != 1 ||
		at(l.arr()[0], "computed", "car_license_plate") != "9999ZZZ" {
		t.Fatalf("the salelead listed: %s", l.raw)
	}
	mustStatus(t, "DELETE car", e.es(http.MethodDelete, "cars/"+id, nil), 200)
	got = e.es(http.MethodGet, "saleleads/"+lid, nil)
	if c, _ = got.arr()[0].(map[string]any)["computed"].(map[string]any); c["car_license_plate"] != nil || c["car_make"] != "Seat" {
		t.Fatalf("the salelead's computed after deleting the car (its own car again): %v", c)
	}
}

// TestClientVehicles: a clientvehicle is the core's owned vehicle record
// of the client its current owner_history entry names (a client of the
// dealer, else 400); a client's vehicles are listed by that owner; an
// aftersalelead's computed vehicle is its vehicle as it is now; deleting
// the client deletes its vehicles, as its contacts.
func TestClientVehicles(t *testing.T) {
	e := newEnv(t)
	ctx := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.DealerID}})
	cl := e.es(http.MethodPost, "clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "Luisa"}, "phones": []any{"+34 611 22 33 44"}}})
	mustStatus(t, "POST client", cl, 200)
	clientID, _ := cl.obj()["_id"].(string)
	owner := []any{map[string]any{"client_id": "old-owner", "to_date": "2020-01-01"}, map[string]any{"client_id": clientID, "from_date": "2020-01-02"}}
	r := e.es(http.MethodPost, "clientvehicles", map[string]any{"make": "Toyota", "model": "Corolla", "license_plate": "1111AAA", "mileage": 80000, "owner_history": owner})
	mustStatus(t, "POST clientvehicle", r, 200)
	id, _ := r.obj()["_id"].(string)
	n, _ := e.svc.ResolvePublicID(ctx, core.RecordVehicle, id)
	v, err := e.svc.FindVehicleRecord(ctx, n)
	cn, _ := e.svc.ResolvePublicID(ctx, core.RecordClient, clientID)
	if err != nil || v.Kind != core.VehicleOwned || v.ClientID == nil || *v.ClientID != cn || at(r.obj(), "owner_history", "1", "client_id") != clientID {
		t.Fatalf("the core's vehicle: %+v %v; %s", v, err, r.raw)
	}
	coLeads, _, err := e.svc.FindLeads(core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.CODealerID}}), core.Query{Limit: 1})
	if err != nil || len(coLeads) == 0 {
		t.Fatal(err)
	}
	for name, who := range map[string]string{"unknown": "no-such-client", "another dealer's": coLeads[0].Client.PublicID} {
		r := e.es(http.MethodPost, "clientvehicles", map[string]any{"make": "Kia", "owner_history": []any{map[string]any{"client_id": who}}})
		if fs, _ := r.obj()["fields"].(map[string]any); r.code != 400 || fs["owner_history"] == nil {
			t.Errorf("%s owner: %d %s", name, r.code, r.raw)
		}
	}
	if l := e.list("clientvehicles", url.Values{"q": {`{"owner_history.client_id": "` + clientID + `"}`}}); len(l.arr()) != 1 {
		t.Errorf("the client's vehicles: %s", l.raw)
	}
	if l := e.list("cars", url.Values{"search": {"1111AAA"}}); len(l.arr()) != 0 {
		t.Errorf("a clientvehicle listed as a car: %s", l.raw)
	}
	mustStatus(t, "a clientvehicle is no car", e.es(http.MethodGet, "cars/"+id, nil), 404)

	// an aftersale lead of the client about its vehicle
	lead := e.es(http.MethodPost, "aftersaleleads", map[string]any{"client_id": clientID, "vehicle_id": id})
	mustStatus(t, "POST aftersalelead", lead, 200)
	lid, _ := lead.obj()["_id"].(string)
	if at(lead.obj(), "computed", "vehicle", "0", "license_plate") != "1111AAA" {
		t.Fatalf("the aftersalelead's computed vehicle: %s", lead.raw)
	}
	mustStatus(t, "PATCH clientvehicle", e.es(http.MethodPatch, "clientvehicles/"+id, []any{map[string]any{"op": "replace", "path": "/mileage", "value": 90000}}), 200)
	if got := e.es(http.MethodGet, "aftersaleleads/"+lid, nil); num(at(got.arr()[0], "computed", "vehicle", "0", "mileage")) != "90000" {
		t.Fatalf("the aftersalelead's computed vehicle after the patch: %s", got.raw)
	}
	mustStatus(t, "DELETE the lead", e.es(http.MethodDelete, "aftersaleleads/"+lid, nil), 200)
	mustStatus(t, "DELETE the client", e.es(http.MethodDelete, "clients/"+clientID, nil), 200)
	mustStatus(t, "the deleted client's vehicle", e.es(http.MethodGet, "clientvehicles/"+id, nil), 404)
}
