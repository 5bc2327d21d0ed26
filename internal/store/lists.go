package store

import (
	"context"
	"database/sql"
	"slices"

	"forecourt/internal/core"
)

// The lists of every entity but leads (find.go): a core.Query compiled on
// the entity's table (tables.go), within a scope the caller gives.

// findPage runs q on t's table within scope (a condition on the table and
// its arguments, e.g. the principal's dealers): the page in q's order and,
// when q.Total, the number of matches, on one snapshot. load reads the rows
// a WHERE/ORDER BY/LIMIT tail selects.
func findPage[T any](s *Store, ctx context.Context, t *tableSQL, scope string, scopeArgs []any, q core.Query,
	load func(c conn, tail string, args ...any) ([]T, error)) ([]T, int, error) {
	return findPageIn(s.readTx, ctx, t, scope, scopeArgs, q, load)
}

// findPageIn is findPage with its reads run by read (a read transaction,
// or each statement on its own).
func findPageIn[T any](read func(context.Context, func(conn) error) error, ctx context.Context, t *tableSQL, scope string, scopeArgs []any, q core.Query,
	load func(c conn, tail string, args ...any) ([]T, error)) ([]T, int, error) {
	var out []T
	total := -1
	err := read(ctx, func(c conn) error {
		where, args, err := c.scoped(t, scope, scopeArgs, q)
		if err != nil {
			return err
		}
		if q.Total {
			var err error
			if total, err = c.count(`SELECT count(*) FROM `+t.table+` WHERE `+where, args...); err != nil {
				return err
			}
		}
		if q.Limit == 0 {
			return nil
		}
		if q.Keyset != nil {
			ids, next, err := c.keysetIDs(t, where, args, q.Sort, q.Keyset.After, q.Limit)
			if err != nil || len(ids) == 0 {
				return err
			}
			q.Keyset.Next = next
			out, err = load(c, `WHERE id IN `+in(len(ids))+c.orderBy(t, q.Sort, false), anys(ids)...)
			return err
		}
		limit, largs := c.page(core.Page{Offset: q.Offset, Limit: q.Limit})
		out, err = load(c, `WHERE `+where+c.orderBy(t, q.Sort, false)+limit, append(args, largs...)...)
		return err
	})
	if err != nil {
		return nil, 0, dbError(err, "find "+t.schema.Entity+"s", t.schema.Entity, "")
	}
	return out, total, nil
}

// scoped returns the WHERE condition of q on t's table within scope, and
// its arguments.
func (c conn) scoped(t *tableSQL, scope string, scopeArgs []any, q core.Query) (string, []any, error) {
	where, args := scope, slices.Clip(scopeArgs)
	if !q.Where.IsZero() {
		cond, a, _, err := c.where(t, q.Where, q.At)
		if err != nil {
			return "", nil, err
		}
		where, args = where+" AND "+cond, append(args, a...)
	}
	return where, args, nil
}

// groupPage counts the rows of t's table within scope that q selects, per
// value of q.GroupBy.
func groupPage(s *Store, ctx context.Context, t *tableSQL, scope string, scopeArgs []any, q core.Query) ([]core.Group, error) {
	var out []core.Group
	err := s.readTx(ctx, func(c conn) error {
		where, args, err := c.scoped(t, scope, scopeArgs, q)
		if err != nil {
			return err
		}
		out, err = groupRows(c, t, q.GroupBy, t.table+` WHERE `+where, args)
		return err
	})
	return out, dbError(err, "group "+t.schema.Entity+"s", t.schema.Entity, "")
}

// inScope is the condition "column IN (ids)" and its arguments.
func inScope(column string, ids []int64) (string, []any) {
	return column + " IN " + in(len(ids)), anys(ids)
}

// FindClients implements core.Store.FindClients for the clients of dealers.
func (s *Store) FindClients(ctx context.Context, dealers []int64, q core.Query) ([]core.Client, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	t, err := clientTable.withClientExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	scope, args := inScope("dealer_id", dealers)
	return findPageOne(s, ctx, &t, scope, args, q, func(c conn, tail string, args ...any) ([]core.Client, error) {
		return queryAll(c, `SELECT `+clientCols+` FROM clients `+tail, args, func(r *sql.Rows, cl *core.Client) error { return scanClient(r, cl) })
	})
}

// FindDealers implements core.Store.FindDealers among the dealers ids.
func (s *Store) FindDealers(ctx context.Context, ids []int64, q core.Query) ([]core.Dealer, int, error) {
	if ids = core.DistinctIDs(ids); len(ids) == 0 {
		return nil, 0, nil
	}
	scope, args := inScope("id", ids)
	return findPage(s, ctx, &dealerTable, scope, args, q, loadDealers)
}

// wholeDealer reports whether a list asks for everything of one dealer in
// the default order, the shape that rendering a dealer asks for and the
// cache serves.
func wholeDealer(dealers []int64, q core.Query) (int64, bool) {
	if len(dealers) != 1 || !q.Where.IsZero() || q.Offset != 0 || q.Limit >= 0 || len(q.Sort) != 0 {
		return 0, false
	}
	return dealers[0], true
}

// FindSources implements core.Store.FindSources for the sources of
// dealers; a whole dealer's comes from the cache.
func (s *Store) FindSources(ctx context.Context, dealers []int64, q core.Query) ([]core.Source, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	scope, args := inScope("dealer_id", dealers)
	find := func() ([]core.Source, int, error) { return findPage(s, ctx, &sourceTable, scope, args, q, loadSources) }
	if id, whole := wholeDealer(dealers, q); whole {
		v, err := cached(s.cache.dealerSources, id, func() ([]core.Source, error) { v, _, err := find(); return v, err }, s.cacheLoaded)
		return v, len(v), err
	}
	return find()
}

// FindUsers implements core.Store.FindUsers for the members of dealers; a
// whole dealer's come from the cache.
func (s *Store) FindUsers(ctx context.Context, dealers []int64, q core.Query) ([]core.User, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	find := func() ([]core.User, int, error) {
		return findPage(s, ctx, &userTable, `id IN (SELECT user_id FROM memberships WHERE dealer_id IN `+in(len(dealers))+`)`,
			anys(dealers), q, loadUsers)
	}
	if id, whole := wholeDealer(dealers, q); whole {
		v, err := cached(s.cache.dealerUsers, id, func() ([]core.User, error) { v, _, err := find(); return v, err }, s.cacheLoaded)
		return v, len(v), err
	}
	return find()
}

// FindProvinces implements core.Store.FindProvinces.
func (s *Store) FindProvinces(ctx context.Context, q core.Query) ([]core.Province, int, error) {
	return findPage(s, ctx, &provinceTable, "1 = 1", nil, q, loadProvinces)
}

// FindLocalities implements core.Store.FindLocalities.
func (s *Store) FindLocalities(ctx context.Context, q core.Query) ([]core.Locality, int, error) {
	return findPage(s, ctx, &localityTable, "1 = 1", nil, q, loadLocalities)
}
