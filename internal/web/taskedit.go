package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
)

// Editing a task on a page of its own (its type, medium, planned date and
// comment, through core.Service.UpdateTask with the task's version), and
// opening a done one again. A task has no assignee of its own: its lead's
// assignee does it (docs/web.md), so "Mis tareas" lists the open tasks of
// the leads the user is assigned (the core's "lead_user" of a task).

// myTasksSize bounds each part of "Mis tareas": the dated tasks (by date,
// the overdue first) and the undated ones.
const myTasksSize = 100

// taskEditData is what a task's edit page shows.
type taskEditData struct {
	Path      string // the lead's id as the page was asked it
	Client    string // the lead's client's name, for the title
	Dealer    string
	Task      core.Task
	Version   int // the task's version the form carries
	Form      taskForm
	TaskTypes []choice
	Media     []choice
}

// taskPage serves the edit page of the path's task of the lead.
func (a *App) taskPage(w http.ResponseWriter, r *http.Request, s *session) {
	t, ok := a.leadTask(w, r, s)
	if !ok {
		return
	}
	a.showTask(w, r, s, http.StatusOK, page{}, t, formOfTask(t, dealerLocation(s, t.DealerID)), t.Version)
}

// formOfTask is the edit form's values for t, its date in loc.
func formOfTask(t core.Task, loc *time.Location) taskForm {
	f := taskForm{Type: string(t.Type), Media: string(t.Media), Description: t.Description}
	if t.PlannedAt != nil {
		f.Planned = t.PlannedAt.In(loc).Format(localMinutes)
	}
	return f
}

// showTask renders t's edit page with status, p's message, the form's
// values f and the version the form carries.
func (a *App) showTask(w http.ResponseWriter, r *http.Request, s *session, status int, p page, t core.Task, f taskForm, version int) {
	client, err := a.clientName(r.Context(), t.LeadID)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	d := taskEditData{Path: r.PathValue("id"), Task: t, Version: version, Form: f, Client: client, Dealer: dealerName(s, t.DealerID)}
	types := formTaskTypes
	if !slices.Contains(types, t.Type) {
		types = append(slices.Clone(types), t.Type) // an appraisal keeps its type (its vehicle is the APIs')
	}
	d.TaskTypes, d.Media = choices(types, f.Type), choices(core.MediaValues, f.Media)
	p.Session, p.Data = s, d
	a.render(w, r, "task.html", status, p)
}

// editTask changes the path's task to the form's type, medium, planned
// date (empty: none) and comment, with the form's version of the task.
func (a *App) editTask(w http.ResponseWriter, r *http.Request, s *session) {
	t, ok := a.leadTask(w, r, s)
	if !ok {
		return
	}
	f := taskFormOf(r)
	version, okVersion := formVersion(r)
	refuse := func(status int, msg, detail string) {
		a.showTask(w, r, s, status, page{Msg: msg, Detail: detail}, t, f, version)
	}
	typ, media := core.TaskType(f.Type), core.Media(f.Media)
	desc := strings.TrimSpace(f.Description)
	switch {
	case !okVersion:
		version = t.Version
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case !typ.Valid():
		refuse(http.StatusBadRequest, "bad_task_type", "")
		return
	case !media.Valid():
		refuse(http.StatusBadRequest, "bad_media", "")
		return
	case !utf8.ValidString(r.PostForm.Get("comentario")):
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case utf8.RuneCountInString(desc) > core.MaxLongText:
		refuse(http.StatusBadRequest, "task_too_long", "")
		return
	}
	patch := core.TaskPatch{Version: version, Type: core.Value(typ), Media: core.Value(media), Description: core.Value(desc),
		PlannedAt: core.Value[*time.Time](nil)}
	if f.Planned != "" {
		at, ok := parseLocal(f.Planned, dealerLocation(s, t.DealerID))
		if !ok {
			refuse(http.StatusBadRequest, "bad_date", "")
			return
		}
		patch.PlannedAt = core.Value(&at)
	}
	if _, err := a.svc.UpdateTask(r.Context(), t.ID, patch); err != nil {
		switch status, msg := statusOf(err); status {
		case http.StatusConflict: // the task as it is now, to edit again
			cur, ferr := a.svc.FindTask(r.Context(), t.ID)
			if ferr != nil {
				a.failure(w, r, s, ferr)
				return
			}
			a.showTask(w, r, s, status, page{Msg: msg}, cur, formOfTask(cur, dealerLocation(s, cur.DealerID)), cur.Version)
		case http.StatusBadRequest, http.StatusForbidden:
			refuse(status, msg, coreMessage(err))
		default:
			a.failure(w, r, s, err)
		}
		return
	}
	a.back(w, r, "tarea_editada")
}

// reopenTask opens the path's done task again.
func (a *App) reopenTask(w http.ResponseWriter, r *http.Request, s *session) {
	a.setTaskDone(w, r, s, false, "tarea_reabierta")
}

// myTaskRow is one task of "Mis tareas".
type myTaskRow struct {
	LeadPath, Client string
	Type             core.TaskType
	Media            core.Media
	Description      string
	Planned          string
	Overdue          bool
}

// myTasksData is what "Mis tareas" shows.
type myTasksData struct {
	Dated, Undated           []myTaskRow
	DatedTotal, UndatedTotal int
	ManyDealers              bool
}

// myTasks serves the open tasks of the leads the user is assigned: the
// dated ones by date (so the overdue first, marked), then the undated
// ones by creation; at most myTasksSize of each, with the count of all.
func (a *App) myTasks(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	dated, datedTotal, err := a.svc.FindTasks(ctx, core.OpenTasksQuery(s.P.UserID, true, myTasksSize))
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	undated, undatedTotal, err := a.svc.FindTasks(ctx, core.OpenTasksQuery(s.P.UserID, false, myTasksSize))
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	leadIDs := make([]int64, 0, len(dated)+len(undated))
	for _, t := range slices.Concat(dated, undated) {
		leadIDs = append(leadIDs, t.LeadID)
	}
	leads, err := a.leadsByID(r, leadIDs)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	n := names{dealers: map[int64]core.Dealer{}}
	for _, dl := range s.Dealers {
		n.dealers[dl.ID] = dl
	}
	now := time.Now()
	row := func(t core.Task) myTaskRow {
		l := leads[t.LeadID]
		row := myTaskRow{LeadPath: l.PublicID, Type: t.Type, Media: t.Media, Description: t.Description}
		if l.Client != nil {
			row.Client = l.Client.Name
		}
		if t.PlannedAt != nil {
			row.Planned, row.Overdue = n.date(t.DealerID, *t.PlannedAt), t.PlannedAt.Before(now)
		}
		return row
	}
	d := myTasksData{DatedTotal: datedTotal, UndatedTotal: undatedTotal, ManyDealers: len(s.Dealers) > 1}
	for _, t := range dated {
		d.Dated = append(d.Dated, row(t))
	}
	for _, t := range undated {
		d.Undated = append(d.Undated, row(t))
	}
	a.render(w, r, "mytasks.html", http.StatusOK, page{Session: s, Data: d})
}

// leadsByID reads the leads of ids (their list fields) by id, in one
// query; leads the principal may not see are left out by the core.
func (a *App) leadsByID(r *http.Request, ids []int64) (map[int64]core.Lead, error) {
	out := map[int64]core.Lead{}
	ids = core.DistinctIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	ls, _, err := a.svc.FindLeads(r.Context(), core.Query{Where: core.In("id", ids...), Limit: len(ids), Project: listFields})
	for _, l := range ls {
		out[l.ID] = l
	}
	return out, err
}

// clientName is the name of the client of lead id, for a page's title;
// "" when it has none.
func (a *App) clientName(ctx context.Context, id int64) (string, error) {
	l, err := a.svc.FindLead(ctx, id)
	if err != nil || l.Client == nil {
		return "", err
	}
	return l.Client.Name, nil
}
