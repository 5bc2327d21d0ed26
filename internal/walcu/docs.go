package walcu

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"forecourt/internal/core"
)

// docBackend keeps a collection the core has no meaning for as core
// documents (core.Document, collection "walcu.<name>"): the body as given
// (dates normalised), its top-level client_id and lead_id linking it to a
// client and a lead of the dealer, and the envelope from the document's
// row: _id its public id, __v its version minus one, created_at,
// updated_at, updated_by (the user's public id), dealer_id.
type docBackend struct {
	svc    *core.Service
	coll   *collection
	name   string // the core collection: "walcu.<name>"
	schema core.Schema
}

func newDocBackend(svc *core.Service, c *collection) *docBackend {
	body := map[string]core.FieldSpec{}
	for name, f := range c.fields {
		if isEnvelope(strings.SplitN(name, ".", 2)[0]) {
			continue
		}
		body[name] = core.FieldSpec{Type: coreType(f.kind), Path: f.path, Group: true}
	}
	return &docBackend{svc: svc, coll: c, name: "walcu." + c.name, schema: core.DocumentSchema("walcu."+c.name, body)}
}

// coreType is the core's type of a JSON kind.
func coreType(k kind) core.FieldType {
	switch k {
	case kDate:
		return core.TypeTime
	case kNumber:
		return core.TypeFloat
	case kBool:
		return core.TypeBool
	}
	return core.TypeText
}

// envelopeField maps the envelope's paths, which every collection has,
// onto the core field of a record with dealer, public_id, version,
// created_at, updated_at (and updated_by when updatedBy).
func envelopeField(path string, updatedBy bool) (qfield, bool) {
	switch path {
	case "_id", "computed._id":
		return qfield{core: "public_id", kind: kString}, true
	case "dealer_id":
		return qfield{core: "dealer", kind: kString, conv: dealerValue}, true
	case "created_at", "updated_at":
		return qfield{core: path, kind: kDate}, true
	case "__v":
		return qfield{core: "version", kind: kNumber, conv: versionValue}, true
	case "updated_by":
		if updatedBy {
			return qfield{core: "updated_by", kind: kString, conv: idOf(core.RecordUser)}, true
		}
	}
	return qfield{}, false
}

// dealerValue reads a dealer_id in a query: the path's dealer (by id or
// public id) is its id; any other matches nothing.
func dealerValue(r *request, v any) (any, error) {
	if s, _ := v.(string); s == dealerID(r.dealer) || s == r.dealer.PublicID {
		return r.dealer.ID, nil
	}
	return int64(-1), nil
}

// versionValue reads __v: the record's version is one more.
func versionValue(_ *request, v any) (any, error) {
	f, _ := v.(float64)
	if f != math.Trunc(f) || f < 0 || f > 1<<40 {
		return int64(-1), nil
	}
	return int64(f) + 1, nil
}

// idOf reads a public id of kind in a query as the record's id; one the
// principal may not see, or none, matches nothing.
func idOf(kind core.RecordKind) func(r *request, v any) (any, error) {
	return func(r *request, v any) (any, error) {
		s, _ := v.(string)
		id, err := r.svc.ResolvePublicID(r.ctx, kind, s)
		if err != nil {
			return int64(-1), nil
		}
		return id, nil
	}
}

func (b *docBackend) field(r *request, path string) (qfield, error) {
	if f, ok := envelopeField(path, true); ok {
		return f, nil
	}
	if path == "created_by" {
		if _, ok := b.coll.fields[path]; ok {
			return qfield{core: path, kind: kString}, nil
		}
	}
	if _, ok := b.schema.Fields[path]; ok {
		return qfield{core: path, kind: b.coll.fields[path].kind}, nil
	}
	return qfield{}, unknownField(b.coll, path)
}

// one returns the document id of this collection and dealer.
func (b *docBackend) one(r *request, id string) (core.Document, error) {
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordDocument, id)
	if err != nil {
		return core.Document{}, notFound(b.coll.singular)
	}
	d, err := b.svc.FindDocument(r.ctx, n)
	if err != nil {
		return core.Document{}, err
	}
	if d.Collection != b.name || d.DealerID != r.dealer.ID {
		return core.Document{}, notFound(b.coll.singular)
	}
	return d, nil
}

func (b *docBackend) get(r *request, id string) (doc, error) {
	d, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	out, err := b.render(r, []core.Document{d})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// links resolves the body's client_id and lead_id: a client and a lead of
// the dealer, or an error naming the field.
func links(r *request, body doc) (client, lead *int64, err error) {
	for _, l := range []struct {
		field string
		kind  core.RecordKind
		dst   **int64
	}{{"client_id", core.RecordClient, &client}, {"lead_id", core.RecordLead, &lead}} {
		s, ok := body[l.field].(string)
		if !ok || s == "" {
			continue
		}
		id, err := r.svc.ResolvePublicID(r.ctx, l.kind, s)
		if err != nil {
			return nil, nil, invalidField(l.field, "no such "+string(l.kind)+" of the dealer")
		}
		*l.dst = &id
	}
	return client, lead, nil
}

func (b *docBackend) create(r *request, body doc) (doc, error) {
	if _, has := b.coll.body.fields["created_by"]; has && body["created_by"] == nil {
		if u := userPublicID(r); u != "" {
			body["created_by"] = u
		}
	}
	client, lead, err := links(r, body)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	d, err := b.svc.CreateDocument(r.ctx, core.Document{DealerID: r.dealer.ID, Collection: b.name, Body: raw, ClientID: client, LeadID: lead})
	if err != nil {
		return nil, err
	}
	return storedDoc(renderFirst(r, d, b.render))
}

func (b *docBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	cur, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	client, lead, err := links(r, body)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = cur.Version
	}
	d, err := b.svc.UpdateDocument(r.ctx, cur.ID, core.DocumentPatch{Version: version, Body: core.Value(raw),
		ClientID: core.Value(client), LeadID: core.Value(lead)})
	if err != nil {
		return nil, err
	}
	return storedDoc(renderFirst(r, d, b.render))
}

func (b *docBackend) remove(r *request, id string) error {
	d, err := b.one(r, id)
	if err != nil {
		return err
	}
	return b.svc.DeleteDocument(r.ctx, d.ID, 0)
}

func (b *docBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), q.Where)
	return q
}

func (b *docBackend) find(r *request, q core.Query) ([]doc, error) {
	ds, _, err := b.svc.FindDocuments(r.ctx, b.name, b.schema, b.scoped(r, q))
	if err != nil {
		return nil, err
	}
	return b.render(r, ds)
}

func (b *docBackend) group(r *request, q core.Query) ([]core.Group, error) {
	gs, err := b.svc.GroupDocuments(r.ctx, b.name, b.schema, b.scoped(r, q))
	if err != nil {
		return nil, err
	}
	return renderGroups(r, q.GroupBy, gs)
}

// renderGroups words group values of the envelope's fields: user ids as
// their public ids, the dealer as dealer_id.
func renderGroups(r *request, field string, gs []core.Group) ([]core.Group, error) {
	switch field {
	case "dealer":
		for i := range gs {
			gs[i].Value = dealerID(r.dealer)
		}
	case "updated_by", "created_by", "user":
		var ids []int64
		for _, g := range gs {
			if id, ok := g.Value.(int64); ok {
				ids = append(ids, id)
			}
		}
		users, err := usersByID(r, ids)
		if err != nil {
			return nil, err
		}
		for i, g := range gs {
			if id, ok := g.Value.(int64); ok {
				gs[i].Value = users[id]
			}
		}
	}
	for i := range gs {
		gs[i].Value = formatValue(gs[i].Value)
	}
	return gs, nil
}

// render answers documents as this API shows them.
func (b *docBackend) render(r *request, ds []core.Document) ([]doc, error) {
	var ids []int64
	for _, d := range ds {
		if d.UpdatedBy != nil {
			ids = append(ids, *d.UpdatedBy)
		}
	}
	users, err := usersByID(r, ids)
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(ds))
	for _, d := range ds {
		var body doc
		dec := json.NewDecoder(strings.NewReader(string(d.Body)))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return nil, fmt.Errorf("walcu: document %d: %w", d.ID, err)
		}
		body["_id"] = d.PublicID
		body["__v"] = d.Version - 1
		body["dealer_id"] = dealerID(r.dealer)
		body["created_at"] = formatValue(d.CreatedAt)
		body["updated_at"] = formatValue(d.UpdatedAt)
		body["updated_by"] = nil
		if d.UpdatedBy != nil {
			body["updated_by"] = users[*d.UpdatedBy]
		}
		body["computed"] = doc{"_id": d.PublicID}
		out = append(out, body)
	}
	if b.coll.name == "repairorders" {
		return out, repairOrderVehicles(r, out)
	}
	return out, nil
}

// usersByID returns the public ids of the users ids that the principal
// may see.
func usersByID(r *request, ids []int64) (map[int64]any, error) {
	out := map[int64]any{}
	if len(ids) == 0 {
		return out, nil
	}
	us, err := r.svc.UsersByID(r.ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		out[u.ID] = u.PublicID
	}
	return out, nil
}

// userPublicID is the principal's user's public id ("" for an API key
// acting as no user).
func userPublicID(r *request) string {
	p, _ := core.PrincipalFrom(r.ctx)
	if p.UserID == 0 {
		return ""
	}
	us, err := usersByID(r, []int64{p.UserID})
	if err != nil {
		return ""
	}
	s, _ := us[p.UserID].(string)
	return s
}

// jsonNumber is s as a JSON number when it is one (for WQL values).
func jsonNumber(s string) any {
	if n, ok := numberText(s); ok {
		return n
	}
	return s
}
