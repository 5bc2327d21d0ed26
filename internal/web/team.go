package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
)

// A dealer's team (/app/equipo), for its administrators: its users with
// their role and state, a form to register a new one
// (core.Service.RegisterUser) and the deactivation of one
// (core.Service.DeactivateMember: he can no longer log in and his sessions
// end) and activation again (core.Service.ActivateMember). Who may do what is the core's rule; the page offers only what it
// allows.

// minPassword is the fewest characters of a password the page sets.
const minPassword = core.MinPasswordLen

// teamRoles are the roles the page registers a user with: an
// integration's user is an operator's (forecourt user add).
var teamRoles = core.MemberRoles

// teamForm is the new user's form, given back when it is refused.
type teamForm struct {
	Dealer, First, Last, Email, Role string
}

// member is one user of the team's table.
type member struct {
	ID                              int64
	Name, Login, Role, Since, Ended string
	Admin, Manager, Active, Self    bool
	CanManage                       bool // the core would let the page deactivate or activate him: a user of this dealer alone, not the page's user nor the installation's administrator
	First, Last                     string
	CanEdit                         bool // the core would let the page change his names and password: CanManage, or the page's user himself
	RoleEditable                    bool // ... and his role: CanManage, and his role is one of core.MemberRoles (or none)
}

// teamDealer is one dealer the user administers, with its team.
type teamDealer struct {
	ID      int64
	Name    string
	Members []member
}

// teamData is what the team page shows.
type teamData struct {
	Dealers []teamDealer
	Roles   []core.StaffRole
	Form    teamForm
	Changed string // a member's change just made (memberEdited's codes), worded on the page
}

// administered are the session's dealers its user administers.
func (s *session) administered() []core.Dealer {
	var out []core.Dealer
	for _, d := range s.Dealers {
		if s.User.IsAdmin || slices.ContainsFunc(s.User.Memberships, func(m core.Membership) bool { return m.DealerID == d.ID && m.IsAdmin }) {
			out = append(out, d)
		}
	}
	return out
}

// ManagesTeam reports whether the user administers one of his dealers:
// the header links the team page.
func (s *session) ManagesTeam() bool { return len(s.administered()) > 0 }

// team serves the team page.
func (a *App) team(w http.ResponseWriter, r *http.Request, s *session) {
	done := r.URL.Query().Get("hecho")
	changed := ""
	if slices.Contains(memberEdited, done) {
		changed = done
	}
	if done != "usuario" && done != "usuario_desactivado" && done != "usuario_activado" {
		done = ""
	}
	a.showTeamWith(w, r, s, http.StatusOK, page{Done: done}, teamForm{Role: string(core.RoleAdvisor)}, changed)
}

func (a *App) showTeam(w http.ResponseWriter, r *http.Request, s *session, status int, p page, f teamForm) {
	a.showTeamWith(w, r, s, status, p, f, "")
}

func (a *App) showTeamWith(w http.ResponseWriter, r *http.Request, s *session, status int, p page, f teamForm, changed string) {
	ds := s.administered()
	if len(ds) == 0 {
		a.message(w, r, s, http.StatusForbidden, "team_forbidden")
		return
	}
	d := teamData{Roles: teamRoles, Form: f, Changed: changed}
	for _, dl := range ds {
		td, err := a.teamOf(r, s, dl)
		if err != nil {
			a.failure(w, r, s, err)
			return
		}
		d.Dealers = append(d.Dealers, td)
	}
	p.Session, p.Data = s, d
	a.render(w, r, "team.html", status, p)
}

// teamOf is dealer dl's team as the page shows it.
func (a *App) teamOf(r *http.Request, s *session, dl core.Dealer) (teamDealer, error) {
	ctx := r.Context()
	us, err := a.svc.DealerMembers(ctx, dl.ID)
	if err != nil {
		return teamDealer{}, err
	}
	o, err := a.svc.Organisation(ctx, dl.ID)
	if err != nil {
		return teamDealer{}, err
	}
	roles := map[int64]core.StaffRole{}
	for _, st := range o.Staff {
		roles[st.UserID] = st.Role
	}
	td := teamDealer{ID: dl.ID, Name: dl.Name}
	for _, u := range us {
		m := member{ID: u.ID, Name: userName(u), Login: u.Username, Role: string(roles[u.ID]), Active: u.IsActive, Self: u.ID == s.User.ID,
			Since: dateIn(dl, u.CreatedAt)}
		if u.DeactivatedAt != nil {
			m.Ended = dateIn(dl, *u.DeactivatedAt)
		}
		only := true
		for _, ms := range u.Memberships {
			if ms.DealerID == dl.ID {
				m.Admin, m.Manager = ms.IsAdmin, ms.IsBusinessManager
			} else {
				only = false
			}
		}
		m.CanManage = only && !m.Self && !u.IsAdmin
		m.First, m.Last = u.FirstName, u.LastName
		m.CanEdit = m.CanManage || m.Self
		m.RoleEditable = m.CanManage && (m.Role == "" || slices.Contains(core.MemberRoles, core.StaffRole(m.Role)))
		td.Members = append(td.Members, m)
	}
	return td, nil
}

// dateIn writes t in dealer d's time zone; "" for the zero time.
func dateIn(d core.Dealer, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(d.Location()).Format(dateLayout)
}

// teamDealerOf is the administered dealer the form or query names.
func teamDealerOf(s *session, v string) (core.Dealer, bool) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || len(v) > maxIDLen {
		return core.Dealer{}, false
	}
	ds := s.administered()
	i := slices.IndexFunc(ds, func(d core.Dealer) bool { return d.ID == id })
	if i < 0 {
		return core.Dealer{}, false
	}
	return ds[i], true
}

// addMember registers the form's user at the form's dealer with the
// form's role and password.
func (a *App) addMember(w http.ResponseWriter, r *http.Request, s *session) {
	pf := r.PostForm
	f := teamForm{Dealer: pf.Get("concesionario"), First: strings.TrimSpace(pf.Get("nombre")), Last: strings.TrimSpace(pf.Get("apellidos")),
		Email: strings.TrimSpace(pf.Get("email")), Role: pf.Get("rol")}
	password := pf.Get("clave")
	refuse := func(status int, msg, detail string) {
		a.showTeam(w, r, s, status, page{Msg: msg, Detail: detail}, f)
	}
	if len(s.administered()) == 0 {
		a.message(w, r, s, http.StatusForbidden, "team_forbidden")
		return
	}
	dl, ok := teamDealerOf(s, f.Dealer)
	switch {
	case !utf8.ValidString(f.First + f.Last + f.Email + f.Role + password):
		f = teamForm{Role: string(core.RoleAdvisor)}
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case !ok:
		refuse(http.StatusBadRequest, "bad_dealer", "")
		return
	case f.First == "":
		refuse(http.StatusBadRequest, "user_name_required", "")
		return
	case !strings.Contains(f.Email, "@"):
		refuse(http.StatusBadRequest, "bad_user_email", "")
		return
	case !slices.Contains(teamRoles, core.StaffRole(f.Role)):
		refuse(http.StatusBadRequest, "bad_role", "")
		return
	case utf8.RuneCountInString(password) < minPassword || len(password) > core.MaxPasswordLen:
		refuse(http.StatusBadRequest, "bad_password", "")
		return
	}
	_, created, err := a.svc.RegisterUser(r.Context(), core.User{Username: f.Email, Email: f.Email, FirstName: f.First, LastName: f.Last},
		password, core.Staff{DealerID: dl.ID, Role: core.StaffRole(f.Role), Active: true})
	switch {
	case err != nil:
		switch status, msg := statusOf(err); status {
		case http.StatusBadRequest:
			if ce := (*core.Error)(nil); errors.As(err, &ce) && (ce.Fields["email"] == core.MsgTaken || ce.Fields["username"] == core.MsgTaken) {
				msg = "user_taken"
			}
			refuse(status, msg, coreMessage(err))
		case http.StatusForbidden:
			refuse(status, "team_forbidden", "")
		default:
			a.failure(w, r, s, err)
		}
		return
	case !created: // a user of this dealer already, with this password: nothing new
		refuse(http.StatusConflict, "user_taken", "")
		return
	}
	http.Redirect(w, r, "/app/equipo?hecho=usuario", http.StatusSeeOther)
}

// teamMember reads the path's user of the query's or form's dealer, as
// the page lists him; anyone else is the 404 page. A user who administers
// no dealer has no team (403).
func (a *App) teamMember(w http.ResponseWriter, r *http.Request, s *session) (teamDealer, member, bool) {
	if !s.ManagesTeam() {
		a.message(w, r, s, http.StatusForbidden, "team_forbidden")
		return teamDealer{}, member{}, false
	}
	dv := r.URL.Query().Get("concesionario")
	if r.Method == http.MethodPost {
		dv = r.PostForm.Get("concesionario")
	}
	dl, ok := teamDealerOf(s, dv)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !ok || err != nil {
		a.message(w, r, s, http.StatusNotFound, "not_found")
		return teamDealer{}, member{}, false
	}
	td, err := a.teamOf(r, s, dl)
	if err != nil {
		a.failure(w, r, s, err)
		return teamDealer{}, member{}, false
	}
	i := slices.IndexFunc(td.Members, func(m member) bool { return m.ID == id })
	if i < 0 {
		a.message(w, r, s, http.StatusNotFound, "not_found")
		return teamDealer{}, member{}, false
	}
	return td, td.Members[i], true
}

// memberOffData is what the deactivation's confirmation shows.
type memberOffData struct {
	Dealer teamDealer
	Member member
}

// memberOffPage asks to confirm the deactivation of the path's user.
func (a *App) memberOffPage(w http.ResponseWriter, r *http.Request, s *session) {
	td, m, ok := a.teamMember(w, r, s)
	if !ok {
		return
	}
	a.render(w, r, "memberoff.html", http.StatusOK, page{Session: s, Data: memberOffData{Dealer: td, Member: m}})
}

// deactivateMember deactivates the path's user of the form's dealer.
func (a *App) deactivateMember(w http.ResponseWriter, r *http.Request, s *session) {
	td, m, ok := a.teamMember(w, r, s)
	if !ok {
		return
	}
	if _, err := a.svc.DeactivateMember(r.Context(), td.ID, m.ID); err != nil {
		status, _ := statusOf(err)
		if status == http.StatusForbidden {
			a.render(w, r, "memberoff.html", status, page{Session: s, Msg: "deactivate_forbidden", Detail: coreMessage(err),
				Data: memberOffData{Dealer: td, Member: m}})
			return
		}
		a.failure(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/app/equipo?hecho=usuario_desactivado#concesionario-"+strconv.FormatInt(td.ID, 10), http.StatusSeeOther)
}

// activateMember activates the path's user of the form's dealer again.
func (a *App) activateMember(w http.ResponseWriter, r *http.Request, s *session) {
	td, m, ok := a.teamMember(w, r, s)
	if !ok {
		return
	}
	if _, err := a.svc.ActivateMember(r.Context(), td.ID, m.ID); err != nil {
		if status, _ := statusOf(err); status == http.StatusForbidden {
			a.showTeam(w, r, s, status, page{Msg: "activate_forbidden", Detail: coreMessage(err)}, teamForm{Role: string(core.RoleAdvisor)})
			return
		}
		a.failure(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/app/equipo?hecho=usuario_activado#concesionario-"+strconv.FormatInt(td.ID, 10), http.StatusSeeOther)
}
