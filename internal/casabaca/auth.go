package casabaca

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// loginBody is POST /api/login's body.
type loginBody struct {
	Autorizador text `json:"autorizador"`
	Email       text `json:"email"`
	Password    text `json:"password"`
	Environment text `json:"environment"`
}

// badLogin is the answer to any login that fails on its credentials or its
// autorizador, in the document's words, without saying which failed.
func badLogin() *apiError {
	return &apiError{status: http.StatusUnauthorized, body: map[string]any{"message": "Password incorrecto", "status_code": http.StatusUnauthorized}}
}

// login serves POST /api/login: the user's credentials and his
// autorizador, an administrator of one of his dealers, give a token.
func (h *handler) login(w http.ResponseWriter, r *http.Request) error {
	var b loginBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	e := fieldErrors{}
	c := check{e: e}
	if c.required("autorizador", b.Autorizador, "El email del autorizador es requerido") {
		c.email("autorizador", b.Autorizador, "El email del autorizador no es válido")
	}
	if c.required("email", b.Email, "El email es requerido") {
		c.email("email", b.Email, "El email no es válido")
	}
	if !b.Password.set || b.Password.bad || b.Password.v == "" {
		c.fail("password", "El password es requerido")
	}
	if c.required("environment", b.Environment, "El environment es requerido") {
		c.oneOf("environment", b.Environment, "El environment no contiene un valor válido, valores válidos: dev, prod", "dev", "prod")
	}
	if err := e.err(); err != nil {
		return err
	}
	ctx := r.Context()
	token, u, err := h.svc.Login(ctx, b.Email.v, b.Password.v)
	if err != nil {
		if errors.Is(err, core.ErrBadCredentials) {
			return badLogin()
		}
		return err
	}
	p, err := h.svc.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	pctx := core.WithPrincipal(ctx, p)
	authorised := false
	if a, err := h.svc.UserByLogin(pctx, b.Autorizador.v); err == nil {
		for _, d := range u.DealerIDs() {
			if ok, err := h.svc.IsDealerAdministrator(pctx, a.ID, d); err != nil {
				return err
			} else if ok {
				authorised = true
			}
		}
	} else if core.ErrorCode(err) != core.NotFound {
		return err
	}
	if !authorised {
		if err := h.svc.Logout(pctx); err != nil {
			return err
		}
		return badLogin()
	}
	writeJSON(w, http.StatusOK, map[string]string{"status_code": "200", "token": token})
	return nil
}

// logout serves GET /api/logout: the token is revoked.
func (h *handler) logout(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.svc.Logout(c.ctx); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"status_code": 200, "token": "Token has deleted succesfully"})
	return nil
}

// registerBody is POST /api/register's body.
type registerBody struct {
	Name     text `json:"name"`
	Email    text `json:"email"`
	Password text `json:"password"`
	Fuente   text `json:"fuente"`
	FuenteID text `json:"fuente_id"`
	Medios   text `json:"medios"`
	Compania text `json:"compania"`
}

// register serves POST /api/register: an administrator of the dealer
// registers an API user with his fuente, medios and compañía.
// minPassword is the fewest characters of a password set here: Laravel's
// default password rule (min:8), the least a user of a Laravel API expects
// to be asked for; the core sets no minimum (a password of one letter was
// taken).
const minPassword = 8

func (h *handler) register(w http.ResponseWriter, r *http.Request, c *call) error {
	var b registerBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	e := fieldErrors{}
	ck := check{e: e}
	ck.required("name", b.Name, "El nombre del usuario es requerido")
	if ck.required("email", b.Email, "El email del usuario es requerido") {
		ck.email("email", b.Email, "El email del usuario no es válido")
	}
	switch {
	case b.Password.bad || len(b.Password.v) > core.MaxPasswordLen:
		ck.fail("password", "El password no es válido")
	case b.Password.v != "" && utf8.RuneCountInString(b.Password.v) < minPassword:
		ck.fail("password", fmt.Sprintf("El password debe tener al menos %d caracteres", minPassword))
	}
	ck.optional("fuente", b.Fuente, 64)
	ck.optional("fuente_id", b.FuenteID, 64)
	ck.optional("compania", b.Compania, 64)
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return err
	}
	var sources []int64
	if ck.optional("medios", b.Medios, 1000) {
		for _, m := range strings.Split(b.Medios.v, ",") {
			sc, ok := o.SourceCoded(strings.TrimSpace(m))
			if !ok {
				ck.fail("medios", "El medio "+strings.TrimSpace(m)+" no existe")
				break
			}
			sources = append(sources, sc.SourceID)
		}
	}
	if b.Compania.given() {
		ds, err := h.svc.DealersByID(c.ctx, []int64{c.dealer})
		if err != nil {
			return err
		}
		if len(ds) == 1 && ds[0].Ext["casabaca.compania"] != "" && ds[0].Ext["casabaca.compania"] != b.Compania.v {
			ck.fail("compania", "La compañía no es la del usuario autorizador")
		}
	}
	if err := e.err(); err != nil {
		return err
	}
	st := core.Staff{DealerID: c.dealer, Role: core.RoleIntegration, SourceIDs: sources, Active: true, Ext: map[string]string{}}
	for k, v := range map[string]text{"casabaca.fuente": b.Fuente, "casabaca.fuente_id": b.FuenteID, "casabaca.compania": b.Compania} {
		if v.given() {
			st.Ext[k] = v.v
		}
	}
	first, last, _ := strings.Cut(b.Name.v, " ")
	_, _, err = h.svc.RegisterUser(c.ctx, core.User{Username: b.Email.v, Email: b.Email.v, FirstName: first, LastName: last}, b.Password.v, st)
	var ce *core.Error
	switch {
	case errors.As(err, &ce) && ce.Code == core.Invalid && ce.Fields["email"] == core.MsgTaken:
		ck.fail("email", "El email ya ha sido registrado")
		return e.err()
	case errors.Is(err, core.ErrNotAdministrator):
		return &apiError{status: http.StatusForbidden, body: map[string]any{"message": "Solo un administrador de la compañía puede registrar usuarios", "status_code": http.StatusForbidden}}
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status_code": "200", "message": "Usuario Creado Correctamente"})
	return nil
}

// asesor is one element of GET /api/asesores's answer.
type asesor struct {
	Nombres       string   `json:"nombres"`
	Apellidos     string   `json:"apellidos"`
	Celular       *string  `json:"celular"`
	UserName      string   `json:"user_name"`
	Email         string   `json:"email"`
	Agencia       string   `json:"agencia"`
	LineasNegocio []string `json:"lineas_negocio"`
}

// asesores serves GET /api/asesores: the advisors who may get the leads of
// a medio, those the assignment rule takes turns among (the body, a JSON
// object on a GET as the document sends it, or the query names the medio).
func (h *handler) asesores(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Medio text `json:"medio"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if qs := r.URL.Query()["medio"]; len(qs) > 1 {
		return fieldErrors{"medio": {"El campo medio se envió más de una vez"}}.err()
	} else if len(qs) == 1 && qs[0] != "" && !b.Medio.given() {
		b.Medio = text{v: strings.TrimSpace(qs[0]), set: true}
	}
	if !b.Medio.given() {
		queryObject(r, &b)
	}
	e := fieldErrors{}
	ck := check{e: e}
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return err
	}
	var sc core.SourceCode
	if ck.required("medio", b.Medio, "El medio es requerido") && ck.numeric("medio", b.Medio, "El medio debe ser numérico") {
		var ok bool
		if sc, ok = o.SourceCoded(b.Medio.v); !ok {
			ck.fail("medio", "El medio no existe")
		}
	}
	if err := e.err(); err != nil {
		return err
	}
	users, err := h.dealerStaff(c, o)
	if err != nil {
		return err
	}
	pool := core.AssignmentPool(o, users, sc.AgencyID, nil, "")
	out := []asesor{}
	for _, id := range pool.Candidates {
		i := slices.IndexFunc(users, func(u core.User) bool { return u.ID == id })
		st, _ := o.StaffOf(id)
		out = append(out, renderAsesor(o, users[i], st))
	}
	return data(w, out)
}

// dealerStaff returns the users placed at the call's dealer.
func (h *handler) dealerStaff(c *call, o core.Organisation) ([]core.User, error) {
	ids := make([]int64, 0, len(o.Staff))
	for _, st := range o.Staff {
		ids = append(ids, st.UserID)
	}
	return h.svc.UsersByID(c.ctx, ids)
}

func renderAsesor(o core.Organisation, u core.User, st core.Staff) asesor {
	a := asesor{Nombres: u.FirstName, Apellidos: u.LastName, UserName: u.Username, Email: u.Email, LineasNegocio: []string{}}
	if u.Phone != "" {
		a.Celular = &u.Phone
	}
	if st.AgencyID != nil {
		if ag, ok := o.Agency(*st.AgencyID); ok {
			a.Agencia = ag.Name
		}
	}
	for _, id := range st.BusinessLineIDs {
		if bl, ok := o.BusinessLine(id); ok {
			a.LineasNegocio = append(a.LineasNegocio, bl.Name)
		}
	}
	return a
}

// staffUser returns the active user of the call's dealer whose username
// is name, case aside, placed in its organisation (any role). It looks
// among the organisation's staff, whose users the store serves from its
// reference cache: looking the name up among every user cost each ticket a
// read transaction of three statements (docs/casabaca.md, "Tickets").
func (h *handler) staffUser(c *call, o core.Organisation, name string) (core.User, bool, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return core.User{}, false, nil
	}
	ids := make([]int64, 0, len(o.Staff))
	for _, st := range o.Staff {
		if st.Active {
			ids = append(ids, st.UserID)
		}
	}
	us, err := h.svc.UsersByID(c.ctx, ids)
	if err != nil {
		return core.User{}, false, err
	}
	// usernames are unique case aside (users_username); the exact one
	// first, should two differ only in a case SQLite's lower() keeps
	var found *core.User
	for i, u := range us {
		if u.IsActive && strings.EqualFold(u.Username, name) && (found == nil || u.Username == name) {
			found = &us[i]
		}
	}
	if found == nil {
		return core.User{}, false, nil
	}
	return *found, true, nil
}

// queryObject reads a query string that is a JSON object, as the document's
// own curl example sends its body on a GET (`curl -G -d '{"medio":"11"}'`
// asks for /api/asesores?{"medio":"11"}): into v, when it is one. Anything
// else leaves v as it was, for the field checks to name what is missing.
// The query is bounded by the server's header limit.
func queryObject(r *http.Request, v any) {
	q, err := url.QueryUnescape(r.URL.RawQuery)
	if err != nil || !strings.HasPrefix(strings.TrimSpace(q), "{") {
		return
	}
	_ = json.Unmarshal([]byte(q), v)
}
