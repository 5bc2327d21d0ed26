package walcu

import (
	"slices"
	"strings"
	"sync"

	"forecourt/internal/core"
)

// A repair order (a core document) is of a client vehicle (a core
// vehicle record) through its car_info: the dealer's client vehicle of
// its VIN, else (an order without a VIN) of its plate. Both sides show it
// derived when read (docs/walcu.md, "Every computed field"): a
// repairorder's computed.vehicle, a clientvehicle's computed.orders and
// number_of_orders; one read per page.

// orderCar is the VIN and plate a repair order names in car_info.
func orderCar(d doc) (vin, plate string) {
	vin, _ = at(d, "car_info", "vin").(string)
	plate, _ = at(d, "car_info", "license_plate").(string)
	return strings.TrimSpace(vin), strings.TrimSpace(plate)
}

// ofVehicle reports whether the order naming vin and plate is of v.
func ofVehicle(vin, plate string, v core.VehicleRecord) bool {
	if vin != "" {
		return strings.EqualFold(vin, v.VIN)
	}
	return plate != "" && strings.EqualFold(plate, v.Plate)
}

// repairOrderVehicles sets computed.vehicle on a page of repair orders:
// their client vehicles' make, model, year, month and model year.
func repairOrderVehicles(r *request, ds []doc) error {
	var vins, plates []any
	for _, d := range ds {
		vin, plate := orderCar(d)
		if vin != "" {
			vins = append(vins, vin)
		} else if plate != "" {
			plates = append(plates, plate)
		}
	}
	var vs []core.VehicleRecord
	if len(vins)+len(plates) > 0 {
		var which []core.Cond
		if len(vins) > 0 {
			which = append(which, core.In("vin", distinctAny(vins)...))
		}
		if len(plates) > 0 {
			which = append(which, core.In("plate", distinctAny(plates)...))
		}
		var err error
		vs, _, err = r.svc.FindVehicleRecords(r.ctx, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID),
			core.Eq("kind", string(core.VehicleOwned)), core.Or(which...)), Limit: core.MaxQueryValues})
		if err != nil {
			return err
		}
	}
	for _, d := range ds {
		c, _ := d["computed"].(doc)
		if c == nil {
			continue
		}
		vin, plate := orderCar(d)
		list := []any{}
		if i := slices.IndexFunc(vs, func(v core.VehicleRecord) bool { return ofVehicle(vin, plate, v) }); i >= 0 {
			vd := vehicleDoc(vs[i], map[string]bool{"month": true, "model_year": true})
			e := doc{}
			for _, k := range []string{"_id", "make", "model", "year", "month", "model_year"} {
				if x, ok := vd[k]; ok {
					e[k] = x
				}
			}
			list = append(list, e)
		}
		c["vehicle"] = list
	}
	return nil
}

// repairOrders is the repairorders collection's backend, for its schema
// (the paths of its queries).
var repairOrders = sync.OnceValue(func() *docBackend { return newDocBackend(nil, collections["repairorders"]) })

// vehicleOrders sets computed.orders and number_of_orders on a page ds
// of client vehicles vs: their repair orders, oldest first (by date),
// each latest_of_type when no later one of its type is.
func vehicleOrders(r *request, vs []core.VehicleRecord, ds []doc) error {
	var vins, plates []any
	for _, v := range vs {
		if v.VIN != "" {
			vins = append(vins, v.VIN)
		}
		if v.Plate != "" {
			plates = append(plates, v.Plate)
		}
	}
	var orders []doc
	if len(vins)+len(plates) > 0 {
		var which []core.Cond
		if len(vins) > 0 {
			which = append(which, core.In("car_info.vin", distinctAny(vins)...))
		}
		if len(plates) > 0 {
			which = append(which, core.In("car_info.license_plate", distinctAny(plates)...))
		}
		ro := repairOrders()
		docs, _, err := r.svc.FindDocuments(r.ctx, ro.name, ro.schema, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID), core.Or(which...)),
			Limit: core.MaxQueryValues})
		if err != nil {
			return err
		}
		for _, d := range docs {
			body, err := extBody(&d)
			if err != nil {
				return err
			}
			body["_id"] = d.PublicID
			orders = append(orders, body)
		}
		slices.SortStableFunc(orders, func(a, b doc) int { // dates are written normalised: as text in time order
			x, _ := a["date"].(string)
			y, _ := b["date"].(string)
			return strings.Compare(x, y)
		})
	}
	for i, v := range vs {
		c, _ := ds[i]["computed"].(doc)
		if c == nil {
			continue
		}
		list, latest := []any{}, map[any]int{}
		for _, o := range orders {
			vin, plate := orderCar(o)
			if !ofVehicle(vin, plate, v) {
				continue
			}
			e := doc{"repair_order_id": o["_id"], "latest_of_type": false}
			for _, k := range []string{"type", "date", "mileage", "location"} {
				if x, ok := o[k]; ok {
					e[k] = x
				}
			}
			latest[o["type"]] = len(list) // oldest first: the last of a type is its latest
			list = append(list, e)
		}
		for _, j := range latest {
			list[j].(doc)["latest_of_type"] = true
		}
		c["orders"] = list
		c["number_of_orders"] = len(list)
	}
	return nil
}
