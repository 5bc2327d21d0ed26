package walcu

import (
	"strings"

	"forecourt/internal/core"
)

// Every field of a collection's computed block is in every document it
// answers (docs/walcu.md, "Every computed field"): the backends set those
// the core derives; withComputed sets the rest, the ones the core has no
// data for (GDPR consents, offers, notifications, read e-mails, WhatsApp
// sessions: noData) as the schema's empty value (an array [], a count 0,
// anything else null), and those it has data for but no one derives yet
// as null (unknown: not a false zero).

// noData are the words of the computed fields whose data the core does
// not keep.
var noData = []string{"gdpr", "offer", "notification", "read_email", "whatsapp_session", "first_user", "longest_user", "phone_customs",
	"phone_friendly_name", "lead_location"}

// withComputed wraps b so that every document it answers has every
// field of c's computed block.
func withComputed(b backend, c *collection) backend {
	block := c.doc.fields["computed"]
	if block == nil || block.kind != kObject {
		return b
	}
	fill := make(map[string]func() any, len(block.fields))
	for k, s := range block.fields {
		fill[k] = func() any { return nil }
		for _, w := range noData {
			if strings.Contains(k, w) {
				fill[k] = func() any { return emptyOf(s) } // a new value each time: documents are changed after
				break
			}
		}
	}
	return &computedBackend{backend: b, fill: fill}
}

type computedBackend struct {
	backend
	fill map[string]func() any // each field of the computed block: its value when the backend did not set it
}

// complete sets on d's computed every field of the block it lacks.
func (b *computedBackend) complete(d doc) doc {
	if d == nil {
		return d
	}
	c, _ := d["computed"].(doc)
	if c == nil {
		c = doc{}
		d["computed"] = c
	}
	for k, v := range b.fill {
		if _, ok := c[k]; !ok {
			c[k] = v()
		}
	}
	return d
}

// emptyOf is the empty value of shape s: [] for an array, 0 for a number,
// null otherwise.
func emptyOf(s *shape) any {
	switch s.kind {
	case kArray:
		return []any{}
	case kNumber:
		return 0
	}
	return nil
}

func (b *computedBackend) get(r *request, id string) (doc, error) {
	d, err := b.backend.get(r, id)
	return b.complete(d), err
}

func (b *computedBackend) create(r *request, body doc) (doc, error) {
	d, err := b.backend.create(r, body)
	return b.complete(d), err
}

func (b *computedBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	d, err := b.backend.replace(r, id, body, version)
	return b.complete(d), err
}

func (b *computedBackend) find(r *request, q core.Query) ([]doc, error) {
	ds, err := b.backend.find(r, q)
	for _, d := range ds {
		b.complete(d)
	}
	return ds, err
}

// clientParts are the computed fields of a lead's client cl that its
// client document holds: client_address, client_business_details and
// client_customs (the client's address, business details and custom as
// the clients collection shows them; null when it has none).
func clientParts(cl core.Client) (address, business, customs any) {
	d := doc{}
	for _, k := range []string{"address", "business_details", "custom"} {
		if raw, ok := cl.Ext[extPrefix+k]; ok {
			d[k], _ = decodeExt(raw)
		}
	}
	overlayBusinessAndAddress(d, cl)
	return d["address"], d["business_details"], d["custom"]
}

// clientsByID reads the dealer's clients ids whole (a lead's client is
// read without its Ext).
func clientsByID(r *request, ids []int64) (map[int64]core.Client, error) {
	out := map[int64]core.Client{}
	if ids = core.DistinctIDs(ids); len(ids) == 0 {
		return out, nil
	}
	cs, _, err := r.svc.FindClients(r.ctx, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID), core.In("id", anyIDs(ids)...)), Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}
