package core_test

import (
	"context"
	"slices"
	"testing"

	"forecourt/internal/core"
)

// TestContacts: a client's contact persons are added, changed with their
// version (one primary per client), listed through ContactSchema, moved
// with their client when clients are merged, and deleted; another dealer
// neither sees nor adds them; bad ones are refused.
func TestContacts(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		cid := l.Client.ID
		a, err := e.svc.CreateContact(e.admin, core.Contact{ClientID: cid, Name: " Ana Compras ", Phones: []string{"600111222", " "},
			Emails: []string{"ana@example.com"}, Role: "compras", Primary: true, Ext: map[string]string{"walcu.custom": `"x"`}})
		if err != nil || a.ID == 0 || a.PublicID == "" || a.Version != 1 || a.DealerID != e.f.DealerID || a.Name != "Ana Compras" ||
			!slices.Equal(a.Phones, []string{"600111222"}) || *a.CreatedBy != e.f.AdminID {
			t.Fatalf("created: %+v %v", a, err)
		}
		b, err := e.svc.CreateContact(e.admin, core.Contact{ClientID: cid, Name: "Beto", Primary: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.FindContact(e.admin, a.ID); got.Primary || got.Ext["walcu.custom"] != `"x"` || got.Emails[0] != "ana@example.com" {
			t.Fatalf("a second primary contact left the first primary: %+v", got)
		}
		b.Name, b.Version = "Beto Ruiz", 1
		upd, err := e.svc.UpdateContact(e.admin, b)
		if err != nil || upd.Version != 2 || upd.Name != "Beto Ruiz" || upd.ClientID != cid {
			t.Fatalf("updated: %+v %v", upd, err)
		}
		_, err = e.svc.UpdateContact(e.admin, b)
		wantStale(t, err, "version")
		for name, c := range map[string]core.Contact{
			"nothing": {ClientID: cid},
			"phones":  {ClientID: cid, Name: "x", Phones: make([]string, core.MaxContactPhones+1)},
			"other":   {ClientID: 1 << 40, Name: "x"},
			"ext":     {ClientID: cid, Name: "x", Ext: map[string]string{"Bad": "1"}},
		} {
			if name == "phones" {
				for i := range c.Phones {
					c.Phones[i] = "6"
				}
			}
			if _, err := e.svc.CreateContact(e.admin, c); core.ErrorCode(err) != core.Invalid {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := e.svc.CreateContact(e.other, core.Contact{ClientID: cid, Name: "x"}); core.ErrorCode(err) != core.Invalid {
			t.Fatalf("another dealer adds: %v", err)
		}
		if _, err := e.svc.FindContact(e.other, a.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer finds: %v", err)
		}
		cs, n, err := e.svc.FindContacts(e.admin, core.Query{Where: core.And(core.Eq("client", cid), core.Match("600111")), Limit: 10, Total: true})
		if err != nil || n != 1 || cs[0].ID != a.ID {
			t.Fatalf("search: %+v %d %v", cs, n, err)
		}
		if theirs, _, err := e.svc.FindContacts(e.other, core.Query{Where: core.Eq("client", cid), Limit: 10}); err != nil || len(theirs) != 0 {
			t.Fatalf("another dealer lists: %+v %v", theirs, err)
		}
		byClient, err := e.svc.ClientContacts(e.admin, e.f.DealerID, []int64{cid})
		if err != nil || len(byClient) != 2 || byClient[0].ID != a.ID {
			t.Fatalf("client contacts: %+v %v", byClient, err)
		}
		if err := e.svc.DeleteContact(e.other, a.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer deletes: %v", err)
		}
		if err := e.svc.DeleteContact(e.admin, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FindContact(e.admin, a.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted: %v", err)
		}
	})
}

// TestMergeMovesContacts: merging clients moves the dropped client's
// contacts (no longer primary) and communications to the kept one,
// instead of failing on them or losing them.
func TestMergeMovesContacts(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		mk := func(c core.Client) core.Lead {
			l, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "Golf"}, Client: &c})
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		keep := mk(core.Client{Name: "Marta", Phone: "622000001"})
		drop := mk(core.Client{Name: "Marta López", Email: "marta@example.com"})
		c, err := e.svc.CreateContact(e.admin, core.Contact{ClientID: drop.Client.ID, Name: "Luis", Primary: true})
		if err != nil {
			t.Fatal(err)
		}
		cm, err := e.svc.LogCommunication(e.admin, core.Communication{LeadID: drop.ID, Kind: core.CommCall})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MergeClients(context.Background(), e.f.DealerID, keep.Client.ID, drop.Client.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.FindContact(e.admin, c.ID); err != nil || got.ClientID != keep.Client.ID || got.Primary {
			t.Fatalf("contact after the merge: %+v %v", got, err)
		}
		if got, err := e.svc.FindCommunication(e.admin, cm.ID); err != nil || *got.ClientID != keep.Client.ID {
			t.Fatalf("communication after the merge: %+v %v", got, err)
		}
	})
}
