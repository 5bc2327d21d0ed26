package store

import (
	"context"
	"database/sql"

	"testing"

	"github.com/pressly/goose/v3"

	"forecourt/internal/core"
)

// LeadQueries returns the queries FindLeads runs for q on dealers in q's
// order, a 20-lead page and the count, bound for s's engine, and their
// arguments (the page's last two are its LIMIT and OFFSET).
func LeadQueries(s *Store, dealers []int64, q core.Query) (page, count string, pageArgs, countArgs []any) {
	c := s.reader(context.Background())
	p, err := planLeads(c, dealers, q)
	if err != nil {
		panic(err)
	}
	order := c.orderBy(&p.table, q.Sort, false)
	limit, largs := c.page(core.Page{Limit: 20})
	return c.bind(`SELECT id FROM ` + p.from(c, p.where) + order + limit), c.bind(`SELECT count(*) FROM leads WHERE ` + p.where),
		append(append([]any{}, p.args...), largs...), p.args
}

// leadQuery returns the checked query of where (ANDed), for the internal
// tests.
func leadQuery(t testing.TB, where ...core.Cond) core.Query {
	t.Helper()
	q := core.Query{Where: core.And(where...), Limit: 20, Total: true}
	if err := core.LeadSchema.Check(&q); err != nil {
		t.Fatal(err)
	}
	return q
}

// Migrator returns the provider of engine's migrations (SQL and Go) on
// db, as the store applies them.
func Migrator(engine string, db *sql.DB) (*goose.Provider, error) { return migrator(engine, db) }

// FindLeadsByIndex is FindLeads without the walk of many matches: its
// pages come from the trigram index.
func FindLeadsByIndex(ctx context.Context, s *Store, dealers []int64, q core.Query) ([]core.Lead, int, error) {
	return s.findLeads(ctx, dealers, q, false)
}

// WalkedPages is the number of pages walkMatches answered on s.
func WalkedPages(s *Store) int64 { return s.walkedPages.Load() }

// ExecWrite runs one statement through s's writer, as a write that may
// change leads (the trigram index takes what waits first).
func ExecWrite(s *Store, query string, args ...any) error {
	return s.write(context.Background(), func(c conn) error {
		_, err := c.exec(query, args...)
		return err
	})
}

// WriteThen runs one statement through s's write path under ctx, then
// calls after, still inside the write, before it commits.
func WriteThen(ctx context.Context, s *Store, after func(), query string, args ...any) error {
	return s.write(ctx, func(c conn) error {
		if _, err := c.exec(query, args...); err != nil {
			return err
		}
		after()
		return nil
	})
}

// OnCacheLoad makes every cached read of s run fn after it has read the
// database and before it caches what it read.
func OnCacheLoad(s *Store, fn func()) { s.cacheLoaded = fn }

// SearchTexts returns lead id's search_text as stored and as
// leadSearchText makes it of the lead loaded whole.
func SearchTexts(s *Store, id int64) (stored, whole string, err error) {
	err = s.readTx(context.Background(), func(c conn) error {
		if err := c.row(`SELECT search_text FROM leads WHERE id = ?`, id).Scan(&stored); err != nil {
			return err
		}
		ls, err := loadLeads(c, []int64{id}, wholeLead)
		if err == nil && len(ls) == 1 {
			whole = leadSearchText(&ls[0])
		}
		return err
	})
	return stored, whole, err
}

// IDSequence is idSequence, for TestIDSequences.
var IDSequence = idSequence

// CredentialWaiters counts the callers waiting for the read of the
// credential hash under way (see ttlMap.fill); 0 when none is.
func CredentialWaiters(s *Store, hash string) int {
	s.cache.creds.mu.Lock()
	defer s.cache.creds.mu.Unlock()
	if f := s.cache.creds.flights[hash]; f != nil {
		return f.waiters
	}
	return 0
}

// SetCommonAt sets how many vehicles make a value common (commonAt) until
// the returned func restores it.
func SetCommonAt(n int) func() {
	was := commonAt
	commonAt = n
	return func() { commonAt = was }
}
