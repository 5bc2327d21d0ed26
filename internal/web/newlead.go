package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// A lead entered by hand (/app/leads/nuevo): a walk-in or a phone call,
// created through core.Service.CreateLead as SML's POST /api/lead/ does, so
// the core's rules are the APIs': the dealer is the source's, the client
// is matched against the dealer's clients (phone, e-mail), the assignee is
// the creator, and the first history entry is the creator's, via the web.

// newLeadForm is the form's values, given back when it is refused.
type newLeadForm struct {
	Source, Name, Phone, Email, Vehicle, Note string
}

// newLeadData is what the new-lead page shows.
type newLeadData struct {
	Form    newLeadForm
	Sources []option
}

// sourceOptions are the sources of the session's dealers, by name (with
// the dealer's when the user has several).
func (a *App) sourceOptions(r *http.Request, s *session) ([]option, error) {
	ctx := r.Context()
	var ids []int64
	dealerOf := map[int64]int64{}
	for _, d := range s.Dealers {
		srcs, err := a.svc.DealerSources(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		for _, src := range srcs {
			ids = append(ids, src.ID)
			dealerOf[src.ID] = d.ID
		}
	}
	n, err := a.lookUp(ctx, s, nil, ids)
	if err != nil {
		return nil, err
	}
	out := make([]option, 0, len(ids))
	for _, id := range ids {
		label := n.sources[id]
		if len(s.Dealers) > 1 {
			label = n.dealers[dealerOf[id]].Name + " · " + label
		}
		out = append(out, option{Value: strconv.FormatInt(id, 10), Label: label})
	}
	slices.SortStableFunc(out, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	return out, nil
}

// newLeadPage serves the empty form.
func (a *App) newLeadPage(w http.ResponseWriter, r *http.Request, s *session) {
	a.showNewLead(w, r, s, http.StatusOK, page{}, newLeadForm{})
}

// showNewLead renders the form with f's values, status and p's message.
func (a *App) showNewLead(w http.ResponseWriter, r *http.Request, s *session, status int, p page, f newLeadForm) {
	srcs, err := a.sourceOptions(r, s)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	p.Session, p.Data = s, newLeadData{Form: f, Sources: srcs}
	a.render(w, r, "newlead.html", status, p)
}

// createLead creates the form's lead and sends the browser to its page.
// What the page or the core refuses is the form again, with its values
// and the message, and nothing written.
func (a *App) createLead(w http.ResponseWriter, r *http.Request, s *session) {
	pf := r.PostForm
	f := newLeadForm{Source: pf.Get("fuente"), Name: strings.TrimSpace(pf.Get("nombre")), Phone: strings.TrimSpace(pf.Get("telefono")),
		Email: strings.TrimSpace(pf.Get("email")), Vehicle: strings.TrimSpace(pf.Get("vehiculo")), Note: strings.TrimSpace(pf.Get("nota"))}
	refuse := func(status int, msg, detail string) {
		a.showNewLead(w, r, s, status, page{Msg: msg, Detail: detail}, f)
	}
	for _, v := range []string{f.Source, f.Name, f.Phone, f.Email, f.Vehicle, f.Note} {
		if !utf8.ValidString(v) {
			f = newLeadForm{}
			refuse(http.StatusBadRequest, "bad_form", "")
			return
		}
	}
	source, err := strconv.ParseInt(f.Source, 10, 64)
	var srcs []core.Source
	if err == nil && source > 0 {
		// the core's sources of the user's dealers only: another dealer's is none
		if srcs, err = a.svc.SourcesByID(r.Context(), []int64{source}); err != nil {
			a.failure(w, r, s, err)
			return
		}
	}
	switch {
	case len(srcs) != 1:
		refuse(http.StatusBadRequest, "bad_source", "")
		return
	case f.Name == "":
		refuse(http.StatusBadRequest, "name_required", "")
		return
	case f.Phone == "" && f.Email == "":
		refuse(http.StatusBadRequest, "contact_required", "")
		return
	case utf8.RuneCountInString(f.Note) > core.MaxLongText:
		refuse(http.StatusBadRequest, "note_too_long", "")
		return
	}
	l := core.Lead{SourceID: source, Client: &core.Client{Name: f.Name, Phone: f.Phone, Email: f.Email}}
	if f.Vehicle != "" {
		l.Vehicle = &core.Vehicle{BrandModel: f.Vehicle}
	}
	if f.Note != "" {
		l.Notes = []core.Note{{Content: f.Note}}
	}
	created, err := a.svc.CreateLead(r.Context(), l)
	if err != nil {
		switch status, msg := statusOf(err); status {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusConflict:
			refuse(status, msg, coreMessage(err))
		default:
			a.failure(w, r, s, err)
		}
		return
	}
	id := created.PublicID
	if id == "" {
		id = strconv.FormatInt(created.ID, 10)
	}
	http.Redirect(w, r, "/app/leads/"+url.PathEscape(id)+"?hecho=creado", http.StatusSeeOther)
}
