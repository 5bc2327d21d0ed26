package walcu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// leadBackend serves saleleads, aftersaleleads and appraisalleads as the
// core's leads of one kind (core.Lead.Kind), so that every API sees them:
//
//	_id                          the lead's public id
//	__v                          its version minus one
//	dealer_id                    its dealer
//	created_at, updated_at       its times
//	created_by                   the user who created it (public id)
//	client_id                    its client (public id)
//	status.status                its stage (new, commercial_management, tracing, end)
//	status.substatus.substatus   its outcome when it ended (sale, no_sale, …)
//	current_assigned.to          its assigned user (public id)
//	inquiry                      its mail content (what the client asked)
//	car_list[0].car (sale), car (appraisal)
//	                             its vehicle: make and model its brand and
//	                             model, price, mileage (km) and year
//
// Every other field of the document, and the rest of those objects, is
// the lead's Ext under "walcu.<field>", as it was written here; the
// server's fields (updated_by, computed) are the server's. See
// docs/walcu.md for the whole mapping.
type leadBackend struct {
	svc  *core.Service
	coll *collection
	kind core.LeadKind
	ext  map[string]core.FieldSpec // the fields kept in Ext a query may name (extquery.go)
}

func newLeadBackend(svc *core.Service, c *collection, kind core.LeadKind) *leadBackend {
	b := &leadBackend{svc: svc, coll: c, kind: kind}
	b.ext = extSpecs(c, func(path string) bool {
		_, core := leadFields[path]
		top := topField(path)
		return !core && !isEnvelope(top) && top != "computed" && !slices.Contains(coreOnly, top) && b.carField(path) == ""
	})
	b.markFurther()
	return b
}

// carField returns, for a path of the lead's vehicle the core holds (the
// car's price, mileage and year: see stripCore), its last key; "" for
// any other path.
func (b *leadBackend) carField(path string) string {
	car := b.carPath()
	if len(car) == 0 {
		return ""
	}
	car = slices.DeleteFunc(slices.Clone(car), func(k string) bool { return k == "0" })
	rest, ok := strings.CutPrefix(path, strings.Join(car, ".")+".")
	if ok && (rest == "price" || rest == "mileage" || rest == "year") {
		return rest
	}
	return ""
}

// extPrefix is the prefix of this API's keys in a lead's Ext.
const extPrefix = "walcu."

// extUpdatedBy keeps the user who last wrote the lead through this API.
const extUpdatedBy = extPrefix + "updated_by"

// coreOnly are the document's fields held by the core alone, never in Ext.
var coreOnly = []string{"client_id", "created_by", "inquiry"}

// The stages and outcomes as this API words them: the core's own words
// (the document leaves statuses free; see docs/walcu.md).
func stageWord(s core.Stage) string     { return string(s) }
func outcomeWord(o core.Outcome) string { return string(o) }

// carPath is where a lead's vehicle is in its documents: the first car of
// car_list for a salelead, car for an appraisallead; an aftersalelead's
// vehicle is the client's vehicle named by vehicle_id.
func (b *leadBackend) carPath() []string {
	switch b.kind {
	case core.LeadSale:
		return []string{"car_list", "0", "car"}
	case core.LeadAppraisal:
		return []string{"car"}
	}
	return nil
}

// one returns lead id of this collection's kind and the path's dealer.
func (b *leadBackend) one(r *request, id string) (core.Lead, error) {
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordLead, id)
	if err != nil {
		return core.Lead{}, notFound(b.coll.singular)
	}
	l, err := b.svc.FindLead(r.ctx, n)
	if err != nil {
		return core.Lead{}, b.err(err)
	}
	if l.DealerID != r.dealer.ID || l.Kind != b.kind {
		return core.Lead{}, notFound(b.coll.singular)
	}
	return l, nil
}

func (b *leadBackend) get(r *request, id string) (doc, error) {
	l, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	return renderFirst(r, l, b.render)
}

// leadInput is a document's body read as the core's lead.
type leadInput struct {
	stage    core.Stage
	outcome  core.Outcome
	user     *int64
	mail     string
	client   *int64
	clientID any // client_id as given
	vehicle  core.Vehicle
	car      carLink // car_list[0].car_id (saleleads)
	ext      map[string]string
}

// at returns the value at path in d (object keys, array indexes), nil
// when there is none.
func at(d any, path ...string) any {
	for _, p := range path {
		switch x := d.(type) {
		case map[string]any:
			d = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			d = x[i]
		default:
			return nil
		}
	}
	return d
}

// parse reads body (checked against the schema) as the core's lead.
func (b *leadBackend) parse(r *request, body doc) (leadInput, error) {
	in := leadInput{stage: core.StageNew, clientID: body["client_id"]}
	if s, _ := at(body, "status", "status").(string); s != "" {
		st := core.Stage(s)
		if !st.Valid() {
			return in, invalidField("status.status", "must be one of "+strings.Join(stageWords(), ", "))
		}
		in.stage = st
	}
	if s, _ := at(body, "status", "substatus", "substatus").(string); s != "" {
		o := core.Outcome(s)
		if !o.Valid() {
			return in, invalidField("status.substatus.substatus", "must be empty or one of "+strings.Join(outcomeWords(), ", "))
		}
		in.outcome = o
	}
	if s, _ := at(body, "current_assigned", "to").(string); s != "" {
		id, err := b.svc.ResolvePublicID(r.ctx, core.RecordUser, s)
		if err != nil {
			return in, invalidField("current_assigned.to", "no such user of the dealer")
		}
		in.user = &id
	}
	if s, _ := body["inquiry"].(string); s != "" {
		in.mail = s
	}
	if s, _ := body["client_id"].(string); s != "" {
		id, err := b.svc.ResolvePublicID(r.ctx, core.RecordClient, s)
		if err != nil {
			return in, invalidField("client_id", "no such client of the dealer")
		}
		in.client = &id
	}
	v, err := b.vehicle(r, body)
	if err != nil {
		return in, err
	}
	in.vehicle = v
	if in.car, err = b.linkCar(r, body); err != nil {
		return in, err
	}
	if b.kind == core.LeadSale {
		in.vehicle.RecordID = in.car.record
	}
	in.ext = map[string]string{}
	for k, v := range body {
		if isEnvelope(k) || slices.Contains(coreOnly, k) || v == nil {
			continue
		}
		raw, err := encodeExt(stripCore(k, v, b.carPath()))
		if err != nil {
			return in, err
		}
		in.ext[extPrefix+k] = raw
	}
	return in, nil
}

// vehicle reads the lead's vehicle from body: its car (see carPath), or
// for an aftersalelead the client's vehicle vehicle_id names. The core's
// lead is about a vehicle with a brand and model: a document without one
// is refused naming where it belongs.
func (b *leadBackend) vehicle(r *request, body doc) (core.Vehicle, error) {
	var car map[string]any
	var record *int64 // an aftersalelead's clientvehicle (carlinks.go)
	where := strings.Join(b.carPath(), ".")
	if b.kind == core.LeadAftersale {
		where = "vehicle_id"
		s, _ := body["vehicle_id"].(string)
		if s == "" {
			return core.Vehicle{}, invalidField(where, "required: the client's vehicle (a clientvehicle's _id) the after-sale lead is about")
		}
		cv, id, err := b.clientVehicle(r, s)
		if err != nil {
			return core.Vehicle{}, err
		}
		car, record = cv, &id
	} else {
		car, _ = at(body, b.carPath()...).(map[string]any)
	}
	make, _ := car["make"].(string)
	model, _ := car["model"].(string)
	v := core.Vehicle{BrandModel: core.JoinMakeModel(make, model), Make: strings.TrimSpace(make), Model: strings.TrimSpace(model), RecordID: record}
	if b.kind != core.LeadAftersale {
		v.Plate, _ = car["license_plate"].(string)
		v.VIN, _ = car["vin"].(string)
	}
	if v.BrandModel == "" {
		return v, invalidField(where+".make", "required: the make or model of the car the lead is about")
	}
	if n, ok := car["price"].(json.Number); ok && b.kind != core.LeadAftersale {
		v.Price = n.String()
	}
	if n, ok := car["mileage"].(json.Number); ok {
		v.Km = n.String()
	}
	if n, ok := car["year"].(json.Number); ok && n.String() != "0" { // 0: not known (the document's examples)
		y, err := strconv.Atoi(n.String())
		if err != nil {
			return v, invalidField(where+".year", "must be a whole year")
		}
		v.Year = &y
	}
	return v, nil
}

// wholeNumber reports whether s is a number (as JSON or SML writes it)
// with no fraction: a mileage.
func wholeNumber(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f == math.Trunc(f)
}

// numberText is s as a JSON number when it is one a double holds. Another
// API's text ("Inf", "NaN", "0x10", "1_000", " 5", which strconv reads as
// numbers) is not: encoding it as a number would fail the whole answer.
func numberText(s string) (json.Number, bool) {
	if !jsonNumberRE.MatchString(s) {
		return "", false
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return "", false
	}
	return json.Number(s), true
}

// jsonNumberRE is the grammar of a JSON number (RFC 8259, section 6).
var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// clientVehicle reads the dealer's clientvehicle id as its document and
// its record's id.
func (b *leadBackend) clientVehicle(r *request, id string) (map[string]any, int64, error) {
	bad := invalidField("vehicle_id", "no such clientvehicle of the dealer")
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordVehicle, id)
	if err != nil {
		return nil, 0, bad
	}
	v, err := b.svc.FindVehicleRecord(r.ctx, n)
	if err != nil || v.Kind != core.VehicleOwned || v.DealerID != r.dealer.ID {
		return nil, 0, bad
	}
	return vehicleDoc(v, nil), v.ID, nil
}

// stripCore returns v, the value of top-level field k, without what the
// core holds (it is rendered from the core): the status's status and
// outcome, the assigned user, the car's price, mileage, year, make,
// model, licence plate and VIN (leadcar.go).
func stripCore(k string, v any, car []string) any {
	v = cloneJSON(v)
	switch {
	case k == "status":
		if m, ok := v.(map[string]any); ok {
			delete(m, "status")
			if sub, ok := m["substatus"].(map[string]any); ok {
				delete(sub, "substatus")
			}
		}
	case k == "current_assigned":
		if m, ok := v.(map[string]any); ok {
			delete(m, "to")
		}
	case len(car) > 0 && k == car[0]:
		if c, ok := at(map[string]any{k: v}, car...).(map[string]any); ok {
			for _, f := range []string{"price", "mileage", "year", "make", "model", "license_plate", "vin"} {
				delete(c, f)
			}
		}
	}
	return v
}

// cloneJSON deep-copies a decoded JSON value.
func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSON(e)
		}
		return out
	}
	return v
}

// encodeExt is v as an Ext value: compact JSON, HTML left as it is.
func encodeExt(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

func decodeExt(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func stageWords() []string {
	out := make([]string, len(core.Stages))
	for i, s := range core.Stages {
		out[i] = stageWord(s)
	}
	return out
}

func outcomeWords() []string {
	out := make([]string, len(core.Outcomes))
	for i, o := range core.Outcomes {
		out[i] = outcomeWord(o)
	}
	return out
}

// source is the dealer's source a lead created here comes from: the one
// whose channel is origin.medium (phone, email, web, chat, whatsapp),
// else the dealer's first.
func (b *leadBackend) source(r *request, body doc) (int64, error) {
	srcs, err := b.svc.DealerSources(r.ctx, r.dealer.ID)
	if err != nil {
		return 0, err
	}
	if len(srcs) == 0 {
		return 0, invalidField("origin", "the dealer has no source to receive leads")
	}
	slices.SortFunc(srcs, func(a, c core.Source) int { return int(a.ID - c.ID) })
	if medium, _ := at(body, "origin", "medium").(string); medium != "" {
		chans, err := b.svc.Channels(r.ctx)
		if err != nil {
			return 0, err
		}
		for _, s := range srcs {
			for _, ch := range chans {
				if ch.ID == s.ChannelID && strings.EqualFold(ch.Slug, medium) {
					return s.ID, nil
				}
			}
		}
	}
	return srcs[0].ID, nil
}

func (b *leadBackend) create(r *request, body doc) (doc, error) {
	in, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	if in.car.given != "" && in.car.record == nil {
		return nil, errNoCar()
	}
	src, err := b.source(r, body)
	if err != nil {
		return nil, err
	}
	if u := userPublicID(r); u != "" {
		raw, _ := encodeExt(u)
		in.ext[extUpdatedBy] = raw
	}
	l := core.Lead{Kind: b.kind, SourceID: src, Stage: in.stage, Outcome: in.outcome, UserID: in.user, MailContent: in.mail,
		Vehicle: &in.vehicle, Ext: in.ext}
	if in.client != nil {
		l.Client = &core.Client{ID: *in.client}
	}
	created, err := b.svc.CreateLead(r.ctx, l)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(renderFirst(r, created, b.render))
}

// replace writes body over lead id: each core field the body holds a
// value other than the document shows now is changed, and the lead's
// Ext of this API becomes the body's other fields, in one UpdateLead
// on the condition of version (the lead's; 0: the one read here).
// Rendering and reading back a lead written by another API changes
// nothing of it: a value this API cannot show (a price that is no
// number) stays as it is unless the body changes it.
func (b *leadBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	cur, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = cur.Version
	}
	shown, err := b.render(r, []core.Lead{cur})
	if err != nil {
		return nil, err
	}
	was := shown[0]
	in, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	p := core.LeadPatch{Version: version}
	differs := func(path ...string) bool { return !jsonEqual(at(body, path...), at(was, path...)) }
	if in.stage != cur.Stage {
		p.Stage = core.Value(in.stage)
	}
	if differs("status", "substatus", "substatus") && in.outcome != cur.Outcome {
		p.Outcome = core.Value(in.outcome)
	}
	if differs("current_assigned", "to") {
		p.UserID = core.Value(in.user)
	}
	if in.mail != cur.MailContent {
		p.MailContent = core.Value(in.mail)
	}
	if differs("client_id") {
		if in.client != nil {
			return nil, invalidField("client_id", "a lead's client cannot be replaced by another here; remove it (null) or keep it")
		}
		p.ClearClient = true
	}
	if cur.Vehicle != nil {
		vp := &core.VehiclePatch{ID: &cur.Vehicle.ID}
		changed := false
		car := b.carPath()
		if b.kind == core.LeadAftersale {
			car = nil
		}
		switch {
		case car == nil && in.vehicle.BrandModel != cur.Vehicle.BrandModel:
			vp.BrandModel, changed = core.Value(in.vehicle.BrandModel), true
		case car != nil && (in.vehicle.Make != cur.Vehicle.Make || in.vehicle.Model != cur.Vehicle.Model):
			vp.Make, vp.Model, changed = core.Value(in.vehicle.Make), core.Value(in.vehicle.Model), true
		}
		if car != nil && in.vehicle.Plate != cur.Vehicle.Plate {
			vp.Plate, changed = core.Value(in.vehicle.Plate), true
		}
		if car != nil && in.vehicle.VIN != cur.Vehicle.VIN {
			vp.VIN, changed = core.Value(in.vehicle.VIN), true
		}
		if car != nil && differs(append(slices.Clone(car), "price")...) {
			vp.Price, changed = core.Value(in.vehicle.Price), true
		}
		if differs(append(slices.Clone(car), "mileage")...) && b.kind != core.LeadAftersale {
			vp.Km, changed = core.Value(in.vehicle.Km), true
		}
		if differs(append(slices.Clone(car), "year")...) && b.kind != core.LeadAftersale {
			vp.Year, changed = core.Value(in.vehicle.Year), true
		}
		// a car_id kept as it was is kept, even when its car is gone
		if differs(carIDPath...) && in.car.given != "" && in.car.record == nil && b.kind == core.LeadSale {
			return nil, errNoCar()
		}
		if b.kind != core.LeadAppraisal && !sameRef(in.vehicle.RecordID, cur.Vehicle.RecordID) {
			vp.RecordID, changed = core.Value(in.vehicle.RecordID), true
		}
		if changed {
			p.Vehicle = vp
		}
	}
	// the server's records of a change of status or assignee made here
	now := time.Now().UTC().Format(core.DocumentTimeLayout)
	user := userPublicID(r)
	var userV any
	if user != "" {
		userV = user
	}
	if p.Stage.Set {
		st, _ := decodeStatus(in.ext[extPrefix+"status"])
		st["assigned_at"], st["user"] = now, userV
		in.ext[extPrefix+"status"], _ = encodeExt(st)
		hist, _ := decodeList(in.ext[extPrefix+"status_history"])
		hist = append(hist, map[string]any{"status": stageWord(in.stage), "assigned_at": now, "user": userV, "substatus_history": []any{}})
		in.ext[extPrefix+"status_history"], _ = encodeExt(hist)
	}
	if p.UserID.Set {
		ca, _ := decodeStatus(in.ext[extPrefix+"current_assigned"])
		ca["at"], ca["by"] = now, userV
		in.ext[extPrefix+"current_assigned"], _ = encodeExt(ca)
		hist, _ := decodeList(in.ext[extPrefix+"assigned"])
		hist = append(hist, map[string]any{"to": at(body, "current_assigned", "to"), "at": now, "by": userV})
		in.ext[extPrefix+"assigned"], _ = encodeExt(hist)
	}
	ext := map[string]*string{}
	for k, v := range in.ext {
		if cur.Ext[k] != v {
			ext[k] = &v
		}
	}
	for k := range cur.Ext {
		if _, keep := in.ext[k]; !keep && strings.HasPrefix(k, extPrefix) && k != extUpdatedBy {
			ext[k] = nil
		}
	}
	delete(ext, extUpdatedBy)
	if len(ext) > 0 {
		p.Ext = ext
	}
	if isEmptyPatch(p) {
		if version != cur.Version {
			return nil, core.ErrStaleVersion
		}
		return was, nil // nothing changes: nothing is written
	}
	if user != "" && cur.Ext[extUpdatedBy] != strconv.Quote(user) {
		raw, _ := encodeExt(user)
		if p.Ext == nil {
			p.Ext = map[string]*string{}
		}
		p.Ext[extUpdatedBy] = &raw
	}
	l, err := b.svc.UpdateLead(r.ctx, cur.ID, p)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(renderFirst(r, l, b.render))
}

// isEmptyPatch reports whether p changes nothing.
func isEmptyPatch(p core.LeadPatch) bool {
	return !p.Stage.Set && !p.Outcome.Set && !p.UserID.Set && !p.MailContent.Set && !p.ClearClient && p.Vehicle == nil &&
		p.Ext == nil && p.Client == nil && !p.SourceID.Set && !p.Reason.Set && !p.Score.Set && p.Tasks == nil && p.Notes == nil && p.Tags == nil
}

// decodeStatus decodes an Ext object ({} when none).
func decodeStatus(s string) (map[string]any, error) {
	if s == "" {
		return map[string]any{}, nil
	}
	v, err := decodeExt(s)
	if m, ok := v.(map[string]any); ok && err == nil {
		return m, nil
	}
	return map[string]any{}, err
}

// decodeList decodes an Ext array (empty when none).
func decodeList(s string) ([]any, error) {
	if s == "" {
		return nil, nil
	}
	v, err := decodeExt(s)
	l, _ := v.([]any)
	return l, err
}

func (b *leadBackend) remove(r *request, id string) error {
	l, err := b.one(r, id)
	if err != nil {
		return err
	}
	return b.err(b.svc.DeleteLead(r.ctx, l.ID, 0))
}

// scoped narrows q to the path's dealer and the collection's kind.
func (b *leadBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), core.Eq("kind", string(b.kind)), q.Where)
	return q
}

func (b *leadBackend) find(r *request, q core.Query) ([]doc, error) {
	q.Ext = b.ext
	ls, _, err := b.svc.FindLeads(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, b.queryErr(err)
	}
	return b.render(r, ls)
}

func (b *leadBackend) group(r *request, q core.Query) ([]core.Group, error) {
	q.Ext = b.ext
	gs, err := b.svc.GroupLeads(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, b.queryErr(err)
	}
	if q.GroupBy == "client" {
		return gs, nil
	}
	return renderGroups(r, q.GroupBy, gs)
}

// leadFields are the paths of a lead document a query may name, and the
// core's field of each.
var leadFields = map[string]qfield{
	"client_id":                  {core: "client", kind: kString, conv: idOf(core.RecordClient)},
	"created_by":                 {core: "created_by", kind: kString, conv: idOf(core.RecordUser)},
	"current_assigned.to":        {core: "user", kind: kString, conv: idOf(core.RecordUser)},
	"status.status":              {core: "stage", kind: kString, conv: wordOf(stageWords(), "status.status")},
	"status.substatus.substatus": {core: "outcome", kind: kString, conv: wordOf(outcomeWords(), "status.substatus.substatus")},
	"inquiry":                    {core: "mail_content", kind: kString},
}

// wordOf reads a stage or outcome word in a query: one of words, else an
// error naming the path.
func wordOf(words []string, path string) func(*request, any) (any, error) {
	return func(_ *request, v any) (any, error) {
		s, _ := v.(string)
		if !slices.Contains(words, s) {
			return nil, invalidField("q."+path, "must be one of "+strings.Join(words, ", "))
		}
		return s, nil
	}
}

func (b *leadBackend) field(r *request, path string) (qfield, error) {
	if f, ok := envelopeField(path, false); ok {
		return f, nil
	}
	if f, ok := leadFields[path]; ok {
		return f, nil
	}
	if v := b.carIdentityField(path); v != "" {
		return b.carQField(path, v), nil
	}
	if _, ok := b.ext[extQueryPrefix+path]; ok {
		return extQField(b.coll, path), nil
	}
	if _, ok := b.coll.fields[path]; !ok {
		return qfield{}, unknownField(b.coll, path)
	}
	switch {
	case topField(path) == "computed":
		return qfield{}, notQueryable(path, "derived when the lead is read, never stored: not filterable (name what it derives from)")
	case b.carField(path) == "year":
		return qfield{core: "vehicle.year", kind: kNumber}, nil
	case b.carField(path) != "":
		return qfield{}, notQueryable(path, "the core keeps it as the vehicle's text (other APIs write \"15.000 €\"): not filterable")
	}
	return qfield{}, notQueryable(path, "the server's: not filterable")
}

// leadFieldNames words the core's field paths of a lead as the
// document's.
var leadFieldNames = map[string]string{
	"stage": "status.status", "outcome": "status.substatus.substatus", "user": "current_assigned.to",
	"mail_content": "inquiry", "client": "client_id", "client.id": "client_id", "source": "origin.medium",
	"vehicle": "car", "vehicle.brand_model": "car.make", "vehicle.price": "car.price", "vehicle.km": "car.mileage", "vehicle.year": "car.year",
}

// err words a core error of a lead write in the document's paths.
func (b *leadBackend) err(err error) error {
	if err == nil {
		return nil
	}
	return toAPIError(err, func(k string) string {
		if n, ok := leadFieldNames[k]; ok {
			if after, isCar := strings.CutPrefix(n, "car"); isCar {
				if b.kind == core.LeadAftersale {
					return "vehicle_id"
				}
				return strings.Join(b.carPath(), ".") + after
			}
			return n
		}
		return extFieldName(k)
	})
}

// queryErr words a core query error: core fields as the document's paths.
func (b *leadBackend) queryErr(err error) error { return queryErrOf(err, leadFields) }

// render answers leads as this API shows them.
func (b *leadBackend) render(r *request, ls []core.Lead) ([]doc, error) {
	var userIDs, srcIDs []int64
	for _, l := range ls {
		for _, u := range []*int64{l.CreatedBy, l.UserID} {
			if u != nil {
				userIDs = append(userIDs, *u)
			}
		}
		srcIDs = append(srcIDs, l.SourceID)
	}
	ctx, err := b.context(r, ls)
	if err != nil {
		return nil, err
	}
	userIDs = append(userIDs, ctx.derived.users()...)
	for _, as := range ctx.appointments {
		for _, a := range as {
			for _, u := range []*int64{a.UserID, a.CreatedBy} {
				if u != nil {
					userIDs = append(userIDs, *u)
				}
			}
		}
	}
	users, err := usersByID(r, core.DistinctIDs(userIDs))
	if err != nil {
		return nil, err
	}
	origins, err := b.origins(r, core.DistinctIDs(srcIDs))
	if err != nil {
		return nil, err
	}
	ctx.users = users
	var clientIDs []int64
	for _, l := range ls {
		if l.Client != nil {
			clientIDs = append(clientIDs, l.Client.ID)
		}
	}
	comms, err := readClientComms(r, clientIDs)
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(ls))
	for _, l := range ls {
		d, err := b.renderOne(r, l, users, origins)
		if err != nil {
			return nil, err
		}
		b.computedContext(d["computed"].(doc), l, ctx)
		ctx.derived.fill(d["computed"].(doc), l, users)
		if l.Client != nil {
			comms.fill(b.coll, d["computed"].(doc), *l.Client)
		}
		out = append(out, d)
	}
	if err := b.vehiclesComputed(r, out); err != nil {
		return nil, err
	}
	if block := b.coll.doc.fields["computed"]; block != nil && block.fields["total_price_of_lead"] != nil {
		for _, d := range out {
			d["computed"].(doc)["total_price_of_lead"] = b.totalPrice(d)
		}
	}
	return out, nil
}

// leadContext is what the computed fields of a page of leads need beyond
// the leads: their clients' leads counted by kind, their appointments.
type leadContext struct {
	clientLeads  map[int64]map[core.LeadKind]int
	appointments map[int64][]core.Appointment
	users        map[int64]any
	derived      leadDerived
}

// context reads the leadContext of a page: one count per kind over the
// page's clients, one list of the page's appointments.
func (b *leadBackend) context(r *request, ls []core.Lead) (leadContext, error) {
	ctx := leadContext{clientLeads: map[int64]map[core.LeadKind]int{}, appointments: map[int64][]core.Appointment{}}
	var clients []int64
	var leads []any
	for _, l := range ls {
		leads = append(leads, l.ID)
		if l.Client != nil {
			clients = append(clients, l.Client.ID)
		}
	}
	var err error
	if ctx.clientLeads, err = clientLeadCounts(r, core.DistinctIDs(clients)); err != nil {
		return ctx, err
	}
	if ctx.derived, err = b.readLeadDerived(r, ls); err != nil {
		return ctx, err
	}
	if len(leads) > 0 {
		as, _, err := b.svc.FindAppointments(r.ctx, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID), core.In("lead", leads...)),
			Sort: []core.Sort{{Field: "start_at"}}, Limit: 1000})
		if err != nil {
			return ctx, err
		}
		for _, a := range as {
			ctx.appointments[a.LeadID] = append(ctx.appointments[a.LeadID], a)
		}
	}
	return ctx, nil
}

// computedContext adds to c the computed fields that come from beyond the
// lead: its client's leads by kind, its appointments, its tasks.
func (b *leadBackend) computedContext(c doc, l core.Lead, ctx leadContext) {
	if l.Client != nil {
		fillLeadCounts(c, ctx.clientLeads[l.Client.ID])
	}
	user := func(id *int64) any {
		if id == nil {
			return nil
		}
		return ctx.users[*id]
	}
	apps, creators := []any{}, []any{}
	for _, a := range ctx.appointments[l.ID] {
		e := doc{"date": formatValue(a.StartAt), "start_date": formatValue(a.StartAt), "end_date": formatValue(a.EndAt),
			"appointment_id": a.PublicID, "assigned_to": []any{}}
		if a.UserID != nil {
			e["assigned_to"] = []any{user(a.UserID)}
		}
		switch a.Status {
		case core.AppointmentDone:
			e["showed_up"] = true
		case core.AppointmentNoShow:
			e["showed_up"] = false
		}
		apps = append(apps, e)
		if u := user(a.CreatedBy); u != nil && !slices.Contains(creators, u) {
			creators = append(creators, u)
		}
	}
	c["appointments"] = apps
	c["appointments_created_by"] = creators
	c["number_of_appointments"] = len(apps)
	tasks := []any{}
	for _, t := range l.Tasks {
		tasks = append(tasks, doc{"task_id": t.PublicID, "description": t.Description, "done": t.Done, "due_date": formatValue(t.PlannedAt)})
	}
	c["tasks"] = tasks
}

// origins returns the origin object of each source: its origin's name as
// source and its channel's slug as medium.
func (b *leadBackend) origins(r *request, ids []int64) (map[int64]map[string]any, error) {
	out := map[int64]map[string]any{}
	if len(ids) == 0 {
		return out, nil
	}
	srcs, err := b.svc.SourcesByID(r.ctx, ids)
	if err != nil {
		return nil, err
	}
	var originIDs []int64
	for _, s := range srcs {
		originIDs = append(originIDs, s.OriginID)
	}
	os, err := b.svc.OriginsByID(r.ctx, core.DistinctIDs(originIDs))
	if err != nil {
		return nil, err
	}
	chans, err := b.svc.Channels(r.ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range srcs {
		o := map[string]any{}
		for _, or := range os {
			if or.ID == s.OriginID {
				o["source"] = or.Name
			}
		}
		for _, ch := range chans {
			if ch.ID == s.ChannelID {
				o["medium"] = ch.Slug
			}
		}
		out[s.ID] = o
	}
	return out, nil
}

func (b *leadBackend) renderOne(r *request, l core.Lead, users map[int64]any, origins map[int64]map[string]any) (doc, error) {
	d := make(doc, len(l.Ext)+16) // its fields at once, not grown one by one
	for _, k := range slices.Sorted(maps.Keys(l.Ext)) {
		name, ok := strings.CutPrefix(k, extPrefix)
		if !ok {
			continue
		}
		v, err := decodeExt(l.Ext[k])
		if err != nil {
			return nil, fmt.Errorf("walcu: lead %d: ext %s: %w", l.ID, k, err)
		}
		d[name] = v
	}
	delete(d, "updated_by")
	userOf := func(id *int64) any {
		if id == nil {
			return nil
		}
		return users[*id]
	}
	d["_id"] = l.PublicID
	d["__v"] = l.Version - 1
	d["dealer_id"] = dealerID(r.dealer)
	d["created_at"] = formatValue(l.CreatedAt)
	d["updated_at"] = formatValue(l.UpdatedAt)
	d["updated_by"] = nil
	if v, err := decodeExt(l.Ext[extUpdatedBy]); err == nil && l.Ext[extUpdatedBy] != "" {
		d["updated_by"] = v
	} else if l.CreatedBy != nil {
		d["updated_by"] = userOf(l.CreatedBy)
	}
	d["created_by"] = userOf(l.CreatedBy)
	d["client_id"] = nil
	if l.Client != nil {
		d["client_id"] = l.Client.PublicID
	}
	if l.MailContent != "" {
		d["inquiry"] = l.MailContent
	}
	st, _ := d["status"].(map[string]any)
	if st == nil {
		st = map[string]any{}
	}
	st["status"] = stageWord(l.Stage)
	if l.Outcome != core.OutcomeNone {
		sub, _ := st["substatus"].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
		}
		sub["substatus"] = outcomeWord(l.Outcome)
		st["substatus"] = sub
	}
	d["status"] = st
	ca, _ := d["current_assigned"].(map[string]any)
	if ca == nil {
		ca = map[string]any{}
	}
	ca["to"] = userOf(l.UserID)
	d["current_assigned"] = ca
	if _, ok := d["origin"]; !ok {
		if o, ok := origins[l.SourceID]; ok {
			d["origin"] = maps.Clone(o)
		}
	}
	b.renderVehicle(d, l.Vehicle)
	d["computed"] = b.computed(d, l)
	return d, nil
}

// renderVehicle puts the lead's vehicle in the document's car (see
// carPath): its make, model, licence plate and VIN (leadcar.go; each
// left out when empty); price, mileage and year as numbers (left out
// when they are no number).
func (b *leadBackend) renderVehicle(d doc, v *core.Vehicle) {
	path := b.carPath()
	if v == nil || path == nil {
		return
	}
	var car map[string]any
	if b.kind == core.LeadSale {
		list, _ := d["car_list"].([]any)
		if len(list) == 0 {
			list = []any{map[string]any{}}
		}
		first, _ := list[0].(map[string]any)
		if first == nil {
			first = map[string]any{}
		}
		car, _ = first["car"].(map[string]any)
		if car == nil {
			car = map[string]any{}
		}
		first["car"] = car
		list[0] = first
		d["car_list"] = list
	} else {
		car, _ = d["car"].(map[string]any)
		if car == nil {
			car = map[string]any{}
		}
		d["car"] = car
	}
	for k, s := range map[string]string{"make": v.Make, "model": v.Model, "license_plate": v.Plate, "vin": v.VIN} {
		if s != "" {
			car[k] = s
		} else {
			delete(car, k) // what the core holds as no value, q's $exists false
		}
	}
	if n, ok := numberText(v.Price); ok {
		car["price"] = n
	}
	if n, ok := numberText(v.Km); ok && wholeNumber(v.Km) { // another API's "1.5" is no mileage a write here could send back
		car["mileage"] = n
	}
	if v.Year != nil {
		car["year"] = *v.Year
	}
}

// computedSize is how many fields a lead's computed block will hold (the
// rest are added by computedBackend.complete): its map is made that large
// at once, not grown and rehashed field by field.
func (b *leadBackend) computedSize() int {
	if block := b.coll.doc.fields["computed"]; block != nil {
		return len(block.fields) + 1
	}
	return 8
}

// computed is what the server derives for a lead document: its car's
// fields (car_*), its client's phones and e-mails, its tasks and notes.
func (b *leadBackend) computed(d doc, l core.Lead) doc {
	c := make(doc, b.computedSize())
	c["_id"] = l.PublicID
	var car map[string]any
	switch b.kind {
	case core.LeadSale:
		car, _ = at(d, "car_list", "0", "car").(map[string]any)
		list, _ := d["car_list"].([]any)
		c["number_of_cars"] = len(list)
	case core.LeadAppraisal:
		car, _ = d["car"].(map[string]any)
	}
	if car != nil && b.kind == core.LeadSale {
		for _, k := range []string{"make", "model", "version", "year", "mileage", "license_plate", "vin", "fuel", "transmission",
			"body_style", "doors", "seats", "power", "stock_number", "type", "category", "images", "ad_urls"} {
			if v, ok := car[k]; ok {
				c["car_"+k] = v
			}
		}
		if v, ok := car["price"]; ok {
			c["car_current_price"] = v
		}
		if imgs, ok := car["images"].([]any); ok {
			c["car_number_of_photos"] = len(imgs)
		}
		if id, ok := at(d, "car_list", "0", "car_id").(string); ok {
			c["car_id"] = id
		}
	}
	phones, emails := []any{}, []any{}
	if cl := l.Client; cl != nil {
		if cl.Phone != "" {
			phones = append(phones, cl.Phone)
		}
		if cl.Email != "" {
			emails = append(emails, cl.Email)
		}
		c["client_created_at"] = formatValue(cl.CreatedAt)
	}
	c["client_phones"], c["client_emails"] = phones, emails
	c["client_number_of_phone_numbers"], c["client_number_of_email_addresses"] = len(phones), len(emails)
	done, dates := 0, []any{}
	for _, t := range l.Tasks {
		if t.Done {
			done++
		} else if t.PlannedAt != nil {
			dates = append(dates, formatValue(*t.PlannedAt))
		}
	}
	c["number_of_tasks"] = len(l.Tasks)
	c["number_of_completed_tasks"] = done
	c["number_of_uncompleted_tasks"] = len(l.Tasks) - done
	c["tasks_date"] = dates
	notes := []any{}
	for _, n := range l.Notes {
		notes = append(notes, n.Content)
	}
	c["notes"] = notes
	c["number_of_notes"] = len(l.Notes)
	if l.FirstTaskAt != nil {
		c["response_time"] = int64(l.FirstTaskAt.Sub(l.CreatedAt) / time.Millisecond) // milliseconds, as MongoDB's date differences
	}
	return c
}
