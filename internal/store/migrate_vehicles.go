package store

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"math"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// Migration 0030 (a Go migration, goMigrations): the Walcu cars and
// clientvehicles kept as core documents (collections "walcu.cars" and
// "walcu.clientvehicles", migration 0016) become vehicle records
// (migration 0029) with the same public id, dealer, creator, times and
// version, so that every link to them (a lead's vehicle_id or car_id, a
// saved URL) still finds them. It maps the body as Walcu's backend maps a
// document it is given (internal/walcu/vehicles.go; docs/walcu.md,
// "cars and clientvehicles"): license_plate, vin, make, model, version,
// year, mileage, fuel, color to the columns, a car's retail price
// (prices.retail.current_price.price) to price, a clientvehicle's current
// owner (the owner_history entry without to_date, a client of the same
// dealer) or else the document's client to client_id, and every other
// field, and a value a column cannot hold, to ext under "walcu.". Down
// writes them back as documents (the columns into the body, the rest
// from ext) and deletes the records.

// vehicleDocumentKinds are the document collections 0030 moves, and the
// kind each becomes.
var vehicleDocumentKinds = map[string]core.VehicleKind{"walcu.cars": core.VehicleStock, "walcu.clientvehicles": core.VehicleOwned}

// walcuVehicleText are the Walcu fields kept in text columns, with the
// largest length each holds.
var walcuVehicleText = []struct {
	field, col string
	max        int
}{{"license_plate", "plate", core.MaxPlate}, {"vin", "vin", core.MaxVIN}, {"make", "make", core.MaxShortText},
	{"model", "model", core.MaxShortText}, {"version", "variant", core.MaxShortText}, {"fuel", "fuel", core.MaxShortText},
	{"color", "colour", core.MaxShortText}}

// walcuVehicleEnvelope are the fields of a document its row holds.
var walcuVehicleEnvelope = []string{"_id", "__v", "dealer_id", "created_at", "updated_at", "updated_by", "computed"}

// moveVehicleDocuments is migration 0030's Up, a batch at a time.
func moveVehicleDocuments(c conn) error {
	const batch = 200
	var after int64
	for {
		type row struct {
			id, dealer, version          int64
			public, collection, body     string
			client, createdBy, updatedBy sql.NullInt64
			created, updated             int64
		}
		var rows []row
		err := eachRow(c, `SELECT id, public_id, dealer_id, collection, body, client_id, created_by, updated_by, created_at, updated_at, version
			FROM documents WHERE collection IN ('walcu.cars', 'walcu.clientvehicles') AND id > ? ORDER BY id LIMIT ?`, []any{after, batch},
			func(r *sql.Rows) error {
				var d row
				var body []byte
				if err := r.Scan(&d.id, &d.public, &d.dealer, &d.collection, &body, &d.client, &d.createdBy, &d.updatedBy, &d.created, &d.updated, &d.version); err != nil {
					return err
				}
				d.body = string(body)
				rows = append(rows, d)
				return nil
			})
		if err != nil || len(rows) == 0 {
			return err
		}
		for _, d := range rows {
			kind := vehicleDocumentKinds[d.collection]
			dec := json.NewDecoder(strings.NewReader(d.body))
			dec.UseNumber()
			var body map[string]any
			if err := dec.Decode(&body); err != nil {
				body = map[string]any{}
			}
			cols := map[string]any{}
			for _, t := range walcuVehicleText {
				if s, ok := body[t.field].(string); ok && utf8.RuneCountInString(strings.TrimSpace(s)) <= t.max && !strings.ContainsRune(s, 0) {
					cols[t.col] = strings.TrimSpace(s)
					delete(body, t.field)
				}
			}
			if n, ok := wholeNumber(body["year"]); ok && n >= core.MinYear && n <= core.MaxYear {
				cols["year"] = n
				delete(body, "year")
			}
			if n, ok := wholeNumber(body["mileage"]); ok && n >= 0 && n <= core.MaxVehicle {
				cols["km"] = n
				delete(body, "mileage")
			}
			if kind == core.VehicleStock {
				if f, ok := atPath(body, "prices", "retail", "current_price", "price").(json.Number); ok {
					if p, err := f.Float64(); err == nil && p >= 0 && p <= core.MaxVehicle {
						cols["price"] = p
					}
				}
			}
			var client any
			if kind == core.VehicleOwned {
				if owner := currentOwner(body); owner != "" {
					var id int64
					err := c.row(`SELECT id FROM clients WHERE public_id = ? AND dealer_id = ?`, owner, d.dealer).Scan(&id)
					if err == nil {
						client = id
					}
				}
				if client == nil && d.client.Valid {
					client = d.client.Int64
				}
			}
			for _, k := range walcuVehicleEnvelope {
				delete(body, k)
			}
			ext := map[string]string{}
			for k, v := range body {
				if v == nil {
					continue
				}
				var b bytes.Buffer
				enc := json.NewEncoder(&b)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(v); err != nil {
					return err
				}
				ext["walcu."+k] = strings.TrimSpace(b.String())
			}
			extText, err := encodeLeadExt(ext)
			if err != nil {
				return err
			}
			if _, err := c.exec(`INSERT INTO vehicle_records (public_id, dealer_id, kind, client_id, plate, vin, make, model, variant, year, km, fuel,
				price, colour, ext, created_by, updated_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				d.public, d.dealer, string(kind), client, orEmpty(cols["plate"]), orEmpty(cols["vin"]), orEmpty(cols["make"]), orEmpty(cols["model"]),
				orEmpty(cols["variant"]), cols["year"], cols["km"], orEmpty(cols["fuel"]), cols["price"], orEmpty(cols["colour"]), extText,
				nullInt(d.createdBy), nullInt(d.updatedBy), d.created, d.updated, d.version); err != nil {
				return err
			}
			if _, err := c.exec(`DELETE FROM documents WHERE id = ?`, d.id); err != nil {
				return err
			}
		}
		after = rows[len(rows)-1].id
	}
}

// restoreVehicleDocuments is migration 0030's Down: every vehicle record
// becomes a document of its collection again, with its public id.
func restoreVehicleDocuments(c conn) error {
	const batch = 200
	var after int64
	for {
		vs, err := loadVehicleRecords(c, `WHERE id > ? ORDER BY id LIMIT ?`, after, batch)
		if err != nil || len(vs) == 0 {
			return err
		}
		for _, v := range vs {
			body := map[string]any{}
			for k, raw := range v.Ext {
				if name, ok := strings.CutPrefix(k, "walcu."); ok {
					body[name] = json.RawMessage(raw)
				}
			}
			for f, s := range map[string]string{"license_plate": v.Plate, "vin": v.VIN, "make": v.Make, "model": v.Model, "version": v.Variant,
				"fuel": v.Fuel, "color": v.Colour} {
				if s != "" {
					body[f] = s
				}
			}
			if v.Year != nil {
				body["year"] = *v.Year
			}
			if v.Km != nil {
				body["mileage"] = *v.Km
			}
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			coll := "walcu.cars"
			if v.Kind == core.VehicleOwned {
				coll = "walcu.clientvehicles"
			}
			if _, err := c.exec(`INSERT INTO documents (public_id, dealer_id, collection, body, client_id, created_by, updated_by, created_at,
				updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.PublicID, v.DealerID, coll, string(b), ptrArg(v.ClientID),
				ptrArg(v.CreatedBy), ptrArg(v.UpdatedBy), micros(v.CreatedAt), micros(v.UpdatedAt), v.Version); err != nil {
				return err
			}
			if _, err := c.exec(`DELETE FROM vehicle_records WHERE id = ?`, v.ID); err != nil {
				return err
			}
		}
		after = vs[len(vs)-1].ID
	}
}

// currentOwner is the client_id of a clientvehicle's owner_history entry
// that has no to_date (the last such), "" when none has.
func currentOwner(body map[string]any) string {
	list, _ := body["owner_history"].([]any)
	owner := ""
	for _, e := range list {
		m, _ := e.(map[string]any)
		if to, _ := m["to_date"].(string); to != "" {
			continue
		}
		if id, ok := m["client_id"].(string); ok && id != "" {
			owner = id
		}
	}
	return owner
}

// wholeNumber is v as a whole number, when it is one.
func wholeNumber(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, false
	}
	return int64(f), true
}

// atPath is the value at the keys path of v, nil when there is none.
func atPath(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func nullInt(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}
