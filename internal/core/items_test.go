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

		// nothing to change: the task keeps its version, no history; the
		// lead counts the write, as UpdateLead does
		same, err := e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Done: core.Value(true), Media: core.Value(core.MediaEmail)})
		if err != nil || same.Version != 2 {
			t.Fatalf("a patch that changes nothing: v%d, %v", same.Version, err)
		}
		if got := mustFind(t, e, l.ID); got.Version != 4 {
			t.Fatalf("a patch that changes nothing: lead v%d, want 4", got.Version)
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

		cur, err := e.svc.FindTask(e.admin, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteTaskVersion(e.admin, task.ID, cur.Version+1); core.ErrorCode(err) != core.Conflict {
			t.Fatalf("a stale deletion: %v", err)
		}
		if err := e.svc.DeleteTaskVersion(e.admin, task.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		got = mustFind(t, e, l.ID)
		if len(got.Tasks) != 0 || got.Version != 5 || got.FirstTaskAt == nil || !got.FirstTaskAt.Equal(first) {
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

// TestNotesOneByOne: notes and tags of a lead, and notes of its tasks,
// created, read, changed and deleted on their own: with their versions
// (of content, as SML's history of a note shows, and of the record), the
// lead's (and a task's note's task's) version, the lead's history and
// what a lead search finds.
func TestNotesOneByOne(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) { l.Tasks = []core.Task{{Type: core.TaskOther}} })
		task := l.Tasks[0]
		find := func(term string) int {
			t.Helper()
			_, n, err := e.svc.FindLeads(e.admin, core.Query{Where: core.Match(term), Limit: -1, Total: true})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		note, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Content: "  Quiere financiación  "})
		if err != nil {
			t.Fatal(err)
		}
		if note.ID == 0 || note.Version != 1 || note.Content != "Quiere financiación" || note.LeadID != l.ID || note.DealerID != e.f.DealerID ||
			note.Tag || note.TaskID != 0 || note.AuthorID == nil || len(note.History) != 1 || note.History[0].Content != note.Content {
			t.Fatalf("created note: %+v", note)
		}
		got := mustFind(t, e, l.ID)
		if got.Version != 2 || len(got.Notes) != 1 || got.Notes[0].ID != note.ID {
			t.Fatalf("lead after a note: v%d %+v", got.Version, got.Notes)
		}
		if h, _ := lastHistory(t, e, l.ID); h.Kind != core.KindLeadUpdated || !slices.Equal(h.Changes, []core.Change{{Field: "notes", New: "Quiere financiación"}}) {
			t.Fatalf("history of a note: %+v", h)
		}
		if find("financiación") != 1 {
			t.Fatal("the note does not find its lead")
		}
		if found, err := e.svc.FindNote(e.admin, note.ID); err != nil || found.Content != note.Content || found.Version != 1 || found.LeadID != l.ID {
			t.Fatalf("found note: %+v, %v", found, err)
		}

		tag, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Tag: true, Content: "VIP"})
		if err != nil || !tag.Tag {
			t.Fatalf("tag: %+v, %v", tag, err)
		}
		if h, _ := lastHistory(t, e, l.ID); !slices.Equal(h.Changes, []core.Change{{Field: "tags", New: "VIP"}}) {
			t.Fatalf("history of a tag: %+v", h)
		}
		tnote, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, TaskID: task.ID, Content: "traer la documentación"})
		if err != nil || tnote.TaskID != task.ID {
			t.Fatalf("task note: %+v, %v", tnote, err)
		}
		if h, _ := lastHistory(t, e, l.ID); h.Kind != core.KindTaskUpdated ||
			!slices.Equal(h.Changes, []core.Change{{Field: "tasks." + strconv.FormatInt(task.ID, 10) + ".notes", New: "traer la documentación"}}) {
			t.Fatalf("history of a task's note: %+v", h)
		}
		if ft, _ := e.svc.FindTask(e.admin, task.ID); ft.Version != 2 || len(ft.Notes) != 1 {
			t.Fatalf("task after a note: v%d %d notes", ft.Version, len(ft.Notes))
		}
		if find("documentación") != 0 {
			t.Fatal("a task's note is found, as no search of a lead finds it")
		}
		_, err = e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, TaskID: task.ID, Tag: true, Content: "x"})
		wantCode(t, err, core.Invalid, "tag")
		_, err = e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Content: " "})
		if ce, ok := err.(*core.Error); !ok || ce.Fields["content"] != core.MsgRequired {
			t.Fatalf("empty note: %v", err)
		}
		other := e.lead(t, func(l *core.Lead) { l.Tasks = []core.Task{{Type: core.TaskOther}} })
		_, err = e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, TaskID: other.Tasks[0].ID, Content: "x"})
		wantCode(t, err, core.NotFound, "")

		// its content changes: a new version by the principal
		v := mustFind(t, e, l.ID).Version
		upd, err := e.svc.UpdateNote(e.admin, note.ID, core.NotePatch{Version: 1, Content: core.Value("Quiere leasing")})
		if err != nil || upd.Version != 2 || len(upd.History) != 2 || upd.History[0].Content != "Quiere financiación" ||
			upd.History[1].Content != "Quiere leasing" || *upd.History[1].UserID != e.f.AdminID {
			t.Fatalf("updated note: %+v, %v", upd, err)
		}
		if got := mustFind(t, e, l.ID); got.Version != v+1 || got.Notes[0].Content != "Quiere leasing" || len(got.Notes[0].History) != 2 {
			t.Fatalf("lead after a note's change: v%d %+v", got.Version, got.Notes)
		}
		h, entries := lastHistory(t, e, l.ID)
		if !slices.Equal(h.Changes, []core.Change{{Field: "notes", Old: "Quiere financiación", New: "Quiere leasing"}}) {
			t.Fatalf("history of a note's change: %+v", h)
		}
		if find("financiación") != 0 || find("leasing") != 1 {
			t.Fatal("the search does not follow the note's change")
		}
		_, err = e.svc.UpdateNote(e.admin, note.ID, core.NotePatch{Version: 1, Content: core.Value("otra")})
		wantStale(t, err, "version")
		if same, err := e.svc.UpdateNote(e.admin, note.ID, core.NotePatch{Content: core.Value("Quiere leasing")}); err != nil || same.Version != 2 {
			t.Fatalf("a patch that changes nothing: v%d, %v", same.Version, err)
		}
		if _, n := lastHistory(t, e, l.ID); n != entries || mustFind(t, e, l.ID).Version != v+2 {
			t.Fatal("a patch that changes nothing recorded history, or its write did not count on the lead")
		}
		tv, _ := e.svc.FindTask(e.admin, task.ID)
		if _, err := e.svc.UpdateNote(e.admin, tnote.ID, core.NotePatch{Content: core.Value("documentación traída")}); err != nil {
			t.Fatal(err)
		}
		if ft, _ := e.svc.FindTask(e.admin, task.ID); ft.Version != tv.Version+1 || ft.Notes[0].Content != "documentación traída" {
			t.Fatalf("task after its note's change: v%d %+v", ft.Version, ft.Notes)
		}

		if err := e.svc.DeleteNote(e.admin, tag.ID); err != nil {
			t.Fatal(err)
		}
		if h, _ := lastHistory(t, e, l.ID); !slices.Equal(h.Changes, []core.Change{{Field: "tags", Old: "VIP"}}) {
			t.Fatalf("history of a tag's deletion: %+v", h)
		}
		if find("vip") != 0 {
			t.Fatal("a deleted tag still finds its lead")
		}
		if _, err := e.svc.FindNote(e.admin, tag.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted tag: %v", err)
		}
		if err := e.svc.DeleteNote(e.admin, tnote.ID); err != nil {
			t.Fatal(err)
		}
		if ft, _ := e.svc.FindTask(e.admin, task.ID); len(ft.Notes) != 0 || ft.Version != tv.Version+2 {
			t.Fatalf("task after its note's deletion: v%d %+v", ft.Version, ft.Notes)
		}

		// another dealer's notes, and a dealer's own notes, are not found
		for name, err := range map[string]error{
			"find": func() error { _, err := e.svc.FindNote(e.other, note.ID); return err }(),
			"update": func() error {
				_, err := e.svc.UpdateNote(e.other, note.ID, core.NotePatch{Content: core.Value("x")})
				return err
			}(),
			"delete": e.svc.DeleteNote(e.other, note.ID),
			"create": func() error { _, err := e.svc.CreateNote(e.other, core.Note{LeadID: l.ID, Content: "x"}); return err }(),
		} {
			if core.ErrorCode(err) != core.NotFound {
				t.Fatalf("%s another dealer's note: %v", name, err)
			}
		}
		d, err := e.svc.CreateDealer(e.admin, core.Dealer{Name: "Con notas", Country: "ES", Notes: []core.Note{{Content: "del concesionario"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FindNote(e.admin, d.Notes[0].ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("a dealer's note: %v", err)
		}
		if got, _ := e.svc.FindNote(e.admin, note.ID); got.Content != "Quiere leasing" {
			t.Fatalf("another dealer changed the note: %q", got.Content)
		}
	})
}

// TestNoteRoom: a lead holds at most MaxItems notes, and as many tags.
func TestNoteRoom(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		full := make([]core.Note, core.MaxItems)
		for i := range full {
			full[i].Content = "n"
		}
		l := e.lead(t, func(l *core.Lead) { l.Notes = full })
		_, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Content: "una más"})
		if ce, ok := err.(*core.Error); !ok || ce.Code != core.Invalid || ce.Fields["notes"] != core.MsgOutOfRange {
			t.Fatalf("note past the bound: %v", err)
		}
		if _, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Tag: true, Content: "etiqueta"}); err != nil {
			t.Fatalf("a tag beside MaxItems notes: %v", err)
		}
	})
}

// TestNoteHistoryAsNested: a note's or tag's creation, change and
// deletion on its own record what the same change through UpdateLead
// (or, for a task's note, UpdateTask) records, on twin leads, and keep
// the same versions of its content.
func TestNoteHistoryAsNested(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		withTask := func(l *core.Lead) { l.Tasks = []core.Task{{Type: core.TaskOther}} }
		one, nested := e.lead(t, withTask), e.lead(t, withTask)
		compare := func(what string, kind core.HistoryKind) {
			t.Helper()
			a, _ := lastHistory(t, e, one.ID)
			b, _ := lastHistory(t, e, nested.ID)
			if a.Kind != kind || b.Kind != kind || !slices.Equal(canonical(a.Changes), canonical(b.Changes)) || len(a.Changes) == 0 {
				t.Fatalf("%s: one by one %s %+v\nnested %s %+v", what, a.Kind, a.Changes, b.Kind, b.Changes)
			}
			la, lb := mustFind(t, e, one.ID), mustFind(t, e, nested.ID)
			contents := func(l core.Lead) (out [][]string) {
				for _, ns := range [][]core.Note{l.Notes, l.Tags, l.Tasks[0].Notes} {
					for _, n := range ns {
						var vs []string
						for _, v := range n.History {
							vs = append(vs, v.Content)
						}
						out = append(out, vs)
					}
				}
				return out
			}
			if la.Version != lb.Version || !slices.EqualFunc(contents(la), contents(lb), slices.Equal) {
				t.Fatalf("%s: leads differ: v%d/v%d, versions of notes %q / %q", what, la.Version, lb.Version, contents(la), contents(lb))
			}
		}
		list := func(ns []core.Note, content ...string) *[]core.NotePatch {
			var out []core.NotePatch
			for i, n := range ns {
				out = append(out, core.NotePatch{ID: &n.ID, Content: core.Value(content[i])})
			}
			for _, c := range content[len(ns):] {
				out = append(out, core.NotePatch{Content: core.Value(c)})
			}
			return &out
		}
		must := func(_ any, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, kind := range []string{"note", "tag", "task note"} {
			var n core.Note
			var err error
			switch kind {
			case "note":
				n, err = e.svc.CreateNote(e.admin, core.Note{LeadID: one.ID, Content: "hola"})
				must(e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Notes: list(nil, "hola")}))
			case "tag":
				n, err = e.svc.CreateNote(e.admin, core.Note{LeadID: one.ID, Tag: true, Content: "hola"})
				must(e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Tags: list(nil, "hola")}))
			case "task note":
				n, err = e.svc.CreateNote(e.admin, core.Note{LeadID: one.ID, TaskID: one.Tasks[0].ID, Content: "hola"})
				must(e.svc.UpdateTask(e.admin, nested.Tasks[0].ID, core.TaskPatch{Notes: list(nil, "hola")}))
			}
			if err != nil {
				t.Fatal(err)
			}
			want := core.KindLeadUpdated
			if kind == "task note" {
				want = core.KindTaskUpdated
			}
			compare(kind+" created", want)

			must(e.svc.UpdateNote(e.admin, n.ID, core.NotePatch{Content: core.Value("adiós")}))
			l := mustFind(t, e, nested.ID)
			switch kind {
			case "note":
				must(e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Notes: list(l.Notes, "adiós")}))
			case "tag":
				must(e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Tags: list(l.Tags, "adiós")}))
			case "task note":
				must(e.svc.UpdateTask(e.admin, nested.Tasks[0].ID, core.TaskPatch{Notes: list(l.Tasks[0].Notes, "adiós")}))
			}
			compare(kind+" changed", want)

			must(nil, e.svc.DeleteNote(e.admin, n.ID))
			switch kind {
			case "note":
				must(e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Notes: list(nil)}))
			case "tag":
				must(e.svc.UpdateLead(e.admin, nested.ID, core.LeadPatch{Tags: list(nil)}))
			case "task note":
				must(e.svc.UpdateTask(e.admin, nested.Tasks[0].ID, core.TaskPatch{Notes: list(nil)}))
			}
			compare(kind+" deleted", want)
		}
	})
}

// TestListReplaceKeepsOthersNotes: the case of issue 7. One API reads a
// lead and later sends its list of notes, which replaces the lead's;
// meanwhile another API added a note. Sent with the version it read, the
// list is refused as stale and the other's note stays; sent without one,
// the list replaces the lead's, as a list sent does.
func TestListReplaceKeepsOthersNotes(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) { l.Notes = []core.Note{{Content: "primera"}} })
		read := mustFind(t, e, l.ID)
		theirs, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Content: "de la otra API"})
		if err != nil {
			t.Fatal(err)
		}
		mine := []core.NotePatch{{ID: &read.Notes[0].ID, Content: core.Value("primera, corregida")}}
		_, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Version: read.Version, Notes: &mine})
		wantStale(t, err, "version")
		got := mustFind(t, e, l.ID)
		if len(got.Notes) != 2 || got.Notes[1].ID != theirs.ID || got.Notes[0].Content != "primera" {
			t.Fatalf("notes after a stale list: %+v", got.Notes)
		}
		// read again, the list keeps what it should
		mine = append(mine, core.NotePatch{ID: &theirs.ID})
		if got, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Version: got.Version, Notes: &mine}); err != nil || len(got.Notes) != 2 {
			t.Fatalf("the list with the current version: %+v, %v", got.Notes, err)
		}
		// without a version, a list sent is the new list
		if got, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Notes: &mine}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Content: "otra más"}); err != nil {
			t.Fatal(err)
		}
		if got, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Notes: &mine}); err != nil || len(got.Notes) != 2 {
			t.Fatalf("a list without a version: %+v, %v", got.Notes, err)
		}
	})
}

// TestConcurrentNoteWriters: two writers who read the same version of a
// note change it at once; one gets ErrStaleVersion, the note ends as the
// other wrote it, with one version more.
func TestConcurrentNoteWriters(t *testing.T) {
	r, opts := racing()
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) { l.Notes = []core.Note{{Content: "primera"}} })
		n := l.Notes[0]
		update := func(content string) func() error {
			return func() error {
				_, err := e.svc.UpdateNote(e.admin, n.ID, core.NotePatch{Version: n.Version, Content: core.Value(content)})
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
			t.Fatalf("both writers of version %d: %v, %v; want one stale", n.Version, errA, errB)
		}
		got, err := e.svc.FindNote(e.admin, n.ID)
		if err != nil || got.Content != winner || got.Version != n.Version+1 || len(got.History) != 2 {
			t.Fatalf("note after the race: %+v, %v; want %q v%d", got, err, winner, n.Version+1)
		}
	}, opts...)
}
