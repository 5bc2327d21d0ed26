package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/core"
)

// TestClients: the core's clients are Walcu's clients: a lead's client
// made elsewhere is read and patched here and its leads show the change;
// one made here is the core's client with its name, phone, e-mail,
// government id, business name and address, the rest kept whole; one
// client per person (a second with the same phone is 409); PUT on a stale
// version is refused; lists filter on the core's fields and search; a
// client with leads is not deleted; another dealer sees nothing.
func TestClients(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 1})
	if err != nil || len(ls) != 1 || ls[0].Client == nil {
		t.Fatalf("demo leads: %v", err)
	}
	demo := ls[0].Client

	r := e.es(http.MethodGet, "clients/"+demo.PublicID, nil)
	mustStatus(t, "get a demo client", r, 200)
	got := r.arr()[0].(map[string]any)
	if at(got, "primary_contact", "phones", "0") != demo.Phone || at(got, "contacts_phones", "0") != demo.Phone {
		t.Fatalf("demo client: %s", r.raw)
	}
	r = e.es(http.MethodPatch, "clients/"+demo.PublicID, []any{
		map[string]any{"op": "replace", "path": "/primary_contact/phones/0", "value": "+34 699 000 111"},
		map[string]any{"op": "add", "path": "/custom", "value": "vip"},
	})
	mustStatus(t, "patch", r, 200)
	if r.obj()["custom"] != "vip" || at(r.obj(), "primary_contact", "phones", "0") != "+34 699 000 111" || r.obj()["updated_by"] != adminID {
		t.Fatalf("patched: %s", r.raw)
	}
	if l, _ := e.svc.FindLead(ctx, ls[0].ID); l.Client.Phone != "+34 699 000 111" || l.Client.PhoneE164 != "+34699000111" {
		t.Fatalf("the lead's client after the patch: %+v", l.Client)
	}

	body := map[string]any{
		"primary_contact": map[string]any{"name": map[string]any{"first_name": "Marta", "last_name": "Ruiz Gil"},
			"phones": []any{"600111222"}, "emails": []any{"marta@example.com"}, "government_id": "12.345.678-z"},
		"business_details": map[string]any{"name": "Ruiz SL", "tax_id": "B12345678"},
		"address":          map[string]any{"route": "Calle Mayor", "street_number": "1", "postal_code": "28013", "locality": "Madrid", "country": "ES"},
		"contacts":         []any{map[string]any{"name": map[string]any{"first_name": "Pepe"}, "phones": []any{"611000000"}}},
		"custom":           "c1",
		"foreign_ids":      []any{"erp-9"},
	}
	r = e.es(http.MethodPost, "clients", body)
	mustStatus(t, "post", r, 200)
	d := r.obj()
	id, _ := d["_id"].(string)
	if id == "" || num(d["__v"]) != "1" || d["created_by"] != adminID || at(d, "primary_contact", "name", "last_name") != "Ruiz Gil" ||
		at(d, "primary_contact", "government_id") != "12345678Z" || at(d, "address", "route") != "Calle Mayor" || d["custom"] != "c1" ||
		at(d, "contacts_phones", "1") != "611000000" || at(d, "business_details", "tax_id") != "B12345678" {
		t.Fatalf("created: %s", r.raw)
	}
	n, err := e.svc.ResolvePublicID(ctx, core.RecordClient, id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.FindClient(ctx, n)
	if err != nil || c.Name != "Marta Ruiz Gil" || c.Phone != "600111222" || c.PhoneE164 != "+34600111222" || c.Email != "marta@example.com" ||
		c.GovID != "12345678Z" || c.BusinessName != "Ruiz SL" || c.Address != "Calle Mayor 1, 28013 Madrid, ES" {
		t.Fatalf("the core's client: %+v %v", c, err)
	}
	if r := e.es(http.MethodGet, "clients/"+id, nil); !equalJSON(r.arr()[0], d) {
		t.Fatalf("GET one: %s", r.raw)
	}

	// one client per person
	dup := e.es(http.MethodPost, "clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "M."}, "phones": []any{"+34 600 11 12 22"}}})
	if dup.code != 409 || at(dup.obj(), "fields", "primary_contact.phones.0") == nil {
		t.Fatalf("a second client of one phone: %d %s", dup.code, dup.raw)
	}
	mustStatus(t, "no name", e.es(http.MethodPost, "clients", map[string]any{"custom": "x"}), 400)
	mustStatus(t, "bad e-mail", e.es(http.MethodPost, "clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "A"}, "emails": []any{"nope"}}}), 400)

	// a stale PUT changes nothing
	if _, err := e.svc.UpdateClient(ctx, n, core.ClientPatch{Email: core.Value("marta.ruiz@example.com")}); err != nil {
		t.Fatal(err)
	}
	put := map[string]any{}
	for k, v := range d {
		put[k] = v
	}
	put["custom"], put["__v"] = "c2", 1 // as created (with its contact), before the e-mail's change
	mustStatus(t, "stale put", e.es(http.MethodPut, "clients/"+id, put), 409)
	put["__v"] = 2
	r = e.es(http.MethodPut, "clients/"+id, put)
	mustStatus(t, "put", r, 200)
	if c, _ := e.svc.FindClient(ctx, n); c.Ext["walcu.custom"] != `"c2"` || c.Email != "marta@example.com" {
		t.Fatalf("after the put (its body had the old e-mail): %+v", c)
	}

	// lists
	for q, want := range map[string]int{`{"primary_contact.phones": "600111222"}`: 1, `{"primary_contact.government_id": "12345678Z"}`: 1, `{"_id": "` + id + `"}`: 1} {
		r := e.list("clients", url.Values{"q": {q}, "sort": {"-created_at"}})
		if r.code != 200 || len(r.arr()) != want {
			t.Errorf("q %s: %d %s", q, r.code, r.raw)
		}
	}
	if r := e.list("clients", url.Values{"search": {"marta"}}); len(r.arr()) != 1 {
		t.Errorf("search: %s", r.raw)
	}
	if r := e.list("clients", url.Values{"q": {`{"custom": "c2", "business_details.tax_id": "B12345678"}`}}); r.code != 200 || len(r.arr()) != 1 {
		t.Errorf("fields kept outside the core's columns: %d %s", r.code, r.raw)
	}

	// a client with a lead is not deleted; without, it is
	lead := e.es(http.MethodPost, "saleleads", map[string]any{"client_id": id, "car_list": []any{map[string]any{"car": map[string]any{"make": "Seat"}}}})
	mustStatus(t, "a lead of the client", lead, 200)
	mustStatus(t, "delete a client with a lead", e.es(http.MethodDelete, "clients/"+id, nil), 409)
	mustStatus(t, "another dealer's client", e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/clients/"+id, nil), 404)
	mustStatus(t, "another dealer's path", e.do(e.coKey, http.MethodGet, "/dealers/"+e.dealer+"/clients/"+id, nil), 404)
	mustStatus(t, "delete the lead", e.es(http.MethodDelete, "saleleads/"+lead.obj()["_id"].(string), nil), 200)
	mustStatus(t, "delete the client", e.es(http.MethodDelete, "clients/"+id, nil), 200)
	mustStatus(t, "get the deleted client", e.es(http.MethodGet, "clients/"+id, nil), 404)
}
