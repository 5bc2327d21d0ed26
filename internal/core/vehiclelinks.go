package core

import "context"

// A lead's vehicle of interest may be a car of the dealer's stock
// (Vehicle.RecordID, migration 0040): an API that names the stock car a
// lead is about links the two, so that the car counts its leads and a
// search of leads finds them by the car's plate and VIN, whatever API
// reads them. A deleted car leaves its leads unlinked.

// VehicleLinks reads the leads linked to vehicle records; every Store is
// one.
type VehicleLinks interface {
	// VehicleRecordLeads counts dealerID's leads linked to each of the
	// records recordIDs, by kind, with the creation of the latest.
	VehicleRecordLeads(ctx context.Context, dealerID int64, recordIDs []int64) (map[int64][]LeadTally, error)
}

// checkVehicleLink records on fe a link of l's vehicle that is no vehicle
// record of l's dealer of the kind l's kind links to (linkedKind), when
// it differs from old's (a link that is kept is not checked again, as the
// lead's other references).
func (s *Service) checkVehicleLink(ctx context.Context, old, l *Lead, fe FieldErrors) error {
	if l.Vehicle == nil || l.Vehicle.RecordID == nil {
		return nil
	}
	if old != nil && old.Vehicle != nil && sameID(old.Vehicle.RecordID, l.Vehicle.RecordID) {
		return nil
	}
	v, err := s.store.VehicleRecord(ctx, *l.Vehicle.RecordID)
	switch {
	case ErrorCode(err) == NotFound || (err == nil && (v.DealerID != l.DealerID || v.Kind != linkedKind(l.Kind))):
		fe.Add("vehicle.record", MsgNotExist)
	case err != nil:
		return err
	}
	return nil
}

// linkedKind is the kind of vehicle record a lead of kind k may be linked
// to: an after-sale lead's vehicle is the client's own (Walcu's
// aftersalelead vehicle_id, a clientvehicle), any other lead's a car of
// the dealer's stock (a salelead's car_list[0].car_id).
func linkedKind(k LeadKind) VehicleKind {
	if k == LeadAftersale {
		return VehicleOwned
	}
	return VehicleStock
}

// VehicleRecordLeads counts, for each of the dealer's vehicle records
// recordIDs (at most MaxQueryValues), the dealer's leads linked to it by
// kind, with the creation of the latest: one query. A record no lead is
// linked to is left out; a dealer the principal may not see has none.
func (s *Service) VehicleRecordLeads(ctx context.Context, dealerID int64, recordIDs []int64) (map[int64][]LeadTally, error) {
	ids, ok, err := derivedScope(ctx, dealerID, recordIDs, "vehicle")
	if !ok || err != nil {
		return map[int64][]LeadTally{}, err
	}
	return s.store.VehicleRecordLeads(ctx, dealerID, ids)
}
