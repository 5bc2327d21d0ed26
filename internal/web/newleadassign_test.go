package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// testNewLeadAssignee: an administrator or business manager gives a lead
// entered by hand to a user of the dealer, an advisor cannot (he is not
// offered to, and a forged form is 403); the vehicle's price and year
// are read as typed, bounded, and refused with the values kept.
func testNewLeadAssignee(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	count := func() int {
		t.Helper()
		_, n, err := st.svc.FindLeads(st.admin(), core.Query{Limit: 1, Total: true})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	src := strconv.FormatInt(st.fx.SourceIDs["web"], 10)
	advisor := strconv.FormatInt(st.fx.AdvisorIDs[1], 10)
	form := func(change ...string) url.Values {
		v := url.Values{"csrf": {csrf}, "fuente": {src}, "nombre": {"Íñigo Sáez"}, "telefono": {"622 33 44 55"}, "vehiculo": {"Dacia Duster"},
			"precio": {"18990,50"}, "anio": {"2023"}, "asesor": {advisor}}
		for i := 0; i+1 < len(change); i += 2 {
			v.Set(change[i], change[i+1])
		}
		return v
	}
	wantBody(t, b.get("/app/leads/nuevo"), "the admin's form", `id="asesor"`, `<option value="`+advisor+`">`, `id="precio"`, `id="anio"`)
	wantRefusals(t, b, "/app/leads/nuevo", []refusal{
		{"a price with letters", form("precio", "mucho"), http.StatusBadRequest, "El precio no es válido"},
		{"a price with thousands", form("precio", "18.990"), http.StatusBadRequest, "El precio no es válido"},
		{"a long price", form("precio", strings.Repeat("9", 13)), http.StatusBadRequest, "El precio no es válido"},
		{"a negative price", form("precio", "-5"), http.StatusBadRequest, "El precio no es válido"},
		{"a year out of range", form("anio", "1899"), http.StatusBadRequest, "El año no es válido"},
		{"a year that is none", form("anio", "dos mil"), http.StatusBadRequest, "El año no es válido"},
		{"another dealer's user", form("asesor", strconv.FormatInt(st.fx.COAdminID, 10)), http.StatusBadRequest, "Ese asesor no existe"},
		{"an assignee that is none", form("asesor", "x"), http.StatusBadRequest, "Ese asesor no existe"},
	})
	wantBody(t, b.post("/app/leads/nuevo", form("anio", "1899")), "a refused lead keeps its values", `value="18990,50"`, `value="1899"`,
		`<option value="`+advisor+`" selected>`)
	// an advisor who manages nothing: no choice, and a forged one is 403
	adv := st.browser(t)
	adv.login("asesor2@example.com", demo.AdminPassword)
	if a := adv.get("/app/leads/nuevo"); strings.Contains(a.Body, `id="asesor"`) {
		t.Fatal("an advisor is offered to choose the assignee")
	}
	a := adv.post("/app/leads/nuevo", form("csrf", adv.csrf(), "asesor", strconv.FormatInt(st.fx.AdminID, 10)))
	wantStatus(t, a, http.StatusForbidden, "an advisor's forged assignee")
	wantBody(t, a, "an advisor's forged assignee", "Solo un administrador o un jefe de ventas")
	if n := count(); n != before {
		t.Fatalf("refused forms wrote %d leads", n-before)
	}

	a = b.post("/app/leads/nuevo", form())
	wantStatus(t, a, http.StatusSeeOther, "a lead for the advisor")
	id, err := st.svc.ResolvePublicID(st.admin(), core.RecordLead, strings.TrimSuffix(strings.TrimPrefix(a.Header.Get("Location"), "/app/leads/"), "?hecho=creado"))
	if err != nil {
		t.Fatal(err)
	}
	l := st.lead(t, id)
	if l.UserID == nil || *l.UserID != st.fx.AdvisorIDs[1] || l.CreatedBy == nil || *l.CreatedBy != st.fx.AdminID || l.Vehicle == nil ||
		l.Vehicle.Price != "18990.50" || l.Vehicle.Year == nil || *l.Vehicle.Year != 2023 || l.Vehicle.BrandModel != "Dacia Duster" {
		t.Fatalf("the lead for the advisor: user %v, by %v, vehicle %+v", l.UserID, l.CreatedBy, l.Vehicle)
	}
	wantBody(t, b.get(a.Header.Get("Location")), "its page", "18990.50", "2023")
	// the advisor's own lead, naming himself, with neither price nor year
	a = adv.post("/app/leads/nuevo", url.Values{"csrf": {adv.csrf()}, "fuente": {src}, "nombre": {"Luz Ortega"}, "telefono": {"633 44 55 66"}, "vehiculo": {"Seat Ibiza"},
		"asesor": {advisor}})
	wantStatus(t, a, http.StatusSeeOther, "the advisor's own lead")
	id, err = st.svc.ResolvePublicID(st.admin(), core.RecordLead, strings.TrimSuffix(strings.TrimPrefix(a.Header.Get("Location"), "/app/leads/"), "?hecho=creado"))
	if err != nil {
		t.Fatal(err)
	}
	if l := st.lead(t, id); l.UserID == nil || *l.UserID != st.fx.AdvisorIDs[1] || l.Vehicle == nil || l.Vehicle.Price != "" || l.Vehicle.Year != nil {
		t.Fatalf("the advisor's own lead: user %v, vehicle %+v", l.UserID, l.Vehicle)
	}
}
