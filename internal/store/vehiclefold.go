package store

import (
	"strings"

	"forecourt/internal/core"
)

// On SQLite a vehicle's make, model, plate and VIN are kept lower-cased
// too, in columns of their own (migration 0055: make_fold, model_fold,
// plate_fold, vin_fold), which the store writes wherever it writes the
// vehicle and which the indexes vehicles_make, _model, _plate and _vin
// are of: WQL's comparison case aside (docs/walcu.md, "WQL compares text
// case aside") reads them. An index of an expression over unicode_lower
// (0053) made the database unwritable and uncheckable by any client but
// the server; plain columns leave it a plain SQLite file. PostgreSQL
// indexes its own lower(), and has no such columns.

// vehicleFoldCols are the fold columns, in vehicleFolds's order.
const vehicleFoldCols = "make_fold, model_fold, plate_fold, vin_fold"

// vehicleFoldSet sets them in an UPDATE (after other assignments).
const vehicleFoldSet = ", make_fold = ?, model_fold = ?, plate_fold = ?, vin_fold = ?"

// vehicleFolds are v's fold columns' values: lower-cased as the queries
// lower-case the values they compare (foldText, lowerIndexArgs).
func vehicleFolds(v *core.Vehicle) []any {
	return []any{foldText(v.Make), foldText(v.Model), foldText(v.Plate), foldText(v.VIN)}
}

// foldText is the store's lower-casing of compared text, Go's, as
// unicode_lower's (sql.go).
func foldText(s string) string { return strings.ToLower(s) }

// foldColumn is the column holding col's lower-cased text on SQLite, for a
// field with lowerIndex (one of the vehicle's "v.make", "v.model",
// "v.plate", "v.vin").
func foldColumn(col string) string { return col + "_fold" }
