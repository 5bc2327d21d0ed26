package walcu_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestMessagesComputed: an SMS is answered once a message of the kind
// went the other way with its client after it, whichever API logged the
// answer; its user_emails are the e-mails of its user and of the dealer's
// users it names (another dealer's left out); the same in a GET and in a
// page.
func TestMessagesComputed(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)
	us, err := e.svc.UsersByID(ctx, []int64{e.fx.AdminID, e.fx.AdvisorIDs[0]})
	if err != nil || len(us) != 2 || us[0].Email == "" || us[1].Email == "" {
		t.Fatalf("users: %v %+v", err, us)
	}
	emails := map[int64]string{us[0].ID: us[0].Email, us[1].ID: us[1].Email}
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Eq("dealer", e.fx.DealerID), Limit: 1})
	if err != nil || len(ls) != 1 {
		t.Fatal(err)
	}
	l := ls[0]
	sent := e.es(http.MethodPost, "sms", map[string]any{"lead_id": l.PublicID, "direction": "outbound", "body": "¿Le llamamos?",
		"users": []any{us[1].PublicID, adminID, "no-such-user"}})
	mustStatus(t, "sms", sent, 200)
	id := sent.obj()["_id"].(string)
	computed := func() map[string]any {
		t.Helper()
		one := e.es(http.MethodGet, "sms/"+id, nil)
		mustStatus(t, "GET sms", one, 200)
		c := at(one.arr()[0], "computed").(map[string]any)
		page := e.list("sms", url.Values{"q": {`{"_id": "` + id + `"}`}})
		mustStatus(t, "page of sms", page, 200)
		if !equalJSON(at(page.arr()[0], "computed"), c) {
			t.Errorf("a page's computed is not the GET's: %v, %v", at(page.arr()[0], "computed"), c)
		}
		return c
	}
	c := computed()
	if c["answered"] != false || !equalJSON(c["user_emails"], []any{emails[e.fx.AdminID], emails[e.fx.AdvisorIDs[0]]}) {
		t.Fatalf("before an answer: %v", c)
	}
	// another API logs the client's answer (an SMS) after it; an e-mail does not answer an SMS
	if _, err := e.svc.LogCommunication(ctx, core.Communication{LeadID: l.ID, Kind: core.CommEmail, Direction: core.CommInbound,
		StartAt: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if c := computed(); c["answered"] != false {
		t.Fatalf("an e-mail answered the SMS: %v", c)
	}
	if _, err := e.svc.LogCommunication(ctx, core.Communication{LeadID: l.ID, Kind: core.CommSMS, Direction: core.CommInbound,
		StartAt: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if c := computed(); c["answered"] != true {
		t.Fatalf("after the answer: %v", c)
	}
}
