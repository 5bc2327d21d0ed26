package testkit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"forecourt/internal/store"
)

// Migrated templates. Opening an empty store runs every migration (SQL and
// Go, ~45 of them); under the race detector that was most of what a short
// test cost, and every test that opens a store paid it once per engine
// (docs/benchmarks.md, "CI time, round 2"). So a test process migrates one
// store per engine, once, and every OpenSQLite/OpenPostgres starts from a
// copy of it: on SQLite a copy of the closed, migrated file; on PostgreSQL
// a database created with CREATE DATABASE … TEMPLATE from a migrated
// template database. The copy is what store.Open would have built: the
// same migrations, run by the same code, on an empty database; store.Open
// then finds every migration applied. Tests of the migrations themselves
// open empty databases (PostgresDSN, or a file of their own) and are not
// affected.

var sqliteTemplate struct {
	once sync.Once
	dir  string
	err  error
}

// sqliteTemplatePath returns the path of a migrated, closed SQLite
// database this process built once, in a folder of its own under the
// system's temporary folder. A test binary has no end hook here to remove
// it, so each builder removes the folders left more than templateMaxAge
// ago.
func sqliteTemplatePath() (string, error) {
	sqliteTemplate.once.Do(func() {
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), "forecourt-template-*"))
		for _, d := range old {
			if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > templateMaxAge {
				os.RemoveAll(d)
			}
		}
		dir, err := os.MkdirTemp("", "forecourt-template-")
		if err != nil {
			sqliteTemplate.err = err
			return
		}
		path := filepath.Join(dir, "forecourt.db")
		s, err := store.Open(context.Background(), path)
		if err != nil {
			sqliteTemplate.err = fmt.Errorf("migrate template: %w", err)
			return
		}
		if err := s.Close(); err != nil {
			sqliteTemplate.err = fmt.Errorf("close template: %w", err)
			return
		}
		sqliteTemplate.dir = dir
	})
	if sqliteTemplate.err != nil {
		return "", sqliteTemplate.err
	}
	return filepath.Join(sqliteTemplate.dir, "forecourt.db"), nil
}

// copySQLiteTemplate copies the migrated template (its -wal too, if its
// close left one) to path.
func copySQLiteTemplate(path string) error {
	src, err := sqliteTemplatePath()
	if err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(src+suffix, path+suffix); err != nil {
			if suffix != "" && os.IsNotExist(err) {
				continue
			}
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var pgTemplate struct {
	once sync.Once
	name string
	err  error
}

// templatePrefix names the template databases; templateMaxAge is how long
// one is kept after it was built (a test binary runs for at most CI's
// 20-minute -timeout), so a later run removes those left by earlier ones.
const (
	templatePrefix = "forecourt_tmpl_"
	templateMaxAge = 2 * time.Hour
)

// postgresTemplate returns the name of a migrated template database on the
// server at baseURL, building it once per test binary: its name holds a
// hash of the binary, so that two processes of one binary (or packages
// that embed the same migrations in the same build) may share it, and a
// rebuilt binary, whose migrations may differ, never uses an older one.
func postgresTemplate(ctx context.Context, admin *sql.DB, baseURL string) (string, error) {
	pgTemplate.once.Do(func() {
		pgTemplate.name, pgTemplate.err = buildPostgresTemplate(ctx, admin, baseURL)
	})
	return pgTemplate.name, pgTemplate.err
}

func buildPostgresTemplate(ctx context.Context, admin *sql.DB, baseURL string) (string, error) {
	sum, err := executableHash()
	if err != nil {
		return "", err
	}
	name := templatePrefix + sum
	// One builder at a time on the whole server (other test binaries run
	// at once): a session lock on a connection of its own.
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	const lockKey = 0x666f7265 // "fore"
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey)

	dropStaleTemplates(ctx, conn, name)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND NOT datallowconn)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// A half-built one (a binary killed while migrating it) is rebuilt.
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0`); err != nil {
		return "", err
	}
	u, err := databaseURL(baseURL, name)
	if err != nil {
		return "", err
	}
	tdb, err := sql.Open("pgx", u)
	if err != nil {
		return "", err
	}
	_, err = tdb.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
	tdb.Close()
	if err != nil {
		return "", fmt.Errorf("template: create extensions: %w", err)
	}
	s, err := store.Open(ctx, u)
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if err := s.Close(); err != nil {
		return "", fmt.Errorf("close template: %w", err)
	}
	// No connection may reach it from now on (CREATE DATABASE … TEMPLATE
	// refuses a source with sessions, autovacuum's included); its comment
	// is when it was built, for dropStaleTemplates.
	for _, q := range []string{
		`ALTER DATABASE ` + name + ` WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`,
		fmt.Sprintf(`COMMENT ON DATABASE %s IS '%d'`, name, time.Now().Unix()),
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return "", err
		}
	}
	return name, nil
}

// dropStaleTemplates drops the template databases built more than
// templateMaxAge ago, other than keep; errors are ignored (another
// process may be dropping the same one).
func dropStaleTemplates(ctx context.Context, conn *sql.Conn, keep string) {
	rows, err := conn.QueryContext(ctx, `SELECT d.datname FROM pg_database d
		WHERE d.datname LIKE $1 AND d.datname <> $2
		AND coalesce(shobj_description(d.oid, 'pg_database'), '0') ~ '^[0-9]+$'
		AND shobj_description(d.oid, 'pg_database')::bigint < $3`,
		templatePrefix+"%", keep, time.Now().Add(-templateMaxAge).Unix())
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			stale = append(stale, n)
		}
	}
	rows.Close()
	for _, n := range stale {
		conn.ExecContext(ctx, `ALTER DATABASE `+n+` IS_TEMPLATE false`)
		conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
	}
}

// executableHash is a short hash of the running test binary.
func executableHash() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// databaseURL is baseURL with its database replaced by name.
func databaseURL(baseURL, name string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("%s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// MigratedPostgresDSN creates a database on the server at baseURL, a copy
// of a migrated template (every migration applied, nothing else), and
// returns its URL; the database is dropped when the test ends. Several
// stores (or servers) opened on it share one database.
func MigratedPostgresDSN(t testing.TB, baseURL string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", baseURL)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	tmpl, err := postgresTemplate(ctx, admin, baseURL)
	if err != nil {
		t.Fatalf("postgres template: %v", err)
	}
	name := "t_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tmpl); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := databaseURL(baseURL, name)
	if err != nil {
		t.Fatal(err)
	}
	// The first session of a new database builds its catalog caches from
	// the catalogs and writes them (pg_internal.init) for the sessions
	// after it; left to the store's pool, a burst of first sessions would
	// all build them at once, slowly enough on a loaded machine for a
	// test's short deadlines to expire while connecting (a schema in the
	// one test database never had that cost). One session does it here.
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	err = db.PingContext(ctx)
	db.Close()
	if err != nil {
		t.Fatalf("connect to %s: %v", name, err)
	}
	return u
}

// MigratedSQLitePath copies the migrated template to a file in t.TempDir()
// and returns its path, for a test that opens (and reopens) stores on it
// itself.
func MigratedSQLitePath(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "forecourt.db")
	if err := copySQLiteTemplate(path); err != nil {
		t.Fatalf("sqlite template: %v", err)
	}
	return path
}
