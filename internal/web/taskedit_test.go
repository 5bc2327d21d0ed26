package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// testTaskEdit: a task's edit page changes its type, medium, date (in the
// dealer's zone, or none) and comment through the core with its version;
// bad input is 400 with the typed values kept and nothing written, a stale
// form 409 with the task as it is now, a forged one 403, another dealer's
// task 404; a done task is reopened; "Mis tareas" lists the open tasks of
// the user's leads, dated ones by date with the overdue first and marked.
func testTaskEdit(t *testing.T, st site) {
	b, csrf, l := adminWithLead(t, st, 5)
	path := "/app/leads/" + l.PublicID
	task, err := st.svc.CreateTask(st.admin(), l.ID, core.Task{Type: core.TaskBudget, Media: core.MediaPhone, Description: "Llamar"})
	if err != nil {
		t.Fatal(err)
	}
	edit := fmt.Sprintf("%s/tareas/%d", path, task.ID)
	wantBody(t, b.get(path), "the lead's page", fmt.Sprintf(`href="%s"`, edit))
	a := b.get(edit)
	wantStatus(t, a, http.StatusOK, "the edit page")
	wantBody(t, a, "the edit page", `<option value="budget" selected>Presupuesto</option>`, `<option value="phone" selected>teléfono</option>`,
		">Llamar</textarea>", `name="version" value="1"`)

	v := strconv.Itoa(task.Version)
	wantRefusals(t, b, edit, []refusal{
		{"no CSRF token", url.Values{"version": {v}, "tipo": {"financing"}, "medio": {"email"}}, http.StatusForbidden, "El formulario ha caducado"},
		{"no version", url.Values{"csrf": {csrf}, "tipo": {"financing"}, "medio": {"email"}}, http.StatusBadRequest, "El formulario no es válido"},
		{"an unknown type", url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"party"}, "medio": {"email"}}, http.StatusBadRequest, "Ese tipo de tarea no existe"},
		{"an unknown medium", url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"financing"}, "medio": {"fax"}}, http.StatusBadRequest, "Ese medio no existe"},
		{"a bad date", url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"financing"}, "medio": {"email"}, "fecha": {"2026-02-30T10:00"},
			"comentario": {"Texto que se conserva"}}, http.StatusBadRequest, "La fecha no es válida"},
		{"a long comment", url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"financing"}, "medio": {"email"}, "comentario": {strings.Repeat("x", core.MaxLongText+1)}},
			http.StatusBadRequest, "El comentario es demasiado largo"},
		{"an appraisal without its vehicle", url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"appraisal"}, "medio": {"email"}}, http.StatusBadRequest, "Los datos no son válidos"},
		{"a stale version", url.Values{"csrf": {csrf}, "version": {strconv.Itoa(task.Version + 1)}, "tipo": {"financing"}, "medio": {"email"}}, http.StatusConflict, "ha cambiado"},
	})
	a = b.post(edit, url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"financing"}, "medio": {"email"}, "fecha": {"bad"}, "comentario": {"Texto que se conserva"}})
	wantBody(t, a, "a refused edit", ">Texto que se conserva</textarea>", `<option value="email" selected>e-mail</option>`, `value="bad"`,
		`<option value="financing" selected>Financiación</option>`)
	other := st.lead(t, st.fx.LeadIDs[6])
	otherPath := fmt.Sprintf("/app/leads/%s/tareas/%d", other.PublicID, task.ID)
	wantStatus(t, b.get(otherPath), http.StatusNotFound, "the task through another lead's path")
	wantStatus(t, b.post(otherPath, url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"financing"}, "medio": {"email"}}), http.StatusNotFound,
		"an edit through another lead's path")
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	wantStatus(t, co.get(edit), http.StatusNotFound, "another dealer's task")
	a = co.post(edit, url.Values{"csrf": {co.csrf()}, "version": {v}, "tipo": {"financing"}, "medio": {"email"}})
	wantStatus(t, a, http.StatusNotFound, "an edit of another dealer's task")
	if strings.Contains(a.Body, "Llamar") {
		t.Fatal("another dealer's 404 shows the task")
	}
	if got, err := st.svc.FindTask(st.admin(), task.ID); err != nil || got.Version != task.Version || got.Type != core.TaskBudget {
		t.Fatalf("refused edits changed the task: %+v, %v", got, err)
	}

	// the edit: Friday 4 December 2026 at 9:15 in Madrid (UTC+1)
	a = b.post(edit, url.Values{"csrf": {csrf}, "version": {v}, "tipo": {"financing"}, "medio": {"email"}, "fecha": {"2026-12-04T09:15"},
		"comentario": {" Enviar la financiación "}})
	wantStatus(t, a, http.StatusSeeOther, "the edit")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=tarea_editada" {
		t.Fatalf("after the edit: %q", loc)
	}
	got, err := st.svc.FindTask(st.admin(), task.ID)
	if want := time.Date(2026, 12, 4, 8, 15, 0, 0, time.UTC); err != nil || got.Type != core.TaskFinancing || got.Media != core.MediaEmail ||
		got.PlannedAt == nil || !got.PlannedAt.Equal(want) || got.Description != "Enviar la financiación" || got.Version != task.Version+1 {
		t.Fatalf("the task after the edit: %+v (planned %v), %v", got, got.PlannedAt, err)
	}
	wantBody(t, b.get(path+"?hecho=tarea_editada"), "after the edit", "Tarea modificada.", "Financiación · e-mail · 04/12/2026 09:15",
		"Tarea modificada</strong>")
	wantBody(t, b.get(edit), "the edit page again", `value="2026-12-04T09:15"`)
	// an empty date removes it
	a = b.post(edit, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(got.Version)}, "tipo": {"financing"}, "medio": {"email"},
		"comentario": {"Enviar la financiación"}})
	wantStatus(t, a, http.StatusSeeOther, "removing the date")
	if got, _ = st.svc.FindTask(st.admin(), task.ID); got.PlannedAt != nil {
		t.Fatalf("the date after removing it: %v", got.PlannedAt)
	}

	// done, then reopened
	if got, err = st.svc.UpdateTask(st.admin(), task.ID, core.TaskPatch{Done: core.Value(true)}); err != nil {
		t.Fatal(err)
	}
	reopen := edit + "/reabrir"
	wantBody(t, b.get(path), "a done task", fmt.Sprintf(`id="reabrir-%d"`, task.ID))
	wantStatus(t, b.post(reopen, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(got.Version - 1)}}), http.StatusConflict, "a stale reopening")
	wantStatus(t, b.post(reopen, url.Values{"version": {strconv.Itoa(got.Version)}}), http.StatusForbidden, "reopening without CSRF")
	wantStatus(t, co.post(reopen, url.Values{"csrf": {co.csrf()}, "version": {strconv.Itoa(got.Version)}}), http.StatusNotFound, "reopening another dealer's task")
	if now, _ := st.svc.FindTask(st.admin(), task.ID); !now.Done {
		t.Fatal("a refused reopening reopened the task")
	}
	a = b.post(reopen, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(got.Version)}})
	wantStatus(t, a, http.StatusSeeOther, "reopening")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=tarea_reabierta" {
		t.Fatalf("after reopening: %q", loc)
	}
	if got, _ = st.svc.FindTask(st.admin(), task.ID); got.Done || got.DoneAt != nil {
		t.Fatalf("the task after reopening: %+v", got)
	}
	wantBody(t, b.get(path+"?hecho=tarea_reabierta"), "after reopening", "Tarea reabierta.", fmt.Sprintf(`id="hecha-%d"`, task.ID))

	// Mis tareas: one overdue, one due later, one undated (the reopened one); a done one is not listed
	past, later := time.Now().Add(-48*time.Hour), time.Now().Add(72*time.Hour)
	for _, c := range []struct {
		desc string
		at   *time.Time
		done bool
	}{{"Tarea futura", &later, false}, {"Tarea vencida", &past, false}, {"Tarea ya hecha", &past, true}} {
		nt, err := st.svc.CreateTask(st.admin(), l.ID, core.Task{Type: core.TaskOther, Media: core.MediaPhone, PlannedAt: c.at, Description: c.desc})
		if err != nil {
			t.Fatal(err)
		}
		if c.done {
			if _, err := st.svc.UpdateTask(st.admin(), nt.ID, core.TaskPatch{Done: core.Value(true)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	a = b.get("/app/tareas")
	wantStatus(t, a, http.StatusOK, "Mis tareas")
	dated, undated, _ := strings.Cut(a.Body, `id="sin-fecha"`)
	wantBody(t, answer{Body: undated}, "Mis tareas, undated", "Enviar la financiación")
	iLate, iLater := strings.Index(dated, "Tarea vencida"), strings.Index(dated, "Tarea futura")
	if iLate < 0 || iLater < 0 || iLate > iLater || strings.Contains(a.Body, "Tarea ya hecha") {
		t.Fatalf("Mis tareas: overdue at %d, later at %d (want both, overdue first), done listed %v", iLate, iLater, strings.Contains(a.Body, "Tarea ya hecha"))
	}
	rowOf := func(i int) string { return dated[strings.LastIndex(dated[:i], "<tr"):i] }
	if !strings.Contains(rowOf(iLate), `class="overdue"`) || strings.Contains(rowOf(iLater), `class="overdue"`) {
		t.Fatalf("Mis tareas marks the overdue task %q, the later one %q", rowOf(iLate), rowOf(iLater))
	}
	ts, n, err := st.svc.FindTasks(st.admin(), core.Query{Where: core.And(core.Eq("lead_user", st.fx.AdminID), core.Eq("done", false),
		core.Cond{Op: core.OpExists, Field: "planned_at", Value: true}), Limit: 1, Total: true})
	if err != nil || len(ts) == 0 {
		t.Fatal(err)
	}
	wantBody(t, a, "Mis tareas's count", fmt.Sprintf(`id="total-con-fecha">%d tarea`, n))
	// an advisor with no lead has none; the Colombian admin sees none of these
	if a := co.get("/app/tareas"); strings.Contains(a.Body, "Tarea vencida") || strings.Contains(a.Body, "Enviar la financiación") {
		t.Fatal("another dealer's user sees the tasks")
	}
}
