package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// testMemberEdit: the dealer's administrator opens a user's edit form from
// the team page and changes his names and role (his session goes on), then
// his password (his open session ends, the old password no longer logs
// in, the new one does); bad forms are refused on the form and change
// nothing; a user of another dealer too is refused; another dealer's
// administrator finds nothing and an advisor has no such page. On his own
// form he has no role and must give his current password.
func testMemberEdit(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	dealer := fmt.Sprint(st.fx.DealerID)
	u, _, err := st.svc.RegisterUser(st.admin(), core.User{Username: "mario@example.com", Email: "mario@example.com", FirstName: "Mario", LastName: "Ruiz"},
		"clave-de-mario", core.Staff{DealerID: st.fx.DealerID, Role: core.RoleAdvisor, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	mario := st.browser(t)
	mario.login("mario@example.com", "clave-de-mario")

	edit := fmt.Sprintf("/app/equipo/%d/editar", u.ID)
	wantBody(t, b.get("/app/equipo"), "the team page", fmt.Sprintf(`href="%s?concesionario=%s"`, edit, dealer))
	a := b.get(edit + "?concesionario=" + dealer)
	wantStatus(t, a, http.StatusOK, "the edit form")
	wantBody(t, a, "the edit form", "Editar a Mario Ruiz", `value="Mario"`, `value="Ruiz"`, `<option value="advisor" selected>`, `name="clave"`)
	if strings.Contains(a.Body, "clave_actual") {
		t.Fatal("another user's form asks for the current password")
	}

	form := func(kv ...string) url.Values {
		v := url.Values{"csrf": {csrf}, "concesionario": {dealer}, "nombre": {"Mario"}, "apellidos": {"Ruiz"}, "rol": {"advisor"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	wantRefusals(t, b, edit, []refusal{
		{"no CSRF token", func() url.Values { v := form(); v.Del("csrf"); return v }(), http.StatusForbidden, "El formulario ha caducado"},
		{"a short password", form("clave", "corta"), http.StatusBadRequest, "La contraseña debe tener"},
		{"a password over 72 bytes", form("clave", strings.Repeat("ñ", 37)), http.StatusBadRequest, "La contraseña debe tener"},
		{"no name", form("nombre", " ", "clave", "clave-nueva-1"), http.StatusBadRequest, "Escribe el nombre"},
		{"the integration role", form("rol", "integration"), http.StatusBadRequest, "Esa función no existe"},
		{"a name not UTF-8", form("nombre", "\xff"), http.StatusBadRequest, "El formulario no es válido"},
	})
	if a := b.post(edit, form("clave", "corta", "nombre", "Mariano")); !strings.Contains(a.Body, `value="Mariano"`) {
		t.Fatalf("a refused form does not give back its values\n%s", a.Body)
	}
	wantStatus(t, b.post(edit, url.Values{"csrf": {csrf}, "nombre": {"X"}}), http.StatusNotFound, "no dealer")
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	wantStatus(t, co.get(edit+"?concesionario="+dealer), http.StatusNotFound, "another dealer's admin, the form")
	wantStatus(t, co.post(edit, url.Values{"csrf": {co.csrf()}, "concesionario": {dealer}, "nombre": {"X"}, "clave": {"clave-robada"}}),
		http.StatusNotFound, "another dealer's admin, the change")
	wantStatus(t, mario.get(edit+"?concesionario="+dealer), http.StatusForbidden, "an advisor's edit form")
	wantStatus(t, mario.post(edit, url.Values{"csrf": {mario.csrf()}, "concesionario": {dealer}, "nombre": {"X"}, "clave": {"clave-de-mario-2"}}),
		http.StatusForbidden, "an advisor's change")
	got, err := st.svc.UserByLogin(st.admin(), "mario@example.com")
	if err != nil || got.FirstName != "Mario" || got.LastName != "Ruiz" {
		t.Fatalf("after the refusals: %+v, %v", got, err)
	}
	wantStatus(t, mario.get("/app/leads"), http.StatusOK, "his session after the refusals")

	// a user of another dealer too: no link, the form refused
	both, err := st.svc.CreateUser(st.admin(), core.User{Username: "ambos@example.com", FirstName: "Ambos", IsActive: true,
		Memberships: []core.Membership{{DealerID: st.fx.DealerID}, {DealerID: st.fx.CODealerID}}}, "clave-de-ambos")
	if err != nil {
		t.Fatal(err)
	}
	shared := fmt.Sprintf("/app/equipo/%d/editar", both.ID)
	if a := b.get("/app/equipo"); !strings.Contains(a.Body, "ambos@example.com") || strings.Contains(a.Body, shared+"?") {
		t.Fatal("the team page offers to edit a user of another dealer too (or does not list him)")
	}
	wantStatus(t, b.get(shared+"?concesionario="+dealer), http.StatusForbidden, "a shared user's form")
	a = b.post(shared, form("nombre", "Ambos", "clave", "clave-nueva-1"))
	wantStatus(t, a, http.StatusForbidden, "a shared user's change")
	wantBody(t, a, "a shared user's change", "No puedes cambiar ese usuario")
	if _, _, err := st.svc.Login(st.admin(), "ambos@example.com", "clave-nueva-1"); err == nil {
		t.Fatal("a refused change set the shared user's password")
	}

	// names and role
	a = b.post(edit, form("nombre", "Mariano", "apellidos", "Ruiz Gil", "rol", "call_centre"))
	wantStatus(t, a, http.StatusSeeOther, "names and role")
	if loc := a.Header.Get("Location"); !strings.HasPrefix(loc, "/app/equipo?hecho=usuario_cambiado") {
		t.Fatalf("after the change: %q", loc)
	}
	wantBody(t, b.get("/app/equipo?hecho=usuario_cambiado"), "after the change", "Usuario modificado.", "Mariano Ruiz Gil", "Call center")
	wantStatus(t, mario.get("/app/leads"), http.StatusOK, "his session after a change of names")

	// a new password: his session ends, the new one logs in
	a = b.post(edit, form("nombre", "Mariano", "apellidos", "Ruiz Gil", "rol", "call_centre", "clave", "clave-nueva-1"))
	wantStatus(t, a, http.StatusSeeOther, "the new password")
	wantBody(t, b.get("/app/equipo?hecho=clave_cambiada"), "after the new password", "Contraseña cambiada")
	if a := mario.get("/app/leads"); a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/app/login") {
		t.Fatalf("his open session after a new password: %d %s", a.StatusCode, a.Header.Get("Location"))
	}
	again := st.browser(t)
	if a := again.post("/app/login", url.Values{"username": {"mario@example.com"}, "password": {"clave-de-mario"}}); a.StatusCode == http.StatusSeeOther {
		t.Fatal("the old password logs in")
	}
	again.login("mario@example.com", "clave-nueva-1")

	// his own form: no role, his current password asked for
	self := fmt.Sprintf("/app/equipo/%d/editar", st.fx.AdminID)
	a = b.get(self + "?concesionario=" + dealer)
	wantStatus(t, a, http.StatusOK, "his own form")
	wantBody(t, a, "his own form", `name="clave_actual"`)
	if strings.Contains(a.Body, `name="rol"`) {
		t.Fatal("his own form offers his role")
	}
	a = b.post(self, url.Values{"csrf": {csrf}, "concesionario": {dealer}, "nombre": {"Demo"}, "clave": {"otra-clave-1"}, "clave_actual": {"no-es-esta"}})
	wantStatus(t, a, http.StatusBadRequest, "his own password, a wrong current one")
	wantBody(t, a, "his own password, a wrong current one", "Tu contraseña actual no es esa")
	wantStatus(t, b.post(self, url.Values{"csrf": {csrf}, "concesionario": {dealer}, "nombre": {"Demo"}, "rol": {"call_centre"}}),
		http.StatusForbidden, "his own role")
}
