package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestVehicleRecords: a stock car and a client's vehicle are stored, read,
// saved with their version (a stale one refused), found by plate, VIN,
// make and a field of their Ext and by a search term; the client's
// vehicle is deleted with its client; on both engines.
func TestVehicleRecords(t *testing.T) {
	ctx := context.Background()
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			defer s.Close()
			f := testkit.NewFixture(t, s, "v")
			client := core.Client{DealerID: f.Dealer.ID, Name: "Ana Pérez", Phone: "+34600000001", CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
			if err := s.CreateClient(ctx, &client); err != nil {
				t.Fatal(err)
			}
			year, km, price := 2021, int64(35000), 18990.5
			car := core.VehicleRecord{DealerID: f.Dealer.ID, Kind: core.VehicleStock, Plate: "1234ABC", VIN: "VSSZZZ5FZNR000001", Make: "Seat",
				Model: "León", Year: &year, Km: &km, Price: &price, Ext: map[string]string{"walcu.custom": `"x"`, "walcu.prices": `{"retail":{"current_price":{"price":18990.5}}}`},
				CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
			if err := s.AddVehicleRecord(ctx, &car, nil); err != nil {
				t.Fatal(err)
			}
			owned := core.VehicleRecord{DealerID: f.Dealer.ID, Kind: core.VehicleOwned, ClientID: &client.ID, Plate: "9999ZZZ", Make: "Toyota",
				Model: "Corolla", CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
			if err := s.AddVehicleRecord(ctx, &owned, nil); err != nil {
				t.Fatal(err)
			}
			got, err := s.VehicleRecord(ctx, car.ID)
			if err != nil || got.Plate != "1234ABC" || *got.Year != 2021 || *got.Km != 35000 || *got.Price != 18990.5 || got.Version != 1 ||
				got.Ext["walcu.custom"] != `"x"` || got.ClientID != nil || got.Kind != core.VehicleStock {
				t.Fatalf("read back: %+v %v", got, err)
			}
			got.Model = "Ibiza"
			if err := s.SaveVehicleRecord(ctx, &got, 1, nil); err != nil || got.Version != 2 {
				t.Fatalf("save: %v %d", err, got.Version)
			}
			if err := s.SaveVehicleRecord(ctx, &got, 1, nil); err != core.ErrStaleVersion {
				t.Fatalf("stale save: %v", err)
			}
			for name, where := range map[string]core.Cond{
				"plate": core.Eq("plate", "1234ABC"),
				"vin":   core.Eq("vin", "VSSZZZ5FZNR000001"),
				"make":  core.And(core.Eq("make", "Seat"), core.Eq("model", "Ibiza")),
				"ext":   core.Eq("ext.walcu.custom", "x"),
				"term":  {Op: core.OpMatch, Value: "5fznr"},
			} {
				ext := map[string]core.FieldSpec{"ext.walcu.custom": {Type: core.TypeText, Path: "walcu.custom"}}
				q := core.Query{Where: core.And(core.Eq("kind", string(core.VehicleStock)), where), Limit: 10, Ext: ext}
				sc, _ := core.VehicleSchema.WithExt(ext)
				if err := sc.Check(&q); err != nil {
					t.Fatal(err)
				}
				vs, _, err := s.FindVehicleRecords(ctx, []int64{f.Dealer.ID}, q)
				if err != nil || len(vs) != 1 || vs[0].ID != car.ID {
					t.Errorf("%s: %v %v", name, vs, err)
				}
			}
			gs, err := s.GroupVehicleRecords(ctx, []int64{f.Dealer.ID}, core.Query{GroupBy: "kind"})
			if err != nil || len(gs) != 2 {
				t.Errorf("group by kind: %v %v", gs, err)
			}
			if err := s.DeleteClient(ctx, client.ID, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := s.VehicleRecord(ctx, owned.ID); core.ErrorCode(err) != core.NotFound {
				t.Errorf("the client's vehicle after deleting the client: %v", err)
			}
			if err := s.DeleteVehicleRecord(ctx, car.ID, 1, nil); err != core.ErrStaleVersion {
				t.Errorf("stale delete: %v", err)
			}
			if err := s.DeleteVehicleRecord(ctx, car.ID, 2, nil); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteVehicleRecord(ctx, car.ID, 0, nil); core.ErrorCode(err) != core.NotFound {
				t.Errorf("delete again: %v", err)
			}
		})
	}
}

// TestMigration30MovesVehicleDocuments: Walcu's cars and clientvehicles
// kept as documents become vehicle records with their public ids, their
// plate, VIN, make, model, year, mileage, price and owner in columns and
// the rest in Ext (migration 0030); down to 28 they are documents again
// and table vehicle_records is gone (0029); up again, records again. On
// both engines.
func TestMigration30MovesVehicleDocuments(t *testing.T) {
	ctx := context.Background()
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "m")
			client := core.Client{DealerID: f.Dealer.ID, Name: "Ana", Phone: "+34600000002", CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
			if err := s.CreateClient(ctx, &client); err != nil {
				t.Fatal(err)
			}
			docs := map[string]string{
				"walcu.cars": `{"make": "Seat", "model": "León", "version": "FR", "license_plate": "1234ABC", "vin": "VSS1", "year": 2020,
					"mileage": 1000, "color": "rojo", "fuel": "gasolina", "custom": "c", "prices": {"retail": {"current_price": {"price": 15000}}},
					"computed": {"price": 1}}`,
				"walcu.clientvehicles": `{"make": "Toyota", "model": "Corolla", "license_plate": "far too long a plate to be one", "year": 0,
					"owner_history": [{"client_id": "` + client.PublicID + `"}]}`,
			}
			ids := map[string]string{}
			for coll, body := range docs {
				d := core.Document{DealerID: f.Dealer.ID, Collection: coll, Body: []byte(body), CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
				if err := s.CreateDocument(ctx, &d); err != nil {
					t.Fatal(err)
				}
				ids[coll] = d.PublicID
			}
			s.Close()
			migrateDownTo(t, engine, dsn, 29, func(db *sql.DB) {})
			check := func() {
				t.Helper()
				s := openAt(t, dsn)
				defer s.Close()
				if n, _, err := s.FindDocuments(ctx, []int64{f.Dealer.ID}, "walcu.cars", core.DocumentSchema("walcu.cars", nil), core.Query{Limit: 10}); err != nil || len(n) != 0 {
					t.Errorf("cars documents left: %v %v", n, err)
				}
				id, _, err := s.ResolvePublicID(ctx, core.RecordVehicle, ids["walcu.cars"])
				if err != nil {
					t.Fatal(err)
				}
				car, err := s.VehicleRecord(ctx, id)
				if err != nil || car.Kind != core.VehicleStock || car.Make != "Seat" || car.Model != "León" || car.Variant != "FR" || car.Plate != "1234ABC" ||
					car.VIN != "VSS1" || *car.Year != 2020 || *car.Km != 1000 || *car.Price != 15000 || car.Colour != "rojo" || car.Fuel != "gasolina" ||
					car.Ext["walcu.custom"] != `"c"` || car.Ext["walcu.prices"] == "" || car.Ext["walcu.computed"] != "" || car.Ext["walcu.make"] != "" {
					t.Errorf("car: %+v %v", car, err)
				}
				id, _, err = s.ResolvePublicID(ctx, core.RecordVehicle, ids["walcu.clientvehicles"])
				if err != nil {
					t.Fatal(err)
				}
				cv, err := s.VehicleRecord(ctx, id)
				if err != nil || cv.Kind != core.VehicleOwned || cv.ClientID == nil || *cv.ClientID != client.ID || cv.Plate != "" || cv.Year != nil ||
					cv.Ext["walcu.license_plate"] != `"far too long a plate to be one"` || cv.Ext["walcu.year"] != "0" {
					t.Errorf("clientvehicle: %+v %v", cv, err)
				}
			}
			check()
			migrateDownTo(t, engine, dsn, 28, func(db *sql.DB) {
				var body string
				if err := db.QueryRow(`SELECT body FROM documents WHERE public_id = '` + ids["walcu.cars"] + `'`).Scan(&body); err != nil {
					t.Fatalf("the car is no document after migrating down: %v", err)
				}
				var m map[string]any
				if err := json.Unmarshal([]byte(body), &m); err != nil || m["license_plate"] != "1234ABC" || m["custom"] != "c" || m["year"] != 2020.0 {
					t.Errorf("the car's document: %s %v", body, err)
				}
				if err := db.QueryRow(`SELECT count(*) FROM vehicle_records`).Scan(new(int)); err == nil {
					t.Error("table vehicle_records still there at 28")
				}
			})
			check()
		})
	}
}
