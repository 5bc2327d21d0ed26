package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestMigration40LinksLeadsToCars: migration 0040 links each existing
// sale lead whose walcu.car_list[0].car_id is the public id of a stock
// car of its own dealer, and no other (another dealer's car, a client's
// vehicle, an unknown id, an appraisal lead naming a car); then the
// links count the car's leads (VehicleRecordLeads, of that dealer only)
// and deleting the car leaves its lead unlinked. On both engines.
func TestMigration40LinksLeadsToCars(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			a := testkit.NewFixture(t, s, "a")
			b := testkit.NewFixture(t, s, "b")
			car := func(f testkit.Fixture, kind core.VehicleKind, plate string) core.VehicleRecord {
				v := core.VehicleRecord{DealerID: f.Dealer.ID, Kind: kind, Plate: plate, Make: "Seat", CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
				check(t, s.AddVehicleRecord(ctx, &v, nil), "add vehicle record")
				return v
			}
			stock, others, owned := car(a, core.VehicleStock, "1111AAA"), car(b, core.VehicleStock, "2222BBB"), car(a, core.VehicleOwned, "3333CCC")
			lead := func(n int, kind core.LeadKind, carID string) core.Lead {
				l := a.Lead(n)
				l.Kind = kind
				if carID != "" {
					l.Ext = map[string]string{"walcu.car_list": `[{"car_id": ` + carID + `, "car": {"make": "Seat"}}, {"car_id": "` + others.PublicID + `"}]`}
				}
				check(t, s.CreateLead(ctx, &l, nil), "create lead")
				return l
			}
			linked := lead(1, core.LeadSale, `"`+stock.PublicID+`"`)
			unlinked := []core.Lead{lead(2, core.LeadSale, `"`+others.PublicID+`"`), lead(3, core.LeadSale, `"`+owned.PublicID+`"`),
				lead(4, core.LeadSale, `"nope"`), lead(5, core.LeadSale, `42`), lead(6, core.LeadAppraisal, `"`+stock.PublicID+`"`), lead(7, core.LeadSale, "")}
			s.Close()
			migrateDownTo(t, engine, dsn, 39, func(db *sql.DB) {})
			s = openAt(t, dsn) // up again: 0040 links them
			defer s.Close()
			got, err := s.Lead(ctx, linked.ID)
			check(t, err, "read the linked lead")
			if got.Vehicle.RecordID == nil || *got.Vehicle.RecordID != stock.ID {
				t.Errorf("the lead naming its dealer's stock car is linked to %v, want %d", got.Vehicle.RecordID, stock.ID)
			}
			for _, l := range unlinked {
				got, err := s.Lead(ctx, l.ID)
				check(t, err, "read a lead")
				if got.Vehicle.RecordID != nil {
					t.Errorf("lead %d (%s, %v) is linked to %d", l.ID, l.Kind, l.Ext, *got.Vehicle.RecordID)
				}
			}
			counts, err := s.VehicleRecordLeads(ctx, a.Dealer.ID, []int64{stock.ID, others.ID, owned.ID})
			check(t, err, "count the cars' leads")
			if len(counts) != 1 || len(counts[stock.ID]) != 1 || counts[stock.ID][0].Kind != core.LeadSale || counts[stock.ID][0].Count != 1 ||
				!counts[stock.ID][0].Last.Equal(linked.CreatedAt) {
				t.Errorf("the cars' leads: %+v", counts)
			}
			if counts, err := s.VehicleRecordLeads(ctx, b.Dealer.ID, []int64{stock.ID}); err != nil || len(counts) != 0 {
				t.Errorf("another dealer counts the dealer's leads: %+v %v", counts, err)
			}
			check(t, s.DeleteVehicleRecord(ctx, stock.ID, 0, nil), "delete the car")
			if got, err := s.Lead(ctx, linked.ID); err != nil || got.Vehicle.RecordID != nil {
				t.Errorf("the lead of a deleted car: %+v %v", got.Vehicle, err)
			}
		})
	}
}

// TestCarSearchRefs: a search term finds, through the link of their
// vehicles, the dealer's leads whose stock car's plate or VIN holds it
// (case aside), and the after-sale leads whose client's vehicle's does
// (migration 0045), not another dealer's, and
// only for a word that could be in a plate (3 ASCII letters, digits or
// dashes or more);
// the lookup read for each lead (the form past maxCarLeads) selects the
// same leads as the list by id. On both engines.
func TestCarSearchRefs(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")
		car := func(f testkit.Fixture, kind core.VehicleKind, plate, vin string) int64 {
			v := core.VehicleRecord{DealerID: f.Dealer.ID, Kind: kind, Plate: plate, VIN: vin, CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
			check(t, s.AddVehicleRecord(ctx, &v, nil), "add vehicle record")
			return v.ID
		}
		leon, ibiza := car(a, core.VehicleStock, "4821KLM", "VSSZZZ5FZRQ000001"), car(a, core.VehicleStock, "7310JHB", "VSSZZZKJZRQ000002")
		theirs, owned := car(b, core.VehicleStock, "4821KLX", "VSSZZZ5FZRQ000003"), car(a, core.VehicleOwned, "4821KLZ", "")
		var want []int64
		var aftersale int64
		for i, rec := range []int64{leon, leon, ibiza, owned, 0} {
			l := a.Lead(100 + i)
			if rec != 0 {
				l.Vehicle.RecordID = &rec
			}
			if rec == owned {
				l.Kind = core.LeadAftersale
			}
			check(t, s.CreateLead(ctx, &l, nil), "create lead")
			switch rec {
			case leon:
				want = append(want, l.ID)
			case owned:
				aftersale = l.ID
			}
		}
		l := b.Lead(200)
		l.Vehicle.RecordID = &theirs
		check(t, s.CreateLead(ctx, &l, nil), "create lead")
		for term, want := range map[string][]int64{"4821kl": append(slices.Clone(want), aftersale), "4821KLM": want, "5fzrq": want, "4821klz": {aftersale}} {
			ids, pattern, err := store.CarRefs(s, []int64{a.Dealer.ID}, term)
			check(t, err, "car refs")
			slices.Sort(ids)
			if !slices.Equal(ids, want) || pattern != "" {
				t.Errorf("%q: the leads of its cars %v (%q), want %v", term, ids, pattern, want)
			}
			looked, err := store.CarLookupLeads(s, []int64{a.Dealer.ID}, term)
			check(t, err, "car lookup")
			if !slices.Equal(looked, want) {
				t.Errorf("%q: the lookup's leads %v, want %v", term, looked, want)
			}
		}
		// no car's; too short to say anything (in every plate)
		for _, term := range []string{"9999", "48"} {
			if ids, pattern, err := store.CarRefs(s, []int64{a.Dealer.ID}, term); err != nil || len(ids) != 0 || pattern != "" {
				t.Errorf("%q finds cars' leads: %v %q %v", term, ids, pattern, err)
			}
		}
	})
}

// TestExplainCarLinks: the reads of the links, on both engines (1,500
// leads, 300 of them linked to some of 2,000 vehicle records of two
// dealers, with statistics): a page
// of cars counts its leads by vehicles_record (migration 0040) and the
// leads' vehicle_id, and a search term's lookup of the cars' leads reads
// the dealer's stock cars by an index led by the dealer and kind, then
// vehicles_record: never a scan of the leads or the vehicles.
//
//	SQLite:     SEARCH v USING INDEX vehicles_record (record_id=?); SEARCH l USING INDEX sqlite_autoindex_leads_2 (vehicle_id=?)
//	PostgreSQL: Index Scan using vehicles_record on vehicles v
func TestExplainCarLinks(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			defer s.Close()
			f := testkit.NewFixture(t, s, "x")
			check(t, store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 1500), "seed leads")
			g := testkit.NewFixture(t, s, "y")
			insertVehicleRecords(t, s, 2000, func(i int) vehicleRow {
				dealer, kind := f.Dealer.ID, "stock"
				if i%2 == 1 {
					dealer = g.Dealer.ID
				}
				if i%4 >= 2 {
					kind = "owned"
				}
				return vehicleRow{fmt.Sprintf("car-%d", i), dealer, kind, fmt.Sprintf("%04dKLM", i), fmt.Sprintf("VSSZZZ%011d", i), "Seat", "León", 0}
			})
			var cars []int64
			rows, err := s.DB().QueryContext(ctx, `SELECT id FROM vehicle_records ORDER BY id LIMIT 3`)
			check(t, err, "cars")
			for rows.Next() {
				var id int64
				check(t, rows.Scan(&id), "scan")
				cars = append(cars, id)
			}
			rows.Close()
			link := `UPDATE vehicles SET record_id = (SELECT min(id) FROM vehicle_records) + id % 2000 WHERE id % 5 = 0`
			if _, err := s.DB().ExecContext(ctx, link); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
				t.Fatal(err)
			}
			plan := func(query string, args ...any) string {
				if engine == store.Postgres {
					return pgPlan(t, s, query, args...)
				}
				return store.SQLitePlan(t, s.DB(), query, args...)
			}
			counts := plan(store.VehicleRecordLeadsQuery(s, 3), cars[0], cars[1], cars[2], f.Dealer.ID)
			t.Logf("counts:\n%s", counts)
			if !strings.Contains(counts, "vehicles_record") || strings.Contains(counts, "Seq Scan") || strings.Contains(counts, "SCAN ") {
				t.Errorf("the count of a page's cars' leads does not read vehicles_record:\n%s", counts)
			}
			query, args := store.CarLookupQuery(s, []int64{f.Dealer.ID}, "0042kl")
			lookup := plan(query, args...)
			t.Logf("lookup:\n%s", lookup)
			if !strings.Contains(lookup, "vehicles_record") || strings.Contains(lookup, "Seq Scan") || strings.Contains(lookup, "SCAN v") ||
				strings.Contains(lookup, "SCAN l") || strings.Contains(lookup, "SCAN r") {
				t.Errorf("the lookup of a term's cars' leads scans:\n%s", lookup)
			}
		})
	}
}

// vehicleRow is one vehicle record insertVehicleRecords writes.
type vehicleRow struct {
	publicID                      string
	dealer                        int64
	kind, plate, vin, make, model string
	at                            int64 // created and updated
}

// insertVehicleRecords writes n vehicle records, row(i) each, in one
// transaction on s's database: a test's or benchmark's cars, without
// their history.
func insertVehicleRecords(tb testing.TB, s *store.Store, n int, row func(i int) vehicleRow) {
	tb.Helper()
	ins := `INSERT INTO vehicle_records (public_id, dealer_id, kind, plate, vin, make, model, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	if s.Engine() == store.Postgres {
		ins = `INSERT INTO vehicle_records (public_id, dealer_id, kind, plate, vin, make, model, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	}
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		r := row(i)
		if _, err := tx.ExecContext(ctx, ins, r.publicID, r.dealer, r.kind, r.plate, r.vin, r.make, r.model, r.at, r.at); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}
