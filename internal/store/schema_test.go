package store_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pressly/goose/v3"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// openRaw opens the database at dsn without a store: no migrations, no
// locks, as an operator's psql or sqlite3 would.
func openRaw(t *testing.T, engine, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if engine == store.Postgres {
		driver = "pgx"
	}
	// The server beside it writes when idle (it merges the search index
	// right after opening): wait for its lock as a store does, rather than
	// fail at once (TestOperatorNeverMigratesUnderAServer failed 2 runs in
	// 10 on SQLITE_BUSY in its migrations down).
	if engine == store.SQLite && !strings.Contains(dsn, "?") {
		dsn += "?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestOneServerPerSQLiteFile: a server holds its file alone; another
// server is refused, saying why, while an operator's store works beside
// it; once the first is closed, a server opens again.
func TestOneServerPerSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forecourt.db")
	a, err := store.Open(ctx, path, store.AsServer())
	check(t, err, "first server")
	if b, err := store.Open(ctx, path, store.AsServer()); err == nil {
		b.Close()
		t.Fatal("a second server opened the file")
	} else if !strings.Contains(err.Error(), "is in use by another forecourt server") {
		t.Errorf("second server: %v", err)
	}
	op, err := store.Open(ctx, path)
	check(t, err, "operator beside the server")
	check(t, op.CreateDealer(ctx, &core.Dealer{Name: "Beside", Country: "ES", CreatedAt: testkit.Now}), "operator's write")
	check(t, op.Close(), "close operator")
	check(t, a.Close(), "close first server")
	b, err := store.Open(ctx, path, store.AsServer())
	check(t, err, "a server after the first stopped")
	all, err := b.AllDealers(ctx)
	check(t, err, "dealers")
	if len(all) != 1 {
		t.Errorf("%d dealers, want the operator's", len(all))
	}
	check(t, b.Close(), "close")
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Errorf("lock file: %v", err)
	}
}

// TestOperatorNeverMigratesUnderAServer: an operator's store that finds the
// database lacking its migrations while a server runs on it (a server of
// an older version) refuses it rather than migrate under the server, and
// migrates it once the server is gone.
func TestOperatorNeverMigratesUnderAServer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forecourt.db")
	srv, err := store.Open(ctx, path, store.AsServer())
	check(t, err, "server")
	p, err := store.Migrator(store.SQLite, openRaw(t, store.SQLite, path))
	check(t, err, "migrator")
	_, err = p.DownTo(ctx, 8) // the schema of an older server
	check(t, err, "down to 8")

	_, err = store.Open(ctx, path)
	var se *store.SchemaError
	if !errors.As(err, &se) || !se.Server || !slices.Equal(se.Pending, versionsAfter(p, 8)) {
		t.Fatalf("operator beside an older server: %v", err)
	}
	if !strings.Contains(err.Error(), "server of an older version runs on it") {
		t.Errorf("message: %v", err)
	}
	check(t, srv.Close(), "stop the server")
	op, err := store.Open(ctx, path)
	check(t, err, "operator alone")
	check(t, op.Close(), "close")
	if v, err := p.GetDBVersion(ctx); err != nil || v != lastVersion(p) {
		t.Errorf("version %d, %v: want %d", v, err, lastVersion(p))
	}
}

// TestRefusesNewerSchema: a database migrated by a newer forecourt (a
// migration this one does not know) is refused by every store, on both
// engines, before anything is served.
func TestRefusesNewerSchema(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s, err := store.Open(ctx, dsn)
			check(t, err, "open")
			check(t, s.Close(), "close")
			raw := openRaw(t, engine, dsn)
			// a migration of a newer forecourt, past every one this one knows
			if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
				t.Fatal(err)
			}
			p, err := store.Migrator(engine, raw)
			check(t, err, "migrator")
			for _, opts := range [][]store.Option{{store.AsServer()}, nil} {
				s, err := store.Open(ctx, dsn, opts...)
				if err == nil {
					s.Close()
					t.Fatal("a newer schema was opened")
				}
				var se *store.SchemaError
				if !errors.As(err, &se) || !slices.Equal(se.Unknown, []int64{9999}) || se.Known != lastVersion(p) ||
					!strings.Contains(err.Error(), "newer than this forecourt") {
					t.Errorf("open a newer schema: %v", err)
				}
			}
		})
	}
}

// postgresDSN returns a fresh PostgreSQL schema's URL, or skips the test.
func postgresDSN(t *testing.T) string {
	t.Helper()
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	return testkit.PostgresDSN(t, u)
}

// TestSchemaChangedUnderAStore: a PostgreSQL store whose schema another
// forecourt migrated further (while the store held no connection, the only
// way it can happen) refuses the schema on its next connection and says
// so through Done, without running a statement on it.
func TestSchemaChangedUnderAStore(t *testing.T) {
	dsn := postgresDSN(t)
	s, err := store.Open(ctx, dsn, store.WithCacheTTL(0))
	check(t, err, "open")
	defer s.Close()
	check(t, s.CreateDealer(ctx, &core.Dealer{Name: "Before", Country: "ES", CreatedAt: testkit.Now}), "write")
	if _, err := openRaw(t, store.Postgres, dsn).Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (13, true)`); err != nil {
		t.Fatal(err)
	}
	s.DB().SetMaxIdleConns(0) // closes the idle connections: the next operation connects
	_, err = s.AllDealers(ctx)
	if core.ErrorCode(err) != core.Unavailable {
		t.Fatalf("read on a changed schema: %v", err)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed")
	}
	var se *store.SchemaError
	if !errors.As(s.Err(), &se) || !slices.Equal(se.Unknown, []int64{13}) {
		t.Errorf("Err = %v", s.Err())
	}
}

// TestUpgradeWaitsForOlderServers: a forecourt that finds the PostgreSQL
// schema lacking its migrations while connections of an older one use it
// refuses to start, naming them, instead of migrating under them; once
// they are gone it migrates.
func TestUpgradeWaitsForOlderServers(t *testing.T) {
	dsn := postgresDSN(t)
	older, err := store.Open(ctx, dsn)
	check(t, err, "older server")
	_, err = older.AllDealers(ctx) // holds a connection, as a running server does
	check(t, err, "read")
	p, err := store.Migrator(store.Postgres, openRaw(t, store.Postgres, dsn))
	check(t, err, "migrator")
	_, err = p.DownTo(ctx, 8) // the older server's schema
	check(t, err, "down to 8")

	_, err = store.Open(ctx, dsn, store.AsServer())
	var se *store.SchemaError
	if !errors.As(err, &se) || se.Users < 1 || !slices.Equal(se.Pending, versionsAfter(p, 8)) ||
		!strings.Contains(err.Error(), "stop every server of the older version") {
		t.Fatalf("upgrade beside an older server: %v", err)
	}
	if v, err := p.GetDBVersion(ctx); err != nil || v != 8 {
		t.Fatalf("the refused upgrade migrated: version %d, %v", v, err)
	}
	check(t, older.Close(), "stop the older server")
	newer, err := store.Open(ctx, dsn, store.AsServer())
	check(t, err, "upgrade alone")
	defer newer.Close()
	if v, err := p.GetDBVersion(ctx); err != nil || v != lastVersion(p) {
		t.Errorf("version %d, %v: want %d", v, err, lastVersion(p))
	}
}

// TestConcurrentOpens: stores opened together on a fresh PostgreSQL schema
// all open; one migrates, the others wait for it.
func TestConcurrentOpens(t *testing.T) {
	dsn := postgresDSN(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			s, err := store.Open(ctx, dsn, store.AsServer())
			if err == nil {
				_, err = s.AllDealers(ctx)
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
		}
	}
}

// TestExclusively: fn runs in one process at a time. The second caller
// waits on the lock (seen waiting in pg_locks) until the first's fn ends.
func TestExclusively(t *testing.T) {
	dsn := postgresDSN(t)
	a, err := store.Open(ctx, dsn)
	check(t, err, "a")
	defer a.Close()
	b, err := store.Open(ctx, dsn)
	check(t, err, "b")
	defer b.Close()
	raw := openRaw(t, store.Postgres, dsn)

	entered, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	firstDone := false
	done := make(chan error, 1)
	go func() {
		done <- a.Exclusively(ctx, func() error {
			close(entered)
			<-release
			mu.Lock()
			firstDone = true
			mu.Unlock()
			return nil
		})
	}()
	<-entered
	second := make(chan error, 1)
	go func() {
		second <- b.Exclusively(ctx, func() error {
			mu.Lock()
			defer mu.Unlock()
			if !firstDone {
				return errors.New("entered while the first held the lock")
			}
			return nil
		})
	}()
	// Wait until the second waits for the lock, or is done.
	for waiting := 0; waiting == 0; {
		select {
		case err := <-second:
			close(release)
			t.Fatalf("second returned while the first held the lock: %v", err)
		default:
		}
		check(t, raw.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&waiting), "pg_locks")
	}
	close(release)
	check(t, <-done, "first")
	check(t, <-second, "second")
}

// versionsAfter lists the migrations p knows above version v, in order.
func versionsAfter(p *goose.Provider, v int64) []int64 {
	var out []int64
	for _, src := range p.ListSources() {
		if src.Version > v {
			out = append(out, src.Version)
		}
	}
	slices.Sort(out)
	return out
}

// lastVersion is the highest migration p knows.
func lastVersion(p *goose.Provider) int64 {
	all := versionsAfter(p, 0)
	return all[len(all)-1]
}
