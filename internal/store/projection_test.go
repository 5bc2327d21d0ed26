package store_test

import (
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestFindLeadsProjection: a projection loads the parts of a lead it names:
// the notes and tags without the tasks (nor the tasks' notes), the tasks
// with their notes, the row alone for neither; no projection, all of it.
func TestFindLeadsProjection(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		check(t, s.CreateLead(ctx, &l, nil), "create")
		find := func(project ...string) core.Lead {
			t.Helper()
			q := testkit.List(core.LeadSchema, core.Page{Limit: 1}, core.Eq("id", l.ID))
			q.Project = project
			ls, _, err := s.FindLeads(ctx, []int64{f.Dealer.ID}, q)
			check(t, err, "find")
			if len(ls) != 1 {
				t.Fatalf("%v: %d leads", project, len(ls))
			}
			return ls[0]
		}
		got := find("client", "notes", "tags")
		if got.Tasks != nil {
			t.Errorf("notes and tags: tasks loaded: %+v", got.Tasks)
		}
		same(t, "notes without the tasks", got.Notes, l.Notes)
		same(t, "tags without the tasks", got.Tags, l.Tags)
		same(t, "client", got.Client, l.Client)
		got = find("tasks.type")
		same(t, "tasks with their notes", got.Tasks, l.Tasks)
		got = find("id", "stage")
		if got.Tasks != nil || got.Notes != nil || got.Tags != nil || got.ID != l.ID || got.Stage != l.Stage {
			t.Errorf("the row alone: %+v", got)
		}
		same(t, "whole", find(), l)
	})
}
