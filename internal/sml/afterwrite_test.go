package sml

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestStoredLeadNeverAnswers503: a lead stored whose answer cannot be
// rendered because the database stopped answering after its COMMIT (the
// reference data its answer reads locked) is answered 500, not 503 with
// Retry-After, which tells the client to send it again and would store it
// twice (README, "When the database cannot answer"); the lead is stored
// once. PostgreSQL only: a SQLite file cannot stop answering a read after
// a write.
func TestStoredLeadNeverAnswers503(t *testing.T) {
	st, o := testkit.PostgresOutage(t, "dealers", "users", "memberships", "sources")
	e := newEnvOn(t, st, 0, core.WithObserver(o))
	e.noSchema = true
	o.Arm()
	r := httptest.NewRequest(http.MethodPost, "/api/lead/", strings.NewReader(`{"vehicle": {"brand_model": "Guardado una vez"}, "source": 1}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Token "+e.token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	o.Release()
	if w.Code != http.StatusInternalServerError || w.Header().Get("Retry-After") != "" {
		t.Errorf("a stored lead whose answer failed: %d %s, Retry-After %q; want 500 without Retry-After", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	if got := e.req(e.token, http.MethodGet, "/api/lead/?search=Guardado", nil).obj(t)["count"]; got != float64(1) {
		t.Errorf("leads stored: %v, want 1", got)
	}
}
