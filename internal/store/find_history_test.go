package store_test

import (
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestFindLeadsHistory: a lead query with History reads each lead's oldest
// entries, at most that many, in the order of LeadHistory (time, then id),
// for one lead and for several; without it no lead has a History.
func TestFindLeadsHistory(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		actor := ptr(f.User.ID)
		entry := func(at time.Time, note string) core.History {
			return core.History{At: at, UserID: actor, Type: core.HistoryChanged, Kind: core.KindTaskCreated,
				Changes: []core.Change{{Field: "notes", New: note}}}
		}
		a, b := f.Lead(1), f.Lead(2)
		ha := entry(testkit.Now, "a created")
		check(t, s.CreateLead(ctx, &a, &ha), "create a")
		hb := entry(testkit.Now, "b created")
		check(t, s.CreateLead(ctx, &b, &hb), "create b")
		// added out of the order of their times: the third is the second
		for _, h := range []core.History{entry(testkit.Now.Add(2*time.Hour), "a third"), entry(testkit.Now.Add(time.Hour), "a second")} {
			edit(t, s, a.ID, func(tx core.LeadTx) error { return tx.AddHistory(&h) })
		}
		find := func(limit, history int) map[int64]core.Lead {
			t.Helper()
			q := testkit.List(core.LeadSchema, core.Page{Limit: limit}, core.In("id", a.ID, b.ID))
			q.Sort, q.History = []core.Sort{{Field: "id"}}, history
			ls, _, err := s.FindLeads(ctx, []int64{f.Dealer.ID}, q)
			check(t, err, "find")
			out := map[int64]core.Lead{}
			for _, l := range ls {
				out[l.ID] = l
			}
			return out
		}
		notes := func(hs []core.History) []string {
			var out []string
			for _, h := range hs {
				out = append(out, h.Changes[0].New)
			}
			return out
		}
		for _, tc := range []struct {
			limit, history int
			a, b           []string
		}{
			{2, 2, []string{"a created", "a second"}, []string{"b created"}},
			{2, 200, []string{"a created", "a second", "a third"}, []string{"b created"}},
			{1, 2, []string{"a created", "a second"}, nil},
			{2, 0, nil, nil},
		} {
			got := find(tc.limit, tc.history)
			same(t, "a's history", notes(got[a.ID].History), tc.a)
			same(t, "b's history", notes(got[b.ID].History), tc.b)
		}
		// the entries are LeadHistory's
		want, _, err := s.LeadHistory(ctx, []int64{f.Dealer.ID}, a.ID, false, core.Page{Limit: 2})
		check(t, err, "lead history")
		same(t, "a's entries", find(2, 2)[a.ID].History, want)
	})
}
