package core_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
)

// lastHistory returns lead id's newest history entry and the number of
// entries.
func lastHistory(t *testing.T, e env, id int64) (core.History, int) {
	t.Helper()
	hs, n, err := e.svc.LeadHistory(e.admin, id, true, core.Page{Limit: 1})
	if err != nil || len(hs) != 1 {
		t.Fatalf("history of lead %d: %v, %v", id, hs, err)
	}
	return hs[0], n
}

// TestTasksOneByOne: a task created, changed and deleted on its own brings
// what the lifecycle says to its lead (first-response time once, update
// time, version) and records the lead's history; a change that changes
// nothing writes nothing; a stale version is refused.
func TestTasksOneByOne(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		if l.FirstTaskAt != nil || l.Version != 1 {
			t.Fatalf("new lead: first task %v, v%d", l.FirstTaskAt, l.Version)
		}
		when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		task, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskDate, Media: core.MediaEmail, PlannedAt: &when,
			Description: "Prueba del Quijote", Notes: []core.Note{{Content: "confirmar"}}})
		if err != nil {
			t.Fatal(err)
		}
		if task.ID == 0 || task.Version != 1 || task.LeadID != l.ID || task.DealerID != e.f.DealerID || task.AuthorID == nil ||
			task.Notes[0].ID == 0 || task.Notes[0].Version != 1 || task.Notes[0].AuthorID == nil {
			t.Fatalf("created task: %+v", task)
		}
		got := mustFind(t, e, l.ID)
		if got.FirstTaskAt == nil || got.Version != 2 || !got.UpdatedAt.After(l.UpdatedAt) || !got.PendingTasks() {
			t.Fatalf("lead after a task: first task %v, v%d, updated %v, pending %v", got.FirstTaskAt, got.Version, got.UpdatedAt, got.PendingTasks())
		}
		first := *got.FirstTaskAt
		found, err := e.svc.FindTask(e.admin, task.ID)
		if err != nil || found.ID != task.ID || found.Description != task.Description || len(found.Notes) != 1 || found.Version != 1 {
			t.Fatalf("found task: %+v, %v", found, err)
		}
		if h, _ := lastHistory(t, e, l.ID); h.Kind != core.KindTaskCreated ||
			!slices.Equal(h.Changes, []core.Change{{Field: "tasks", New: "date email Prueba del Quijote"}}) {
			t.Fatalf("history of the creation: %+v", h)
		}
		if ls, n, _ := e.svc.FindLeads(e.admin, core.Query{Where: core.Match("quijote"), Limit: -1, Total: true}); n != 1 || ls[0].ID != l.ID {
			t.Fatalf("the task's description does not find its lead: %d", n)
		}

		// done, with the task's version
		upd, err := e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Version: 1, Done: core.Value(true)})
		if err != nil || !upd.Done || upd.DoneAt == nil || upd.Version != 2 {
			t.Fatalf("update: %+v, %v", upd, err)
		}
		got = mustFind(t, e, l.ID)
		if got.Version != 3 || got.PendingTasks() || !got.FirstTaskAt.Equal(first) {
			t.Fatalf("lead after the task was done: v%d pending %v first %v", got.Version, got.PendingTasks(), got.FirstTaskAt)
		}
		h, entries := lastHistory(t, e, l.ID)
		id := strconv.FormatInt(task.ID, 10)
		if h.Kind != core.KindTaskUpdated || !slices.Equal(h.Changes, []core.Change{{Field: "tasks." + id + ".done", Old: "false", New: "true"}}) {
			t.Fatalf("history of the update: %+v", h)
		}

		// nothing to change: nothing written
		same, err := e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Done: core.Value(true), Media: core.Value(core.MediaEmail)})
		if err != nil || same.Version != 2 {
			t.Fatalf("a patch that changes nothing: v%d, %v", same.Version, err)
		}
		if got := mustFind(t, e, l.ID); got.Version != 3 {
			t.Fatalf("a patch that changes nothing changed the lead's version to %d", got.Version)
		}
		if _, n := lastHistory(t, e, l.ID); n != entries {
			t.Fatalf("a patch that changes nothing recorded history")
		}

		// a stale version
		_, err = e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Version: 1, Done: core.Value(false)})
		wantStale(t, err, "version")
		if got, _ := e.svc.FindTask(e.admin, task.ID); !got.Done || got.Version != 2 {
			t.Fatalf("a stale patch changed the task: %+v", got)
		}

		// invalid changes name the task's own fields
		_, err = e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Type: core.Value(core.TaskType("x")), Notes: &[]core.NotePatch{{Content: core.Value(" ")}}})
		if ce, ok := err.(*core.Error); !ok || ce.Fields["type"] != core.MsgInvalidChoice || ce.Fields["notes.0.content"] != core.MsgRequired {
			t.Fatalf("invalid patch: %v", err)
		}
		_, err = e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskAppraisal, Appraisal: &core.Appraisal{BrandModel: "x", GasID: new(int64(999999))}})
		if ce, ok := err.(*core.Error); !ok || ce.Fields["appraisal.gas"] != core.MsgNotExist {
			t.Fatalf("unknown fuel: %v", err)
		}

		if err := e.svc.DeleteTask(e.admin, task.ID); err != nil {
			t.Fatal(err)
		}
		got = mustFind(t, e, l.ID)
		if len(got.Tasks) != 0 || got.Version != 4 || got.FirstTaskAt == nil || !got.FirstTaskAt.Equal(first) {
			t.Fatalf("lead after the task was deleted: %d tasks v%d first %v", len(got.Tasks), got.Version, got.FirstTaskAt)
		}
		if h, _ := lastHistory(t, e, l.ID); h.Kind != core.KindTaskDeleted ||
			!slices.Equal(h.Changes, []core.Change{{Field: "tasks", Old: "date email Prueba del Quijote done"}}) {
			t.Fatalf("history of the deletion: %+v", h)
		}
		if _, n, _ := e.svc.FindLeads(e.admin, core.Query{Where: core.Match("quijote"), Limit: -1, Total: true}); n != 0 {
			t.Fatalf("a deleted task's description still finds its lead")
		}
		if _, err := e.svc.FindTask(e.admin, task.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted task: %v", err)
		}
		if _, err := e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Done: core.Value(false)}); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("update of a deleted task: %v", err)
		}
	})
}

// TestTaskRoom: a lead holds at most MaxItems tasks, whichever way they
// come.
func TestTaskRoom(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) {
			l.Tasks = make([]core.Task, core.MaxItems)
		})
		_, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskOther})
		if ce, ok := err.(*core.Error); !ok || ce.Code != core.Invalid || ce.Fields["tasks"] != core.MsgOutOfRange {
			t.Fatalf("task past the bound: %v", err)
		}
		_, err = e.svc.Click2Call(e.admin, l.ID)
		if ce, ok := err.(*core.Error); !ok || ce.Fields["tasks"] != core.MsgOutOfRange {
			t.Fatalf("call past the bound: %v", err)
		}
		if err := e.svc.DeleteTask(e.admin, l.Tasks[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskOther}); err != nil {
			t.Fatalf("a task after one was deleted: %v", err)
		}
		if got := mustFind(t, e, l.ID); len(got.Tasks) != core.MaxItems {
			t.Fatalf("%d tasks", len(got.Tasks))
		}
	})
}

// canonical replaces the task ids in the fields of cs by "<id>", so that
// the changes of two leads' tasks compare.
func canonical(cs []core.Change) []core.Change {
	out := slices.Clone(cs)
	for i := range out {
		if parts := strings.SplitN(out[i].Field, ".", 3); len(parts) == 3 && parts[0] == "tasks" {
			out[i].Field = "tasks.<id>." + parts[2]
		}
	}
	return out
}

// TestTaskHistoryAsNested: a task's creation, change and deletion on its
// own record the changes a change of the lead's task list through
// UpdateLead records (each in its own kind: task_* against lead_updated),
// on twin leads.
func TestTaskHistoryAsNested(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		one, nested := e.lead(t, nil), e.lead(t, nil)
		newTask := core.Task{Type: core.TaskAppraisal, Subtype: "tasación", Description: "Tasar el Clio", Media: core.MediaWhatsapp, PlannedAt: &when,
			Appraisal: &core.Appraisal{BrandModel: "Renault Clio", LicensePlate: "1234BCD", Origin: core.OriginNational},
			Notes:     []core.Note{{Content: "llamar antes"}}}
		compare := func(what string, kind core.HistoryKind) {
			t.Helper()
			a, _ := lastHistory(t, e, one.ID)
			b, _ := lastHistory(t, e, nested.ID)
			if a.Kind != kind || b.Kind != core.KindLeadUpdated || !slices.Equal(canonical(a.Changes), canonical(b.Changes)) || len(a.Changes) == 0 {
				t.Fatalf("%s: one by one %s %+v\nnested %s %+v", what, a.Kind, a.Changes, b.Kind, b.Changes)
			}
			la, lb := mustFind(t, e, one.ID), mustFind(t, e, nested.ID)
			if la.Version != lb.Version || (la.FirstTaskAt == nil) != (lb.FirstTaskAt == nil) || la.PendingTasks() != lb.PendingTasks() {
				t.Fatalf("%s: leads differ: v%d/v%d, first task %v/%v", what, la.Version, lb.Version, la.FirstTaskAt, lb.FirstTaskAt)
			}
		}

		task, err := e.svc.CreateTask(e.admin, one.ID, newTask)
		if err != nil {
			t.Fatal(err)
		}
		plain := core.TaskPatch{Type: core.Value(newTask.Type), Subtype: core.Value(newTask.Subtype), Description: core.Value(newTask.Description),
			Media: core.Value(newTask.Media), PlannedAt: core.Value(newTask.PlannedAt),
			Appraisal: &core.AppraisalPatch{BrandModel: core.Value("Renault Clio"), LicensePlate: core.Value("1234BCD"), Origin: core.Value(core.OriginNational)},
			Notes:     &[]core.NotePatch{{Content: core.Value("llamar antes")}}}
		ln, err := e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Tasks: &[]core.TaskPatch{plain}})
		if err != nil {
			t.Fatal(err)
		}
		compare("created", core.KindTaskCreated)

		nid, tnid := ln.Tasks[0].ID, ln.Tasks[0].Notes[0].ID
		aid, naid := task.Appraisal.ID, ln.Tasks[0].Appraisal.ID
		later := when.Add(48 * time.Hour)
		change := func(id, appraisal, note int64) core.TaskPatch {
			return core.TaskPatch{ID: &id, Done: core.Value(true), Media: core.Value(core.MediaPhone), PlannedAt: core.Value(&later),
				Appraisal: &core.AppraisalPatch{ID: &appraisal, Km: core.Value("120000"), LicensePlate: core.Value("9999ZZZ")},
				Notes:     &[]core.NotePatch{{ID: &note, Content: core.Value("llamado")}, {Content: core.Value("otra")}}}
		}
		if _, err := e.svc.UpdateTask(e.admin, task.ID, change(task.ID, aid, task.Notes[0].ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Tasks: &[]core.TaskPatch{change(nid, naid, tnid)}}); err != nil {
			t.Fatal(err)
		}
		compare("changed", core.KindTaskUpdated)

		if err := e.svc.DeleteTask(e.admin, task.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Tasks: &[]core.TaskPatch{}}); err != nil {
			t.Fatal(err)
		}
		compare("deleted", core.KindTaskDeleted)
	})
}

// TestConcurrentTaskWriters: two writers who read the same version of a
// task change it at once; one gets ErrStaleVersion, the task ends as the
// other wrote it.
func TestConcurrentTaskWriters(t *testing.T) {
	r, opts := racing()
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		task, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskOther})
		if err != nil {
			t.Fatal(err)
		}
		update := func(desc string) func() error {
			return func() error {
				_, err := e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Version: task.Version, Description: core.Value(desc)})
				return err
			}
		}
		errA, errB := race(r, update("a"), update("b"))
		winner := "a"
		switch {
		case errA == nil && errB != nil:
			wantStale(t, errB, "version")
		case errB == nil && errA != nil:
			wantStale(t, errA, "version")
			winner = "b"
		default:
			t.Fatalf("both writers of version %d: %v, %v; want one stale", task.Version, errA, errB)
		}
		got, err := e.svc.FindTask(e.admin, task.ID)
		if err != nil || got.Description != winner || got.Version != task.Version+1 {
			t.Fatalf("task after the race: %q v%d, %v; want %q v%d", got.Description, got.Version, err, winner, task.Version+1)
		}
	}, opts...)
}
