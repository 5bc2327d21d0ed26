package walcu

import (
	"slices"

	"forecourt/internal/core"
)

// A salelead's first car links the lead's vehicle to the stock car its
// car_id names (core.Vehicle.RecordID; docs/walcu.md, "A lead's cars"):
// the car then counts the lead (computed.car_number_of_saleleads) and the
// lead's search finds the car's plate and VIN, through every API.

// carIDPath is where a salelead names the stock car it is about.
var carIDPath = []string{"car_list", "0", "car_id"}

// carLink is what a salelead body's car_list[0].car_id names: given is
// the text as written ("" when none), record the dealer's stock car it
// is (nil when it is none of them).
type carLink struct {
	given  string
	record *int64
}

// linkCar reads body's car_list[0].car_id as a stock car of the path's
// dealer; another dealer's car, a clientvehicle and an unknown id are
// alike: no car (the caller decides whether that is an error).
func (b *leadBackend) linkCar(r *request, body doc) (carLink, error) {
	if b.kind != core.LeadSale {
		return carLink{}, nil
	}
	id, _ := at(body, carIDPath...).(string)
	if id == "" {
		return carLink{}, nil
	}
	link := carLink{given: id}
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordVehicle, id)
	if err != nil {
		if core.ErrorCode(err) == core.NotFound {
			return link, nil
		}
		return link, err
	}
	v, err := b.svc.FindVehicleRecord(r.ctx, n)
	switch {
	case core.ErrorCode(err) == core.NotFound:
		return link, nil
	case err != nil:
		return link, err
	case v.Kind == core.VehicleStock && v.DealerID == r.dealer.ID:
		link.record = &v.ID
	}
	return link, nil
}

// errNoCar is the answer to a car_id, set or changed by a write, that is
// no stock car of the dealer.
func errNoCar() error {
	return invalidField("car_list.0.car_id", "no such car of the dealer (a car's _id, of /cars)")
}

// sameRef reports whether two optional ids are the same.
func sameRef(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// carSaleleads fills the cars' computed.car_number_of_saleleads and
// car_last_salelead_date (the latest one's creation) of a page: the
// dealer's saleleads linked to each car, counted when the page is read
// (one query for the page), so that they are current whatever API
// created, relinked or deleted the leads.
func carSaleleads(svc *core.Service, r *request, vs []core.VehicleRecord, out []doc) error {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	tallies := map[int64][]core.LeadTally{}
	for part := range slices.Chunk(ids, core.MaxQueryValues) {
		ts, err := svc.VehicleRecordLeads(r.ctx, r.dealer.ID, part)
		if err != nil {
			return err
		}
		for id, t := range ts {
			tallies[id] = t
		}
	}
	for i, v := range vs {
		c, _ := out[i]["computed"].(doc)
		if c == nil {
			continue
		}
		c["car_number_of_saleleads"], c["car_last_salelead_date"] = 0, nil
		for _, t := range tallies[v.ID] {
			if t.Kind == core.LeadSale {
				c["car_number_of_saleleads"], c["car_last_salelead_date"] = t.Count, formatValue(t.Last)
			}
		}
	}
	return nil
}
