package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// A client's contact data (name, phone, e-mail) edited from its page
// (/app/clientes/{id}/editar), through core.Service.EditClientContact with
// the client's version: the change is the client's, so every lead of it
// and every API shows it, and an entry of each of its leads' history.

// clientForm is the edit form's values, given back when it is refused.
type clientForm struct {
	Name, Phone, Email string
}

// clientEditData is what the client's edit page shows.
type clientEditData struct {
	Path    string // the client's id as the page was asked it
	Client  core.Client
	Version int // the client's version the form carries
	Form    clientForm
}

// formClient reads the path's client, answering the page itself when
// there is none the user may see.
func (a *App) formClient(w http.ResponseWriter, r *http.Request, s *session) (core.Client, bool) {
	id, err := a.resolveID(r.Context(), core.RecordClient, r.PathValue("id"))
	if err == nil {
		var c core.Client
		if c, err = a.svc.FindClient(r.Context(), id); err == nil {
			return c, true
		}
	}
	a.failure(w, r, s, err)
	return core.Client{}, false
}

// clientEditPage serves the client's edit form.
func (a *App) clientEditPage(w http.ResponseWriter, r *http.Request, s *session) {
	c, ok := a.formClient(w, r, s)
	if !ok {
		return
	}
	a.showClientEdit(w, r, s, http.StatusOK, page{}, c, clientForm{Name: c.Name, Phone: c.Phone, Email: c.Email}, c.Version)
}

func (a *App) showClientEdit(w http.ResponseWriter, r *http.Request, s *session, status int, p page, c core.Client, f clientForm, version int) {
	p.Session, p.Data = s, clientEditData{Path: r.PathValue("id"), Client: c, Version: version, Form: f}
	a.render(w, r, "clientedit.html", status, p)
}

// editClient changes the client's name, phone and e-mail to the form's,
// with the form's version of the client. The name is required; the phone
// and e-mail may be empty (the core checks what they hold).
func (a *App) editClient(w http.ResponseWriter, r *http.Request, s *session) {
	c, ok := a.formClient(w, r, s)
	if !ok {
		return
	}
	raw := clientForm{Name: r.PostForm.Get("nombre"), Phone: r.PostForm.Get("telefono"), Email: r.PostForm.Get("email")}
	f := clientForm{Name: strings.TrimSpace(raw.Name), Phone: strings.TrimSpace(raw.Phone), Email: strings.TrimSpace(raw.Email)}
	version, okVersion := formVersion(r)
	refuse := func(status int, msg, detail string) {
		a.showClientEdit(w, r, s, status, page{Msg: msg, Detail: detail}, c, f, version)
	}
	switch {
	case !okVersion:
		version = c.Version
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case !utf8.ValidString(raw.Name + raw.Phone + raw.Email):
		f = clientForm{}
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case f.Name == "":
		refuse(http.StatusBadRequest, "name_required", "")
		return
	}
	_, err := a.svc.EditClientContact(r.Context(), c.ID, core.ClientPatch{Version: version, Name: core.Value(f.Name),
		Phone: core.Value(f.Phone), Email: core.Value(f.Email)})
	if err != nil {
		switch status, msg := statusOf(err); status {
		case http.StatusConflict: // the client as it is now, to edit again
			cur, ok := a.formClient(w, r, s)
			if ok {
				a.showClientEdit(w, r, s, status, page{Msg: "client_stale"}, cur, clientForm{Name: cur.Name, Phone: cur.Phone, Email: cur.Email}, cur.Version)
			}
		case http.StatusBadRequest, http.StatusForbidden:
			refuse(status, msg, coreMessage(err))
		default:
			a.failure(w, r, s, err)
		}
		return
	}
	http.Redirect(w, r, "/app/clientes/"+url.PathEscape(r.PathValue("id"))+"?hecho=cliente", http.StatusSeeOther)
}
