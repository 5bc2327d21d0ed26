package store_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestWalkMatches: a page of a filter with many matches, which FindLeads
// gets on SQLite by testing the dealer's newest leads row by row, is the
// page the trigram index gives, at every depth, with the leads of another
// dealer interleaved, and with the newest leads not indexed yet.
func TestWalkMatches(t *testing.T) {
	// Many matches are more than 200 here (2,000 in production), so that
	// 800 leads are enough, even under the race detector.
	s := testkit.OpenSQLiteWith(t, store.WithManyMatches(200))
	a := testkit.NewFixture(t, s, "a")
	b := testkit.NewFixture(t, s, "b")
	check(t, store.SeedLeads(ctx, s, a.Dealer.ID, a.Source.ID, 300), "seed a")
	check(t, store.SeedLeads(ctx, s, b.Dealer.ID, b.Source.ID, 200), "seed b")
	check(t, store.SeedLeads(ctx, s, a.Dealer.ID, a.Source.ID, 300), "seed a again")
	// A number in a search also matches the lead of that id: every lead of
	// a but the first gets the first's id in its text, and the first
	// loses every digit, so that it matches by its id alone, and comes
	// first, newest of all.
	var first int64
	if err := s.DB().QueryRow(`SELECT min(id) FROM leads WHERE dealer_id = ?`, a.Dealer.ID).Scan(&first); err != nil {
		t.Fatal(err)
	}
	byID := strconv.FormatInt(first, 10)
	check(t, store.ExecWrite(s, `UPDATE leads SET client_phone = client_phone || ' x' || ? WHERE dealer_id = ? AND id <> ?`, byID, a.Dealer.ID, first), "mark")
	check(t, store.ExecWrite(s, `UPDATE leads SET client_name = 'seed', client_phone = '', client_email = '', search_text = '', created_at = ? WHERE id = ?`,
		testkit.Now.AddDate(1, 0, 0).UnixMicro(), first), "strip")
	for i := range 30 { // the newest, some not in the trigram index yet
		l := a.Lead(i)
		l.Client.Email = "seed-new@example.com"
		l.Client.Phone = "600 " + byID
		check(t, s.CreateLead(ctx, &l, nil), "create")
	}
	// An advisor whose name holds "seat" (Seat is a brand of the leads'
	// vehicles), assigned every fourth lead: "seat" also finds hers.
	seaton := core.User{Username: "seaton", Email: "seaton@mail.test", LastName: "Seaton", IsActive: true, CreatedAt: testkit.Now,
		Memberships: []core.Membership{{DealerID: a.Dealer.ID}}}
	check(t, s.CreateUser(ctx, &seaton), "create user")
	check(t, store.ExecWrite(s, `UPDATE leads SET user_id = ? WHERE dealer_id = ? AND id % 4 = 0`, seaton.ID, a.Dealer.ID), "assign")

	find := func(f testkit.LeadFilter, walk bool) ([]int64, int) {
		t.Helper()
		find := s.FindLeads
		if !walk {
			find = func(ctx context.Context, dealers []int64, q core.Query) ([]core.Lead, int, error) {
				return store.FindLeadsByIndex(ctx, s, dealers, q)
			}
		}
		leads, total, err := find(ctx, f.DealerIDs, f.Query())
		check(t, err, "find")
		ids := make([]int64, len(leads))
		for i, l := range leads {
			ids[i] = l.ID
		}
		return ids, total
	}
	walked := store.WalkedPages(s)
	filters := []testkit.LeadFilter{
		{Search: "seed"},
		{Search: "example seed"},
		{Search: "seed 7"},                        // a short term: tested on the row, or the lead's id
		{Search: "seed " + byID},                  // every lead by its text, the first by its id
		{Search: "seed", Stages: core.Stages[:3]}, // three stages of four: still over 200 matches
		{ClientEmailContains: "example.com"},
		{Search: "seed", Sort: []core.Sort{{Field: "created_at", Desc: true}}},
		{Search: "seed", Sort: []core.Sort{{Field: "score"}}},          // another order: by the index
		{Search: "seed", DealerIDs: []int64{a.Dealer.ID, b.Dealer.ID}}, // several dealers: by the index
		{Search: "seat"},         // by the vehicle's text or the advisor's name
		{Search: "seat example"}, // and a term of the text
	}
	for _, f := range filters {
		if f.DealerIDs == nil {
			f.DealerIDs = []int64{a.Dealer.ID}
		}
		before := store.WalkedPages(s)
		for _, p := range []core.Page{{Limit: 20}, {Offset: 20, Limit: 20}, {Offset: 150, Limit: 50}, {Offset: 600, Limit: 20}, {Offset: 625, Limit: 20}} {
			f.Page = p
			got, total := find(f, true)
			want, wantTotal := find(f, false)
			if total != wantTotal || !slices.Equal(got, want) {
				t.Fatalf("%+v: walked %d leads of %d, by the index %d of %d:\n%v\n%v", f, len(got), total, len(want), wantTotal, got, want)
			}
		}
		if f.Search == "seat" && store.WalkedPages(s) == before {
			t.Errorf("%+v: no page walked", f)
		}
	}
	if n := store.WalkedPages(s) - walked; n < 10 {
		t.Fatalf("only %d pages walked: the test no longer exercises the walk", n)
	}
}
