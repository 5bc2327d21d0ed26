package core_test

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestOpenTasksFollowTheirLead: the open tasks of a user
// (core.OpenTasksQuery, the web's "Mis tareas", which the store reads from
// the task's copy of its lead's dealer and assignee) are, after every way
// a task is written or moved, those of the leads FindLeads says he is
// assigned: tasks created with the lead (on PostgreSQL the combined
// creation), added on their own, added by a patch of the lead that
// reassigns it in the same write, the lead reassigned alone, a task done,
// a task deleted. A path that forgot the copy lists a task under its
// lead's former assignee, or none.
func TestOpenTasksFollowTheirLead(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		adv, admin := e.f.AdvisorIDs[0], e.f.AdminID
		at := func(h int) *time.Time { v := time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC); return &v }
		check := func(step string) {
			t.Helper()
			for _, user := range []int64{adv, admin} {
				leads, _, err := e.svc.FindLeads(e.admin, core.Query{Where: core.Eq("user", user), Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				var open []core.Task
				for _, l := range leads {
					for _, task := range l.Tasks {
						if !task.Done {
							open = append(open, task)
						}
					}
				}
				for _, dated := range []bool{true, false} {
					var want []int64
					for _, task := range open {
						if (task.PlannedAt != nil) == dated {
							want = append(want, task.ID)
						}
					}
					slices.SortFunc(want, func(a, b int64) int {
						ta := open[slices.IndexFunc(open, func(x core.Task) bool { return x.ID == a })]
						tb := open[slices.IndexFunc(open, func(x core.Task) bool { return x.ID == b })]
						if dated && !ta.PlannedAt.Equal(*tb.PlannedAt) {
							return ta.PlannedAt.Compare(*tb.PlannedAt)
						}
						return cmp.Compare(a, b)
					})
					ts, n, err := e.svc.FindTasks(e.admin, core.OpenTasksQuery(user, dated, 100))
					if err != nil {
						t.Fatal(err)
					}
					var got []int64
					for _, task := range ts {
						got = append(got, task.ID)
					}
					if !slices.Equal(got, want) || n != len(want) {
						t.Fatalf("%s: user %d's open tasks (dated %v) %v, total %d; his leads' %v", step, user, dated, got, n, want)
					}
				}
			}
			if ts, n, err := e.svc.FindTasks(e.other, core.OpenTasksQuery(admin, true, 100)); err != nil || len(ts) != 0 || n != 0 {
				t.Fatalf("%s: another dealer's admin finds %d tasks (%v)", step, n, err)
			}
		}
		l := e.lead(t, func(l *core.Lead) {
			l.UserID = &adv
			l.Tasks = []core.Task{{Type: core.TaskBudget, Media: core.MediaPhone, PlannedAt: at(9)}, {Type: core.TaskOther, Media: core.MediaEmail}}
		})
		check("created with its tasks")
		added, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskOther, Media: core.MediaPhone, PlannedAt: at(8)})
		if err != nil {
			t.Fatal(err)
		}
		check("a task added")
		l = mustFind(t, e, l.ID)
		var keep []core.TaskPatch
		for _, task := range l.Tasks {
			keep = append(keep, core.TaskPatch{ID: &task.ID})
		}
		keep = append(keep, core.TaskPatch{Type: core.Value(core.TaskBudget), Media: core.Value(core.MediaPhone), PlannedAt: core.Value(at(7))})
		if l, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Version: l.Version, UserID: core.Value(&admin), Tasks: &keep}); err != nil {
			t.Fatal(err)
		}
		check("reassigned with a task added in the same patch")
		if l, err = e.svc.AssignLead(e.admin, l.ID, adv, l.Version); err != nil {
			t.Fatal(err)
		}
		check("reassigned back")
		if _, err := e.svc.UpdateTask(e.admin, added.ID, core.TaskPatch{Done: core.Value(true)}); err != nil {
			t.Fatal(err)
		}
		check("a task done")
		if err := e.svc.DeleteTask(e.admin, l.Tasks[0].ID); err != nil {
			t.Fatal(err)
		}
		check("a task deleted")
		if l, err = e.svc.AssignLead(e.admin, mustFind(t, e, l.ID).ID, admin, 0); err != nil {
			t.Fatal(err)
		}
		check("reassigned after the deletion")
	})
}
