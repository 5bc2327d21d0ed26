package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/core"
)

// TestComputedComplete: every field of a collection's computed block is
// in every document it answers (GET one, lists): what the core has no data
// for as the schema's empty value (GDPR [], offers 0), what is not derived
// yet as null; and a lead's client_address, client_business_details and
// client_customs are its client's, kept current when another API changes
// the client.
func TestComputedComplete(t *testing.T) {
	e := newEnv(t)
	ctx, _ := e.admin(t)
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 1})
	if err != nil || len(ls) != 1 {
		t.Fatal(err)
	}
	l := ls[0]
	mustStatus(t, "a conference", e.es(http.MethodPost, "conferences", map[string]any{"lead_id": l.PublicID, "direction": "inbound", "status": "completed"}), 200)
	mustStatus(t, "a date", e.es(http.MethodPost, "dates", map[string]any{"lead_id": l.PublicID, "title": "visita", "start_date": "2026-12-01T10:00:00Z",
		"duration": 30}), 200)
	mustStatus(t, "a contact", e.es(http.MethodPost, "contacts", map[string]any{"client_id": l.Client.PublicID, "name": map[string]any{"first_name": "Ana"}}), 200)
	for _, coll := range []string{"saleleads", "clients", "dates", "tasks", "notes", "conferences", "contacts"} {
		want, _ := example(t, coll)["computed"].(map[string]any)
		r := e.list(coll, url.Values{"limit": {"1"}})
		if r.code != 200 || len(r.arr()) != 1 {
			t.Fatalf("%s: %d %s", coll, r.code, r.raw)
		}
		got, _ := at(r.arr()[0], "computed").(map[string]any)
		for k := range want {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: computed.%s missing", coll, k)
			}
		}
		id := at(r.arr()[0], "_id").(string)
		if one := e.es(http.MethodGet, coll+"/"+id, nil); !equalJSON(at(one.arr()[0], "computed"), got) {
			t.Errorf("%s: GET one's computed is not the list's: %v\n%v", coll, at(one.arr()[0], "computed"), got)
		}
	}

	lead := e.es(http.MethodGet, "saleleads/"+l.PublicID, nil).arr()[0]
	c := at(lead, "computed").(map[string]any)
	if c["client_gdpr"] != nil || num(c["number_of_offers"]) != "0" || c["first_offer_date"] != nil ||
		!equalJSON(c["client_call_durations"], []any{0}) {
		t.Errorf("no data, and derived: %v", c)
	}
	if cl := e.es(http.MethodGet, "clients/"+l.Client.PublicID, nil).arr()[0]; num(at(cl, "computed", "number_of_tasks")) == "" ||
		!equalJSON(at(cl, "computed", "primary_contact_gdpr"), []any{}) {
		t.Errorf("a client's computed: %v", at(cl, "computed"))
	}

	// the client's parts, as another API changes them
	if _, err := e.svc.UpdateClient(ctx, l.Client.ID, core.ClientPatch{Address: core.Value("Calle Luna 3, Madrid"),
		BusinessName: core.Value("Luna SL")}); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, "a client's custom", e.es(http.MethodPatch, "clients/"+l.Client.PublicID, []any{
		map[string]any{"op": "add", "path": "/custom", "value": "vip"}}), 200)
	c = at(e.es(http.MethodGet, "saleleads/"+l.PublicID, nil).arr()[0], "computed").(map[string]any)
	if !equalJSON(c["client_address"], map[string]any{"address_details": "Calle Luna 3, Madrid"}) ||
		at(c, "client_business_details", "name") != "Luna SL" || c["client_customs"] != "vip" {
		t.Errorf("the client's parts on its lead: %v %v %v", c["client_address"], c["client_business_details"], c["client_customs"])
	}
}
