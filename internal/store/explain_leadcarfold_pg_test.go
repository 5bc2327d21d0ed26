package store_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
)

// TestExplainLeadCarListFoldPostgres: on PostgreSQL, WQL's car.make:seat
// (case aside, core.Cond.Fold) reads the vehicles' index of the
// lower-cased make (vehicles_make, _model, _plate, _vin, migration 0053)
// and their leads, OR the leads whose car_list has a further car
// (leads_further_cars, 0053: equality case aside cannot be containment
// in leads_ext_gin), each evaluated once: a bitmap OR, then a sort of the
// matches, not a walk of the dealer's leads; in the custom plan and in
// the generic one (pgx prepares its statements), on statistics as a
// migrated, analysed database has them. q's exact condition still reads
// the lower-cased index and leads_ext_gin.
//
//	Limit -> Sort -> Bitmap Heap Scan on leads
//	  -> BitmapOr
//	       -> Bitmap Index Scan on leads_vehicle_id_key (vehicle_id = ANY ($0))
//	       -> Bitmap Index Scan on leads_pkey (id = ANY ($1))
//	  InitPlan: Index Scan using vehicles_make on vehicles v (lower(make) = 'cupra')
//	  InitPlan: Bitmap Index Scan on leads_further_cars …
func TestExplainLeadCarListFoldPostgres(t *testing.T) {
	s, f := seededPostgres(t)
	if _, err := s.DB().ExecContext(ctx, "ANALYZE vehicles"); err != nil {
		t.Fatal(err)
	}
	conn, err := s.DB().Conn(ctx)
	check(t, err, "conn")
	defer conn.Close()
	for _, lc := range []struct{ field, vehicle, value string }{
		{"make", "vehicle.make", "cupra"},
		{"model", "vehicle.model", "SANDERO"},
		{"license_plate", "vehicle.plate", "0042k000"},
		{"vin", "vehicle.vin", "vsszzz00000000042"},
	} {
		for _, folded := range []bool{true, false} {
			q := leadCarPGQuery(t, lc.vehicle, lc.field, lc.value, folded)
			page, _, args, _ := store.LeadQueries(s, []int64{f.Dealer.ID}, q)
			further := "leads_further_cars"
			if !folded {
				further = "leads_ext_gin"
			}
			index := "vehicles_" + strings.TrimPrefix(lc.vehicle, "vehicle.")
			for _, mode := range []string{"custom", "generic"} {
				plan := pgPlanOn(t, conn, page, args...)
				if mode == "generic" {
					plan = pgGenericPlan(t, conn, page, args...)
				}
				t.Logf("%s fold %v %s:\n%s", lc.field, folded, mode, plan)
				if !strings.Contains(plan, index) || !strings.Contains(plan, further) || !strings.Contains(plan, "BitmapOr") ||
					strings.Contains(plan, "leads_dealer_kind") || strings.Contains(plan, "Seq Scan on leads") || strings.Contains(plan, "Seq Scan on vehicles") {
					t.Errorf("%s fold %v %s: the list does not read %s OR %s:\n%s", lc.field, folded, mode, index, further, plan)
				}
			}
			ls, _, err := s.FindLeads(ctx, []int64{f.Dealer.ID}, q)
			check(t, err, "find")
			if folded == (len(ls) == 0) {
				t.Errorf("%s = %q fold %v: %d leads", lc.field, lc.value, folded, len(ls))
			}
		}
	}
}

// leadCarPGQuery is the query of Walcu's saleleads list, newest first,
// with car_list.car.<field> equal to value, case aside when fold (WQL) or
// not (q): the lead's vehicle's field OR a further car's in the Ext.
func leadCarPGQuery(t *testing.T, vehicleField, field, value string, fold bool) core.Query {
	t.Helper()
	name := "ext.walcu.car_list.car." + field
	ext := map[string]core.FieldSpec{name: {Type: core.TypeText, Path: "walcu.car_list[].car." + field, Further: true}}
	eq := func(field string) core.Cond { return core.Cond{Op: core.OpEq, Field: field, Value: value, Fold: fold} }
	q := core.Query{Where: core.And(core.Eq("kind", "sale"), core.Or(eq(vehicleField), eq(name))),
		Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 51, Ext: ext}
	sc, err := core.LeadSchema.WithExt(ext)
	check(t, err, "schema")
	check(t, sc.Check(&q), "check")
	return q
}

// pgGenericPlan is PostgreSQL's generic plan of query (placeholders $n),
// the plan a prepared statement (pgx prepares every statement) may run
// with whatever arguments: planned without args' values, which the
// EXECUTE then binds.
func pgGenericPlan(t testing.TB, conn *sql.Conn, query string, args ...any) string {
	t.Helper()
	name := fmt.Sprintf("generic_q%d", prepared.Add(1))
	for _, stmt := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE " + name + " AS " + query} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	defer conn.ExecContext(ctx, "RESET plan_cache_mode")
	defer conn.ExecContext(ctx, "DEALLOCATE "+name)
	plan := pgPlanOn(t, conn, "EXECUTE "+name+"("+sqlLiterals(args)+")")
	if !strings.Contains(plan, "$1") {
		t.Fatalf("not a generic plan:\n%s", plan)
	}
	return plan
}
