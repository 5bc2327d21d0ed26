package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// A task deleted from its lead, as SML's DELETE /api/task/{id}/ allows
// (any task, done or not): a confirmation page, then a post with the
// session's CSRF token and the task's version
// (core.Service.DeleteTaskVersion checks it in the lead's transaction).

// summaryRunes bounds the task's comment the confirmation quotes.
const summaryRunes = 80

// taskDeletePage asks to confirm the deletion of the path's task.
func (a *App) taskDeletePage(w http.ResponseWriter, r *http.Request, s *session) {
	t, ok := a.leadTask(w, r, s)
	if !ok {
		return
	}
	a.confirmTaskDelete(w, r, s, http.StatusOK, "", t.ID, string(t.Type), t.Description, t.Version)
}

// confirmTaskDelete renders the confirmation of task id's deletion, of
// type typ with the comment desc at version, with status and the message
// code msg.
func (a *App) confirmTaskDelete(w http.ResponseWriter, r *http.Request, s *session, status int, msg string, id int64, typ, desc string, version int) {
	if rs := []rune(desc); len(rs) > summaryRunes {
		desc = string(rs[:summaryRunes]) + "…"
	}
	lead := "/app/leads/" + url.PathEscape(r.PathValue("id"))
	d := confirmData{Kind: "tarea", Type: typ, Summary: desc, Action: lead + "/tareas/" + strconv.FormatInt(id, 10) + "/borrar", Back: lead, Version: version}
	a.render(w, r, "confirm.html", status, page{Session: s, Msg: msg, Data: d})
}

// deleteTask deletes the path's task with the form's version of it: one
// changed since is the confirmation again with it as it is now (409).
func (a *App) deleteTask(w http.ResponseWriter, r *http.Request, s *session) {
	t, ok := a.leadTask(w, r, s)
	if !ok {
		return
	}
	a.confirmedDelete(w, r, s, func(status int, msg string) {
		a.confirmTaskDelete(w, r, s, status, msg, t.ID, string(t.Type), t.Description, t.Version)
	}, func(version int) error { return a.svc.DeleteTaskVersion(r.Context(), t.ID, version) }, "task_stale",
		func() { a.back(w, r, "tarea_borrada") })
}
