package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forecourt/internal/demo"
)

// testTeam: the dealer's administrator sees his team, registers a user
// (who then logs in) and deactivates one after a confirmation (who then
// cannot log in, and whose open session ends) and activates him again;
// bad forms are refused and
// register nobody; an advisor has no team page; another dealer's user is
// the 404 page and stays active.
func testTeam(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	wantBody(t, b.get("/app/leads"), "the admin's header", `id="nav-equipo"`)
	a := b.get("/app/equipo")
	wantStatus(t, a, http.StatusOK, "the team page")
	wantBody(t, a, "the team page", demo.DealerName, demo.AdminUsername, "(tú)", "Administrador", "Jefe de ventas")
	if strings.Contains(a.Body, demo.COAdminUsername) {
		t.Fatal("the team page shows another dealer's user")
	}

	dealer := fmt.Sprint(st.fx.DealerID)
	form := func(kv ...string) url.Values {
		v := url.Values{"csrf": {csrf}, "concesionario": {dealer}, "nombre": {"Lucía"}, "apellidos": {"Pardo"},
			"email": {"lucia@example.com"}, "rol": {"advisor"}, "clave": {"secreto-largo"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	wantRefusals(t, b, "/app/equipo", []refusal{
		{"no CSRF token", func() url.Values { v := form(); v.Del("csrf"); return v }(), http.StatusForbidden, "El formulario ha caducado"},
		{"a short password", form("clave", "corta"), http.StatusBadRequest, "La contraseña debe tener"},
		{"no name", form("nombre", " "), http.StatusBadRequest, "Escribe el nombre"},
		{"no e-mail", form("email", "lucia"), http.StatusBadRequest, "Escribe el e-mail"},
		{"an unknown role", form("rol", "integration"), http.StatusBadRequest, "Esa función no existe"},
		{"another dealer", form("concesionario", fmt.Sprint(st.fx.DealerID+1000)), http.StatusBadRequest, "Elige uno de los concesionarios"},
		{"a login taken", form("email", demo.COAdminUsername), http.StatusBadRequest, "Ya hay un usuario con ese e-mail"},
	})
	if _, err := st.svc.UserByLogin(st.admin(), "lucia@example.com"); err == nil {
		t.Fatal("a refused form registered the user")
	}
	a = b.post("/app/equipo", form())
	wantStatus(t, a, http.StatusSeeOther, "the registration")
	if loc := a.Header.Get("Location"); loc != "/app/equipo?hecho=usuario" {
		t.Fatalf("after the registration: %q", loc)
	}
	wantBody(t, b.get("/app/equipo?hecho=usuario"), "after the registration", "Usuario dado de alta.", "Lucía Pardo", "lucia@example.com", "Asesor")
	u, err := st.svc.UserByLogin(st.admin(), "lucia@example.com")
	if err != nil {
		t.Fatal(err)
	}
	lucia := st.browser(t)
	lucia.login("lucia@example.com", "secreto-largo")
	wantStatus(t, lucia.get("/app/leads"), http.StatusOK, "the new user's leads")
	if strings.Contains(lucia.get("/app/leads").Body, `id="nav-equipo"`) {
		t.Fatal("an advisor's header links the team page")
	}
	wantStatus(t, lucia.get("/app/equipo"), http.StatusForbidden, "an advisor's team page")
	luciaCSRF := lucia.csrf()

	off := fmt.Sprintf("/app/equipo/%d/desactivar", u.ID)
	wantBody(t, b.get("/app/equipo"), "the team page", fmt.Sprintf(`href="%s?concesionario=%s"`, off, dealer))
	a = b.get(off + "?concesionario=" + dealer)
	wantStatus(t, a, http.StatusOK, "the confirmation")
	wantBody(t, a, "the confirmation", "¿Desactivar a Lucía Pardo?")
	wantStatus(t, lucia.post(off, url.Values{"csrf": {luciaCSRF}, "concesionario": {dealer}}), http.StatusForbidden, "an advisor's deactivation")

	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	wantStatus(t, co.get(off+"?concesionario="+dealer), http.StatusNotFound, "another dealer's admin, this dealer's path")
	if a := co.post(off, url.Values{"csrf": {co.csrf()}, "concesionario": {dealer}}); a.StatusCode != http.StatusNotFound || strings.Contains(a.Body, "Lucía") {
		t.Fatalf("another dealer's deactivation: %d\n%s", a.StatusCode, a.Body)
	}
	wantStatus(t, b.get(fmt.Sprintf("/app/equipo/%d/desactivar?concesionario=%s", st.fx.AdminID, dealer)), http.StatusOK, "his own confirmation")
	wantStatus(t, b.post(fmt.Sprintf("/app/equipo/%d/desactivar", st.fx.AdminID), url.Values{"csrf": {csrf}, "concesionario": {dealer}}),
		http.StatusForbidden, "his own deactivation")
	wantStatus(t, b.post(off, url.Values{"csrf": {csrf}}), http.StatusNotFound, "no dealer")
	wantStatus(t, lucia.get("/app/leads"), http.StatusOK, "the user after the refusals")

	a = b.post(off, url.Values{"csrf": {csrf}, "concesionario": {dealer}})
	wantStatus(t, a, http.StatusSeeOther, "the deactivation")
	wantBody(t, b.get("/app/equipo?hecho=usuario_desactivado"), "after the deactivation", "Usuario desactivado.", "Desactivado el ")
	if a := lucia.get("/app/leads"); a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/app/login") {
		t.Fatalf("the deactivated user's open session: %d %s", a.StatusCode, a.Header.Get("Location"))
	}
	again := st.browser(t)
	if a := again.post("/app/login", url.Values{"username": {"lucia@example.com"}, "password": {"secreto-largo"}}); a.StatusCode == http.StatusSeeOther {
		t.Fatal("the deactivated user logs in")
	}

	// activated again from the page: she logs in
	on := fmt.Sprintf("/app/equipo/%d/activar", u.ID)
	wantBody(t, b.get("/app/equipo"), "the team page", fmt.Sprintf(`action="%s"`, on), "Reactivar")
	wantStatus(t, co.post(on, url.Values{"csrf": {co.csrf()}, "concesionario": {dealer}}), http.StatusNotFound, "another dealer's activation")
	wantStatus(t, b.post(on, url.Values{"concesionario": {dealer}}), http.StatusForbidden, "an activation without the CSRF token")
	if a := again.post("/app/login", url.Values{"username": {"lucia@example.com"}, "password": {"secreto-largo"}}); a.StatusCode == http.StatusSeeOther {
		t.Fatal("a refused activation let the user log in")
	}
	a = b.post(on, url.Values{"csrf": {csrf}, "concesionario": {dealer}})
	wantStatus(t, a, http.StatusSeeOther, "the activation")
	wantBody(t, b.get("/app/equipo?hecho=usuario_activado"), "after the activation", "Usuario reactivado")
	again.login("lucia@example.com", "secreto-largo")
}
