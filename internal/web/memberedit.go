package web

import (
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"forecourt/internal/core"
)

// A user's edit form (/app/equipo/{id}/editar), for his dealer's
// administrators: his names, his role and a new password
// (core.Service.UpdateMember, which says who may change what; the page
// offers the form where the core allows it and words its refusals).

// memberEdited are the team page's confirmations of a change made here:
// names or role, and a new password (which ended his sessions).
var memberEdited = []string{"usuario_cambiado", "clave_cambiada"}

// memberForm is the edit form's values, given back when it is refused.
type memberForm struct {
	First, Last, Role string
}

// memberEditData is what the edit form shows.
type memberEditData struct {
	Dealer teamDealer
	Member member
	Roles  []core.StaffRole
	Form   memberForm
}

// memberEditPage shows the path's user's edit form.
func (a *App) memberEditPage(w http.ResponseWriter, r *http.Request, s *session) {
	td, m, ok := a.teamMember(w, r, s)
	if !ok {
		return
	}
	if !m.CanEdit {
		a.message(w, r, s, http.StatusForbidden, "edit_forbidden")
		return
	}
	a.showMemberEdit(w, r, s, http.StatusOK, page{}, td, m, memberForm{First: m.First, Last: m.Last, Role: m.Role})
}

func (a *App) showMemberEdit(w http.ResponseWriter, r *http.Request, s *session, status int, p page, td teamDealer, m member, f memberForm) {
	p.Session, p.Data = s, memberEditData{Dealer: td, Member: m, Roles: teamRoles, Form: f}
	a.render(w, r, "memberedit.html", status, p)
}

// editMember changes the path's user of the form's dealer: his names, his
// role (when the form has one) and his password (when one is given).
func (a *App) editMember(w http.ResponseWriter, r *http.Request, s *session) {
	td, m, ok := a.teamMember(w, r, s)
	if !ok {
		return
	}
	pf := r.PostForm
	f := memberForm{First: pf.Get("nombre"), Last: pf.Get("apellidos"), Role: pf.Get("rol")}
	password, current := pf.Get("clave"), pf.Get("clave_actual")
	refuse := func(status int, msg, detail string) {
		a.showMemberEdit(w, r, s, status, page{Msg: msg, Detail: detail}, td, m, f)
	}
	if !utf8.ValidString(f.First + f.Last + f.Role) {
		f = memberForm{First: m.First, Last: m.Last, Role: m.Role}
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	}
	ch := core.MemberChange{FirstName: &f.First, LastName: &f.Last, CurrentPassword: current}
	if f.Role != "" { // none: he has no role here, and the form keeps it so
		role := core.StaffRole(f.Role)
		ch.Role = &role
	}
	if password != "" {
		ch.Password = &password
	}
	_, err := a.svc.UpdateMember(r.Context(), td.ID, m.ID, ch)
	if err != nil {
		switch status, msg := statusOf(err); status {
		case http.StatusBadRequest:
			var ce *core.Error
			if errors.As(err, &ce) {
				switch {
				case ce.Fields["first_name"] == core.MsgRequired:
					msg = "user_name_required"
				case ce.Fields["role"] != "":
					msg = "bad_role"
				case ce.Fields["password"] != "":
					msg = "bad_password"
				case ce.Fields["current_password"] != "":
					msg = "bad_current_password"
				}
			}
			refuse(status, msg, coreMessage(err))
		case http.StatusForbidden:
			refuse(status, "edit_forbidden", coreMessage(err))
		default:
			a.failure(w, r, s, err)
		}
		return
	}
	switch {
	case ch.Password != nil && m.Self: // his own sessions ended with his old password
		http.Redirect(w, r, "/app/login", http.StatusSeeOther)
	case ch.Password != nil:
		http.Redirect(w, r, "/app/equipo?hecho=clave_cambiada#concesionario-"+strconv.FormatInt(td.ID, 10), http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/app/equipo?hecho=usuario_cambiado#concesionario-"+strconv.FormatInt(td.ID, 10), http.StatusSeeOther)
	}
}
