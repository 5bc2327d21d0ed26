package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// walcuListQuery is the query of Walcu's GET /saleleads?q={"status.status":
// "new", …}&sort=-created_at&limit=50 (a page of 51, to tell whether more
// follow), with more conditions ANDed.
func walcuListQuery(t testing.TB, more ...core.Cond) core.Query {
	t.Helper()
	ext := map[string]core.FieldSpec{"ext.walcu.origin.medium": {Type: core.TypeText, Path: "walcu.origin.medium"}}
	q := core.Query{Where: core.And(append([]core.Cond{core.Eq("kind", "sale"), core.Eq("stage", core.StageNew)}, more...)...),
		Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 51, Ext: ext}
	sc, err := core.LeadSchema.WithExt(ext)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Check(&q); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestExplainWalcuList: a Walcu list of saleleads with a q on the status
// (and on a nested field kept in Ext, or the assigned user), newest first,
// 50 a page, reads leads_dealer_kind_stage_created (migration 0027) from
// its newest end and stops at the page's end: no sort of every lead of
// the status (no TEMP B-TREE), with the planner's statistics as the
// writer keeps them.
//
//	SEARCH leads USING INDEX leads_dealer_kind_stage_created (dealer_id=? AND kind=? AND stage_rank=?)
func TestExplainWalcuList(t *testing.T) {
	s := openTestSQLite(t)
	ctx := context.Background()
	dealerID, sourceID := seedDealer(t, s)
	if err := SeedLeads(ctx, s, dealerID, sourceID, 1500); err != nil {
		t.Fatal(err)
	}
	s.optimize()
	c := s.reader(ctx)
	for name, q := range map[string]core.Query{
		"status":                  walcuListQuery(t),
		"status and Ext":          walcuListQuery(t, core.Cond{Op: core.OpNe, Field: "ext.walcu.origin.medium", Value: "fax"}),
		"status and current user": walcuListQuery(t, core.Cond{Op: core.OpNe, Field: "user", Value: int64(7)}),
	} {
		p, err := planLeads(c, []int64{dealerID}, q)
		if err != nil {
			t.Fatal(err)
		}
		limit, largs := c.page(core.Page{Limit: q.Limit})
		plan := queryPlan(t, s.read, "SELECT id FROM leads WHERE "+p.where+c.orderBy(&p.table, q.Sort, false)+limit, append(p.args, largs...)...)
		t.Logf("%s: %s", name, plan)
		if !strings.Contains(plan, "leads_dealer_kind_stage_created (dealer_id=? AND kind=? AND stage_rank=?)") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: the page does not walk leads_dealer_kind_stage_created: %s", name, plan)
		}
	}
}

// queryPlan is SQLite's plan of query on db: the details of EXPLAIN QUERY
// PLAN's rows, joined by "; ".
func queryPlan(t testing.TB, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "; ")
}
