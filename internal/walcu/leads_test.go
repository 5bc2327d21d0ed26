package walcu_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// admin returns the demo admin's context and public id.
func (e *env) admin(t *testing.T) (context.Context, string) {
	t.Helper()
	p, err := e.svc.Authenticate(context.Background(), e.token)
	if err != nil {
		t.Fatal(err)
	}
	ctx := core.WithPrincipal(context.Background(), p)
	us, err := e.svc.UsersByID(ctx, []int64{e.fx.AdminID})
	if err != nil || len(us) != 1 {
		t.Fatalf("admin: %v", err)
	}
	return ctx, us[0].PublicID
}

// coreLead reads the lead of a Walcu _id through the core.
func (e *env) coreLead(t *testing.T, ctx context.Context, id string) (core.Lead, error) {
	t.Helper()
	n, err := e.svc.ResolvePublicID(ctx, core.RecordLead, id)
	if err != nil {
		return core.Lead{}, err
	}
	return e.svc.FindLead(ctx, n)
}

func num(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return ""
}

// TestSaleleads: the core's leads are saleleads: one made by another API
// is read and patched here without losing what this API cannot show; one
// made here is the core's lead of kind sale with its vehicle, client,
// stage and assignee, the rest of the document kept whole; PUT and PATCH
// are refused on a version another API changed since; the server's
// fields cannot be patched; lists filter, sort, project and group on the
// core's fields; DELETE deletes the lead.
func TestSaleleads(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)

	// a lead of the demo (made through the core, as SML makes them), with
	// a price that is no number
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 1})
	if err != nil || len(ls) != 1 {
		t.Fatalf("demo leads: %v", err)
	}
	demo := ls[0]
	if _, err := e.svc.UpdateLead(ctx, demo.ID, core.LeadPatch{Vehicle: &core.VehiclePatch{ID: &demo.Vehicle.ID, Price: core.Value("15.000 €")}}); err != nil {
		t.Fatal(err)
	}
	r := e.es(http.MethodGet, "saleleads/"+demo.PublicID, nil)
	mustStatus(t, "get a demo lead", r, 200)
	got := r.arr()[0].(map[string]any)
	if got["_id"] != demo.PublicID || got["dealer_id"] != e.dealer || at(got, "status", "status") != string(demo.Stage) {
		t.Fatalf("demo lead as a salelead: %v", r.raw)
	}
	if at(got, "car_list", "0", "car", "price") != nil {
		t.Fatalf("a price that is no number is shown: %v", r.raw)
	}
	v0 := num(got["__v"])
	r = e.es(http.MethodPatch, "saleleads/"+demo.PublicID, []any{
		map[string]any{"op": "add", "path": "/custom", "value": "vip"},
		map[string]any{"op": "replace", "path": "/status/status", "value": "tracing"},
	})
	mustStatus(t, "patch a demo lead", r, 200)
	if r.obj()["custom"] != "vip" || at(r.obj(), "status", "status") != "tracing" || num(r.obj()["__v"]) == v0 ||
		r.obj()["updated_by"] != adminID {
		t.Fatalf("patched: %s", r.raw)
	}
	after, err := e.svc.FindLead(ctx, demo.ID)
	if err != nil || after.Stage != core.StageTracing || after.Vehicle.Price != "15.000 €" || after.Ext["walcu.custom"] != `"vip"` {
		t.Fatalf("the core's lead after the patch: %+v %v", after, err)
	}
	hs, _, err := e.svc.LeadHistory(ctx, demo.ID, true, core.Page{Limit: 1})
	if err != nil || len(hs) != 1 || !hasChange(hs[0], "stage") || !hasChange(hs[0], "ext.walcu.custom") {
		t.Fatalf("history of the patch: %+v %v", hs, err)
	}

	// created here
	body := map[string]any{
		"client_id": demo.Client.PublicID,
		"status":    map[string]any{"status": "new"},
		"car_list": []any{map[string]any{"car": map[string]any{"make": "SEAT", "model": "León FR", "price": 21000, "mileage": 10,
			"year": 2024, "vin": "VSSZZZ5FZPR000001", "images": []any{"a.jpg", "b.jpg"}}}},
		"custom":      "c1",
		"foreign_ids": []any{"crm-1"},
		"origin":      map[string]any{"source": "web", "medium": "web"},
		"inquiry":     "¿Tiene el León en rojo?",
		"dealer_id":   e.dealer,
		"_id":         "ignored",
		"computed":    map[string]any{"car_make": "ignored"},
	}
	r = e.es(http.MethodPost, "saleleads", body)
	mustStatus(t, "post", r, 200)
	d := r.obj()
	id, _ := d["_id"].(string)
	if id == "" || id == "ignored" || num(d["__v"]) != "0" || d["dealer_id"] != e.dealer || d["created_at"] == nil || d["updated_at"] == nil ||
		d["created_by"] != adminID || d["updated_by"] != adminID || d["client_id"] != demo.Client.PublicID || d["custom"] != "c1" ||
		at(d, "foreign_ids", "0") != "crm-1" || at(d, "car_list", "0", "car", "make") != "SEAT" || at(d, "car_list", "0", "car", "model") != "León FR" ||
		num(at(d, "car_list", "0", "car", "price")) != "21000" || at(d, "car_list", "0", "car", "vin") != "VSSZZZ5FZPR000001" ||
		at(d, "current_assigned", "to") != adminID || at(d, "computed", "car_make") != "SEAT" || num(at(d, "computed", "car_number_of_photos")) != "2" ||
		d["inquiry"] != "¿Tiene el León en rojo?" || at(d, "origin", "medium") != "web" {
		t.Fatalf("created: %s", r.raw)
	}
	l, err := e.coreLead(t, ctx, id)
	if err != nil || l.Kind != core.LeadSale || l.Vehicle.BrandModel != "SEAT León FR" || l.Vehicle.Price != "21000" || l.Vehicle.Km != "10" ||
		*l.Vehicle.Year != 2024 || l.Client.ID != demo.Client.ID || l.MailContent != "¿Tiene el León en rojo?" || l.Stage != core.StageNew {
		t.Fatalf("the core's lead: %+v %v", l, err)
	}
	r = e.es(http.MethodGet, "saleleads/"+id, nil)
	mustStatus(t, "get", r, 200)
	if len(r.arr()) != 1 || !equalJSON(r.arr()[0], d) {
		t.Fatalf("GET one: %s\nPOST: %v", r.raw, d)
	}

	// another API changes the lead: a PUT with the version read is refused
	// and changes nothing; with the new version it is written
	if _, err := e.svc.UpdateLead(ctx, l.ID, core.LeadPatch{Score: core.Value(3)}); err != nil {
		t.Fatal(err)
	}
	put := map[string]any{}
	for k, v := range d {
		put[k] = v
	}
	put["custom"] = "c2"
	r = e.es(http.MethodPut, "saleleads/"+id, put)
	mustStatus(t, "put on a stale version", r, 409)
	if l2, _ := e.coreLead(t, ctx, id); l2.Ext["walcu.custom"] != `"c1"` || l2.Score != 3 {
		t.Fatalf("a refused PUT changed the lead: %+v", l2)
	}
	put["__v"] = 1
	r = e.es(http.MethodPut, "saleleads/"+id, put)
	mustStatus(t, "put", r, 200)
	if r.obj()["custom"] != "c2" || num(r.obj()["__v"]) != "2" {
		t.Fatalf("put: %s", r.raw)
	}
	if l2, _ := e.coreLead(t, ctx, id); l2.Score != 3 || l2.Vehicle.BrandModel != "SEAT León FR" {
		t.Fatalf("a PUT lost another API's change: %+v", l2)
	}

	// JSON Patch: a failing test, the server's fields, a bad value
	for _, c := range []struct {
		name  string
		patch []any
		want  int
	}{
		{"failing test", []any{map[string]any{"op": "test", "path": "/custom", "value": "nope"}, map[string]any{"op": "replace", "path": "/custom", "value": "x"}}, 409},
		{"_id", []any{map[string]any{"op": "replace", "path": "/_id", "value": "x"}}, 400},
		{"computed", []any{map[string]any{"op": "add", "path": "/computed/car_make", "value": "x"}}, 400},
		{"dealer_id", []any{map[string]any{"op": "replace", "path": "/dealer_id", "value": e.other}}, 400},
		{"unknown status", []any{map[string]any{"op": "replace", "path": "/status/status", "value": "won"}}, 400},
		{"no car", []any{map[string]any{"op": "remove", "path": "/car_list"}}, 400},
		{"wrong type", []any{map[string]any{"op": "replace", "path": "/cost", "value": "cheap"}}, 400},
		{"unknown user", []any{map[string]any{"op": "replace", "path": "/current_assigned/to", "value": "nobody"}}, 400},
	} {
		r := e.es(http.MethodPatch, "saleleads/"+id, c.patch)
		if r.code != c.want || r.obj()["error"] == nil {
			t.Errorf("%s: %d %s", c.name, r.code, r.raw)
		}
	}
	if l2, _ := e.coreLead(t, ctx, id); l2.Version != 3 || l2.Ext["walcu.custom"] != `"c2"` {
		t.Fatalf("a refused patch changed the lead: v%d %v", l2.Version, l2.Ext)
	}
	r = e.es(http.MethodPatch, "saleleads/"+id, []any{
		map[string]any{"op": "test", "path": "/custom", "value": "c2"},
		map[string]any{"op": "copy", "from": "/custom", "path": "/location"},
		map[string]any{"op": "move", "from": "/foreign_ids", "path": "/links"},
		map[string]any{"op": "replace", "path": "/car_list/0/car/make", "value": "Cupra"},
		map[string]any{"op": "remove", "path": "/inquiry"},
	})
	mustStatus(t, "patch with every operation", r, 200)
	if r.obj()["location"] != "c2" || r.obj()["foreign_ids"] != nil || at(r.obj(), "links", "0") != "crm-1" || r.obj()["inquiry"] != nil {
		t.Fatalf("patched: %s", r.raw)
	}
	if l2, _ := e.coreLead(t, ctx, id); l2.Vehicle.BrandModel != "Cupra León FR" || l2.MailContent != "" {
		t.Fatalf("the core's lead after the patch: %+v", l2)
	}

	// the other kinds: an aftersale lead about a client's vehicle, an
	// appraisal lead about the car offered
	cv := e.es(http.MethodPost, "clientvehicles", map[string]any{"make": "Toyota", "model": "Corolla", "license_plate": "1234ABC"})
	mustStatus(t, "clientvehicle", cv, 200)
	r = e.es(http.MethodPost, "aftersaleleads", map[string]any{"client_id": demo.Client.PublicID, "vehicle_id": cv.obj()["_id"], "inquiry": "revisión"})
	mustStatus(t, "aftersalelead", r, 200)
	after1, _ := r.obj()["_id"].(string)
	if l2, err := e.coreLead(t, ctx, after1); err != nil || l2.Kind != core.LeadAftersale || l2.Vehicle.BrandModel != "Toyota Corolla" {
		t.Fatalf("the aftersale lead: %+v %v", l2, err)
	}
	mustStatus(t, "aftersalelead without vehicle", e.es(http.MethodPost, "aftersaleleads", map[string]any{"inquiry": "x"}), 400)
	r = e.es(http.MethodPost, "appraisalleads", map[string]any{"car": map[string]any{"make": "Renault", "model": "Clio", "mileage": 90000}, "appraisal_value": 7000})
	mustStatus(t, "appraisallead", r, 200)
	appr, _ := r.obj()["_id"].(string)
	if num(at(r.obj(), "car", "mileage")) != "90000" || num(r.obj()["appraisal_value"]) != "7000" {
		t.Fatalf("appraisal lead: %s", r.raw)
	}
	// every operation on the other kinds
	for coll, id := range map[string]string{"aftersaleleads": after1, "appraisalleads": appr} {
		got := e.es(http.MethodGet, coll+"/"+id, nil)
		mustStatus(t, "get "+coll, got, 200)
		doc := got.arr()[0].(map[string]any)
		doc["custom"] = "put"
		r := e.es(http.MethodPut, coll+"/"+id, doc)
		mustStatus(t, "put "+coll, r, 200)
		r = e.es(http.MethodPatch, coll+"/"+id, []any{map[string]any{"op": "replace", "path": "/status/status", "value": "end"},
			map[string]any{"op": "add", "path": "/status/substatus", "value": map[string]any{"substatus": "no_sale"}}})
		mustStatus(t, "patch "+coll, r, 200)
		if at(r.obj(), "status", "substatus", "substatus") != "no_sale" || r.obj()["custom"] != "put" {
			t.Fatalf("%s patched: %s", coll, r.raw)
		}
		if l2, _ := e.coreLead(t, ctx, id); l2.Stage != core.StageEnd || l2.Outcome != core.OutcomeNoSale {
			t.Fatalf("%s in the core: %s %s", coll, l2.Stage, l2.Outcome)
		}
		if r := e.list(coll, url.Values{"q": {`{"status.substatus.substatus": "no_sale"}`}}); len(r.arr()) != 1 {
			t.Fatalf("list %s: %s", coll, r.raw)
		}
	}
	mustStatus(t, "an appraisal lead is no salelead", e.es(http.MethodGet, "saleleads/"+appr, nil), 404)
	mustStatus(t, "a salelead is no aftersalelead", e.es(http.MethodGet, "aftersaleleads/"+id, nil), 404)

	// lists: the kind's leads of the dealer
	r = e.list("saleleads", url.Values{"q": {`{"status.status": {"$in": ["new", "tracing"]}}`}, "sort": {"-created_at"}, "limit": {"2"}, "project": {"status client_id"}})
	mustStatus(t, "list", r, 200)
	if len(r.arr()) != 2 || r.header.Get("mapp-has-more") != "true" {
		t.Fatalf("list: %s", r.raw)
	}
	first := r.arr()[0].(map[string]any)
	if first["_id"] != id || first["car_list"] != nil || at(first, "status", "status") != "new" {
		t.Fatalf("newest first, projected: %v", first)
	}
	if r := e.list("saleleads", url.Values{"limit": {"51"}}); r.code != 400 || at(r.obj(), "fields", "limit") == nil {
		t.Fatalf("more leads than one answer carries: %d %s", r.code, r.raw)
	}
	r = e.list("saleleads", url.Values{"q": {`{"client_id": "` + demo.Client.PublicID + `", "current_assigned.to": "` + adminID + `"}`}, "limit": {"50"}})
	mustStatus(t, "list by client", r, 200)
	for _, x := range r.arr() {
		if x.(map[string]any)["client_id"] != demo.Client.PublicID || x.(map[string]any)["_id"] == after1 {
			t.Fatalf("list by client: %s", r.raw)
		}
	}
	r = e.list("saleleads", url.Values{"group_by": {"status.status"}})
	mustStatus(t, "group", r, 200)
	total := 0
	for _, g := range r.arr() {
		n, _ := g.(map[string]any)["count"].(json.Number).Int64()
		total += int(n)
	}
	if total != 6 { // the 5 demo leads and one made here
		t.Fatalf("groups: %s", r.raw)
	}
	r = e.list("appraisalleads", nil)
	if len(r.arr()) != 1 {
		t.Fatalf("appraisal leads: %s", r.raw)
	}
	for q, field := range map[string]string{`{"computed.notes": "c2"}`: "q.computed.notes", `{"nope": 1}`: "q.nope", `{"status.status": "won"}`: "q.status.status"} {
		r := e.list("saleleads", url.Values{"q": {q}})
		if r.code != 400 || at(r.obj(), "fields", field) == nil {
			t.Errorf("q %s: %d %s", q, r.code, r.raw)
		}
	}

	// another dealer's key sees none of it
	for _, path := range []string{"/dealers/" + e.dealer + "/saleleads/" + id, "/dealers/" + e.other + "/saleleads/" + id} {
		mustStatus(t, "another dealer: "+path, e.do(e.coKey, http.MethodGet, path, nil), 404)
		mustStatus(t, "another dealer deletes: "+path, e.do(e.coKey, http.MethodDelete, path, nil), 404)
	}
	if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/saleleads", nil); strings.Contains(r.raw, id) {
		t.Fatalf("another dealer lists: %s", r.raw)
	}

	for _, x := range []string{"aftersaleleads/" + after1, "appraisalleads/" + appr} {
		mustStatus(t, "delete "+x, e.es(http.MethodDelete, x, nil), 200)
	}
	// delete
	r = e.es(http.MethodDelete, "saleleads/"+id, nil)
	mustStatus(t, "delete", r, 200)
	if r.obj()["_id"] != id || len(r.obj()) != 1 {
		t.Fatalf("delete: %s", r.raw)
	}
	mustStatus(t, "get deleted", e.es(http.MethodGet, "saleleads/"+id, nil), 404)
	if _, err := e.coreLead(t, ctx, id); core.ErrorCode(err) != core.NotFound {
		t.Fatalf("deleted lead in the core: %v", err)
	}
}

func hasChange(h core.History, field string) bool {
	for _, c := range h.Changes {
		if c.Field == field {
			return true
		}
	}
	return false
}

// at returns the value at path in a decoded JSON value.
func at(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
