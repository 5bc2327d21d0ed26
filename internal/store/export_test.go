package store

import (
	"context"
	"io/fs"

	"forecourt/internal/core"
)

// LeadQueries returns the queries FindLeads runs for f in the default
// order, a 20-lead page and the count, bound for s's engine, and their
// arguments (the page's last two are its LIMIT and OFFSET).
func LeadQueries(s *Store, f core.LeadFilter) (page, count string, pageArgs, countArgs []any) {
	c := s.reader(context.Background())
	where, args, _ := leadWhere(c, f)
	order, _ := leadOrder(c.pg, f.Sort, false)
	limit, largs := c.page(core.Page{Limit: 20})
	return c.bind(`SELECT id FROM leads WHERE ` + where + order + limit), c.bind(`SELECT count(*) FROM leads WHERE ` + where),
		append(append([]any{}, args...), largs...), args
}

// Migrations returns the migrations of engine, as the store applies them.
func Migrations(engine string) fs.FS {
	sub, err := fs.Sub(migrations, "migrations/"+engine)
	if err != nil {
		panic(err)
	}
	return sub
}

// FindLeadsByIndex is FindLeads without the walk of many matches: its
// pages come from the trigram index.
func FindLeadsByIndex(ctx context.Context, s *Store, f core.LeadFilter) ([]core.Lead, int, error) {
	return s.findLeads(ctx, f, false)
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
