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

// testClientEdit: a client's contact data edited from its page are the
// core's (the client, its leads' copies, an entry of each lead's history
// by the user via the web, SML's search by the new phone); bad input is
// 400 with the values kept and nothing written, a stale form 409 with the
// client as it is now, a forged one 403, another dealer's client 404.
func testClientEdit(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	l := st.lead(t, st.fx.LeadIDs[9])
	cl, err := st.svc.FindClient(st.admin(), l.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	path := "/app/clientes/" + cl.PublicID
	edit := path + "/editar"
	wantBody(t, b.get(path), "the client's page", `href="`+edit+`"`)
	a := b.get(edit)
	wantStatus(t, a, http.StatusOK, "the edit page")
	wantBody(t, a, "the edit page", `value="`+cl.Name+`"`, `value="`+cl.Phone+`"`, `name="version" value="`+strconv.Itoa(cl.Version)+`"`)
	hist := func() int {
		t.Helper()
		_, n, err := st.svc.LeadHistory(st.admin(), l.ID, true, core.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := hist()

	v := strconv.Itoa(cl.Version)
	form := func(kv ...string) url.Values {
		f := url.Values{"csrf": {csrf}, "version": {v}, "nombre": {"Lucía Gómez Pardo"}, "telefono": {"+34 699 000 111"}, "email": {"lucia.gomez@example.com"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return f
	}
	wantRefusals(t, b, edit, []refusal{
		{"no CSRF token", form("csrf", ""), http.StatusForbidden, "El formulario ha caducado"},
		{"no version", form("version", ""), http.StatusBadRequest, "El formulario no es válido"},
		{"no name", form("nombre", "   "), http.StatusBadRequest, "Escribe el nombre del cliente"},
		{"invalid UTF-8", form("nombre", "\xff"), http.StatusBadRequest, "El formulario no es válido"},
		{"an e-mail that is none", form("email", "no es un e-mail"), http.StatusBadRequest, "Los datos no son válidos"},
		{"a long name", form("nombre", strings.Repeat("n", core.MaxShortText+1)), http.StatusBadRequest, "Los datos no son válidos"},
		{"a stale version", form("version", strconv.Itoa(cl.Version+1)), http.StatusConflict, "El cliente ha cambiado"},
	})
	wantBody(t, b.post(edit, form("email", "no es un e-mail")), "a refused edit", `value="Lucía Gómez Pardo"`, `value="no es un e-mail"`)
	wantBody(t, b.post(edit, form("version", strconv.Itoa(cl.Version+1))), "a stale edit", `value="`+cl.Name+`"`)
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	wantStatus(t, co.get(edit), http.StatusNotFound, "another dealer's client's form")
	a = co.post(edit, form("csrf", co.csrf()))
	wantStatus(t, a, http.StatusNotFound, "an edit of another dealer's client")
	if strings.Contains(a.Body, cl.Name) {
		t.Fatal("another dealer's 404 shows the client")
	}
	if got, _ := st.svc.FindClient(st.admin(), cl.ID); got.Version != cl.Version || got.Name != cl.Name || hist() != before {
		t.Fatalf("refused edits changed the client (v%d → v%d) or the history (%d → %d)", cl.Version, got.Version, before, hist())
	}

	a = b.post(edit, form("telefono", " +34 699 000 111 "))
	wantStatus(t, a, http.StatusSeeOther, "the edit")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=cliente" {
		t.Fatalf("after the edit: %q", loc)
	}
	got, err := st.svc.FindClient(st.admin(), cl.ID)
	if err != nil || got.Name != "Lucía Gómez Pardo" || got.Phone != "+34 699 000 111" || got.Email != "lucia.gomez@example.com" || got.Version != cl.Version+1 {
		t.Fatalf("the client after the edit: %+v, %v", got, err)
	}
	wantBody(t, b.get(path+"?hecho=cliente"), "after the edit", "Datos del cliente guardados.", "Lucía Gómez Pardo", "699 000 111")
	if hist() != before+1 {
		t.Fatalf("the lead's history has %d entries more, want 1", hist()-before)
	}
	wantBody(t, b.get("/app/leads/"+l.PublicID), "the lead's page", "<h1 id=\"titulo\">Lucía Gómez Pardo</h1>", "nombre del cliente", "teléfono del cliente",
		"vía la web")
	if ls, n, _ := st.svc.FindLeads(st.admin(), core.Query{Where: core.Match("699000111"), Limit: 5, Total: true}); n == 0 ||
		!slicesContainsLead(ls, l.ID) {
		t.Fatalf("the new phone does not find the client's lead (%d found)", n)
	}
}

func slicesContainsLead(ls []core.Lead, id int64) bool {
	for _, l := range ls {
		if l.ID == id {
			return true
		}
	}
	return false
}
