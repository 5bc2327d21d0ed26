package casabaca_test

import (
	"net/http"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestStoredCallNeverAnswers503: a call of type cita stores its
// prospección, then its meeting; when the database stops answering
// between the two (the appointments locked right after the prospección's
// COMMIT), the answer is 500 in the document's shape, not 503 with
// Retry-After, which tells the client to send it again and would store
// its writes twice (README, "When the database cannot answer"). Ticket
// creation itself reads nothing after its one write: its answer is made
// of what the write returned. PostgreSQL only: a SQLite file cannot stop
// answering after a write.
func TestStoredCallNeverAnswers503(t *testing.T) {
	st, o := testkit.PostgresOutage(t, "appointments")
	e := newEnvOn(t, st, core.WithObserver(o))
	tok := e.maria()
	id := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
	o.Arm()
	rec := e.raw(e.h, tok, "POST", "/api/calls", onTicket(docCalls, id))
	o.Release()
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Retry-After") != "" {
		t.Errorf("a call stored whose meeting failed: %d %s, Retry-After %q; want 500 without Retry-After", rec.Code, rec.Body, rec.Header().Get("Retry-After"))
	}
	if ps := e.data(tok, "GET", "/api/tickets/"+id, nil)["prospecciones"].([]any); len(ps) != 1 {
		t.Errorf("prospecciones of the ticket: %v, want 1", ps)
	}
}
