package walcu_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestClientContactFieldQueries: a clients q names any field of a contact
// element kept in the contact's Ext (its name object, custom), on both
// engines, with MongoDB's meaning on an array: a condition holds when one
// of the client's contacts holds it (here only the second), inside $or
// and $not too, and $ne/$nin/$exists false when none does. Another
// dealer's client with such a contact is never listed; a field a contact
// element does not have is 400 naming it; such a field sorts and groups
// nothing (400).
func TestClientContactFieldQueries(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		contact := func(first string, custom any) map[string]any {
			c := map[string]any{"name": map[string]any{"first_name": first, "last_name": "Ruiz"}}
			if custom != nil {
				c["custom"] = custom
			}
			return c
		}
		post := func(key, dealer, name string, contacts ...any) string {
			t.Helper()
			r := e.do(key, http.MethodPost, "/dealers/"+dealer+"/clients", map[string]any{
				"primary_contact": map[string]any{"name": map[string]any{"first_name": name}}, "contacts": contacts})
			mustStatus(t, "POST client "+name, r, 200)
			return r.obj()["_id"].(string)
		}
		// only a's second contact is Marta; b's one contact is Mario; c has none
		a := post(e.esKey, e.dealer, "Ana", contact("Pedro", "x"), contact("Marta", "vip"))
		b := post(e.esKey, e.dealer, "Bea", contact("Mario", nil))
		c := post(e.esKey, e.dealer, "Cris")
		other := post(e.coKey, e.other, "Otra", contact("Marta", "vip"))

		ids := func(r resp) []string { // the ids of this test's clients
			var out []string
			for _, d := range r.arr() {
				if id := d.(map[string]any)["_id"].(string); id == a || id == b || id == c || id == other {
					out = append(out, id)
				}
			}
			return out
		}
		for q, want := range map[string][]string{
			`{"contacts.name.first_name": "Marta"}`:                                         {a},
			`{"contacts.name.first_name": {"$regex": "Mar"}}`:                               {a, b},
			`{"contacts.name.first_name": {"$regex": "ARTA"}}`:                              {a},
			`{"contacts.name.first_name": {"$in": ["Nadie", "Marta"]}}`:                     {a},
			`{"contacts.name.first_name": {"$nin": ["Marta"]}}`:                             {b, c},
			`{"contacts.name.first_name": {"$ne": "Pedro"}}`:                                {b, c},
			`{"contacts.name.first_name": {"$exists": true}}`:                               {a, b},
			`{"contacts.name.first_name": {"$exists": false}}`:                              {c},
			`{"contacts.name.first_name": {"$not": {"$regex": "Mar"}}}`:                     {c},
			`{"$or": [{"contacts.name.first_name": "Mario"}, {"contacts.custom": "vip"}]}`:  {a, b},
			`{"contacts.name.first_name": "Marta", "contacts.custom": "vip"}`:               {a},
			`{"contacts.name.last_name": "Ruiz", "primary_contact.name.first_name": "Bea"}`: {b},
			`{"contacts.name.salutation": {"$exists": true}}`:                               nil,
		} {
			r := e.list("clients", url.Values{"q": {q}, "sort": {"primary_contact.name.first_name"}, "limit": {"100"}})
			mustStatus(t, q, r, 200)
			if got := ids(r); !slices.Equal(got, want) {
				t.Errorf("clients %s: %v, want %v", q, got, want)
			}
		}
		// the other dealer sees its own client only
		r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/clients?"+url.Values{"q": {`{"contacts.name.first_name": "Marta"}`}}.Encode(), nil)
		mustStatus(t, "the other dealer's query", r, 200)
		if got := ids(r); !slices.Equal(got, []string{other}) {
			t.Errorf("the other dealer's clients of a contact Marta: %v, want %v", got, []string{other})
		}
		// a group of clients filtered by a contact's field
		r = e.list("clients", url.Values{"group_by": {"primary_contact.name.first_name"}, "q": {`{"contacts.name.first_name": {"$regex": "Mar"}}`}})
		mustStatus(t, "group with a contact's field", r, 200)
		if want := `[{"_id":"Ana","count":1},{"_id":"Bea","count":1}]`; compact(r.raw) != want {
			t.Errorf("groups: %s, want %s", r.raw, want)
		}

		for params, field := range map[string]string{
			`{"contacts.foreign_ids": "x"}`:             "q.contacts.foreign_ids",
			`{"contacts.name.nickname": "x"}`:           "q.contacts.name.nickname",
			`{"contacts.name.first_name": {"$foo": 1}}`: "q.contacts.name.first_name.$foo",
		} {
			r := e.list("clients", url.Values{"q": {params}})
			if r.code != 400 || at(r.obj(), "fields", field) == nil {
				t.Errorf("q %s: %d %s, want 400 naming %s", params, r.code, r.raw, field)
			}
		}
		if r := e.list("clients", url.Values{"sort": {"contacts.name.first_name"}}); r.code != 400 || at(r.obj(), "fields", "sort") == nil {
			t.Errorf("a sort by a contact's field: %d %s", r.code, r.raw)
		}
		if r := e.list("clients", url.Values{"group_by": {"contacts.name.first_name"}}); r.code != 400 {
			t.Errorf("a group by a contact's field: %d %s", r.code, r.raw)
		}
	})
}
