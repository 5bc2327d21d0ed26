package walcu

import (
	"strings"

	"forecourt/internal/core"
)

// Queries on the fields a lead or client keeps in its Ext (the document's
// fields the core has no column for, "walcu.<field>": see leads.go and
// clients.go). They are the core query's extension fields
// (core.Query.Ext): "ext.walcu.<path>" at the Path "walcu.<Path of the
// document>", compiled by the store to SQL over the Ext's JSON, with
// MongoDB's meaning (a path through an array holds when an element does).
// They are the collection's schema fields and no other: an unknown path
// is still 400 naming it.

// extQueryPrefix starts the core's name of a field kept in Ext.
const extQueryPrefix = core.ExtFieldPrefix + "walcu."

// extSpecs returns the extension fields of collection c a query may name:
// every leaf field of its document that kept(path) accepts.
func extSpecs(c *collection, kept func(path string) bool) map[string]core.FieldSpec {
	out := map[string]core.FieldSpec{}
	for name, f := range c.fields {
		if kept(name) {
			out[extQueryPrefix+name] = core.FieldSpec{Type: coreType(f.kind), Path: "walcu." + f.path}
		}
	}
	return out
}

// extQField is the query field of path, kept in Ext, of collection c.
func extQField(c *collection, path string) qfield {
	return qfield{core: extQueryPrefix + path, kind: c.fields[path].kind}
}

// notQueryable is the error of a path of the document that no query may
// name, and why.
func notQueryable(path, why string) error {
	return invalid("field not queryable", map[string]string{"q." + path: why})
}

// topField is the top-level field of a dotted path.
func topField(path string) string {
	top, _, _ := strings.Cut(path, ".")
	return top
}
