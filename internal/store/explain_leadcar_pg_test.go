package store_test

import (
	"slices"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
)

// TestExplainLeadCarListPostgres: on PostgreSQL, a saleleads list with a
// q on the car's make, model, plate or VIN as Walcu translates it (the
// lead's vehicle's field OR a further car's in the Ext) reads the
// vehicles that hold it through their index (vehicles_make, _model,
// _plate, _vin, migration 0051), their leads through leads.vehicle_id's
// index, OR-ed with the leads leads_ext_gin finds: a bitmap OR of
// indexes, then a sort of those matches, not a walk of the dealer's leads.
//
//	Limit -> Sort -> Bitmap Heap Scan on leads
//	  -> BitmapOr
//	       -> Bitmap Index Scan on leads_vehicle_id_key (vehicle_id = ANY ($0))
//	       -> Bitmap Index Scan on leads_ext_gin
//	  InitPlan: Index Only Scan using vehicles_plate on vehicles v
func TestExplainLeadCarListPostgres(t *testing.T) {
	s, f := seededPostgres(t)
	for _, lc := range []struct{ field, vehicle, value string }{
		{"make", "vehicle.make", "Cupra"},
		{"model", "vehicle.model", "Sandero"},
		{"license_plate", "vehicle.plate", "0042K000"},
		{"vin", "vehicle.vin", "VSSZZZ00000000042"},
	} {
		name := "ext.walcu.car_list.car." + lc.field
		ext := map[string]core.FieldSpec{name: {Type: core.TypeText, Path: "walcu.car_list[].car." + lc.field, Further: true}}
		q := core.Query{Where: core.And(core.Eq("kind", "sale"), core.Or(core.Eq(lc.vehicle, lc.value), core.Eq(name, lc.value))),
			Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 51, Ext: ext}
		sc, err := core.LeadSchema.WithExt(ext)
		check(t, err, "schema")
		check(t, sc.Check(&q), "check")
		page, _, args, _ := store.LeadQueries(s, []int64{f.Dealer.ID}, q)
		plan := pgPlan(t, s, page, args...)
		t.Logf("%s:\n%s", lc.field, plan)
		index := "vehicles_" + strings.TrimPrefix(lc.vehicle, "vehicle.")
		if !strings.Contains(plan, index) || !strings.Contains(plan, "leads_ext_gin") || !strings.Contains(plan, "BitmapOr") ||
			strings.Contains(plan, "leads_dealer_kind") || strings.Contains(plan, "Seq Scan on leads") {
			t.Errorf("%s: the list does not read %s OR leads_ext_gin:\n%s", lc.field, index, plan)
		}
	}
}

// TestLeadCarCommonPostgres: on PostgreSQL, a make many vehicles hold is
// tested on each lead's own vehicle (no hash of every vehicle of the
// make, read before the first lead), and finds the same leads.
func TestLeadCarCommonPostgres(t *testing.T) {
	s, f := seededPostgres(t)
	name := "ext.walcu.car_list.car.make"
	ext := map[string]core.FieldSpec{name: {Type: core.TypeText, Path: "walcu.car_list[].car.make", Further: true}}
	q := core.Query{Where: core.And(core.Eq("kind", "sale"), core.Or(core.Eq("vehicle.make", "Cupra"), core.Eq(name, "Cupra"))),
		Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 51, Ext: ext}
	sc, err := core.LeadSchema.WithExt(ext)
	check(t, err, "schema")
	check(t, sc.Check(&q), "check")
	ids := func() []int64 {
		ls, _, err := s.FindLeads(ctx, []int64{f.Dealer.ID}, q)
		check(t, err, "find")
		var out []int64
		for _, l := range ls {
			if l.Vehicle == nil || l.Vehicle.Make != "Cupra" {
				t.Errorf("lead %d of make Cupra: %+v", l.ID, l.Vehicle)
			}
			out = append(out, l.ID)
		}
		return out
	}
	rare := ids()
	restore := store.SetCommonAt(5) // of 1,500 seeded leads, a make has ~125
	defer restore()
	page, _, args, _ := store.LeadQueries(s, []int64{f.Dealer.ID}, q)
	plan := pgPlan(t, s, page, args...)
	t.Log(plan)
	// (on 1,500 leads PostgreSQL reads them all and sorts; on 100,000 it
	// walks leads_dealer_created newest first: docs/benchmarks.md)
	if strings.Contains(plan, "hashed") || !strings.Contains(plan, "Index Cond: (id = leads.vehicle_id)") {
		t.Errorf("a common make is not tested on each lead's own vehicle:\n%s", plan)
	}
	if common := ids(); len(rare) == 0 || !slices.Equal(common, rare) {
		t.Errorf("a common make found %v, a rare one %v", common, rare)
	}
}
