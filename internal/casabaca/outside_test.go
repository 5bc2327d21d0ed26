package casabaca_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestDatosAdicionalesNotText: datos_adicionales is kept as given, so a
// string of it that escapes a lone UTF-16 surrogate or a NUL, which would
// read back as other text (U+FFFD), is a 422 on the field and makes
// nothing; an escaped backslash before "u0000" is text like any other
// and reads back as sent (found checking from outside: the ticket was
// made and read back with U+FFFD).
func TestDatosAdicionalesNotText(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		for _, extra := range []string{`{"x":"\udc00"}`, `{"fields":[{"key":"\ud800a"}]}`, `{"y":"a\u0000"}`, `{"\u0000":1}`, `[{"a":"\\\u0000"}]`} {
			doc := strings.Replace(docTicket, `"datos_adicionales":{"title"`, `"datos_adicionales":`+extra+`,"unused":{"title"`, 1)
			code, m := e.do(tok, "POST", "/api/tickets", doc)
			errs := errorsOf(t, code, m)
			if len(errs) != 1 || errs["datos_adicionales"] == nil {
				t.Errorf("%s: %d %v, want 422 on datos_adicionales alone", extra, code, m)
			}
		}
		// nothing was made: the document's ticket is new
		d := e.data(tok, "POST", "/api/tickets", strings.Replace(docTicket, `"datos_adicionales":{"title"`, `"datos_adicionales":{"path":"C:\\u0000dir","title"`, 1))
		if d["message"] != nil {
			t.Fatalf("the first ticket accepted: %v", d)
		}
		got := e.data(tok, "GET", "/api/tickets/"+d["ticket_id"].(string), nil)
		if p := got["datos_adicionales"].(map[string]any)["path"]; p != `C:\u0000dir` {
			t.Errorf("an escaped backslash read back as %q", p)
		}
	})
}

// docAnswers are the document's example answers (200) of each endpoint,
// verbatim: TestExampleAnswerShapes holds forecourt's answers to the
// document's example requests to their field names and JSON types.
var docAnswers = map[string]string{
	"login":             `{"status_code": "200", "token": "slghn1EDIJjMvYNkAFQvnHGfPDl5srH8X11TKyl"}`,
	"register":          `{"status_code": "200", "message": "Usuario Creado Correctamente"}`,
	"logout":            `{"status_code": 200, "token": "Token has deleted succesfully"}`,
	"asesores":          `{"data": [{"nombres": "FRANCISCO XAVIER", "apellidos": "VILLAMAR CASTRO", "celular": "0987647944", "user_name": "MA_PALACIOS", "email": "fvillamar@1001carros.com", "agencia": "CUMBAYA", "lineas_negocio": ["SEMINUEVOS"]}]}`,
	"create_landing":    `{"data": {"status_code": "200", "messsage": "Landing Page creada correctamente"}}`,
	"quotation":         `{"data": {"prospeccion_id": "b9400c64-9a35-cf31-cf26-604bcac73032", "prospeccion_url": "https://sugarcrm.casabaca.com/#cbp_Prospeccion/b9400c64-9a35-cf31-cf26-604bcac73032"}}`,
	"call_quotation":    `{"data": {"prospeccion_id": "b9400c64-9a35-cf31-cf26-604bcac73032", "call_id": "aa172c6b-5595-27d3-b81e-60e7556c16bc", "prospeccion_url": "https://sugarcrm.casabaca.com/#cbp_Prospeccion/b9400c64-9a35-cf31-cf26-604bcac73032"}}`,
	"calls_prospeccion": `{"data": {"call_id": "3d5a6040-cf8d-116a-85c0-60515e1f2ff2", "prospeccion_id": "b9400c64-9a35-cf31-cf26-604bcac73032", "meeting_id": "3b970e6d-46e8-3455-1250-6054d939216c"}}`,
	"close_prospeccion": `{"data": {"prospeccion_id": "10438baf-0d83-9533-4fb3-602ea326288b", "prospeccion_name": "PROSPECTO-73097"}}`,
	"forms_prospeccion": `{"data": {"prospeccion_id": "10438baf-0d83-9533-4fb3-602ea326288b", "ticket_url": "https://sugarcrm.casabaca.com/#cbp_Prospeccion/e06279dc-5629-5b20-6ebf-61081a41553a"}}`,
	"calls":             `{"data": {"call_id": "3d5a6040-cf8d-116a-85c0-60515e1f2ff2", "ticket_id": "b9400c64-9a35-cf31-cf26-604bcac73032", "prospeccion_id": "b9400c64-9a35-cf31-cf26-604bcac73032", "meeting_id": "3b970e6d-46e8-3455-1250-6054d939216c"}}`,
	"tickets":           `{"data": {"ticket_id": "10438baf-0d83-9533-4fb3-602ea326288b", "ticket_name": "TCK-463587", "interaction_id": "1042eae5-0c94-1f7f-ef16-602e98cbd391"}}`,
	"call_ticket":       `{"data": {"ticket_id": "10438baf-0d83-9533-4fb3-602ea326288b", "ticket_name": "TCK-463587", "ticket_url": "https://sugarcrm.casabaca.com/#cbt_Tickets/d4417c68-87a1-2572-9443-60e5cf52d1ef"}}`,
	"landing_ticket":    `{"data": {"ticket_id": "10438baf-0d83-9533-4fb3-602ea326288b", "ticket_name": "TCK-463587", "interaction_id": "1042eae5-0c94-1f7f-ef16-602e98cbd391", "ticket_url": "https://sugarcrm.casabaca.com/#cbt_Tickets/e06279dc-5629-5b20-6ebf-61081a41553a"}}`,
	"not_answer_ticket": `{"data": {"ticket_id": "d9bf5143-daa6-d9ca-7d04-60df4f47f51a", "ticket_name": "TCK-463587"}}`,
	"not_answer_call":   `{"data": {"call_id": "1043801af-0d83-9533-4fb3-602ea313128b", "ticket_id": "10438baf-0d83-9533-4fb3-602ea326288b"}}`,
	"close_ticket":      `{"data": {"ticket_id": "10438baf-0d83-9533-4fb3-602ea326288b", "ticket_name": "TCK-463587"}}`,
	"addNotes":          `{"data": {"ticket_id": "10438baf-0d83-9533-4fb3-602ea326288b", "ticket_name": "TCK-463587"}}`,
}

// The document's example bodies not kept elsewhere, as its curl -d lines
// show them.
const (
	docLogin       = `{"autorizador":"mart_admin@hotmail.com","email":"mart@hotmail.com","password":"Hol@MunD0","environment":"dev"}`
	docRegister    = `{"name":"Maria","email":"mart@hotmail.com","password":"Hol@MunD0","fuente":"inconcert","fuente_id":"2","medios":"2,3,5","compania":"1"}`
	docAddNotesAll = `{"datosSugarCRM":{"notes":"El cliente se encuentra interesado en un RAV4","interaction":"edc861f5-95ec-dc21-d6ff-608842e5f11c","prospeccion":"85fce850-bf1a-25ba-cbc3-60a547b5b9f3"}}`
)

// sameShape reports where got differs from the document's answer doc: a
// member missing or added (but extra, which the decisions add), or a JSON
// type that is not the document's (the document's null stands for a
// string that may be absent).
func sameShape(doc, got any, at string, extra ...string) []string {
	var diffs []string
	switch d := doc.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{at + ": not an object"}
		}
		for k, v := range d {
			if gv, ok := g[k]; !ok {
				diffs = append(diffs, at+"."+k+": missing")
			} else {
				diffs = append(diffs, sameShape(v, gv, at+"."+k, extra...)...)
			}
		}
		for k := range g {
			if _, ok := d[k]; !ok && !slices.Contains(extra, k) {
				diffs = append(diffs, at+"."+k+": not the document's")
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{at + ": not a list"}
		}
		if len(d) > 0 && len(g) > 0 {
			diffs = append(diffs, sameShape(d[0], g[0], at+"[0]", extra...)...)
		}
	case nil:
		if _, ok := got.(string); !ok && got != nil {
			diffs = append(diffs, fmt.Sprintf("%s: %T, want a string or null", at, got))
		}
	default:
		if fmt.Sprintf("%T", doc) != fmt.Sprintf("%T", got) {
			diffs = append(diffs, fmt.Sprintf("%s: %T %v, the document's %T", at, got, got, doc))
		}
	}
	return diffs
}

// TestExampleAnswerShapes: every example request of the document, as
// written but for the ticket, prospección and interaction ids (ones
// created first by the earlier examples), in an order in which each finds
// what it names, answers 200 with exactly the fields of the document's
// example answer, of its JSON types; the repeated ones (call_ticket and
// call_quotation name the ticket and prospección of tickets and
// quotation) add only "message". addNotes is the document's whole
// example, with its interaction and prospección.
func TestExampleAnswerShapes(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		var tok, ticket, interaction, pros string
		step := func(name, token, method, path, body string, extra ...string) map[string]any {
			t.Helper()
			code, got := e.do(token, method, path, body)
			var doc any
			if err := json.Unmarshal([]byte(docAnswers[name]), &doc); err != nil {
				t.Fatalf("%s: the document's answer: %v", name, err)
			}
			if diffs := sameShape(doc, any(got), name, extra...); code != 200 || len(diffs) > 0 {
				t.Fatalf("%s %s: %d %v: %v", method, path, code, got, diffs)
			}
			return got
		}
		data := func(m map[string]any) map[string]any { return m["data"].(map[string]any) }
		tok = step("login", "", "POST", "/api/login", docLogin)["token"].(string)
		step("asesores", tok, "GET", "/api/asesores", `{"medio":"11"}`)
		step("register", e.admin(), "POST", "/api/register", docRegister)
		d := data(step("tickets", tok, "POST", "/api/tickets", docTicket))
		ticket, interaction = d["ticket_id"].(string), d["interaction_id"].(string)
		step("call_ticket", tok, "POST", "/api/call_ticket", docCallTicket, "message")
		step("landing_ticket", tok, "POST", "/api/landing_ticket", docLanding)
		pros = data(step("quotation", tok, "POST", "/api/quotation", onTicket(docQuotation, ticket)))["prospeccion_id"].(string)
		step("call_quotation", tok, "POST", "/api/call_quotation", onTicket(docCallQuotation, ticket), "message")
		step("calls_prospeccion", tok, "POST", "/api/calls_prospeccion", strings.ReplaceAll(docCallsProspeccion, docProspeccionID, pros))
		step("not_answer_ticket", tok, "POST", "/api/not_answer_ticket/"+ticket, "")
		step("not_answer_call", tok, "POST", "/api/not_answer_call", onTicket(docNotAnswerCall, ticket))
		notes := strings.NewReplacer("edc861f5-95ec-dc21-d6ff-608842e5f11c", interaction, "85fce850-bf1a-25ba-cbc3-60a547b5b9f3", pros).Replace(docAddNotesAll)
		step("addNotes", tok, "POST", "/api/ticket/addNotes/"+ticket, notes)
		step("close_prospeccion", tok, "POST", "/api/close_prospeccion/"+pros, docCloseProspeccion)
		step("forms_prospeccion", tok, "POST", "/api/forms_prospeccion", docForms)
		step("calls", tok, "POST", "/api/calls", onTicket(docCalls, ticket))
		step("close_ticket", tok, "POST", "/api/close_ticket/"+ticket, docCloseTicket)
		step("create_landing", e.admin(), "POST", "/api/create_landing_page", docLandingPage)
		// the note of addNotes is on the ticket and on its prospección
		for _, p := range []string{"/api/tickets/" + ticket, "/api/prospecciones/" + pros} {
			if got := e.data(tok, "GET", p, nil); !strings.Contains(fmt.Sprint(got["notes"]), "interesado en un RAV4") {
				t.Errorf("%s: notes %v", p, got["notes"])
			}
		}
		step("logout", tok, "GET", "/api/logout", "")
	})
}

// TestSMLLeadIsNoTicket: a lead the dealer got elsewhere (made through
// SML here) is not a ticket nor a prospección: Casabaca's endpoints that
// name a ticket or a prospección answer their 404 for its id, and change
// nothing (docs/casabaca.md, "Tickets").
func TestSMLLeadIsNoTicket(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	r := e.raw(e.sml, tok, "POST", "/api/lead/", map[string]any{"client": map[string]any{"name": "Cliente SML", "phone": "0987000111"},
		"vehicle": map[string]any{"brand_model": "Toyota Hilux"}, "status": "new", "source": e.fx.EC.Medios["13"]})
	var lead map[string]any
	if r.Code != 201 || json.Unmarshal(r.Body.Bytes(), &lead) != nil {
		t.Fatalf("SML create: %d %s", r.Code, r.Body)
	}
	p, err := e.svc.Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	ls, _, err := e.svc.FindLeads(core.WithPrincipal(context.Background(), p), core.Query{Where: core.Eq("id", int64(lead["id"].(float64))), Limit: 1})
	if err != nil || len(ls) != 1 {
		t.Fatalf("the lead: %v %v", ls, err)
	}
	id := ls[0].PublicID
	for _, rt := range []struct{ method, path, body, want string }{
		{"GET", "/api/tickets/" + id, "", "Ticket no existe, id inválido"},
		{"POST", "/api/close_ticket/" + id, docCloseTicket, "Ticket no existe, id inválido"},
		{"POST", "/api/not_answer_ticket/" + id, "", "Ticket no existe, id inválido"},
		{"POST", "/api/ticket/addNotes/" + id, docAddNotes, "Ticket no existe, id inválido"},
		{"GET", "/api/prospecciones/" + id, "", "Prospección no existe, id inválido"},
		{"POST", "/api/close_prospeccion/" + id, docCloseProspeccion, "Prospección no existe, id inválido"},
	} {
		if code, m := e.do(tok, rt.method, rt.path, rt.body); code != 404 || m["error"] != rt.want {
			t.Errorf("%s %s: %d %v", rt.method, rt.path, code, m)
		}
	}
	r = e.raw(e.sml, tok, "GET", fmt.Sprintf("/api/lead/%v/", lead["id"]), nil)
	if !strings.Contains(r.Body.String(), `"status":"new"`) || strings.Contains(r.Body.String(), "interesado en un RAV4") {
		t.Errorf("the SML lead changed: %s", r.Body)
	}
}

// TestPropertiesFormNotText: properties_form, kept as JSON text, may not
// escape a lone surrogate or a NUL, whether sent as an array or, as the
// document does, as a string holding one (escaped in the string, or in the
// array the string holds): a 422 on the field.
func TestPropertiesFormNotText(t *testing.T) {
	e := newEnv(t)
	adm := e.admin()
	for _, props := range []string{`[{"label":"\udc00"}]`, `"[{\"label\": \"\ud800\"}]"`, `"[{\"label\": \"\\ud800\"}]"`, `[{"label":"a\u0000"}]`, `"[{\"label\": \"\\u0000\"}]"`} {
		doc := strings.Replace(docLandingPage, `"properties_form":"[{\"label\": \"Tipo de discapacidad\",\"value\": \"tipo_discapacidad\",\"validations\": \"required\" } ]"`, `"properties_form":`+props, 1)
		if doc == docLandingPage {
			t.Fatal("the document's properties_form not found")
		}
		code, m := e.do(adm, "POST", "/api/create_landing_page", doc)
		if errs := errorsOf(t, code, m); len(errs) != 1 || errs["datosSugarCRM.properties_form"] == nil {
			t.Errorf("%s: %v", props, errs)
		}
	}
}

// TestTextNotText: a text field escaping a lone UTF-16 surrogate, which
// encoding/json reads as U+FFFD, is a 422 on that field, keyed as the
// endpoint keys its fields, on every endpoint, whether the field is
// checked otherwise or not (quotation's comments and its client's names,
// calls' notes and its meeting's subject answered 200 and stored U+FFFD).
func TestTextNotText(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	ticket := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
	for _, tc := range []struct{ path, doc, field, key string }{
		{"/api/quotation", onTicket(docQuotation, ticket), `"comments":"`, "datosSugarCRM.comments"},
		{"/api/quotation", onTicket(docQuotation, ticket), `"names":"`, "datosSugarCRM.client.names"},
		{"/api/call_quotation", onTicket(docCallQuotation, ticket), `"modelo":"`, "datosSugarCRM.modelo"},
		{"/api/calls", onTicket(docCalls, ticket), `"notes":"`, "datosSugarCRM.notes"},
		{"/api/calls", onTicket(docCalls, ticket), `"subject":"`, "datosSugarCRM.meeting.subject"},
		{"/api/forms_prospeccion", docForms, `"comentarios":"`, "comentarios"},
		{"/api/tickets", strings.Replace(docTicket, "id_inconcert", "otra", 1), `"comentario_cliente":"`, "comentario_cliente"},
	} {
		doc := strings.Replace(tc.doc, tc.field, tc.field+`\udc00`, 1)
		if doc == tc.doc {
			t.Fatalf("%s: %s not in the document's body", tc.path, tc.field)
		}
		code, m := e.do(tok, "POST", tc.path, doc)
		if errs := errorsOf(t, code, m); len(errs) != 1 || errs[tc.key] == nil {
			t.Errorf("%s with %s\\udc00: %v, want a 422 on %s alone", tc.path, tc.field, errs, tc.key)
		}
	}
	code, m := e.do(e.admin(), "POST", "/api/create_landing_page", strings.Replace(docLandingPage, `"name":"Exonerados"`, `"name":"Exonerados\ud800"`, 1))
	if errs := errorsOf(t, code, m); errs["datosSugarCRM.name"] == nil {
		t.Errorf("create_landing_page's name: %v", errs)
	}
}

// TestLogoutAPIKey: logout with a dealer's API key answers the document's
// 200 but does not revoke the key, as SML's logout (docs/sml.md): keys
// are the dealer's integrations, revoked by an operator; a user's token
// logged out answers 401 after.
func TestLogoutAPIKey(t *testing.T) {
	e := newEnv(t)
	key, _, err := e.svc.CreateAPIKey(context.Background(), e.fx.EC.DealerID, nil, "casabaca")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if code, m := e.do(key, "GET", "/api/logout", nil); code != 200 || m["token"] != "Token has deleted succesfully" {
			t.Fatalf("logout with a key: %d %v", code, m)
		}
	}
	if code, m := e.do(key, "GET", "/api/asesores?medio=11", nil); code != 200 {
		t.Errorf("the key after its logout: %d %v", code, m)
	}
	tok := e.maria()
	e.do(tok, "GET", "/api/logout", nil)
	if code, m := e.do(tok, "GET", "/api/asesores?medio=11", nil); code != 401 {
		t.Errorf("a token after its logout: %d %v", code, m)
	}
}
