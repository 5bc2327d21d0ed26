package casabaca_test

import (
	"slices"
	"strings"
	"testing"
)

const (
	docQuotation        = `{"datosSugarCRM":{"user_name_call_center":"CG_RAMOS","ticket_id":"10438baf-0d83-9533-4fb3-602ea326288b","comments":"El cliente se acerca a la agencia...","modelo":"Hilux 4X4 2021 color rojo","medio":"10","campania":"5e686580-ee19-11ea-97ea-000c297d72b1","client":{"tipo_identificacion":"C","numero_identificacion":"1719932079","gender":"M","names":"Roberto Daniel","surnames":"J\u00e1come Rodriguez","phone_home":"022072845","cellphone_number":"0987512224","email":"mart2021@hotmail.com"}},"datos_adicionales":{"anyproperty1":"anyData1","anyproperty1N":"anyData2"}}`
	docCallQuotation    = `{"datosSugarCRM":{"user_name_call_center":"CG_RAMOS","date_start":"2021-10-02 19:59","duration_hours":"0","duration_minutes":"10","direction":"Inbound","type":"seguimiento","ticket_id":"10438baf-0d83-9533-4fb3-602ea326288b","comments":"El cliente se acerca a la agencia...","modelo":"Hilux 4X4 2021 color rojo","medio":"13","client":{"tipo_identificacion":"C","numero_identificacion":"1719932079","gender":"M","names":"Roberto Daniel","surnames":"J\u00e1come Rodriguez","phone_home":"022072845","cellphone_number":"0987512224","email":"mart2021@hotmail.com"}},"datos_adicionales":{"anyproperty1":"anyData1","anyproperty1N":"anyData2"}}`
	docCallsProspeccion = `{"datosSugarCRM":{"user_name_asesor":"CG_RAMOS","user_name_call_center":"JA_AGUIRRE","date_start":"2021-10-02 19:59","duration_hours":"0","duration_minutes":"10","status":"Held","direction":"Inbound","type":"cita","category":"2","notes":"Llamar lunes","prospeccion_id":"769cb57f-a32d-0ad0-3f0d-60c8e1d1658f","meeting":{"date":"2021-10-02 19:59","duration_hours":"0","duration_minutes":"2","subject":"Prueba de Manejo","comments":"El cliente se acerca a la agencia...","location":"Agencia los Chillos","type":"1","visit_type":"1","linea_negocio":"1","marca":"1","modelo":"2","client":{"tipo_identificacion":"C","numero_identificacion":"1719932079","gender":"M","names":"Freddy Roberto","surnames":"Vargas Rodriguez","phone_home":"022072845","cellphone_number":"0987512224","email":"mart2021@hotmail.com"}}},"datos_adicionales":{"anyproperty1":"anyData1","anyproperty1N":"anyData2"}}`
	docCloseProspeccion = `{"datosSugarCRM":{"motivo_cierre":"1"}}`
	docForms            = `{"datosSugarCRM":{"numero_identificacion":"1719932079","tipo_identificacion":"C","nombres":"Marta Patricia","apellidos":"Andrade Torres","email":"mart@hotmail.com","celular":"0987519882","agencia":"20","fuente":"17","modelo":"NEW HILUX 2.7 CD 4X2","comentarios":"Comentario Test","tienetoyota":"1","interesadorenovacion":"1","horaentregainmediata":"2021-08-31 14:00:00","asesorcorreo":"asesor@casabaca.com","asesornombre":"Pepito Martinez"}}`
	docLandingPage      = `{"datosSugarCRM":{"name":"Exonerados","medio":"18","properties_form":"[{\"label\": \"Tipo de discapacidad\",\"value\": \"tipo_discapacidad\",\"validations\": \"required\" } ]","autorizador":"autorizador@gmail.com","campaign":"RODRIGUEZ 0626c2b0-1ad2-11ea-830b-000c297d72b1","business_line_id":"f417e1ae-a81b-11e9-ab2c-000c297d72b1","user_login":"tde","type_transaction":"1","user_assigned_position":"2"}}`
	docProspeccionID    = "769cb57f-a32d-0ad0-3f0d-60c8e1d1658f"
)

// TestProspeccionExamples: the document's prospección examples, as
// written but for the ticket and prospección ids (ones created first):
// quotation and call_quotation open the ticket's prospección (the second
// finds the first, open for the same client); calls_prospeccion makes its
// meeting, and a second planned one is refused with the document's
// error; close_prospeccion ends it; forms_prospeccion makes one of its
// own for the advisor asesorcorreo names. Each reads back, and the ticket
// lists its prospección.
func TestProspeccionExamples(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		ticket := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
		q := e.data(tok, "POST", "/api/quotation", onTicket(docQuotation, ticket))
		pid, _ := q["prospeccion_id"].(string)
		if !uuidRE.MatchString(pid) || !strings.HasSuffix(q["prospeccion_url"].(string), "/api/prospecciones/"+pid) || q["message"] != nil {
			t.Fatalf("quotation: %v", q)
		}
		cq := e.data(tok, "POST", "/api/call_quotation", onTicket(docCallQuotation, ticket))
		if cq["prospeccion_id"] != pid || cq["message"] == nil {
			t.Fatalf("call_quotation for the same client and line: %v", cq)
		}
		p := e.data(tok, "GET", "/api/prospecciones/"+pid, nil)
		if p["ticket_id"] != ticket || p["prospeccion_name"] == nil || p["campania"] == nil || p["estado"] != "1" || p["user_name"] == nil ||
			!jsonEqual(p["datos_adicionales"], body(`{"anyproperty1":"anyData1","anyproperty1N":"anyData2"}`)) {
			t.Fatalf("prospección: %v", p)
		}
		tk := e.data(tok, "GET", "/api/tickets/"+ticket, nil)
		if !slices.Contains(tk["prospecciones"].([]any), any(pid)) {
			t.Fatalf("the ticket's prospecciones: %v", tk["prospecciones"])
		}

		doc := strings.ReplaceAll(docCallsProspeccion, docProspeccionID, pid)
		cp := e.data(tok, "POST", "/api/calls_prospeccion", doc)
		if cp["prospeccion_id"] != pid || !uuidRE.MatchString(cp["call_id"].(string)) || !uuidRE.MatchString(cp["meeting_id"].(string)) {
			t.Fatalf("calls_prospeccion: %v", cp)
		}
		code, m := e.do(tok, "POST", "/api/calls_prospeccion", doc)
		if code != 409 || m["error"] != "La prospeccion seleccionada ya tiene una reunión planificada" {
			t.Fatalf("a second planned meeting: %d %v", code, m)
		}
		seg := e.data(tok, "POST", "/api/calls_prospeccion", with(doc, map[string]any{"type": "seguimiento", "meeting": nil}))
		if seg["meeting_id"] != "N/A" {
			t.Fatalf("a seguimiento: %v", seg)
		}
		p = e.data(tok, "GET", "/api/prospecciones/"+pid, nil)
		ms := p["meetings"].([]any)
		if len(ms) != 1 || ms[0].(map[string]any)["meeting_id"] != cp["meeting_id"] || ms[0].(map[string]any)["status"] != "Planned" ||
			ms[0].(map[string]any)["date"] != "2021-10-02 19:59" {
			t.Fatalf("meetings: %v", ms)
		}

		cl := e.data(tok, "POST", "/api/close_prospeccion/"+pid, docCloseProspeccion)
		if cl["prospeccion_id"] != pid || !strings.HasPrefix(cl["prospeccion_name"].(string), "PROSPECTO-") {
			t.Fatalf("close_prospeccion: %v", cl)
		}
		if p := e.data(tok, "GET", "/api/prospecciones/"+pid, nil); p["cerrado"] != true || p["motivo_cierre"] != "1" {
			t.Fatalf("closed: %v", p)
		}
		// the ticket is still open: a prospección is a lead of its own
		if tk := e.data(tok, "GET", "/api/tickets/"+ticket, nil); tk["cerrado"] != false {
			t.Fatalf("ticket: %v", tk)
		}

		f := e.data(tok, "POST", "/api/forms_prospeccion", docForms)
		fid := f["prospeccion_id"].(string)
		if !uuidRE.MatchString(fid) || fid == pid || !strings.HasSuffix(f["ticket_url"].(string), fid) {
			t.Fatalf("forms_prospeccion: %v", f)
		}
		if fp := e.data(tok, "GET", "/api/prospecciones/"+fid, nil); fp["user_name"] != "PM_MARTINEZ" || fp["medio"] != "17" || fp["ticket_id"] != nil {
			t.Fatalf("the form's prospección: %v", fp)
		}

		// a ticket is no prospección, nor the other way round
		for _, pth := range []string{"/api/close_prospeccion/" + ticket, "/api/prospecciones/" + ticket} {
			if code, m := e.do(tok, map[bool]string{true: "GET", false: "POST"}[strings.Contains(pth, "/prospecciones/")], pth, docCloseProspeccion); code != 404 || m["error"] != "Prospección no existe, id inválido" {
				t.Errorf("%s: %d %v", pth, code, m)
			}
		}
		if code, m := e.do(tok, "POST", "/api/close_ticket/"+pid, docCloseTicket); code != 404 || m["error"] != "Ticket no existe, id inválido" {
			t.Errorf("close_ticket of a prospección: %d %v", code, m)
		}
	})
}

// TestLandingPage: the document's create_landing_page example creates the
// form, or updates it (the demo has it already); the landing_ticket
// example then uses it; an autorizador who is no administrator, and
// every other rule, are 422s.
func TestLandingPage(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	d := e.data(tok, "POST", "/api/create_landing_page", docLandingPage)
	if d["status_code"] != "200" || d["messsage"] != "Landing Page creada correctamente" {
		t.Fatalf("create_landing_page: %v", d)
	}
	nw := e.data(tok, "POST", "/api/create_landing_page", with(docLandingPage, map[string]any{"name": "Hilux", "properties_form": []any{map[string]any{"label": "x"}},
		"user_assigned_position": "1", "business_line_id": "2"}))
	if nw["status_code"] != "200" {
		t.Fatalf("a new form: %v", nw)
	}
	l := e.data(tok, "POST", "/api/landing_ticket", with(docLanding, map[string]any{"formulario": "hilux", "concesionario": "MATRIZ"}))
	if lt := e.data(tok, "GET", "/api/tickets/"+l["ticket_id"].(string), nil); lt["linea_negocio"] != "2" || lt["medio"] != "18" || lt["user_name"] != "JP_SALAZAR" {
		t.Fatalf("the new form's ticket: %v", lt)
	}
	code, m := e.do(tok, "POST", "/api/create_landing_page", `{"datosSugarCRM":{"medio":"x","properties_form":"no es json","autorizador":"`+"mart@hotmail.com"+`","type_transaction":"9"}}`)
	errs := errorsOf(t, code, m)
	got := keys(errs)
	slices.Sort(got)
	want := []string{"datosSugarCRM.autorizador", "datosSugarCRM.business_line_id", "datosSugarCRM.campaign", "datosSugarCRM.medio", "datosSugarCRM.name",
		"datosSugarCRM.properties_form", "datosSugarCRM.type_transaction", "datosSugarCRM.user_assigned_position", "datosSugarCRM.user_login"}
	if !slices.Equal(got, want) {
		t.Fatalf("errors %v\nwant %v", errs, want)
	}
}

// TestProspeccionValidation: the prospección endpoints' rules, every
// failing field at once under the document's names.
func TestProspeccionValidation(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	p := "datosSugarCRM."
	c := "datosSugarCRM.client."
	tests := []struct {
		name   string
		path   string
		body   any
		fields []string
	}{
		{"quotation empty", "/api/quotation", `{}`, []string{p + "user_name_call_center", p + "ticket_id", p + "comments", p + "modelo", p + "medio",
			c + "tipo_identificacion", c + "numero_identificacion", c + "gender", c + "names", c + "surnames", c + "phone_home", c + "cellphone_number", c + "email"}},
		{"quotation bad client", "/api/quotation", with(docQuotation, map[string]any{"client": map[string]any{"tipo_identificacion": "X", "numero_identificacion": "1",
			"gender": "O", "names": "a", "surnames": "b", "phone_home": "casa", "cellphone_number": "09", "email": "no"}, "user_name_call_center": "NADIE"}),
			[]string{p + "user_name_call_center", c + "tipo_identificacion", c + "gender", c + "phone_home", c + "email"}},
		{"call_quotation", "/api/call_quotation", with(docCallQuotation, map[string]any{"type": "cita", "date_start": "ayer", "direction": nil}),
			[]string{p + "type", p + "date_start", p + "direction"}},
		{"calls_prospeccion empty", "/api/calls_prospeccion", `{}`, []string{p + "user_name_call_center", p + "date_start", p + "duration_hours",
			p + "duration_minutes", p + "status", p + "direction", p + "type", p + "category", p + "notes", p + "prospeccion_id"}},
		{"calls_prospeccion cita_chat", "/api/calls_prospeccion", with(docCallsProspeccion, map[string]any{"type": "cita_chat"}), []string{p + "type"}},
		{"close_prospeccion", "/api/close_prospeccion/x", `{"datosSugarCRM":{"motivo_cierre":"6"}}`, nil}, // 404 first: the id
		{"forms empty", "/api/forms_prospeccion", `{}`, []string{"numero_identificacion", "tipo_identificacion", "nombres", "apellidos", "email", "celular",
			"agencia", "fuente", "modelo"}},
		{"forms rules", "/api/forms_prospeccion", with(docForms, map[string]any{"fuente": "13", "agencia": "99", "tienetoyota": "si", "interesadorenovacion": "2",
			"horaentregainmediata": "2021-08-31 14:00", "asesorcorreo": "asesor"}),
			[]string{"fuente", "agencia", "tienetoyota", "interesadorenovacion", "horaentregainmediata", "asesorcorreo"}},
		{"forms RUC without apellidos", "/api/forms_prospeccion", with(docForms, map[string]any{"tipo_identificacion": "R", "apellidos": nil}), []string{"numero_identificacion"}},
	}
	for _, tt := range tests {
		code, m := e.do(tok, "POST", tt.path, tt.body)
		if tt.fields == nil {
			if code != 404 {
				t.Errorf("%s: %d %v", tt.name, code, m)
			}
			continue
		}
		if code != 422 {
			t.Errorf("%s: %d %v", tt.name, code, m)
			continue
		}
		errs := m["errors"].(map[string]any)
		got := keys(errs)
		slices.Sort(got)
		want := slices.Clone(tt.fields)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: errors %v\nwant fields %v", tt.name, errs, want)
		}
	}
	// a company's RUC without apellidos is fine
	d := e.data(tok, "POST", "/api/forms_prospeccion", with(docForms, map[string]any{"tipo_identificacion": "R", "numero_identificacion": "1790011674001", "apellidos": nil}))
	if d["prospeccion_id"] == nil {
		t.Fatalf("RUC: %v", d)
	}
}
