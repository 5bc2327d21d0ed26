package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
)

// TestExplainWalcuListPostgres: on PostgreSQL, a Walcu list of saleleads
// with a q on the status (and on a nested field kept in Ext), newest first,
// 50 a page, reads leads_dealer_kind_stage_created (migration 0027)
// in its order (newest first) under its Limit, not a Sort of every lead of the status:
//
//	Limit
//	  -> Index Scan using leads_dealer_kind_stage_created on leads
//	       Index Cond: ((dealer_id = 1) AND (kind = 'sale') AND (stage_rank = 0))
func TestExplainWalcuListPostgres(t *testing.T) {
	s, f := seededPostgres(t)
	ext := map[string]core.FieldSpec{"ext.walcu.origin.medium": {Type: core.TypeText, Path: "walcu.origin.medium"}}
	for name, where := range map[string]core.Cond{
		"status":         core.And(core.Eq("kind", "sale"), core.Eq("stage", core.StageNew)),
		"status and Ext": core.And(core.Eq("kind", "sale"), core.Eq("stage", core.StageNew), core.Cond{Op: core.OpNe, Field: "ext.walcu.origin.medium", Value: "fax"}),
	} {
		q := core.Query{Where: where, Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 51, Ext: ext}
		sc, err := core.LeadSchema.WithExt(ext)
		check(t, err, "schema")
		check(t, sc.Check(&q), "check")
		page, _, args, _ := store.LeadQueries(s, []int64{f.Dealer.ID}, q)
		plan := pgPlan(t, s, page, args...)
		t.Logf("%s:\n%s", name, plan)
		if !strings.Contains(plan, "Scan using leads_dealer_kind_stage_created") || strings.Contains(plan, "Sort") {
			t.Errorf("%s: the page does not walk leads_dealer_kind_stage_created:\n%s", name, plan)
		}
	}

	// A car's plate (in an array of the Ext): containment, which
	// leads_ext_gin (migration 0028) serves, then a sort of its matches.
	plate := map[string]core.FieldSpec{"ext.walcu.car_list.car.license_plate": {Type: core.TypeText, Path: "walcu.car_list[].car.license_plate"}}
	q := core.Query{Where: core.And(core.Eq("kind", "sale"), core.In("ext.walcu.car_list.car.license_plate", "1234ABC", "5678DEF")),
		Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 51, Ext: plate}
	sc, err := core.LeadSchema.WithExt(plate)
	check(t, err, "schema")
	check(t, sc.Check(&q), "check")
	page, _, args, _ := store.LeadQueries(s, []int64{f.Dealer.ID}, q)
	plan := pgPlan(t, s, page, args...)
	t.Logf("plate:\n%s", plan)
	if !strings.Contains(plan, "leads_ext_gin") {
		t.Errorf("a condition on the plate does not read leads_ext_gin:\n%s", plan)
	}
}

// pgPlan is PostgreSQL's plan of query on s: EXPLAIN's lines.
func pgPlan(t testing.TB, s *store.Store, query string, args ...any) string {
	t.Helper()
	return pgPlanOn(t, s.DB(), query, args...)
}

// pgPlanOn is PostgreSQL's plan of query on db (a pool, or one connection
// with its session's settings).
func pgPlanOn(t testing.TB, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
