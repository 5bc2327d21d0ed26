package walcu_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestComputedDerived: the computed fields a lead and a client derive
// from the client's calls, the lead's history, its tasks and the
// client's leads are the core's now, whichever API changed them (another
// API's call, reassignment and note here through the core): a lead's
// client_call_durations and client_call_notes, previous_assigned_to,
// tasks_assigned_to and each task's assigned_to, total_price_of_lead; a
// client's calls, last lead dates, tasks, notes and appointments; in a
// GET and in a page alike.
func TestComputedDerived(t *testing.T) {
	e := newEnv(t)
	ctx, adminID := e.admin(t)
	cl := e.es(http.MethodPost, "clients", map[string]any{"primary_contact": map[string]any{"name": map[string]any{"first_name": "Derivada"},
		"phones": []any{"611222444"}}})
	mustStatus(t, "client", cl, 200)
	clientID := cl.obj()["_id"].(string)
	first := e.es(http.MethodPost, "saleleads", map[string]any{"client_id": clientID, "current_assigned": map[string]any{"to": adminID},
		"car_list": []any{map[string]any{"car": map[string]any{"make": "Seat", "price": 10000, "quantity": 2}},
			map[string]any{"car": map[string]any{"make": "Kia", "price": 5000.5}}}})
	mustStatus(t, "first lead", first, 200)
	leadID := first.obj()["_id"].(string)
	second := e.es(http.MethodPost, "saleleads", map[string]any{"client_id": clientID, "car_list": []any{map[string]any{"car": map[string]any{"make": "Seat"}}}})
	mustStatus(t, "second lead", second, 200)
	secondID := second.obj()["_id"].(string)
	l, err := e.coreLead(t, ctx, leadID)
	if err != nil {
		t.Fatal(err)
	}

	computed := func(coll, id string) map[string]any {
		t.Helper()
		r := e.es(http.MethodGet, coll+"/"+id, nil)
		mustStatus(t, "GET "+coll, r, 200)
		c := r.arr()[0].(map[string]any)["computed"].(map[string]any)
		page := e.list(coll, url.Values{"q": {`{"_id": "` + id + `"}`}})
		mustStatus(t, "page of "+coll, page, 200)
		if pc := at(page.arr()[0], "computed"); !equalJSON(pc, c) {
			t.Errorf("%s: a page's computed is not the GET's:\n%v\n%v", coll, pc, c)
		}
		return c
	}
	check := func(what string, c map[string]any, want map[string]any) {
		t.Helper()
		for k, v := range want {
			if !equalJSON(c[k], v) {
				t.Errorf("%s: %s = %v, want %v", what, k, c[k], v)
			}
		}
	}
	c := computed("saleleads", leadID)
	check("before", c, map[string]any{"client_call_durations": []any{}, "client_call_notes": []any{}, "previous_assigned_to": []any{},
		"tasks_assigned_to": []any{}, "total_price_of_lead": 25000.5})
	check("second, before", computed("saleleads", secondID), map[string]any{"total_price_of_lead": nil})

	// a conference here, a call by another API, a planned call (no call made)
	mustStatus(t, "conference", e.es(http.MethodPost, "conferences", map[string]any{"lead_id": leadID, "direction": "inbound", "status": "completed",
		"made_at": "2026-11-02T09:30:00Z", "duration": 60, "note": "quiere financiar"}), 200)
	if _, err := e.svc.LogCommunication(ctx, core.Communication{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommOutbound,
		StartAt: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC), Duration: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, "planned call", e.es(http.MethodPost, "conferences", map[string]any{"lead_id": leadID, "direction": "outbound",
		"status": "queued", "made_at": "2026-12-24T09:30:00Z", "note": "por hacer"}), 200)
	// another API reassigns the lead; a task here for the admin, one by another API for no one
	if _, err := e.svc.AssignLead(ctx, l.ID, e.fx.AdvisorIDs[0], 0); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, "task", e.es(http.MethodPost, "tasks", map[string]any{"lead_id": leadID, "description": "Llamar",
		"notification": map[string]any{"notify_at": "2026-12-02T09:00:00Z", "notify_to": []any{adminID, adminID}}}), 200)
	if _, err := e.svc.CreateTask(ctx, l.ID, core.Task{Type: core.TaskOther, Description: "otra"}); err != nil {
		t.Fatal(err)
	}
	calls := map[string]any{"client_call_durations": []any{60, 30}, "client_call_notes": []any{"quiere financiar"}}
	c = computed("saleleads", leadID)
	check("after", c, calls)
	check("after", c, map[string]any{"previous_assigned_to": []any{adminID}, "tasks_assigned_to": []any{adminID}})
	if tasks, _ := c["tasks"].([]any); len(tasks) != 2 || !equalJSON(at(tasks[0], "assigned_to"), []any{adminID}) ||
		!equalJSON(at(tasks[1], "assigned_to"), []any{}) {
		t.Errorf("tasks: %v", c["tasks"])
	}
	check("second, after", computed("saleleads", secondID), calls)

	// the client: its calls, its leads' dates, tasks, notes (another API's) and dates
	if _, err := e.svc.CreateNote(ctx, core.Note{LeadID: l.ID, Content: "nota de SML"}); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, "date", e.es(http.MethodPost, "dates", map[string]any{"lead_id": secondID, "title": "visita", "start_date": "2026-12-01T10:00:00Z",
		"duration": 30}), 200)
	c = computed("clients", clientID)
	check("client", c, calls)
	check("client", c, map[string]any{"client_last_sale_lead_date": second.obj()["created_at"], "client_last_aftersale_lead_date": nil,
		"client_number_of_sale_leads": 2, "number_of_tasks": 2, "number_of_completed_tasks": 0, "number_of_uncompleted_tasks": 2,
		"notes": []any{"nota de SML"}, "number_of_notes": 1, "number_of_appointments": 1, "appointments_created_by": []any{adminID}})

	// a task done and a lead deleted: current at once
	tk, err := e.coreLead(t, ctx, leadID)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tk.Tasks {
		if task.Description == "Llamar" {
			if _, err := e.svc.UpdateTask(ctx, task.ID, core.TaskPatch{Done: core.Value(true)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	check("a task done", computed("saleleads", leadID), map[string]any{"tasks_assigned_to": []any{}})
	mustStatus(t, "delete", e.es(http.MethodDelete, "saleleads/"+secondID, nil), 200)
	check("a lead deleted", computed("clients", clientID), map[string]any{"client_last_sale_lead_date": first.obj()["created_at"],
		"client_number_of_sale_leads": 1, "number_of_appointments": 0, "appointments_created_by": []any{}, "number_of_completed_tasks": 1})
}
