package store

import (
	"context"
	"database/sql"
	"errors"

	"forecourt/internal/core"
)

// Vehicle records (migration 0029, core/vehicles.go): the dealer's stock
// and its clients' own vehicles, written on their own (not through a
// lead); an owned vehicle is deleted with its client. Their Ext is one
// JSON object by API, as a lead's (encodeLeadExt), so that queries reach
// into it (queryext.go).

const vehicleCols = `id, public_id, dealer_id, kind, client_id, plate, vin, make, model, variant, year, km, fuel, price, colour, ext,
	created_by, updated_by, created_at, updated_at, version`

// vehicleTable maps core.VehicleSchema onto vehicle_records.
var vehicleTable = tableSQL{
	schema: &core.VehicleSchema,
	table:  "vehicle_records",
	fields: map[string]fieldSQL{
		"id":         {col: "id"},
		"public_id":  {col: "public_id"},
		"dealer":     {col: "dealer_id"},
		"client":     {col: "client_id"},
		"kind":       {col: "kind"},
		"plate":      {col: "plate"},
		"vin":        {col: "vin"},
		"make":       {col: "make"},
		"model":      {col: "model"},
		"variant":    {col: "variant"},
		"year":       {col: "year"},
		"km":         {col: "km"},
		"fuel":       {col: "fuel"},
		"price":      {col: "price"},
		"colour":     {col: "colour"},
		"created_by": {col: "created_by"},
		"updated_by": {col: "updated_by"},
		"created_at": {col: "created_at"},
		"updated_at": {col: "updated_at"},
		"version":    {col: "version"},
	},
	search: func(c conn, term string) (string, []any) {
		return likeAny(c.pg, term, "plate", "vin", "make", "model", "variant")
	},
}

func scanVehicleRecord(r interface{ Scan(...any) error }, v *core.VehicleRecord) error {
	var client, year, km, createdBy, updatedBy sql.NullInt64
	var price sql.NullFloat64
	var kind, ext string
	var created, updated int64
	if err := r.Scan(&v.ID, &v.PublicID, &v.DealerID, &kind, &client, &v.Plate, &v.VIN, &v.Make, &v.Model, &v.Variant, &year, &km,
		&v.Fuel, &price, &v.Colour, &ext, &createdBy, &updatedBy, &created, &updated, &v.Version); err != nil {
		return err
	}
	v.Kind, v.ClientID, v.Km = core.VehicleKind(kind), int64Ptr(client), int64Ptr(km)
	v.Year, v.Price = nil, nil
	if year.Valid {
		y := int(year.Int64)
		v.Year = &y
	}
	if price.Valid {
		p := price.Float64
		v.Price = &p
	}
	v.CreatedBy, v.UpdatedBy = int64Ptr(createdBy), int64Ptr(updatedBy)
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	var err error
	v.Ext, err = decodeLeadExt(ext)
	return err
}

func loadVehicleRecords(c conn, tail string, args ...any) ([]core.VehicleRecord, error) {
	return queryAll(c, `SELECT `+vehicleCols+` FROM vehicle_records `+tail, args, func(r *sql.Rows, v *core.VehicleRecord) error {
		return scanVehicleRecord(r, v)
	})
}

// vehicleArgs are v's written columns: client_id, plate, vin, make,
// model, variant, year, km, fuel, price, colour, ext, updated_by,
// updated_at.
func vehicleArgs(v *core.VehicleRecord) ([]any, error) {
	ext, err := encodeLeadExt(v.Ext)
	if err != nil {
		return nil, err
	}
	var year any
	if v.Year != nil {
		year = int64(*v.Year)
	}
	var km, price any
	if v.Km != nil {
		km = *v.Km
	}
	if v.Price != nil {
		price = *v.Price
	}
	return []any{ptrArg(v.ClientID), v.Plate, v.VIN, v.Make, v.Model, v.Variant, year, km, v.Fuel, price, v.Colour, ext,
		ptrArg(v.UpdatedBy), micros(v.UpdatedAt)}, nil
}

// VehicleRecord implements core.VehicleRecords.VehicleRecord.
func (s *Store) VehicleRecord(ctx context.Context, id int64) (core.VehicleRecord, error) {
	var v core.VehicleRecord
	err := scanVehicleRecord(s.reader(ctx).row(`SELECT `+vehicleCols+` FROM vehicle_records WHERE id = ?`, id), &v)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("vehicle", id)
	}
	if err != nil {
		return core.VehicleRecord{}, dbError(err, "vehicle", "vehicle", id)
	}
	return v, nil
}

// AddVehicleRecord implements core.VehicleRecords.AddVehicleRecord.
func (s *Store) AddVehicleRecord(ctx context.Context, v *core.VehicleRecord, h *core.VehicleChange) error {
	if v.PublicID == "" {
		v.PublicID = newPublicID()
	}
	args, err := vehicleArgs(v)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		id, err := c.insert(`INSERT INTO vehicle_records (public_id, dealer_id, kind, created_by, created_at, client_id, plate, vin, make, model,
			variant, year, km, fuel, price, colour, ext, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{v.PublicID, v.DealerID, string(v.Kind), ptrArg(v.CreatedBy), micros(v.CreatedAt)}, args...)...)
		if err != nil {
			return err
		}
		v.ID, v.Version = id, 1
		return insertVehicleChange(c, h, id)
	})
	return dbError(err, "add vehicle", "vehicle", v.PublicID)
}

// SaveVehicleRecord implements core.VehicleRecords.SaveVehicleRecord: one
// statement, conditional on the version.
func (s *Store) SaveVehicleRecord(ctx context.Context, v *core.VehicleRecord, version int, h *core.VehicleChange) error {
	args, err := vehicleArgs(v)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		res, err := c.exec(`UPDATE vehicle_records SET client_id = ?, plate = ?, vin = ?, make = ?, model = ?, variant = ?, year = ?, km = ?,
			fuel = ?, price = ?, colour = ?, ext = ?, updated_by = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?`,
			append(args, version+1, v.ID, version)...)
		if err != nil {
			return err
		}
		if err := vehicleStaleOrGone(c, res, v.ID); err != nil {
			return err
		}
		return insertVehicleChange(c, h, v.ID)
	})
	if err != nil {
		return dbError(err, "save vehicle", "vehicle", v.ID)
	}
	v.Version = version + 1
	return nil
}

// vehicleStaleOrGone answers, when res changed no row of record id:
// NotFound when there is none, ErrStaleVersion when it has another
// version.
func vehicleStaleOrGone(c conn, res sql.Result, id int64) error {
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	var one int
	err = c.row(`SELECT 1 FROM vehicle_records WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("vehicle", id)
	}
	if err != nil {
		return err
	}
	return core.ErrStaleVersion
}

// DeleteVehicleRecord implements core.VehicleRecords.DeleteVehicleRecord.
func (s *Store) DeleteVehicleRecord(ctx context.Context, id int64, version int, h *core.VehicleChange) error {
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(`DELETE FROM vehicle_records WHERE id = ? AND (? = 0 OR version = ?)`, id, version, version)
		if err != nil {
			return err
		}
		if err := vehicleStaleOrGone(c, res, id); err != nil {
			return err
		}
		return insertVehicleChange(c, h, id)
	})
	return dbError(err, "delete vehicle", "vehicle", id)
}

// FindVehicleRecords implements core.VehicleRecords.FindVehicleRecords.
func (s *Store) FindVehicleRecords(ctx context.Context, dealers []int64, q core.Query) ([]core.VehicleRecord, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	t, err := vehicleTable.withExt("vehicle_records", q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	scope, args := inScope("dealer_id", dealers)
	return findPage(s, ctx, &t, scope, args, q, loadVehicleRecords)
}

// GroupVehicleRecords implements core.VehicleRecords.GroupVehicleRecords.
func (s *Store) GroupVehicleRecords(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	t, err := vehicleTable.withExt("vehicle_records", q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	scope, args := inScope("dealer_id", dealers)
	return groupPage(s, ctx, &t, scope, args, q)
}
