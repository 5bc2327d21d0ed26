package core_test

import (
	"testing"

	"forecourt/internal/core"
)

// TestSetClientContacts: a list becomes a client's contacts (kept by id,
// new ones made, the rest deleted, nothing written when nothing changes);
// a bad list is refused whole, changing nothing; every contact write
// makes the client's version the next one; another dealer's client is not
// found; contacts group by client.
func TestSetClientContacts(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		cid := l.Client.ID
		a, err := e.svc.CreateContact(e.admin, core.Contact{ClientID: cid, Name: "Ana", Role: "compras", Primary: true})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.svc.CreateContact(e.admin, core.Contact{ClientID: cid, Name: "Beto"})
		if err != nil {
			t.Fatal(err)
		}
		cl, _ := e.svc.FindClient(e.admin, cid)
		if cl.Version != l.Client.Version+2 {
			t.Fatalf("two contacts added: client version %d, was %d", cl.Version, l.Client.Version)
		}
		for name, want := range map[string][]core.Contact{
			"nobody":    {{ID: a.ID, Name: "Ana"}, {}},
			"twice":     {{ID: a.ID, Name: "Ana"}, {ID: a.ID, Name: "Ana"}},
			"too many":  make([]core.Contact, core.MaxClientContacts+1),
			"long name": {{Name: string(make([]rune, core.MaxShortText+1))}},
		} {
			if _, err := e.svc.SetClientContacts(e.admin, cid, want); core.ErrorCode(err) != core.Invalid {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := e.svc.SetClientContacts(e.other, cid, nil); core.ErrorCode(err) != core.NotFound {
			t.Errorf("another dealer's client: %v", err)
		}
		if cs, _ := e.svc.ClientContacts(e.admin, e.f.DealerID, []int64{cid}); len(cs) != 2 {
			t.Fatalf("refused lists changed the contacts: %+v", cs)
		}

		got, err := e.svc.SetClientContacts(e.admin, cid, []core.Contact{{ID: a.ID, Name: "Ana María"}, {ID: 1 << 40, Name: "Nuevo", Phones: []string{"600"}}})
		if err != nil || len(got) != 2 || got[0].ID != a.ID || got[0].PublicID != a.PublicID || got[0].Version != 2 || got[0].Name != "Ana María" ||
			got[1].ID == 0 || got[1].ID == 1<<40 || got[1].ClientID != cid || got[1].CreatedBy == nil || *got[1].CreatedBy != e.f.AdminID {
			t.Fatalf("set: %+v %v", got, err)
		}
		if _, err := e.svc.FindContact(e.admin, b.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("the contact left out: %v", err)
		}
		cs, _ := e.svc.ClientContacts(e.admin, e.f.DealerID, []int64{cid})
		if len(cs) != 2 || cs[0].Name != "Ana María" || cs[1].Name != "Nuevo" {
			t.Fatalf("stored: %+v", cs)
		}
		before, _ := e.svc.FindClient(e.admin, cid)
		if before.Version != cl.Version+3 { // one saved, one deleted, one added
			t.Fatalf("client version %d after three contact writes from %d", before.Version, cl.Version)
		}
		if _, err := e.svc.SetClientContacts(e.admin, cid, cs); err != nil {
			t.Fatal(err)
		}
		if after, _ := e.svc.FindClient(e.admin, cid); after.Version != before.Version {
			t.Fatalf("an unchanged list was written: version %d, was %d", after.Version, before.Version)
		}

		gs, err := e.svc.GroupContacts(e.admin, core.Query{GroupBy: "client"})
		if err != nil || len(gs) != 1 || gs[0].Value != cid || gs[0].Count != 2 {
			t.Fatalf("groups: %+v %v", gs, err)
		}
		if gs, err := e.svc.GroupContacts(e.other, core.Query{GroupBy: "client"}); err != nil || len(gs) != 0 {
			t.Fatalf("another dealer's groups: %+v %v", gs, err)
		}
		if _, err := e.svc.GroupContacts(e.admin, core.Query{GroupBy: "name"}); core.ErrorCode(err) != core.Invalid {
			t.Fatalf("a group by a field that does not group: %v", err)
		}
	})
}
