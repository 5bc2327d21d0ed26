package store

import (
	"context"

	"forecourt/internal/core"
)

// findPageOne is findPage for a load that reads its rows in one statement
// (appointments, documents, clients): a page that asks for no total and
// no keyset is then that one statement, which is its own snapshot, run
// without a read transaction around it (on PostgreSQL, two round trips
// fewer: BEGIN and ROLLBACK). Walcu reads three such lists for every page
// of leads (their appointments, their tasks' documents, their clients).
func findPageOne[T any](s *Store, ctx context.Context, t *tableSQL, scope string, scopeArgs []any, q core.Query,
	load func(c conn, tail string, args ...any) ([]T, error)) ([]T, int, error) {
	if q.Total || q.Keyset != nil {
		return findPage(s, ctx, t, scope, scopeArgs, q, load)
	}
	return findPageIn(s.readDirect, ctx, t, scope, scopeArgs, q, load)
}
