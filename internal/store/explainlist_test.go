package store

import (
	"context"
	"strconv"
	"testing"

	"forecourt/internal/core"
)

// seededPlanStore is a SQLite store holding a dealer's 300 seeded leads,
// the planner's statistics refreshed: what the lists' EXPLAIN tests read.
func seededPlanStore(t *testing.T) (*Store, int64) {
	t.Helper()
	s := openTestSQLite(t)
	dealerID, sourceID := seedDealer(t, s)
	if err := SeedLeads(context.Background(), s, dealerID, sourceID, 300); err != nil {
		t.Fatal(err)
	}
	s.optimize()
	return s, dealerID
}

// listPlan is SQLite's plan of the page of tab's ids that q (checked
// against tab's schema here) selects in scope, as the store's lists read
// it: its conditions, its order and its limit.
func listPlan(t *testing.T, s *Store, tab *tableSQL, scope string, args []any, q core.Query) string {
	t.Helper()
	if err := tab.schema.Check(&q); err != nil {
		t.Fatal(err)
	}
	c := s.reader(context.Background())
	cond, cargs, err := c.scoped(tab, scope, args, q)
	if err != nil {
		t.Fatal(err)
	}
	return queryPlan(t, s.read, "SELECT id FROM "+tab.table+" WHERE "+cond+c.orderBy(tab, q.Sort, false)+" LIMIT "+strconv.Itoa(q.Limit), cargs...)
}
