package store

import "time"

// Option sets a property of a Store at Open. The defaults are what a
// server runs with; tests change them per store, so that tests running in
// parallel cannot change each other's.
type Option func(*options)

// options are a Store's settings, fixed at Open.
type options struct {
	cacheTTL    time.Duration // reference data, see cache.go
	credTTL     time.Duration // resolved credentials, SQLite only
	manyMatches int           // see FindLeads
	walkBudget  int           // see walkMatches
}

func defaultOptions() options {
	return options{cacheTTL: defaultCacheTTL, credTTL: defaultCredTTL, manyMatches: defaultManyMatches, walkBudget: defaultWalkBudget}
}

// WithCacheTTL sets how long reference data read from the database (dealers,
// sources, origins, channels, fuels, provinces, localities, users) is served
// from memory; 0 reads it every time. The default is 5 s.
func WithCacheTTL(d time.Duration) Option { return func(o *options) { o.cacheTTL = max(d, 0) } }

// WithCredentialTTL sets how long a SQLite store remembers a resolved token
// or API key; 0 reads it every time. The default is 2 s. A PostgreSQL store
// never remembers credentials (another server may revoke them), whatever
// this says.
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
