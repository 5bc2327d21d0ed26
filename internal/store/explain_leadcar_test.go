package store

import (
	"context"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// leadCarQuery is the query of Walcu's GET /saleleads?q={"car_list.car.
// <field>": value}&sort=-created_at&limit=50 as Walcu translates it
// (walcu/leadcar.go): the lead's vehicle's field (the first car) OR a
// further car's in the Ext.
func leadCarQuery(t testing.TB, field, vehicleField, value string) core.Query {
	t.Helper()
	name := "ext.walcu.car_list.car." + field
	ext := map[string]core.FieldSpec{name: {Type: core.TypeText, Path: "walcu.car_list[].car." + field, Further: true}}
	q := core.Query{Where: core.And(core.Eq("kind", "sale"), core.Or(core.Eq(vehicleField, value), core.Eq(name, value))),
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

// leadCarQueries are a list's conditions on a car's make, model, plate
// and VIN.
var leadCarQueries = []struct{ field, vehicle, value string }{
	{"make", "vehicle.make", "Cupra"},
	{"model", "vehicle.model", "Sandero"},
	{"license_plate", "vehicle.plate", "0042K000"},
	{"vin", "vehicle.vin", "VSSZZZ00000000042"},
}

// TestExplainLeadCarList: on SQLite, a saleleads list with a q on the
// car's make, model, plate or VIN reads the vehicles that hold it through
// their index (vehicles_make, _model, _plate, _vin, migration 0051) and
// their leads through leads.vehicle_id, OR the leads with further cars
// (the partial index leads_further_cars, which holds those alone), then
// sorts those matches: it does not walk the dealer's leads
// (leads_dealer_kind_created) testing each.
//
//	MULTI-INDEX OR
//	  INDEX 1: LIST SUBQUERY: SEARCH v USING COVERING INDEX vehicles_plate (plate=?)
//	           SEARCH leads USING INDEX sqlite_autoindex_leads_2 (vehicle_id=?)
//	  INDEX 2: LIST SUBQUERY: SCAN leads USING INDEX leads_further_cars …
//	           SEARCH leads USING INTEGER PRIMARY KEY (rowid=?)
//	USE TEMP B-TREE FOR ORDER BY
func TestExplainLeadCarList(t *testing.T) {
	s, dealerID := seededPlanStore(t)
	c := s.reader(context.Background())
	for _, lc := range leadCarQueries {
		q := leadCarQuery(t, lc.field, lc.vehicle, lc.value)
		p, err := planLeads(c, []int64{dealerID}, q)
		if err != nil {
			t.Fatal(err)
		}
		limit, largs := c.page(core.Page{Limit: q.Limit})
		plan := queryPlan(t, s.read, "SELECT id FROM leads WHERE "+p.where+c.orderBy(&p.table, q.Sort, false)+limit, append(p.args, largs...)...)
		t.Logf("%s: %s", lc.field, plan)
		index := "vehicles_" + strings.TrimPrefix(lc.vehicle, "vehicle.")
		if !strings.Contains(plan, "MULTI-INDEX OR") || !strings.Contains(plan, index) || !strings.Contains(plan, "SCAN leads USING INDEX leads_further_cars") ||
			strings.Contains(plan, "leads_dealer_kind_created") {
			t.Errorf("%s: the list does not read %s and leads_further_cars: %s", lc.field, index, plan)
		}
	}
}

// TestExplainLeadCarListCommon: a make most cars are of (commonAt of them
// or more) is tested on each lead's own vehicle as the list walks its
// order (leads_dealer_kind_created, newest first) and stops at the page's
// end: reading every lead of that make and sorting them would cost more.
func TestExplainLeadCarListCommon(t *testing.T) {
	s, dealerID := seededPlanStore(t)
	c := s.reader(context.Background())
	was := commonAt
	commonAt = 5 // of the 300 seeded leads, a make has ~25
	defer func() { commonAt = was }()
	q := leadCarQuery(t, "make", "vehicle.make", "Cupra")
	p, err := planLeads(c, []int64{dealerID}, q)
	if err != nil {
		t.Fatal(err)
	}
	limit, largs := c.page(core.Page{Limit: q.Limit})
	plan := queryPlan(t, s.read, "SELECT id FROM leads WHERE "+p.where+c.orderBy(&p.table, q.Sort, false)+limit, append(p.args, largs...)...)
	t.Log(plan)
	if !strings.Contains(plan, "leads_dealer_kind_created") || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "vehicles_make") {
		t.Errorf("a common make does not walk the list's order: %s", plan)
	}
	// the same leads either way
	ids := func() []int64 {
		ls, _, err := s.FindLeads(context.Background(), []int64{dealerID}, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, l := range ls {
			if l.Vehicle == nil || l.Vehicle.Make != "Cupra" {
				t.Errorf("lead %d of make Cupra: %+v", l.ID, l.Vehicle)
			}
			out = append(out, l.ID)
		}
		return out
	}
	common := ids()
	commonAt = was
	if rare := ids(); len(common) == 0 || !slices.Equal(common, rare) {
		t.Errorf("a common make found %v, a rare one %v", common, rare)
	}
}
