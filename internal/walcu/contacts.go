package walcu

import (
	"maps"
	"strings"

	"forecourt/internal/core"
)

// contactBackend serves contacts as the core's contact persons of a
// client (core.Contact):
//
//	_id, __v, dealer_id, created_at, updated_at   the contact's
//	client_id       its client (public id): required, a client of the dealer
//	name            Name: first_name + " " + last_name, else raw_name (the object kept as written)
//	phones, emails  Phones, Emails
//	government_id   GovID
//
// Every other field is the contact's Ext under "walcu.<field>", a JSON
// text. See docs/walcu.md.
type contactBackend struct {
	svc  *core.Service
	coll *collection
}

func (b *contactBackend) one(r *request, id string) (core.Contact, error) {
	return recordOf(r, core.RecordContact, "contact", id, func(n int64) (core.Contact, error) { return b.svc.FindContact(r.ctx, n) },
		func(c core.Contact) bool { return c.DealerID == r.dealer.ID }, b.err)
}

func (b *contactBackend) get(r *request, id string) (doc, error) {
	c, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	return b.renderOne(r, c)
}

func (b *contactBackend) renderOne(r *request, c core.Contact) (doc, error) {
	return renderFirst(r, c, b.render)
}

// parse reads body as a contact of a client of the dealer.
func (b *contactBackend) parse(r *request, body doc) (core.Contact, error) {
	var c core.Contact
	s, _ := body["client_id"].(string)
	if s == "" {
		return c, invalidField("client_id", "required: a contact is a client's")
	}
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordClient, s)
	if err != nil {
		return c, invalidField("client_id", "no such client of the dealer")
	}
	cl, err := b.svc.FindClient(r.ctx, n)
	if err != nil || cl.DealerID != r.dealer.ID {
		return c, invalidField("client_id", "no such client of the dealer")
	}
	c, err = contactOfBody(body)
	c.ClientID = cl.ID
	return c, err
}

// contactOfBody reads a contact's own fields from body (a contacts
// document, or an element of a client's contacts array): its name,
// phones, e-mails, government id, and every other field but client_id and
// the envelope's as its Ext.
func contactOfBody(body doc) (core.Contact, error) {
	var c core.Contact
	c.Name = contactName(body["name"])
	c.Phones, c.Emails = textList(body["phones"]), textList(body["emails"])
	c.GovID, _ = body["government_id"].(string)
	c.Ext = map[string]string{}
	for k, v := range body {
		switch k {
		case "client_id", "phones", "emails", "government_id":
			continue
		}
		if isEnvelope(k) || v == nil {
			continue
		}
		raw, err := encodeExt(v)
		if err != nil {
			return c, err
		}
		c.Ext[extPrefix+k] = raw // the name as written too
	}
	return c, nil
}

// contactName is the name of a name object: its first and last names,
// else its raw name.
func contactName(v any) string {
	m, _ := v.(map[string]any)
	first, _ := m["first_name"].(string)
	last, _ := m["last_name"].(string)
	if n := joinWords(first, last); n != "" {
		return n
	}
	raw, _ := m["raw_name"].(string)
	return strings.TrimSpace(raw)
}

// textList is the texts of a JSON array.
func textList(v any) []string {
	var out []string
	for _, x := range asList(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (b *contactBackend) create(r *request, body doc) (doc, error) {
	c, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	if u := userPublicID(r); u != "" {
		c.Ext[extUpdatedBy], _ = encodeExt(u)
	}
	c, err = b.svc.CreateContact(r.ctx, c)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(b.renderOne(r, c))
}

func (b *contactBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	cur, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	c, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	if c.ClientID != cur.ClientID {
		return nil, invalidField("client_id", "a contact cannot move to another client")
	}
	ext := extOver(cur.Ext, c.Ext)
	c.ID, c.Version, c.Role, c.Primary, c.Ext = cur.ID, version, cur.Role, cur.Primary, ext
	if u := userPublicID(r); u != "" && (!maps.Equal(ext, cur.Ext) || c.Name != cur.Name || c.GovID != cur.GovID ||
		strings.Join(c.Phones, "\n") != strings.Join(cur.Phones, "\n") || strings.Join(c.Emails, "\n") != strings.Join(cur.Emails, "\n")) {
		c.Ext[extUpdatedBy], _ = encodeExt(u)
	}
	c, err = b.svc.UpdateContact(r.ctx, c)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(b.renderOne(r, c))
}

func (b *contactBackend) remove(r *request, id string) error {
	c, err := b.one(r, id)
	if err != nil {
		return err
	}
	return b.err(b.svc.DeleteContact(r.ctx, c.ID))
}

func (b *contactBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), q.Where)
	q.Ext = contactExt
	return q
}

func (b *contactBackend) find(r *request, q core.Query) ([]doc, error) {
	cs, _, err := b.svc.FindContacts(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, contactFields)
	}
	return b.render(r, cs)
}

// group counts contacts by dealer_id, client_id (the client's public id)
// or created_by, as clients are grouped.
func (b *contactBackend) group(r *request, q core.Query) ([]core.Group, error) {
	gs, err := b.svc.GroupContacts(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, contactFields)
	}
	if q.GroupBy == "client" {
		var ids []int64
		for _, g := range gs {
			if id, ok := g.Value.(int64); ok {
				ids = append(ids, id)
			}
		}
		clients, err := clientPublicIDs(r, ids)
		if err != nil {
			return nil, err
		}
		for i, g := range gs {
			if id, ok := g.Value.(int64); ok {
				gs[i].Value = clients[id]
			}
		}
	}
	return renderGroups(r, q.GroupBy, gs)
}

// clientPublicIDs maps the dealer's clients ids to their public ids.
func clientPublicIDs(r *request, ids []int64) (map[int64]string, error) {
	cs, err := clientsByID(r, ids)
	out := make(map[int64]string, len(cs))
	for id, c := range cs {
		out[id] = c.PublicID
	}
	return out, err
}

// contactExt are the fields of a contact kept in its Ext that a query may
// name (recordextquery.go): its name object, custom, foreign_ids… (the
// phones and e-mails are the core's: search finds them).
var contactExt = recordExtSpecs(collections["contacts"], contactFields, false, "client_id", "phones", "emails")

var contactFields = map[string]qfield{
	"client_id":     {core: "client", kind: kString, conv: idOf(core.RecordClient)},
	"government_id": {core: "gov_id", kind: kString},
}

func (b *contactBackend) field(r *request, path string) (qfield, error) {
	if f, ok := envelopeField(path, false); ok {
		return f, nil
	}
	if f, ok := contactFields[path]; ok {
		return f, nil
	}
	if f, ok := extFieldOf(b.coll, contactExt, path); ok {
		return f, nil
	}
	if _, ok := b.coll.fields[path]; ok {
		return qfield{}, notQueryable(path, "the server's: not filterable")
	}
	return qfield{}, unknownField(b.coll, path)
}

func (b *contactBackend) err(err error) error {
	if err == nil {
		return nil
	}
	names := map[string]string{"client": "client_id", "gov_id": "government_id"}
	return toAPIError(err, docFieldNames(names))
}

// render answers contacts as documents: their clients read once.
func (b *contactBackend) render(r *request, cs []core.Contact) ([]doc, error) {
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.ClientID)
	}
	clients, err := clientPublicIDs(r, ids)
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(cs))
	for _, c := range cs {
		d := contactDoc(c)
		d["__v"] = c.Version - 1
		d["dealer_id"] = dealerID(r.dealer)
		d["created_at"] = formatValue(c.CreatedAt)
		d["updated_at"] = formatValue(c.UpdatedAt)
		if _, ok := d["updated_by"]; !ok {
			d["updated_by"] = nil
		}
		d["client_id"] = clients[c.ClientID]
		d["computed"] = doc{"_id": c.PublicID}
		out = append(out, d)
	}
	return out, nil
}

// contactDoc is a contact's own fields as a document shows them (and a
// lead's computed client_contacts): _id, name (as written while it still
// makes the core's name), phones, emails, government_id and its Ext.
func contactDoc(c core.Contact) doc {
	d := doc{}
	for k, raw := range c.Ext {
		name, ok := strings.CutPrefix(k, extPrefix)
		if !ok {
			continue
		}
		if v, err := decodeExt(raw); err == nil {
			d[name] = v
		}
	}
	if contactName(d["name"]) != c.Name {
		f, l := core.SplitName(c.Name)
		d["name"] = doc{"first_name": f, "last_name": l}
	}
	d["_id"] = c.PublicID
	d["phones"] = anyTexts(c.Phones)
	d["emails"] = anyTexts(c.Emails)
	d["government_id"] = c.GovID
	return d
}

func anyTexts(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}
