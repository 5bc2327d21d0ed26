package casabaca_test

import (
	"strings"
	"testing"
)

// TestPublicIDsCaseAside: a UUID's text is case-insensitive on input (RFC
// 9562), so a ticket and its prospección are found by their ids in upper
// case, in a path and in a body, as in lower case (docs/decisions.md,
// "Public ids case aside").
func TestPublicIDsCaseAside(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		id := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
		up := strings.ToUpper(id)
		if got := e.data(tok, "GET", "/api/tickets/"+up, nil); got["ticket_id"] != id {
			t.Fatalf("GET /api/tickets/%s: %v, want ticket %s", up, got, id)
		}
		pros := e.data(tok, "POST", "/api/quotation", onTicket(docQuotation, up))["prospeccion_id"].(string)
		if got := e.data(tok, "GET", "/api/prospecciones/"+strings.ToUpper(pros), nil); got["prospeccion_id"] != pros || got["ticket_id"] != id {
			t.Fatalf("GET /api/prospecciones/%s: %v, want %s", strings.ToUpper(pros), got, pros)
		}
		e.data(tok, "POST", "/api/close_ticket/"+up, docCloseTicket)
		if got := e.data(tok, "GET", "/api/tickets/"+id, nil); got["cerrado"] != true {
			t.Fatalf("the ticket closed by its upper-case id: %v", got)
		}
	})
}
