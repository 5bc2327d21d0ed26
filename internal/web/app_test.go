package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
	"forecourt/internal/web"
)

// site is the interface over the demo data, served by a real HTTP server.
type site struct {
	srv *httptest.Server
	svc *core.Service
	fx  demo.Fixture
}

// newSite seeds the demo data (30 leads: two pages) into s and serves the
// interface and its static assets over it.
func newSite(t testing.TB, s *store.Store) site {
	t.Helper()
	svc := core.NewService(s, core.WithPasswordCost(bcrypt.MinCost), core.WithLogger(slog.New(slog.DiscardHandler)))
	fx, err := demo.Seed(context.Background(), svc, demo.Options{Leads: 30})
	if err != nil {
		t.Fatal(err)
	}
	return site{srv: serve(t, svc), svc: svc, fx: fx}
}

// serve serves the interface with opts, and its static assets, over svc.
func serve(t testing.TB, svc *core.Service, opts ...web.Option) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle(web.Prefix, web.NewApp(svc, append([]web.Option{web.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...))
	mux.Handle("GET /static/", web.Static())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// browser is one user's cookies on the site; it does not follow
// redirects, so that each answer can be checked.
type browser struct {
	t    testing.TB
	site site
	c    *http.Client
}

func (s site) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// answer is a response with its body read.
type answer struct {
	*http.Response
	Body string
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp, string(body)}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.site.srv.URL+path, nil)
	return b.do(req)
}

// post sends form to path; header holds name/value pairs.
func (b *browser) post(path string, form url.Values, header ...string) answer {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.site.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

// login logs the browser in as user, failing the test unless it works.
func (b *browser) login(user, password string) {
	b.t.Helper()
	a := b.post("/app/login", url.Values{"username": {user}, "password": {password}})
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/app/leads" {
		b.t.Fatalf("login %s: %d %s", user, a.StatusCode, a.Body)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf is the CSRF token of the browser's session, read from a page.
func (b *browser) csrf() string {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(b.get("/app/leads").Body)
	if m == nil {
		b.t.Fatal("no CSRF token on the leads page")
	}
	return m[1]
}

// token is the browser's session token (its cookie).
func (b *browser) token() string {
	u, _ := url.Parse(b.site.srv.URL + "/app/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "forecourt_session" {
			return c.Value
		}
	}
	return ""
}

// admin is a context acting for the demo dealer's admin, for reading what
// the pages wrote.
func (s site) admin() context.Context {
	return core.WithPrincipal(context.Background(), core.Principal{UserID: s.fx.AdminID, Username: demo.AdminUsername, DealerIDs: []int64{s.fx.DealerID}})
}

// lead reads lead id as the demo's admin.
func (s site) lead(t testing.TB, id int64) core.Lead {
	t.Helper()
	l, err := s.svc.FindLead(s.admin(), id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func wantStatus(t testing.TB, a answer, want int, what string) {
	t.Helper()
	if a.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, a.StatusCode, want, a.Body)
	}
}

func wantBody(t testing.TB, a answer, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(a.Body, s) {
			t.Fatalf("%s: the page does not say %q\n%s", what, s, a.Body)
		}
	}
}

// TestWeb runs the interface's scenarios over one seeded site per engine
// (seeding is most of the time they take); the ones that do not depend on
// the engine, the browser's among them, on SQLite only.
func TestWeb(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		st := newSite(t, s)
		t.Run("login", func(t *testing.T) { testLogin(t, st) })
		t.Run("list", func(t *testing.T) { testList(t, st) })
		t.Run("csrf", func(t *testing.T) { testCSRF(t, st) })
		t.Run("isolation", func(t *testing.T) { testIsolation(t, st) })
		t.Run("actions", func(t *testing.T) { testActions(t, st) })
		t.Run("bounds", func(t *testing.T) { testBounds(t, st) })
		t.Run("tasks", func(t *testing.T) { testTasks(t, st) })
		t.Run("task edit", func(t *testing.T) { testTaskEdit(t, st) })
		t.Run("task delete", func(t *testing.T) { testTaskDelete(t, st) })
		t.Run("appointments", func(t *testing.T) { testAppointments(t, st) })
		t.Run("appointment edit", func(t *testing.T) { testApptEdit(t, st) })
		t.Run("client edit", func(t *testing.T) { testClientEdit(t, st) })
		t.Run("client place", func(t *testing.T) { testClientPlace(t, st) })
		t.Run("new lead", func(t *testing.T) { testNewLead(t, st) })
		t.Run("new lead assignee", func(t *testing.T) { testNewLeadAssignee(t, st) })
		t.Run("clients", func(t *testing.T) { testClients(t, st) })
		t.Run("team", func(t *testing.T) { testTeam(t, st) })
		t.Run("member edit", func(t *testing.T) { testMemberEdit(t, st) })
		if strings.HasSuffix(t.Name(), "/"+store.SQLite) {
			t.Run("secure cookie", func(t *testing.T) { testSecureCookie(t, st) })
			t.Run("throttled login", func(t *testing.T) { testThrottledLogin(t, s, st) })
			t.Run("browser", func(t *testing.T) { testBrowser(t, st) })
		}
	})
}

// testLogin: a page asks for a login and comes back after it; a wrong
// password is refused on the page; the session cookie is HttpOnly and
// SameSite=Lax, every page carries the security headers, and logout
// revokes the token in the core, for the APIs too.
func testLogin(t *testing.T, st site) {
	b := st.browser(t)
	a := b.get("/app/leads?estado=new")
	wantStatus(t, a, http.StatusSeeOther, "the list before login")
	if loc := a.Header.Get("Location"); loc != "/app/login?next="+url.QueryEscape("/app/leads?estado=new") {
		t.Fatalf("the list before login goes to %q", loc)
	}
	a = b.get("/app/login")
	wantStatus(t, a, http.StatusOK, "the login page")
	headers := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Frame-Options":         "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
	}
	for k, v := range headers {
		if got := a.Header.Get(k); got != v {
			t.Errorf("login page: %s %q, want %q", k, got, v)
		}
	}
	a = b.post("/app/login", url.Values{"username": {demo.AdminUsername}, "password": {"wrong"}})
	wantStatus(t, a, http.StatusUnauthorized, "a wrong password")
	wantBody(t, a, "a wrong password", "Usuario o contraseña incorrectos", `value="`+demo.AdminUsername+`"`)
	if b.token() != "" {
		t.Fatal("a wrong password set a session cookie")
	}

	a = b.post("/app/login", url.Values{"username": {demo.AdminUsername}, "password": {demo.AdminPassword},
		"next": {"/app/leads?estado=new"}})
	wantStatus(t, a, http.StatusSeeOther, "login")
	if loc := a.Header.Get("Location"); loc != "/app/leads?estado=new" {
		t.Fatalf("login goes to %q, want back to the list", loc)
	}
	cookie := a.Header.Get("Set-Cookie")
	for _, want := range []string{"forecourt_session=", "Path=/app", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie %q is Secure without an https public URL", cookie)
	}
	token := b.token()
	if _, err := st.svc.Authenticate(context.Background(), token); err != nil {
		t.Fatalf("the cookie's token is not the core's: %v", err)
	}
	a = b.get("/app/leads")
	wantStatus(t, a, http.StatusOK, "the list")
	for k, v := range headers {
		if got := a.Header.Get(k); got != v {
			t.Errorf("list: %s %q, want %q", k, got, v)
		}
	}
	wantBody(t, a, "the list", "Demo Administrador", "Cerrar sesión")

	// a next that leaves the interface is ignored
	b2 := st.browser(t)
	a = b2.post("/app/login", url.Values{"username": {demo.AdminUsername}, "password": {demo.AdminPassword}, "next": {"//evil.example.com/app/"}})
	if loc := a.Header.Get("Location"); loc != "/app/leads" {
		t.Fatalf("login with next=//evil… goes to %q", loc)
	}

	wantStatus(t, b.post("/app/logout", url.Values{"csrf": {"nope"}}), http.StatusForbidden, "logout without the CSRF token")
	a = b.post("/app/logout", url.Values{"csrf": {b2.csrf()}})
	wantStatus(t, a, http.StatusForbidden, "logout with another session's CSRF token")
	csrf := b.csrf()
	a = b.post("/app/logout", url.Values{"csrf": {csrf}})
	wantStatus(t, a, http.StatusSeeOther, "logout")
	if _, err := st.svc.Authenticate(context.Background(), token); core.ErrorCode(err) != core.Unauthorized {
		t.Fatalf("the token after logout: %v, want unauthorized", err)
	}
	if b.token() != "" {
		t.Fatal("logout left the cookie")
	}
	// the old cookie, replayed, is a login again
	old := st.browser(t)
	u, _ := url.Parse(st.srv.URL + "/app/")
	old.c.Jar.SetCookies(u, []*http.Cookie{{Name: "forecourt_session", Value: token, Path: "/app"}})
	wantStatus(t, old.get("/app/leads"), http.StatusSeeOther, "the list with a revoked token")
}

// testSecureCookie: with an https public URL the session cookie is Secure.
func testSecureCookie(t *testing.T, st site) {
	st.srv = serve(t, st.svc, web.WithPublicURL(&url.URL{Scheme: "https", Host: "crm.example.com"}))
	a := st.browser(t).post("/app/login", url.Values{"username": {demo.AdminUsername}, "password": {demo.AdminPassword}})
	wantStatus(t, a, http.StatusSeeOther, "login")
	if c := a.Header.Get("Set-Cookie"); !strings.Contains(c, "; Secure") {
		t.Fatalf("session cookie %q is not Secure", c)
	}
}

// testList: the leads newest first, paged, searched and filtered through
// the core's query model.
func testList(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	ctx := st.admin()
	all, total, err := st.svc.FindLeads(ctx, core.Query{Limit: 30, Total: true})
	if err != nil {
		t.Fatal(err)
	}
	a := b.get("/app/leads")
	wantStatus(t, a, http.StatusOK, "list")
	wantBody(t, a, "list", fmt.Sprintf(`id="total">%d leads`, total), "Página 1 de 2", `id="siguiente"`)
	first, last := strings.Index(a.Body, all[0].PublicID), strings.Index(a.Body, all[1].PublicID)
	if first < 0 || last < first {
		t.Fatal("the list is not newest first")
	}
	if strings.Contains(a.Body, all[25].PublicID) {
		t.Fatal("the first page shows the 26th lead")
	}
	wantBody(t, b.get("/app/leads?pagina=2"), "page 2", all[25].PublicID, "Página 2 de 2")

	// search: the core's text search, on a client's phone
	target := all[3]
	a = b.get("/app/leads?q=" + url.QueryEscape(target.Client.Phone))
	wantBody(t, a, "search", `id="total">1 lead<`, target.PublicID, `value="`+target.Client.Phone+`"`)

	// filters: stage and advisor, as the core counts them
	for _, f := range []struct {
		query string
		where core.Cond
	}{
		{"estado=new", core.Eq("stage", "new")},
		{"asesor=" + strconv.FormatInt(st.fx.AdvisorIDs[0], 10), core.Eq("user", st.fx.AdvisorIDs[0])},
		{"asesor=ninguno", core.Cond{Op: core.OpExists, Field: "user", Value: false}},
		{"estado=end&asesor=" + strconv.FormatInt(st.fx.AdminID, 10), core.And(core.Eq("stage", "end"), core.Eq("user", st.fx.AdminID))},
	} {
		_, n, err := st.svc.FindLeads(ctx, core.Query{Where: f.where, Limit: 1, Total: true})
		if err != nil {
			t.Fatal(err)
		}
		word := "leads"
		if n == 1 {
			word = "lead"
		}
		wantBody(t, b.get("/app/leads?"+f.query), f.query, fmt.Sprintf(`id="total">%d %s<`, n, word))
	}
}

// testCSRF: a form without the session's token, with another's, or posted
// from another site is refused with 403 and changes nothing.
func testCSRF(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	id := st.fx.LeadIDs[0]
	before := st.lead(t, id)
	path := "/app/leads/" + before.PublicID
	v := strconv.Itoa(before.Version)
	for _, c := range []struct {
		what   string
		form   url.Values
		header []string
	}{
		{"no token", url.Values{"contenido": {"forged"}}, nil},
		{"a wrong token", url.Values{"contenido": {"forged"}, "csrf": {strings.Repeat("0", len(csrf))}}, nil},
		{"the token from another site", url.Values{"contenido": {"forged"}, "csrf": {csrf}}, []string{"Sec-Fetch-Site", "cross-site"}},
		{"the token from another origin", url.Values{"contenido": {"forged"}, "csrf": {csrf}}, []string{"Origin", "https://evil.example.com"}},
	} {
		a := b.post(path+"/notas", c.form, c.header...)
		wantStatus(t, a, http.StatusForbidden, "a note with "+c.what)
		wantBody(t, a, c.what, "El formulario ha caducado")
		a = b.post(path+"/estado", url.Values{"estado": {"end"}, "version": {v}, "csrf": c.form["csrf"]}, c.header...)
		wantStatus(t, a, http.StatusForbidden, "a status change with "+c.what)
	}
	if after := st.lead(t, id); after.Version != before.Version || after.Stage != before.Stage || len(after.Notes) != len(before.Notes) {
		t.Fatalf("refused forms changed the lead: version %d → %d", before.Version, after.Version)
	}
	// a login posted from another site is refused too
	a := st.browser(t).post("/app/login", url.Values{"username": {demo.AdminUsername}, "password": {demo.AdminPassword}}, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, a, http.StatusForbidden, "a cross-site login")
}

// testIsolation: another dealer's lead answers 404, by either id, for
// reading and for every action, shows none of its data and changes
// nothing; the list shows only the user's dealer's leads.
func testIsolation(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.COAdminUsername, demo.AdminPassword)
	spanish := st.lead(t, st.fx.LeadIDs[0])
	a := b.get("/app/leads")
	wantStatus(t, a, http.StatusOK, "Colombia's list")
	if strings.Contains(a.Body, spanish.PublicID) || strings.Contains(a.Body, spanish.Client.Name) {
		t.Fatal("Colombia's list shows a Spanish lead")
	}
	csrf := b.csrf()
	v := strconv.Itoa(spanish.Version)
	for _, id := range []string{spanish.PublicID, strconv.FormatInt(spanish.ID, 10)} {
		a := b.get("/app/leads/" + id)
		wantStatus(t, a, http.StatusNotFound, "another dealer's lead "+id)
		if strings.Contains(a.Body, spanish.Client.Name) || strings.Contains(a.Body, spanish.Client.Phone) {
			t.Fatal("the 404 shows the lead's data")
		}
		wantBody(t, a, "404", "No existe esa página o ese lead")
		for _, act := range []struct{ path, field, value string }{
			{"/notas", "contenido", "intrusa"}, {"/estado", "estado", "end"}, {"/asignar", "asesor", strconv.FormatInt(st.fx.COAdminID, 10)},
		} {
			a := b.post("/app/leads/"+id+act.path, url.Values{"csrf": {csrf}, "version": {v}, act.field: {act.value}})
			wantStatus(t, a, http.StatusNotFound, "an action on another dealer's lead: "+act.path)
		}
	}
	if after := st.lead(t, spanish.ID); after.Version != spanish.Version {
		t.Fatal("another dealer's actions changed the lead")
	}
	for _, id := range []string{"999999999", "0", "-1", "not-an-id", strings.Repeat("a", 65)} {
		wantStatus(t, b.get("/app/leads/"+id), http.StatusNotFound, "lead "+id)
	}
	wantStatus(t, b.get("/app/nothing-here"), http.StatusNotFound, "an unknown page")
}

// testActions: a note, a status change and an assignment each go through
// the core and show in the lead's page and history; what the core refuses
// (a stale form, a reassignment by an advisor who may not) is a message on
// the page and changes nothing.
func testActions(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	l := st.lead(t, st.fx.LeadIDs[1])
	path := "/app/leads/" + l.PublicID
	notes := len(l.Notes)
	_, seeded, err := st.svc.LeadHistory(st.admin(), l.ID, false, core.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}

	a := b.get(path)
	wantStatus(t, a, http.StatusOK, "the lead's page")
	wantBody(t, a, "the lead's page", l.Client.Name, l.Client.Phone, l.Vehicle.BrandModel, "Lead creado", fmt.Sprintf(`name="version" value="%d"`, l.Version))
	// by the internal id too
	wantBody(t, b.get("/app/leads/"+strconv.FormatInt(l.ID, 10)), "by internal id", l.PublicID)
	if strings.Contains(a.Body, `<option value="`+string(l.Stage)+`">`) {
		t.Fatal("the status form offers the lead's own stage")
	}

	a = b.post(path+"/notas", url.Values{"csrf": {csrf}, "contenido": {"  Llamar el lunes por la tarde  "}})
	wantStatus(t, a, http.StatusSeeOther, "a note")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=nota" {
		t.Fatalf("after a note: %q", loc)
	}
	wantBody(t, b.get(path+"?hecho=nota"), "after a note", "Nota añadida.", "Llamar el lunes por la tarde", "Demo Administrador")
	l = st.lead(t, l.ID)
	if len(l.Notes) != notes+1 || l.Notes[notes].Content != "Llamar el lunes por la tarde" {
		t.Fatalf("notes: %+v", l.Notes)
	}

	a = b.post(path+"/estado", url.Values{"csrf": {csrf}, "estado": {"tracing"}, "version": {strconv.Itoa(l.Version)}})
	wantStatus(t, a, http.StatusSeeOther, "a status change")
	a = b.get(path)
	wantBody(t, a, "after the status change", `id="estado-actual"><span class="stage stage-tracing">Seguimiento`, "Cambio de estado")
	stale := strconv.Itoa(l.Version) // the form as it was before the change
	l = st.lead(t, l.ID)
	if l.Stage != core.StageTracing {
		t.Fatalf("stage %s", l.Stage)
	}
	// the form rendered before the change is stale now
	a = b.post(path+"/estado", url.Values{"csrf": {csrf}, "estado": {"end"}, "version": {stale}})
	wantStatus(t, a, http.StatusConflict, "a stale status form")
	wantBody(t, a, "a stale form", "El lead ha cambiado mientras lo mirabas")
	a = b.post(path+"/estado", url.Values{"csrf": {csrf}, "estado": {"end"}, "resultado": {"sale"}, "version": {strconv.Itoa(l.Version)}})
	wantStatus(t, a, http.StatusSeeOther, "finishing with a sale")
	if l = st.lead(t, l.ID); l.Stage != core.StageEnd || l.Outcome != core.OutcomeSale {
		t.Fatalf("finished: %s %s", l.Stage, l.Outcome)
	}
	wantBody(t, b.get(path), "finished", "Finalizado</span> · Venta", "Lead finalizado")

	advisor := st.fx.AdvisorIDs[2]
	a = b.post(path+"/asignar", url.Values{"csrf": {csrf}, "asesor": {strconv.FormatInt(advisor, 10)}, "version": {strconv.Itoa(l.Version)}})
	wantStatus(t, a, http.StatusSeeOther, "an assignment")
	if l = st.lead(t, l.ID); l.UserID == nil || *l.UserID != advisor {
		t.Fatalf("assigned to %v", l.UserID)
	}
	wantBody(t, b.get(path), "assigned", `id="asesor-actual">Marta Sánchez Ruiz`, "Asignación", "Demo Administrador <span class=\"via\">vía la web</span>")

	// an advisor who is not the assignee nor a manager is not offered the
	// assignment, and is refused it
	other := st.browser(t)
	other.login("asesor2@example.com", demo.AdminPassword)
	a = other.get(path)
	wantStatus(t, a, http.StatusOK, "the lead for another advisor")
	if strings.Contains(a.Body, `id="form-asignar"`) {
		t.Fatal("the assignment is offered to an advisor the core does not let assign")
	}
	a = other.post(path+"/asignar", url.Values{"csrf": {other.csrf()}, "asesor": {strconv.FormatInt(st.fx.AdvisorIDs[1], 10)}, "version": {strconv.Itoa(l.Version)}})
	wantStatus(t, a, http.StatusForbidden, "an assignment the core refuses")
	wantBody(t, a, "refused assignment", "No tienes permiso")
	// an assignee not of the dealer is the core's refusal too
	a = b.post(path+"/asignar", url.Values{"csrf": {csrf}, "asesor": {strconv.FormatInt(st.fx.COAdminID, 10)}, "version": {strconv.Itoa(l.Version)}})
	wantStatus(t, a, http.StatusBadRequest, "an assignee of another dealer")
	if after := st.lead(t, l.ID); after.Version != l.Version {
		t.Fatal("refused assignments changed the lead")
	}

	// the history the pages wrote is the core's, as every API reads it
	hist, _, err := st.svc.LeadHistory(st.admin(), l.ID, false, core.Page{Offset: seeded, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, h := range hist {
		if h.UserID == nil || *h.UserID != st.fx.AdminID || h.Via != core.ViaWeb {
			t.Errorf("history entry %s by %v via %q, want the admin via the web", h.Kind, h.UserID, h.Via)
		}
		kinds = append(kinds, string(h.Kind))
	}
	if got := strings.Join(kinds, " "); got != "lead_updated stage_changed lead_finished lead_assigned" {
		t.Fatalf("history kinds: %s", got)
	}
}

// testBounds: every input is bounded, and what is out of bounds is a
// message on the page with a 4xx, never a 500, and changes nothing.
func testBounds(t *testing.T, st site) {
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	csrf := b.csrf()
	l := st.lead(t, st.fx.LeadIDs[2])
	path := "/app/leads/" + l.PublicID
	v := strconv.Itoa(l.Version)
	for _, c := range []struct {
		what, query string
		status      int
		says        string
	}{
		{"a long search", "q=" + strings.Repeat("a", 201), 400, "La búsqueda es demasiado larga"},
		{"too many terms", "q=" + strings.Repeat("a+", 30), 400, "Los datos no son válidos"},
		{"an unknown stage", "estado=sold", 400, "Ese estado no existe"},
		{"an advisor of no dealer of the user", "asesor=" + strconv.FormatInt(st.fx.COAdminID, 10), 400, "Ese asesor no existe"},
		{"an advisor that is no id", "asesor=x", 400, "Ese asesor no existe"},
		{"page 0", "pagina=0", 400, "Esa página no existe"},
		{"page 401", "pagina=401", 400, "Esa página no existe"},
		{"a page that is no number", "pagina=dos", 400, "Esa página no existe"},
		{"invalid UTF-8", "q=%ff", 400, "La búsqueda no es válida"},
	} {
		a := b.get("/app/leads?" + c.query)
		wantStatus(t, a, c.status, c.what)
		wantBody(t, a, c.what, c.says)
	}
	for _, c := range []struct {
		what, action string
		form         url.Values
		status       int
		says         string
	}{
		{"an empty note", "/notas", url.Values{"contenido": {"   "}}, 400, "La nota está vacía"},
		{"a long note", "/notas", url.Values{"contenido": {strings.Repeat("ñ", core.MaxLongText+1)}}, 413, "demasiado grande"},
		{"a note of 10,001 letters", "/notas", url.Values{"contenido": {strings.Repeat("a", core.MaxLongText+1)}}, 400, "La nota es demasiado larga"},
		{"an unknown stage", "/estado", url.Values{"estado": {"sold"}, "version": {v}}, 400, "Ese estado no existe"},
		{"an outcome without the end", "/estado", url.Values{"estado": {"tracing"}, "resultado": {"sale"}, "version": {v}}, 400, "solo se puede indicar al finalizar"},
		{"an unknown outcome", "/estado", url.Values{"estado": {"end"}, "resultado": {"won"}, "version": {v}}, 400, "Ese resultado no existe"},
		{"no version", "/estado", url.Values{"estado": {"end"}}, 400, "El formulario no es válido"},
		{"an advisor that is no id", "/asignar", url.Values{"asesor": {"x"}, "version": {v}}, 400, "Ese asesor no existe"},
		{"an advisor that does not exist", "/asignar", url.Values{"asesor": {"999999"}, "version": {v}}, 400, "Los datos no son válidos"},
	} {
		c.form.Set("csrf", csrf)
		a := b.post(path+c.action, c.form)
		wantStatus(t, a, c.status, c.what)
		wantBody(t, a, c.what, c.says)
	}
	if after := st.lead(t, l.ID); after.Version != l.Version {
		t.Fatalf("refused forms changed the lead: version %d → %d", l.Version, after.Version)
	}
}

// testThrottledLogin: past the core's limit of failed logins the page says
// to wait, with 429 and Retry-After, and the right password is not even
// tried until then.
func testThrottledLogin(t *testing.T, s *store.Store, st site) {
	svc := core.NewService(s, core.WithLoginThrottle(2, time.Hour), core.WithLogger(slog.New(slog.DiscardHandler)))
	st.srv = serve(t, svc)
	b := st.browser(t)
	for range 2 {
		wantStatus(t, b.post("/app/login", url.Values{"username": {"asesor3@example.com"}, "password": {"wrong"}}), http.StatusUnauthorized, "a wrong password")
	}
	a := b.post("/app/login", url.Values{"username": {"asesor3@example.com"}, "password": {demo.AdminPassword}})
	wantStatus(t, a, http.StatusTooManyRequests, "a login past the limit")
	wantBody(t, a, "throttled", "Demasiados intentos fallidos", "Podrás volver a intentarlo en")
	if a.Header.Get("Retry-After") == "" || b.token() != "" {
		t.Fatalf("throttled: Retry-After %q, cookie %q", a.Header.Get("Retry-After"), b.token())
	}
}
