package core_test

import (
	"context"
	"errors"
	"testing"

	"forecourt/internal/core"
)

// TestVehicleRecords: a stock car and a client's own vehicle are made,
// changed with their version, listed through VehicleSchema and deleted;
// another dealer neither sees, changes nor owns them; bad ones are
// refused and change nothing; merging clients moves the dropped client's
// vehicles.
func TestVehicleRecords(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		year := 2022
		car, err := e.svc.CreateVehicleRecord(e.admin, core.VehicleRecord{DealerID: e.f.DealerID, Kind: core.VehicleStock, Plate: " 1234ABC ",
			Make: "Seat", Model: "Ibiza", Year: &year, Ext: map[string]string{"walcu.custom": `"x"`}})
		if err != nil || car.ID == 0 || car.PublicID == "" || car.Version != 1 || car.Plate != "1234ABC" || *car.CreatedBy != e.f.AdminID {
			t.Fatalf("created: %+v %v", car, err)
		}
		l := e.lead(t, nil)
		owned, err := e.svc.CreateVehicleRecord(e.admin, core.VehicleRecord{DealerID: e.f.DealerID, Kind: core.VehicleOwned, ClientID: &l.Client.ID,
			Make: "Toyota", Model: "Corolla"})
		if err != nil {
			t.Fatal(err)
		}
		bad := 1800
		long := make([]byte, core.MaxPlate+1)
		for i := range long {
			long[i] = 'A'
		}
		otherClient := int64(1 << 40)
		for name, v := range map[string]core.VehicleRecord{
			"kind":        {DealerID: e.f.DealerID, Kind: "boat"},
			"year":        {DealerID: e.f.DealerID, Kind: core.VehicleStock, Year: &bad},
			"plate":       {DealerID: e.f.DealerID, Kind: core.VehicleStock, Plate: string(long)},
			"owner":       {DealerID: e.f.DealerID, Kind: core.VehicleOwned, ClientID: &otherClient},
			"stock owned": {DealerID: e.f.DealerID, Kind: core.VehicleStock, ClientID: &l.Client.ID},
			"ext":         {DealerID: e.f.DealerID, Kind: core.VehicleStock, Ext: map[string]string{"Bad": "1"}},
		} {
			if _, err := e.svc.CreateVehicleRecord(e.admin, v); core.ErrorCode(err) != core.Invalid {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := e.svc.CreateVehicleRecord(e.other, core.VehicleRecord{DealerID: e.otherD.ID, Kind: core.VehicleOwned, ClientID: &l.Client.ID}); core.ErrorCode(err) != core.Invalid {
			t.Errorf("another dealer's vehicle owned by this dealer's client: %v", err)
		}
		if _, err := e.svc.CreateVehicleRecord(e.other, core.VehicleRecord{DealerID: e.f.DealerID, Kind: core.VehicleStock}); core.ErrorCode(err) != core.NotFound {
			t.Errorf("another dealer makes one here: %v", err)
		}
		if _, err := e.svc.FindVehicleRecord(e.other, car.ID); core.ErrorCode(err) != core.NotFound {
			t.Errorf("another dealer finds: %v", err)
		}
		upd := car
		upd.Model, upd.Version = "León", 1
		got, err := e.svc.UpdateVehicleRecord(e.admin, upd)
		if err != nil || got.Version != 2 || got.Model != "León" || got.Kind != core.VehicleStock {
			t.Fatalf("updated: %+v %v", got, err)
		}
		if _, err := e.svc.UpdateVehicleRecord(e.admin, upd); !errors.Is(err, core.ErrStaleVersion) {
			t.Errorf("stale update: %v", err)
		}
		same, err := e.svc.UpdateVehicleRecord(e.admin, got)
		if err != nil || same.Version != 2 {
			t.Errorf("an update changing nothing: %+v %v", same, err)
		}
		if _, err := e.svc.UpdateVehicleRecord(e.other, got); core.ErrorCode(err) != core.NotFound {
			t.Errorf("another dealer updates: %v", err)
		}
		vs, n, err := e.svc.FindVehicleRecords(e.admin, core.Query{Where: core.And(core.Eq("kind", "stock"), core.Match("1234a")), Limit: 10, Total: true})
		if err != nil || n != 1 || vs[0].ID != car.ID {
			t.Fatalf("search: %+v %d %v", vs, n, err)
		}
		if theirs, _, err := e.svc.FindVehicleRecords(e.other, core.Query{Where: core.Eq("dealer", e.f.DealerID), Limit: 10}); err != nil || len(theirs) != 0 {
			t.Fatalf("another dealer lists: %+v %v", theirs, err)
		}
		gs, err := e.svc.GroupVehicleRecords(e.admin, core.Query{GroupBy: "make"})
		if err != nil || len(gs) != 2 {
			t.Errorf("group by make: %+v %v", gs, err)
		}
		// merging the owner into another client moves the vehicle
		keep, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "Golf"},
			Client: &core.Client{Name: "Marta", Phone: "622000009"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MergeClients(context.Background(), e.f.DealerID, keep.Client.ID, l.Client.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.FindVehicleRecord(e.admin, owned.ID); err != nil || *got.ClientID != keep.Client.ID {
			t.Fatalf("owned vehicle after the merge: %+v %v", got, err)
		}
		if err := e.svc.DeleteVehicleRecord(e.other, car.ID, 0); core.ErrorCode(err) != core.NotFound {
			t.Errorf("another dealer deletes: %v", err)
		}
		if err := e.svc.DeleteVehicleRecord(e.admin, car.ID, 1); !errors.Is(err, core.ErrStaleVersion) {
			t.Errorf("stale delete: %v", err)
		}
		if err := e.svc.DeleteVehicleRecord(e.admin, car.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FindVehicleRecord(e.admin, car.ID); core.ErrorCode(err) != core.NotFound {
			t.Errorf("deleted: %v", err)
		}
	})
}
