package demo

import (
	"context"
	"fmt"
	"strconv"

	"forecourt/internal/core"
)

// seedVehicles adds to the first dealer a few stock cars (Walcu's cars,
// the first sale lead naming the first one in its car_list) and the
// after-sale leads' clients' own vehicles (Walcu's clientvehicles, each
// lead's vehicle_id), as vehicle records.
func seedVehicles(ctx context.Context, svc *core.Service, f *Fixture) error {
	stock := []struct {
		make, model, variant, plate, vin, fuel, colour string
		year                                           int
		km                                             int64
		price                                          float64
	}{
		{"SEAT", "León", "1.5 TSI FR", "2231LMN", "VSSZZZKLZNR012345", "gasolina", "rojo", 2022, 18500, 23900},
		{"CUPRA", "Formentor", "1.5 TSI", "8812MKD", "VSSZZZKMZPR054321", "gasolina", "gris", 2023, 9200, 31500},
		{"Toyota", "C-HR", "125H Advance", "5540LBC", "JTNKHMBX10R123456", "híbrido", "blanco", 2021, 41000, 21900},
		{"Kia", "Niro", "1.6 HEV Drive", "3307LPT", "KNACC81CGN5123456", "híbrido", "azul", 2022, 27500, 22400},
	}
	var first string
	var firstID int64
	for i, s := range stock {
		year, km, price := s.year, s.km, s.price
		v, err := svc.CreateVehicleRecord(ctx, core.VehicleRecord{DealerID: f.DealerID, Kind: core.VehicleStock, Make: s.make, Model: s.model,
			Variant: s.variant, Plate: s.plate, VIN: s.vin, Fuel: s.fuel, Colour: s.colour, Year: &year, Km: &km, Price: &price,
			Ext: map[string]string{"walcu.stock_number": strconv.Quote(fmt.Sprintf("S-%03d", i+1)), "walcu.type": `"used"`, "walcu.category": `"car"`,
				"walcu.prices": fmt.Sprintf(`{"retail":{"current_price":{"price":%g,"currency":"EUR"}}}`, price)}})
		if err != nil {
			return fmt.Errorf("stock car %d: %w", i, err)
		}
		f.VehicleIDs = append(f.VehicleIDs, v.ID)
		if i == 0 {
			first, firstID = v.PublicID, v.ID
		}
	}
	if len(f.LeadIDs) > 0 {
		list := fmt.Sprintf(`[{"car_id":%q,"car":{"make":"SEAT","model":"León"}}]`, first)
		p := core.LeadPatch{Ext: map[string]*string{"walcu.car_list": &list}}
		l, err := svc.FindLead(ctx, f.LeadIDs[0])
		if err != nil {
			return err
		}
		if l.Vehicle != nil { // linked as Walcu links it (docs/walcu.md, "A lead's cars")
			p.Vehicle = &core.VehiclePatch{ID: &l.Vehicle.ID, RecordID: core.Value(&firstID)}
		}
		if _, err := svc.UpdateLead(ctx, f.LeadIDs[0], p); err != nil {
			return fmt.Errorf("the first lead's car: %w", err)
		}
	}
	owned := []struct{ make, model, plate string }{{"Toyota", "Corolla 140H Active Tech", "6621KZX"}, {"SEAT", "León 1.5 TSI FR", "1187JWD"},
		{"Kia", "Sportage 1.6 T-GDi HEV", "4410LFG"}}
	for _, id := range f.WalcuLeadIDs {
		l, err := svc.FindLead(ctx, id)
		if err != nil {
			return err
		}
		if l.Kind != core.LeadAftersale || l.Client == nil || len(owned) == 0 {
			continue
		}
		o := owned[0]
		owned = owned[1:]
		year, km := 2020, int64(30000+len(owned)*11000)
		v, err := svc.CreateVehicleRecord(ctx, core.VehicleRecord{DealerID: f.DealerID, Kind: core.VehicleOwned, ClientID: &l.Client.ID,
			Make: o.make, Model: o.model, Plate: o.plate, Year: &year, Km: &km,
			Ext: map[string]string{"walcu.owner_history": fmt.Sprintf(`[{"client_id":%q,"from_date":"2020-03-01T00:00:00.000Z"}]`, l.Client.PublicID)}})
		if err != nil {
			return fmt.Errorf("client vehicle of lead %d: %w", id, err)
		}
		f.VehicleIDs = append(f.VehicleIDs, v.ID)
		vid := strconv.Quote(v.PublicID)
		p := core.LeadPatch{Ext: map[string]*string{"walcu.vehicle_id": &vid}}
		if l.Vehicle != nil { // linked as Walcu links it (docs/walcu.md, "A lead's cars")
			p.Vehicle = &core.VehiclePatch{ID: &l.Vehicle.ID, RecordID: core.Value(&v.ID)}
		}
		if _, err := svc.UpdateLead(ctx, id, p); err != nil {
			return fmt.Errorf("the vehicle of lead %d: %w", id, err)
		}
	}
	return nil
}
