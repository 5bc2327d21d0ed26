package core_test

import (
	"slices"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestTasksOfLeadUser: "lead_user" selects the tasks of the leads a user
// is assigned (a task has no assignee of its own: its lead's does it),
// follows a reassignment of the lead at once, and sorts by planned date
// with the done ones left out; another dealer's admin finds none.
func TestTasksOfLeadUser(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		adv := e.f.AdvisorIDs[0]
		mine := e.lead(t, nil)
		theirs := e.lead(t, nil)
		mine, err := e.svc.AssignLead(e.admin, mine.ID, adv, mine.Version)
		if err != nil {
			t.Fatal(err)
		}
		late, soon := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		var ids []int64
		for _, c := range []struct {
			lead int64
			at   *time.Time
		}{{mine.ID, &late}, {mine.ID, &soon}, {theirs.ID, &soon}, {mine.ID, nil}} {
			task, err := e.svc.CreateTask(e.admin, c.lead, core.Task{Type: core.TaskBudget, Media: core.MediaPhone, PlannedAt: c.at})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, task.ID)
		}
		done, err := e.svc.CreateTask(e.admin, mine.ID, core.Task{Type: core.TaskOther, Media: core.MediaPhone, PlannedAt: &soon})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateTask(e.admin, done.ID, core.TaskPatch{Done: core.Value(true)}); err != nil {
			t.Fatal(err)
		}
		find := func(user int64) []int64 {
			t.Helper()
			ts, n, err := e.svc.FindTasks(e.admin, core.Query{Where: core.And(core.Eq("lead_user", user), core.Eq("done", false)),
				Sort: []core.Sort{{Field: "planned_at"}, {Field: "id"}}, Limit: 100, Total: true})
			if err != nil {
				t.Fatal(err)
			}
			if n != len(ts) {
				t.Fatalf("total %d for %d tasks", n, len(ts))
			}
			var got []int64
			for _, task := range ts {
				got = append(got, task.ID)
			}
			return got
		}
		// NULL sorts lowest on both engines: the undated task first
		if got, want := find(adv), []int64{ids[3], ids[1], ids[0]}; !slices.Equal(got, want) {
			t.Fatalf("the advisor's open tasks: %v, want %v", got, want)
		}
		if got := find(e.f.AdminID); !slices.Contains(got, ids[2]) || slices.Contains(got, ids[0]) {
			t.Fatalf("the admin's open tasks %v: want %d, not %d", got, ids[2], ids[0])
		}
		mine = mustFind(t, e, mine.ID)
		if _, err := e.svc.AssignLead(e.admin, mine.ID, e.f.AdminID, mine.Version); err != nil {
			t.Fatal(err)
		}
		if got := find(adv); len(got) != 0 {
			t.Fatalf("the advisor still has tasks after the reassignment: %v", got)
		}
		ts, _, err := e.svc.FindTasks(e.other, core.Query{Where: core.Eq("lead_user", e.f.AdminID), Limit: 100})
		if err != nil || len(ts) != 0 {
			t.Fatalf("another dealer's admin finds %d tasks (%v)", len(ts), err)
		}
	})
}
