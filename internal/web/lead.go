package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"forecourt/internal/core"
)

// resolveLead reads a lead id from a path: the internal id (digits) or the
// public one (a UUID), as the APIs accept them. Anything else, and a lead
// of a dealer the principal cannot see, is NotFound.
func (a *App) resolveLead(ctx context.Context, id string) (int64, error) {
	return a.resolveID(ctx, core.RecordLead, id)
}

// resolveID reads the id of a record of kind from a path, as resolveLead.
func (a *App) resolveID(ctx context.Context, kind core.RecordKind, id string) (int64, error) {
	if id == "" || len(id) > maxIDLen {
		return 0, core.Errorf(core.NotFound, "%s not found", kind)
	}
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		if n <= 0 {
			return 0, core.Errorf(core.NotFound, "%s not found", kind)
		}
		return n, nil
	}
	return a.svc.ResolvePublicID(ctx, kind, id)
}

// changeView is one field's change in the history, as the page writes it.
type changeView struct {
	Field, Old, New string
	Kind            string // "stage", "outcome" or "" (plain text): how the labels word the values
}

// historyView is one entry of a lead's history.
type historyView struct {
	At, Who string
	Via     string // the API the change came through; "" when unknown
	Kind    core.HistoryKind
	Changes []changeView
}

// noteView is one note of the lead.
type noteView struct {
	At, Author, Content string
}

// taskView is one task of the lead.
type taskView struct {
	ID, Version int64
	Path        string // its page, under the lead's: its forms post to it and below
	Type        core.TaskType
	Media       core.Media
	Description string
	Planned     string
	Done        bool
}

// leadData is what a lead's page shows.
type leadData struct {
	Lead         core.Lead
	Path         string // the lead's id as the page was asked it, for the forms
	Dealer       string
	Created      string
	Finished     string
	Source       string
	Advisor      string
	Phones       []string
	Emails       []string
	Notes        []noteView
	Tasks        []taskView
	History      []historyView
	HistoryTotal int
	Stages       []core.Stage // the stages the lead may move to
	Outcomes     []core.Outcome
	CanAssign    bool
	Assignees    []pick // the dealer's active users, the lead's assignee selected
	Receivers    []pick // the same, the new appointment form's receiver selected
	NoteText     string // a refused note's text, given back to edit
	TaskForm     taskForm
	TaskTypes    []choice // the task types, for the new task's select
	Media        []choice // the media, likewise
	Appointments []apptView
	ApptForm     apptForm
	ApptTypes    []choice                 // the appointment types, for the new appointment's select
	ApptMarks    []core.AppointmentStatus // the statuses a planned appointment's buttons set
}

// lead serves a lead's page.
func (a *App) lead(w http.ResponseWriter, r *http.Request, s *session) {
	done := r.URL.Query().Get("hecho")
	switch done {
	case "", "nota", "estado", "asignado", "tarea", "tarea_hecha", "creado", "tarea_editada", "tarea_reabierta", "cita", "cita_estado",
		"cita_editada", "cita_borrada", "tarea_borrada":
	default:
		done = ""
	}
	a.showLead(w, r, s, http.StatusOK, page{Done: done}, "")
}

// showLead renders the lead of the request's path with status and p's
// message; noteText refills the note form.
func (a *App) showLead(w http.ResponseWriter, r *http.Request, s *session, status int, p page, noteText string) {
	ctx := r.Context()
	path := r.PathValue("id")
	id, err := a.resolveLead(ctx, path)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	l, err := a.svc.FindLead(ctx, id)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	hist, total, err := a.svc.LeadHistory(ctx, l.ID, true, core.Page{Limit: historySize})
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	userIDs := []int64{}
	add := func(id *int64) {
		if id != nil {
			userIDs = append(userIDs, *id)
		}
	}
	add(l.UserID)
	for _, n := range l.Notes {
		add(n.AuthorID)
	}
	appts, _, err := a.svc.FindAppointments(ctx, core.Query{Where: core.Eq("lead", l.ID), Limit: core.MaxItems}) // by start, the default order
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	for _, ap := range appts {
		add(ap.UserID)
	}
	sourceIDs := []int64{l.SourceID}
	var provinceIDs, localityIDs []int64
	for _, h := range hist {
		add(h.UserID)
		for _, c := range h.Changes {
			for _, v := range []string{c.Old, c.New} {
				n, err := strconv.ParseInt(v, 10, 64)
				switch {
				case err != nil:
				case c.Field == "user":
					userIDs = append(userIDs, n)
				case c.Field == "source":
					sourceIDs = append(sourceIDs, n)
				case c.Field == "client.province":
					provinceIDs = append(provinceIDs, n)
				case c.Field == "client.locality":
					localityIDs = append(localityIDs, n)
				}
			}
		}
	}
	n, err := a.lookUp(ctx, s, userIDs, sourceIDs)
	if err == nil {
		err = a.lookUpPlaces(ctx, &n, provinceIDs, localityIDs)
	}
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	leadPath := "/app/leads/" + url.PathEscape(path) // each task's and appointment's path is under it, written once
	d := leadData{Lead: l, Path: path, Dealer: n.dealers[l.DealerID].Name, Created: n.date(l.DealerID, l.CreatedAt),
		Source: n.sources[l.SourceID], Advisor: n.user(l.UserID), HistoryTotal: total, Outcomes: core.Outcomes,
		NoteText: noteText, CanAssign: a.svc.CanAssign(ctx, l), TaskForm: taskFormOf(r)}
	d.TaskTypes, d.Media = choices(formTaskTypes, d.TaskForm.Type), choices(core.MediaValues, d.TaskForm.Media)
	d.ApptForm = apptFormOf(r)
	d.ApptTypes, d.ApptMarks = choices(core.AppointmentTypes, d.ApptForm.Type), apptMarks
	for _, ap := range appts {
		d.Appointments = append(d.Appointments, apptView{ID: ap.ID, Path: leadPath + "/citas/" + strconv.FormatInt(ap.ID, 10), Version: ap.Version, Type: ap.Type, Status: ap.Status, Start: n.date(l.DealerID, ap.StartAt),
			User: n.user(ap.UserID), Title: ap.Title, Place: ap.Place, Remote: ap.Remote, Comment: ap.Comments})
	}
	if l.FinishedAt != nil {
		d.Finished = n.date(l.DealerID, *l.FinishedAt)
	}
	for _, st := range core.Stages {
		if st != l.Stage {
			d.Stages = append(d.Stages, st)
		}
	}
	if l.Client != nil {
		if l.Client.Phone != "" {
			d.Phones = append(d.Phones, l.Client.Phone)
		}
		if l.Client.Email != "" {
			d.Emails = append(d.Emails, l.Client.Email)
		}
		if l.Client.ID != 0 {
			contacts, err := a.svc.ClientContacts(ctx, l.DealerID, []int64{l.Client.ID})
			if err != nil {
				a.failure(w, r, s, err)
				return
			}
			for _, c := range contacts {
				for _, ph := range c.Phones {
					if !slices.Contains(d.Phones, ph) {
						d.Phones = append(d.Phones, ph)
					}
				}
				for _, e := range c.Emails {
					if !slices.Contains(d.Emails, e) {
						d.Emails = append(d.Emails, e)
					}
				}
			}
		}
	}
	for _, note := range l.Notes {
		d.Notes = append(d.Notes, noteView{At: n.date(l.DealerID, note.Created), Author: n.user(note.AuthorID), Content: note.Content})
	}
	slices.Reverse(d.Notes) // newest first, as the history
	for _, t := range l.Tasks {
		tv := taskView{ID: t.ID, Path: leadPath + "/tareas/" + strconv.FormatInt(t.ID, 10), Version: int64(t.Version), Type: t.Type, Media: t.Media, Description: t.Description, Done: t.Done}
		if t.PlannedAt != nil {
			tv.Planned = n.date(l.DealerID, *t.PlannedAt)
		}
		d.Tasks = append(d.Tasks, tv)
	}
	for _, h := range hist {
		hv := historyView{At: n.date(l.DealerID, h.At), Who: n.user(h.UserID), Via: h.Via, Kind: h.Kind}
		for _, c := range h.Changes {
			cv := changeView{Field: c.Field, Old: c.Old, New: c.New}
			switch c.Field {
			case "stage", "outcome":
				cv.Kind = c.Field
			case "user":
				cv.Old, cv.New = n.userOf(c.Old), n.userOf(c.New)
			case "source":
				cv.Old, cv.New = n.sourceOf(c.Old), n.sourceOf(c.New)
			case "client.province":
				cv.Old, cv.New = n.placeOf(n.provinces, c.Old), n.placeOf(n.provinces, c.New)
			case "client.locality":
				cv.Old, cv.New = n.placeOf(n.localities, c.Old), n.placeOf(n.localities, c.New)
			}
			hv.Changes = append(hv.Changes, cv)
		}
		d.History = append(d.History, hv)
	}
	us, err := a.activeUsers(ctx, l.DealerID)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	assignee := ""
	if l.UserID != nil {
		assignee = strconv.FormatInt(*l.UserID, 10)
	}
	d.Assignees, d.Receivers = picks(us, assignee), picks(us, d.ApptForm.Receiver)
	p.Session, p.Data = s, d
	a.render(w, r, "lead.html", status, p)
}

// userOf is the name of the user whose id is the text v; v itself when it
// is no id.
func (n names) userOf(v string) string {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return v
	}
	return n.user(&id)
}

// sourceOf is the name of the source whose id is the text v; v itself
// when it is no source the page knows.
func (n names) sourceOf(v string) string {
	return n.placeOf(n.sources, v)
}

// lookUpPlaces adds to n the names of these provinces and localities (a
// client's, in a lead's history); no query when there are none.
func (a *App) lookUpPlaces(ctx context.Context, n *names, provinceIDs, localityIDs []int64) error {
	n.provinces, n.localities = map[int64]string{}, map[int64]string{}
	if len(provinceIDs) > 0 {
		ps, err := a.svc.ProvincesByID(ctx, provinceIDs)
		if err != nil {
			return err
		}
		for _, p := range ps {
			n.provinces[p.ID] = p.Name
		}
	}
	if len(localityIDs) > 0 {
		ls, err := a.svc.LocalitiesByID(ctx, localityIDs)
		if err != nil {
			return err
		}
		for _, l := range ls {
			n.localities[l.ID] = l.Name
		}
	}
	return nil
}

// placeOf is the name in byID (sources, provinces, localities) of the
// record whose id is the text v; v itself when it is none the page knows.
func (n names) placeOf(byID map[int64]string, v string) string {
	id, err := strconv.ParseInt(v, 10, 64)
	if name, ok := byID[id]; err == nil && ok {
		return name
	}
	return v
}
