package casabaca_test

import (
	"strings"
	"testing"
)

// TestTicketActs: close_ticket, not_answer_ticket and addNotes on a
// ticket, as the document shows them, and their refusals; a ticket is in
// SML's lead list for the dealer's users with its client, notes and
// interactions in its history, and a ticket closed here reads as ended
// there.
func TestTicketActs(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		d := e.data(tok, "POST", "/api/tickets", docTicket)
		id := d["ticket_id"].(string)
		n := ticketNumber(t, d)

		na := e.data(tok, "POST", "/api/not_answer_ticket/"+id, nil)
		if na["ticket_id"] != id || na["ticket_name"] != d["ticket_name"] {
			t.Fatalf("not_answer_ticket: %v", na)
		}
		an := e.data(tok, "POST", "/api/ticket/addNotes/"+id, `{"datosSugarCRM":{"notes":"El cliente se encuentra interesado en un RAV4","interaction":"`+d["interaction_id"].(string)+`"}}`)
		if an["ticket_id"] != id {
			t.Fatalf("addNotes: %v", an)
		}
		got := e.data(tok, "GET", "/api/tickets/"+id, nil)
		is := got["interactions"].([]any)
		if len(is) != 2 || is[1].(map[string]any)["status"] != "Not Held" || is[1].(map[string]any)["direction"] != "Outbound" || got["estado"] != "4" {
			t.Fatalf("interactions %v", is)
		}
		if ns := got["notes"].([]any); len(ns) != 3 || !strings.Contains(ns[2].(map[string]any)["nota"].(string), "RAV4") {
			t.Fatalf("notes %v", ns)
		}

		// SML, for the dealer's users: the same lead, client, notes, history
		lead := e.raw(e.sml, tok, "GET", "/api/lead/"+n+"/", nil)
		if lead.Code != 200 || !strings.Contains(lead.Body.String(), "FREDDY ROBERTO RODRIGUEZ VARGAS") || !strings.Contains(lead.Body.String(), "RAV4") {
			t.Fatalf("SML lead: %d %s", lead.Code, lead.Body)
		}
		list := e.raw(e.sml, tok, "GET", "/api/lead/?search=FREDDY", nil)
		if list.Code != 200 || !strings.Contains(list.Body.String(), `"count":1`) {
			t.Fatalf("SML list: %d %s", list.Code, list.Body)
		}

		// refusals, then the close
		code, m := e.do(tok, "POST", "/api/close_ticket/"+id, `{"datosSugarCRM":{"motivo_cierre":"porque si"}}`)
		if errs := errorsOf(t, code, m); errs["datosSugarCRM.motivo_cierre"] == nil {
			t.Fatalf("bad motivo: %v", errs)
		}
		code, m = e.do(tok, "POST", "/api/close_ticket/"+id, `{}`)
		if errs := errorsOf(t, code, m); errs["datosSugarCRM.motivo_cierre"].([]any)[0] != "Motivo de cierre es requerido" {
			t.Fatalf("no motivo: %v", errs)
		}
		for _, path := range []string{"/api/close_ticket/nope", "/api/not_answer_ticket/00000000-0000-0000-0000-000000000000", "/api/ticket/addNotes/x"} {
			code, m := e.do(tok, "POST", path, docCloseTicket)
			if code != 404 || m["error"] != "Ticket no existe, id inválido" {
				t.Errorf("%s: %d %v", path, code, m)
			}
		}
		code, m = e.do(tok, "POST", "/api/ticket/addNotes/"+id, `{"datosSugarCRM":{"notes":"","interaction":"00000000-0000-0000-0000-000000000000","prospeccion":"x"}}`)
		if errs := errorsOf(t, code, m); len(errs) != 3 || errs["datosSugarCRM.notes"] == nil || errs["datosSugarCRM.interaction"] == nil || errs["datosSugarCRM.prospeccion"] == nil {
			t.Fatalf("bad notes: %v", errs)
		}

		cl := e.data(tok, "POST", "/api/close_ticket/"+id, docCloseTicket)
		if cl["ticket_id"] != id {
			t.Fatalf("close: %v", cl)
		}
		got = e.data(tok, "GET", "/api/tickets/"+id, nil)
		if got["cerrado"] != true || got["motivo_cierre"] != "solo_informacion" || got["estado"] != "7" || got["stage"] != "end" {
			t.Fatalf("closed ticket: %v", got)
		}
		// closing again changes nothing
		e.data(tok, "POST", "/api/close_ticket/"+id, `{"datosSugarCRM":{"motivo_cierre":"desiste"}}`)
		if got := e.data(tok, "GET", "/api/tickets/"+id, nil); got["motivo_cierre"] != "solo_informacion" {
			t.Fatalf("closed twice: %v", got)
		}
		lead = e.raw(e.sml, tok, "GET", "/api/lead/"+n+"/", nil)
		if !strings.Contains(lead.Body.String(), `"status":"end"`) {
			t.Fatalf("SML after the close: %s", lead.Body)
		}
		hist := e.raw(e.sml, tok, "GET", "/api/lead_history/"+n+"/get_history/", nil).Body.String()
		for _, want := range []string{"Lead creado", "Comunicación registrada", "llamada saliente no contestada", "Lead finalizado"} {
			if !strings.Contains(hist, want) {
				t.Errorf("SML history lacks %q: %s", want, hist)
			}
		}
	})
}

// TestDealerIsolation: the first demo dealer's users see none of the
// Ecuadorian dealer's tickets, through either API, and cannot use its
// medios; its users see none of the first dealer's leads.
func TestDealerIsolation(t *testing.T) {
	e := newEnv(t)
	maria := e.maria()
	d := e.data(maria, "POST", "/api/tickets", docTicket)
	id, n := d["ticket_id"].(string), ticketNumber(t, d)

	es := e.login("demo@example.com", "demo@example.com", "demo")
	for _, rt := range [][2]string{{"GET", "/api/tickets/" + id}, {"POST", "/api/close_ticket/" + id}, {"POST", "/api/not_answer_ticket/" + id}, {"POST", "/api/ticket/addNotes/" + id}} {
		code, m := e.do(es, rt[0], rt[1], docCloseTicket)
		if code != 404 {
			t.Errorf("Spain's admin %s %s: %d %v", rt[0], rt[1], code, m)
		}
	}
	if r := e.raw(e.sml, es, "GET", "/api/lead/"+n+"/", nil); r.Code != 404 {
		t.Errorf("Spain's admin reads the ticket in SML: %d", r.Code)
	}
	code, m := e.do(es, "POST", "/api/tickets", docTicket)
	if errs := errorsOf(t, code, m); errs["medio"] == nil || errs["campania"] == nil {
		t.Errorf("Spain's admin with Ecuador's medio: %v", errs)
	}
	if r := e.raw(e.sml, maria, "GET", "/api/lead/", nil); !strings.Contains(r.Body.String(), `"count":1`) {
		t.Errorf("Maria's SML list holds more than her dealer's ticket: %s", r.Body)
	}
}

// TestStatusFromSML: a ticket's stage changed through SML is the
// ticket's here (ended there: closed here), and closing it here after
// changes nothing.
func TestStatusFromSML(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	d := e.data(tok, "POST", "/api/tickets", docTicket)
	id, n := d["ticket_id"].(string), ticketNumber(t, d)
	if r := e.raw(e.sml, tok, "PATCH", "/api/lead/"+n+"/change_status/", map[string]any{"status": "end"}); r.Code != 200 {
		t.Fatalf("SML change_status: %d %s", r.Code, r.Body)
	}
	got := e.data(tok, "GET", "/api/tickets/"+id, nil)
	if got["cerrado"] != true || got["estado"] != "7" {
		t.Fatalf("after SML ended it: %v", got)
	}
	e.data(tok, "POST", "/api/close_ticket/"+id, docCloseTicket)
	if got := e.data(tok, "GET", "/api/tickets/"+id, nil); got["motivo_cierre"] != nil {
		t.Fatalf("closed again here: %v", got)
	}
}
