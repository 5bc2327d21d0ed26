package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestFindOneLead: a query of one lead (Limit 1, LeanCore's lookup), which
// the store chooses and loads in one statement, answers the lead at that
// offset of the whole list, whole, for every sort, filter and offset, with
// or without its total, its history or a projection.
func TestFindOneLead(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")
		for i := range 6 {
			l := a.Lead(i)
			l.CreatedAt = testkit.Now.Add(time.Duration(i%4) * time.Minute) // ties, broken by id
			l.Stage = core.Stages[i%4]
			l.Score = i % 3
			check(t, s.CreateLead(ctx, &l, nil), "create")
		}
		lb := b.Lead(100)
		check(t, s.CreateLead(ctx, &lb, nil), "create b")

		filters := []core.Cond{
			{},
			core.In("stage", core.StageNew, core.StageEnd),
			core.Contains("client.phone", "+3461200000"),
			core.Match("client"), // the full-text path, which counts first
			core.Eq("id", lb.ID), // another dealer's
		}
		sorts := [][]core.Sort{nil, {{Field: "created_at", Desc: true}}, {{Field: "score"}, {Field: "created_at", Desc: true}}, {{Field: "user", Desc: true}}}
		for fi, where := range filters {
			for si, sort := range sorts {
				all := core.Query{Where: where, Sort: sort, Limit: -1, Total: true}
				if err := core.LeadSchema.Check(&all); err != nil {
					t.Fatal(err)
				}
				want, wantTotal, err := s.FindLeads(ctx, []int64{a.Dealer.ID}, all)
				check(t, err, "find all")
				for offset := range len(want) + 2 {
					for _, variant := range []func(*core.Query){
						func(q *core.Query) {},
						func(q *core.Query) { q.Total = false },
						func(q *core.Query) { q.History = core.MaxLeadHistory },
						func(q *core.Query) { q.Project = []string{"id", "client", "notes", "tags"} },
					} {
						q := all
						q.Offset, q.Limit = offset, 1
						variant(&q)
						if err := core.LeadSchema.Check(&q); err != nil {
							t.Fatal(err)
						}
						got, total, err := s.FindLeads(ctx, []int64{a.Dealer.ID}, q)
						check(t, err, "find one")
						what := fmt.Sprintf("filter %d, sort %d, offset %d, history %d, project %v", fi, si, offset, q.History, q.Project)
						if q.Total && total != wantTotal {
							t.Fatalf("%s: total %d, want %d", what, total, wantTotal)
						}
						if offset >= len(want) {
							if len(got) != 0 {
								t.Fatalf("%s: %d leads past the end", what, len(got))
							}
							continue
						}
						if len(got) != 1 || got[0].ID != want[offset].ID {
							t.Fatalf("%s: got %d leads, want lead %d", what, len(got), want[offset].ID)
						}
						if q.Project != nil {
							continue
						}
						w := want[offset]
						if q.History > 0 {
							if w.History, _, err = s.LeadHistory(ctx, []int64{a.Dealer.ID}, w.ID, false, core.Page{Limit: -1}); err != nil {
								t.Fatal(err)
							}
						}
						same(t, what, got[0], w)
					}
				}
			}
		}
	})
}
