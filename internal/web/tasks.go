package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
)

// A lead's tasks on its page: a form creates one (core.Service.CreateTask,
// as SML's POST /api/task/ does), each pending task has a button that
// marks it done (core.Service.UpdateTask with the task's version, as SML's
// PATCH of realization_date_check). The lead's appointments are listed
// (core.Service.FindAppointments), read-only.

// Layouts a datetime-local input sends: minutes, or seconds when the
// browser adds them.
const (
	localMinutes = "2006-01-02T15:04"
	localSeconds = "2006-01-02T15:04:05"
)

// formTaskTypes are the task types the new-task form offers: all but an
// appraisal, which the core requires to carry the appraised vehicle, which
// the form does not ask for (a forged one is the core's refusal).
var formTaskTypes = slices.DeleteFunc(slices.Clone(core.TaskTypes), func(t core.TaskType) bool { return t == core.TaskAppraisal })

// taskForm is the new-task form's values, given back when it is refused.
type taskForm struct {
	Type, Media, Planned, Description string
}

// taskFormOf reads the new-task form's values of a posted request (none
// on a GET, nor for the other forms, which do not carry them).
func taskFormOf(r *http.Request) taskForm {
	if r.PostForm == nil {
		return taskForm{}
	}
	f := taskForm{Type: r.PostForm.Get("tipo"), Media: r.PostForm.Get("medio"),
		Planned: r.PostForm.Get("fecha"), Description: r.PostForm.Get("comentario")}
	if !utf8.ValidString(f.Description) {
		f.Description = ""
	}
	return f
}

// apptView is one appointment of the lead.
type apptView struct {
	ID      int64
	Path    string // its page, under the lead's
	Version int
	Type    core.AppointmentType
	Status  core.AppointmentStatus
	Start   string
	User    string
	Title   string
	Place   string
	Remote  bool
	Comment string
}

// createTask adds the form's task to the lead: its type and medium as the
// core knows them, a planned date in the lead's dealer's time zone
// (optional) and a comment (optional).
func (a *App) createTask(w http.ResponseWriter, r *http.Request, s *session) {
	f := taskFormOf(r)
	typ, media := core.TaskType(f.Type), core.Media(f.Media)
	desc := strings.TrimSpace(f.Description)
	switch {
	case !typ.Valid():
		a.refuse(w, r, s, http.StatusBadRequest, "bad_task_type", "", "")
		return
	case !media.Valid():
		a.refuse(w, r, s, http.StatusBadRequest, "bad_media", "", "")
		return
	case !utf8.ValidString(r.PostForm.Get("comentario")):
		a.refuse(w, r, s, http.StatusBadRequest, "bad_form", "", "")
		return
	case utf8.RuneCountInString(desc) > core.MaxLongText:
		a.refuse(w, r, s, http.StatusBadRequest, "task_too_long", "", "")
		return
	}
	l, ok := a.formLeadRecord(w, r, s)
	if !ok {
		return
	}
	t := core.Task{Type: typ, Media: media, Description: desc}
	if f.Planned != "" {
		at, ok := parseLocal(f.Planned, dealerLocation(s, l.DealerID))
		if !ok {
			a.refuse(w, r, s, http.StatusBadRequest, "bad_date", "", "")
			return
		}
		t.PlannedAt = &at
	}
	if _, err := a.svc.CreateTask(r.Context(), l.ID, t); err != nil {
		a.refused(w, r, s, err, "")
		return
	}
	a.back(w, r, "tarea")
}

// finishTask marks the path's task of the lead done. The form carries the
// task's version: a task changed since is the core's ErrStaleVersion.
func (a *App) finishTask(w http.ResponseWriter, r *http.Request, s *session) {
	a.setTaskDone(w, r, s, true, "tarea_hecha")
}

// setTaskDone marks the path's task of the lead done or not done (open
// again), with the form's version of the task: a task changed since is
// the core's ErrStaleVersion.
func (a *App) setTaskDone(w http.ResponseWriter, r *http.Request, s *session, done bool, code string) {
	version, okVersion := formVersion(r)
	t, ok := a.leadTask(w, r, s)
	if !ok {
		return
	}
	if !okVersion {
		a.refuse(w, r, s, http.StatusBadRequest, "bad_form", "", "")
		return
	}
	if _, err := a.svc.UpdateTask(r.Context(), t.ID, core.TaskPatch{Version: version, Done: core.Value(done)}); err != nil {
		a.refused(w, r, s, err, "")
		return
	}
	a.back(w, r, code)
}

// leadTask reads the path's task ({tarea}, its internal id) of the path's
// lead, answering the page itself when there is none: a task of another
// lead, of another dealer, or none at all is the same 404.
func (a *App) leadTask(w http.ResponseWriter, r *http.Request, s *session) (core.Task, bool) {
	return leadItem(a, w, r, s, "tarea", "task", a.svc.FindTask, func(t core.Task) int64 { return t.LeadID })
}

// leadItem reads the item (a task, an appointment) whose internal id is
// the path's value name, of the path's lead, through find, answering the
// page itself when there is none: an item of another lead (leadOf), of
// another dealer, or none at all is the same 404.
func leadItem[T any](a *App, w http.ResponseWriter, r *http.Request, s *session, name, what string,
	find func(context.Context, int64) (T, error), leadOf func(T) int64) (T, bool) {
	var zero T
	itemID, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	id, ok := a.formLead(w, r, s)
	if !ok {
		return zero, false
	}
	if err != nil || itemID <= 0 || len(r.PathValue(name)) > maxIDLen {
		a.failure(w, r, s, core.Errorf(core.NotFound, "%s not found", what))
		return zero, false
	}
	item, err := find(r.Context(), itemID)
	if err == nil && leadOf(item) != id {
		err = core.Errorf(core.NotFound, "%s not found", what) // another lead's is not this page's
	}
	if err != nil {
		a.failure(w, r, s, err)
		return zero, false
	}
	return item, true
}

// parseLocal reads a datetime-local value as a time in loc; a time the
// zone skips (the spring change) is the one the Go library gives.
func parseLocal(v string, loc *time.Location) (time.Time, bool) {
	if len(v) > len(localSeconds) {
		return time.Time{}, false
	}
	layout := localMinutes
	if len(v) == len(localSeconds) {
		layout = localSeconds
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t, true
}

// dealerLocation is the time zone of dealer, one of the session's; UTC
// for another.
func dealerLocation(s *session, dealer int64) *time.Location {
	for _, d := range s.Dealers {
		if d.ID == dealer {
			return d.Location()
		}
	}
	return time.UTC
}
