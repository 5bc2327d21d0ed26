package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// testClients: the clients list counts and searches as the core does, a
// client's page lists its leads, and another dealer's client is 404 and
// absent from the list.
func testClients(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	_, total, err := st.svc.FindClients(st.admin(), core.Query{Limit: 1, Total: true})
	if err != nil {
		t.Fatal(err)
	}
	a := b.get("/app/clientes")
	wantStatus(t, a, http.StatusOK, "the clients")
	wantBody(t, a, "the clients", fmt.Sprintf(`id="total-clientes">%d clientes<`, total), `href="/app/clientes"`)
	if total <= 25 {
		t.Fatalf("the demo has %d clients: one page, the pages' links untested", total)
	}
	wantBody(t, a, "the clients' pages", `href="/app/clientes?pagina=2"`, "Página 1 de ")
	wantBody(t, b.get("/app/clientes?pagina=2"), "page 2", `href="/app/clientes?pagina=1"`)

	l := st.lead(t, st.fx.LeadIDs[4])
	c := *l.Client
	a = b.get("/app/clientes?q=" + url.QueryEscape(c.Phone))
	wantBody(t, a, "a search by phone", `id="total-clientes">1 cliente<`, `href="/app/clientes/`+c.PublicID+`"`, c.Name)
	wantStatus(t, b.get("/app/clientes?q="+strings.Repeat("a", 201)), http.StatusBadRequest, "a long search")
	wantStatus(t, b.get("/app/clientes?pagina=401"), http.StatusBadRequest, "a page past 400")
	wantStatus(t, b.get("/app/clientes?q=%ff"), http.StatusBadRequest, "invalid UTF-8")

	_, n, err := st.svc.FindLeads(st.admin(), core.Query{Where: core.Eq("client", c.ID), Limit: 1, Total: true})
	if err != nil {
		t.Fatal(err)
	}
	word := "leads"
	if n == 1 {
		word = "lead"
	}
	for _, id := range []string{c.PublicID, strconv.FormatInt(c.ID, 10)} {
		a = b.get("/app/clientes/" + id)
		wantStatus(t, a, http.StatusOK, "the client's page "+id)
		wantBody(t, a, "the client's page", `id="titulo">`+c.Name+`<`, c.Phone, fmt.Sprintf(`id="total">%d %s<`, n, word), `href="/app/leads/`+l.PublicID+`"`)
	}

	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	if a := co.get("/app/clientes"); strings.Contains(a.Body, c.PublicID) || strings.Contains(a.Body, c.Name) {
		t.Fatal("Colombia's clients list shows a Spanish client")
	}
	wantBody(t, co.get("/app/clientes?q="+url.QueryEscape(c.Phone)), "Colombia searching a Spanish phone", `id="total-clientes">0 clientes<`)
	for _, id := range []string{c.PublicID, strconv.FormatInt(c.ID, 10), "0", "999999999", "not-an-id", strings.Repeat("a", 65)} {
		a := co.get("/app/clientes/" + id)
		wantStatus(t, a, http.StatusNotFound, "another dealer's client "+id)
		if strings.Contains(a.Body, c.Name) || strings.Contains(a.Body, c.Phone) {
			t.Fatal("the 404 shows the client's data")
		}
	}
}
