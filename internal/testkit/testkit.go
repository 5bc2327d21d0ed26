// Package testkit holds test helpers: a store on a temporary SQLite file or
// on the PostgreSQL server $FORECOURT_TEST_POSTGRES names, and fixtures.
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"forecourt/internal/store"
)

// PostgresEnv is the variable that holds the URL of a PostgreSQL database
// for tests, e.g. the one scripts/pg-test-start prints.
const PostgresEnv = "FORECOURT_TEST_POSTGRES"

// OpenStore opens an empty, migrated store for one test: on PostgreSQL when
// $FORECOURT_TEST_POSTGRES is set, on a SQLite file in t.TempDir()
// otherwise. It is closed (and its schema dropped) when the test ends. opts
// are given to store.Open.
func OpenStore(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	if u := os.Getenv(PostgresEnv); u != "" {
		return OpenPostgres(t, u, opts...)
	}
	return OpenSQLiteWith(t, opts...)
}

// OpenSQLite opens an empty store on a SQLite file in t.TempDir(), a copy
// of a migrated template (template.go). query,
// if given, is appended to the dsn (e.g. "sync=full").
func OpenSQLite(t testing.TB, query ...string) *store.Store {
	t.Helper()
	return openSQLite(t, query, nil)
}

// OpenSQLiteWith is OpenSQLite with options for store.Open.
func OpenSQLiteWith(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	return openSQLite(t, nil, opts)
}

func openSQLite(t testing.TB, query []string, opts []store.Option) *store.Store {
	t.Helper()
	dsn := MigratedSQLitePath(t)
	if len(query) > 0 {
		dsn += "?" + strings.Join(query, "&")
	}
	s, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// OpenPostgres opens an empty store in a new database on the server at
// baseURL, a copy of a migrated template (MigratedPostgresDSN); the
// database is dropped when the test ends. opts are given to store.Open.
func OpenPostgres(t testing.TB, baseURL string, opts ...store.Option) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), MigratedPostgresDSN(t, baseURL), opts...)
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	// Registered after the schema's cleanup, so it runs before it.
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN creates an empty schema in the database at baseURL and
// returns a URL whose connections use it; the schema is dropped when the
// test ends. Several stores (or servers) opened on it share one database.
func PostgresDSN(t testing.TB, baseURL string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", baseURL)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := sharedExtensions(ctx, admin); err != nil {
		t.Fatalf("create extensions: %v", err)
	}
	schema := "t_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var extensionsOnce sync.Once

// sharedExtensions creates the extensions the migrations use (pg_trgm,
// migration 0005) in the schema public, once per database. Left to the
// migration, the first test would create one in its own schema, and
// dropping that schema would drop it, with the indexes of every other
// test's schema that use it.
func sharedExtensions(ctx context.Context, db *sql.DB) (err error) {
	extensionsOnce.Do(func() {
		_, err = db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
		if err != nil {
			// Another test process may have created it at the same time.
			var one int
			if db.QueryRowContext(ctx, "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").Scan(&one) == nil {
				err = nil
			}
		}
	})
	return err
}

// Engines runs fn as a subtest on a fresh SQLite store and, when
// $FORECOURT_TEST_POSTGRES is set, on a fresh PostgreSQL store. opts are
// given to store.Open.
func Engines(t *testing.T, fn func(t *testing.T, s *store.Store), opts ...store.Option) {
	t.Helper()
	t.Run(store.SQLite, func(t *testing.T) { fn(t, OpenSQLiteWith(t, opts...)) })
	if u := os.Getenv(PostgresEnv); u != "" {
		t.Run(store.Postgres, func(t *testing.T) { fn(t, OpenPostgres(t, u, opts...)) })
	}
}

// EnginesB is Engines for benchmarks.
func EnginesB(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	b.Helper()
	b.Run(store.SQLite, func(b *testing.B) { fn(b, OpenSQLite(b)) })
	if u := os.Getenv(PostgresEnv); u != "" {
		b.Run(store.Postgres, func(b *testing.B) { fn(b, OpenPostgres(b, u)) })
	}
}

// must fails t on err.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
