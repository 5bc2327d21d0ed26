package testkit

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/store"
)

// Outage is a core.Observer that, once a lead is stored (its COMMIT done)
// while it is armed, makes PostgreSQL stop answering the statements on its
// tables in time, as a database that goes down or hangs then: it locks
// them from a connection of its own until Release. It tests what a write
// stored answers when its answer cannot be rendered (README, "When the
// database cannot answer").
type Outage struct {
	t      testing.TB
	admin  *sql.DB
	tables string
	armed  atomic.Bool
	mu     sync.Mutex
	tx     *sql.Tx
}

// PostgresOutage opens a store on a new migrated PostgreSQL database
// (skipping the test when $FORECOURT_TEST_POSTGRES is not set), each of
// its operations bounded by one second and its cache off, and the Outage
// that locks tables of it; give the Outage to the Service with
// core.WithObserver, then Arm it. Both are closed when the test ends.
func PostgresOutage(t testing.TB, tables ...string) (*store.Store, *Outage) {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		t.Skip(PostgresEnv + " not set")
	}
	dsn := MigratedPostgresDSN(t, u)
	st, err := store.Open(context.Background(), dsn, store.WithTimeout(time.Second), store.WithCacheTTL(0))
	must(t, err, "open the store")
	t.Cleanup(func() { st.Close() })
	admin, err := sql.Open("pgx", dsn)
	must(t, err, "open the admin connection")
	t.Cleanup(func() { admin.Close() })
	o := &Outage{t: t, admin: admin, tables: strings.Join(tables, ", ")}
	t.Cleanup(o.Release)
	return st, o
}

// Arm makes the next lead stored lock the tables.
func (o *Outage) Arm() { o.armed.Store(true) }

// LeadCreated locks the tables when armed, once.
func (o *Outage) LeadCreated(int64) {
	if !o.armed.Swap(false) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.admin.Begin()
	if err != nil {
		o.t.Error(err)
		return
	}
	if _, err := tx.Exec(`LOCK TABLE ` + o.tables + ` IN ACCESS EXCLUSIVE MODE`); err != nil {
		o.t.Error(err)
	}
	o.tx = tx
}

// Release ends the outage: the locks are given back.
func (o *Outage) Release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tx != nil {
		_ = o.tx.Rollback()
		o.tx = nil
	}
}
