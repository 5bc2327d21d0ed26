package store_test

import (
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestHistoryVia: the API a history entry came through is kept, whatever
// path writes it (a lead's creation, an entry added in an edit), and read
// back by LeadHistory and by a lead query with History; an entry without
// one reads "".
func TestHistoryVia(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		created := core.History{At: testkit.Now, UserID: ptr(f.User.ID), Via: "walcu", Type: core.HistoryCreated, Kind: core.KindLeadCreated,
			Changes: []core.Change{{Field: "stage", New: "new"}}}
		check(t, s.CreateLead(ctx, &l, &created), "create")
		for _, via := range []string{"web", ""} {
			h := core.History{At: testkit.Now, UserID: ptr(f.User.ID), Via: via, Type: core.HistoryChanged, Kind: core.KindLeadUpdated,
				Changes: []core.Change{{Field: "notes", New: "via " + via}}}
			edit(t, s, l.ID, func(tx core.LeadTx) error { return tx.AddHistory(&h) })
		}
		want := []string{"walcu", "web", ""}
		hs, _, err := s.LeadHistory(ctx, []int64{f.Dealer.ID}, l.ID, false, core.Page{Limit: 10})
		check(t, err, "history")
		q := testkit.List(core.LeadSchema, core.Page{Limit: 1}, core.Eq("id", l.ID))
		q.History = 10
		ls, _, err := s.FindLeads(ctx, []int64{f.Dealer.ID}, q)
		check(t, err, "find")
		if len(ls) != 1 {
			t.Fatalf("found %d leads", len(ls))
		}
		for name, got := range map[string][]core.History{"LeadHistory": hs, "FindLeads": ls[0].History} {
			if len(got) != len(want) {
				t.Fatalf("%s: %d entries, want %d", name, len(got), len(want))
			}
			for i, h := range got {
				if h.Via != want[i] {
					t.Errorf("%s: entry %d (%s) via %q, want %q", name, i, h.Kind, h.Via, want[i])
				}
			}
		}
	})
}
