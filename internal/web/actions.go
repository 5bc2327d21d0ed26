package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// The actions of a lead's page: each a form posted with the session's CSRF
// token (checked by authed), one core call, and a redirect back to the
// lead's page with what was done, or the page again with the refusal.

// addNote adds the form's note to the lead.
func (a *App) addNote(w http.ResponseWriter, r *http.Request, s *session) {
	text := strings.TrimSpace(r.PostForm.Get("contenido"))
	switch {
	case text == "":
		a.refuse(w, r, s, http.StatusBadRequest, "note_empty", "", text)
		return
	case !utf8.ValidString(text):
		a.refuse(w, r, s, http.StatusBadRequest, "bad_form", "", "")
		return
	case utf8.RuneCountInString(text) > core.MaxLongText:
		a.refuse(w, r, s, http.StatusBadRequest, "note_too_long", "", text)
		return
	}
	id, ok := a.formLead(w, r, s)
	if !ok {
		return
	}
	if _, err := a.svc.CreateNote(r.Context(), core.Note{LeadID: id, Content: text}); err != nil {
		a.refused(w, r, s, err, text)
		return
	}
	a.back(w, r, "nota")
}

// changeStatus moves the lead to the form's stage; to the end stage with
// the form's outcome, if one is chosen.
func (a *App) changeStatus(w http.ResponseWriter, r *http.Request, s *session) {
	st := core.Stage(r.PostForm.Get("estado"))
	o := core.Outcome(r.PostForm.Get("resultado"))
	version, okVersion := formVersion(r)
	switch {
	case st == "" || !st.Valid():
		a.refuse(w, r, s, http.StatusBadRequest, "bad_stage", "", "")
		return
	case !o.Valid() || (o != core.OutcomeNone && st != core.StageEnd):
		a.refuse(w, r, s, http.StatusBadRequest, "bad_outcome", "", "")
		return
	case !okVersion:
		a.refuse(w, r, s, http.StatusBadRequest, "bad_form", "", "")
		return
	}
	id, ok := a.formLead(w, r, s)
	if !ok {
		return
	}
	var err error
	if st == core.StageEnd {
		_, err = a.svc.FinishLead(r.Context(), id, o, version)
	} else {
		_, err = a.svc.ChangeLeadStatus(r.Context(), id, st, version)
	}
	if err != nil {
		a.refused(w, r, s, err, "")
		return
	}
	a.back(w, r, "estado")
}

// assign gives the lead to the form's user, when the core allows it.
func (a *App) assign(w http.ResponseWriter, r *http.Request, s *session) {
	user, err := strconv.ParseInt(r.PostForm.Get("asesor"), 10, 64)
	version, okVersion := formVersion(r)
	if err != nil || user <= 0 || !okVersion {
		a.refuse(w, r, s, http.StatusBadRequest, "bad_advisor", "", "")
		return
	}
	id, ok := a.formLead(w, r, s)
	if !ok {
		return
	}
	if _, err := a.svc.AssignLead(r.Context(), id, user, version); err != nil {
		a.refused(w, r, s, err, "")
		return
	}
	a.back(w, r, "asignado")
}

// formLead resolves the lead of the path, answering the page itself when
// there is none the user may see.
func (a *App) formLead(w http.ResponseWriter, r *http.Request, s *session) (int64, bool) {
	id, err := a.resolveLead(r.Context(), r.PathValue("id"))
	if err != nil {
		a.failure(w, r, s, err)
		return 0, false
	}
	return id, true
}

// formLeadRecord reads the lead of the path, answering the page itself
// when there is none the user may see.
func (a *App) formLeadRecord(w http.ResponseWriter, r *http.Request, s *session) (core.Lead, bool) {
	id, ok := a.formLead(w, r, s)
	if !ok {
		return core.Lead{}, false
	}
	l, err := a.svc.FindLead(r.Context(), id)
	if err != nil {
		a.failure(w, r, s, err)
		return core.Lead{}, false
	}
	return l, true
}

// formVersion reads the lead's version the form was rendered with: the
// core refuses a change of a lead changed since (ErrStaleVersion).
func formVersion(r *http.Request) (int, bool) {
	v := r.PostForm.Get("version")
	if v == "" || len(v) > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0
}

// refused renders the lead's page again with the core's refusal of an
// action; what is not a refusal (a lead not found, an outage) is a page of
// its own.
func (a *App) refused(w http.ResponseWriter, r *http.Request, s *session, err error, noteText string) {
	status, msg := statusOf(err)
	switch status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusForbidden:
		a.refuse(w, r, s, status, msg, coreMessage(err), noteText)
	default:
		a.failure(w, r, s, err)
	}
}

// refuse renders the lead's page with status and the message code msg.
func (a *App) refuse(w http.ResponseWriter, r *http.Request, s *session, status int, msg, detail, noteText string) {
	a.showLead(w, r, s, status, page{Msg: msg, Detail: detail}, noteText)
}

// back sends the browser to the lead's page after an action (303, so that
// a reload does not post again), saying what was done.
func (a *App) back(w http.ResponseWriter, r *http.Request, done string) {
	http.Redirect(w, r, "/app/leads/"+url.PathEscape(r.PathValue("id"))+"?hecho="+done, http.StatusSeeOther)
}
