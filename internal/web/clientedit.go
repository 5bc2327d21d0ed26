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

// A client's data edited from its page (/app/clientes/{id}/editar): its
// name, phone, e-mail, government id, business name, address, province and
// locality, through core.Service.UpdateClient with the client's version:
// the change is the client's, so every lead of it and every API shows it,
// and an entry of each of its leads' history.

// Bounds of the client's form beyond the core's texts.
const (
	maxProvinces  = 200  // provinces of a country the select offers (Spain has 52)
	maxLocalities = 2000 // localities of a province the form suggests and matches (Spain's largest has ~370)
)

// clientForm is the edit form's values, given back when it is refused.
type clientForm struct {
	Name, Phone, Email       string
	GovID, Business, Address string
	Province                 string // a province's id; "": none
	Locality                 string // a locality's name, of Province; "": none
}

// clientEditData is what the client's edit page shows.
type clientEditData struct {
	Path       string // the client's id as the page was asked it
	Client     core.Client
	Version    int // the client's version the form carries
	Form       clientForm
	Provinces  []option // the provinces of the dealer's country
	Localities []string // the chosen province's localities, suggested
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

// clientFormOf is the edit form's values for c: its locality by name.
func (a *App) clientFormOf(ctx context.Context, c core.Client) (clientForm, error) {
	f := clientForm{Name: c.Name, Phone: c.Phone, Email: c.Email, GovID: c.GovID, Business: c.BusinessName, Address: c.Address}
	if c.ProvinceID != nil {
		f.Province = strconv.FormatInt(*c.ProvinceID, 10)
	}
	if c.LocalityID != nil {
		ls, err := a.svc.LocalitiesByID(ctx, []int64{*c.LocalityID})
		if err != nil {
			return f, err
		}
		if len(ls) == 1 {
			f.Locality = ls[0].Name
		}
	}
	return f, nil
}

// clientEditPage serves the client's edit form.
func (a *App) clientEditPage(w http.ResponseWriter, r *http.Request, s *session) {
	c, ok := a.formClient(w, r, s)
	if !ok {
		return
	}
	f, err := a.clientFormOf(r.Context(), c)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	a.showClientEdit(w, r, s, http.StatusOK, page{}, c, f, c.Version)
}

// localitiesOf are the localities of province, by name (at most
// maxLocalities).
func (a *App) localitiesOf(ctx context.Context, province int64) ([]core.Locality, error) {
	ls, _, err := a.svc.FindLocalities(ctx, core.Query{Where: core.Eq("province", province), Limit: maxLocalities})
	return ls, err
}

func (a *App) showClientEdit(w http.ResponseWriter, r *http.Request, s *session, status int, p page, c core.Client, f clientForm, version int) {
	ctx := r.Context()
	d := clientEditData{Path: r.PathValue("id"), Client: c, Version: version, Form: f}
	country := ""
	for _, dl := range s.Dealers {
		if dl.ID == c.DealerID {
			country = dl.Country
		}
	}
	ps, _, err := a.svc.FindProvinces(ctx, core.Query{Where: core.Eq("country", country), Limit: maxProvinces})
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	for _, pr := range ps {
		d.Provinces = append(d.Provinces, option{Value: strconv.FormatInt(pr.ID, 10), Label: pr.Name})
	}
	if id, err := strconv.ParseInt(f.Province, 10, 64); err == nil && !slices.ContainsFunc(d.Provinces, func(o option) bool { return o.Value == f.Province }) {
		// a province of another country (set through an API) stays offered
		other, err := a.svc.ProvincesByID(ctx, []int64{id})
		if err != nil {
			a.failure(w, r, s, err)
			return
		}
		for _, pr := range other {
			d.Provinces = append(d.Provinces, option{Value: f.Province, Label: pr.Name})
		}
	}
	if id, err := strconv.ParseInt(f.Province, 10, 64); err == nil && id > 0 {
		ls, err := a.localitiesOf(ctx, id)
		if err != nil {
			a.failure(w, r, s, err)
			return
		}
		for _, l := range ls {
			d.Localities = append(d.Localities, l.Name)
		}
	}
	p.Session, p.Data = s, d
	a.render(w, r, "clientedit.html", status, p)
}

// editClient changes the client's data to the form's, with the form's
// version of the client. The name is required; the rest may be emptied
// (the core checks what they hold); a field the form does not carry is
// not changed. The locality is a name, matched (case
// aside) among the chosen province's.
func (a *App) editClient(w http.ResponseWriter, r *http.Request, s *session) {
	c, ok := a.formClient(w, r, s)
	if !ok {
		return
	}
	pf := r.PostForm
	raw := clientForm{Name: pf.Get("nombre"), Phone: pf.Get("telefono"), Email: pf.Get("email"), GovID: pf.Get("documento"),
		Business: pf.Get("empresa"), Address: pf.Get("direccion"), Province: pf.Get("provincia"), Locality: pf.Get("localidad")}
	f := clientForm{Name: strings.TrimSpace(raw.Name), Phone: strings.TrimSpace(raw.Phone), Email: strings.TrimSpace(raw.Email),
		GovID: strings.TrimSpace(raw.GovID), Business: strings.TrimSpace(raw.Business), Address: strings.TrimSpace(raw.Address),
		Province: raw.Province, Locality: strings.TrimSpace(raw.Locality)}
	version, okVersion := formVersion(r)
	refuse := func(status int, msg, detail string) {
		a.showClientEdit(w, r, s, status, page{Msg: msg, Detail: detail}, c, f, version)
	}
	province, okProvince := receiverOf(f.Province) // an id or none, as a receiver's
	switch {
	case !okVersion:
		version = c.Version
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case !utf8.ValidString(raw.Name + raw.Phone + raw.Email + raw.GovID + raw.Business + raw.Address + raw.Province + raw.Locality):
		f = clientForm{}
		refuse(http.StatusBadRequest, "bad_form", "")
		return
	case f.Name == "":
		refuse(http.StatusBadRequest, "name_required", "")
		return
	case !okProvince:
		f.Province = ""
		refuse(http.StatusBadRequest, "bad_province", "")
		return
	case f.Locality != "" && province == nil:
		refuse(http.StatusBadRequest, "locality_needs_province", "")
		return
	case utf8.RuneCountInString(f.Locality) > core.MaxShortText:
		refuse(http.StatusBadRequest, "bad_locality", "")
		return
	}
	var locality *int64
	if f.Locality != "" {
		ls, err := a.localitiesOf(r.Context(), *province)
		if err != nil {
			a.failure(w, r, s, err)
			return
		}
		for _, l := range ls {
			if strings.EqualFold(l.Name, f.Locality) {
				locality = &l.ID
				break
			}
		}
		if locality == nil {
			refuse(http.StatusBadRequest, "bad_locality", "")
			return
		}
	}
	patch := core.ClientPatch{Version: version, Name: core.Value(f.Name), Phone: core.Value(f.Phone), Email: core.Value(f.Email)}
	// a field the form does not carry (a page rendered before it had it) is left as it is
	if pf.Has("documento") {
		patch.GovID = core.Value(f.GovID)
	}
	if pf.Has("empresa") {
		patch.BusinessName = core.Value(f.Business)
	}
	if pf.Has("direccion") {
		patch.Address = core.Value(f.Address)
	}
	if pf.Has("provincia") {
		patch.ProvinceID = core.Value(province)
	}
	if pf.Has("localidad") {
		patch.LocalityID = core.Value(locality)
	}
	_, err := a.svc.UpdateClient(r.Context(), c.ID, patch)
	if err != nil {
		switch status, msg := statusOf(err); status {
		case http.StatusConflict: // the client as it is now, to edit again
			cur, ok := a.formClient(w, r, s)
			if !ok {
				return
			}
			cf, err := a.clientFormOf(r.Context(), cur)
			if err != nil {
				a.failure(w, r, s, err)
				return
			}
			a.showClientEdit(w, r, s, status, page{Msg: "client_stale"}, cur, cf, cur.Version)
		case http.StatusBadRequest, http.StatusForbidden:
			refuse(status, msg, coreMessage(err))
		default:
			a.failure(w, r, s, err)
		}
		return
	}
	http.Redirect(w, r, "/app/clientes/"+url.PathEscape(r.PathValue("id"))+"?hecho=cliente", http.StatusSeeOther)
}
