package core_test

import (
	"slices"
	"testing"

	"forecourt/internal/core"
)

// TestEditClientContact: a client's name, phone and e-mail edited on their
// own are the client's (its leads show them) and an entry of each of its
// leads' history, by the user; a stale version, an invalid e-mail and
// another dealer's client change and record nothing; nor does an edit
// that changes nothing. UpdateClient (Walcu's clients) records its
// changes of every client field the same way, and an edit of the
// client's extension fields alone records nothing.
func TestEditClientContact(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		a, b := e.lead(t, nil), e.lead(t, nil) // the same phone: one client
		if a.Client.ID != b.Client.ID {
			t.Fatalf("two clients: %d, %d", a.Client.ID, b.Client.ID)
		}
		id := a.Client.ID
		cl, err := e.svc.FindClient(e.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		_, na := lastHistory(t, e, a.ID)
		_, nb := lastHistory(t, e, b.ID)
		unchanged := func(what string) {
			t.Helper()
			got, err := e.svc.FindClient(e.admin, id)
			if err != nil || got.Version != cl.Version || got.Name != cl.Name {
				t.Fatalf("%s changed the client: %+v, %v", what, got, err)
			}
			if _, n := lastHistory(t, e, a.ID); n != na {
				t.Fatalf("%s recorded %d entries", what, n-na)
			}
		}
		patch := core.ClientPatch{Version: cl.Version, Name: core.Value("Ana Ruiz"), Phone: core.Value("+34 600 111 222"),
			Email: core.Value("ana.ruiz@example.com"), Address: core.Value("ignorada")}
		stale := patch
		stale.Version++
		_, err = e.svc.EditClientContact(e.admin, id, stale)
		wantCode(t, err, core.Conflict, "")
		unchanged("a stale edit")
		bad := patch
		bad.Email = core.Value("no es un e-mail")
		_, err = e.svc.EditClientContact(e.admin, id, bad)
		wantCode(t, err, core.Invalid, "email")
		unchanged("an invalid e-mail")
		_, err = e.svc.EditClientContact(e.other, id, patch)
		wantCode(t, err, core.NotFound, "")
		unchanged("another dealer's edit")
		if _, err := e.svc.EditClientContact(e.admin, id, core.ClientPatch{Version: cl.Version, Name: core.Value(cl.Name)}); err != nil {
			t.Fatal(err)
		}
		unchanged("an edit that changes nothing")

		got, err := e.svc.EditClientContact(e.admin, id, patch)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Ana Ruiz" || got.Phone != "+34 600 111 222" || got.Email != "ana.ruiz@example.com" || got.Address != cl.Address ||
			got.Version != cl.Version+1 {
			t.Fatalf("the client after the edit: %+v", got)
		}
		want := []core.Change{{Field: "client.name", Old: cl.Name, New: "Ana Ruiz"}, {Field: "client.phone", Old: cl.Phone, New: "+34 600 111 222"},
			{Field: "client.email", Old: cl.Email, New: "ana.ruiz@example.com"}}
		for _, l := range []struct {
			id int64
			n  int
		}{{a.ID, na}, {b.ID, nb}} {
			h, n := lastHistory(t, e, l.id)
			if n != l.n+1 || h.Kind != core.KindLeadUpdated || h.UserID == nil || *h.UserID != e.f.AdminID ||
				!slices.Equal(h.Changes, want) {
				t.Fatalf("lead %d's history: %d entries after %d, newest %+v", l.id, n, l.n, h)
			}
			if ld := mustFind(t, e, l.id); ld.Client == nil || ld.Client.Name != "Ana Ruiz" || ld.Client.Email != "ana.ruiz@example.com" {
				t.Fatalf("lead %d's client: %+v", l.id, ld.Client)
			}
		}
		if ls, n, _ := e.svc.FindLeads(e.admin, core.Query{Where: core.Match("600111222"), Limit: 10, Total: true}); n != 2 || len(ls) != 2 {
			t.Fatalf("the new phone finds %d leads, want 2", n)
		}
		upd, err := e.svc.UpdateClient(e.admin, id, core.ClientPatch{Version: got.Version, Name: core.Value("Ana R."), Address: core.Value("Calle Mayor 1")})
		if err != nil {
			t.Fatal(err)
		}
		want = []core.Change{{Field: "client.name", Old: "Ana Ruiz", New: "Ana R."}, {Field: "client.address", Old: cl.Address, New: "Calle Mayor 1"}}
		for _, l := range []struct {
			id int64
			n  int
		}{{a.ID, na + 1}, {b.ID, nb + 1}} {
			if h, n := lastHistory(t, e, l.id); n != l.n+1 || h.Kind != core.KindLeadUpdated || !slices.Equal(h.Changes, want) {
				t.Fatalf("lead %d's history after UpdateClient: %d entries after %d, newest %+v", l.id, n, l.n, h)
			}
		}
		if _, err := e.svc.UpdateClient(e.admin, id, core.ClientPatch{Version: upd.Version, Ext: map[string]*string{"walcu.custom": ptr(`{"a":1}`)}}); err != nil {
			t.Fatal(err)
		}
		if _, n := lastHistory(t, e, a.ID); n != na+2 {
			t.Fatalf("an edit of the extension fields alone recorded %d entries", n-na-2)
		}
	})
}
