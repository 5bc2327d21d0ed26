package store_test

import (
	"context"
	"database/sql"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestMigration51DownAndUp: migration 0051 gives the leads' vehicles
// their make, model, plate and VIN, on both engines: down, they are Walcu's
// Ext again (car_list[0].car); up, the vehicle takes them from there
// while they still make its brand_model (else brand_model cut at its
// first space, as a rename by SML before the migration left it), and they
// leave the Ext, whose further cars and other fields stay.
func TestMigration51DownAndUp(t *testing.T) {
	ctx := context.Background()
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "one")
			ext := map[string]string{"walcu.car_list": `[{"car":{"color":"red"}},{"car":{"make":"Kia","model":"Ceed"}}]`, "walcu.custom": `"vip"`}
			kept, renamed := f.Lead(1), f.Lead(2)
			for _, l := range []*core.Lead{&kept, &renamed} {
				l.Kind, l.Ext = core.LeadSale, ext
				l.Vehicle = &core.Vehicle{BrandModel: "Land Rover Defender", Make: "Land Rover", Model: "Defender", Plate: "1234ABC", VIN: "SALLDHMV7GA000001"}
				if err := s.CreateLead(ctx, l, nil); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			migrateDownTo(t, engine, dsn, 50, func(db *sql.DB) {
				// SML renames one before the migration: Walcu's copy stays
				if _, err := db.Exec(`UPDATE vehicles SET brand_model = 'Toyota Yaris Cross' WHERE id = ` + itoa(renamed.Vehicle.ID)); err != nil {
					t.Fatal(err)
				}
			})
			s = openAt(t, dsn)
			defer s.Close()
			for _, c := range []struct {
				id                 int64
				brand, make, model string
			}{{kept.ID, "Land Rover Defender", "Land Rover", "Defender"}, {renamed.ID, "Toyota Yaris Cross", "Toyota", "Yaris Cross"}} {
				l, err := s.Lead(ctx, c.id)
				if err != nil {
					t.Fatal(err)
				}
				v := l.Vehicle
				if v.BrandModel != c.brand || v.Make != c.make || v.Model != c.model || v.Plate != "1234ABC" || v.VIN != "SALLDHMV7GA000001" {
					t.Errorf("lead %d's vehicle after the migration: %+v", c.id, *v)
				}
				if got := l.Ext["walcu.car_list"]; got != `[{"car":{"color":"red"}},{"car":{"make":"Kia","model":"Ceed"}}]` {
					t.Errorf("lead %d's car_list after the migration: %s", c.id, got)
				}
				if l.Ext["walcu.custom"] != `"vip"` {
					t.Errorf("lead %d's Ext after the migration: %v", c.id, l.Ext)
				}
			}
		})
	}
}

// TestMigration52Analyzes: on PostgreSQL, migration 0052 gathers the
// statistics of the vehicles' columns 0051 added when the database holds
// vehicles, so that a rare make is read from its index at once, not
// guessed at 0.5 % of the vehicles (docs/benchmarks.md).
func TestMigration52Analyzes(t *testing.T) {
	dsn, ok := engineDSNs(t)[store.Postgres]
	if !ok {
		t.Skip("no PostgreSQL: " + testkit.PostgresEnv + " unset")
	}
	ctx := context.Background()
	s := openAt(t, dsn)
	f := testkit.NewFixture(t, s, "one")
	l := f.Lead(1)
	l.Vehicle = &core.Vehicle{BrandModel: "Cupra Born"}
	if err := s.CreateLead(ctx, &l, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// down to 0051, its vehicles never analysed, then up to 0052 again
	migrateDownTo(t, store.Postgres, dsn, 51, func(*sql.DB) {})
	openAt(t, dsn).Close()
	migrateDownTo(t, store.Postgres, dsn, 52, func(db *sql.DB) {
		if n := countRows(t, db, `SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'vehicles' AND attname = 'make'`); n != 1 {
			t.Errorf("statistics of vehicles.make after migration 0052: %d rows, want 1", n)
		}
	})
}
