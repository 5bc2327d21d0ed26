package walcu_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestDates: dates are the core's appointments of a lead: one made here
// is in the lead's history and the core's agenda, with its start, end
// (from a duration), status (showed_up) and the rest kept whole; PUT on a
// stale version and a move to another lead are refused; lists filter on
// the lead and the start; another dealer sees nothing.
func TestDates(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 2})
	if err != nil || len(ls) != 2 {
		t.Fatalf("demo leads: %v", err)
	}
	l := ls[0]
	r := e.es(http.MethodPost, "dates", map[string]any{"lead_id": l.PublicID, "title": "Prueba del León", "start_date": "2026-12-01T10:00:00Z",
		"duration": 45, "custom": "c1", "notification": map[string]any{"notify_at": "2026-12-01T09:00:00Z", "notify_to": []any{adminID}}})
	mustStatus(t, "post", r, 200)
	d := r.obj()
	id, _ := d["_id"].(string)
	if id == "" || d["lead_id"] != l.PublicID || d["lead_type"] != "salelead" || d["end_date"] != "2026-12-01T10:45:00.000Z" ||
		num(d["duration"]) != "45" || d["custom"] != "c1" || d["created_by"] != adminID || d["showed_up"] != nil ||
		(l.Client != nil && d["client_id"] != l.Client.PublicID) || at(d, "notification", "notify_at") != "2026-12-01T09:00:00.000Z" {
		t.Fatalf("created: %s", r.raw)
	}
	n, _ := e.svc.ResolvePublicID(ctx, core.RecordAppointment, id)
	a, err := e.svc.FindAppointment(ctx, n)
	if err != nil || a.LeadID != l.ID || a.Title != "Prueba del León" || !a.StartAt.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) || a.Status != core.AppointmentPlanned {
		t.Fatalf("the core's appointment: %+v %v", a, err)
	}
	if h, _, _ := e.svc.LeadHistory(ctx, l.ID, true, core.Page{Limit: 1}); len(h) != 1 || h[0].Kind != core.KindAppointmentCreated {
		t.Fatalf("the lead's history: %+v", h)
	}
	if r := e.es(http.MethodGet, "dates/"+id, nil); !equalJSON(r.arr()[0], d) {
		t.Fatalf("GET one: %s", r.raw)
	}
	// the lead's computed fields show it, and its client's leads
	lead := e.es(http.MethodGet, "saleleads/"+l.PublicID, nil).arr()[0]
	if num(at(lead, "computed", "number_of_appointments")) != "1" || at(lead, "computed", "appointments", "0", "appointment_id") != id ||
		at(lead, "computed", "appointments", "0", "end_date") != "2026-12-01T10:45:00.000Z" || at(lead, "computed", "appointments_created_by", "0") != adminID {
		t.Fatalf("the lead's computed appointments: %v", at(lead, "computed"))
	}
	if l.Client != nil {
		n, _, _ := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("client", l.Client.ID), Limit: -1})
		if num(at(lead, "computed", "client_number_of_leads")) != strconv.Itoa(len(n)) || num(at(lead, "computed", "client_number_of_sale_leads")) != strconv.Itoa(len(n)) {
			t.Fatalf("the client's leads: %d, computed %v", len(n), at(lead, "computed"))
		}
	}

	r = e.es(http.MethodPatch, "dates/"+id, []any{map[string]any{"op": "add", "path": "/showed_up", "value": true},
		map[string]any{"op": "replace", "path": "/custom", "value": "c2"}})
	mustStatus(t, "patch", r, 200)
	if r.obj()["showed_up"] != true || num(r.obj()["__v"]) != "1" || r.obj()["updated_by"] != adminID {
		t.Fatalf("patched: %s", r.raw)
	}
	if a, _ := e.svc.FindAppointment(ctx, n); a.Status != core.AppointmentDone || a.Ext["walcu.custom"] != `"c2"` {
		t.Fatalf("after the patch: %+v", a)
	}
	stale := r.obj()
	stale["__v"] = 0
	mustStatus(t, "stale put", e.es(http.MethodPut, "dates/"+id, stale), 409)
	stale["__v"], stale["lead_id"] = 1, ls[1].PublicID
	mustStatus(t, "move to another lead", e.es(http.MethodPut, "dates/"+id, stale), 400)
	mustStatus(t, "no lead", e.es(http.MethodPost, "dates", map[string]any{"start_date": "2026-12-01T10:00:00Z"}), 400)
	mustStatus(t, "no start", e.es(http.MethodPost, "dates", map[string]any{"lead_id": l.PublicID}), 400)
	mustStatus(t, "another dealer's lead", e.do(e.coKey, http.MethodPost, "/dealers/"+e.other+"/dates", map[string]any{"lead_id": l.PublicID, "start_date": "2026-12-01T10:00:00Z"}), 400)

	r = e.list("dates", url.Values{"q": {`{"lead_id": "` + l.PublicID + `", "start_date": {"$gte": "2026-12-01"}}`}, "sort": {"-start_date"}})
	if r.code != 200 || len(r.arr()) != 1 {
		t.Fatalf("list: %s", r.raw)
	}
	mustStatus(t, "another dealer", e.do(e.coKey, http.MethodGet, "/dealers/"+e.dealer+"/dates/"+id, nil), 404)
	mustStatus(t, "delete", e.es(http.MethodDelete, "dates/"+id, nil), 200)
	mustStatus(t, "deleted", e.es(http.MethodGet, "dates/"+id, nil), 404)
}
