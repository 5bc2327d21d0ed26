package store

import (
	"log/slog"
	"time"
)

// Option sets a property of a Store at Open. The defaults are what a
// server runs with; tests change them per store, so that tests running in
// parallel cannot change each other's.
type Option func(*options)

// options are a Store's settings, fixed at Open.
type options struct {
	cacheTTL    time.Duration // reference data, see cache.go
	credTTL     time.Duration // resolved credentials, see credwatch.go
	manyMatches int           // see FindLeads
	walkBudget  int           // see walkMatches
	readerLife  time.Duration // SQLite read pool, see optimizeEvery

	server      bool          // AsServer
	maxConns    int           // PostgreSQL pool
	maxIdleTime time.Duration // PostgreSQL pool
	timeout     time.Duration // see WithTimeout
	log         *slog.Logger  // see WithLogger
}

// The defaults of the database's connections, as the README documents them.
const (
	DefaultMaxConns    = 16
	DefaultMaxIdleTime = 5 * time.Minute
	DefaultTimeout     = 10 * time.Second
)

func defaultOptions() options {
	return options{cacheTTL: defaultCacheTTL, credTTL: defaultCredTTL, manyMatches: defaultManyMatches, walkBudget: defaultWalkBudget, readerLife: optimizeEvery,
		maxConns: DefaultMaxConns, maxIdleTime: DefaultMaxIdleTime, timeout: DefaultTimeout, log: slog.New(slog.DiscardHandler)}
}

// AsServer opens the store for a server. On SQLite the store holds the
// file's server lock until Close, and Open fails when another server holds
// it (see filelock.go); a store opened without it is an operator's, which
// works beside a running server but never migrates under one.
func AsServer() Option { return func(o *options) { o.server = true } }

// WithMaxConns sets how many connections to PostgreSQL the store opens at
// most (default 16). A SQLite store ignores it (its read pool is the dsn's
// readers=N).
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = max(n, 1) } }

// WithMaxIdleTime sets how long a PostgreSQL connection may stay idle
// before it is closed (default 5 minutes; 0 keeps idle connections open).
func WithMaxIdleTime(d time.Duration) Option { return func(o *options) { o.maxIdleTime = max(d, 0) } }

// WithTimeout sets how long one operation of the store may take (default
// 10 s; 0 for no limit). On PostgreSQL it bounds the wait for a connection
// of the pool and the operation's statements, on the client (a deadline)
// and on the server (statement_timeout, unless the URL sets one); on
// SQLite it is the busy timeout, how long a write waits for another
// process's lock. An operation past it fails with core.Unavailable.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = max(d, 0) } }

// WithLogger sets where the store logs what no caller sees: when the
// database becomes unavailable and available again (see health.go).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithCacheTTL sets how long reference data read from the database (dealers,
// sources, origins, channels, fuels, provinces, localities, users) is served
// from memory; 0 reads it every time. The default is 5 s.
func WithCacheTTL(d time.Duration) Option { return func(o *options) { o.cacheTTL = max(d, 0) } }

// WithCredentialTTL sets how long a store remembers a resolved token or
// API key; 0 reads it every time. The default is 2 s. On PostgreSQL only a
// server's store (AsServer) remembers them, and only while it listens to
// the credentials' notifications (credwatch.go); the TTL then bounds what
// a lost notification could keep.
func WithCredentialTTL(d time.Duration) Option { return func(o *options) { o.credTTL = max(d, 0) } }

// WithManyMatches sets the number of trigram-index matches of a lead list
// past which, on SQLite, the page is got by walking an index of the
// dealer's leads rather than by sorting the matches (default 2,000). Tests
// lower it to reach the walk with few leads.
func WithManyMatches(n int) Option { return func(o *options) { o.manyMatches = n } }

// WithWalkBudget sets how many of the dealer's newest leads, at most, the
// walk of many matches tests row by row for one page (default 4,000); 0
// turns the walk off, and such pages come from the trigram index.
func WithWalkBudget(n int) Option { return func(o *options) { o.walkBudget = max(n, 0) } }
