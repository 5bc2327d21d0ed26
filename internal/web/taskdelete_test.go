package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// testTaskDelete: a task is deleted after a confirmation, with the
// session's CSRF token and its version (stale 409, no version 400, no
// token 403, another lead's path and another dealer's 404, all writing
// nothing); the deletion is in the lead's history.
func testTaskDelete(t *testing.T, st site) {
	b, csrf, l := adminWithLead(t, st, 12)
	path := "/app/leads/" + l.PublicID
	task, err := st.svc.CreateTask(st.admin(), l.ID, core.Task{Type: core.TaskBudget, Media: core.MediaPhone, Description: strings.Repeat("Llamar ", 20)})
	if err != nil {
		t.Fatal(err)
	}
	del := fmt.Sprintf("%s/tareas/%d/borrar", path, task.ID)
	wantBody(t, b.get(path), "the lead's page", fmt.Sprintf(`href="%s"`, del))
	wantBody(t, b.get(fmt.Sprintf("%s/tareas/%d", path, task.ID)), "the task's page", fmt.Sprintf(`href="%s"`, del))
	a := b.get(del)
	wantStatus(t, a, http.StatusOK, "the confirmation")
	wantBody(t, a, "the confirmation", "¿Eliminar la tarea?", "Presupuesto: Llamar Llamar", "…", `name="version" value="1"`, `href="`+path+`"`)

	v := strconv.Itoa(task.Version)
	other := st.lead(t, st.fx.LeadIDs[11])
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	wantStatus(t, co.get(del), http.StatusNotFound, "another dealer's confirmation")
	if a := co.post(del, url.Values{"csrf": {co.csrf()}, "version": {v}}); a.StatusCode != http.StatusNotFound || strings.Contains(a.Body, "Llamar") {
		t.Fatalf("another dealer's deletion: %d\n%s", a.StatusCode, a.Body)
	}
	wantRefusals(t, b, del, []refusal{
		{"no CSRF token", url.Values{"version": {v}}, http.StatusForbidden, "El formulario ha caducado"},
		{"no version", url.Values{"csrf": {csrf}}, http.StatusBadRequest, "El formulario no es válido"},
		{"a stale version", url.Values{"csrf": {csrf}, "version": {strconv.Itoa(task.Version + 1)}}, http.StatusConflict, "La tarea ha cambiado"},
	})
	wantStatus(t, b.post(fmt.Sprintf("/app/leads/%s/tareas/%d/borrar", other.PublicID, task.ID), url.Values{"csrf": {csrf}, "version": {v}}),
		http.StatusNotFound, "a deletion through another lead's path")
	wantStatus(t, b.post(path+"/tareas/nada/borrar", url.Values{"csrf": {csrf}, "version": {v}}), http.StatusNotFound, "a task id that is none")
	if got, err := st.svc.FindTask(st.admin(), task.ID); err != nil || got.Version != task.Version {
		t.Fatalf("refused deletions changed the task: %+v, %v", got, err)
	}

	a = b.post(del, url.Values{"csrf": {csrf}, "version": {v}})
	wantStatus(t, a, http.StatusSeeOther, "the deletion")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=tarea_borrada" {
		t.Fatalf("after the deletion: %q", loc)
	}
	if _, err := st.svc.FindTask(st.admin(), task.ID); core.ErrorCode(err) != core.NotFound {
		t.Fatalf("the deleted task: %v", err)
	}
	a = b.get(path + "?hecho=tarea_borrada")
	wantBody(t, a, "after the deletion", "Tarea eliminada.", "Tarea borrada</strong>")
	if strings.Contains(a.Body, fmt.Sprintf(`id="tarea-%d"`, task.ID)) {
		t.Fatal("the deleted task is still on the lead's page")
	}
	wantStatus(t, b.get(del), http.StatusNotFound, "the confirmation of a deleted task")
}
