package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Schema versions. The migrations a binary knows (SQL and Go, see
// migrator) are its schema; goose records the ones applied to a database in
// goose_db_version. A store serves only a database whose applied
// migrations are exactly the ones it knows: one with a migration it does
// not know was migrated by a newer forecourt, whose data it could corrupt
// (an older binary beside a newer one across migration 0008 lost notes'
// texts); one that lacks some it migrates first, when no process of an
// older version uses the database, and refuses otherwise.
//
// On SQLite the processes are the server (the file's server lock, see
// filelock.go) and operator commands. On PostgreSQL every connection of
// every store holds a shared advisory lock on the schema for its life,
// taken when it connects, where it also checks the versions (afterConnect).
// Migrating needs the same lock exclusively: a forecourt that finds the
// database lacking its migrations while connections of older processes
// hold it refuses to start, naming how many, instead of migrating under
// them; and a connection an older process opens after a migration finds
// a schema it does not know and refuses it, so that no older server runs
// a statement on a newer schema.

// Advisory lock classes (the first key of PostgreSQL's two-key advisory
// locks); the second key is hashtext(current_schema()), so that stores on
// different schemas of one database do not meet.
const (
	lockClassSchema = 0x46435331 // "FCS1": the schema's users (shared) or its migrator (exclusive)
	lockClassOnce   = 0x46434f31 // "FCO1": Store.Exclusively
)

// SchemaError says the database's schema is not the one this forecourt
// knows, and what to do about it.
type SchemaError struct {
	Known   int64   // the last migration this forecourt knows
	Unknown []int64 // applied to the database, unknown here: it is newer
	Pending []int64 // known here, not applied to the database
	// Why the pending migrations were not applied: a server runs on the
	// SQLite file, or (PostgreSQL) Users connections of other forecourt
	// processes use the schema as it is.
	Server bool
	Users  int
}

func (e *SchemaError) Error() string {
	switch {
	case len(e.Unknown) > 0:
		return fmt.Sprintf("the database's schema is newer than this forecourt: it holds %s, which this forecourt does not know "+
			"(its last is %d); it was migrated by a newer forecourt: run that version or a newer one (or restore the backup taken before the upgrade)",
			listMigrations(e.Unknown), e.Known)
	case e.Server:
		return fmt.Sprintf("the database lacks %s of this forecourt, and a forecourt server of an older version runs on it: "+
			"stop that server, then start this version, which migrates the database before it serves (or run this command with the server's version)",
			listMigrations(e.Pending))
	case e.Users > 0:
		return fmt.Sprintf("the database lacks %s of this forecourt, and %d connection(s) of forecourt processes of an older version use it: "+
			"stop every server of the older version, then start this one, which migrates the database before it serves (see Upgrading in the README)",
			listMigrations(e.Pending), e.Users)
	}
	return fmt.Sprintf("the database lacks %s of this forecourt", listMigrations(e.Pending))
}

func listMigrations(vs []int64) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.FormatInt(v, 10)
	}
	if len(vs) == 1 {
		return "migration " + s[0]
	}
	return "migrations " + strings.Join(s, ", ")
}

// knownVersions returns the versions of p's migrations, in order.
func knownVersions(p *goose.Provider) []int64 {
	var vs []int64
	for _, src := range p.ListSources() {
		vs = append(vs, src.Version)
	}
	slices.Sort(vs)
	return vs
}

// compareVersions returns the known versions not applied and the applied
// ones not known; both sorted lists.
func compareVersions(known, applied []int64) (pending, unknown []int64) {
	for _, v := range known {
		if _, ok := slices.BinarySearch(applied, v); !ok {
			pending = append(pending, v)
		}
	}
	for _, v := range applied {
		if _, ok := slices.BinarySearch(known, v); !ok {
			unknown = append(unknown, v)
		}
	}
	return pending, unknown
}

// checkVersions returns a *SchemaError unless applied is exactly known.
func checkVersions(known, applied []int64) error {
	pending, unknown := compareVersions(known, applied)
	if len(pending) == 0 && len(unknown) == 0 {
		return nil
	}
	return &SchemaError{Known: known[len(known)-1], Unknown: unknown, Pending: pending}
}

const appliedQuery = `SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY version_id`

// appliedVersions returns the migrations applied to the database q is on,
// in order; none when goose has not created its table yet.
func appliedVersions(ctx context.Context, q querier, pg bool) ([]int64, error) {
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`
	if pg {
		exists = `SELECT count(*) FROM (SELECT to_regclass('goose_db_version') AS t) x WHERE t IS NOT NULL`
	}
	var n int
	if err := q.QueryRowContext(ctx, exists).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, appliedQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// migrateSQLite brings the SQLite database to the migrations this store
// knows: it applies the pending ones when alone (no server runs on the
// file, or this is the server), and refuses them otherwise.
func (s *Store) migrateSQLite(ctx context.Context, alone bool) error {
	p, err := migrator(SQLite, s.db)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	s.known = knownVersions(p)
	applied, err := appliedVersions(ctx, s.db, false)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	err = checkVersions(s.known, applied)
	se, _ := err.(*SchemaError)
	switch {
	case err == nil:
		return nil
	case len(se.Unknown) > 0:
		return err
	case !alone:
		se.Server = true
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// migratePostgres brings the schema cfg names to the migrations this
// forecourt knows and returns them. It applies the pending ones holding
// the schema's lock exclusively, which it gets only when no connection of
// another store holds it (shared); when a migration is under way in
// another process it waits for it, then looks again. Its connections run
// without statement_timeout: a migration may take minutes.
func migratePostgres(ctx context.Context, cfg *pgx.ConnConfig) ([]int64, error) {
	mcfg := cfg.Copy()
	mcfg.RuntimeParams["statement_timeout"] = "0"
	mdb := stdlib.OpenDB(*mcfg)
	defer mdb.Close()
	mdb.SetMaxOpenConns(2) // the lock's, and goose's
	lc, err := mdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer lc.Close()
	// goose's own lock also keeps out older forecourts, which do not know
	// the schema's.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	p, err := migrator(Postgres, mdb, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, err
	}
	known := knownVersions(p)
	for {
		applied, err := appliedVersions(ctx, lc, true)
		if err != nil {
			return nil, err
		}
		err = checkVersions(known, applied)
		if err == nil || len(err.(*SchemaError).Unknown) > 0 {
			return known, err
		}
		var got bool
		if err := lc.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, lockClassSchema).Scan(&got); err != nil {
			return nil, err
		}
		if got {
			err := migrateLocked(ctx, p, lc, known)
			if _, uerr := lc.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, lockClassSchema); uerr != nil && err == nil {
				err = uerr
			}
			return known, err
		}
		// Held: shared, by the connections of stores using the schema as
		// it is, or exclusively, by a migration under way?
		var shared bool
		if err := lc.QueryRowContext(ctx, `SELECT pg_try_advisory_lock_shared($1, hashtext(current_schema()))`, lockClassSchema).Scan(&shared); err != nil {
			return nil, err
		}
		if shared {
			if _, err := lc.ExecContext(ctx, `SELECT pg_advisory_unlock_shared($1, hashtext(current_schema()))`, lockClassSchema); err != nil {
				return nil, err
			}
			se := err.(*SchemaError)
			if err := lc.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ShareLock'
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
				AND classid = $1 AND objid = hashtext(current_schema())::oid AND objsubid = 2`, lockClassSchema).Scan(&se.Users); err != nil {
				return nil, err
			}
			if se.Users > 0 {
				return nil, se
			}
			continue // they went away meanwhile
		}
		// Wait for the migration under way, then look again.
		if _, err := lc.ExecContext(ctx, `SELECT pg_advisory_lock_shared($1, hashtext(current_schema()))`, lockClassSchema); err != nil {
			return nil, err
		}
		if _, err := lc.ExecContext(ctx, `SELECT pg_advisory_unlock_shared($1, hashtext(current_schema()))`, lockClassSchema); err != nil {
			return nil, err
		}
	}
}

// migrateLocked applies the pending migrations, the schema's lock held.
func migrateLocked(ctx context.Context, p *goose.Provider, lc *sql.Conn, known []int64) error {
	applied, err := appliedVersions(ctx, lc, true)
	if err != nil {
		return err
	}
	if err := checkVersions(known, applied); err == nil || len(err.(*SchemaError).Unknown) > 0 {
		return err // another process migrated meanwhile
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// afterConnect runs on every new connection of a PostgreSQL store: it
// takes the schema's lock shared, for the connection's life, and checks
// that the schema is still the store's. When it is not (a newer forecourt
// migrated it while this store had no connection open), the connection is
// refused, and the store reports it through Done: a server then stops.
func (s *Store) afterConnect(ctx context.Context, c *pgx.Conn) error {
	err := func() error {
		if _, err := c.Exec(ctx, `SELECT pg_advisory_lock_shared($1, hashtext(current_schema()))`, lockClassSchema); err != nil {
			return err
		}
		rows, _ := c.Query(ctx, appliedQuery)
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if err := checkVersions(s.known, applied); err != nil {
			s.fail(err)
			return err
		}
		return nil
	}()
	if err != nil {
		// pgx's connector does not close a connection this refuses
		c.Close(context.WithoutCancel(ctx))
	}
	return err
}

// fail records that the store can serve no longer, once.
func (s *Store) fail(err error) {
	s.failOnce.Do(func() {
		s.failErr = err
		close(s.failed)
	})
}

// Done returns a channel closed when the store can no longer serve: on
// PostgreSQL, when another forecourt has changed the schema (see
// afterConnect). Err then says why. A server stops.
func (s *Store) Done() <-chan struct{} { return s.failed }

// Err returns why Done was closed, or nil.
func (s *Store) Err() error {
	select {
	case <-s.failed:
		return s.failErr
	default:
		return nil
	}
}

// Exclusively runs fn while no other process runs fn through Exclusively on
// the same database (on PostgreSQL an advisory lock of the schema, waited
// for under ctx; on SQLite a server holds the file alone already). Two
// servers started together with --demo load the demo under it, so that
// exactly one loads it.
func (s *Store) Exclusively(ctx context.Context, fn func() error) error {
	if s.engine != Postgres {
		return fn()
	}
	cfg := s.pgcfg.Copy()
	cfg.RuntimeParams["statement_timeout"] = "0" // the wait is bounded by ctx
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return s.checked(ctx, fmt.Errorf("store: lock: %w", err))
	}
	defer c.Close(context.WithoutCancel(ctx))
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1, hashtext(current_schema()))`, lockClassOnce); err != nil {
		return s.checked(ctx, fmt.Errorf("store: lock: %w", err))
	}
	// Closing the connection releases the lock, whatever fn does.
	return fn()
}
