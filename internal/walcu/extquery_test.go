package walcu_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
)

// TestExtQueries: the fields a lead or client keeps outside the core's
// columns (its Ext) are filtered, sorted and grouped as MongoDB would,
// through the core's query compiled to SQL over the JSON: nested paths,
// a condition on an array holding when an element holds it, numbers as
// numbers, dates as dates; group_by serves clients. What no query may name
// (computed, the server's, the car's price kept by the core as text) is
// 400 naming it, and an unknown path still is.
func TestExtQueries(t *testing.T) {
	e := newEnv(t)
	post := e.postID
	lead := func(plate, medium string, cost int, notify string, extra ...map[string]any) string {
		car := map[string]any{"make": "Seat", "model": "Ibiza", "license_plate": plate, "vin": "VSS" + plate}
		cars := []any{map[string]any{"car": map[string]any{"make": "Ford", "model": "Focus", "license_plate": "0000ZZZ"}}}
		body := map[string]any{"car_list": append([]any{map[string]any{"car": car}}, cars...), "origin": map[string]any{"medium": medium},
			"cost": cost, "notification": map[string]any{"notify_at": notify}}
		for _, x := range extra {
			for k, v := range x {
				body[k] = v
			}
		}
		return post("saleleads", body)
	}
	a := lead("1111AAA", "web", 500, "2026-12-01T10:00:00Z", map[string]any{"custom": "vip"})
	b := lead("2222BBB", "phone", 20, "2026-11-01T10:00:00Z")
	c := lead("3333CCC", "web", 7, "2026-10-01T10:00:00Z", map[string]any{"custom": "vip"})

	ids := func(r resp) []string {
		t.Helper()
		var out []string
		for _, d := range r.arr() {
			out = append(out, d.(map[string]any)["_id"].(string))
		}
		return out
	}
	list := func(what string, params url.Values, want ...string) {
		t.Helper()
		r := e.list("saleleads", params)
		mustStatus(t, what, r, 200)
		if got := ids(r); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v: %s", what, got, want, r.raw)
		}
	}
	list("a nested field, newest first", url.Values{"q": {`{"status.status": "new", "origin.medium": "web"}`}, "sort": {"-created_at"}}, c, a)
	list("a field of the first car", url.Values{"q": {`{"car_list.car.license_plate": "2222BBB"}`}}, b)
	list("any car of the list", url.Values{"q": {`{"car_list.car.license_plate": "0000ZZZ"}`}, "sort": {"created_at"}}, a, b, c)
	list("$regex on a nested text", url.Values{"q": {`{"car_list.car.vin": {"$regex": "ss3333"}}`}}, c)
	list("a number as a number", url.Values{"q": {`{"cost": {"$gte": 20}}`}, "sort": {"-cost"}}, a, b)
	list("a date as a date", url.Values{"q": {`{"notification.notify_at": {"$lt": "2026-11-15"}}`}, "sort": {"-notification.notify_at"}}, b, c)
	list("$ne holds where missing", url.Values{"q": {`{"custom": {"$ne": "vip"}, "origin.medium": {"$exists": true}}`}}, b)
	list("$or of core and Ext fields", url.Values{"q": {`{"$or": [{"custom": "vip"}, {"cost": 20}]}`}, "sort": {"cost"}}, c, b, a)
	list("WQL on an Ext field", url.Values{"search": {`origin.medium:web cost:>100`}}, a)

	r := e.list("saleleads", url.Values{"group_by": {`{"medium": "origin.medium"}`}, "q": {`{"custom": "vip"}`}})
	mustStatus(t, "group by an Ext field", r, 200)
	if want := `[{"_id":{"medium":"web"},"count":2}]`; compact(r.raw) != want {
		t.Errorf("groups: %s, want %s", r.raw, want)
	}
	for q, field := range map[string]string{
		`{"computed.car_make": "Seat"}`:  "q.computed.car_make",
		`{"car_list.car.price": 1}`:      "q.car_list.car.price",
		`{"car_list.car.nope": 1}`:       "q.car_list.car.nope",
		`{"origin.medium": {"$foo": 1}}`: "q.origin.medium.$foo",
		`{"cost": "a lot"}`:              "q.cost",
	} {
		r := e.list("saleleads", url.Values{"q": {q}})
		if r.code != 400 || at(r.obj(), "fields", field) == nil {
			t.Errorf("q %s: %d %s, want 400 naming %s", q, r.code, r.raw, field)
		}
	}
	if r := e.list("saleleads", url.Values{"sort": {"car_list.car.license_plate"}}); r.code != 400 || at(r.obj(), "fields", "sort") == nil {
		t.Errorf("a sort by a field of an array: %d %s", r.code, r.raw)
	}
	list("the car's year is the core's", url.Values{"q": {`{"car_list.car.year": 2019}`}})

	// clients
	client := func(name, locality string) string {
		return post("clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": name}, "phones": []any{}},
			"address": map[string]any{"locality": locality}, "contacts": []any{map[string]any{"phones": []any{"6000" + name}}}})
	}
	x, y := client("Xavi", "Getafe"), client("Yago", "Getafe")
	client("Zoe", "Leganés")
	r = e.list("clients", url.Values{"q": {`{"address.locality": "Getafe"}`}, "sort": {"-primary_contact.name.first_name"}})
	mustStatus(t, "clients by locality", r, 200)
	if got := ids(r); !slices.Equal(got, []string{y, x}) {
		t.Errorf("clients in Getafe: %v, want %v", got, []string{y, x})
	}
	// a client by one of its contacts (EXISTS over the contacts records)
	for q, want := range map[string][]string{
		`{"contacts.phones": "6000Xavi"}`:                        {x},
		`{"contacts.phones": {"$in": ["6000Yago", "6000Xavi"]}}`: {x, y},
		`{"contacts.phones": {"$regex": "Yag"}}`:                 {y},
		`{"contacts.emails": {"$exists": true}}`:                 nil,
		`{"contacts.government_id": "nope"}`:                     nil,
	} {
		r := e.list("clients", url.Values{"q": {q}, "sort": {"primary_contact.name.first_name"}})
		mustStatus(t, q, r, 200)
		if got := ids(r); !slices.Equal(got, want) {
			t.Errorf("clients %s: %v, want %v", q, got, want)
		}
	}
	r = e.list("clients", url.Values{"q": {`{"contacts.phones": {"$ne": "6000Xavi"}}`}})
	if got := ids(r); slices.Contains(got, x) || !slices.Contains(got, y) {
		t.Errorf("clients with no contact of phone 6000Xavi: %v", got)
	}
	if r := e.list("clients", url.Values{"q": {`{"contacts.foreign_ids": "x"}`}}); r.code != 400 || at(r.obj(), "fields", "q.contacts.foreign_ids") == nil {
		t.Errorf("clients by a field no contact element has (the contacts collection's): %d %s", r.code, r.raw)
	}
	r = e.list("contacts", url.Values{"search": {"6000Xavi"}, "project": {"client_id"}})
	if l := r.arr(); len(l) != 1 || at(l[0], "client_id") != x {
		t.Errorf("a client's contact found by its phone: %s", r.raw)
	}
	r = e.list("clients", url.Values{"group_by": {"address.locality"}, "q": {`{"address.locality": {"$exists": true}}`}})
	mustStatus(t, "group clients", r, 200)
	if want := `[{"_id":"Getafe","count":2},{"_id":"Leganés","count":1}]`; compact(r.raw) != want {
		t.Errorf("client groups: %s, want %s", r.raw, want)
	}
	if r := e.list("clients", url.Values{"q": {`{"contacts_phones": "1"}`}}); r.code != 400 || at(r.obj(), "fields", "q.contacts_phones") == nil {
		t.Errorf("a derived field: %d %s", r.code, r.raw)
	}
}

// compact is a JSON text without its spaces.
func compact(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
