package casabaca_test

import (
	"slices"
	"strings"
	"testing"
)

const (
	docCalls         = `{"datosSugarCRM":{"user_name_asesor":"CG_RAMOS","user_name_call_center":"CG_RAMOS","date_start":"2021-10-02 19:59","duration_hours":"0","duration_minutes":"10","status":"Held","direction":"Inbound","type":"cita","category":"2","medio":"10","campania":"5e686580-ee19-11ea-97ea-000c297d72b1","notes":"Llamar lunes","ticket":{"id":"10438baf-0d83-9533-4fb3-602ea326288b","is_closed":true,"motivo_cierre":"solo_informacion"},"meeting":{"status":"Held","date":"2021-10-02 19:59","duration_hours":"0","duration_minutes":"2","subject":"Prueba de Manejo","comments":"El cliente se acerca a la agencia...","location":"Agencia los Chillos","type":"1","visit_type":"1","linea_negocio":"1","marca":"1","modelo":"2","client":{"tipo_identificacion":"C","numero_identificacion":"1719932079","gender":"M","names":"Freddy Roberto","surnames":"Vargas Rodriguez","phone_home":"022072845","cellphone_number":"0987512224","email":"mart2021@hotmail.com"}}},"datos_adicionales":{"anyproperty1":"anyData1","anyproperty1N":"anyData2"}}`
	docNotAnswerCall = `{"datosSugarCRM":{"user_name_call_center":"CG_RAMOS","date_start":"2021-10-02 19:59","duration_hours":"0","duration_minutes":"10","direction":"Inbound","ticket_id":"10438baf-0d83-9533-4fb3-602ea326288b"},"datos_adicionales":{"fields":[{"key":"Estado Civil","nombre":"Soltero"},{"key":"Fecha de Nacimiento","nombre":"10 Diciembre de 1970"}]}}`
)

// onTicket is a document body whose ticket id is id.
func onTicket(doc, id string) string {
	return strings.ReplaceAll(doc, "10438baf-0d83-9533-4fb3-602ea326288b", id)
}

// TestCallsExample: the document's /api/calls example, on a ticket
// created first, logs the call on the ticket, opens its prospección with
// the meeting and closes the ticket; not_answer_call logs a call nobody
// answered. Both read back on the ticket.
func TestCallsExample(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		id := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
		d := e.data(tok, "POST", "/api/calls", onTicket(docCalls, id))
		for _, k := range []string{"call_id", "prospeccion_id", "meeting_id"} {
			if s, _ := d[k].(string); !uuidRE.MatchString(s) {
				t.Fatalf("%s: %v", k, d)
			}
		}
		if d["ticket_id"] != id {
			t.Fatalf("ticket_id %v", d["ticket_id"])
		}
		tk := e.data(tok, "GET", "/api/tickets/"+id, nil)
		if tk["cerrado"] != true || tk["motivo_cierre"] != "solo_informacion" || !slices.Contains(tk["prospecciones"].([]any), any(d["prospeccion_id"])) {
			t.Fatalf("ticket after the call: %v", tk)
		}
		is := tk["interactions"].([]any)
		if last := is[len(is)-1].(map[string]any); last["id"] != d["call_id"] || last["date_start"] != "2021-10-02 19:59" || last["duration_minutes"] != float64(10) {
			t.Fatalf("the call: %v", last)
		}

		na := e.data(tok, "POST", "/api/not_answer_call", onTicket(docNotAnswerCall, id))
		if na["ticket_id"] != id || !uuidRE.MatchString(na["call_id"].(string)) {
			t.Fatalf("not_answer_call: %v", na)
		}
		is = e.data(tok, "GET", "/api/tickets/"+id, nil)["interactions"].([]any)
		if last := is[len(is)-1].(map[string]any); last["id"] != na["call_id"] || last["status"] != "Not Held" {
			t.Fatalf("the unanswered call: %v", last)
		}
		for _, p := range []string{"/api/calls", "/api/not_answer_call"} {
			code, m := e.do(tok, "POST", p, onTicket(map[string]string{"/api/calls": docCalls, "/api/not_answer_call": docNotAnswerCall}[p], "00000000-0000-0000-0000-000000000000"))
			if code != 404 || m["error"] != "Ticket no existe, id inválido" {
				t.Errorf("%s on an unknown ticket: %d %v", p, code, m)
			}
		}
	})
}

// TestCallsValidation: every rule of /api/calls and /api/not_answer_call,
// all failing fields at once, under the document's names.
func TestCallsValidation(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	id := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
	doc := onTicket(docCalls, id)
	p := "datosSugarCRM."
	m := "datosSugarCRM.meeting."
	tests := []struct {
		name   string
		path   string
		body   any
		fields []string
	}{
		{"empty", "/api/calls", `{}`, []string{p + "user_name_call_center", p + "date_start", p + "duration_hours", p + "duration_minutes", p + "status", p + "direction",
			p + "type", p + "category", p + "medio", p + "notes", p + "ticket.id", p + "ticket.is_closed"}},
		{"cita without meeting", "/api/calls", with(doc, map[string]any{"meeting": nil, "user_name_asesor": nil}), []string{p + "user_name_asesor",
			m + "status", m + "date", m + "duration_hours", m + "duration_minutes", m + "subject", m + "comments", m + "location", m + "type", m + "visit_type",
			m + "linea_negocio", m + "client.tipo_identificacion", m + "client.numero_identificacion", m + "client.gender", m + "client.names",
			m + "client.surnames", m + "client.cellphone_number", m + "client.email"}},
		{"enumerations", "/api/calls", with(doc, map[string]any{"status": "Planned", "direction": "In", "type": "visita", "category": "4", "medio": "99"}),
			[]string{p + "status", p + "direction", p + "type", p + "category", p + "medio"}},
		{"dates and durations", "/api/calls", with(doc, map[string]any{"date_start": "2021-10-02", "duration_hours": "24", "duration_minutes": "60"}),
			[]string{p + "date_start", p + "duration_hours", p + "duration_minutes"}},
		{"unknown users", "/api/calls", with(doc, map[string]any{"user_name_asesor": "NADIE", "user_name_call_center": "NADIE"}),
			[]string{p + "user_name_asesor", p + "user_name_call_center"}},
		{"closing without motivo", "/api/calls", with(doc, map[string]any{"ticket": map[string]any{"id": id, "is_closed": true}}), []string{p + "ticket.motivo_cierre"}},
		{"is_closed not boolean", "/api/calls", with(doc, map[string]any{"ticket": map[string]any{"id": id, "is_closed": "quizas"}}), []string{p + "ticket.is_closed"}},
		{"meeting enumerations", "/api/calls", with(doc, map[string]any{"meeting": map[string]any{"status": "Done", "date": "02/10/2021 19:59", "duration_hours": "0",
			"duration_minutes": "2", "subject": "s", "comments": "c", "location": "l", "type": "3", "visit_type": "4", "linea_negocio": "5",
			"client": map[string]any{"tipo_identificacion": "C", "numero_identificacion": "1719932078", "gender": "X", "names": "a", "surnames": "b", "cellphone_number": "09", "email": "a@b.ec"}}}),
			[]string{m + "status", m + "date", m + "type", m + "visit_type", m + "linea_negocio", m + "client.numero_identificacion", m + "client.gender"}},
		{"not_answer_call empty", "/api/not_answer_call", `{}`, []string{"user_name_call_center", "date_start", "duration_hours", "duration_minutes", "direction", "ticket_id"}},
	}
	for _, tt := range tests {
		code, m := e.do(tok, "POST", tt.path, tt.body)
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
	// the document's own messages, where its 422 examples show them
	for _, tt := range []struct {
		path       string
		body       any
		field, msg string
	}{
		{"/api/not_answer_call", `{}`, "user_name_call_center", "User_name del call center es requerida"},
		{"/api/not_answer_call", `{}`, "date_start", "La fecha de inicio de llamada es requerida"},
		{"/api/calls", with(doc, map[string]any{"date_start": "2021-10-02"}), p + "date_start", "La fecha de inicio debe ser una fecha"},
		{"/api/calls_prospeccion", `{"datosSugarCRM":{"date_start":"ayer"}}`, p + "date_start", "La fecha de inicio debe ser una fecha"},
		{"/api/calls_prospeccion", `{"datosSugarCRM":{"type":"cita"}}`, p + "user_name_asesor", "User_name del asesor es requerido"},
	} {
		code, m := e.do(tok, "POST", tt.path, tt.body)
		if got, _ := errorsOf(t, code, m)[tt.field].([]any); !slices.Equal(got, []any{tt.msg}) {
			t.Errorf("%s %s: %v, want the document's %q", tt.path, tt.field, got, tt.msg)
		}
	}
	// a seguimiento needs no meeting nor advisor
	d := e.data(tok, "POST", "/api/calls", with(doc, map[string]any{"type": "seguimiento", "meeting": nil, "user_name_asesor": nil,
		"ticket": map[string]any{"id": id, "is_closed": false}}))
	if d["prospeccion_id"] != "N/A" || d["meeting_id"] != "N/A" || !uuidRE.MatchString(d["call_id"].(string)) {
		t.Fatalf("seguimiento: %v", d)
	}
}
