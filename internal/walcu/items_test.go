package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/core"
)

// TestTasksAndNotes: tasks and notes are the core's tasks and notes of a
// lead: one made here is on its lead (the lead's history, its first task
// time) with what the core has no place for kept beside it; __v grows
// with either; a stale PUT is refused; lists filter on the lead and the
// core's fields; deleting the lead deletes them and what was kept beside
// them; another dealer sees nothing.
func TestTasksAndNotes(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)
	lr := e.es(http.MethodPost, "saleleads", map[string]any{"car_list": []any{map[string]any{"car": map[string]any{"make": "Mazda", "model": "MX-5"}}}})
	mustStatus(t, "lead", lr, 200)
	leadID := lr.obj()["_id"].(string)
	l, err := e.coreLead(t, ctx, leadID)
	if err != nil {
		t.Fatal(err)
	}

	r := e.es(http.MethodPost, "tasks", map[string]any{"lead_id": leadID, "description": "Llamar para la prueba",
		"notification": map[string]any{"notify_at": "2026-12-02T09:00:00Z", "notify_to": []any{adminID}}, "custom": "t1", "foreign_ids": []any{"x"}})
	mustStatus(t, "post task", r, 200)
	task := r.obj()
	taskID := task["_id"].(string)
	if task["lead_id"] != leadID || task["lead_type"] != "salelead" || task["description"] != "Llamar para la prueba" || task["custom"] != "t1" ||
		at(task, "notification", "notify_at") != "2026-12-02T09:00:00.000Z" || at(task, "notification", "notify_to", "0") != adminID ||
		at(task, "notification", "done") != false || num(task["__v"]) != "0" || task["created_by"] != adminID {
		t.Fatalf("task: %s", r.raw)
	}
	got, _ := e.coreLead(t, ctx, leadID)
	if len(got.Tasks) != 1 || got.Tasks[0].Description != "Llamar para la prueba" || got.FirstTaskAt == nil {
		t.Fatalf("the lead's tasks: %+v", got.Tasks)
	}
	if r := e.es(http.MethodGet, "tasks/"+taskID, nil); !equalJSON(r.arr()[0], task) {
		t.Fatalf("GET task: %s", r.raw)
	}
	r = e.es(http.MethodPatch, "tasks/"+taskID, []any{map[string]any{"op": "replace", "path": "/notification/done", "value": true},
		map[string]any{"op": "replace", "path": "/custom", "value": "t2"}})
	mustStatus(t, "patch task", r, 200)
	if num(r.obj()["__v"]) != "2" || at(r.obj(), "notification", "done_at") == nil || r.obj()["custom"] != "t2" {
		t.Fatalf("patched task: %s", r.raw)
	}
	stale := r.obj()
	stale["__v"], stale["description"] = 1, "x"
	mustStatus(t, "stale task put", e.es(http.MethodPut, "tasks/"+taskID, stale), 409)
	if got, _ := e.coreLead(t, ctx, leadID); got.Tasks[0].Description != "Llamar para la prueba" || !got.Tasks[0].Done {
		t.Fatalf("a stale put changed the task: %+v", got.Tasks[0])
	}
	mustStatus(t, "task without lead", e.es(http.MethodPost, "tasks", map[string]any{"description": "x"}), 400)

	r = e.es(http.MethodPost, "notes", map[string]any{"lead_id": leadID, "content": "Prefiere whatsapp", "file_ids": []any{"f1"}})
	mustStatus(t, "post note", r, 200)
	note := r.obj()
	noteID := note["_id"].(string)
	if note["content"] != "Prefiere whatsapp" || at(note, "file_ids", "0") != "f1" || note["client_id"] != nil {
		t.Fatalf("note: %s", r.raw)
	}
	r = e.es(http.MethodPatch, "notes/"+noteID, []any{map[string]any{"op": "replace", "path": "/content", "value": "Prefiere llamadas"}})
	mustStatus(t, "patch note", r, 200)
	if num(r.obj()["__v"]) != "1" || r.obj()["content"] != "Prefiere llamadas" {
		t.Fatalf("patched note: %s", r.raw)
	}
	if got, _ := e.coreLead(t, ctx, leadID); len(got.Notes) != 1 || got.Notes[0].Content != "Prefiere llamadas" || len(got.Notes[0].History) != 2 {
		t.Fatalf("the lead's notes: %+v", got.Notes)
	}
	if h, _, _ := e.svc.LeadHistory(ctx, l.ID, false, core.All); len(h) < 3 {
		t.Fatalf("the lead's history: %+v", h)
	}

	// lists
	r = e.list("tasks", url.Values{"q": {`{"lead_id": "` + leadID + `", "notification.done": true}`}, "sort": {"-created_at"}})
	if r.code != 200 || len(r.arr()) != 1 || r.arr()[0].(map[string]any)["custom"] != "t2" {
		t.Fatalf("tasks list: %s", r.raw)
	}
	r = e.list("notes", url.Values{"q": {`{"lead_id": "` + leadID + `"}`}, "search": {"llamadas"}})
	if r.code != 200 || len(r.arr()) != 1 || r.arr()[0].(map[string]any)["_id"] != noteID {
		t.Fatalf("notes list: %s", r.raw)
	}
	if r := e.list("tasks", url.Values{"q": {`{"custom": "t2"}`}}); r.code != 200 || len(r.arr()) != 1 || at(r.arr()[0], "custom") != "t2" {
		t.Fatalf("a field kept beside the task: %d %s", r.code, r.raw)
	}
	if r := e.list("tasks", url.Values{"group_by": {"notification.done"}}); r.code != 200 || len(r.arr()) == 0 {
		t.Fatalf("group tasks: %s", r.raw)
	}

	// isolation
	mustStatus(t, "another dealer's task", e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/tasks/"+taskID, nil), 404)
	mustStatus(t, "another dealer's note", e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/notes/"+noteID, nil), 404)
	for _, coll := range []string{"notes", "tasks"} {
		r := e.do(e.coKey, http.MethodGet, "/dealers/"+e.other+"/"+coll+"?limit=1000", nil)
		for _, x := range r.arr() {
			if x.(map[string]any)["lead_id"] == leadID || x.(map[string]any)["dealer_id"] != e.other {
				t.Fatalf("another dealer lists %s: %s", coll, r.raw)
			}
		}
	}

	nr := e.es(http.MethodGet, "notes/"+noteID, nil).arr()[0].(map[string]any)
	nr["file_ids"] = []any{"f1", "f2"}
	r = e.es(http.MethodPut, "notes/"+noteID, nr)
	mustStatus(t, "put note", r, 200)
	if num(r.obj()["__v"]) != "2" || at(r.obj(), "file_ids", "1") != "f2" || r.obj()["content"] != "Prefiere llamadas" {
		t.Fatalf("put note: %s", r.raw)
	}
	second := e.es(http.MethodPost, "tasks", map[string]any{"lead_id": leadID, "description": "otra"})
	mustStatus(t, "second task", second, 200)
	mustStatus(t, "delete task", e.es(http.MethodDelete, "tasks/"+second.obj()["_id"].(string), nil), 200)
	if got, _ := e.coreLead(t, ctx, leadID); len(got.Tasks) != 1 {
		t.Fatalf("the lead's tasks after a delete: %d", len(got.Tasks))
	}

	// a note deleted; then the lead, with its task and what was beside it
	mustStatus(t, "delete note", e.es(http.MethodDelete, "notes/"+noteID, nil), 200)
	mustStatus(t, "deleted note", e.es(http.MethodGet, "notes/"+noteID, nil), 404)
	mustStatus(t, "delete lead", e.es(http.MethodDelete, "saleleads/"+leadID, nil), 200)
	mustStatus(t, "the lead's task", e.es(http.MethodGet, "tasks/"+taskID, nil), 404)
	ds, _, err := e.svc.FindDocuments(ctx, "walcu.tasks", core.DocumentSchema("walcu.tasks", nil), core.Query{Limit: -1})
	if err != nil || len(ds) != 0 {
		t.Fatalf("the task's extension survives its lead: %d %v", len(ds), err)
	}
}
