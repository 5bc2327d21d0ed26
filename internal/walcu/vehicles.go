package walcu

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"forecourt/internal/core"
)

// vehicleBackend serves cars (the dealer's stock) and clientvehicles (a
// client's own vehicles) as the core's vehicle records
// (core.VehicleRecord) of one kind:
//
//	_id, __v, dealer_id, created_at, updated_at   the record's
//	updated_by       the user who last changed it (public id)
//	license_plate    Plate
//	vin              VIN
//	make, model      Make, Model
//	version          Variant
//	year             Year (0: not known, kept as written)
//	mileage          Km
//	fuel             Fuel
//	color            Colour
//	prices.retail.current_price.price   Price (cars; the prices object is kept whole)
//	owner_history    its entry without to_date names the owner, ClientID
//	                 (clientvehicles; a client of the dealer; kept as written)
//
// Every other field is the record's Ext under "walcu.<field>", a JSON
// text, queried as the leads' and clients' are (extquery.go). See
// docs/walcu.md, "cars and clientvehicles".
type vehicleBackend struct {
	svc  *core.Service
	coll *collection
	kind core.VehicleKind
	ext  map[string]core.FieldSpec // the fields kept in Ext a query may name
}

func newVehicleBackend(svc *core.Service, c *collection, kind core.VehicleKind) *vehicleBackend {
	b := &vehicleBackend{svc: svc, coll: c, kind: kind}
	b.ext = extSpecs(c, func(path string) bool {
		_, col := b.fields()[path]
		top := topField(path)
		return !col && !isEnvelope(top) && top != "computed"
	})
	return b
}

// vehicleText are the text fields of a car or clientvehicle the core
// holds, and the core's field of each.
var vehicleText = []struct{ walcu, core string }{{"license_plate", "plate"}, {"vin", "vin"}, {"make", "make"}, {"model", "model"},
	{"version", "variant"}, {"fuel", "fuel"}, {"color", "colour"}}

// textsOf are v's text fields in vehicleText's order.
func textsOf(v *core.VehicleRecord) []*string {
	return []*string{&v.Plate, &v.VIN, &v.Make, &v.Model, &v.Variant, &v.Fuel, &v.Colour}
}

// retailPrice is where a car's price is.
var retailPrice = []string{"prices", "retail", "current_price", "price"}

// fields are the paths of the collection's documents a query may name
// that are the core's columns.
func (b *vehicleBackend) fields() map[string]qfield {
	out := map[string]qfield{
		"year":    {core: "year", kind: kNumber},
		"mileage": {core: "km", kind: kNumber},
	}
	for _, t := range vehicleText {
		out[t.walcu] = qfield{core: t.core, kind: kString}
	}
	if b.kind == core.VehicleStock {
		out[strings.Join(retailPrice, ".")] = qfield{core: "price", kind: kNumber}
	}
	return out
}

func (b *vehicleBackend) one(r *request, id string) (core.VehicleRecord, error) {
	return recordOf(r, core.RecordVehicle, b.coll.singular, id, func(n int64) (core.VehicleRecord, error) { return b.svc.FindVehicleRecord(r.ctx, n) },
		func(v core.VehicleRecord) bool { return v.DealerID == r.dealer.ID && v.Kind == b.kind }, b.err)
}

func (b *vehicleBackend) get(r *request, id string) (doc, error) {
	v, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	return b.renderOne(r, v)
}

func (b *vehicleBackend) renderOne(r *request, v core.VehicleRecord) (doc, error) {
	return renderFirst(r, v, b.render)
}

// parse reads body (checked against the schema) as a vehicle record of
// the dealer.
func (b *vehicleBackend) parse(r *request, body doc) (core.VehicleRecord, error) {
	v := core.VehicleRecord{DealerID: r.dealer.ID, Kind: b.kind, Ext: map[string]string{}}
	kept := map[string]bool{}
	for i, p := range textsOf(&v) {
		if s, ok := body[vehicleText[i].walcu].(string); ok {
			*p, kept[vehicleText[i].walcu] = s, true
		}
	}
	if n, ok := body["year"].(json.Number); ok && n.String() != "0" { // 0: not known (the document's examples), kept as written
		y, err := n.Int64()
		if err != nil {
			return v, invalidField("year", "must be a whole year")
		}
		year := int(y)
		v.Year, kept["year"] = &year, true
	}
	if n, ok := body["mileage"].(json.Number); ok {
		km, err := n.Int64()
		if f, ferr := n.Float64(); err != nil && ferr == nil && f == math.Trunc(f) && math.Abs(f) <= core.MaxVehicle {
			km, err = int64(f), nil // 1e3, 15000.0: a whole number written otherwise
		}
		if err != nil {
			return v, invalidField("mileage", "must be a whole number of kilometres")
		}
		v.Km, kept["mileage"] = &km, true
	}
	if b.kind == core.VehicleStock {
		if n, ok := at(body, retailPrice...).(json.Number); ok {
			p, err := n.Float64()
			if err != nil {
				return v, invalidField(strings.Join(retailPrice, "."), "must be a number")
			}
			v.Price = &p
		}
	}
	if b.kind == core.VehicleOwned {
		if owner := currentOwner(body); owner != "" {
			n, err := b.svc.ResolvePublicID(r.ctx, core.RecordClient, owner)
			if err != nil {
				return v, invalidField("owner_history", "the current owner (the entry without to_date) is no client of the dealer")
			}
			v.ClientID = &n
		}
	}
	for k, x := range body {
		if kept[k] || isEnvelope(k) || x == nil {
			continue
		}
		raw, err := encodeExt(x)
		if err != nil {
			return v, err
		}
		v.Ext[extPrefix+k] = raw
	}
	return v, nil
}

// currentOwner is the client_id of a clientvehicle's owner_history entry
// without to_date (the last such), "" when none has one.
func currentOwner(body doc) string {
	owner := ""
	for _, e := range asList(body["owner_history"]) {
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

func (b *vehicleBackend) create(r *request, body doc) (doc, error) {
	v, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	v, err = b.svc.CreateVehicleRecord(r.ctx, v)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(b.renderOne(r, v))
}

func (b *vehicleBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	cur, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	v, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	v.ID, v.Version, v.Ext = cur.ID, version, extOver(cur.Ext, v.Ext)
	v, err = b.svc.UpdateVehicleRecord(r.ctx, v)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(b.renderOne(r, v))
}

func (b *vehicleBackend) remove(r *request, id string) error {
	v, err := b.one(r, id)
	if err != nil {
		return err
	}
	return b.err(b.svc.DeleteVehicleRecord(r.ctx, v.ID, 0))
}

func (b *vehicleBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), core.Eq("kind", string(b.kind)), q.Where)
	q.Ext = core.NamedExt(b.ext, q)
	return q
}

func (b *vehicleBackend) find(r *request, q core.Query) ([]doc, error) {
	vs, _, err := b.svc.FindVehicleRecords(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, b.fields())
	}
	return b.render(r, vs)
}

func (b *vehicleBackend) group(r *request, q core.Query) ([]core.Group, error) {
	gs, err := b.svc.GroupVehicleRecords(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, b.fields())
	}
	return renderGroups(r, q.GroupBy, gs)
}

func (b *vehicleBackend) field(r *request, path string) (qfield, error) {
	if f, ok := envelopeField(path, true); ok {
		return f, nil
	}
	if f, ok := b.fields()[path]; ok {
		return f, nil
	}
	if _, ok := b.ext[extQueryPrefix+path]; ok {
		return extQField(b.coll, path), nil
	}
	if _, ok := b.coll.fields[path]; ok {
		return qfield{}, notQueryable(path, "the server's: not filterable")
	}
	return qfield{}, unknownField(b.coll, path)
}

func (b *vehicleBackend) err(err error) error {
	if err == nil {
		return nil
	}
	names := map[string]string{"client": "owner_history", "km": "mileage", "price": strings.Join(retailPrice, ".")}
	for _, t := range vehicleText {
		names[t.core] = t.walcu
	}
	return toAPIError(err, docFieldNames(names))
}

// render answers vehicle records as documents: the users who changed
// them read once.
func (b *vehicleBackend) render(r *request, vs []core.VehicleRecord) ([]doc, error) {
	var ids []int64
	for _, v := range vs {
		if v.UpdatedBy != nil {
			ids = append(ids, *v.UpdatedBy)
		}
	}
	users, err := usersByID(r, core.DistinctIDs(ids))
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(vs))
	for _, v := range vs {
		d := vehicleDoc(v, nil)
		d["__v"] = v.Version - 1
		d["dealer_id"] = dealerID(r.dealer)
		d["created_at"] = formatValue(v.CreatedAt)
		d["updated_at"] = formatValue(v.UpdatedAt)
		d["updated_by"] = nil
		if v.UpdatedBy != nil {
			d["updated_by"] = users[*v.UpdatedBy]
		}
		c := doc{"_id": v.PublicID}
		if v.Kind == core.VehicleStock {
			if v.Price != nil {
				c["price"] = priceNumber(*v.Price)
			}
			if imgs := asList(d["images"]); len(imgs) > 0 {
				c["car_main_image"] = imgs[0]
			}
		}
		if v.Kind == core.VehicleOwned {
			c["average_yearly_mileage"] = averageYearlyMileage(v, d)
		}
		d["computed"] = c
		out = append(out, d)
	}
	if b.kind == core.VehicleOwned {
		return out, vehicleOrders(r, vs, out)
	}
	return out, carSaleleads(b.svc, r, vs, out)
}

// vehicleDoc is a vehicle record's own fields as a document shows them
// (and a lead's computed car_* and vehicle): its Ext, then the core's
// fields over it. only, when not nil, are the fields of its Ext wanted
// (the others are not decoded).
func vehicleDoc(v core.VehicleRecord, only map[string]bool) doc {
	d := doc{}
	for _, k := range slices.Sorted(maps.Keys(v.Ext)) {
		name, ok := strings.CutPrefix(k, extPrefix)
		if !ok || (only != nil && !only[name]) {
			continue
		}
		if x, err := decodeExt(v.Ext[k]); err == nil {
			d[name] = x
		}
	}
	d["_id"] = v.PublicID
	for i, p := range textsOf(&v) {
		if *p != "" {
			d[vehicleText[i].walcu] = *p
		}
	}
	if v.Year != nil {
		d["year"] = json.Number(strconv.Itoa(*v.Year))
	}
	if v.Km != nil {
		d["mileage"] = json.Number(strconv.FormatInt(*v.Km, 10))
	}
	if v.Price != nil && v.Kind == core.VehicleStock {
		m := d
		for _, k := range retailPrice[:len(retailPrice)-1] {
			next, _ := m[k].(map[string]any)
			if next == nil {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[retailPrice[len(retailPrice)-1]] = priceNumber(*v.Price)
	}
	return d
}

// priceNumber is a price as a JSON number, as short as it reads.
func priceNumber(p float64) json.Number { return json.Number(strconv.FormatFloat(p, 'f', -1, 64)) }

// stockCarFields are the fields of a car a salelead's computed shows of
// its first car as car_<field> (the document's computed; price is
// car_current_price, custom car_customs).
var stockCarFields = []string{"ad_urls", "body_style", "category", "dealer_ad_url", "doors", "fuel", "images", "license_plate", "make",
	"mileage", "model", "power", "seats", "stock_number", "transmission", "type", "version", "vin", "year"}

// clientVehicleFields are the fields of a clientvehicle an aftersalelead's
// computed.vehicle shows (custom is vehicle_customs).
var clientVehicleFields = []string{"body_style", "category", "doors", "fuel", "images", "license_plate", "make", "mileage", "model", "power",
	"seats", "transmission", "version", "vin", "year"}

// computedFrom are the fields of a car or clientvehicle a lead's
// computed shows.
var computedFrom = func() map[string]bool {
	m := map[string]bool{"custom": true, "prices": true, "status": true}
	for _, k := range append(slices.Clone(stockCarFields), clientVehicleFields...) {
		m[k] = true
	}
	return m
}()

// vehiclesComputed fills the computed fields a page of lead documents
// derives from the vehicle records they name, read once for the page and
// as they are now, so that a change of the car shows on its leads: a
// salelead's car_* (of car_list[0]'s car_id, a stock car of the dealer;
// else of the car as written in the lead) and car_list (one entry per
// car), an aftersalelead's vehicle (its vehicle_id's clientvehicle).
func (b *leadBackend) vehiclesComputed(r *request, ds []doc) error {
	var ids []any
	for _, d := range ds {
		switch b.kind {
		case core.LeadSale:
			for _, e := range asList(d["car_list"]) {
				if id, ok := at(e, "car_id").(string); ok && id != "" {
					ids = append(ids, id)
				}
			}
		case core.LeadAftersale:
			if id, ok := d["vehicle_id"].(string); ok && id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 && b.kind != core.LeadSale {
		return nil
	}
	records := map[string]doc{}
	if len(ids) > 0 {
		kind := core.VehicleStock
		if b.kind == core.LeadAftersale {
			kind = core.VehicleOwned
		}
		slices.SortFunc(ids, func(x, y any) int { return strings.Compare(x.(string), y.(string)) })
		ids = slices.Compact(ids)
		for part := range slices.Chunk(ids, core.MaxQueryValues) {
			vs, _, err := b.svc.FindVehicleRecords(r.ctx, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID), core.Eq("kind", string(kind)),
				core.In("public_id", part...)), Limit: len(part)})
			if err != nil {
				return err
			}
			for _, v := range vs {
				records[v.PublicID] = vehicleDoc(v, computedFrom)
			}
		}
	}
	for _, d := range ds {
		c, _ := d["computed"].(doc)
		if c == nil {
			continue
		}
		switch b.kind {
		case core.LeadSale:
			list := []any{}
			for i, e := range asList(d["car_list"]) {
				car, _ := at(e, "car").(map[string]any)
				id, _ := at(e, "car_id").(string)
				if rec, ok := records[id]; ok {
					car = rec
				}
				entry := carSummary(car, stockCarFields)
				if p, ok := at(car, retailPrice...).(json.Number); ok && records[id] != nil {
					entry["price"] = p
				} else if p, ok := car["price"]; ok {
					entry["price"] = p
				}
				if s, ok := at(car, "status", "status").(string); ok {
					entry["status"] = s
				}
				if id != "" {
					entry["car_id"] = id
				}
				list = append(list, entry)
				if i == 0 && records[id] != nil {
					// the stock car as it is now, not as the lead wrote it
					for k := range c {
						if strings.HasPrefix(k, "car_") && k != "car_list" {
							delete(c, k)
						}
					}
					for k, v := range entry {
						switch k {
						case "car_id", "car_customs":
							c[k] = v
						case "price":
							c["car_current_price"] = v
						case "status":
						default:
							c["car_"+k] = v
						}
					}
					if imgs, ok := car["images"].([]any); ok {
						c["car_number_of_photos"] = len(imgs)
					}
				}
			}
			c["car_list"] = list
		case core.LeadAftersale:
			id, _ := d["vehicle_id"].(string)
			if rec, ok := records[id]; ok {
				entry := carSummary(rec, clientVehicleFields)
				if v, ok := entry["car_customs"]; ok {
					delete(entry, "car_customs")
					entry["vehicle_customs"] = v
				}
				c["vehicle"] = []any{entry}
			}
		}
	}
	return nil
}

// carSummary is the fields of car among keep, and its custom as
// car_customs.
func carSummary(car map[string]any, keep []string) doc {
	out := doc{}
	for _, k := range keep {
		if v, ok := car[k]; ok {
			out[k] = v
		}
	}
	if v, ok := car["custom"]; ok {
		out["car_customs"] = v
	}
	return out
}
