package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestClientContactsArray: a client document's contacts array is the
// contacts collection's contacts of the client, on both engines: a POST
// of a client with contacts makes them contacts; a contact POSTed to
// /contacts appears in the client's array; a PATCH of the array changes,
// adds and deletes contacts (keeping the fields the array does not show);
// a PUT without the array leaves them, with [] deletes them; a bad
// element is 400 naming it and changes nothing; a change of a contact
// makes a PUT of the client read before it stale; an _id of another
// client's contact is a new contact, the other's untouched.
func TestClientContactsArray(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		listOf := func(client string) []any {
			t.Helper()
			r := e.list("contacts", url.Values{"q": {`{"client_id": "` + client + `"}`}, "sort": {"created_at"}})
			mustStatus(t, "contacts of the client", r, 200)
			return r.arr()
		}
		ids := func(l []any) []any {
			out := []any{}
			for _, x := range l {
				out = append(out, x.(map[string]any)["_id"])
			}
			return out
		}

		// bad elements: 400 naming them, nothing made
		for path, elem := range map[string]any{
			"contacts.1.name":     map[string]any{"custom": "nobody"},
			"contacts.1.phones.0": map[string]any{"phones": []any{string(make([]byte, 300))}},
			"contacts.1":          "not an object",
		} {
			body := map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "Nadie"}, "phones": []any{"655000999"}},
				"contacts": []any{map[string]any{"name": map[string]any{"first_name": "Ok"}}, elem}}
			if r := e.es(http.MethodPost, "clients", body); r.code != 400 || at(r.obj(), "fields", path) == nil {
				t.Errorf("POST with a bad contact at %s: %d %s", path, r.code, r.raw)
			}
		}
		if r := e.list("clients", url.Values{"q": {`{"primary_contact.phones": "655000999"}`}}); len(r.arr()) != 0 {
			t.Fatalf("a refused POST made a client: %s", r.raw)
		}
		if r := e.list("contacts", url.Values{"search": {"Ok"}}); len(r.arr()) != 0 {
			t.Fatalf("a refused POST made a contact: %s", r.raw)
		}

		r := e.es(http.MethodPost, "clients", map[string]any{
			"primary_contact": map[string]any{"name": map[string]any{"first_name": "Laura", "last_name": "Vidal"}, "phones": []any{"600222333"}},
			"contacts": []any{
				map[string]any{"_id": "string", "name": map[string]any{"first_name": "Pepe", "last_name": "Vidal"}, "phones": []any{"611000001"}},
				map[string]any{"name": map[string]any{"raw_name": "Juan"}, "emails": []any{"juan@example.com"}, "custom": "j"},
			},
		})
		mustStatus(t, "POST a client with contacts", r, 200)
		client := r.obj()
		id := client["_id"].(string)
		arr, _ := client["contacts"].([]any)
		coll := listOf(id)
		if len(arr) != 2 || !equalJSON(arr, contactsAsArray(coll)) || at(client, "contacts", "0", "_id") == "string" ||
			num(client["__v"]) != "2" || !equalJSON(client["contacts_phones"], []any{"600222333", "611000001"}) ||
			!equalJSON(client["contacts_names"], []any{"Laura Vidal", "Pepe Vidal"}) || at(client, "contacts", "1", "custom") != "j" {
			t.Fatalf("created: %s\ncollection: %v", r.raw, coll)
		}
		pepe, juan := at(client, "contacts", "0", "_id").(string), at(client, "contacts", "1", "_id").(string)

		// a contact POSTed to the collection is in the client's array
		ana := e.es(http.MethodPost, "contacts", map[string]any{"client_id": id, "name": map[string]any{"first_name": "Ana"},
			"phones": []any{"622000002"}, "foreign_ids": []any{"erp-1"}})
		mustStatus(t, "POST a contact", ana, 200)
		anaID := ana.obj()["_id"].(string)
		got := e.es(http.MethodGet, "clients/"+id, nil).arr()[0].(map[string]any)
		if !equalJSON(ids(got["contacts"].([]any)), []any{pepe, juan, anaID}) || num(got["__v"]) != "3" ||
			!equalJSON(got["contacts_phones"], []any{"600222333", "611000001", "622000002"}) {
			t.Fatalf("the client after a contact's POST: %v", got)
		}

		// a PUT of the client read before a change of a contact is stale
		stale := maps(client)
		stale["custom"] = "x"
		mustStatus(t, "a PUT of the client read before the contact", e.es(http.MethodPut, "clients/"+id, stale), 409)

		// PATCH: change one, delete one, change the one made elsewhere
		p := e.es(http.MethodPatch, "clients/"+id, []any{
			map[string]any{"op": "replace", "path": "/contacts/0/phones/0", "value": "611999999"},
			map[string]any{"op": "remove", "path": "/contacts/1"},
			map[string]any{"op": "add", "path": "/contacts/1/custom", "value": "ana"},
			map[string]any{"op": "add", "path": "/contacts/-", "value": map[string]any{"name": map[string]any{"first_name": "Nuevo"}}},
		})
		mustStatus(t, "PATCH the array", p, 200)
		arr = p.obj()["contacts"].([]any)
		if len(arr) != 3 || at(p.obj(), "contacts", "0", "_id") != pepe || at(p.obj(), "contacts", "0", "phones", "0") != "611999999" ||
			at(p.obj(), "contacts", "1", "_id") != anaID || at(p.obj(), "contacts", "1", "custom") != "ana" ||
			!equalJSON(arr, contactsAsArray(listOf(id))) {
			t.Fatalf("patched: %s", p.raw)
		}
		mustStatus(t, "the contact the patch removed", e.es(http.MethodGet, "contacts/"+juan, nil), 404)
		if a := e.es(http.MethodGet, "contacts/"+anaID, nil).arr()[0].(map[string]any); !equalJSON(a["foreign_ids"], []any{"erp-1"}) ||
			a["custom"] != "ana" || num(a["__v"]) != "1" {
			t.Fatalf("the contact made elsewhere after the patch: %v", a)
		}

		// an _id of another client's contact is a new contact of this one
		other := e.es(http.MethodPost, "clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "Otro"}},
			"contacts": []any{map[string]any{"_id": pepe, "name": map[string]any{"first_name": "Copia"}}}})
		mustStatus(t, "POST naming another client's contact", other, 200)
		if oid := at(other.obj(), "contacts", "0", "_id"); oid == pepe || oid == nil {
			t.Fatalf("another client's contact id: %s", other.raw)
		}
		if c := e.es(http.MethodGet, "contacts/"+pepe, nil).arr()[0].(map[string]any); c["client_id"] != id || at(c, "name", "first_name") != "Pepe" {
			t.Fatalf("the contact named by another client: %v", c)
		}

		// PUT without the array leaves the contacts; with [] deletes them
		put := maps(p.obj())
		delete(put, "contacts")
		put["custom"] = "kept"
		r = e.es(http.MethodPut, "clients/"+id, put)
		if r.code != 200 || len(r.obj()["contacts"].([]any)) != 3 || r.obj()["custom"] != "kept" {
			t.Fatalf("PUT without contacts: %d %s", r.code, r.raw)
		}
		put = maps(r.obj())
		put["contacts"] = []any{}
		r = e.es(http.MethodPut, "clients/"+id, put)
		if r.code != 200 || len(r.obj()["contacts"].([]any)) != 0 || len(listOf(id)) != 0 ||
			!equalJSON(r.obj()["contacts_phones"], []any{"600222333"}) {
			t.Fatalf("PUT with no contacts: %d %s", r.code, r.raw)
		}

		// another dealer sees none of it
		if g := e.do(e.coKey, http.MethodGet, "/dealers/"+e.dealer+"/clients/"+id, nil); g.code != 404 {
			t.Errorf("another dealer's GET: %d", g.code)
		}
	})
}

// contactsAsArray is the contacts collection's documents as elements of a
// client's contacts array: their _id, name, phones, emails,
// government_id and custom.
func contactsAsArray(l []any) []any {
	out := []any{}
	for _, x := range l {
		m := x.(map[string]any)
		d := map[string]any{}
		for _, k := range []string{"_id", "name", "phones", "emails", "government_id", "custom"} {
			if v, ok := m[k]; ok {
				d[k] = v
			}
		}
		out = append(out, d)
	}
	return out
}
