package core_test

import (
	"errors"
	"slices"
	"testing"

	"forecourt/internal/core"
)

// TestVehicleHistory: a vehicle record's creation, each change (with the
// fields' old and new values, Ext included) and its deletion are in its
// history, by whom and in order; a change that changes nothing and one
// refused (stale) record nothing; the history outlives the record; another
// dealer sees none of it.
func TestVehicleHistory(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		price := 15000.0
		car, err := e.svc.CreateVehicleRecord(e.admin, core.VehicleRecord{DealerID: e.f.DealerID, Kind: core.VehicleStock, Plate: "1234ABC",
			Make: "Seat", Model: "Ibiza", Price: &price})
		if err != nil {
			t.Fatal(err)
		}
		upd := car
		upd.Plate, upd.Price, upd.Ext = "5678DEF", nil, map[string]string{"walcu.custom": `"x"`}
		if car, err = e.svc.UpdateVehicleRecord(e.admin, upd); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateVehicleRecord(e.admin, car); err != nil { // the same: no change
			t.Fatal(err)
		}
		stale := car
		stale.Model, stale.Version = "León", 1
		if _, err := e.svc.UpdateVehicleRecord(e.admin, stale); !errors.Is(err, core.ErrStaleVersion) {
			t.Fatalf("stale: %v", err)
		}
		if _, err := e.svc.VehicleHistory(e.other, car.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer reads the history: %v", err)
		}
		if err := e.svc.DeleteVehicleRecord(e.admin, car.ID, 0); err != nil {
			t.Fatal(err)
		}
		hs, err := e.svc.VehicleHistory(e.admin, car.ID)
		if err != nil || len(hs) != 3 {
			t.Fatalf("history: %v %+v", err, hs)
		}
		for i, typ := range []core.HistoryType{core.HistoryCreated, core.HistoryChanged, core.HistoryDeleted} {
			if hs[i].Type != typ || hs[i].VehicleID != car.ID || hs[i].UserID == nil || *hs[i].UserID != e.f.AdminID {
				t.Errorf("entry %d: %+v", i, hs[i])
			}
		}
		created := []core.Change{{Field: "plate", New: "1234ABC"}, {Field: "make", New: "Seat"}, {Field: "model", New: "Ibiza"}, {Field: "price", New: "15000"}}
		changed := []core.Change{{Field: "plate", Old: "1234ABC", New: "5678DEF"}, {Field: "price", Old: "15000"}, {Field: "ext.walcu.custom", New: `"x"`}}
		if !slices.Equal(hs[0].Changes, created) || !slices.Equal(hs[1].Changes, changed) || len(hs[2].Changes) != 0 {
			t.Fatalf("changes: %+v / %+v / %+v", hs[0].Changes, hs[1].Changes, hs[2].Changes)
		}
		if _, err := e.svc.VehicleHistory(e.admin, car.ID+1000); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("a record that never was: %v", err)
		}
	})
}
