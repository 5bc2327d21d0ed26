package core_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"forecourt/internal/core"
)

// TestOneClientPerPerson: a lead's new client attaches to the dealer's
// client with the same government id, else phone (as people write it),
// else e-mail (case aside); what it brings fills the client's empty
// fields, and what differs is kept in the lead's history; clients of
// another dealer never match.
func TestOneClientPerPerson(t *testing.T) {
	e := newEnv(t)
	mk := func(ctx context.Context, src int64, c core.Client) core.Lead {
		t.Helper()
		l, err := e.svc.CreateLead(ctx, core.Lead{SourceID: src, Vehicle: &core.Vehicle{BrandModel: "SEAT León"}, Client: &c})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	src := e.f.SourceIDs["phone"]
	first := mk(e.admin, src, core.Client{Name: "Ana", Phone: "666777888"})
	byPhone := mk(e.admin, src, core.Client{Name: "Ana García", Phone: "+34 666 77 78 88", Email: "ana@example.com"})
	if byPhone.Client.ID != first.Client.ID {
		t.Fatalf("the same phone written otherwise made a second client: %d, %d", byPhone.Client.ID, first.Client.ID)
	}
	if byPhone.Client.Name != "Ana" || byPhone.Client.Email != "ana@example.com" || byPhone.Client.Version != 2 ||
		first.Client.CreatedAt.IsZero() || byPhone.Client.UpdatedAt.Before(first.Client.CreatedAt) {
		t.Errorf("matched client: %+v (the stored name kept, the empty e-mail filled)", byPhone.Client)
	}
	hs, _, err := e.svc.LeadHistory(e.admin, byPhone.ID, true, core.All)
	if err != nil {
		t.Fatal(err)
	}
	if hs[0].Kind != core.KindClientMatched || fmt.Sprint(hs[0].Changes) !=
		fmt.Sprintf("[{client  %d} {client.matched_by  phone} {client.name Ana Ana García}]", first.Client.ID) {
		t.Errorf("history: %+v", hs[0])
	}
	byEmail := mk(e.admin, src, core.Client{Name: "A. García", Email: "ANA@Example.com "})
	if byEmail.Client.ID != first.Client.ID {
		t.Errorf("the same e-mail in capitals made a second client")
	}
	// the first lead shows the e-mail its client got
	if ls, _, err := e.svc.FindLeads(e.admin, core.Query{Where: core.Contains("client.email", "ana@"), Limit: -1, Total: true}); err != nil || len(ls) != 3 {
		t.Errorf("leads of the client by its e-mail: %d, %v", len(ls), err)
	}

	gov := mk(e.admin, src, core.Client{Name: "Luis", GovID: "12.345.678-z", Phone: "611000111"})
	if gov.Client.ID == first.Client.ID || gov.Client.GovID != "12345678Z" {
		t.Fatalf("a new person: %+v", gov.Client)
	}
	// the government id decides before the phone (which is Ana's)
	both := mk(e.admin, src, core.Client{Name: "Luis Pérez", GovID: "12345678z", Phone: "666 777 888"})
	if both.Client.ID != gov.Client.ID {
		t.Errorf("government id and another client's phone: client %d, want %d", both.Client.ID, gov.Client.ID)
	}
	if hs, _, _ := e.svc.LeadHistory(e.admin, both.ID, true, core.Page{Limit: 1}); len(hs) != 1 ||
		fmt.Sprint(hs[0].Changes) != fmt.Sprintf("[{client  %d} {client.matched_by  gov_id} {client.name Luis Luis Pérez} {client.phone 611000111 666 777 888}]", gov.Client.ID) {
		t.Errorf("history: %+v", hs)
	}

	// another dealer's client with the same phone is another client
	other := mk(e.other, e.otherS.ID, core.Client{Name: "Ana", Phone: "666777888"})
	if other.Client.ID == first.Client.ID || other.Client.DealerID != e.otherD.ID {
		t.Errorf("a client of another dealer matched: %+v", other.Client)
	}
	// no key: always a new client
	a, b := mk(e.admin, src, core.Client{Name: "Sin datos"}), mk(e.admin, src, core.Client{Name: "Sin datos"})
	if a.Client.ID == b.Client.ID {
		t.Error("clients without phone, e-mail or id matched by name")
	}

	// A client sent without id on a change replaces the lead's client: the
	// lead gets the matching one.
	changed, err := e.svc.UpdateLead(e.admin, a.ID, core.LeadPatch{Client: &core.ClientPatch{Name: core.Value("Ana G."), Phone: core.Value("0034666777888")}})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Client.ID != first.Client.ID {
		t.Errorf("a client replaced through a change: %d, want %d", changed.Client.ID, first.Client.ID)
	}

	// A phone changed on the lead's own client is normalised there too (it
	// is what matching and phone searches use), and a locality given alone
	// brings its province.
	loc := e.f.LocalityID
	changed, err = e.svc.UpdateLead(e.admin, b.ID, core.LeadPatch{Client: &core.ClientPatch{ID: &b.Client.ID,
		Phone: core.Value("699 12 34 56"), LocalityID: core.Value(&loc)}})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Client.ID != b.Client.ID || changed.Client.PhoneE164 != "+34699123456" || changed.Client.ProvinceID == nil {
		t.Errorf("changed client: %+v", changed.Client)
	}
	if got := mk(e.admin, src, core.Client{Name: "x", Phone: "+34699123456"}); got.Client.ID != b.Client.ID {
		t.Errorf("the changed phone did not match: client %d, want %d", got.Client.ID, b.Client.ID)
	}
}

// TestClientsMatchedOnceUnderLoad: new leads of one new person arriving
// together make one client.
func TestClientsMatchedOnceUnderLoad(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	ids := make([]int64, 16)
	for i := range ids {
		wg.Go(func() {
			l, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "Golf"},
				Client: &core.Client{Name: fmt.Sprintf("Persona %d", i), Phone: "+34 699 123 456", Email: fmt.Sprintf("p%d@example.com", i)}})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = l.Client.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one person, several clients: %v", ids)
		}
	}
}

// TestMergeClients: an operator merges two clients of a dealer: the leads
// move, the kept client takes what it lacked, the other is gone, and both
// clients' leads record it.
func TestMergeClients(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mk := func(c core.Client) core.Lead {
		l, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "Golf"}, Client: &c})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	keep := mk(core.Client{Name: "Marta", Phone: "622000001"})
	drop := mk(core.Client{Name: "Marta López", Email: "marta@example.com"})
	merged, err := e.svc.MergeClients(ctx, e.f.DealerID, keep.Client.ID, drop.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != keep.Client.ID || merged.Email != "marta@example.com" || merged.Name != "Marta" {
		t.Errorf("merged: %+v", merged)
	}
	for _, l := range []core.Lead{keep, drop} {
		got, err := e.svc.FindLead(e.admin, l.ID)
		if err != nil || got.Client == nil || got.Client.ID != keep.Client.ID {
			t.Fatalf("lead %d after the merge: %+v %v", l.ID, got.Client, err)
		}
		hs, _, _ := e.svc.LeadHistory(e.admin, l.ID, true, core.Page{Limit: 1})
		if len(hs) != 1 || hs[0].Kind != core.KindClientMerged ||
			fmt.Sprint(hs[0].Changes) != fmt.Sprintf("[{client %d %d} {client.name Marta Marta López}]", drop.Client.ID, keep.Client.ID) {
			t.Errorf("lead %d history: %+v", l.ID, hs)
		}
	}
	if cs, _, _ := e.svc.FindClients(e.admin, core.Query{Where: core.Eq("id", drop.Client.ID), Limit: -1, Total: true}); len(cs) != 0 {
		t.Error("the dropped client remains")
	}
	_, err = e.svc.MergeClients(ctx, e.f.DealerID, keep.Client.ID, drop.Client.ID)
	wantCode(t, err, core.NotFound, "")
	other := func() int64 {
		l, err := e.svc.CreateLead(e.other, core.Lead{SourceID: e.otherS.ID, Vehicle: &core.Vehicle{BrandModel: "X"}, Client: &core.Client{Name: "Otro", Phone: "633000000"}})
		if err != nil {
			t.Fatal(err)
		}
		return l.Client.ID
	}()
	_, err = e.svc.MergeClients(ctx, e.f.DealerID, keep.Client.ID, other)
	wantCode(t, err, core.NotFound, "")
	_, err = e.svc.MergeClients(ctx, e.f.DealerID, keep.Client.ID, keep.Client.ID)
	wantCode(t, err, core.Invalid, "drop")
}

// TestMergeClientPlace: a matched client's province and locality are taken
// together, so a merge never leaves a locality outside its province.
func TestMergeClientPlace(t *testing.T) {
	p := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		name               string
		stored, offered    core.Client
		province, locality *int64
		changes            string
	}{
		{"none stored", core.Client{}, core.Client{ProvinceID: p(8), LocalityID: p(801)}, p(8), p(801), "[]"},
		{"locality refines", core.Client{ProvinceID: p(8)}, core.Client{ProvinceID: p(8), LocalityID: p(801)}, p(8), p(801), "[]"},
		{"another province", core.Client{ProvinceID: p(28)}, core.Client{ProvinceID: p(8), LocalityID: p(801)}, p(28), nil,
			"[{client.province 28 8} {client.locality  801}]"},
		{"another locality", core.Client{ProvinceID: p(8), LocalityID: p(802)}, core.Client{LocalityID: p(801)}, p(8), p(802),
			"[{client.locality 802 801}]"},
		{"nothing offered", core.Client{ProvinceID: p(8)}, core.Client{}, p(8), nil, "[]"},
	} {
		got, changes := core.MergeClient(c.stored, c.offered, core.MatchPhone)
		if fmt.Sprint(deref(got.ProvinceID), deref(got.LocalityID)) != fmt.Sprint(deref(c.province), deref(c.locality)) ||
			fmt.Sprint(changes[2:]) != c.changes {
			t.Errorf("%s: province %v, locality %v, changes %v", c.name, deref(got.ProvinceID), deref(got.LocalityID), changes[2:])
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestClientIdentityKept: a client's government id, business name and
// address are stored, read back with its lead and kept by a change of
// something else.
func TestClientIdentityKept(t *testing.T) {
	e := newEnv(t)
	l, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "Golf"},
		Client: &core.Client{Name: "Talleres Ruiz", GovID: "b-12345678", BusinessName: "Talleres Ruiz SL", Address: "Calle Mayor 1, Madrid"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Score: core.Value(2)}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.FindLead(e.admin, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Client; c.GovID != "B12345678" || c.BusinessName != "Talleres Ruiz SL" || c.Address != "Calle Mayor 1, Madrid" || c.CreatedAt.IsZero() {
		t.Errorf("client = %+v", c)
	}
}
