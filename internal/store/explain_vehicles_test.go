package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestExplainVehicleQueries: Walcu's lists of cars with a q on the plate,
// the VIN, the make and model, or the model read the index of that column
// led by the dealer and kind (migration 0029), never every vehicle of the
// table, on both engines (2,000 stock cars and as many client vehicles of
// two dealers, with statistics):
//
//	SQLite:     SEARCH vehicle_records USING INDEX vehicle_records_plate (dealer_id=? AND kind=? AND plate=?)
//	PostgreSQL: Index Scan using vehicle_records_plate on vehicle_records
func TestExplainVehicleQueries(t *testing.T) {
	ctx := context.Background()
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			defer s.Close()
			a := testkit.NewFixture(t, s, "a")
			b := testkit.NewFixture(t, s, "b")
			makes := []string{"Seat", "Cupra", "Toyota", "Kia", "Renault", "Ford", "Volkswagen", "Skoda"}
			insertVehicleRecords(t, s, 4000, func(i int) vehicleRow {
				dealer, kind := a.Dealer.ID, "stock"
				if i%2 == 1 {
					dealer = b.Dealer.ID
				}
				if i%4 >= 2 {
					kind = "owned"
				}
				return vehicleRow{fmt.Sprintf("v-%d", i), dealer, kind, fmt.Sprintf("%04dABC", i), fmt.Sprintf("VSS%014d", i),
					makes[i%len(makes)], fmt.Sprintf("Model %d", i%97), int64(i)}
			})
			if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
				t.Fatal(err)
			}
			for name, c := range map[string]struct {
				where core.Cond
				index string
			}{
				"plate":       {core.Eq("plate", "0004ABC"), "vehicle_records_plate"},
				"plates":      {core.In("plate", "0004ABC", "0008ABC"), "vehicle_records_plate"},
				"vin":         {core.Eq("vin", "VSS00000000000008"), "vehicle_records_vin"},
				"make, model": {core.And(core.Eq("make", "Seat"), core.Eq("model", "Model 8")), "vehicle_records_make_model"},
				"model":       {core.Eq("model", "Model 8"), "vehicle_records_model"},
			} {
				q := core.Query{Where: core.And(core.Eq("kind", "stock"), c.where), Limit: 51}
				if err := core.VehicleSchema.Check(&q); err != nil {
					t.Fatal(err)
				}
				query, args := store.VehicleQuery(s, []int64{a.Dealer.ID}, q)
				var plan string
				if engine == store.Postgres {
					plan = pgPlan(t, s, query, args...)
				} else {
					plan = store.QueryPlan(t, s.DB(), query, args...)
				}
				t.Logf("%s: %s", name, plan)
				if !strings.Contains(plan, c.index) || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN vehicle_records") {
					t.Errorf("%s does not read %s:\n%s", name, c.index, plan)
				}
			}
		})
	}
}
