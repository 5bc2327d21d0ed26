package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// A planned appointment changed on a page of its own (its day and time in
// the dealer's zone, place, notes and receiver, through
// core.Service.UpdateAppointment with its version) or deleted after a
// confirmation (DeleteAppointmentVersion, with its version), reached from
// the lead's page or from the agenda, to which it goes back.

// apptEditData is what an appointment's edit page shows.
type apptEditData struct {
	Path      string // the lead's id as the page was asked it
	Client    string
	Dealer    string
	Appt      core.Appointment
	Version   int // the appointment's version the form carries
	Form      apptForm
	Receivers []pick // the dealer's active users
	Volver    string // "agenda" when the page was reached from the agenda
}

// volverOf is where an appointment's pages go back to: "agenda" or the
// lead's page (""); nothing else is read, so the URL cannot redirect
// elsewhere.
func volverOf(r *http.Request) string {
	v := r.URL.Query().Get("volver")
	if r.PostForm != nil && r.PostForm.Has("volver") {
		v = r.PostForm.Get("volver")
	}
	if v == "agenda" {
		return v
	}
	return ""
}

// backFromAppt sends the browser to the agenda or the lead's page after
// an appointment's change, saying what was done.
func (a *App) backFromAppt(w http.ResponseWriter, r *http.Request, done string) {
	if volverOf(r) == "agenda" {
		http.Redirect(w, r, "/app/agenda?hecho="+done, http.StatusSeeOther)
		return
	}
	a.back(w, r, done)
}

// leadAppointment reads the path's appointment ({cita}, its internal id)
// of the path's lead, answering the page itself when there is none: an
// appointment of another lead, of another dealer, or none is the same
// 404.
func (a *App) leadAppointment(w http.ResponseWriter, r *http.Request, s *session) (core.Appointment, bool) {
	return leadItem(a, w, r, s, "cita", "appointment", a.svc.FindAppointment, func(ap core.Appointment) int64 { return ap.LeadID })
}

// plannedAppointment is leadAppointment of a planned appointment: one
// held, cancelled or not come is a record, not changed here (400).
func (a *App) plannedAppointment(w http.ResponseWriter, r *http.Request, s *session) (core.Appointment, bool) {
	ap, ok := a.leadAppointment(w, r, s)
	if ok && ap.Status != core.AppointmentPlanned {
		a.message(w, r, s, http.StatusBadRequest, "appt_not_planned")
		return core.Appointment{}, false
	}
	return ap, ok
}

// activeUsers are the options of the dealer's active users, by id.
func (a *App) activeUsers(ctx context.Context, dealerID int64) ([]option, error) {
	us, err := a.svc.DealerMembers(ctx, dealerID)
	var out []option
	for _, u := range us {
		if u.IsActive {
			out = append(out, option{Value: strconv.FormatInt(u.ID, 10), Label: userName(u)})
		}
	}
	return out, err
}

// withCurrentReceiver is us with the appointment's receiver added when
// it is not among them (a user deactivated since, or no longer the
// dealer's): kept as it is, the form does not change it unasked.
func (a *App) withCurrentReceiver(ctx context.Context, us []option, receiver *int64) ([]option, error) {
	if receiver == nil {
		return us, nil
	}
	v := strconv.FormatInt(*receiver, 10)
	if slices.ContainsFunc(us, func(o option) bool { return o.Value == v }) {
		return us, nil
	}
	found, err := a.svc.UsersByID(ctx, []int64{*receiver})
	for _, u := range found {
		us = append(slices.Clone(us), option{Value: v, Label: userName(u)})
	}
	return us, err
}

// pick is an option of a select, chosen or not: the page marks it
// without a comparison per option in the template (each a reflective
// call: measured, docs/benchmarks.md "The web interface, fourth slice").
type pick struct {
	Value, Label string
	Selected     bool
}

// picks are opts with the one whose value is chosen selected.
func picks(opts []option, chosen string) []pick {
	out := make([]pick, len(opts))
	for i, o := range opts {
		out[i] = pick{Value: o.Value, Label: o.Label, Selected: o.Value == chosen}
	}
	return out
}

// receiverOf reads a receiver's select: empty is none chosen (nil), else
// a user's id.
func receiverOf(v string) (*int64, bool) {
	if v == "" {
		return nil, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || len(v) > maxIDLen {
		return nil, false
	}
	return &n, true
}

// formOfAppt is the edit form's values for ap, its start in s's zone of
// its dealer.
func formOfAppt(s *session, ap core.Appointment) apptForm {
	f := apptForm{Type: string(ap.Type), Start: ap.StartAt.In(dealerLocation(s, ap.DealerID)).Format(localMinutes), Place: ap.Place, Comment: ap.Comments}
	if ap.UserID != nil {
		f.Receiver = strconv.FormatInt(*ap.UserID, 10)
	}
	return f
}

// apptPage serves the edit page of the path's planned appointment.
func (a *App) apptPage(w http.ResponseWriter, r *http.Request, s *session) {
	ap, ok := a.plannedAppointment(w, r, s)
	if !ok {
		return
	}
	a.showAppt(w, r, s, http.StatusOK, page{}, ap, formOfAppt(s, ap), ap.Version)
}

// showAppt renders ap's edit page with status, p's message, the form's
// values f and the version the form carries.
func (a *App) showAppt(w http.ResponseWriter, r *http.Request, s *session, status int, p page, ap core.Appointment, f apptForm, version int) {
	ctx := r.Context()
	d := apptEditData{Path: r.PathValue("id"), Appt: ap, Version: version, Form: f, Volver: volverOf(r), Dealer: dealerName(s, ap.DealerID)}
	var err error
	if d.Client, err = a.clientName(ctx, ap.LeadID); err == nil {
		var us []option
		if us, err = a.activeUsers(ctx, ap.DealerID); err == nil {
			us, err = a.withCurrentReceiver(ctx, us, ap.UserID)
		}
		d.Receivers = picks(us, f.Receiver)
	}
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	p.Session, p.Data = s, d
	a.render(w, r, "appt.html", status, p)
}

// editAppointment changes the path's planned appointment to the form's
// day and time (required, in the dealer's zone), place, notes and
// receiver, with the form's version of it.
func (a *App) editAppointment(w http.ResponseWriter, r *http.Request, s *session) {
	ap, ok := a.plannedAppointment(w, r, s)
	if !ok {
		return
	}
	pf := r.PostForm
	f := apptForm{Type: string(ap.Type), Start: pf.Get("cita_fecha"), Place: pf.Get("lugar"), Comment: pf.Get("cita_comentario"), Receiver: pf.Get("cita_recibe")}
	valid := utf8.ValidString(f.Place) && utf8.ValidString(f.Comment)
	if !valid {
		f.Place, f.Comment = "", ""
	}
	version, okVersion := formVersion(r)
	refuse := func(status int, msg, detail string) {
		a.showAppt(w, r, s, status, page{Msg: msg, Detail: detail}, ap, f, version)
	}
	place, comment := strings.TrimSpace(f.Place), strings.TrimSpace(f.Comment)
	receiver, okReceiver := receiverOf(f.Receiver)
	start, okStart := parseLocal(f.Start, dealerLocation(s, ap.DealerID))
	switch {
	case !okVersion:
		version = ap.Version
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case !valid:
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case !okStart:
		refuse(http.StatusBadRequest, "bad_appt_date", "")
		return
	case !okReceiver:
		refuse(http.StatusBadRequest, "bad_receiver", "")
		return
	case utf8.RuneCountInString(place) > core.MaxShortText:
		refuse(http.StatusBadRequest, "place_too_long", "")
		return
	case utf8.RuneCountInString(comment) > core.MaxLongText:
		refuse(http.StatusBadRequest, "task_too_long", "")
		return
	}
	patch := core.AppointmentPatch{Version: version, StartAt: core.Value(start), Place: core.Value(place), Comments: core.Value(comment),
		UserID: core.Value(receiver)}
	if _, err := a.svc.UpdateAppointment(r.Context(), ap.ID, patch); err != nil {
		a.apptRefused(w, r, s, err, ap.ID, refuse)
		return
	}
	a.backFromAppt(w, r, "cita_editada")
}

// apptRefused answers the core's refusal of an appointment's change: a
// stale form is the edit page again with the appointment as it is now
// (409); a refusal of the form's values, refuse's; anything else a page of
// its own.
func (a *App) apptRefused(w http.ResponseWriter, r *http.Request, s *session, err error, id int64, refuse func(status int, msg, detail string)) {
	switch status, msg := statusOf(err); status {
	case http.StatusConflict:
		cur, ferr := a.svc.FindAppointment(r.Context(), id)
		switch {
		case ferr != nil:
			a.failure(w, r, s, ferr)
		case cur.Status != core.AppointmentPlanned:
			a.message(w, r, s, http.StatusConflict, "appt_not_planned")
		default:
			a.showAppt(w, r, s, status, page{Msg: "appt_stale"}, cur, formOfAppt(s, cur), cur.Version)
		}
	case http.StatusBadRequest, http.StatusForbidden:
		refuse(status, msg, coreMessage(err))
	default:
		a.failure(w, r, s, err)
	}
}

// confirmData is what a deletion's confirmation page shows.
type confirmData struct {
	Kind    string // "cita" or "tarea": the words of the page
	Summary string // what is deleted, for the question
	Type    string // the appointment's or task's type code
	Action  string // where the confirmation posts
	Back    string // where "no" goes
	Version int
	Volver  string
}

// apptDeletePage asks to confirm the deletion of the path's planned
// appointment.
func (a *App) apptDeletePage(w http.ResponseWriter, r *http.Request, s *session) {
	ap, ok := a.plannedAppointment(w, r, s)
	if !ok {
		return
	}
	a.confirmApptDelete(w, r, s, http.StatusOK, "", ap)
}

// confirmApptDelete renders the confirmation of ap's deletion with status
// and the message code msg.
func (a *App) confirmApptDelete(w http.ResponseWriter, r *http.Request, s *session, status int, msg string, ap core.Appointment) {
	lead := "/app/leads/" + url.PathEscape(r.PathValue("id"))
	d := confirmData{Kind: "cita", Type: string(ap.Type), Summary: ap.StartAt.In(dealerLocation(s, ap.DealerID)).Format(dateLayout),
		Action: lead + "/citas/" + strconv.FormatInt(ap.ID, 10) + "/borrar", Back: lead, Version: ap.Version, Volver: volverOf(r)}
	if d.Volver == "agenda" {
		d.Back = "/app/agenda"
	}
	a.render(w, r, "confirm.html", status, page{Session: s, Msg: msg, Data: d})
}

// deleteAppointment deletes the path's planned appointment, with the
// form's version of it: one changed since is the confirmation again with
// it as it is now (409).
func (a *App) deleteAppointment(w http.ResponseWriter, r *http.Request, s *session) {
	ap, ok := a.plannedAppointment(w, r, s)
	if !ok {
		return
	}
	a.confirmedDelete(w, r, s, func(status int, msg string) { a.confirmApptDelete(w, r, s, status, msg, ap) },
		func(version int) error { return a.svc.DeleteAppointmentVersion(r.Context(), ap.ID, version) }, "appt_stale",
		func() { a.backFromAppt(w, r, "cita_borrada") })
}

// confirmedDelete deletes an item of the lead once its confirmation is
// posted: with the form's version (none: 400), through del; an item
// changed since is the confirmation again (409, the message stale), as
// confirm renders it (the item as read for this request); done sends the
// browser back.
func (a *App) confirmedDelete(w http.ResponseWriter, r *http.Request, s *session, confirm func(status int, msg string),
	del func(version int) error, stale string, done func()) {
	version, okVersion := formVersion(r)
	if !okVersion {
		confirm(http.StatusBadRequest, "bad_form")
		return
	}
	if err := del(version); err != nil {
		if status, _ := statusOf(err); status == http.StatusConflict {
			confirm(status, stale)
			return
		}
		a.failure(w, r, s, err)
		return
	}
	done()
}
