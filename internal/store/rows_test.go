package store_test

import (
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestManyRowsOneInsert: a lead's notes and tags, and a second lead's
// history entries (its creation and its client's match), are inserted
// several to a statement on SQLite; each gets the id it is stored under,
// in order, on both engines.
func TestManyRowsOneInsert(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		user := f.User.ID
		for _, c := range []string{"second", "third"} {
			l.Notes = append(l.Notes, core.Note{Content: c, AuthorID: &user, Created: testkit.Now, Modified: testkit.Now})
		}
		l.Tags = append(l.Tags, core.Note{Content: "Hot", AuthorID: &user, Created: testkit.Now, Modified: testkit.Now})
		check(t, s.CreateLead(ctx, &l, &core.History{At: testkit.Now, UserID: &user, Type: core.HistoryCreated, Kind: core.KindLeadCreated}), "create")
		got, err := s.Lead(ctx, l.ID)
		check(t, err, "lead")
		same := func(what string, a, b []core.Note) {
			t.Helper()
			if len(a) != len(b) {
				t.Fatalf("%s: %d stored, %d given", what, len(a), len(b))
			}
			for i := range a {
				if a[i].ID != b[i].ID || a[i].Content != b[i].Content || a[i].ID == 0 || (i > 0 && a[i].ID <= a[i-1].ID) {
					t.Errorf("%s %d: stored %d %q, given back %d %q", what, i, a[i].ID, a[i].Content, b[i].ID, b[i].Content)
				}
			}
		}
		same("notes", got.Notes, l.Notes)
		same("tags", got.Tags, l.Tags)

		// the same client again: the lead's creation and the match
		m := f.Lead(1)
		h := core.History{At: testkit.Now, UserID: &user, Type: core.HistoryCreated, Kind: core.KindLeadCreated}
		check(t, s.CreateLead(ctx, &m, &h), "create matched")
		hs, _, err := s.LeadHistory(ctx, []int64{f.Dealer.ID}, m.ID, false, core.Page{Limit: 10})
		check(t, err, "history")
		if len(hs) != 2 || hs[0].ID != h.ID || hs[0].Kind != core.KindLeadCreated || hs[1].Kind != core.KindClientMatched || hs[1].ID <= hs[0].ID {
			t.Fatalf("history %+v, creation stored as %d", hs, h.ID)
		}
	})
}
