package store_test

import (
	"database/sql"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestMigration45LinksAftersaleLeads: migration 0045 links each existing
// after-sale lead whose walcu.vehicle_id is the public id of a client
// vehicle of its own dealer, and no other (another dealer's, a stock car,
// an unknown id, a sale lead naming a client vehicle); a lead already
// linked keeps its link. On both engines.
func TestMigration45LinksAftersaleLeads(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			a := testkit.NewFixture(t, s, "a")
			b := testkit.NewFixture(t, s, "b")
			record := func(f testkit.Fixture, kind core.VehicleKind, plate string) core.VehicleRecord {
				v := core.VehicleRecord{DealerID: f.Dealer.ID, Kind: kind, Plate: plate, Make: "Seat", CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
				check(t, s.AddVehicleRecord(ctx, &v, nil), "add vehicle record")
				return v
			}
			owned, others, stock := record(a, core.VehicleOwned, "1111AAA"), record(b, core.VehicleOwned, "2222BBB"), record(a, core.VehicleStock, "3333CCC")
			lead := func(n int, kind core.LeadKind, vehicleID string) core.Lead {
				l := a.Lead(n)
				l.Kind = kind
				if vehicleID != "" {
					l.Ext = map[string]string{"walcu.vehicle_id": vehicleID}
				}
				check(t, s.CreateLead(ctx, &l, nil), "create lead")
				return l
			}
			linked := lead(1, core.LeadAftersale, `"`+owned.PublicID+`"`)
			unlinked := []core.Lead{lead(2, core.LeadAftersale, `"`+others.PublicID+`"`), lead(3, core.LeadAftersale, `"`+stock.PublicID+`"`),
				lead(4, core.LeadAftersale, `"nope"`), lead(5, core.LeadAftersale, `42`), lead(6, core.LeadSale, `"`+owned.PublicID+`"`), lead(7, core.LeadAftersale, "")}
			kept := a.Lead(8)
			kept.Kind, kept.Ext = core.LeadAftersale, map[string]string{"walcu.vehicle_id": `"` + others.PublicID + `"`}
			kept.Vehicle.RecordID = &owned.ID
			check(t, s.CreateLead(ctx, &kept, nil), "create lead")
			s.Close()
			migrateDownTo(t, engine, dsn, 44, func(db *sql.DB) {})
			s = openAt(t, dsn) // up again: 0045 links them
			defer s.Close()
			for _, l := range []core.Lead{linked, kept} {
				got, err := s.Lead(ctx, l.ID)
				check(t, err, "read the linked lead")
				if got.Vehicle.RecordID == nil || *got.Vehicle.RecordID != owned.ID {
					t.Errorf("lead %d is linked to %v, want %d", l.ID, got.Vehicle.RecordID, owned.ID)
				}
			}
			for _, l := range unlinked {
				got, err := s.Lead(ctx, l.ID)
				check(t, err, "read a lead")
				if got.Vehicle.RecordID != nil {
					t.Errorf("lead %d (%s, %v) is linked to %d", l.ID, l.Kind, l.Ext, *got.Vehicle.RecordID)
				}
			}
		})
	}
}
