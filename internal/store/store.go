// Package store implements core.Store on database/sql for SQLite
// (modernc.org/sqlite) and PostgreSQL (pgx). Queries are written once with ?
// placeholders and rebound to $n for PostgreSQL; where the engines differ,
// both versions stand side by side in one function.
//
// On SQLite every write goes through one writer goroutine that commits
// concurrent requests together (group commit, see write.go) on the only
// writer connection, while reads use a separate pool.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"forecourt/internal/core"
)

// The engines a Store runs on, as Engine reports them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

//go:embed migrations
var migrations embed.FS

var _ core.Store = (*Store)(nil)

// Store is a core.Store on SQLite or PostgreSQL. It is safe for concurrent
// use.
type Store struct {
	engine string
	db     *sql.DB // SQLite: the one writer connection; PostgreSQL: the pool
	read   *sql.DB // SQLite: the read pool; PostgreSQL: the same pool as db

	// SQLite group commit, see write.go.
	writes    chan *writeRequest
	stmts     *stmtCache
	rstmts    *readStmts // the read pool's statement cache
	cache     *refCache  // reference data, see cache.go
	quit      chan struct{}
	writerEnd chan struct{}
	batches   atomic.Int64 // transactions the writer committed or rolled back
	// writes the writer took (a batch holds several)
	writeRequests atomic.Int64
	unindexed     int           // leads not in leads_fts yet; the writer's alone
	ftsUnmerged   bool          // leads_fts may have segments to merge (ftsmerge.go); the writer's alone
	ftsMerges     atomic.Int64  // merge steps the writer committed (ftsmerge.go; tests)
	ckpt          *checkpointer // SQLite: checkpoints beside the writer
	opt           options       // fixed at Open
	walkedPages   atomic.Int64  // pages walkMatches answered (tests)
	// cacheLoaded, when set (tests), runs after a cached read has read the
	// database and before it caches what it read.
	cacheLoaded func()
	closeOnce   sync.Once
	closeErr    error

	known  []int64         // the migrations this store knows, see schema.go
	pgcfg  *pgx.ConnConfig // PostgreSQL: the pool's connections' configuration
	flock  *fileLock       // SQLite: a server's lock of its file, see filelock.go
	health *health         // the database's availability, see health.go
	// PostgreSQL: lead creations combined in transactions, see pgcombine.go
	combiner leadCombiner
	// credWatch is a PostgreSQL server's listener of credentials' changes
	// (credwatch.go); nil otherwise.
	credWatch *credWatch
	// failed is closed when the store can serve no longer (failErr).
	failed   chan struct{}
	failOnce sync.Once
	failErr  error
}

// Open opens the database dsn names and applies the pending migrations.
//
// A dsn starting with postgres:// or postgresql:// opens PostgreSQL through
// pgx; any other dsn is a SQLite file path, optionally prefixed with
// "file:" or "sqlite:" (":memory:" is refused: each connection would see
// its own empty database). A SQLite dsn takes these query parameters of
// ours:
//
//	sync=normal   (default) synchronous=NORMAL: a commit survives a crash
//	              of the process; a power loss may lose the last commits.
//	sync=full     synchronous=FULL: every commit is fsynced before the
//	              writers waiting on it are answered.
//	readers=N     the size of the read pool (default 4).
//
// opts change the store's defaults (see Option).
//
// Open applies the migrations the database lacks, unless another process
// of an older version uses it, and refuses a database migrated by a newer
// forecourt (a *SchemaError; see schema.go). A server's store (AsServer)
// on SQLite holds the file alone (see filelock.go).
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := defaultOptions()
	for _, fn := range opts {
		fn(&o)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, o)
	}
	return openSQLite(ctx, dsn, o)
}

func newStore(engine string, o options) *Store {
	return &Store{engine: engine, cache: newRefCache(o.cacheTTL), opt: o, health: newHealth(o.log), failed: make(chan struct{})}
}

func openPostgres(ctx context.Context, dsn string, o options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "forecourt"
	}
	s := newStore(Postgres, o)
	if s.known, err = migratePostgres(ctx, cfg); err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	s.pgcfg = cfg.Copy()
	if _, ok := s.pgcfg.RuntimeParams["statement_timeout"]; !ok && o.timeout > 0 {
		s.pgcfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(o.timeout.Milliseconds(), 10)
	}
	db := stdlib.OpenDB(*s.pgcfg, stdlib.OptionAfterConnect(s.afterConnect))
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	db.SetConnMaxIdleTime(o.maxIdleTime)
	s.db, s.read = db, db
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if o.server && o.credTTL > 0 {
		s.cache.creds = newTTLMap[string, core.Credential](o.credTTL)
		s.watchCredentials()
	}
	return s, nil
}

func openSQLite(ctx context.Context, dsn string, o options) (*Store, error) {
	path, rawQuery, _ := strings.Cut(dsn, "?")
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite:"), "file:")
	if path == "" || strings.Contains(path, ":memory:") || strings.Contains(rawQuery, "mode=memory") {
		return nil, fmt.Errorf("store: open sqlite: %q: in-memory databases are not supported; use a file", dsn)
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %q: %w", dsn, err)
	}
	sync := "NORMAL"
	switch v := strings.ToLower(q.Get("sync")); v {
	case "", "normal":
	case "full":
		sync = "FULL"
	default:
		return nil, fmt.Errorf("store: open sqlite: sync=%q: want normal or full", v)
	}
	readers := 4
	if v := q.Get("readers"); v != "" {
		readers, err = strconv.Atoi(v)
		if err != nil || readers < 1 {
			return nil, fmt.Errorf("store: open sqlite: readers=%q: want a positive number", v)
		}
	}

	// One server per file; any other store migrates only when no server
	// runs (see filelock.go).
	var lk *fileLock
	alone := true
	if o.server {
		lk, err = lockAsServer(ctx, path)
	} else {
		lk, err = lockBeside(path)
		alone = lk != nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	defer func() {
		if !o.server {
			lk.release() // after migrating: the operator's store runs beside a server
		}
	}()

	// The path goes without "file:" so modernc does not read it as a URI.
	// busy_timeout bounds how long a write waits for another process's
	// lock (WithTimeout); 0 would not wait at all.
	busy := o.timeout.Milliseconds()
	if o.timeout <= 0 {
		busy = math.MaxInt32
	}
	common := "_pragma=busy_timeout(" + strconv.FormatInt(busy, 10) + ")&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
	// temp_store(MEMORY) keeps the savepoints' sub-journals off the disk.
	// The WAL is checkpointed by a connection of its own (checkpoint.go);
	// the writer's wal_autocheckpoint is only a backstop.
	// The writer keeps up to 32 MB of pages (SQLite's default is 2 MB) and
	// maps the file as the readers do: the search index's merges (FTS5's
	// automerge, inside the commits) read back pages of the index, and with
	// 2 MB each was a pread syscall, 36 % of a ticket's CPU once the file
	// passed ~100 MB. A ticket cost 15-25 % less CPU, lead creation's p99
	// fell from ~110 to ~45 ms (docs/benchmarks.md, 2026-11-30 16:45).
	db, err := sql.Open("sqlite", path+"?"+common+"&_pragma=synchronous("+sync+")&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_pragma=mmap_size(2147418112)&_pragma=wal_autocheckpoint("+strconv.Itoa(walBackstop)+")&_txlock=immediate")
	if err != nil {
		if o.server {
			lk.release()
		}
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	// The writer connection creates the file and switches it to WAL before
	// any reader opens it.
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if o.server {
			lk.release()
		}
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	// Each reader keeps up to 32 MB of pages (SQLite's default is 2 MB):
	// the lead lists read the trigram index and the dealer's covering
	// index, tens of MB at 100,000 leads (p50 of a wide search 29 → 22 ms).
	// The readers also map the file (up to SQLite's 2 GiB cap): a page of
	// the file is then read in place rather than copied into that cache,
	// which every commit empties (SQLite resets a reader's cache when the
	// WAL changed; freeing a full cache took ~130 ms here). A wide search
	// cost 25–35 % less CPU (docs/benchmarks.md, 2026-11-30).
	read, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)&_pragma=cache_size(-32000)&_pragma=mmap_size(2147418112)")
	if err != nil {
		db.Close()
		if o.server {
			lk.release()
		}
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	// A connection reads the planner's statistics when it opens; reopened
	// as often as the writer refreshes them (optimizeEvery), the readers
	// plan with the statistics of the database as it is now.
	read.SetConnMaxLifetime(o.readerLife)
	read.SetConnMaxIdleTime(0)

	s := newStore(SQLite, o)
	s.db, s.read = db, read
	if o.server {
		s.flock = lk // released by Close
	}
	s.cache.creds = newTTLMap[string, core.Credential](o.credTTL)
	if err := s.migrateSQLite(ctx, alone); err != nil {
		db.Close()
		read.Close()
		s.flock.release()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// The planner's statistics of the tables that lack them, or changed
	// enough (see optimizeEvery); before the writer takes the connection.
	if _, err := db.ExecContext(ctx, `PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002`); err != nil {
		db.Close()
		read.Close()
		return nil, fmt.Errorf("store: open sqlite: optimize: %w", err)
	}
	if err := s.startWriter(ctx); err != nil {
		db.Close()
		read.Close()
		s.flock.release()
		return nil, err
	}
	// Checkpoints sync the database file as the writer's own would.
	if s.ckpt, err = startCheckpointer(path+"?"+common+"&_pragma=synchronous("+sync+")", &s.batches); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// pgx caches its prepared statements itself; SQLite's driver does not
	s.rstmts = newReadStmts(read)
	return s, nil
}

// migrator returns the goose provider of engine's migrations, SQL and Go,
// on db. Migrations are numbered when their work is planned and merged as
// it ends, so a database may have a later one (0033) before an earlier one
// merged since (0031): it is applied as any pending one, not refused
// (TestMigrationMergedLate). Which migrations a database has is a set
// (checkVersions), not a highest number.
func migrator(engine string, db *sql.DB, opts ...goose.ProviderOption) (*goose.Provider, error) {
	opts = append(opts, goose.WithAllowOutofOrder(true))
	dialect := goose.DialectSQLite3
	if engine == Postgres {
		dialect = goose.DialectPostgres
	}
	fsys, err := fs.Sub(migrations, "migrations/"+engine)
	if err != nil {
		return nil, err
	}
	opts = append(opts, goose.WithGoMigrations(goMigrations(engine == Postgres)...))
	return goose.NewProvider(dialect, db, fsys, opts...)
}

// Engine reports the database engine: SQLite ("sqlite") or Postgres
// ("postgres").
func (s *Store) Engine() string { return s.engine }

// DB returns the pool writes go through: on SQLite the one writer
// connection, on PostgreSQL the only pool. Writing through it on SQLite
// bypasses group commit; it is meant for operators and tests.
func (s *Store) DB() *sql.DB { return s.db }

// Stats returns the statistics of the store's pools added together (on
// SQLite the writer connection and the read pool), for metrics.
func (s *Store) Stats() sql.DBStats {
	st := s.db.Stats()
	if s.read == s.db {
		return st
	}
	r := s.read.Stats()
	st.MaxOpenConnections += r.MaxOpenConnections
	st.OpenConnections += r.OpenConnections
	st.InUse += r.InUse
	st.Idle += r.Idle
	st.WaitCount += r.WaitCount
	st.WaitDuration += r.WaitDuration
	st.MaxIdleClosed += r.MaxIdleClosed
	st.MaxIdleTimeClosed += r.MaxIdleTimeClosed
	st.MaxLifetimeClosed += r.MaxLifetimeClosed
	return st
}

// Ping checks that the database answers. A health check that pings
// regularly also makes the store log an outage that no request meets, and
// its end.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		s.health.failed(err)
		return fmt.Errorf("store: ping: %w", err)
	}
	s.health.ok()
	return nil
}

// Close stops the writer, waiting for the batch it is committing, and closes
// the pools. Writes after Close fail.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopCredentialWatch()
		if s.quit != nil {
			close(s.quit)
			<-s.writerEnd
		}
		var err error
		if s.ckpt != nil {
			err = s.ckpt.stop()
		}
		if s.rstmts != nil {
			s.rstmts.close()
		}
		err = errors.Join(err, s.db.Close())
		if s.read != s.db {
			err = errors.Join(err, s.read.Close())
		}
		s.closeErr = errors.Join(err, s.flock.release())
	})
	return s.closeErr
}
