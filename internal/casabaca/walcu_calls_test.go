package casabaca_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"forecourt/internal/walcu"
)

// TestWalcuConferenceIsACall: a conference logged through Walcu on a
// ticket's lead is one of the ticket's interactions in Casabaca (a call,
// its direction, status, start and duration), and one it deletes is gone.
func TestWalcuConferenceIsACall(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		id := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
		p, err := e.svc.Authenticate(context.Background(), tok)
		if err != nil || len(p.DealerIDs) != 1 {
			t.Fatalf("maria: %+v %v", p, err)
		}
		wh := walcu.NewHandler(e.svc, walcu.WithLogger(slog.New(slog.DiscardHandler)))
		walcuDo := func(method, path, body string) map[string]any {
			t.Helper()
			r := httptest.NewRequest(method, fmt.Sprintf("/dealers/%d/%s", p.DealerIDs[0], path), strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			wh.ServeHTTP(rec, r)
			var out map[string]any
			if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
				t.Fatalf("Walcu %s %s: %d %s", method, path, rec.Code, rec.Body)
			}
			return out
		}
		conf := walcuDo("POST", "conferences", `{"lead_id": "`+id+`", "direction": "outbound-api", "status": "no-answer",
			"made_at": "2026-11-02T09:30:00Z", "duration": 125, "note": "Sin respuesta"}`)
		is := e.data(tok, "GET", "/api/tickets/"+id, nil)["interactions"].([]any)
		last := is[len(is)-1].(map[string]any)
		if last["id"] != conf["_id"] || last["tipo"] != "call" || last["direction"] != "Outbound" || last["status"] != "Not Held" ||
			last["date_start"] != "2026-11-02 09:30" || last["duration_minutes"] != float64(2) {
			t.Fatalf("the conference in Casabaca: %v", last)
		}
		walcuDo("DELETE", "conferences/"+conf["_id"].(string), "")
		for _, x := range e.data(tok, "GET", "/api/tickets/"+id, nil)["interactions"].([]any) {
			if x.(map[string]any)["id"] == conf["_id"] {
				t.Fatal("a deleted conference still shows in Casabaca")
			}
		}
	})
}
