package sml

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// outageAfterWrite is a core.Observer that, once a lead is stored (its
// COMMIT done), makes PostgreSQL stop answering the store's reads of
// reference data in time, as a database that goes down or hangs then: it
// locks their tables from a connection of its own until release.
type outageAfterWrite struct {
	t     *testing.T
	admin *sql.DB
	on    bool
	mu    sync.Mutex
	tx    *sql.Tx
}

func (o *outageAfterWrite) LeadCreated(int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.on || o.tx != nil {
		return
	}
	tx, err := o.admin.Begin()
	if err != nil {
		o.t.Error(err)
		return
	}
	if _, err := tx.Exec(`LOCK TABLE dealers, users, memberships, sources IN ACCESS EXCLUSIVE MODE`); err != nil {
		o.t.Error(err)
	}
	o.tx = tx
}

func (o *outageAfterWrite) release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tx != nil {
		o.tx.Rollback()
		o.tx = nil
	}
}

// TestStoredLeadNeverAnswers503: a lead stored whose answer cannot be
// rendered because the database stopped answering after its COMMIT is
// answered 500, not 503 with Retry-After, which tells the client to send
// it again and would store it twice (README, "When the database cannot
// answer"); the lead is stored once. PostgreSQL only: a SQLite file
// cannot stop answering a read after a write.
func TestStoredLeadNeverAnswers503(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	dsn := testkit.MigratedPostgresDSN(t, u)
	st, err := store.Open(context.Background(), dsn, store.WithTimeout(time.Second), store.WithCacheTTL(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	o := &outageAfterWrite{t: t, admin: admin}
	e := newEnvOn(t, st, 0, core.WithObserver(o))
	e.noSchema = true
	o.on = true
	defer o.release()
	r := httptest.NewRequest(http.MethodPost, "/api/lead/", strings.NewReader(`{"vehicle": {"brand_model": "Guardado una vez"}, "source": 1}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Token "+e.token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	o.release()
	if w.Code != http.StatusInternalServerError || w.Header().Get("Retry-After") != "" {
		t.Errorf("a stored lead whose answer failed: %d %s, Retry-After %q; want 500 without Retry-After", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	o.on = false
	if got := e.req(e.token, http.MethodGet, "/api/lead/?search=Guardado", nil).obj(t)["count"]; got != float64(1) {
		t.Errorf("leads stored: %v, want 1", got)
	}
}
