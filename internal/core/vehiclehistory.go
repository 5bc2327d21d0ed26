package core

import (
	"context"
	"strconv"
	"time"
)

// A vehicle record's history: every creation, change and deletion of a
// stock car or a client's vehicle through the Service, whatever API made
// it, with who made it, when, and each field's old and new value, so that
// an audit shows what a record was (docs/decisions.md, "A vehicle
// record's history"). Written in the transaction of the write it
// records; kept when the record is deleted (its deletion is its last
// entry), and deleted with the dealer.

// VehicleChange is one entry of a vehicle record's history. Changes name
// the record's fields as VehicleSchema does (plate, vin, make, model,
// variant, year, km, fuel, price, colour, client) and ext.<key>.
type VehicleChange struct {
	ID        int64
	VehicleID int64
	DealerID  int64
	At        time.Time
	UserID    *int64
	Type      HistoryType
	Changes   []Change
}

// MaxVehicleHistory is how many entries VehicleHistory answers at most:
// the oldest.
const MaxVehicleHistory = 1000

// diffVehicleRecord lists what changed from old (nil on create) to v.
func diffVehicleRecord(old, v *VehicleRecord) []Change {
	var cs changeSet
	add := cs.add
	o := old
	if o == nil {
		o = &VehicleRecord{}
	}
	price := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	add("client", idString(o.ClientID), idString(v.ClientID))
	add("plate", o.Plate, v.Plate)
	add("vin", o.VIN, v.VIN)
	add("make", o.Make, v.Make)
	add("model", o.Model, v.Model)
	add("variant", o.Variant, v.Variant)
	add("year", intPtrString(o.Year), intPtrString(v.Year))
	add("km", idString(o.Km), idString(v.Km)) // an optional int64, written as ids are
	add("fuel", o.Fuel, v.Fuel)
	add("price", price(o.Price), price(v.Price))
	add("colour", o.Colour, v.Colour)
	return append(cs, diffExt(o.Ext, v.Ext)...)
}

// changeSet collects a record's changes for its history.
type changeSet []Change

// add records field's change from a to b, when it is one.
func (cs *changeSet) add(field, a, b string) {
	if a != b {
		*cs = append(*cs, Change{Field: field, Old: a, New: b})
	}
}

// vehicleChange is the history entry of a write of record v (old nil on
// create) of type t by the principal p at at.
func vehicleChange(p Principal, t HistoryType, old, v *VehicleRecord, at time.Time) *VehicleChange {
	h := &VehicleChange{VehicleID: v.ID, DealerID: v.DealerID, At: at, UserID: p.UserRef(), Type: t}
	if t != HistoryDeleted {
		h.Changes = diffVehicleRecord(old, v)
	}
	return h
}

// VehicleHistory returns the history of vehicle record id, oldest first
// (at most MaxVehicleHistory entries), also once the record is deleted;
// NotFound for a record of a dealer the principal may not see, like one
// that never was.
func (s *Service) VehicleHistory(ctx context.Context, id int64) ([]VehicleChange, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	hs, err := s.store.VehicleHistory(ctx, id, MaxVehicleHistory)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 || !p.CanSee(hs[0].DealerID) {
		return nil, errNotFound("vehicle")
	}
	return hs, nil
}
