package casabaca_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"forecourt/internal/demo"
)

// The document's example bodies, as its curl -d lines show them.
const (
	docTicket      = `{"datosSugarCRM":{"numero_identificacion":"1719932079","tipo_identificacion":"C","email":"mart@hotmail.com","user_name":"CG_RAMOS","nombres":"FREDDY ROBERTO","apellidos":"RODRIGUEZ VARGAS","celular":"0987519882","telefono":"022072827","linea_negocio":"1","tipo_transaccion":"1","anio":"2020","placa":"PCY-7933","medio":"13","campania":"5e686580-ee19-11ea-97ea-000c297d72b1","asunto":"Mantenimiento","comentario_cliente":"Necesita una cita para mantenimiento","id_interaccion_inconcert":"id_inconcert","description":"El cliente requiere una cotizacion urgente","porcentaje_discapacidad":"50_74","marca":"1","modelo":"2","precio":"25000","color":"negro","anioMin":"2018","anioMax":"2020","kilometraje":"25000","combustible":"gasolina"},"datos_adicionales":{"title":"Titulo del Formulario","pageUrl":"https:\/\/www.toyota.com.ec\/formulariox.html","thankyouPageUrl":"https:\/\/www.toyota.com.ec\/graciasFormularioX.html","fields":[{"key":"Nombres","nombre":"Maria"},{"key":"Apellidos","nombre":"Rodriguez"},{"key":"Cedula","nombre":"171999999"}]}}`
	docCallTicket  = `{"datosSugarCRM":{"numero_identificacion":"1719932079","tipo_identificacion":"C","email":"mart@hotmail.com","user_name":"CG_RAMOS","nombres":"FREDDY ROBERTO","apellidos":"RODRIGUEZ VARGAS","celular":"0987519882","telefono":"022072827","linea_negocio":"1","tipo_transaccion":"1","medio":"13","campania":"5e686580-ee19-11ea-97ea-000c297d72b1","id_interaccion_inconcert":"id_inconcert","marca":"1","modelo":"2","comentario_cliente":"Necesita una cita para mantenimiento","description":"El cliente requiere una cotizacion urgente","porcentaje_discapacidad":"50_74"},"datos_adicionales":{"fields":[{"key":"Estado Civil","nombre":"Soltero"},{"key":"Fecha de Nacimiento","nombre":"10 Diciembre de 1970"}]}}`
	docLanding     = `{"datosSugarCRM":{"formulario":"Exonerados","numero_identificacion":"1719932079","tipo_identificacion":"C","nombres":"FREDDY ROBERTO","apellidos":"RODRIGUEZ VARGAS","email":"mart@hotmail.com","celular":"0987519882","concesionario":"Santo Domingo (Casabaca)"}}`
	docCloseTicket = `{"datosSugarCRM":{"motivo_cierre":"solo_informacion"}}`
	docAddNotes    = `{"datosSugarCRM":{"notes":"El cliente se encuentra interesado en un RAV4"}}`
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ticketNumber is the lead id of a ticket_name ("TCK-12" → "12").
func ticketNumber(t *testing.T, d map[string]any) string {
	t.Helper()
	n, ok := strings.CutPrefix(d["ticket_name"].(string), "TCK-")
	if !ok {
		t.Fatalf("ticket_name %v", d["ticket_name"])
	}
	return n
}

// TestTicketExamples: the document's three ticket examples, as written,
// make tickets (the call_ticket example repeats the first one's
// id_interaccion_inconcert, so it is that ticket, already received); the
// ticket reads back with datos_adicionales as given, its client, notes
// and interaction.
func TestTicketExamples(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		d := e.data(tok, "POST", "/api/tickets", docTicket)
		id, _ := d["ticket_id"].(string)
		if !uuidRE.MatchString(id) || !uuidRE.MatchString(d["interaction_id"].(string)) || d["message"] != nil {
			t.Fatalf("ticket: %v", d)
		}
		got := e.data(tok, "GET", "/api/tickets/"+id, nil)
		var want any
		json.Unmarshal([]byte(`{"title":"Titulo del Formulario","pageUrl":"https://www.toyota.com.ec/formulariox.html","thankyouPageUrl":"https://www.toyota.com.ec/graciasFormularioX.html","fields":[{"key":"Nombres","nombre":"Maria"},{"key":"Apellidos","nombre":"Rodriguez"},{"key":"Cedula","nombre":"171999999"}]}`), &want)
		if !jsonEqual(got["datos_adicionales"], want) {
			t.Errorf("datos_adicionales %v", got["datos_adicionales"])
		}
		cl := got["client"].(map[string]any)
		if got["user_name"] != "CG_RAMOS" || got["medio"] != "13" || got["linea_negocio"] != "1" || got["campania"] != demo.ECCampaign ||
			cl["numero_identificacion"] != "1719932079" || cl["nombre"] != "FREDDY ROBERTO RODRIGUEZ VARGAS" || got["cerrado"] != false {
			t.Errorf("ticket read back: %v", got)
		}
		if ns := got["notes"].([]any); len(ns) != 2 || !strings.Contains(ns[0].(map[string]any)["nota"].(string), "Necesita una cita") {
			t.Errorf("notes %v", got["notes"])
		}
		if is := got["interactions"].([]any); len(is) != 1 || is[0].(map[string]any)["id"] != d["interaction_id"] {
			t.Errorf("interactions %v", got["interactions"])
		}

		c := e.data(tok, "POST", "/api/call_ticket", docCallTicket)
		if c["ticket_id"] != id || c["message"] != "El ticket ya fue recibido" || !strings.HasSuffix(c["ticket_url"].(string), "/api/tickets/"+id) {
			t.Fatalf("call_ticket with the same id_interaccion_inconcert: %v", c)
		}
		l := e.data(tok, "POST", "/api/landing_ticket", docLanding)
		if l["ticket_id"] == id || !uuidRE.MatchString(l["ticket_id"].(string)) || l["interaction_id"] == nil || l["ticket_url"] == nil {
			t.Fatalf("landing_ticket: %v", l)
		}
		// the landing page's leads go to the advisors of position 2 of the
		// concesionario who serve its business line (EXONERADOS): RC_MORA
		lt := e.data(tok, "GET", "/api/tickets/"+l["ticket_id"].(string), nil)
		if lt["user_name"] != "RC_MORA" || lt["linea_negocio"] != "4" || lt["medio"] != "18" {
			t.Errorf("landing ticket: %v", lt)
		}
	})
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// with returns the document's body with datosSugarCRM's fields changed
// (nil deletes one).
func with(doc string, changes map[string]any) map[string]any {
	b := body(doc)
	d := b["datosSugarCRM"].(map[string]any)
	for k, v := range changes {
		if v == nil {
			delete(d, k)
		} else {
			d[k] = v
		}
	}
	return b
}

// TestTicketDedup: the same id_interaccion_inconcert, or an open ticket
// of the same identification number and business line, is the ticket
// already received: 200, the same ids, nothing new. Once closed, the same
// client's next ticket is a new one, of the same client.
func TestTicketDedup(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		first := e.data(tok, "POST", "/api/tickets", docTicket)
		again := e.data(tok, "POST", "/api/tickets", docTicket)
		if again["ticket_id"] != first["ticket_id"] || again["interaction_id"] != first["interaction_id"] || again["message"] != "El ticket ya fue recibido" {
			t.Fatalf("sent again: %v", again)
		}
		same := e.data(tok, "POST", "/api/tickets", with(docTicket, map[string]any{"id_interaccion_inconcert": "otro"}))
		if same["ticket_id"] != first["ticket_id"] || same["message"] == nil {
			t.Fatalf("same identification and line: %v", same)
		}
		other := e.data(tok, "POST", "/api/tickets", with(docTicket, map[string]any{"id_interaccion_inconcert": "otro2", "linea_negocio": "2"}))
		if other["ticket_id"] == first["ticket_id"] || other["message"] != nil {
			t.Fatalf("another business line: %v", other)
		}
		e.data(tok, "POST", "/api/close_ticket/"+first["ticket_id"].(string), docCloseTicket)
		next := e.data(tok, "POST", "/api/tickets", with(docTicket, map[string]any{"id_interaccion_inconcert": "otro3"}))
		if next["ticket_id"] == first["ticket_id"] || next["message"] != nil {
			t.Fatalf("after closing: %v", next)
		}
		// one client: the core matched him by his cédula
		code, m := e.do(tok, "GET", "/api/tickets/"+next["ticket_id"].(string), nil)
		a := dataOf(t, code, m)["client"].(map[string]any)
		code, m = e.do(tok, "GET", "/api/tickets/"+first["ticket_id"].(string), nil)
		b := dataOf(t, code, m)["client"].(map[string]any)
		if !jsonEqual(a, b) {
			t.Fatalf("clients %v and %v", a, b)
		}
	})
}

// TestTicketAssignment: without user_name (allowed for a fuente other
// than inConcert), tickets go in turn to the active advisors of the
// medio's agency who serve the business line; with inConcert, user_name
// is required; an unknown one is the document's 404.
func TestTicketAssignment(t *testing.T) {
	e := newEnv(t)
	adm := e.admin()
	if code, m := e.do(adm, "POST", "/api/register", map[string]string{"name": "Web", "email": "web@toyota.example.com", "password": "s3creto!", "fuente": "web", "medios": "13"}); code != 200 {
		t.Fatalf("register: %d %v", code, m)
	}
	web := e.login(demo.ECAuthoriser, "web@toyota.example.com", "s3creto!")
	var got []string
	for i, ced := range []string{"1710034065", "0926687856", "1713175071", "1710034065"} {
		d := e.data(web, "POST", "/api/tickets", with(docTicket, map[string]any{"user_name": nil, "numero_identificacion": ced,
			"id_interaccion_inconcert": "turn-" + string(rune('a'+i)), "linea_negocio": "1"}))
		code, m := e.do(web, "GET", "/api/tickets/"+d["ticket_id"].(string), nil)
		got = append(got, dataOf(t, code, m)["user_name"].(string))
	}
	// MATRIZ's advisors of POSTVENTA, by id: JP_SALAZAR, LM_TORRES, admin
	// (no lines: all); the fourth is the first's cédula, already received
	want := []string{"JP_SALAZAR", "LM_TORRES", "admin", "JP_SALAZAR"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("assigned %v, want %v", got, want)
	}

	maria := e.maria()
	code, m := e.do(maria, "POST", "/api/tickets", with(docTicket, map[string]any{"user_name": nil}))
	if errs := errorsOf(t, code, m); errs["user_name"] == nil || len(errs) != 1 {
		t.Fatalf("inConcert without user_name: %v", errs)
	}
	code, m = e.do(maria, "POST", "/api/tickets", with(docTicket, map[string]any{"user_name": "NADIE"}))
	if code != 404 || m["error"] != "User-name inválido, asesor no se encuentra registrado" {
		t.Fatalf("unknown user_name: %d %v", code, m)
	}
}

// TestTicketValidation: every rule of the document, each failing field
// listed at once under the document's names, and nothing stored.
func TestTicketValidation(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	tests := []struct {
		name    string
		doc     string
		path    string
		changes map[string]any
		fields  []string // the failing fields, all of them
	}{
		{"empty", `{"datosSugarCRM":{}}`, "/api/tickets", nil, []string{"email", "nombres", "apellidos", "celular", "medio", "id_interaccion_inconcert", "user_name"}},
		{"no datosSugarCRM", `{}`, "/api/tickets", nil, []string{"email", "nombres", "apellidos", "celular", "medio", "id_interaccion_inconcert", "user_name"}},
		{"bad cédula", docTicket, "/api/tickets", map[string]any{"numero_identificacion": "1719932078"}, []string{"numero_identificacion"}},
		{"cédula of province 25", docTicket, "/api/tickets", map[string]any{"numero_identificacion": "2519932079"}, []string{"numero_identificacion"}},
		{"bad RUC", docTicket, "/api/tickets", map[string]any{"tipo_identificacion": "R", "numero_identificacion": "1719932079001"[:12] + "X"}, []string{"numero_identificacion"}},
		{"RUC of a cédula with 000", docTicket, "/api/tickets", map[string]any{"tipo_identificacion": "R", "numero_identificacion": "1719932079000"}, []string{"numero_identificacion"}},
		{"passport with symbols", docTicket, "/api/tickets", map[string]any{"tipo_identificacion": "P", "numero_identificacion": "AB-12"}, []string{"numero_identificacion"}},
		{"tipo X", docTicket, "/api/tickets", map[string]any{"tipo_identificacion": "X"}, []string{"tipo_identificacion"}},
		{"number without tipo", docTicket, "/api/tickets", map[string]any{"tipo_identificacion": nil}, []string{"tipo_identificacion"}},
		{"call_ticket needs identification", docCallTicket, "/api/call_ticket", map[string]any{"tipo_identificacion": nil, "numero_identificacion": nil}, []string{"tipo_identificacion", "numero_identificacion"}},
		{"enumerations", docTicket, "/api/tickets", map[string]any{"linea_negocio": "5", "tipo_transaccion": "0", "porcentaje_discapacidad": "20_29", "combustible": "electrico"},
			[]string{"linea_negocio", "tipo_transaccion", "porcentaje_discapacidad", "combustible"}},
		{"numbers", docTicket, "/api/tickets", map[string]any{"celular": "09-87", "telefono": "abc", "medio": "trece", "anio": "20x0", "kilometraje": "-1", "precio": "mucho"},
			[]string{"celular", "telefono", "medio", "anio", "kilometraje", "precio"}},
		{"precio below 0", docTicket, "/api/tickets", map[string]any{"precio": "-5"}, []string{"precio"}},
		{"precio past a vehicle's", docTicket, "/api/tickets", map[string]any{"precio": "99999999999999"}, []string{"precio"}},
		{"unknown medio and campaign", docTicket, "/api/tickets", map[string]any{"medio": "99", "campania": "00000000-0000-0000-0000-000000000000"}, []string{"medio", "campania"}},
		{"comment without asunto", docTicket, "/api/tickets", map[string]any{"asunto": nil}, []string{"asunto"}},
		{"bad email", docTicket, "/api/tickets", map[string]any{"email": "mart@"}, []string{"email"}},
		{"wrong types", docTicket, "/api/tickets", map[string]any{"nombres": map[string]any{"a": 1}, "medio": []any{13}, "linea_negocio": true}, []string{"nombres", "medio", "linea_negocio"}},
		{"too long", docTicket, "/api/tickets", map[string]any{"apellidos": strings.Repeat("a", 256)}, []string{"apellidos"}},
		{"landing: unknown form and agency", docLanding, "/api/landing_ticket", map[string]any{"formulario": "Nada", "concesionario": "Marte"}, []string{"formulario", "concesionario"}},
		{"landing: empty", `{"datosSugarCRM":{}}`, "/api/landing_ticket", nil,
			[]string{"formulario", "tipo_identificacion", "numero_identificacion", "nombres", "apellidos", "email", "celular", "concesionario"}},
	}
	for _, tt := range tests {
		b := body(tt.doc)
		if tt.changes != nil {
			b = with(tt.doc, tt.changes)
		}
		code, m := e.do(tok, "POST", tt.path, b)
		if code != 422 {
			t.Errorf("%s: %d %v", tt.name, code, m)
			continue
		}
		errs := m["errors"].(map[string]any)
		for _, f := range tt.fields {
			if msgs, ok := errs[f].([]any); !ok || len(msgs) != 1 || msgs[0].(string) == "" {
				t.Errorf("%s: %s not among %v", tt.name, f, errs)
			}
		}
		if len(errs) != len(tt.fields) {
			t.Errorf("%s: errors %v, want exactly %v", tt.name, errs, tt.fields)
		}
	}
	// datos_adicionales that is no object; a body that is no JSON
	for _, b := range []string{`{"datosSugarCRM":{},"datos_adicionales":"x"}`, `{"datosSugarCRM":`, `{"datosSugarCRM":"x"}`} {
		if code, m := e.do(tok, "POST", "/api/tickets", b); code != 422 {
			t.Errorf("%s: %d %v", b, code, m)
		}
	}
	// a valid RUC of each kind, a passport: accepted
	for i, id := range [][2]string{{"R", "1790011674001"}, {"R", "1760001550001"}, {"R", "1719932079001"}, {"P", "A1234567"}} {
		d := e.data(tok, "POST", "/api/tickets", with(docTicket, map[string]any{"tipo_identificacion": id[0], "numero_identificacion": id[1],
			"id_interaccion_inconcert": "ok-" + string(rune('a'+i))}))
		if d["ticket_id"] == nil {
			t.Errorf("%v: %v", id, d)
		}
	}
	code, m := e.do(tok, "GET", "/api/tickets/"+"00000000-0000-0000-0000-000000000000", nil)
	if code != 404 || m["error"] != "Ticket no existe, id inválido" {
		t.Errorf("unknown ticket: %d %v", code, m)
	}
}
