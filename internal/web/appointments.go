package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
)

// A lead's appointments on its page: a form makes one
// (core.Service.CreateAppointment: of the lead's dealer and client,
// received by the lead's assignee), each planned one has buttons that
// mark it held, cancelled or the client not come (UpdateAppointment of
// its status, with its version). The "Agenda" page lists the user's
// appointments from today on; a dealer's administrator or business
// manager may see all of the dealer's.

// agendaSize bounds the appointments the agenda lists, by start.
const agendaSize = 200

// apptForm is the new-appointment form's values, given back when it is
// refused.
type apptForm struct {
	Type, Start, Place, Comment string
	Receiver                    string // a user's id; "" on a new one: the lead's assignee
}

// apptFormOf reads the new-appointment form's values of a posted request
// (none on a GET, nor for the other forms).
func apptFormOf(r *http.Request) apptForm {
	if r.PostForm == nil || r.PathValue("cita") != "" {
		return apptForm{}
	}
	f := apptForm{Type: r.PostForm.Get("cita_tipo"), Start: r.PostForm.Get("cita_fecha"), Place: r.PostForm.Get("lugar"),
		Comment: r.PostForm.Get("cita_comentario"), Receiver: r.PostForm.Get("cita_recibe")}
	if !utf8.ValidString(f.Place) {
		f.Place = ""
	}
	if !utf8.ValidString(f.Comment) {
		f.Comment = ""
	}
	return f
}

// apptMarks are the statuses a planned appointment's buttons set.
var apptMarks = []core.AppointmentStatus{core.AppointmentDone, core.AppointmentCancelled, core.AppointmentNoShow}

// createAppointment makes the form's appointment for the lead's client:
// its type, its start in the lead's dealer's time zone (required), the
// place and comments (optional).
func (a *App) createAppointment(w http.ResponseWriter, r *http.Request, s *session) {
	f := apptFormOf(r)
	typ := core.AppointmentType(f.Type)
	place, comment := strings.TrimSpace(f.Place), strings.TrimSpace(f.Comment)
	receiver, okReceiver := receiverOf(f.Receiver)
	switch {
	case !typ.Valid():
		a.refuse(w, r, s, http.StatusBadRequest, "bad_appt_type", "", "")
		return
	case !okReceiver:
		a.refuse(w, r, s, http.StatusBadRequest, "bad_receiver", "", "")
		return
	case !utf8.ValidString(r.PostForm.Get("lugar")) || !utf8.ValidString(r.PostForm.Get("cita_comentario")):
		a.refuse(w, r, s, http.StatusBadRequest, "bad_form", "", "")
		return
	case utf8.RuneCountInString(place) > core.MaxShortText:
		a.refuse(w, r, s, http.StatusBadRequest, "place_too_long", "", "")
		return
	case utf8.RuneCountInString(comment) > core.MaxLongText:
		a.refuse(w, r, s, http.StatusBadRequest, "task_too_long", "", "")
		return
	}
	l, ok := a.formLeadRecord(w, r, s)
	if !ok {
		return
	}
	start, ok := parseLocal(f.Start, dealerLocation(s, l.DealerID))
	if !ok {
		a.refuse(w, r, s, http.StatusBadRequest, "bad_appt_date", "", "")
		return
	}
	if _, err := a.svc.CreateAppointment(r.Context(), core.Appointment{LeadID: l.ID, Type: typ, StartAt: start, Place: place, Comments: comment,
		UserID: receiver}); err != nil {
		a.refused(w, r, s, err, "")
		return
	}
	a.back(w, r, "cita")
}

// markAppointment sets the status of the path's appointment of the lead
// to the form's (held, cancelled, not come), with its version.
func (a *App) markAppointment(w http.ResponseWriter, r *http.Request, s *session) {
	st := core.AppointmentStatus(r.PostForm.Get("estado"))
	version, okVersion := formVersion(r)
	ap, ok := a.leadAppointment(w, r, s)
	if !ok {
		return
	}
	switch {
	case !slices.Contains(apptMarks, st):
		a.refuse(w, r, s, http.StatusBadRequest, "bad_appt_status", "", "")
		return
	case !okVersion:
		a.refuse(w, r, s, http.StatusBadRequest, "bad_form", "", "")
		return
	}
	if _, err := a.svc.UpdateAppointment(r.Context(), ap.ID, core.AppointmentPatch{Version: version, Status: core.Value(st)}); err != nil {
		a.refused(w, r, s, err, "")
		return
	}
	a.back(w, r, "cita_estado")
}

// agendaRow is one appointment of the agenda.
type agendaRow struct {
	ID                                                    int64
	ChangePath                                            string // its edit page, back to the agenda; "" when no longer planned
	Start, Dealer, User, Client, LeadPath, Place, Comment string
	Type                                                  core.AppointmentType
	Status                                                core.AppointmentStatus
	Remote                                                bool
}

// agendaData is what the agenda shows.
type agendaData struct {
	All         bool // the dealers' appointments, not only the user's
	CanSeeAll   bool // the user manages a dealer: the page offers All
	Rows        []agendaRow
	Total       int
	ManyDealers bool
}

// managedDealers are the session's dealers whose appointments the user may
// see all of on the agenda: those he administers or is the business
// manager of (every one for the installation's administrator).
func managedDealers(s *session) []int64 {
	var out []int64
	for _, d := range s.Dealers {
		if s.User.IsAdmin || slices.ContainsFunc(s.User.Memberships, func(m core.Membership) bool {
			return m.DealerID == d.ID && (m.IsAdmin || m.IsBusinessManager)
		}) {
			out = append(out, d.ID)
		}
	}
	return out
}

// agenda serves the appointments from the start of today (in the zone of
// the user's first dealer) on, by start: the user's (those he receives),
// or with todas=1 all of the dealers he manages.
func (a *App) agenda(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	managed := managedDealers(s)
	d := agendaData{CanSeeAll: len(managed) > 0, ManyDealers: len(s.Dealers) > 1}
	d.All = r.URL.Query().Get("todas") == "1" && d.CanSeeAll // another user's forged todas is his own agenda
	loc := time.UTC
	if len(s.Dealers) > 0 {
		loc = s.Dealers[0].Location()
	}
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	who := core.Eq("user", s.P.UserID)
	if d.All {
		who = core.In("dealer", managed...)
	}
	appts, total, err := a.svc.FindAppointments(ctx, core.Query{Where: core.And(who, core.Cond{Op: core.OpGte, Field: "start_at", Value: today}),
		Sort: []core.Sort{{Field: "start_at"}, {Field: "id"}}, Limit: agendaSize, Total: true})
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	var userIDs, leadIDs []int64
	for _, ap := range appts {
		if ap.UserID != nil {
			userIDs = append(userIDs, *ap.UserID)
		}
		leadIDs = append(leadIDs, ap.LeadID)
	}
	n, err := a.lookUp(ctx, s, userIDs, nil)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	leads, err := a.leadsByID(r, leadIDs)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	d.Total = total
	for _, ap := range appts {
		l := leads[ap.LeadID]
		row := agendaRow{ID: ap.ID, Start: n.date(ap.DealerID, ap.StartAt), Dealer: n.dealers[ap.DealerID].Name, User: n.user(ap.UserID),
			LeadPath: l.PublicID, Place: ap.Place, Comment: ap.Comments, Type: ap.Type, Status: ap.Status, Remote: ap.Remote}
		if l.Client != nil {
			row.Client = l.Client.Name
		}
		if ap.Status == core.AppointmentPlanned {
			row.ChangePath = "/app/leads/" + l.PublicID + "/citas/" + strconv.FormatInt(ap.ID, 10) + "?volver=agenda"
		}
		d.Rows = append(d.Rows, row)
	}
	done := r.URL.Query().Get("hecho")
	if done != "cita_editada" && done != "cita_borrada" {
		done = "" // only the codes an appointment's pages send back
	}
	a.render(w, r, "agenda.html", http.StatusOK, page{Session: s, Done: done, Data: d})
}
