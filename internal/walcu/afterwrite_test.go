package walcu_test

import (
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestStoredLeadNeverAnswers503: a salelead stored whose answer cannot be
// rendered because the database stopped answering after its COMMIT (the
// users and sources its document shows locked) is answered 500 in this
// API's error shape, not 503 with Retry-After, which tells the client to
// send it again and would store it twice (README, "When the database
// cannot answer"); the lead is stored once. PostgreSQL only: a SQLite
// file cannot stop answering a read after a write.
func TestStoredLeadNeverAnswers503(t *testing.T) {
	st, o := testkit.PostgresOutage(t, "dealers", "users", "memberships", "sources")
	e := newEnvOn(t, st, core.WithObserver(o))
	count := func() int {
		r := e.list("saleleads", url.Values{"limit": {"50"}})
		mustStatus(t, "list saleleads", r, 200)
		return len(r.arr())
	}
	before := count()
	o.Arm()
	r := e.es(http.MethodPost, "saleleads", map[string]any{"car_list": []any{map[string]any{"car": map[string]any{"make": "Guardado", "model": "Una vez"}}}})
	o.Release()
	if r.code != http.StatusInternalServerError || r.header.Get("Retry-After") != "" || r.obj()["error"] != "internal" {
		t.Errorf("a stored lead whose answer failed: %d %s, Retry-After %q; want 500 internal without Retry-After", r.code, r.raw, r.header.Get("Retry-After"))
	}
	if got := count(); got != before+1 {
		t.Errorf("leads stored: %d, want 1", got-before)
	}
}
