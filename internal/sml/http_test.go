package sml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
)

// keyDiff lists where got's keys differ from doc's, recursively (the first
// item of lists stands for all). Paths in absent may be missing from got on
// purpose.
func keyDiff(got, doc any, at string, absent map[string]bool) []string {
	var out []string
	switch d := doc.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			if got != nil {
				out = append(out, fmt.Sprintf("%s: got %T, the document an object", at, got))
			}
			return out
		}
		for k := range d {
			if _, ok := g[k]; !ok && !absent[at+"."+k] {
				out = append(out, "missing "+at+"."+k)
			}
		}
		for k := range g {
			if _, ok := d[k]; !ok {
				out = append(out, "extra "+at+"."+k)
			}
		}
		for k := range d {
			if _, ok := g[k]; ok {
				out = append(out, keyDiff(g[k], d[k], at+"."+k, absent)...)
			}
		}
	case []any:
		g, ok := got.([]any)
		if ok && len(g) > 0 && len(d) > 0 {
			out = append(out, keyDiff(g[0], d[0], at+"[]", absent)...)
		}
	}
	sort.Strings(out)
	return out
}

func readJSON(t *testing.T, file string) any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return v
}

func parseJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON in test: %v\n%s", err, s)
	}
	return v
}

// The document's schema shows write-only fields forecourt never renders.
var writeOnly = map[string]bool{
	".user_data.password": true, ".user_data.repeat_password": true,
	".request.task[].author_data.password": true, ".request.task[].author_data.repeat_password": true,
	".results[].password": true, ".results[].repeat_password": true,
	// the worked example (what the server answers) shows a lead's
	// concessionaire notes without history; the table shows it
	".concessionaire_data.notes_data[].history": true,
}

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)

	t.Run("login answers the username, a masked password and a token", func(t *testing.T) {
		r := want(t, e.req("", http.MethodPost, "/api/auth/login/", map[string]string{"username": "DEMO@example.com", "password": "demo"}), http.StatusOK)
		got := r.obj(t)
		if got["username"] != "demo@example.com" || got["password"] != "********" || got["token"] == "" || len(got) != 3 {
			t.Errorf("login = %v", got)
		}
	})
	t.Run("bad credentials: a plain string as the document shows", func(t *testing.T) {
		for _, body := range []map[string]string{{"username": "demo@example.com", "password": "nope"}, {"username": "nobody", "password": "demo"}} {
			r := want(t, e.req("", http.MethodPost, "/api/auth/login/", body), http.StatusBadRequest)
			if !sameJSON(t, string(r.body), `{"non_field_errors":"No se puede iniciar sesión con las credenciales proporcionadas."}`) {
				t.Errorf("body = %s", r.body)
			}
		}
	})
	t.Run("too many failed logins: DRF's 429 with Retry-After", func(t *testing.T) {
		// 3 failures in a row, then one attempt an hour (20 and 15 s by
		// default: fewer bcrypt runs, and a wait no slow run refills).
		e := newEnv(t, 0, core.WithLoginThrottle(3, time.Hour))
		body := map[string]string{"username": "throttled@example.com", "password": "guess"}
		for range 3 {
			want(t, e.req("", http.MethodPost, "/api/auth/login/", body), http.StatusBadRequest)
		}
		r := want(t, e.req("", http.MethodPost, "/api/auth/login/", body), http.StatusTooManyRequests)
		// The wait is what remains of the hour, whole seconds rounded up.
		n, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || n < 3000 || n > 3600 ||
			!sameJSON(t, string(r.body), fmt.Sprintf(`{"detail":"Solicitud fue regulada (throttled). Se espera que esté disponible en %d segundos."}`, n)) {
			t.Errorf("%s, Retry-After %q", r.body, r.header.Get("Retry-After"))
		}
		// Other accounts log in as before.
		want(t, e.req("", http.MethodPost, "/api/auth/login/", map[string]string{"username": "demo@example.com", "password": "demo"}), http.StatusOK)
	})
	t.Run("missing fields", func(t *testing.T) {
		r := want(t, e.req("", http.MethodPost, "/api/auth/login/", map[string]string{"password": "demo"}), http.StatusBadRequest)
		if !sameJSON(t, string(r.body), `{"username":["Este campo es requerido."]}`) {
			t.Errorf("body = %s", r.body)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		for _, h := range []string{"", "Basic ZGVtbzpkZW1v"} {
			r := want(t, e.req("", http.MethodGet, "/api/lead/", nil, "Authorization", h), http.StatusUnauthorized)
			if !sameJSON(t, string(r.body), `{"detail":"Las credenciales de autenticación no se proveyeron."}`) || r.header.Get("WWW-Authenticate") != "Token" {
				t.Errorf("%q: %s %v", h, r.body, r.header)
			}
		}
	})
	t.Run("bad token", func(t *testing.T) {
		for _, h := range []string{"Token nope", "Token", "Bearer a b"} {
			r := want(t, e.req("", http.MethodGet, "/api/lead/", nil, "Authorization", h), http.StatusUnauthorized)
			if !sameJSON(t, string(r.body), `{"detail":"Token inválido."}`) || r.header.Get("WWW-Authenticate") != "Token" {
				t.Errorf("%q: %s", h, r.body)
			}
		}
	})
	t.Run("bearer works too", func(t *testing.T) {
		want(t, e.req("", http.MethodGet, "/api/gas_type/", nil, "Authorization", "Bearer "+e.token), http.StatusOK)
	})
	t.Run("logout revokes the token", func(t *testing.T) {
		tok := e.login("demo@example.com", "demo")
		want(t, e.req(tok, http.MethodGet, "/api/lead/", nil), http.StatusOK)
		r := want(t, e.req(tok, http.MethodPost, "/api/auth/logout/", nil), http.StatusOK)
		if !sameJSON(t, string(r.body), `{"detail":"Sesión cerrada."}`) {
			t.Errorf("logout = %s", r.body)
		}
		want(t, e.req(tok, http.MethodGet, "/api/lead/", nil), http.StatusUnauthorized)
		want(t, e.req(tok, http.MethodPost, "/api/auth/logout/", nil), http.StatusUnauthorized)
		want(t, e.do(http.MethodGet, "/api/lead/", nil), http.StatusOK) // other sessions live on
	})
	t.Run("swagger.json needs no credentials", func(t *testing.T) {
		r := want(t, e.req("", http.MethodGet, "/swagger.json", nil), http.StatusOK)
		if !strings.Contains(string(r.body), `"openapi": "3.0.3"`) {
			t.Errorf("swagger.json = %.200s", r.body)
		}
	})
}

func TestRouting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	id := e.fx.LeadIDs[0]
	tests := []struct {
		method, target string
		status         int
		body           string
	}{
		{http.MethodGet, "/api/lead", 200, ""},
		{http.MethodGet, fmt.Sprintf("/api/lead/%d", id), 200, ""},
		{http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history", id), 200, ""},
		{http.MethodGet, "/api/provinces?country=28", 200, ""},
		{http.MethodPut, "/api/lead/", 405, `{"detail":"Método \"PUT\" no permitido."}`},
		{http.MethodDelete, fmt.Sprintf("/api/lead/%d/", id), 405, `{"detail":"Método \"DELETE\" no permitido."}`},
		{http.MethodGet, "/api/auth/login/", 405, `{"detail":"Método \"GET\" no permitido."}`},
		{http.MethodPost, fmt.Sprintf("/api/lead/%d/change_status", id), 405, `{"detail":"Método \"POST\" no permitido."}`},
		{http.MethodGet, "/api/nothing/", 404, `{"detail":"No encontrado."}`},
		{http.MethodGet, "/api/lead/abc/", 404, `{"detail":"No encontrado."}`},
		{http.MethodGet, "/api/lead/0/", 404, `{"detail":"No encontrado."}`},
		{http.MethodGet, "/api/lead/99999999999999999999/", 404, `{"detail":"No encontrado."}`},
		{http.MethodGet, "/api/lead/1/extra/", 404, `{"detail":"No encontrado."}`},
		{http.MethodGet, "/elsewhere", 404, `{"detail":"No encontrado."}`},
	}
	for _, tt := range tests {
		r := e.do(tt.method, tt.target, nil)
		if r.status != tt.status || (tt.body != "" && !sameJSON(t, string(r.body), tt.body)) {
			t.Errorf("%s %s = %s, want %d %s", tt.method, tt.target, r, tt.status, tt.body)
		}
	}
	r := e.do(http.MethodPut, "/api/task/1/", nil)
	if allow := r.header.Get("Allow"); allow != "GET, PATCH, DELETE, HEAD, OPTIONS" {
		t.Errorf("Allow = %q", allow)
	}
	r = e.do(http.MethodOptions, "/api/lead/", nil)
	if r.status != http.StatusOK || r.header.Get("Allow") != "GET, POST, HEAD, OPTIONS" {
		t.Errorf("OPTIONS = %s %v", r, r.header)
	}
}

func TestWorkedExamples(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	docMinimal := readJSON(t, "testdata/doc_minimal_response.json")
	docTable := readJSON(t, "testdata/doc_lead_table.json")

	t.Run("Datos mínimos", func(t *testing.T) {
		got := e.createLead(e.minimalLead())
		if d := keyDiff(got, docMinimal, "", writeOnly); len(d) > 0 {
			t.Errorf("keys differ from the document's example:\n%s", strings.Join(d, "\n"))
		}
		// values, where the example's are not its own database's ids
		checks := []struct {
			keys []any
			want any
		}{
			{[]any{"status"}, "new"}, {[]any{"result"}, nil}, {[]any{"client"}, nil}, {[]any{"score"}, nil},
			{[]any{"end_date"}, nil}, {[]any{"finish_date"}, nil}, {[]any{"mail_content"}, nil},
			{[]any{"vehicle", "brand_model"}, "Marca y modelo de ejemplo"}, {[]any{"vehicle", "price"}, nil}, {[]any{"vehicle", "km"}, nil},
			{[]any{"vehicle", "year"}, nil}, {[]any{"vehicle", "gas"}, nil}, {[]any{"vehicle", "gas_data"}, nil}, {[]any{"vehicle", "sold"}, false},
			{[]any{"request", "task"}, []any{}}, {[]any{"note"}, []any{}}, {[]any{"tags"}, []any{}},
			{[]any{"user"}, float64(e.fx.AdminID)}, {[]any{"user_data", "username"}, "demo@example.com"},
			{[]any{"concessionaire"}, float64(e.fx.DealerID)}, {[]any{"concessionaire_data", "name"}, "Concesionario de Prueba"},
			{[]any{"concessionaire_data", "mask_c2c"}, "34910052683"}, {[]any{"concessionaire_data", "concession_phone"}, "674833617"},
			{[]any{"source"}, float64(e.fx.SourceIDs["phone"])}, {[]any{"source_data", "channel_data", "slug"}, "phone"},
			{[]any{"source_data", "channel_data", "name"}, "Teléfono"}, {[]any{"origin", "name"}, "coches.net"},
			{[]any{"origin", "phone_set", 0, "number"}, "666666666"}, {[]any{"cur_user_can_assign"}, true},
			{[]any{"user_data", "is_admin"}, true}, {[]any{"user_data", "is_concession_admin"}, true},
			// forecourt's decisions (docs/sml.md): no task yet, so no first-response time
			{[]any{"nsa"}, nil}, {[]any{"first_task_date"}, nil}, {[]any{"pending_tasks"}, false},
		}
		for _, c := range checks {
			if g := path(got, c.keys...); !reflect.DeepEqual(g, c.want) {
				t.Errorf("%v = %#v, want %#v", c.keys, g, c.want)
			}
		}
		if num(path(got, "request", "id")) != num(got["id"]) {
			t.Errorf("request.id = %v, want the lead's id %v", path(got, "request", "id"), got["id"])
		}
		if c, ok := got["created"].(string); !ok || !strings.HasSuffix(c, "+01:00") && !strings.HasSuffix(c, "+02:00") {
			t.Errorf("created = %v, want Madrid time", got["created"])
		}
		if path(got, "user_data", "session", "online") != true {
			t.Errorf("the admin who just logged in is not online: %v", path(got, "user_data", "session"))
		}
	})

	average := map[string]any{
		"client": map[string]any{"name": "Cliente de Ejemplo", "phone": "666777888", "email": "user@example.com",
			"province": e.fx.ProvinceID, "location": e.fx.LocalityID},
		"vehicle": map[string]any{"brand_model": "Vehículo de prueba", "price": "10000", "km": "120000", "year": 2008, "gas": e.fx.GasIDs[0]},
		"note":    []any{map[string]any{"content": "Nota de prueba"}},
		"status":  "new", "score": "1",
		"tags":   []any{map[string]any{"content": "Etiqueta de ejemplo"}},
		"source": e.fx.SourceIDs["phone"],
	}
	t.Run("Lead promedio", func(t *testing.T) {
		got := e.createLead(average)
		if d := keyDiff(got, docTable, "", writeOnly); len(d) > 0 {
			t.Errorf("keys differ from the document's table:\n%s", strings.Join(d, "\n"))
		}
		checks := map[string]any{
			"client.name": "Cliente de Ejemplo", "client.phone": "666777888", "client.email": "user@example.com",
			"client.province_data.name": "Madrid", "client.location_data.name": "Madrid",
			"vehicle.price": "10000", "vehicle.km": "120000", "vehicle.year": 2008.0, "vehicle.gas_data.name": "Gasolina",
			"score": "1", "status": "new",
		}
		for k, w := range checks {
			var keys []any
			for _, s := range strings.Split(k, ".") {
				keys = append(keys, s)
			}
			if g := path(got, keys...); g != w {
				t.Errorf("%s = %#v, want %#v", k, g, w)
			}
		}
		if path(got, "note", 0, "content") != "Nota de prueba" || path(got, "tags", 0, "content") != "Etiqueta de ejemplo" ||
			path(got, "note", 0, "history") == nil {
			t.Errorf("note/tags = %v %v", got["note"], got["tags"])
		}
	})

	t.Run("Lead complejo", func(t *testing.T) {
		complexLead := map[string]any{}
		for k, v := range average {
			complexLead[k] = v
		}
		complexLead["request"] = map[string]any{"task": []any{map[string]any{
			"type": "appraisal", "subtype": "subtipo de ejemplo", "description": "descripción de ejemplo", "media": "Whatsapp",
			"planified_realization_date": "2019-05-09T09:59:07.617Z", "planified_tracking_date": "2019-05-09T09:59:07.617Z",
			"realization_date_check": false, "tracking_date_check": false,
			"note": []any{map[string]any{"content": "nota en tarea de ejemplo"}},
			"appraisal": map[string]any{"brand_model": "marca del vehículo tasado", "license_plate": "8888JJJ", "km": "100000",
				"year": 2010, "gas": e.fx.GasIDs[0], "extras": "todos los extras incluidos", "origin": "national"},
		}}}
		got := e.createLead(complexLead)
		if d := keyDiff(got, docTable, "", writeOnly); len(d) > 0 {
			t.Errorf("keys differ from the document's table:\n%s", strings.Join(d, "\n"))
		}
		task := path(got, "request", "task", 0)
		checks := []struct {
			keys []any
			want any
		}{
			{[]any{"type"}, "appraisal"}, {[]any{"subtype"}, "subtipo de ejemplo"}, {[]any{"media"}, "Whatsapp"},
			{[]any{"planified_realization_date"}, "2019-05-09T11:59:07.617000+02:00"}, {[]any{"realization_date"}, nil},
			{[]any{"realization_date_check"}, false}, {[]any{"is_click2call"}, false},
			{[]any{"note", 0, "content"}, "nota en tarea de ejemplo"}, {[]any{"appraisal", "license_plate"}, "8888JJJ"},
			{[]any{"appraisal", "year"}, 2010.0}, {[]any{"appraisal", "gas_data", "name"}, "Gasolina"}, {[]any{"appraisal", "origin"}, "national"},
			{[]any{"author"}, float64(e.fx.AdminID)}, {[]any{"author_data", "username"}, "demo@example.com"},
		}
		for _, c := range checks {
			if g := path(task, c.keys...); !reflect.DeepEqual(g, c.want) {
				t.Errorf("task %v = %#v, want %#v", c.keys, g, c.want)
			}
		}
		if got["pending_tasks"] != true || got["nsa"] == nil || got["first_task_date"] == nil {
			t.Errorf("pending_tasks/nsa/first_task_date = %v %v %v", got["pending_tasks"], got["nsa"], got["first_task_date"])
		}
		if !strings.HasPrefix(got["nsa"].(string), "{ 'years': 0, 'months': 0, 'days': 0, 'hours': 0, 'minutes': 0, 'seconds': ") {
			t.Errorf("nsa = %v", got["nsa"])
		}
	})

	t.Run("Ejemplo para la actualización de un lead", func(t *testing.T) {
		l := e.createLead(average)
		id := num(l["id"])
		vid := num(path(l, "vehicle", "id"))
		got := want(t, e.do(http.MethodPatch, fmt.Sprintf("/api/lead/%d/", id), map[string]any{
			"score": 4, "vehicle": map[string]any{"id": vid, "brand_model": "Datos adicionales sobre el modelo"},
		}), http.StatusOK).obj(t)
		if got["score"] != "4" || path(got, "vehicle", "brand_model") != "Datos adicionales sobre el modelo" ||
			num(path(got, "vehicle", "id")) != vid || path(got, "vehicle", "price") != "10000" || path(got, "vehicle", "year") != 2008.0 {
			t.Errorf("after the update: score %v vehicle %v", got["score"], got["vehicle"])
		}
		if path(got, "client", "name") != "Cliente de Ejemplo" || path(got, "note", 0, "content") != "Nota de prueba" {
			t.Errorf("the update touched what it did not name: %v %v", got["client"], got["note"])
		}
	})

	t.Run("Ejemplo para implementar el botón call tracking", func(t *testing.T) {
		l := e.createLead(average)
		id := num(l["id"])
		r := want(t, e.do(http.MethodPatch, "/api/netelip/call_control_lead/click2call/", map[string]any{"lead": id}), http.StatusOK)
		got := r.obj(t)
		docResp := parseJSON(t, `{"id": 1, "lead": 986, "call_control": 135, "user": 2}`)
		if d := keyDiff(got, docResp, "", nil); len(d) > 0 {
			t.Errorf("keys: %v", d)
		}
		if num(got["lead"]) != id || num(got["user"]) != e.fx.AdminID || num(got["call_control"]) < 1 || num(got["id"]) < 1 {
			t.Errorf("click2call = %v", got)
		}
		second := want(t, e.do(http.MethodPost, "/api/netelip/call_control_lead/click2call/", map[string]any{"lead": id}), http.StatusOK).obj(t)
		if num(second["call_control"]) <= num(got["call_control"]) {
			t.Errorf("call ids not increasing: %v then %v", got["call_control"], second["call_control"])
		}
		lead := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead/%d/", id), nil), http.StatusOK).obj(t)
		task := path(lead, "request", "task", 0)
		if path(task, "is_click2call") != true || path(task, "media") != "Phone" || path(task, "realization_date_check") != true || path(task, "realization_date") == nil {
			t.Errorf("the call is not recorded as a done phone task: %v", task)
		}
		if !strings.Contains(e.logs.String(), "client_phone=666777888") {
			t.Error("the dialer was not asked to call the client")
		}
		h := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/", id), nil), http.StatusOK)
		if !strings.Contains(string(h.body), "Llamada realizada") {
			t.Errorf("history has no call: %s", h.body)
		}
	})
}

func TestLeadRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	adv := e.fx.AdvisorIDs[0]

	t.Run("assignee defaults to the creator, or the user given", func(t *testing.T) {
		if l := e.createLead(e.minimalLead()); num(l["user"]) != e.fx.AdminID {
			t.Errorf("user = %v, want the creator %d", l["user"], e.fx.AdminID)
		}
		body := e.minimalLead()
		body["user"] = adv
		if l := e.createLead(body); num(l["user"]) != adv || path(l, "user_data", "username") != "asesor1@example.com" {
			t.Errorf("user = %v %v", l["user"], l["user_data"])
		}
	})

	t.Run("sold on create ends the lead not_available", func(t *testing.T) {
		body := e.minimalLead()
		body["vehicle"] = map[string]any{"brand_model": "x", "sold": "true"}
		l := e.createLead(body)
		if l["status"] != "end" || l["result"] != "not_available" || l["finish_date"] == nil || l["end_date"] != l["finish_date"] {
			t.Errorf("status %v result %v finish %v end %v", l["status"], l["result"], l["finish_date"], l["end_date"])
		}
	})

	t.Run("sold later ends the lead", func(t *testing.T) {
		l := e.createLead(e.minimalLead())
		id, vid := num(l["id"]), num(path(l, "vehicle", "id"))
		got := want(t, e.do(http.MethodPatch, fmt.Sprintf("/api/lead/%d/", id), map[string]any{"vehicle": map[string]any{"id": vid, "sold": 1}}), http.StatusOK).obj(t)
		if got["status"] != "end" || got["result"] != "not_available" {
			t.Errorf("status %v result %v", got["status"], got["result"])
		}
	})

	t.Run("nsa is null until the first task, then set", func(t *testing.T) {
		l := e.createLead(e.minimalLead())
		id := num(l["id"])
		if l["nsa"] != nil || l["first_task_date"] != nil {
			t.Fatalf("nsa %v first_task_date %v", l["nsa"], l["first_task_date"])
		}
		want(t, e.do(http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": id, "type": "date"}), http.StatusCreated)
		got := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead/%d/", id), nil), http.StatusOK).obj(t)
		if s, _ := got["nsa"].(string); !strings.HasPrefix(s, "{ 'years': 0, ") || got["first_task_date"] == nil || got["pending_tasks"] != true {
			t.Errorf("nsa %v first_task_date %v pending %v", got["nsa"], got["first_task_date"], got["pending_tasks"])
		}
	})

	t.Run("assign, change status, finish, reopen", func(t *testing.T) {
		l := e.createLead(e.minimalLead())
		id := num(l["id"])
		u := fmt.Sprintf("/api/lead/%d/", id)
		if got := want(t, e.do(http.MethodPatch, u, map[string]any{"user": adv}), http.StatusOK).obj(t); num(got["user"]) != adv {
			t.Errorf("assign: user %v", got["user"])
		}
		if got := want(t, e.do(http.MethodPatch, u+"change_status/", map[string]any{"status": "tracing"}), http.StatusOK).obj(t); got["status"] != "tracing" {
			t.Errorf("change_status: %v", got["status"])
		}
		got := want(t, e.do(http.MethodPatch, u, map[string]any{"status": "end"}), http.StatusOK).obj(t)
		if got["status"] != "end" || got["finish_date"] == nil || got["result"] != nil {
			t.Errorf("finish: %v %v %v", got["status"], got["finish_date"], got["result"])
		}
		got = want(t, e.do(http.MethodPatch, u, map[string]any{"result": "sale"}), http.StatusOK).obj(t)
		if got["result"] != "sale" {
			t.Errorf("result: %v", got["result"])
		}
		got = want(t, e.do(http.MethodPatch, u+"change_status", map[string]any{"status": "new"}), http.StatusOK).obj(t)
		if got["status"] != "new" || got["result"] != nil || got["finish_date"] != nil {
			t.Errorf("reopen: %v %v %v", got["status"], got["result"], got["finish_date"])
		}
		got = want(t, e.do(http.MethodPatch, u, map[string]any{"score": nil, "user": nil}), http.StatusOK).obj(t)
		if got["score"] != nil || got["user"] != nil || got["user_data"] != nil {
			t.Errorf("clear score and user: %v %v", got["score"], got["user"])
		}

		h := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/", id), nil), http.StatusOK).obj(t)
		var reasons, types []string
		for _, it := range h["results"].([]any) {
			m := it.(map[string]any)
			reasons = append(reasons, m["history_change_reason"].(string))
			types = append(types, m["history_type"].(string))
			if m["history_user"] != "demo@example.com" {
				t.Errorf("history_user = %v", m["history_user"])
			}
		}
		// Newest first, as django-simple-history lists them.
		wantPrefixes := []string{"Lead modificado: ", "Estado cambiado: status end → new", "Lead finalizado: result (vacío) → sale",
			"Lead finalizado: status tracing → end", "Estado cambiado: status new → tracing", "Lead asignado: user ", "Lead creado: "}
		if len(reasons) != len(wantPrefixes) {
			t.Fatalf("history = %q", reasons)
		}
		for i, p := range wantPrefixes {
			if !strings.HasPrefix(reasons[i], p) {
				t.Errorf("history[%d] = %q, want it to start with %q", i, reasons[i], p)
			}
		}
		if types[0] != "~" || types[len(types)-1] != "+" {
			t.Errorf("history types = %v", types)
		}
		if num(h["count"]) != int64(len(wantPrefixes)) {
			t.Errorf("count = %v", h["count"])
		}
		// With pages, page 1 holds the latest changes.
		for page, prefixes := range map[int][]string{1: wantPrefixes[:3], 3: wantPrefixes[6:]} {
			h := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/?page_size=3&page=%d", id, page), nil), http.StatusOK).obj(t)
			items := h["results"].([]any)
			if len(items) != len(prefixes) || num(h["count"]) != int64(len(wantPrefixes)) {
				t.Fatalf("page %d: %d items of %v", page, len(items), h["count"])
			}
			for i, p := range prefixes {
				if r := items[i].(map[string]any)["history_change_reason"].(string); !strings.HasPrefix(r, p) {
					t.Errorf("page %d: history[%d] = %q, want it to start with %q", page, i, r, p)
				}
			}
		}
	})

	t.Run("nested update by id, replace without", func(t *testing.T) {
		body := e.minimalLead()
		body["client"] = map[string]any{"name": "Ana", "phone": "600111222", "province": e.fx.ProvinceID, "location": e.fx.LocalityID}
		body["note"] = []any{map[string]any{"content": "uno"}, map[string]any{"content": "dos"}}
		body["tags"] = []any{map[string]any{"content": "t1"}}
		body["request"] = map[string]any{"task": []any{
			map[string]any{"type": "appraisal", "appraisal": map[string]any{"brand_model": "Ford", "km": "1"}, "note": []any{map[string]any{"content": "tn"}}},
			map[string]any{"type": "date"},
		}}
		l := e.createLead(body)
		id := num(l["id"])
		u := fmt.Sprintf("/api/lead/%d/", id)
		cid := num(path(l, "client", "id"))
		n1 := num(path(l, "note", 0, "id"))
		t1 := num(path(l, "request", "task", 0, "id"))
		a1 := num(path(l, "request", "task", 0, "appraisal", "id"))
		tn := num(path(l, "request", "task", 0, "note", 0, "id"))

		got := want(t, e.do(http.MethodPatch, u, map[string]any{
			"client": map[string]any{"id": cid, "name": "Ana María"},
			"note":   []any{map[string]any{"id": n1, "content": "uno editada"}, map[string]any{"content": "tres"}},
			"request": map[string]any{"id": id, "task": []any{map[string]any{"id": t1, "realization_date_check": true,
				"appraisal": map[string]any{"id": a1, "km": "2"}, "note": []any{map[string]any{"id": tn}}}}},
		}), http.StatusOK).obj(t)
		if num(path(got, "client", "id")) != cid || path(got, "client", "name") != "Ana María" || path(got, "client", "phone") != "600111222" {
			t.Errorf("client updated by id: %v", got["client"])
		}
		notes := got["note"].([]any)
		if len(notes) != 2 || num(path(notes, 0, "id")) != n1 || path(notes, 0, "content") != "uno editada" || path(notes, 1, "content") != "tres" {
			t.Errorf("notes = %v", notes)
		}
		if h := path(notes, 0, "history").([]any); len(h) < 2 || path(h, 0, "content") != "uno" || path(h, len(h)-1, "content") != "uno editada" ||
			num(path(h, 0, "history_user")) != e.fx.AdminID {
			t.Errorf("note history = %v", h)
		}
		tasks := path(got, "request", "task").([]any)
		if len(tasks) != 1 || num(path(tasks, 0, "id")) != t1 || path(tasks, 0, "realization_date_check") != true || path(tasks, 0, "realization_date") == nil ||
			path(tasks, 0, "appraisal", "km") != "2" || path(tasks, 0, "appraisal", "brand_model") != "Ford" || num(path(tasks, 0, "note", 0, "id")) != tn {
			t.Errorf("tasks = %v", tasks)
		}
		if path(got, "tags", 0, "content") != "t1" {
			t.Errorf("tags not named were touched: %v", got["tags"])
		}

		got = want(t, e.do(http.MethodPatch, u, map[string]any{"client": map[string]any{"name": "Otra persona"}}), http.StatusOK).obj(t)
		if num(path(got, "client", "id")) == cid || path(got, "client", "phone") != nil {
			t.Errorf("client without id was not replaced: %v", got["client"])
		}
		got = want(t, e.do(http.MethodPatch, u, map[string]any{"client": nil, "tags": []any{}}), http.StatusOK).obj(t)
		if got["client"] != nil || len(got["tags"].([]any)) != 0 {
			t.Errorf("client null / tags []: %v %v", got["client"], got["tags"])
		}
		got = want(t, e.do(http.MethodPatch, u, map[string]any{"vehicle": map[string]any{"brand_model": "Nuevo"}}), http.StatusOK).obj(t)
		if num(path(got, "vehicle", "id")) == num(path(l, "vehicle", "id")) || path(got, "vehicle", "brand_model") != "Nuevo" {
			t.Errorf("vehicle without id was not replaced: %v", got["vehicle"])
		}
		r := want(t, e.do(http.MethodPatch, u, map[string]any{"vehicle": map[string]any{"id": 999999, "brand_model": "x"}}), http.StatusBadRequest)
		if !sameJSON(t, string(r.body), `{"vehicle":{"id":["Clave primaria \"999999\" inválida - objeto no existe."]}}`) {
			t.Errorf("foreign vehicle id: %s", r.body)
		}
	})
}

func TestTasks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	l := e.createLead(e.minimalLead())
	id := num(l["id"])
	docTask := parseJSON(t, `{"id":0,"type":"date","subtype":"string","description":"string","media":"Whatsapp",
		"planified_realization_date":"x","planified_tracking_date":"x","realization_date":"x","realization_date_check":true,
		"tracking_date":"x","tracking_date_check":true,
		"note":[{"id":0,"content":"string","modified":"x","history":[{"history_id":0,"modified":"x","history_user":0,"content":"string"}]}],
		"created":"x","appraisal":{"id":0,"brand_model":"string","license_plate":"string","km":"string","year":0,"gas":0,"gas_data":{"id":0,"name":"string"},"extras":"string","origin":"national"},
		"is_click2call":true,"lead":0}`)

	r := want(t, e.do(http.MethodPost, "/api/lead_task_create/", map[string]any{
		"lead": id, "type": "appraisal", "subtype": "s", "description": "d", "media": "SMS",
		"planified_realization_date": "2026-12-01T10:00:00", "note": []any{map[string]any{"content": "a"}},
		"appraisal": map[string]any{"brand_model": "Ford Focus", "gas": e.fx.GasIDs[1], "origin": "foreign"},
	}), http.StatusCreated)
	task := r.obj(t)
	if d := keyDiff(task, docTask, "", nil); len(d) > 0 {
		t.Errorf("task keys: %v", d)
	}
	if num(task["lead"]) != id || task["planified_realization_date"] != "2026-12-01T10:00:00+01:00" || path(task, "appraisal", "gas_data", "name") != "Diésel" {
		t.Errorf("task = %v", task)
	}
	tid := num(task["id"])
	aid := num(path(task, "appraisal", "id"))
	tu := fmt.Sprintf("/api/task/%d/", tid)

	got := want(t, e.do(http.MethodPatch, tu, map[string]any{"realization_date_check": "1", "appraisal": map[string]any{"id": aid, "brand_model": "new name"},
		"note": []any{map[string]any{"id": num(path(task, "note", 0, "id")), "content": "b"}}}), http.StatusOK).obj(t)
	docUpdated := parseJSON(t, string(mustJSON(t, docTask)))
	delete(docUpdated.(map[string]any), "lead")
	if d := keyDiff(got, docUpdated, "", nil); len(d) > 0 {
		t.Errorf("updated task keys (no lead): %v", d)
	}
	if got["realization_date"] == nil || path(got, "appraisal", "brand_model") != "new name" || num(path(got, "appraisal", "id")) != aid ||
		path(got, "note", 0, "content") != "b" || path(got, "appraisal", "gas") != float64(e.fx.GasIDs[1]) {
		t.Errorf("task after PATCH = %v", got)
	}
	if g := want(t, e.do(http.MethodGet, tu, nil), http.StatusOK).obj(t); num(g["lead"]) != id || g["realization_date_check"] != true {
		t.Errorf("GET task = %v", g)
	}

	// An appraisal sent without its id replaces the stored one: a new row,
	// a new id, as a replaced client or vehicle.
	got = want(t, e.do(http.MethodPatch, tu, map[string]any{"appraisal": map[string]any{"brand_model": "x"}}), http.StatusOK).obj(t)
	if naid := num(path(got, "appraisal", "id")); naid == 0 || naid == aid || path(got, "appraisal", "brand_model") != "x" || path(got, "appraisal", "gas") != nil {
		t.Errorf("appraisal replaced without id = %v, old id %d", path(got, "appraisal"), aid)
	}
	if g := want(t, e.do(http.MethodGet, tu, nil), http.StatusOK).obj(t); num(path(g, "appraisal", "id")) != num(path(got, "appraisal", "id")) {
		t.Errorf("GET task after replacing its appraisal = %v", path(g, "appraisal"))
	}

	bad := []struct {
		name, method, target string
		body                 any
		status               int
		want                 string
	}{
		{"lead required", http.MethodPost, "/api/lead_task_create/", map[string]any{"type": "date"}, 400, `{"lead":["Este campo es requerido."]}`},
		{"missing lead", http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": 999999}, 400, `{"lead":["Clave primaria \"999999\" inválida - objeto no existe."]}`},
		{"appraisal without appraisal", http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": id, "type": "appraisal"}, 400, `{"appraisal":["Este campo es requerido."]}`},
		{"unknown fuel", http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": id, "type": "appraisal", "appraisal": map[string]any{"brand_model": "x", "gas": 9999}}, 400,
			`{"appraisal":{"gas":["Clave primaria \"9999\" inválida - objeto no existe."]}}`},
		{"unknown media", http.MethodPatch, tu, map[string]any{"media": "Fax"}, 400, `{"media":["\"Fax\" no es una elección válida."]}`},
		{"note of another task", http.MethodPatch, tu, map[string]any{"note": []any{map[string]any{"id": 999999, "content": "x"}}}, 400,
			`{"note":[{"id":["Clave primaria \"999999\" inválida - objeto no existe."]}]}`},
		{"appraisal id not the task's", http.MethodPatch, tu, map[string]any{"appraisal": map[string]any{"id": 999999}}, 400,
			`{"appraisal":{"id":["Clave primaria \"999999\" inválida - objeto no existe."]}}`},
		{"missing task", http.MethodPatch, "/api/task/999999/", map[string]any{"type": "date"}, 404, `{"detail":"No encontrado."}`},
	}
	for _, tt := range bad {
		r := e.do(tt.method, tt.target, tt.body)
		if r.status != tt.status || !sameJSON(t, string(r.body), tt.want) {
			t.Errorf("%s: %s, want %d %s", tt.name, r, tt.status, tt.want)
		}
	}

	r = want(t, e.do(http.MethodDelete, tu, nil), http.StatusNoContent)
	if len(r.body) != 0 {
		t.Errorf("DELETE body = %q", r.body)
	}
	want(t, e.do(http.MethodDelete, tu, nil), http.StatusNotFound)
	want(t, e.do(http.MethodGet, tu, nil), http.StatusNotFound)
	lead := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead/%d/", id), nil), http.StatusOK).obj(t)
	if len(path(lead, "request", "task").([]any)) != 0 || lead["nsa"] == nil {
		t.Errorf("after delete: tasks %v nsa %v", path(lead, "request", "task"), lead["nsa"])
	}
	h := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/", id), nil), http.StatusOK)
	for _, s := range []string{"Tarea creada", "Tarea modificada", "Tarea eliminada"} {
		if !strings.Contains(string(h.body), s) {
			t.Errorf("history lacks %q: %s", s, h.body)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3)
	lead := e.createLead(e.minimalLead())
	id := num(lead["id"])
	lu := fmt.Sprintf("/api/lead/%d/", id)
	src := e.fx.SourceIDs["phone"]
	big := `{"source":1,"vehicle":{"brand_model":"` + strings.Repeat("x", 1<<20) + `"}}`
	tests := []struct {
		name, method, target string
		body                 any
		status               int
		want                 string // exact body; or a prefix of "detail" when it starts with "detail:"
	}{
		{"malformed JSON", http.MethodPost, "/api/lead/", `{"source": 1,`, 400, "detail:JSON parse error - "},
		{"two objects", http.MethodPost, "/api/lead/", `{} {}`, 400, "detail:JSON parse error - "},
		{"a list", http.MethodPost, "/api/lead/", `[]`, 400, `{"non_field_errors":["Datos inválidos. Se esperaba un diccionario pero se recibió list."]}`},
		{"1 MiB+", http.MethodPost, "/api/lead/", big, 413, `{"detail":"El cuerpo de la petición supera el tamaño máximo de 1 MiB."}`},
		{"missing required", http.MethodPost, "/api/lead/", `{}`, 400, `{"source":["Este campo es requerido."],"vehicle":["Este campo es requerido."]}`},
		{"missing brand_model", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"price": "1"}}, 400,
			`{"vehicle":{"brand_model":["Este campo es requerido."]}}`},
		{"client without name", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"brand_model": "x"}, "client": map[string]any{"phone": "1"}}, 400,
			`{"client":{"name":["Este campo es requerido."]}}`},
		{"wrong types", http.MethodPost, "/api/lead/", map[string]any{"source": "uno", "vehicle": map[string]any{"brand_model": []any{}, "year": "x", "sold": "x"}}, 400,
			`{"source":["Tipo incorrecto. Se esperaba valor de clave primaria y se recibió str."],"vehicle":{"brand_model":["Se requiere una cadena de texto válida."],"year":["Se requiere un número entero válido."],"sold":["Se requiere un booleano válido."]}}`},
		{"unknown enums", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"brand_model": "x"}, "status": "closed", "score": 9,
			"request": map[string]any{"task": []any{map[string]any{}, map[string]any{"type": "x", "media": "Fax"}}}}, 400,
			`{"status":["\"closed\" no es una elección válida."],"score":["\"9\" no es una elección válida."],"request":{"task":[{},{"type":["\"x\" no es una elección válida."],"media":["\"Fax\" no es una elección válida."]}]}}`},
		{"appraisal task without appraisal", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"brand_model": "x"},
			"request": map[string]any{"task": []any{map[string]any{"type": "appraisal"}}}}, 400,
			`{"request":{"task":[{"appraisal":["Este campo es requerido."]}]}}`},
		{"missing source", http.MethodPost, "/api/lead/", map[string]any{"source": 999999, "vehicle": map[string]any{"brand_model": "x"}}, 400,
			`{"source":["Clave primaria \"999999\" inválida - objeto no existe."]}`},
		{"missing fuel, province, location, user", http.MethodPost, "/api/lead/", map[string]any{"source": src, "user": 999999,
			"vehicle": map[string]any{"brand_model": "x", "gas": 999999}, "client": map[string]any{"name": "a", "province": 999999, "location": 999998}}, 400,
			`{"user":["Clave primaria \"999999\" inválida - objeto no existe."],"vehicle":{"gas":["Clave primaria \"999999\" inválida - objeto no existe."]},"client":{"province":["Clave primaria \"999999\" inválida - objeto no existe."],"location":["Clave primaria \"999998\" inválida - objeto no existe."]}}`},
		{"locality of another province", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"brand_model": "x"},
			"client": map[string]any{"name": "a", "province": e.fx.ProvinceIDs[8], "location": e.fx.LocalityID}}, 400,
			`{"client":{"location":["La localidad no pertenece a la provincia indicada."]}}`},
		{"bad e-mail", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"brand_model": "x"}, "client": map[string]any{"name": "a", "email": "no es un email"}}, 400,
			`{"client":{"email":["Introduzca una dirección de correo electrónico válida."]}}`},
		{"year out of range", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"brand_model": "x", "year": 1800}}, 400,
			`{"vehicle":{"year":["Asegúrese de que este valor es mayor o igual a 1900."]}}`},
		{"too long", http.MethodPost, "/api/lead/", map[string]any{"source": src, "vehicle": map[string]any{"brand_model": strings.Repeat("x", 256)}}, 400,
			`{"vehicle":{"brand_model":["Asegúrese de que este campo no tenga más de 255 caracteres."]}}`},
		{"null vehicle on PATCH", http.MethodPatch, lu, map[string]any{"vehicle": nil}, 400, `{"vehicle":["Este campo no puede ser nulo."]}`},
		{"replaced vehicle without brand_model", http.MethodPatch, lu, map[string]any{"vehicle": map[string]any{"km": "1"}}, 400, `{"vehicle":{"brand_model":["Este campo es requerido."]}}`},
		{"note id of nothing", http.MethodPatch, lu, map[string]any{"note": []any{map[string]any{"id": 999999}}}, 400,
			`{"note":[{"id":["Clave primaria \"999999\" inválida - objeto no existe."]}]}`},
		{"task id of nothing", http.MethodPatch, lu, map[string]any{"request": map[string]any{"task": []any{map[string]any{"id": 999999}}}}, 400,
			`{"request":{"task":[{"id":["Clave primaria \"999999\" inválida - objeto no existe."]}]}}`},
		{"inactive or unknown user", http.MethodPatch, lu, map[string]any{"user": 999999}, 400, `{"user":["Clave primaria \"999999\" inválida - objeto no existe."]}`},
		{"change_status without status", http.MethodPatch, lu + "change_status/", `{}`, 400, `{"status":["Este campo es requerido."]}`},
		{"change_status unknown", http.MethodPatch, lu + "change_status/", map[string]any{"status": "closed"}, 400, `{"status":["\"closed\" no es una elección válida."]}`},
		{"click2call without lead", http.MethodPatch, "/api/netelip/call_control_lead/click2call/", `{}`, 400, `{"lead":["Este campo es requerido."]}`},
		{"click2call lead without phone", http.MethodPatch, "/api/netelip/call_control_lead/click2call/", map[string]any{"lead": id}, 400, `{"lead":["El cliente del lead no tiene teléfono."]}`},
		{"click2call missing lead", http.MethodPatch, "/api/netelip/call_control_lead/click2call/", map[string]any{"lead": 999999}, 400, `{"lead":["Clave primaria \"999999\" inválida - objeto no existe."]}`},
		{"list filter, bad status", http.MethodGet, "/api/lead/?status=open", nil, 400, `{"status":["Escoja una opción válida. open no es una de las opciones disponibles."]}`},
		{"list filter, bad concessionaire__in", http.MethodGet, "/api/lead/?concessionaire__in=1,x", nil, 400, `{"concessionaire__in":["Introduzca un número entero."]}`},
		{"list filter, bad ordering", http.MethodGet, "/api/lead/?ordering=-colour", nil, 400, `{"ordering":["\"-colour\" no es una elección válida."]}`},
		{"page out of range", http.MethodGet, "/api/lead/?page=99", nil, 404, `{"detail":"Página inválida."}`},
		{"page not a number", http.MethodGet, "/api/lead/?page=x", nil, 404, `{"detail":"Página inválida."}`},
		{"page zero", http.MethodGet, "/api/gas_type/?page=0", nil, 404, `{"detail":"Página inválida."}`},
		{"page huge", http.MethodGet, "/api/lead/?page=9223372036854775807", nil, 404, `{"detail":"Página inválida."}`},
		{"provinces without country", http.MethodGet, "/api/provinces/", nil, 400, `{"country":["Este campo es requerido."]}`},
		{"provinces, country not a number", http.MethodGet, "/api/provinces/?country=es", nil, 400, `{"country":["Introduzca un número entero."]}`},
		{"localities, province not a number", http.MethodGet, "/api/localities/?province=x", nil, 400, `{"province":["Introduzca un número entero."]}`},
		{"users, online not a boolean", http.MethodGet, "/api/user/?online=maybe", nil, 400, `{"online":["Escoja una opción válida. maybe no es una de las opciones disponibles."]}`},
		{"users, concessionaire not a number", http.MethodGet, "/api/user/?userconcession__concessionaire__id=x", nil, 400, `{"userconcession__concessionaire__id":["Introduzca un número entero."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.leadCount()
			beforeLead := e.do(http.MethodGet, lu, nil).body
			r := e.do(tt.method, tt.target, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %.500s", r.status, tt.status, r.body)
			}
			if p, ok := strings.CutPrefix(tt.want, "detail:"); ok {
				var m map[string]string
				if err := json.Unmarshal(r.body, &m); err != nil || !strings.HasPrefix(m["detail"], p) || len(m) != 1 {
					t.Errorf("body = %s, want detail starting %q", r.body, p)
				}
			} else if !sameJSON(t, string(r.body), tt.want) {
				t.Errorf("body:\n got %s\nwant %s", r.body, tt.want)
			}
			if after := e.leadCount(); after != before {
				t.Errorf("leads %d → %d: a rejected request changed something", before, after)
			}
			if afterLead := e.do(http.MethodGet, lu, nil).body; string(afterLead) != string(beforeLead) {
				t.Errorf("a rejected request changed lead %d", id)
			}
		})
	}
}

func TestDealerIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2)
	o := e.otherDealer()
	mine := num(e.createLead(e.minimalLead())["id"])
	lu := fmt.Sprintf("/api/lead/%d/", o.leadID)
	tu := fmt.Sprintf("/api/task/%d/", o.taskID)
	notFound := []struct {
		method, target string
		body           any
	}{
		{http.MethodGet, lu, nil},
		{http.MethodPatch, lu, map[string]any{"score": 1}},
		{http.MethodPatch, lu + "change_status/", map[string]any{"status": "end"}},
		{http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/", o.leadID), nil},
		{http.MethodGet, tu, nil},
		{http.MethodPatch, tu, map[string]any{"type": "other"}},
		{http.MethodDelete, tu, nil},
	}
	for _, tt := range notFound {
		r := e.do(tt.method, tt.target, tt.body)
		if r.status != http.StatusNotFound || !sameJSON(t, string(r.body), `{"detail":"No encontrado."}`) {
			t.Errorf("%s %s = %s, want 404", tt.method, tt.target, r)
		}
		if strings.Contains(string(r.body), "ecreto") {
			t.Errorf("%s %s leaked: %s", tt.method, tt.target, r.body)
		}
	}
	pk := func(field string, v int64) string {
		return fmt.Sprintf(`{%q:["Clave primaria \"%d\" inválida - objeto no existe."]}`, field, v)
	}
	badRequest := []struct {
		method, target string
		body           any
		want           string
	}{
		{http.MethodPost, "/api/lead/", map[string]any{"source": o.sourceID, "vehicle": map[string]any{"brand_model": "x"}}, pk("source", o.sourceID)},
		{http.MethodPost, "/api/lead/", map[string]any{"source": e.fx.SourceIDs["web"], "user": o.userID, "vehicle": map[string]any{"brand_model": "x"}}, pk("user", o.userID)},
		{http.MethodPatch, fmt.Sprintf("/api/lead/%d/", mine), map[string]any{"user": o.userID}, pk("user", o.userID)},
		{http.MethodPatch, fmt.Sprintf("/api/lead/%d/", mine), map[string]any{"source": o.sourceID}, pk("source", o.sourceID)},
		{http.MethodPatch, fmt.Sprintf("/api/lead/%d/", mine), map[string]any{"note": []any{map[string]any{"id": o.noteID, "content": "robada"}}},
			fmt.Sprintf(`{"note":[{"id":["Clave primaria \"%d\" inválida - objeto no existe."]}]}`, o.noteID)},
		{http.MethodPatch, fmt.Sprintf("/api/lead/%d/", mine), map[string]any{"request": map[string]any{"task": []any{map[string]any{"id": o.taskID}}}},
			fmt.Sprintf(`{"request":{"task":[{"id":["Clave primaria \"%d\" inválida - objeto no existe."]}]}}`, o.taskID)},
		{http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": o.leadID, "type": "date"}, pk("lead", o.leadID)},
		{http.MethodPatch, "/api/netelip/call_control_lead/click2call/", map[string]any{"lead": o.leadID}, pk("lead", o.leadID)},
	}
	for _, tt := range badRequest {
		r := e.do(tt.method, tt.target, tt.body)
		if r.status != http.StatusBadRequest || !sameJSON(t, string(r.body), tt.want) {
			t.Errorf("%s %s %v = %s, want 400 %s", tt.method, tt.target, tt.body, r, tt.want)
		}
	}
	lists := []string{
		fmt.Sprintf("/api/lead/?concessionaire__in=%d", o.dealerID),
		"/api/lead/?search=Secreto", "/api/lead/?page_size=all",
		"/api/clients/?search=secreto", "/api/clients/?page_size=all",
		"/api/source/?page_size=all", "/api/concessionaire/", "/api/user/?page_size=all",
		fmt.Sprintf("/api/user/?userconcession__concessionaire__id=%d", o.dealerID),
	}
	for _, target := range lists {
		r := want(t, e.do(http.MethodGet, target, nil), http.StatusOK)
		if strings.Contains(strings.ToLower(string(r.body)), "secreto") || strings.Contains(string(r.body), "otro@example.com") ||
			strings.Contains(string(r.body), "Otro Concesionario") {
			t.Errorf("%s leaked another dealer's data: %.300s", target, r.body)
		}
	}
	if got := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead/?concessionaire__in=%d", o.dealerID), nil), http.StatusOK).obj(t); num(got["count"]) != 0 {
		t.Errorf("concessionaire__in of another dealer: count %v", got["count"])
	}
	// and the other dealer sees its own lead, not ours
	r := want(t, e.req(o.token, http.MethodGet, "/api/lead/?page_size=all", nil), http.StatusOK).obj(t)
	if num(r["count"]) != 1 || num(path(r, "results", 0, "id")) != o.leadID {
		t.Errorf("the other dealer sees %v leads", r["count"])
	}
}

func TestLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 45)
	docTable := readJSON(t, "testdata/doc_lead_table.json")

	page := func(target string) map[string]any {
		t.Helper()
		return want(t, e.do(http.MethodGet, target, nil), http.StatusOK).obj(t)
	}
	ids := func(p map[string]any) []int64 {
		var out []int64
		for _, r := range p["results"].([]any) {
			out = append(out, num(r.(map[string]any)["id"]))
		}
		return out
	}

	t.Run("pages and links", func(t *testing.T) {
		p1 := page("/api/lead/?page_size=20&search=")
		if num(p1["count"]) != 45 || len(p1["results"].([]any)) != 20 || p1["previous"] != nil {
			t.Fatalf("page 1: count %v results %d previous %v", p1["count"], len(p1["results"].([]any)), p1["previous"])
		}
		next, _ := p1["next"].(string)
		u, err := url.Parse(next)
		if err != nil || u.Scheme != "http" || u.Host != "example.com" || u.Path != "/api/lead/" || u.Query().Get("page") != "2" ||
			u.Query().Get("page_size") != "20" || !u.Query().Has("search") {
			t.Errorf("next = %q", next)
		}
		p3 := page("/api/lead/?page_size=20&page=3")
		if len(p3["results"].([]any)) != 5 || p3["next"] != nil || !strings.HasSuffix(p3["previous"].(string), "page=2&page_size=20") {
			t.Errorf("page 3: %d results, next %v previous %v", len(p3["results"].([]any)), p3["next"], p3["previous"])
		}
		p2 := page("/api/lead/?page=2&page_size=20")
		if prev := p2["previous"].(string); strings.Contains(prev, "page=") && !strings.Contains(prev, "page_size=") || strings.Contains(prev, "page=1") {
			t.Errorf("previous of page 2 = %q, want no page parameter", prev)
		}
		seen := map[int64]bool{}
		for _, p := range []map[string]any{p1, p2, p3} {
			for _, id := range ids(p) {
				if seen[id] {
					t.Errorf("lead %d on two pages", id)
				}
				seen[id] = true
			}
		}
		if len(seen) != 45 {
			t.Errorf("pages hold %d leads, want 45", len(seen))
		}
		def := page("/api/lead/")
		if len(def["results"].([]any)) != 20 {
			t.Errorf("default page size %d", len(def["results"].([]any)))
		}
		all := page("/api/lead/?page_size=all")
		if len(all["results"].([]any)) != 45 || all["next"] != nil || all["previous"] != nil {
			t.Errorf("page_size=all: %d results next %v", len(all["results"].([]any)), all["next"])
		}
		if d := keyDiff(all["results"].([]any)[0], docTable, "", writeOnly); len(d) > 0 {
			t.Errorf("list item keys: %v", d)
		}
		r := want(t, e.req(e.token, http.MethodGet, "/api/gas_type/?page_size=2&page=2", nil, "X-Forwarded-Proto", "https", "Host", "crm.example.es"), http.StatusOK).obj(t)
		if r["next"] != "https://crm.example.es/api/gas_type/?page=3&page_size=2" || r["previous"] != "https://crm.example.es/api/gas_type/?page_size=2" {
			t.Errorf("proxied links: next %v previous %v", r["next"], r["previous"])
		}
		if big := page("/api/lead/?page_size=5000"); len(big["results"].([]any)) != 45 {
			t.Errorf("page_size above the maximum")
		}
	})

	t.Run("status filter", func(t *testing.T) {
		all := page("/api/lead/?page_size=all")
		byStatus := map[string]int{}
		for _, r := range all["results"].([]any) {
			byStatus[r.(map[string]any)["status"].(string)]++
		}
		for st, n := range byStatus {
			if got := page("/api/lead/?page_size=all&status=" + st); num(got["count"]) != int64(n) {
				t.Errorf("status=%s: %v, want %d", st, got["count"], n)
			}
		}
		if got := page("/api/lead/?status=new,tracing"); num(got["count"]) != int64(byStatus["new"]+byStatus["tracing"]) {
			t.Errorf("status=new,tracing: %v", got["count"])
		}
	})

	t.Run("client filters and search", func(t *testing.T) {
		all := page("/api/lead/?page_size=all")
		var phone, email, name string
		for _, r := range all["results"].([]any) {
			if c, ok := r.(map[string]any)["client"].(map[string]any); ok {
				phone, email, name = c["phone"].(string), c["email"].(string), c["name"].(string)
				break
			}
		}
		for _, target := range []string{
			"/api/lead/?client__phone__icontains=" + phone[3:],
			"/api/lead/?client__email__icontains=" + url.QueryEscape(strings.ToUpper(email)),
			"/api/lead/?search=" + url.QueryEscape(name),
		} {
			got := page(target)
			if num(got["count"]) < 1 {
				t.Errorf("%s: nothing", target)
			}
			for _, r := range got["results"].([]any) {
				c, _ := r.(map[string]any)["client"].(map[string]any)
				if c == nil || (!strings.Contains(c["phone"].(string), phone[3:]) && !strings.EqualFold(c["email"].(string), email) && c["name"] != name &&
					!strings.Contains(fmt.Sprint(r), name)) {
					t.Errorf("%s matched %v", target, c)
				}
			}
		}
		if got := page("/api/lead/?client__phone__icontains=000000000000"); num(got["count"]) != 0 {
			t.Errorf("phone filter matched %v", got["count"])
		}
	})

	t.Run("ordering", func(t *testing.T) {
		asc := ids(page("/api/lead/?ordering=id&page_size=all"))
		desc := ids(page("/api/lead/?ordering=-id&page_size=all"))
		if !sort.SliceIsSorted(asc, func(i, j int) bool { return asc[i] < asc[j] }) || !sort.SliceIsSorted(desc, func(i, j int) bool { return desc[i] > desc[j] }) {
			t.Errorf("ordering by id: %v / %v", asc, desc)
		}
		byScore := page("/api/lead/?ordering=-score,id&page_size=all")["results"].([]any)
		last := "9"
		for _, r := range byScore {
			s, _ := r.(map[string]any)["score"].(string)
			if s == "" {
				s = "0"
			}
			if s > last {
				t.Errorf("ordering=-score: %s after %s", s, last)
			}
			last = s
		}
		for _, f := range []string{"created", "updated", "status", "user", "finish_date", "end_date", "concessionaire", "source", "client__name", "-client__name"} {
			want(t, e.do(http.MethodGet, "/api/lead/?ordering="+f, nil), http.StatusOK)
		}
	})

	t.Run("reference lists", func(t *testing.T) {
		c := page("/api/concessionaire/")
		docConc := parseJSON(t, docConcessionaire)
		if d := keyDiff(c["results"].([]any)[0], docConc, "", nil); len(d) > 0 {
			t.Errorf("concessionaire keys: %v", d)
		}
		if path(c, "results", 0, "work_calendar", "monday", "start_hour") != "09:00:00" || path(c, "results", 0, "notes_data", 0, "history") == nil {
			t.Errorf("concessionaire = %.400v", c["results"])
		}
		// the demo dealer's guidance, caller id and SML extension field
		for k, v := range map[string]string{"web_coches_net": "https://www.coches.net/concesionario/concesionario-de-prueba/",
			"date_notes": "Pruebas de conducción con cita previa.", "appraisal_notes": "Tasación gratuita en 24 h.",
			"financing_notes": "Financiación hasta 96 meses.", "warranty_notes": "12 meses en vehículos de ocasión.",
			"service_notes": "Taller propio multimarca.", "mask_c2c": "34910052683", "concession_phone": "674833617"} {
			if got := path(c, "results", 0, k); got != v {
				t.Errorf("concessionaire %s = %v, want %q", k, got, v)
			}
		}
		if got := page("/api/concessionaire/?search=Prueba"); num(got["count"]) != 1 {
			t.Errorf("concessionaire search: %v", got["count"])
		}
		if got := page("/api/concessionaire/?search=zzz"); num(got["count"]) != 0 {
			t.Errorf("concessionaire search zzz: %v", got["count"])
		}

		s := page("/api/source/?page_size=all")
		if num(s["count"]) != 5 {
			t.Errorf("sources %v", s["count"])
		}
		docSrc := parseJSON(t, docSource)
		if d := keyDiff(s["results"].([]any)[0], docSrc, "", nil); len(d) > 0 {
			t.Errorf("source keys: %v", d)
		}
		if path(s, "results", 0, "concession") != float64(e.fx.DealerID) || path(s, "results", 0, "concession_data", "name") != "Concesionario de Prueba" {
			t.Errorf("source = %v", path(s, "results", 0))
		}
		if got := page("/api/source/?search=whatsapp"); num(got["count"]) < 1 {
			t.Errorf("source search: %v", got["count"])
		}

		g := page("/api/gas_type/")
		if num(g["count"]) != 7 || path(g, "results", 0, "name") != "Gasolina" || len(path(g, "results", 0).(map[string]any)) != 2 {
			t.Errorf("gas = %v", g)
		}
		if g2 := page("/api/gas_type/?page_size=3&page=3"); len(g2["results"].([]any)) != 1 || g2["next"] != nil {
			t.Errorf("gas page 3 = %v", g2)
		}

		cl := page("/api/clients/?page_size=all")
		docClient := parseJSON(t, `{"id":0,"name":"s","phone":"s","email":"s","province":0,"province_data":{"id":0,"country":0,"name":"s","status":true},"location":0,"location_data":{"id":0,"province":0,"name":"s","status":true}}`)
		if d := keyDiff(cl["results"].([]any)[0], docClient, "", nil); len(d) > 0 {
			t.Errorf("client keys: %v", d)
		}
		first := path(cl, "results", 0).(map[string]any)
		for _, q := range []string{"name__icontains=" + url.QueryEscape(first["name"].(string)[:4]), "phone__icontains=" + first["phone"].(string)[2:7],
			"email__icontains=" + url.QueryEscape(first["email"].(string)), "search=" + url.QueryEscape(first["name"].(string))} {
			got := page("/api/clients/?" + q)
			if num(got["count"]) < 1 || num(got["count"]) >= num(cl["count"]) && num(cl["count"]) > 1 && !strings.HasPrefix(q, "name") {
				t.Errorf("clients ?%s: %v of %v", q, got["count"], cl["count"])
			}
		}

		p := page("/api/provinces/?country=28&page_size=all")
		if num(p["count"]) != 52 || len(path(p, "results", 0).(map[string]any)) != 4 {
			t.Errorf("provinces %v", p["count"])
		}
		if got := page("/api/provinces/?country=28&search=madr"); num(got["count"]) != 1 || path(got, "results", 0, "id") != float64(e.fx.ProvinceID) ||
			path(got, "results", 0, "country") != 28.0 || path(got, "results", 0, "status") != true {
			t.Errorf("provinces search = %v", got)
		}
		if got := page("/api/provinces/?country=1"); num(got["count"]) != 0 {
			t.Errorf("provinces of country 1: %v", got["count"])
		}
		lo := page(fmt.Sprintf("/api/localities/?province=%d", e.fx.ProvinceID))
		if num(lo["count"]) != 4 {
			t.Errorf("localities of Madrid: %v", lo["count"])
		}
		if got := page("/api/localities/?search=getafe"); num(got["count"]) != 1 || path(got, "results", 0, "province") != float64(e.fx.ProvinceID) {
			t.Errorf("localities search = %v", got)
		}
	})

	t.Run("users and their filters", func(t *testing.T) {
		u := page("/api/user/?page_size=all")
		if num(u["count"]) != 4 {
			t.Errorf("users %v", u["count"])
		}
		// the demo admin is the installation's administrator, the advisors
		// are not: Django's three flags render that one
		for _, it := range u["results"].([]any) {
			admin := path(it, "username") == "demo@example.com"
			for _, k := range []string{"is_staff", "is_superuser", "is_admin"} {
				if path(it, k) != admin {
					t.Errorf("%v: %s = %v, want %v", path(it, "username"), k, path(it, k), admin)
				}
			}
		}
		docUser := parseJSON(t, docUserItem)
		if d := keyDiff(u["results"].([]any)[0], docUser, "", map[string]bool{".password": true, ".repeat_password": true}); len(d) > 0 {
			t.Errorf("user keys: %v", d)
		}
		if online := page("/api/user/?online=true"); num(online["count"]) != 1 || path(online, "results", 0, "username") != "demo@example.com" ||
			path(online, "results", 0, "session", "online") != true {
			t.Errorf("online=true: %v", online["count"])
		}
		if off := page("/api/user/?online=False"); num(off["count"]) != 3 {
			t.Errorf("online=False: %v", off["count"])
		}
		if act := page("/api/user/?is_active=1"); num(act["count"]) != 4 {
			t.Errorf("is_active=1: %v", act["count"])
		}
		if inact := page("/api/user/?is_active=false"); num(inact["count"]) != 0 {
			t.Errorf("is_active=false: %v", inact["count"])
		}
		if d := page(fmt.Sprintf("/api/user/?userconcession__concessionaire__id=%d", e.fx.DealerID)); num(d["count"]) != 4 {
			t.Errorf("by concessionaire: %v", d["count"])
		}
		if s := page("/api/user/?search=asesor2"); num(s["count"]) != 1 || path(s, "results", 0, "first_name") != "Javier" {
			t.Errorf("search: %v", s)
		}
		if strings.Contains(fmt.Sprint(u), "$2a$") {
			t.Error("a password hash was rendered")
		}
	})

	// last: it makes the admin a member of a second dealer
	t.Run("concessionaire__in single and multiple", func(t *testing.T) {
		o := e.otherDealer()
		single := page(fmt.Sprintf("/api/lead/?concessionaire__in=%d&page_size=all", e.fx.DealerID))
		multi := page(fmt.Sprintf("/api/lead/?concessionaire__in=%d,%d&page_size=all", e.fx.DealerID, o.dealerID))
		none := page(fmt.Sprintf("/api/lead/?concessionaire__in=%d", o.dealerID))
		if num(single["count"]) != 45 || num(multi["count"]) != 45 || num(none["count"]) != 0 {
			t.Errorf("single %v multi %v other %v", single["count"], multi["count"], none["count"])
		}
		// a user of both dealers sees both, and can narrow to either
		ctx := t.Context()
		if _, err := e.svc.AddMembership(ctx, core.Membership{UserID: e.fx.AdminID, DealerID: o.dealerID}); err != nil {
			t.Fatal(err)
		}
		tok := e.login(e.fx.AdminUsername, e.fx.AdminPassword)
		both := want(t, e.req(tok, http.MethodGet, fmt.Sprintf("/api/lead/?concessionaire__in=%d,%d", e.fx.DealerID, o.dealerID), nil), http.StatusOK).obj(t)
		theirs := want(t, e.req(tok, http.MethodGet, fmt.Sprintf("/api/lead/?concessionaire__in=%d", o.dealerID), nil), http.StatusOK).obj(t)
		if num(both["count"]) != 46 || num(theirs["count"]) != 1 || num(path(theirs, "results", 0, "concessionaire")) != o.dealerID {
			t.Errorf("both %v theirs %v", both["count"], theirs["count"])
		}
	})
}

// docConcessionaire is one result of the document's "Listar
// concesionarios".
const docConcessionaire = `{"id":0,"name":"s","address":"s","latitude":0,"longitude":0,"schedule":"s","web":"s","web_coches_net":"s","date_notes":"s",
"appraisal_notes":"s","financing_notes":"s","warranty_notes":"s","service_notes":"s",
"related_users":[{"id":0,"user":0,"user_data":{"id":0,"first_name":"s","last_name":"s","username":"s","phone":"s","email":"s","online":"s"},"is_concessionaire_admin":true,"is_business_manager":true}],
"work_calendar":{"id":0,"monday":{"id":0,"start_hour":"s","end_hour":"s","working_day":true},"tuesday":{"id":0,"start_hour":"s","end_hour":"s","working_day":true},
"wednesday":{"id":0,"start_hour":"s","end_hour":"s","working_day":true},"thursday":{"id":0,"start_hour":"s","end_hour":"s","working_day":true},
"friday":{"id":0,"start_hour":"s","end_hour":"s","working_day":true},"saturday":{"id":0,"start_hour":"s","end_hour":"s","working_day":true},
"sunday":{"id":0,"start_hour":"s","end_hour":"s","working_day":true},"open_now":"s"},
"sources":[{"id":0,"channel":0,"channel_data":{"id":0,"slug":"s","name":"s"},"data":"s","origin":0,"origin_data":{"id":0,"name":"s","icon":"s","available_channels":[0],"available_channels_data":[{"id":0,"slug":"s","name":"s"}]}}],
"notes":[0],"notes_data":[{"id":0,"content":"s","modified":"s","history":[{"history_id":0,"modified":"s","history_user":0,"content":"s"}]}],
"mask_c2c":"s","concession_phone":"s"}`

// docSource is one result of "Consultar fuentes de concesionario"; the
// document's concession_data breaks off after service_notes (with a
// trailing comma), so its two last fields are those of every other
// concessionaire_data.
const docSource = `{"id":0,"channel":0,"channel_data":{"id":0,"slug":"s","name":"s"},"data":"s","origin":0,"origin_data":{"id":0,"name":"s","icon":"s"},
"concession":0,"concession_data":{"id":0,"name":"s","address":"s","latitude":0,"longitude":0,"schedule":"s","web":"s","web_coches_net":"s","date_notes":"s",
"appraisal_notes":"s","financing_notes":"s","warranty_notes":"s","service_notes":"s","mask_c2c":"s","concession_phone":"s"}}`

// docUserItem is one result of "Buscar usuarios".
const docUserItem = `{"id":0,"first_name":"s","last_name":"s","phone":"s","memberid":"s","id_click2call":"s","username":"s","email":"s","password":"s","repeat_password":"s",
"is_staff":true,"is_superuser":true,
"related_concessionaires":[{"id":0,"concessionaire":0,"concessionaire_data":{"id":0,"name":"s","address":"s","latitude":0,"longitude":0,"schedule":"s","web":"s",
"web_coches_net":"s","date_notes":"s","appraisal_notes":"s","financing_notes":"s","warranty_notes":"s","service_notes":"s","mask_c2c":"s","concession_phone":"s"},
"is_concessionaire_admin":true,"is_business_manager":true}],
"is_admin":true,"is_concession_admin":true,"is_business_manager":true,"is_active":true,
"session":{"id":0,"start_working":"s","last_seen":"s","online":true},"user_activation_date":"s","user_deactivation_date":"s"}`

// refusingDialer is a telephony bridge that refuses every call.
type refusingDialer struct{}

func (refusingDialer) Dial(context.Context, core.Call) (int64, error) { return 0, errors.New("busy") }

// TestClick2CallBridge checks SML's answers when the telephony bridge
// refuses the call (409) and when the server has none (503 with
// Retry-After, never a 500), and that neither records a task.
func TestClick2CallBridge(t *testing.T) {
	const target = "/api/netelip/call_control_lead/click2call/"
	e := newEnv(t, 0, core.WithDialer(refusingDialer{}))
	id := num(e.createLead(map[string]any{"vehicle": map[string]any{"brand_model": "x"}, "source": e.fx.SourceIDs["phone"],
		"client": map[string]any{"name": "Ana", "phone": "666777888"}})["id"])
	r := want(t, e.do(http.MethodPatch, target, map[string]any{"lead": id}), http.StatusConflict)
	if !sameJSON(t, string(r.body), `{"detail":"La centralita rechazó la llamada."}`) {
		t.Errorf("refused: %s", r)
	}

	e = newEnv(t, 0, core.WithDialer(nil))
	id = num(e.createLead(map[string]any{"vehicle": map[string]any{"brand_model": "x"}, "source": e.fx.SourceIDs["phone"],
		"client": map[string]any{"name": "Ana", "phone": "666777888"}})["id"])
	req := httptest.NewRequest(http.MethodPatch, target, strings.NewReader(fmt.Sprintf(`{"lead": %d}`, id)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token "+e.token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "60" ||
		!sameJSON(t, w.Body.String(), `{"detail":"La centralita no está disponible. Inténtelo de nuevo más tarde."}`) {
		t.Errorf("no bridge: %d Retry-After %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	e.schema.check(t, "click2call", w.Code, w.Body.Bytes())
	lead := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead/%d/", id), nil), http.StatusOK).obj(t)
	if tasks := path(lead, "request", "task").([]any); len(tasks) != 0 {
		t.Errorf("a call not placed left tasks: %v", tasks)
	}
}

// TestReassignment checks core's reassignment rule through SML: who sees
// cur_user_can_assign false is answered 403 when he PATCHes "user", and
// nothing changes; the assignee, an admin or business manager of the
// concessionaire and an API key may reassign.
func TestReassignment(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	manager, plain, other := e.fx.AdvisorIDs[0], e.fx.AdvisorIDs[1], e.fx.AdvisorIDs[2] // asesor1 is business manager
	_, err := e.svc.CreateUser(ctx, core.User{Username: "jefa@example.com", IsActive: true,
		Memberships: []core.Membership{{DealerID: e.fx.DealerID, IsAdmin: true}}}, "demo")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := e.svc.CreateAPIKey(ctx, e.fx.DealerID, nil, "crm")
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"manager": e.login("asesor1@example.com", "demo"), "plain": e.login("asesor2@example.com", "demo"),
		"dealer admin": e.login("jefa@example.com", "demo"), "API key": key,
	}

	id := num(e.createLead(e.minimalLead())["id"]) // the demo admin's
	u := fmt.Sprintf("/api/lead/%d/", id)
	before := want(t, e.req(tokens["plain"], http.MethodGet, u, nil), http.StatusOK)
	if path(before.obj(t), "cur_user_can_assign") != false {
		t.Fatalf("an advisor may assign another's lead: %s", before)
	}
	history := func() any {
		return want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/", id), nil), http.StatusOK).obj(t)["count"]
	}
	count := history()
	for _, body := range []map[string]any{{"user": plain}, {"user": nil}, {"user": other, "score": 4, "vehicle": map[string]any{"brand_model": "otro"}}} {
		r := want(t, e.req(tokens["plain"], http.MethodPatch, u, body), http.StatusForbidden)
		if !sameJSON(t, string(r.body), `{"detail":"Usted no tiene permiso para realizar esta acción."}`) {
			t.Errorf("refused reassignment %v: %s", body, r)
		}
	}
	if after := want(t, e.req(tokens["plain"], http.MethodGet, u, nil), http.StatusOK); string(after.body) != string(before.body) || history() != count {
		t.Errorf("a refused reassignment changed the lead:\n%s\n%s", before.body, after.body)
	}
	// naming the assignee he has is no reassignment
	want(t, e.req(tokens["plain"], http.MethodPatch, u, map[string]any{"user": e.fx.AdminID, "score": 2}), http.StatusOK)

	// The concessionaire's admin, its business manager and an API key may;
	// so may the assignee, who sees cur_user_can_assign true.
	for _, step := range []struct {
		who string
		to  int64
	}{{"dealer admin", other}, {"manager", plain}, {"plain", manager}, {"API key", other}} {
		if step.who == "plain" {
			if got := want(t, e.req(tokens["plain"], http.MethodGet, u, nil), http.StatusOK).obj(t); path(got, "cur_user_can_assign") != true {
				t.Errorf("the assignee may not assign his lead")
			}
		}
		got := want(t, e.req(tokens[step.who], http.MethodPatch, u, map[string]any{"user": step.to}), http.StatusOK).obj(t)
		// having passed his lead on, the advisor may no longer
		if num(got["user"]) != step.to || got["cur_user_can_assign"] != (step.who != "plain") {
			t.Errorf("%s: user %v, cur_user_can_assign %v", step.who, got["user"], got["cur_user_can_assign"])
		}
	}
}

// TestCountries checks SML's numeric country ids over core's ISO codes:
// Spain is 28, any other country 1000 + its ISO numeric code.
func TestCountries(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	if _, err := e.svc.CreateCountry(ctx, core.Country{Code: "PT", Name: "Portugal"}); err != nil {
		t.Fatal(err)
	}
	porto, err := e.svc.CreateProvince(ctx, core.Province{Country: "PT", Name: "Porto", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	got := want(t, e.do(http.MethodGet, "/api/provinces/?country=1620", nil), http.StatusOK).obj(t)
	if num(got["count"]) != 1 || num(path(got, "results", 0, "id")) != porto.ID || num(path(got, "results", 0, "country")) != 1620 {
		t.Errorf("provinces of 1620: %v", got)
	}
	spain := want(t, e.do(http.MethodGet, "/api/provinces/?country=28&page_size=all", nil), http.StatusOK).obj(t)
	if num(spain["count"]) != 52 || num(path(spain, "results", 0, "country")) != 28 {
		t.Errorf("provinces of 28: %v of country %v", spain["count"], path(spain, "results", 0, "country"))
	}
	for _, id := range []string{"1724", "620", "5", "0"} {
		if got := want(t, e.do(http.MethodGet, "/api/provinces/?country="+id, nil), http.StatusOK).obj(t); num(got["count"]) != 0 {
			t.Errorf("provinces of %s: %v", id, got["count"])
		}
	}
	body := e.minimalLead()
	body["client"] = map[string]any{"name": "Rui", "province": porto.ID}
	if l := e.createLead(body); num(path(l, "client", "province_data", "country")) != 1620 {
		t.Errorf("client's province_data = %v", path(l, "client", "province_data"))
	}
}

// TestOneClientThroughSML: a lead posted with the phone of a client the
// dealer has gets that client, and its history says so; another dealer's
// client with the same phone is not it.
func TestOneClientThroughSML(t *testing.T) {
	e := newEnv(t, 0)
	body := func(client map[string]any) map[string]any {
		b := e.minimalLead()
		b["client"] = client
		return b
	}
	first := e.createLead(body(map[string]any{"name": "Ana", "phone": "666 777 888"}))
	second := e.createLead(body(map[string]any{"name": "Ana García", "phone": "0034666777888", "email": "ana@example.com"}))
	c1, c2 := first["client"].(map[string]any), second["client"].(map[string]any)
	if c1["id"] != c2["id"] || c2["name"] != "Ana" || c2["email"] != "ana@example.com" {
		t.Fatalf("clients %v and %v", c1, c2)
	}
	h := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%v/get_history/", second["id"]), nil), http.StatusOK).obj(t)
	newest := h["results"].([]any)[0].(map[string]any)["history_change_reason"].(string)
	if !strings.HasPrefix(newest, "Cliente existente: ") || !strings.Contains(newest, "Ana → Ana García") {
		t.Errorf("history = %q", newest)
	}
	o := e.otherDealer()
	b := body(map[string]any{"name": "Ana", "phone": "666777888"})
	b["source"] = o.sourceID
	r := want(t, e.req(o.token, http.MethodPost, "/api/lead/", b), http.StatusCreated).obj(t)
	if r["client"].(map[string]any)["id"] == c1["id"] {
		t.Error("another dealer's lead got this dealer's client")
	}
}
