package core

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// VehicleKind says whose a vehicle record is.
type VehicleKind string

// The vehicle kinds.
const (
	VehicleStock VehicleKind = "stock" // the dealer's, for sale (Walcu's cars)
	VehicleOwned VehicleKind = "owned" // a client's own vehicle (Walcu's clientvehicles)
)

// VehicleKinds lists every vehicle kind.
var VehicleKinds = []VehicleKind{VehicleStock, VehicleOwned}

// Valid reports whether k is a known vehicle kind.
func (k VehicleKind) Valid() bool { return slices.Contains(VehicleKinds, k) }

// RecordVehicle is the kind of the vehicle records' public ids.
const RecordVehicle RecordKind = "vehicle"

// VehicleRecord is a vehicle the dealer knows on its own, not as a lead's
// vehicle of interest (Vehicle): a car of its stock, or a client's own
// vehicle, which the client owns (ClientID) and which is deleted with the
// client and moves with it when clients are merged. A lead's vehicle of
// interest stays the lead's Vehicle (SML's vehicle, as every API renders
// it); an API may name the stock car a lead is about beside it (Walcu's
// car_list[].car_id), and show that car's current fields with the lead.
// See docs/decisions.md, "Vehicles".
type VehicleRecord struct {
	ID       int64
	PublicID string // UUIDv7
	DealerID int64
	Kind     VehicleKind
	// ClientID is the owner of an owned vehicle (nil: not known); a
	// stock vehicle has none.
	ClientID *int64
	Plate    string // the licence plate, as written
	VIN      string
	Make     string
	Model    string
	Variant  string // the version or trim ("1.5 TSI Xcellence")
	Year     *int
	Km       *int64 // the mileage
	Fuel     string
	Price    *float64 // the sale price (a stock car's), in the dealer's currency
	Colour   string
	// Ext holds what only one API has, keyed "<api>.<field>" with JSON
	// values, as Lead.Ext.
	Ext       map[string]string
	CreatedBy *int64
	UpdatedBy *int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version is 1 when the record is made and grows by one with every
	// change of it.
	Version int
}

// Bounds of a vehicle record.
const (
	MaxVIN     = 32
	MaxVehicle = 1 << 40 // the largest mileage or price
)

// VehicleRecords reads and writes vehicle records (vehicles.go); every
// Store is one.
type VehicleRecords interface {
	// VehicleRecord returns vehicle record id; NotFound when there is none.
	VehicleRecord(ctx context.Context, id int64) (VehicleRecord, error)
	// AddVehicleRecord stores v and sets its ID, PublicID (when empty)
	// and Version (1); and h (when not nil), v's history entry, in the
	// same transaction, with h.VehicleID v's new id. Save and Delete
	// store theirs likewise (vehiclehistory.go).
	AddVehicleRecord(ctx context.Context, v *VehicleRecord, h *VehicleChange) error
	// SaveVehicleRecord writes v over the stored record when that has
	// version, with the next version, which it sets on v; ErrStaleVersion
	// when it has another; NotFound when there is none.
	SaveVehicleRecord(ctx context.Context, v *VehicleRecord, version int, h *VehicleChange) error
	// DeleteVehicleRecord deletes record id when it has version (0: any);
	// ErrStaleVersion when it has another.
	DeleteVehicleRecord(ctx context.Context, id int64, version int, h *VehicleChange) error
	// VehicleHistory lists record id's history entries, oldest first, at
	// most limit.
	VehicleHistory(ctx context.Context, id int64, limit int) ([]VehicleChange, error)
	// FindVehicleRecords lists the records of dealerIDs that q selects.
	FindVehicleRecords(ctx context.Context, dealerIDs []int64, q Query) ([]VehicleRecord, int, error)
	// GroupVehicleRecords counts them per value of q.GroupBy, most first.
	GroupVehicleRecords(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
}

// VehicleSchema is the registry of a vehicle record's fields. Plate, VIN,
// make and model are indexed with the dealer and kind (migration 0029);
// the search finds a term in the plate, VIN, make, model and variant.
var VehicleSchema = Schema{
	Entity: "vehicle",
	Fields: map[string]FieldSpec{
		"id":         {Type: TypeInt, Sort: true},
		"public_id":  {Type: TypeText},
		"dealer":     {Type: TypeInt, Group: true},
		"client":     {Type: TypeInt, Group: true},
		"kind":       {Type: TypeText, Group: true},
		"plate":      {Type: TypeText, Sort: true, Group: true},
		"vin":        {Type: TypeText, Sort: true, Group: true},
		"make":       {Type: TypeText, Sort: true, Group: true},
		"model":      {Type: TypeText, Sort: true, Group: true},
		"variant":    {Type: TypeText, Group: true},
		"year":       {Type: TypeInt, Sort: true, Group: true},
		"km":         {Type: TypeInt, Sort: true},
		"fuel":       {Type: TypeText, Group: true},
		"price":      {Type: TypeFloat, Sort: true},
		"colour":     {Type: TypeText, Group: true},
		"created_by": {Type: TypeInt, Group: true},
		"updated_by": {Type: TypeInt, Group: true},
		"created_at": {Type: TypeTime, Sort: true},
		"updated_at": {Type: TypeTime, Sort: true},
		"version":    {Type: TypeInt},
	},
	Search:      "the plate, the VIN, the make, the model and the variant",
	DefaultSort: []Sort{{Field: "id"}},
}

// Clone returns a deep copy of v.
func (v VehicleRecord) Clone() VehicleRecord {
	v.ClientID, v.Year, v.Km, v.Price = clonePtr(v.ClientID), clonePtr(v.Year), clonePtr(v.Km), clonePtr(v.Price)
	v.CreatedBy, v.UpdatedBy = clonePtr(v.CreatedBy), clonePtr(v.UpdatedBy)
	v.Ext = maps.Clone(v.Ext)
	return v
}

// validateVehicleRecord checks v and trims its texts; paths are its
// fields.
func validateVehicleRecord(v *VehicleRecord) FieldErrors {
	fe := FieldErrors{}
	if !v.Kind.Valid() {
		fe.Add("kind", MsgInvalidChoice)
	}
	if v.Kind == VehicleStock && v.ClientID != nil {
		fe.Add("client", MsgInvalid) // a stock car is the dealer's
	}
	for _, t := range []struct {
		path string
		s    *string
		max  int
	}{{"plate", &v.Plate, MaxPlate}, {"vin", &v.VIN, MaxVIN}, {"make", &v.Make, MaxShortText}, {"model", &v.Model, MaxShortText},
		{"variant", &v.Variant, MaxShortText}, {"fuel", &v.Fuel, MaxShortText}, {"colour", &v.Colour, MaxShortText}} {
		*t.s = strings.TrimSpace(*t.s)
		checkLen(fe, t.path, *t.s, t.max)
	}
	checkYear(fe, "year", v.Year)
	if v.Km != nil && (*v.Km < 0 || *v.Km > MaxVehicle) {
		fe.Add("km", MsgOutOfRange)
	}
	if v.Price != nil && (math.IsNaN(*v.Price) || *v.Price < 0 || *v.Price > MaxVehicle) {
		fe.Add("price", MsgOutOfRange)
	}
	checkLeadExt(fe, v.Ext)
	return fe
}

// checkOwner records on fe an owner that is no client of dealerID.
func (s *Service) checkOwner(ctx context.Context, fe FieldErrors, v VehicleRecord, old *VehicleRecord) error {
	var was *int64
	if old != nil {
		was = old.ClientID
	}
	return s.checkLink(ctx, fe, "client", RecordClient, v.ClientID, was, v.DealerID)
}

// CreateVehicleRecord stores a new vehicle record of one of the
// principal's dealers, made by the principal's user; an owned vehicle's
// owner, when given, is a client of that dealer.
func (s *Service) CreateVehicleRecord(ctx context.Context, v VehicleRecord) (VehicleRecord, error) {
	normaliseTexts(&v) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return VehicleRecord{}, err
	}
	if !p.CanSee(v.DealerID) {
		return VehicleRecord{}, errNotFound("dealer")
	}
	nv := v.Clone()
	now := s.Now()
	nv.ID, nv.Version, nv.CreatedAt, nv.UpdatedAt = 0, 0, now, now
	nv.CreatedBy, nv.UpdatedBy = p.UserRef(), p.UserRef()
	fe := validateVehicleRecord(&nv)
	if err := s.checkOwner(ctx, fe, nv, nil); err != nil {
		return VehicleRecord{}, err
	}
	if err := fe.Err(); err != nil {
		return VehicleRecord{}, err
	}
	if err := s.store.AddVehicleRecord(ctx, &nv, vehicleChange(p, HistoryCreated, nil, &nv, now)); err != nil {
		return VehicleRecord{}, err
	}
	return nv, nil
}

// FindVehicleRecord returns a vehicle record of the principal's dealers;
// another dealer's is NotFound, like one that does not exist.
func (s *Service) FindVehicleRecord(ctx context.Context, id int64) (VehicleRecord, error) {
	return findOfDealer(ctx, "vehicle", func() (VehicleRecord, error) { return s.store.VehicleRecord(ctx, id) },
		func(v VehicleRecord) int64 { return v.DealerID })
}

// UpdateVehicleRecord writes v's fields, owner and Ext over record v.ID
// when it still has v.Version (0: whatever it has; ErrStaleVersion
// otherwise, also when it changes between its read and its write). Its
// dealer, kind and creation never change. One that changes nothing writes
// nothing.
func (s *Service) UpdateVehicleRecord(ctx context.Context, v VehicleRecord) (VehicleRecord, error) {
	normaliseTexts(&v) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return VehicleRecord{}, err
	}
	cur, err := s.FindVehicleRecord(ctx, v.ID)
	if err != nil {
		return VehicleRecord{}, err
	}
	if err := checkVersion("", v.Version, cur.Version); err != nil {
		return VehicleRecord{}, err
	}
	nv := v.Clone()
	nv.PublicID, nv.DealerID, nv.Kind, nv.CreatedBy, nv.CreatedAt = cur.PublicID, cur.DealerID, cur.Kind, cur.CreatedBy, cur.CreatedAt
	nv.UpdatedBy, nv.UpdatedAt = cur.UpdatedBy, cur.UpdatedAt
	fe := validateVehicleRecord(&nv)
	if err := s.checkOwner(ctx, fe, nv, &cur); err != nil {
		return VehicleRecord{}, err
	}
	if err := fe.Err(); err != nil {
		return VehicleRecord{}, err
	}
	if sameVehicleRecord(cur, nv) {
		return cur, nil
	}
	nv.UpdatedBy, nv.UpdatedAt = p.UserRef(), s.Now()
	if err := s.store.SaveVehicleRecord(ctx, &nv, cur.Version, vehicleChange(p, HistoryChanged, &cur, &nv, nv.UpdatedAt)); err != nil {
		return VehicleRecord{}, err
	}
	return nv, nil
}

func sameVehicleRecord(a, b VehicleRecord) bool {
	return sameID(a.ClientID, b.ClientID) && a.Plate == b.Plate && a.VIN == b.VIN && a.Make == b.Make && a.Model == b.Model &&
		a.Variant == b.Variant && samePtr(a.Year, b.Year) && samePtr(a.Km, b.Km) && a.Fuel == b.Fuel && samePtr(a.Price, b.Price) &&
		a.Colour == b.Colour && maps.Equal(a.Ext, b.Ext)
}

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// DeleteVehicleRecord deletes a vehicle record of the principal's
// dealers; version, when not 0, is the version the caller read.
func (s *Service) DeleteVehicleRecord(ctx context.Context, id int64, version int) error {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return err
	}
	cur, err := s.FindVehicleRecord(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("", version, cur.Version); err != nil {
		return err
	}
	return s.store.DeleteVehicleRecord(ctx, id, version, vehicleChange(p, HistoryDeleted, nil, &cur, s.Now()))
}

// FindVehicleRecords lists the vehicle records of the principal's dealers
// that q selects (VehicleSchema with q.Ext). A condition on "dealer" at
// the top of q.Where narrows the dealers.
func (s *Service) FindVehicleRecords(ctx context.Context, q Query) ([]VehicleRecord, int, error) {
	sc, err := VehicleSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindVehicleRecords(ctx, ids, q)
}

// GroupVehicleRecords counts the vehicle records of the principal's
// dealers that q selects per value of q.GroupBy, most first (at most
// MaxGroups).
func (s *Service) GroupVehicleRecords(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := VehicleSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupVehicleRecords(ctx, ids, q)
}
