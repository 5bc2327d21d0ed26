package store

import (
	"context"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// foldQuery is q with every equality on the car's fields comparing case
// aside, as Walcu's WQL asks (core.Cond.Fold).
func foldQuery(t testing.TB, q core.Query) core.Query {
	t.Helper()
	var fold func(c core.Cond) core.Cond
	fold = func(c core.Cond) core.Cond {
		for i := range c.And {
			c.And[i] = fold(c.And[i])
		}
		for i := range c.Or {
			c.Or[i] = fold(c.Or[i])
		}
		if c.Op == core.OpEq && c.Field != "kind" {
			c.Fold = true
		}
		return c
	}
	q.Where = fold(q.Where)
	sc, err := core.LeadSchema.WithExt(q.Ext)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Check(&q); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestExplainLeadCarListFold: on SQLite, WQL's car.make:seat (case aside)
// reads the same indexes as q's exact make: the vehicles' index of the
// lower-cased make (vehicles_make, _model, _plate, _vin of the fold
// columns make_fold…, migration 0055; 0053's were expressions),
// OR the leads with further cars (leads_further_cars), then sorts those
// matches; q's exact condition reads the same index (the lower-cased
// value) and compares the make as written on the vehicles it finds.
func TestExplainLeadCarListFold(t *testing.T) {
	s, dealerID := seededPlanStore(t)
	c := s.reader(context.Background())
	for _, lc := range leadCarQueries {
		for _, folded := range []bool{true, false} {
			q := leadCarQuery(t, lc.field, lc.vehicle, strings.ToLower(lc.value))
			if folded {
				q = foldQuery(t, q)
			}
			p, err := planLeads(c, []int64{dealerID}, q)
			if err != nil {
				t.Fatal(err)
			}
			limit, largs := c.page(core.Page{Limit: q.Limit})
			plan := queryPlan(t, s.read, "SELECT id FROM leads WHERE "+p.where+c.orderBy(&p.table, q.Sort, false)+limit, append(p.args, largs...)...)
			t.Logf("%s fold %v: %s", lc.field, folded, plan)
			index := "vehicles_" + strings.TrimPrefix(lc.vehicle, "vehicle.")
			if !strings.Contains(plan, "MULTI-INDEX OR") || !strings.Contains(plan, "INDEX "+index+" ("+foldColumn(strings.TrimPrefix(lc.vehicle, "vehicle."))+"=?)") ||
				!strings.Contains(plan, "SCAN leads USING INDEX leads_further_cars") || strings.Contains(plan, "leads_dealer_kind_created") {
				t.Errorf("%s fold %v: the list does not read %s and leads_further_cars: %s", lc.field, folded, index, plan)
			}
			// the answer: the seeded leads of that value, in any case
			ls, _, err := s.FindLeads(context.Background(), []int64{dealerID}, q)
			if err != nil {
				t.Fatal(err)
			}
			if folded == (len(ls) == 0) {
				t.Errorf("%s = %q, fold %v: %d leads", lc.field, strings.ToLower(lc.value), folded, len(ls))
			}
		}
	}
}
