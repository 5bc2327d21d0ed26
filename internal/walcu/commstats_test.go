package walcu_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestComputedCommunications: a lead's computed client_* fields of
// communications, and its client's, are derived from the core when read:
// a conference and an SMS logged here and an e-mail logged by another API
// count at once, in a lead's GET and in a page of leads, and a deleted
// conference no longer does.
func TestComputedCommunications(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)
	cl := e.es(http.MethodPost, "clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "Comunicada"},
		"phones": []any{"611222333"}}})
	mustStatus(t, "client", cl, 200)
	clientID := cl.obj()["_id"].(string)
	ld := e.es(http.MethodPost, "saleleads", map[string]any{"client_id": clientID, "car_list": []any{map[string]any{"car": map[string]any{"make": "Seat"}}}})
	mustStatus(t, "lead", ld, 200)
	leadID := ld.obj()["_id"].(string)
	computed := func(coll, id string) map[string]any {
		t.Helper()
		r := e.es(http.MethodGet, coll+"/"+id, nil)
		mustStatus(t, "GET "+coll, r, 200)
		return r.arr()[0].(map[string]any)["computed"].(map[string]any)
	}
	if c := computed("saleleads", leadID); num(c["client_number_of_calls"]) != "0" || c["client_last_call_date"] != nil ||
		c["client_last_communication_direction"] != nil {
		t.Fatalf("before any communication: %v", c)
	}
	conf := e.es(http.MethodPost, "conferences", map[string]any{"lead_id": leadID, "direction": "inbound", "status": "completed",
		"made_at": "2026-11-02T09:30:00Z", "duration": 60})
	mustStatus(t, "conference", conf, 200)
	mustStatus(t, "sms", e.es(http.MethodPost, "sms", map[string]any{"lead_id": leadID, "direction": "outbound", "body": "Le esperamos"}), 200)
	mustStatus(t, "planned call", e.es(http.MethodPost, "conferences", map[string]any{"lead_id": leadID, "direction": "outbound",
		"status": "queued", "made_at": "2026-12-24T09:30:00Z"}), 200)
	n, err := e.svc.ResolvePublicID(ctx, core.RecordLead, leadID)
	if err != nil {
		t.Fatal(err)
	}
	mail := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	if _, err := e.svc.LogCommunication(ctx, core.Communication{LeadID: n, Kind: core.CommEmail, Direction: core.CommInbound, StartAt: mail}); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"client_number_of_communications": "3", "client_number_of_inbound_communications": "2", "client_number_of_outbound_communications": "1",
		"client_number_of_calls": "1", "client_number_of_inbound_calls": "1", "client_number_of_outbound_calls": "0",
		"client_number_of_exchanged_emails": "1", "client_last_call_date": "2026-11-02T09:30:00.000Z",
		"client_last_inbound_call_date": "2026-11-02T09:30:00.000Z", "client_last_outbound_call_date": nil,
		"client_last_inbound_email_date": "2026-11-01T08:00:00.000Z", "client_last_email_date": "2026-11-01T08:00:00.000Z",
		"client_last_inbound_sms_date": nil, "client_last_communication_direction": "outbound", "client_last_communication_user": adminID,
	}
	check := func(what string, c map[string]any, want map[string]any) {
		t.Helper()
		for k, v := range want {
			got := c[k]
			if s := num(got); s != "" {
				got = s
			}
			if got != v {
				t.Errorf("%s: %s = %v, want %v", what, k, c[k], v)
			}
		}
	}
	check("lead", computed("saleleads", leadID), want)
	page := e.list("saleleads", url.Values{"q": {`{"client_id": "` + clientID + `"}`}})
	mustStatus(t, "page", page, 200)
	check("page of leads", page.arr()[0].(map[string]any)["computed"].(map[string]any), want)
	c := computed("clients", clientID)
	check("client", c, map[string]any{"client_number_of_leads": "1", "client_number_of_sale_leads": "1", "client_number_of_aftersale_leads": "0",
		"client_number_of_sms": "1", "client_number_of_outbound_sms": "1", "client_number_of_calls": "1",
		"client_number_of_inbound_emails": "1", "client_last_outbound_sms_date": c["client_last_sms_date"]})
	if c["client_last_sms_date"] == nil {
		t.Fatalf("client: no last SMS date: %v", c)
	}
	mustStatus(t, "delete", e.es(http.MethodDelete, "conferences/"+conf.obj()["_id"].(string), nil), 200)
	check("lead after the delete", computed("saleleads", leadID), map[string]any{"client_number_of_calls": "0",
		"client_last_call_date": nil, "client_number_of_communications": "2"})
}
