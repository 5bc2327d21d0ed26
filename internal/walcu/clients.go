package walcu

import (
	"maps"
	"slices"
	"strings"

	"forecourt/internal/core"
)

// clientBackend serves clients as the core's clients, the same every API
// sees (a lead's client in SML is a client here):
//
//	_id                            the client's public id
//	__v                            its version minus one
//	created_at, updated_at         its times
//	primary_contact.name           its name: first_name and last_name (or raw_name)
//	primary_contact.phones[0]      its phone
//	primary_contact.emails[0]      its e-mail
//	primary_contact.government_id  its government id (normalised)
//	business_details.name          its business name
//	address                        its postal address (one text in the core)
//
// Every other field, and the rest of those objects, is the client's Ext
// under "walcu.<field>", as written here. See docs/walcu.md.
type clientBackend struct {
	svc  *core.Service
	coll *collection
}

// The server's fields of a client kept in its Ext.
const (
	extCreatedBy = extPrefix + "created_by"
)

// derivedClientFields are the client document's fields the server derives
// from its contacts.
var derivedClientFields = []string{"contacts_phones", "contacts_emails", "contacts_names", "contacts_government_ids"}

func (b *clientBackend) one(r *request, id string) (core.Client, error) {
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordClient, id)
	if err != nil {
		return core.Client{}, notFound("client")
	}
	c, err := b.svc.FindClient(r.ctx, n)
	if err != nil {
		return core.Client{}, b.err(err)
	}
	if c.DealerID != r.dealer.ID {
		return core.Client{}, notFound("client")
	}
	return c, nil
}

func (b *clientBackend) get(r *request, id string) (doc, error) {
	c, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	return b.renderOne(r, c)
}

// parse reads body as the core's client.
func (b *clientBackend) parse(body doc) (core.Client, error) {
	var c core.Client
	first, _ := at(body, "primary_contact", "name", "first_name").(string)
	last, _ := at(body, "primary_contact", "name", "last_name").(string)
	c.Name = joinWords(first, last)
	if c.Name == "" {
		c.Name, _ = at(body, "primary_contact", "name", "raw_name").(string)
	}
	c.BusinessName, _ = at(body, "business_details", "name").(string)
	if strings.TrimSpace(c.Name) == "" {
		c.Name = c.BusinessName
	}
	if strings.TrimSpace(c.Name) == "" {
		return c, invalidField("primary_contact.name.first_name", "required: the client's name (or business_details.name for a business)")
	}
	c.Phone, _ = at(body, "primary_contact", "phones", "0").(string)
	c.Email, _ = at(body, "primary_contact", "emails", "0").(string)
	c.GovID, _ = at(body, "primary_contact", "government_id").(string)
	if a, ok := body["address"].(map[string]any); ok {
		c.Address = formatAddress(a)
	}
	c.Ext = map[string]string{}
	for k, v := range body {
		if isEnvelope(k) || v == nil || k == "created_by" || k == "contacts" || slices.Contains(derivedClientFields, k) {
			continue
		}
		raw, err := encodeExt(v)
		if err != nil {
			return c, err
		}
		c.Ext[extPrefix+k] = raw
	}
	return c, nil
}

// joinWords joins the non-empty texts with a space.
func joinWords(ws ...string) string {
	var out []string
	for _, w := range ws {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// formatAddress is the core's one-text postal address of a Google-style
// address object: "route street_number, address_details, postal_code
// locality, area_level_1, country", the parts it has.
func formatAddress(a map[string]any) string {
	s := func(k string) string { v, _ := a[k].(string); return v }
	var parts []string
	for _, p := range []string{joinWords(s("route"), s("street_number")), strings.TrimSpace(s("address_details")),
		joinWords(s("postal_code"), s("locality")), strings.TrimSpace(s("area_level_1")), strings.TrimSpace(s("country"))} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

func (b *clientBackend) create(r *request, body doc) (doc, error) {
	c, err := b.parse(body)
	if err != nil {
		return nil, err
	}
	if u := userPublicID(r); u != "" {
		raw, _ := encodeExt(u)
		c.Ext[extCreatedBy], c.Ext[extUpdatedBy] = raw, raw
	}
	want, present, err := b.wantContacts(r, body, nil)
	if err != nil {
		return nil, err
	}
	c.DealerID = r.dealer.ID
	created, err := b.svc.CreateClient(r.ctx, c)
	if err != nil {
		return nil, b.err(err)
	}
	if err := b.setContacts(r, created.ID, nil, want, present); err != nil {
		return nil, stored(err)
	}
	return storedDoc(b.reread(r, created))
}

// reread renders client c as it is now (its contacts' writes make its
// version the next one).
func (b *clientBackend) reread(r *request, c core.Client) (doc, error) {
	now, err := b.svc.FindClient(r.ctx, c.ID)
	if err != nil {
		return nil, b.err(err)
	}
	return b.renderOne(r, now)
}

// replace writes body over client id on the condition of version (0: the
// one read here): each core field whose value the body changes, and the
// client's Ext of this API.
func (b *clientBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	cur, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = cur.Version
	}
	in, err := b.parse(body)
	if err != nil {
		return nil, err
	}
	contacts, err := b.svc.ClientContacts(r.ctx, r.dealer.ID, []int64{cur.ID})
	if err != nil {
		return nil, err
	}
	want, present, err := b.wantContacts(r, body, contacts)
	if err != nil {
		return nil, err
	}
	if version != cur.Version {
		return nil, core.ErrStaleVersion
	}
	p := core.ClientPatch{Version: version}
	written := false // the client's own fields: its contacts' writes follow
	set := func(f *core.Field[string], v, was string) {
		if v != was {
			*f = core.Value(v)
		}
	}
	set(&p.Name, in.Name, cur.Name)
	set(&p.Phone, in.Phone, cur.Phone)
	set(&p.Email, in.Email, cur.Email)
	set(&p.GovID, core.NormaliseGovID(in.GovID), cur.GovID)
	set(&p.BusinessName, in.BusinessName, cur.BusinessName)
	set(&p.Address, in.Address, cur.Address)
	for _, k := range []string{extCreatedBy, extUpdatedBy} {
		if v, ok := cur.Ext[k]; ok {
			in.Ext[k] = v
		}
	}
	if u := userPublicID(r); u != "" {
		raw, _ := encodeExt(u)
		in.Ext[extUpdatedBy] = raw
	}
	ext := map[string]*string{}
	for k, v := range in.Ext {
		if cur.Ext[k] != v {
			ext[k] = &v
		}
	}
	for k := range cur.Ext {
		if _, keep := in.Ext[k]; !keep && strings.HasPrefix(k, extPrefix) {
			ext[k] = nil
		}
	}
	onlyAuthor := len(ext) == 1 && ext[extUpdatedBy] != nil
	if len(ext) > 0 && !onlyAuthor {
		p.Ext = ext
	}
	if !p.Name.Set && !p.Phone.Set && !p.Email.Set && !p.GovID.Set && !p.BusinessName.Set && !p.Address.Set && p.Ext == nil {
		if !present || sameContactList(contacts, want) {
			return b.renderOne(r, cur) // nothing changes: nothing is written
		}
	} else {
		if p.Ext == nil {
			p.Ext = ext
		}
		if cur, err = b.svc.UpdateClient(r.ctx, cur.ID, p); err != nil {
			return nil, b.err(err)
		}
		written = true
	}
	if err := b.setContacts(r, cur.ID, contacts, want, present); err != nil {
		return nil, storedIf(written, err)
	}
	return storedDoc(b.reread(r, cur))
}

func (b *clientBackend) remove(r *request, id string) error {
	c, err := b.one(r, id)
	if err != nil {
		return err
	}
	return b.err(b.svc.DeleteClient(r.ctx, c.ID, 0))
}

func (b *clientBackend) find(r *request, q core.Query) ([]doc, error) {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), q.Where)
	q.Ext = clientExt
	cs, _, err := b.svc.FindClients(r.ctx, q)
	if err != nil {
		return nil, b.queryErr(err)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	comms, err := readClientComms(r, ids)
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(cs))
	for _, c := range cs {
		d, err := b.render(r, c, comms.contacts[c.ID])
		if err != nil {
			return nil, err
		}
		comms.fill(b.coll, d["computed"].(doc), c)
		out = append(out, d)
	}
	return out, nil
}

func (b *clientBackend) group(r *request, q core.Query) ([]core.Group, error) {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), q.Where)
	q.Ext = clientExt
	gs, err := b.svc.GroupClients(r.ctx, q)
	if err != nil {
		return nil, b.queryErr(err)
	}
	return renderGroups(r, q.GroupBy, gs)
}

// clientExt are the fields of a client kept in its Ext that a query may
// name: every field of the document but the envelope, computed, the core's
// (clientFields) and the derived contacts_* lists. created_by is the
// creator's public id as written when the client was created here. With
// them, those of its contacts kept in their Ext (clientcontactquery.go).
var clientExt = withClientContactExt(extSpecs(collections["clients"], func(path string) bool {
	_, core := clientFields[path]
	top := topField(path)
	return !core && !isEnvelope(top) && top != "computed" && top != "contacts" && !slices.Contains(derivedClientFields, top)
}))

// clientFields are the paths of a client document a query may name, and
// the core's field of each.
var clientFields = map[string]qfield{
	"primary_contact.phones":        {core: "phone", kind: kString},
	"primary_contact.emails":        {core: "email", kind: kString},
	"primary_contact.government_id": {core: "gov_id", kind: kString},
	"business_details.name":         {core: "business_name", kind: kString},
	// the client's contacts (the contacts collection's records): a
	// condition holds when one of them holds it (docs/walcu.md, "The
	// client's contacts array")
	"contacts.phones":        {core: "contacts.phones", kind: kString},
	"contacts.emails":        {core: "contacts.emails", kind: kString},
	"contacts.government_id": {core: "contacts.gov_id", kind: kString},
}

func (b *clientBackend) field(r *request, path string) (qfield, error) {
	if path != "__v" {
		if f, ok := envelopeField(path, false); ok {
			return f, nil
		}
	}
	if f, ok := clientFields[path]; ok {
		return f, nil
	}
	if _, ok := clientExt[extQueryPrefix+path]; ok {
		return extQField(b.coll, path), nil
	}
	if _, ok := b.coll.fields[path]; !ok {
		return qfield{}, unknownField(b.coll, path)
	}
	if topField(path) == "contacts" {
		return qfield{}, notQueryable(path, "of the client's contacts only the fields of a contact element are filterable; query /contacts for the others")
	}
	if slices.Contains(derivedClientFields, topField(path)) {
		return qfield{}, notQueryable(path, "derived from the contacts when the client is read: not filterable (name primary_contact or contacts)")
	}
	return qfield{}, notQueryable(path, "the server's: not filterable")
}

// clientFieldNames words the core's field paths of a client as the
// document's.
var clientFieldNames = map[string]string{
	"name": "primary_contact.name.first_name", "phone": "primary_contact.phones.0", "email": "primary_contact.emails.0",
	"gov_id": "primary_contact.government_id", "business_name": "business_details.name", "address": "address",
}

func (b *clientBackend) err(err error) error {
	if err == nil {
		return nil
	}
	return toAPIError(err, docFieldNames(clientFieldNames))
}

func (b *clientBackend) queryErr(err error) error { return queryErrOf(err, clientFields) }

// render answers a client as this API shows it: its Ext, with the core's
// values in their places.
func (b *clientBackend) render(r *request, c core.Client, cs []core.Contact) (doc, error) {
	d := doc{}
	for _, k := range slices.Sorted(maps.Keys(c.Ext)) {
		name, ok := strings.CutPrefix(k, extPrefix)
		if !ok {
			continue
		}
		v, err := decodeExt(c.Ext[k])
		if err != nil {
			return nil, err
		}
		d[name] = v
	}
	d["_id"] = c.PublicID
	d["__v"] = c.Version - 1
	d["dealer_id"] = dealerID(r.dealer)
	d["created_at"] = formatValue(c.CreatedAt)
	d["updated_at"] = formatValue(c.UpdatedAt)
	if _, ok := d["created_by"]; !ok {
		d["created_by"] = nil
	}
	if _, ok := d["updated_by"]; !ok {
		d["updated_by"] = nil
	}

	pc, _ := d["primary_contact"].(map[string]any)
	if pc == nil {
		pc = map[string]any{}
	}
	name, _ := pc["name"].(map[string]any)
	if name == nil {
		name = map[string]any{}
	}
	first, _ := name["first_name"].(string)
	last, _ := name["last_name"].(string)
	raw, _ := name["raw_name"].(string)
	if joinWords(first, last) != c.Name && !(joinWords(first, last) == "" && strings.TrimSpace(raw) == c.Name) {
		f, l := core.SplitName(c.Name)
		name["first_name"], name["last_name"] = f, l
	}
	pc["name"] = name
	pc["phones"] = overlayFirst(pc["phones"], c.Phone)
	pc["emails"] = overlayFirst(pc["emails"], c.Email)
	if c.GovID != "" || pc["government_id"] != nil {
		pc["government_id"] = c.GovID
	}
	d["primary_contact"] = pc
	overlayBusinessAndAddress(d, c)
	// its contacts (the contacts collection's) and their derived lists:
	// the primary contact's, then the others'
	d["contacts"] = contactElems(b.contactsElem(), cs)
	var phones, emails, names, govs []any
	contacts := append([]any{pc}, d["contacts"].([]any)...)
	for _, x := range contacts {
		m, _ := x.(map[string]any)
		for _, p := range asList(m["phones"]) {
			phones = append(phones, p)
		}
		for _, e := range asList(m["emails"]) {
			emails = append(emails, e)
		}
		if n, ok := m["name"].(map[string]any); ok {
			f, _ := n["first_name"].(string)
			l, _ := n["last_name"].(string)
			if s := joinWords(f, l); s != "" {
				names = append(names, s)
			}
		}
		if g, ok := m["government_id"].(string); ok && g != "" {
			govs = append(govs, g)
		}
	}
	d["contacts_phones"], d["contacts_emails"], d["contacts_names"], d["contacts_government_ids"] = nonNil(phones), nonNil(emails), nonNil(names), nonNil(govs)
	d["computed"] = doc{"_id": c.PublicID}
	return d, nil
}

// overlayBusinessAndAddress sets on d, a client document of c's Ext, the
// core's business name and address: business_details.name, and address
// as written while it still makes the core's text (else
// {"address_details": <text>}; none without one).
func overlayBusinessAndAddress(d doc, c core.Client) {
	if c.BusinessName != "" || d["business_details"] != nil {
		bd, _ := d["business_details"].(map[string]any)
		if bd == nil {
			bd = map[string]any{}
		}
		bd["name"] = c.BusinessName
		d["business_details"] = bd
	}
	if a, _ := d["address"].(map[string]any); formatAddress(a) != c.Address {
		if c.Address == "" {
			delete(d, "address")
		} else {
			d["address"] = map[string]any{"address_details": c.Address}
		}
	}
}

// overlayFirst returns list (a JSON array) with v as its first element (v
// empty: without the first element, when list had one).
func overlayFirst(list any, v string) []any {
	l := asList(list)
	switch {
	case v == "" && len(l) > 0:
		return l[1:]
	case v == "":
		return []any{}
	case len(l) == 0:
		return []any{v}
	}
	out := slices.Clone(l)
	out[0] = v
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func nonNil(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}
