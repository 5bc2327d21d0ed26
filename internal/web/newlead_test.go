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

// testNewLead: a lead entered by hand is the core's CreateLead: the
// source's dealer, the creator as assignee, the dealer's existing client
// when the phone matches, the first note; a refused form (the page's or
// the core's) keeps the typed values and writes nothing; a forged form is
// 403; another dealer's source is refused.
func testNewLead(t *testing.T, st site) {
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
	phoneSrc := strconv.FormatInt(st.fx.SourceIDs["phone"], 10)
	coLead, err := st.svc.FindLead(core.WithPrincipal(t.Context(), core.Principal{UserID: st.fx.COAdminID, DealerIDs: []int64{st.fx.CODealerID}}), st.fx.COLeadID)
	if err != nil {
		t.Fatal(err)
	}
	coSrc := strconv.FormatInt(coLead.SourceID, 10)

	a := b.get("/app/leads/nuevo")
	wantStatus(t, a, http.StatusOK, "the new-lead form")
	wantBody(t, a, "the new-lead form", `<option value="`+phoneSrc+`"`, `id="crear-lead"`)
	if strings.Contains(a.Body, `<option value="`+coSrc+`"`) {
		t.Fatal("the form offers another dealer's source")
	}
	wantBody(t, b.get("/app/leads"), "the list", `href="/app/leads/nuevo"`)

	form := func(change ...string) url.Values {
		v := url.Values{"csrf": {csrf}, "fuente": {phoneSrc}, "nombre": {"Rosa Beltrán"}, "telefono": {"611 22 33 44"},
			"email": {"rosa.beltran@example.com"}, "vehiculo": {"Kia Niro"}, "nota": {"Vino a la exposición"}}
		for i := 0; i+1 < len(change); i += 2 {
			v.Set(change[i], change[i+1])
		}
		return v
	}
	for _, c := range []struct {
		what   string
		form   url.Values
		status int
		says   string
	}{
		{"no CSRF token", form("csrf", ""), http.StatusForbidden, "El formulario ha caducado"},
		{"another dealer's source", form("fuente", coSrc), http.StatusBadRequest, "Ese origen no existe en tu concesionario"},
		{"a source that is none", form("fuente", "abc"), http.StatusBadRequest, "Ese origen no existe"},
		{"no name", form("nombre", "  "), http.StatusBadRequest, "Escribe el nombre del cliente"},
		{"no phone nor e-mail", form("telefono", "", "email", ""), http.StatusBadRequest, "Escribe un teléfono o un e-mail"},
		{"a long note", form("nota", strings.Repeat("x", core.MaxLongText+1)), http.StatusBadRequest, "La nota es demasiado larga"},
		{"invalid UTF-8", form("nombre", "Rosa \xff"), http.StatusBadRequest, "El formulario no es válido"},
		{"the core's refusal: an e-mail that is none", form("email", "rosa@"), http.StatusBadRequest, "Los datos no son válidos"},
		{"the core's refusal: a long name", form("nombre", strings.Repeat("n", core.MaxShortText+1)), http.StatusBadRequest, "Los datos no son válidos"},
	} {
		a := b.post("/app/leads/nuevo", c.form)
		wantStatus(t, a, c.status, c.what)
		wantBody(t, a, c.what, c.says)
	}
	a = b.post("/app/leads/nuevo", form("email", "rosa@"))
	wantBody(t, a, "a refused lead keeps its values", `value="Kia Niro"`, `value="611 22 33 44"`, `value="rosa@"`, ">Vino a la exposición</textarea>",
		`<option value="`+phoneSrc+`" selected>`, "email") // the core's field, in its words
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	a = co.post("/app/leads/nuevo", url.Values{"csrf": {co.csrf()}, "fuente": {phoneSrc}, "nombre": {"Intrusa"}, "telefono": {"600000000"}})
	wantStatus(t, a, http.StatusBadRequest, "a Spanish source from Colombia")
	if n := count(); n != before {
		t.Fatalf("refused forms wrote %d leads", n-before)
	}

	// created: the source's dealer, the creator as assignee, the note
	a = b.post("/app/leads/nuevo", form())
	wantStatus(t, a, http.StatusSeeOther, "a new lead")
	loc := a.Header.Get("Location")
	if !strings.HasPrefix(loc, "/app/leads/") || !strings.HasSuffix(loc, "?hecho=creado") {
		t.Fatalf("after a new lead: %q", loc)
	}
	id, err := st.svc.ResolvePublicID(st.admin(), core.RecordLead, strings.TrimSuffix(strings.TrimPrefix(loc, "/app/leads/"), "?hecho=creado"))
	if err != nil {
		t.Fatal(err)
	}
	l := st.lead(t, id)
	if l.DealerID != st.fx.DealerID || l.SourceID != st.fx.SourceIDs["phone"] || l.UserID == nil || *l.UserID != st.fx.AdminID ||
		l.Client == nil || l.Client.Name != "Rosa Beltrán" || l.Client.Email != "rosa.beltran@example.com" ||
		l.Vehicle == nil || l.Vehicle.BrandModel != "Kia Niro" || len(l.Notes) != 1 || l.Notes[0].Content != "Vino a la exposición" {
		t.Fatalf("the lead entered by hand: %+v", l)
	}
	wantBody(t, b.get(loc), "the new lead's page", "Lead creado.", "Rosa Beltrán", "Kia Niro", "Vino a la exposición", "vía la web")

	// the same phone again: the dealer's client, not a new one
	a = b.post("/app/leads/nuevo", form("nombre", "Rosa B.", "email", "", "vehiculo", "Kia Sportage", "nota", ""))
	wantStatus(t, a, http.StatusSeeOther, "a second lead of the client")
	id2, err := st.svc.ResolvePublicID(st.admin(), core.RecordLead, strings.TrimSuffix(strings.TrimPrefix(a.Header.Get("Location"), "/app/leads/"), "?hecho=creado"))
	if err != nil {
		t.Fatal(err)
	}
	if l2 := st.lead(t, id2); l2.Client == nil || l2.Client.ID != l.Client.ID {
		t.Fatalf("the second lead's client: %+v, want the matched %d", l2.Client, l.Client.ID)
	}
	if n := count(); n != before+2 {
		t.Fatalf("leads: %d, want %d", n, before+2)
	}
}
