package server

import (
	"context"
	"encoding/json"
	"fmt"
	"forecourt/internal/core"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestWebInterfaceWritesWhatSMLReads: the staff's interface is mounted
// under /app/ beside the APIs; a note and a status change made on a lead's
// page are the core's, and SML's lead history shows them, by the user who
// made them.
func TestWebInterfaceWritesWhatSMLReads(t *testing.T) {
	h, svc, fx := demoServer(t, nil)

	// /app redirects to the interface, which asks for a login
	if rec := send(h, "GET", "/app", ""); rec.Code/100 != 3 || rec.Header().Get("Location") != "/app/" {
		t.Fatalf("GET /app: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := send(h, "GET", "/app/leads", ""); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/app/login") {
		t.Fatalf("GET /app/leads without a session: %d %s", rec.Code, rec.Header().Get("Location"))
	}

	form := func(path, cookie string, v url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	login := form("/app/login", "", url.Values{"username": {"demo@example.com"}, "password": {"demo"}})
	if login.Code != http.StatusSeeOther {
		t.Fatalf("web login: %d %s", login.Code, login.Body)
	}
	cookie := strings.SplitN(login.Header().Get("Set-Cookie"), ";", 2)[0]
	list := send(h, "GET", "/app/leads", "", "Cookie", cookie)
	if list.Code != http.StatusOK || list.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("the list: %d, Cache-Control %q", list.Code, list.Header().Get("Cache-Control"))
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(list.Body.String())[1]

	// a lead SML creates, the web changes
	smlLogin := send(h, "POST", "/api/auth/login/", `{"username":"demo@example.com","password":"demo"}`)
	var tok struct{ Token string }
	if err := json.Unmarshal(smlLogin.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		t.Fatalf("SML login: %s", smlLogin.Body)
	}
	created := send(h, "POST", "/api/lead/", fmt.Sprintf(`{"source": %d, "vehicle": {"brand_model": "Seat León"}, "client": {"name": "Nuria", "phone": "655443311"}}`,
		fx.SourceIDs["phone"]), "Authorization", "Token "+tok.Token)
	var lead struct{ ID int64 }
	if err := json.Unmarshal(created.Body.Bytes(), &lead); err != nil || lead.ID == 0 {
		t.Fatalf("SML create: %d %s", created.Code, created.Body)
	}
	id := lead.ID
	path := fmt.Sprintf("/app/leads/%d", id)
	page := send(h, "GET", path, "", "Cookie", cookie)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.Body.String())[1]
	if rec := form(path+"/notas", cookie, url.Values{"csrf": {csrf}, "contenido": {"Nota escrita en la web"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("note: %d %s", rec.Code, rec.Body)
	}
	// the note gave the lead its next version
	var next int
	fmt.Sscan(version, &next)
	if rec := form(path+"/estado", cookie, url.Values{"csrf": {csrf}, "estado": {"tracing"}, "version": {fmt.Sprint(next + 1)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("status: %d %s", rec.Code, rec.Body)
	}

	// a task created on the page is one SML's lead lists
	if rec := form(path+"/tareas", cookie, url.Values{"csrf": {csrf}, "tipo": {"budget"}, "medio": {"phone"}, "comentario": {"Tarea escrita en la web"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("task: %d %s", rec.Code, rec.Body)
	}
	if tasks := send(h, "GET", fmt.Sprintf("/api/lead/%d/", id), "", "Authorization", "Token "+tok.Token).Body.String(); !strings.Contains(tasks, "Tarea escrita en la web") {
		t.Fatalf("SML's lead lacks the web's task: %s", tasks)
	}

	// a lead entered by hand on the web is one SML reads, by its internal id
	byHand := form("/app/leads/nuevo", cookie, url.Values{"csrf": {csrf}, "fuente": {fmt.Sprint(fx.SourceIDs["phone"])}, "nombre": {"Cliente de paso"},
		"telefono": {"699887766"}, "vehiculo": {"Cupra Born"}})
	if byHand.Code != http.StatusSeeOther {
		t.Fatalf("lead by hand: %d %s", byHand.Code, byHand.Body)
	}
	handPage := send(h, "GET", strings.TrimSuffix(byHand.Header().Get("Location"), "?hecho=creado"), "", "Cookie", cookie).Body.String()
	handID := regexp.MustCompile(`<dt>Identificador</dt><dd><code>(\d+)</code>`).FindStringSubmatch(handPage)
	if handID == nil {
		t.Fatalf("the new lead's page: %s", handPage)
	}
	if rec := send(h, "GET", "/api/lead/"+handID[1]+"/", "", "Authorization", "Token "+tok.Token); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Cupra Born") {
		t.Fatalf("SML's view of the lead entered by hand: %d %s", rec.Code, rec.Body)
	}

	hist := send(h, "GET", fmt.Sprintf("/api/lead_history/%d/get_history/", id), "", "Authorization", "Token "+tok.Token)
	if hist.Code != http.StatusOK || !strings.Contains(hist.Body.String(), "Nota escrita en la web") || !strings.Contains(hist.Body.String(), "tracing") {
		t.Fatalf("SML's history lacks the web's changes: %d %s", hist.Code, hist.Body)
	}
	read := send(h, "GET", fmt.Sprintf("/api/lead/%d/", id), "", "Authorization", "Token "+tok.Token)
	if !strings.Contains(read.Body.String(), `"status":"tracing"`) {
		t.Fatalf("SML's lead after the web's change: %s", read.Body)
	}

	// each entry says through which API it was made
	admin := core.WithPrincipal(context.Background(), core.Principal{UserID: fx.AdminID, DealerIDs: []int64{fx.DealerID}})
	entries, _, err := svc.LeadHistory(admin, id, false, core.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, string(e.Kind)+" via "+e.Via)
	}
	if want := "lead_created via sml, lead_updated via web, stage_changed via web, task_created via web"; strings.Join(got, ", ") != want {
		t.Errorf("history: %s, want %s", strings.Join(got, ", "), want)
	}
	page = send(h, "GET", path, "", "Cookie", cookie)
	for _, want := range []string{"vía SML", "vía la web"} {
		if !strings.Contains(page.Body.String(), want) {
			t.Errorf("the lead's page does not say %q", want)
		}
	}

	// the pages are counted under one label, whatever the lead
	metrics := send(h, "GET", "/metrics", "").Body.String()
	if !strings.Contains(metrics, `forecourt_http_requests_total{code="303",route="/app/"} 6`) || strings.Contains(metrics, path) {
		t.Errorf("the interface's metrics: %s", metrics)
	}
}
