package walcu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"forecourt/internal/core"
)

// commCollections are the collections kept as the core's communications,
// and the kind of each.
var commCollections = map[string]core.CommKind{"conferences": core.CommCall, "sms": core.CommSMS, "chatmessages": core.CommChat,
	"whatsappmessages": core.CommWhatsapp}

// TestCommunications: conferences, sms, chat and WhatsApp messages are the
// core's communications of a lead and its client, driven by the
// document's example bodies: POST (the mapped fields in the core, the
// rest kept whole, the lead's history records it), GET, PATCH with each
// operation and the refused ones, PUT with a stale __v, lists with q on
// the mapped fields, sort, project, group_by and search, ids of another
// dealer refused, DELETE.
func TestCommunications(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 2})
	if err != nil || len(ls) != 2 {
		t.Fatal(err)
	}
	lead, lead2 := ls[0], ls[1]
	co := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.CODealerID}})
	theirs, _, err := e.svc.FindLeads(co, core.Query{Limit: 1})
	if err != nil || len(theirs) != 1 {
		t.Fatal(err)
	}
	for coll, kind := range commCollections {
		t.Run(coll, func(t *testing.T) {
			spec := map[string][3]string{"conferences": {"made_at", "note", "status"}, "sms": {"", "body", ""},
				"chatmessages": {"sent_at", "body", "delivery_status"}, "whatsappmessages": {"made_at", "body", "delivery_status"}}[coll]
			start, text, status := spec[0], spec[1], spec[2]
			body := example(t, coll)
			body["dealer_id"] = e.dealer
			body["lead_id"] = lead.PublicID
			body["direction"] = "outbound-api"
			body[text] = "Hablamos del León"
			if start != "" {
				body[start] = "2026-11-02T09:30:00Z"
			}
			if coll == "conferences" {
				body["duration"] = 95
			}
			for _, bad := range []struct {
				field string
				value any
			}{
				{"lead_id", nil}, {"lead_id", theirs[0].PublicID}, {"lead_id", "nosuch"}, {"client_id", theirs[0].Client.PublicID},
				{"client_id", lead2.Client.PublicID}, {"direction", "sideways"}, {"custom", 5}, {"nosuchfield", "x"},
			} {
				b := maps(body)
				b[bad.field] = bad.value
				r := e.es(http.MethodPost, coll, b)
				if r.code != 400 || r.obj()["fields"].(map[string]any)[bad.field] == nil {
					t.Errorf("POST with %s %v: %d %s", bad.field, bad.value, r.code, r.raw)
				}
			}
			if status != "" {
				b := maps(body)
				b[status] = "lost"
				if r := e.es(http.MethodPost, coll, b); r.code != 400 {
					t.Errorf("POST with %s lost: %d %s", status, r.code, r.raw)
				}
			}
			created := e.es(http.MethodPost, coll, body)
			mustStatus(t, "POST", created, 200)
			d := created.obj()
			for k := range body {
				if _, ok := d[k]; !ok {
					t.Errorf("POST answer lacks %s", k)
				}
			}
			id, _ := d["_id"].(string)
			if id == "" || id == "string" || d["__v"] != json.Number("0") || d["dealer_id"] != e.dealer || d["lead_id"] != lead.PublicID ||
				d["client_id"] != lead.Client.PublicID || d["direction"] != "outbound-api" || d[text] != "Hablamos del León" ||
				d["updated_by"] != adminID {
				t.Fatalf("POST: %s", created.raw)
			}
			if !equalJSON(d["origin"], body["origin"]) || d["twilio_account_sid"] != nil && d["twilio_account_sid"] != "string" {
				t.Fatalf("the rest not kept: %s", created.raw)
			}
			// the core's communication of the lead, in its history
			n, err := e.svc.ResolvePublicID(ctx, core.RecordCommunication, id)
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.svc.FindCommunication(ctx, n)
			if err != nil || c.Kind != kind || c.LeadID != lead.ID || *c.ClientID != lead.Client.ID || c.Direction != core.CommOutbound ||
				c.Body != "Hablamos del León" || (start != "" && c.StartAt.Format("2006-01-02T15:04") != "2026-11-02T09:30") {
				t.Fatalf("core communication: %+v, %v", c, err)
			}
			if coll == "conferences" && (c.Status != core.CommNotAnswered || c.Duration.Seconds() != 95) {
				t.Fatalf("conference status and duration: %+v", c)
			}
			hs, _, err := e.svc.LeadHistory(ctx, lead.ID, true, core.Page{Limit: 1})
			if err != nil || len(hs) != 1 || hs[0].Kind != core.KindCommunicationLogged {
				t.Fatalf("lead history: %+v %v", hs, err)
			}
			got := e.es(http.MethodGet, coll+"/"+id, nil)
			mustStatus(t, "GET", got, 200)
			if a := got.arr(); len(a) != 1 || !equalJSON(a[0], d) {
				t.Fatalf("GET: %s, want [%v]", got.raw, d)
			}
			// under another collection of communications it is not found
			other := "sms"
			if coll == "sms" {
				other = "conferences"
			}
			mustStatus(t, "GET as "+other, e.es(http.MethodGet, other+"/"+id, nil), 404)

			patch := []map[string]any{
				{"op": "test", "path": "/__v", "value": 0},
				{"op": "replace", "path": "/custom", "value": "changed"},
				{"op": "replace", "path": "/" + text, "value": "Otra vez"},
				{"op": "add", "path": "/foreign_ids/-", "value": "f2"},
				{"op": "copy", "from": "/custom", "path": "/foreign_ids/0"},
				{"op": "move", "from": "/foreign_ids/0", "path": "/foreign_ids/-"},
				{"op": "remove", "path": "/foreign_ids/0"},
			}
			p := e.es(http.MethodPatch, coll+"/"+id, patch)
			mustStatus(t, "PATCH", p, 200)
			if pd := p.obj(); pd["custom"] != "changed" || pd[text] != "Otra vez" || !equalJSON(pd["foreign_ids"], []any{"f2", "changed"}) ||
				pd["__v"] != json.Number("1") {
				t.Fatalf("PATCH: %s", p.raw)
			}
			if hs, _, _ := e.svc.LeadHistory(ctx, lead.ID, true, core.Page{Limit: 1}); hs[0].Kind != core.KindCommunicationUpdated {
				t.Fatalf("history of the patch: %+v", hs[0])
			}
			for _, bad := range []struct {
				patch any
				code  int
			}{
				{[]map[string]any{{"op": "test", "path": "/__v", "value": 0}, {"op": "replace", "path": "/custom", "value": "x"}}, 409},
				{[]map[string]any{{"op": "replace", "path": "/_id", "value": "x"}}, 400},
				{[]map[string]any{{"op": "add", "path": "/computed/x", "value": 1}}, 400},
				{[]map[string]any{{"op": "replace", "path": "/custom", "value": 5}}, 400},
				{[]map[string]any{{"op": "replace", "path": "/lead_id", "value": lead2.PublicID}}, 400},
				{[]map[string]any{{"op": "replace", "path": "/direction", "value": "up"}}, 400},
				{[]map[string]any{{"op": "add", "path": "/nosuchfield", "value": 5}}, 400},
				{[]map[string]any{{"op": "jump", "path": "/custom"}}, 400},
			} {
				r := e.es(http.MethodPatch, coll+"/"+id, bad.patch)
				if r.code != bad.code || r.obj()["error"] == nil {
					t.Errorf("PATCH %v: %d %s, want %d", bad.patch, r.code, r.raw, bad.code)
				}
			}
			if now := e.es(http.MethodGet, coll+"/"+id, nil).arr()[0].(map[string]any); !equalJSON(now, p.obj()) {
				t.Fatalf("refused patches changed the document: %v", now)
			}
			put := p.obj()
			put["custom"] = "changed2"
			put["direction"] = "inbound"
			put["__v"] = 0
			mustStatus(t, "PUT stale", e.es(http.MethodPut, coll+"/"+id, put), 409)
			put["__v"] = 1
			r := e.es(http.MethodPut, coll+"/"+id, put)
			mustStatus(t, "PUT", r, 200)
			if r.obj()["__v"] != json.Number("2") || r.obj()["custom"] != "changed2" || r.obj()["direction"] != "inbound" {
				t.Fatalf("PUT: %s", r.raw)
			}

			// lists on the core's fields
			q := `{"lead_id": "` + lead.PublicID + `", "direction": "inbound", "created_at": {"$lte": "2100-01-01"}}`
			if start != "" {
				q = `{"lead_id": "` + lead.PublicID + `", "direction": "inbound", "` + start + `": {"$gte": "2026-11-02", "$lt": "2026-11-03"}}`
			}
			l := e.list(coll, url.Values{"q": {q}, "sort": {"-created_at"}})
			mustStatus(t, "list", l, 200)
			if len(l.arr()) != 1 || l.header.Get("mapp-has-more") != "false" {
				t.Fatalf("list %s: %s", q, l.raw)
			}
			if l = e.list(coll, url.Values{"q": {`{"direction": "outbound"}`}}); len(l.arr()) != 0 {
				t.Fatalf("list of outbound: %s", l.raw)
			}
			if status != "" {
				w := r.obj()[status].(string)
				if l = e.list(coll, url.Values{"q": {`{"` + status + `": {"$in": ["` + w + `"]}}`}}); len(l.arr()) != 1 {
					t.Fatalf("list by %s: %s", status, l.raw)
				}
			}
			l = e.list(coll, url.Values{"project": {text + " lead_id"}})
			var keys []string
			for k := range l.arr()[0].(map[string]any) {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			want := []string{"_id", "lead_id", text}
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Fatalf("project: %v", keys)
			}
			l = e.list(coll, url.Values{"group_by": {"direction"}})
			if l.code != 200 || !equalJSON(l.body, []any{map[string]any{"_id": "inbound", "count": 1}}) {
				t.Fatalf("group_by: %s", l.raw)
			}
			if l = e.list(coll, url.Values{"search": {"\"otra vez\""}}); len(l.arr()) != 1 {
				t.Fatalf("search: %s", l.raw)
			}
			for _, bad := range []url.Values{{"q": {`{"custom.nosuch": "x"}`}}, {"q": {`{"nosuch": 1}`}}, {"q": {`{"direction": {"$where": 1}}`}},
				{"sort": {"nosuch"}}, {"group_by": {"nosuch"}}} {
				if r := e.list(coll, bad); r.code != 400 || r.obj()["fields"] == nil {
					t.Errorf("list %v: %d %s", bad, r.code, r.raw)
				}
			}
			if r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/"+coll, nil); r.code != 200 || len(r.arr()) != 0 {
				t.Errorf("Colombia's list: %d %s", r.code, r.raw)
			}
			del := e.es(http.MethodDelete, coll+"/"+id, nil)
			if del.code != 200 || !equalJSON(del.body, map[string]any{"_id": id}) {
				t.Fatalf("DELETE: %s", del.raw)
			}
			mustStatus(t, "GET deleted", e.es(http.MethodGet, coll+"/"+id, nil), 404)
			if hs, _, _ := e.svc.LeadHistory(ctx, lead.ID, true, core.Page{Limit: 1}); hs[0].Kind != core.KindCommunicationDeleted {
				t.Fatalf("history of the delete: %+v", hs[0])
			}
		})
	}
}

// maps is a shallow copy of m.
func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
