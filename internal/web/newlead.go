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
// the creator or, chosen by an administrator or business manager of the
// dealer, any of its active users, and the first history entry is the
// creator's, via the web.

// newLeadForm is the form's values, given back when it is refused.
type newLeadForm struct {
	Source, Name, Phone, Email, Vehicle, Note string
	Price, Year                               string // the vehicle's
	Assignee                                  string // a user's id; "": the creator
}

// newLeadData is what the new-lead page shows.
type newLeadData struct {
	Form      newLeadForm
	Sources   []option
	Assignees []pick // the users of the dealers the user manages; none: the lead is his
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
	d := newLeadData{Form: f, Sources: srcs}
	for _, dealer := range managedDealers(s) {
		us, err := a.activeUsers(r.Context(), dealer)
		if err != nil {
			a.failure(w, r, s, err)
			return
		}
		for _, u := range us {
			if len(s.Dealers) > 1 {
				u.Label = dealerName(s, dealer) + " · " + u.Label
			}
			d.Assignees = append(d.Assignees, pick{Value: u.Value, Label: u.Label, Selected: u.Value == f.Assignee})
		}
	}
	p.Session, p.Data = s, d
	a.render(w, r, "newlead.html", status, p)
}

// dealerName is the name of dealer, one of the session's.
func dealerName(s *session, dealer int64) string {
	for _, d := range s.Dealers {
		if d.ID == dealer {
			return d.Name
		}
	}
	return ""
}

// maxPriceDigits bounds a price's integer part.
const maxPriceDigits = 12

// parsePrice reads a vehicle's price as typed: digits, with at most two
// decimals after a comma or a point (15000, 15000,50, 15000.5), written
// with a point, as the APIs send it. A thousands separator ("15.000") is
// refused rather than guessed.
func parsePrice(v string) (string, bool) {
	whole, frac, hasFrac := strings.Cut(strings.Replace(v, ",", ".", 1), ".")
	digits := func(d string) bool {
		return strings.IndexFunc(d, func(r rune) bool { return r < '0' || r > '9' }) < 0
	}
	if whole == "" || len(whole) > maxPriceDigits || !digits(whole) || (hasFrac && (frac == "" || len(frac) > 2 || !digits(frac))) {
		return "", false
	}
	if hasFrac {
		return whole + "." + frac, true
	}
	return whole, true
}

// parseYear reads a vehicle's year, within the core's bounds.
func parseYear(v string) (*int, bool) {
	y, err := strconv.Atoi(v)
	if err != nil || len(v) > 4 || y < core.MinYear || y > core.MaxYear {
		return nil, false
	}
	return &y, true
}

// newLeadAssignee reads the form's assignee for a lead of dealer: the
// creator (nil) when none is chosen or it is himself; another user only
// for an administrator or business manager of the dealer, and an active
// user of it.
func (a *App) newLeadAssignee(r *http.Request, s *session, v string, dealer int64) (*int64, string, error) {
	if v == "" || v == strconv.FormatInt(s.P.UserID, 10) {
		return nil, "", nil
	}
	if !slices.Contains(managedDealers(s), dealer) {
		return nil, "assign_new_forbidden", nil
	}
	us, err := a.activeUsers(r.Context(), dealer)
	if err != nil {
		return nil, "", err
	}
	for _, u := range us {
		if u.Value == v {
			id, err := strconv.ParseInt(v, 10, 64)
			return &id, "", err
		}
	}
	return nil, "bad_advisor", nil
}

// createLead creates the form's lead and sends the browser to its page.
// What the page or the core refuses is the form again, with its values
// and the message, and nothing written.
func (a *App) createLead(w http.ResponseWriter, r *http.Request, s *session) {
	pf := r.PostForm
	f := newLeadForm{Source: pf.Get("fuente"), Name: strings.TrimSpace(pf.Get("nombre")), Phone: strings.TrimSpace(pf.Get("telefono")),
		Email: strings.TrimSpace(pf.Get("email")), Vehicle: strings.TrimSpace(pf.Get("vehiculo")), Note: strings.TrimSpace(pf.Get("nota")),
		Price: strings.TrimSpace(pf.Get("precio")), Year: strings.TrimSpace(pf.Get("anio")), Assignee: pf.Get("asesor")}
	refuse := func(status int, msg, detail string) {
		a.showNewLead(w, r, s, status, page{Msg: msg, Detail: detail}, f)
	}
	for _, v := range []string{f.Source, f.Name, f.Phone, f.Email, f.Vehicle, f.Note, f.Price, f.Year, f.Assignee} {
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
	price, okPrice := parsePrice(f.Price)
	year, okYear := parseYear(f.Year)
	switch {
	case f.Price != "" && !okPrice:
		refuse(http.StatusBadRequest, "bad_price", "")
		return
	case f.Year != "" && !okYear:
		refuse(http.StatusBadRequest, "bad_year", "")
		return
	}
	assignee, msg, err := a.newLeadAssignee(r, s, f.Assignee, srcs[0].DealerID)
	switch {
	case err != nil:
		a.failure(w, r, s, err)
		return
	case msg == "assign_new_forbidden":
		refuse(http.StatusForbidden, msg, "")
		return
	case msg != "":
		refuse(http.StatusBadRequest, msg, "")
		return
	}
	l := core.Lead{SourceID: source, UserID: assignee, Client: &core.Client{Name: f.Name, Phone: f.Phone, Email: f.Email}}
	if f.Vehicle != "" || f.Price != "" || f.Year != "" {
		l.Vehicle = &core.Vehicle{BrandModel: f.Vehicle, Price: price, Year: year}
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
