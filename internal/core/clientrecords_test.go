package core_test

import (
	"errors"
	"testing"

	"forecourt/internal/core"
)

// TestClientRecords: a client made, changed and deleted on its own: one
// client per person (a second with the phone of a stored one is a
// Conflict naming the key), its Ext round-trips, a change shows on its
// leads and is refused on a stale version, another dealer's is NotFound,
// and a client with leads is not deleted.
func TestClientRecords(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		c, err := e.svc.CreateClient(e.admin, core.Client{DealerID: e.f.DealerID, Name: " Marta ", Phone: "600 111 222", GovID: "1234-5678z",
			Ext: map[string]string{"walcu.custom": `{"a":[1,"x"]}`}})
		if err != nil || c.ID == 0 || c.Version != 1 || c.Name != "Marta" || c.PhoneE164 != "+34600111222" || c.GovID != "12345678Z" || c.PublicID == "" {
			t.Fatalf("created: %+v %v", c, err)
		}
		got, err := e.svc.FindClient(e.admin, c.ID)
		if err != nil || got.Ext["walcu.custom"] != `{"a":[1,"x"]}` || got.PhoneE164 != "+34600111222" {
			t.Fatalf("found: %+v %v", got, err)
		}
		_, err = e.svc.CreateClient(e.admin, core.Client{DealerID: e.f.DealerID, Name: "M", Phone: "+34600111222"})
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code != core.Conflict || ce.Fields[core.MatchPhone] != core.MsgDuplicate {
			t.Fatalf("the same person again: %v", err)
		}
		if _, err := e.svc.CreateClient(e.other, core.Client{DealerID: e.otherD.ID, Name: "M", Phone: "+34600111222"}); err != nil {
			t.Fatalf("another dealer's client of the same phone: %v", err)
		}
		if _, err := e.svc.CreateClient(e.admin, core.Client{DealerID: e.f.DealerID}); core.ErrorCode(err) != core.Invalid {
			t.Fatalf("no name: %v", err)
		}

		l := e.lead(t, func(l *core.Lead) { l.Client = &core.Client{ID: c.ID} })
		upd, err := e.svc.UpdateClient(e.admin, c.ID, core.ClientPatch{Version: 1, Email: core.Value("marta@example.com"), Ext: map[string]*string{"walcu.custom": nil}})
		if err != nil || upd.Version != 2 || upd.Ext != nil || upd.Email != "marta@example.com" {
			t.Fatalf("updated: %+v %v", upd, err)
		}
		if got := mustFind(t, e, l.ID); got.Client.Email != "marta@example.com" {
			t.Fatalf("the lead's client: %+v", got.Client)
		}
		if ls, n, _ := e.svc.FindLeads(e.admin, core.Query{Where: core.Contains("client.email", "marta@"), Limit: -1, Total: true}); n != 1 || ls[0].ID != l.ID {
			t.Fatalf("the lead is not found by its client's new e-mail: %d", n)
		}
		if _, err := e.svc.UpdateClient(e.admin, c.ID, core.ClientPatch{Version: 1, Name: core.Value("x")}); !errors.Is(err, core.ErrStaleVersion) {
			t.Fatalf("stale: %v", err)
		}
		if _, err := e.svc.UpdateClient(e.other, c.ID, core.ClientPatch{Name: core.Value("x")}); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's admin: %v", err)
		}
		same, err := e.svc.UpdateClient(e.admin, c.ID, core.ClientPatch{Email: core.Value("marta@example.com")})
		if err != nil || same.Version != 2 {
			t.Fatalf("a patch that changes nothing: %+v %v", same, err)
		}

		if err := e.svc.DeleteClient(e.admin, c.ID, 0); core.ErrorCode(err) != core.Conflict {
			t.Fatalf("delete a client with a lead: %v", err)
		}
		if err := e.svc.DeleteLead(e.admin, l.ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteClient(e.admin, c.ID, 1); !errors.Is(err, core.ErrStaleVersion) {
			t.Fatalf("delete on a stale version: %v", err)
		}
		if err := e.svc.DeleteClient(e.admin, c.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FindClient(e.admin, c.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted: %v", err)
		}
	})
}
