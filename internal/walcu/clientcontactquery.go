package walcu

import (
	"maps"
	"strings"

	"forecourt/internal/core"
)

// Queries on a client's contacts array beyond phones, emails and
// government_id (the core's, clientFields): every other field a contact
// element of the clients' schema has (its name object, custom) is kept in
// each contact's Ext, as the contacts collection keeps it (contactExt), and
// is an extension field of the client's query that reads its contacts'
// Ext (core.FieldSpec.Of): the condition holds when one of the client's
// contacts holds it, compiled by the store to an EXISTS over the client's
// contacts on both engines (store/queryextcontacts.go), never filtered in
// memory. A field a contact element of the clients' schema does not have
// (foreign_ids, which only the contacts collection shows) is unknown.

// clientContactExt are those fields: "ext.walcu.contacts.<field>", with
// the Path of <field> in a contact's Ext.
var clientContactExt = func() map[string]core.FieldSpec {
	out := map[string]core.FieldSpec{}
	for path := range collections["clients"].fields {
		sub, ok := strings.CutPrefix(path, "contacts.")
		if !ok {
			continue
		}
		if spec, ok := contactExt[extQueryPrefix+sub]; ok {
			spec.Of = core.RecordContact
			out[extQueryPrefix+path] = spec
		}
	}
	return out
}()

// withClientContactExt returns ext, a client's own extension fields, with
// its contacts' (clientContactExt).
func withClientContactExt(ext map[string]core.FieldSpec) map[string]core.FieldSpec {
	out := maps.Clone(ext)
	maps.Copy(out, clientContactExt)
	return out
}
