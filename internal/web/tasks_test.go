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

// testTasks: a task created on the lead's page is the core's, its date read
// in the dealer's time zone; marking it done goes through the core with
// the task's version; bad input is 400 with the typed values kept and
// nothing written; a forged form is 403, another dealer's lead or task
// 404; the lead's appointments are listed.
func testTasks(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	l := st.lead(t, st.fx.LeadIDs[2])
	path := "/app/leads/" + l.PublicID
	tasks := len(l.Tasks)

	// refusals first: nothing is written
	for _, c := range []struct {
		what   string
		form   url.Values
		status int
		says   string
	}{
		{"no CSRF token", url.Values{"tipo": {"budget"}, "medio": {"phone"}}, http.StatusForbidden, "El formulario ha caducado"},
		{"an unknown type", url.Values{"csrf": {csrf}, "tipo": {"party"}, "medio": {"phone"}}, http.StatusBadRequest, "Ese tipo de tarea no existe"},
		{"an unknown medium", url.Values{"csrf": {csrf}, "tipo": {"budget"}, "medio": {"fax"}}, http.StatusBadRequest, "Ese medio no existe"},
		{"a bad date", url.Values{"csrf": {csrf}, "tipo": {"budget"}, "medio": {"phone"}, "fecha": {"2026-13-01T10:00"}, "comentario": {"Texto que se conserva"}},
			http.StatusBadRequest, "La fecha no es válida"},
		{"a year out of range", url.Values{"csrf": {csrf}, "tipo": {"budget"}, "medio": {"phone"}, "fecha": {"1999-01-01T10:00"}}, http.StatusBadRequest, "La fecha no es válida"},
		{"a long comment", url.Values{"csrf": {csrf}, "tipo": {"budget"}, "medio": {"phone"}, "comentario": {strings.Repeat("x", core.MaxLongText+1)}},
			http.StatusBadRequest, "El comentario es demasiado largo"},
		{"an appraisal without its vehicle", url.Values{"csrf": {csrf}, "tipo": {"appraisal"}, "medio": {"phone"}}, http.StatusBadRequest, "Los datos no son válidos"},
	} {
		a := b.post(path+"/tareas", c.form)
		wantStatus(t, a, c.status, c.what)
		wantBody(t, a, c.what, c.says)
	}
	a := b.post(path+"/tareas", url.Values{"csrf": {csrf}, "tipo": {"budget"}, "medio": {"email"}, "fecha": {"bad"}, "comentario": {"Texto que se conserva"}})
	wantBody(t, a, "a refused task", ">Texto que se conserva</textarea>", `<option value="email" selected>e-mail</option>`, `value="bad"`,
		`<option value="budget" selected>Presupuesto</option>`, `<option value="vehicle_information">Información del vehículo</option>`)
	if _, taskForm, _ := strings.Cut(a.Body, `id="form-tarea"`); strings.Contains(strings.Split(taskForm, "</form>")[0], `<option value="appraisal"`) {
		t.Fatal("the task form offers an appraisal, which the core refuses without its vehicle")
	}
	if n := len(st.lead(t, l.ID).Tasks); n != tasks {
		t.Fatalf("refused tasks wrote %d tasks", n-tasks)
	}

	// a task for Monday 1 December 2026 at 10:30 in Madrid (UTC+1)
	a = b.post(path+"/tareas", url.Values{"csrf": {csrf}, "tipo": {"budget"}, "medio": {"whatsapp"}, "fecha": {"2026-12-01T10:30"},
		"comentario": {"  Enviar el presupuesto  "}})
	wantStatus(t, a, http.StatusSeeOther, "a task")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=tarea" {
		t.Fatalf("after a task: %q", loc)
	}
	l = st.lead(t, l.ID)
	if len(l.Tasks) != tasks+1 {
		t.Fatalf("tasks: %d, want %d", len(l.Tasks), tasks+1)
	}
	task := l.Tasks[len(l.Tasks)-1]
	if want := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC); task.Type != core.TaskBudget || task.Media != core.MediaWhatsapp ||
		task.PlannedAt == nil || !task.PlannedAt.Equal(want) || task.Description != "Enviar el presupuesto" || task.Done {
		t.Fatalf("the task: %+v (planned %v)", task, task.PlannedAt)
	}
	a = b.get(path + "?hecho=tarea")
	wantBody(t, a, "after a task", "Tarea creada.", "Presupuesto · WhatsApp · 01/12/2026 10:30", "Enviar el presupuesto",
		fmt.Sprintf(`id="hecha-%d"`, task.ID), "Tarea creada</strong>")

	// marking it done: stale, forged, another dealer's, then done
	done := fmt.Sprintf("%s/tareas/%d/hecha", path, task.ID)
	wantStatus(t, b.post(done, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(task.Version + 1)}}), http.StatusConflict, "a stale task")
	wantStatus(t, b.post(done, url.Values{"version": {strconv.Itoa(task.Version)}}), http.StatusForbidden, "done without CSRF")
	wantStatus(t, b.post(done, url.Values{"csrf": {csrf}}), http.StatusBadRequest, "done without a version")
	other := st.lead(t, st.fx.LeadIDs[3])
	wantStatus(t, b.post(fmt.Sprintf("/app/leads/%s/tareas/%d/hecha", other.PublicID, task.ID), url.Values{"csrf": {csrf}, "version": {strconv.Itoa(task.Version)}}),
		http.StatusNotFound, "a task through another lead's path")
	wantStatus(t, b.post(path+"/tareas/nope/hecha", url.Values{"csrf": {csrf}, "version": {"1"}}), http.StatusNotFound, "a task id that is none")
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	coCSRF := co.csrf()
	wantStatus(t, co.post(done, url.Values{"csrf": {coCSRF}, "version": {strconv.Itoa(task.Version)}}), http.StatusNotFound, "another dealer's task")
	wantStatus(t, co.post(path+"/tareas", url.Values{"csrf": {coCSRF}, "tipo": {"budget"}, "medio": {"phone"}}), http.StatusNotFound, "a task on another dealer's lead")
	if after := st.lead(t, l.ID); after.Version != l.Version || after.Tasks[len(after.Tasks)-1].Done {
		t.Fatalf("refused forms changed the lead: version %d → %d", l.Version, after.Version)
	}
	a = b.post(done, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(task.Version)}})
	wantStatus(t, a, http.StatusSeeOther, "done")
	l = st.lead(t, l.ID)
	if got := l.Tasks[len(l.Tasks)-1]; !got.Done || got.DoneAt == nil {
		t.Fatalf("the task after done: %+v", got)
	}
	a = b.get(path + "?hecho=tarea_hecha")
	wantBody(t, a, "after done", "Tarea marcada como hecha.", `<span class="done">hecha</span>`, "Tarea modificada")
	if strings.Contains(a.Body, fmt.Sprintf(`id="hecha-%d"`, task.ID)) {
		t.Fatal("a done task still offers to be marked done")
	}

	// the lead's appointments
	at := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	if _, err := st.svc.CreateAppointment(st.admin(), core.Appointment{LeadID: l.ID, Type: core.AppointmentTestDrive, StartAt: at,
		Place: "Exposición Norte", Title: "Prueba del León"}); err != nil {
		t.Fatal(err)
	}
	wantBody(t, b.get(path), "appointments", "03/12/2026 17:00 · Prueba de conducción · prevista", "Exposición Norte", "Prueba del León")
	if strings.Contains(co.get("/app/leads").Body, "Prueba del León") {
		t.Fatal("another dealer sees the appointment")
	}
}
