package store

import (
	"strings"

	"forecourt/internal/core"
)

// Extension fields of a client's contacts (core.FieldSpec.Of is
// core.RecordContact): each is read from the flat Ext of the client's
// contacts (contacts.ext, {"walcu.name": "<JSON text>"}) by the documents'
// compiler of JSON paths over the same nested value as a contact's own
// query reads (flatExtOver), in an EXISTS over the client's contacts, so
// that a condition holds when one of them holds it, as MongoDB's on an
// array: EXISTS (SELECT 1 FROM contacts ct WHERE ct.client_id =
// clients.id AND <condition on ct.ext>). On PostgreSQL, equality and
// membership are containment in forecourt_flat_ext(ct.ext), which
// contacts_ext_gin (migration 0034) serves: "clients.id IN (SELECT
// ct.client_id FROM contacts ct WHERE … AND ct.ext @> …)". The query's
// dealer scope stays the clients'; a contact is its client's dealer's.

// withClientExt is withExt for clients: the fields of ext of the clients'
// own Ext read clients.ext, those of their contacts (Of) the contacts'.
func (t tableSQL) withClientExt(ext map[string]core.FieldSpec, pg bool) (tableSQL, error) {
	t, err := t.withExt("clients", ext, pg)
	if err != nil {
		return tableSQL{}, err
	}
	for name, spec := range ext {
		if spec.Of != core.RecordContact {
			continue
		}
		f, err := contactExtField(t.schema.Fields[name], pg)
		if err != nil {
			return tableSQL{}, err
		}
		t.fields[name] = f // withExt's copy of the table's fields
	}
	return t, nil
}

// contactExtField is the SQL of the field spec of a client's contacts'
// Ext.
func contactExtField(spec core.FieldSpec, pg bool) (fieldSQL, error) {
	f, err := jsonField(flatExtOver("ct", pg)(spec.Path), spec, pg)
	if err != nil {
		return fieldSQL{}, err
	}
	// the elements of an array on the path (jsonField's from) are read
	// after the contact they are in
	if f.from == "" {
		f.from = clientContacts
	} else {
		f.from = "contacts ct, " + strings.TrimSuffix(f.from, " WHERE 1 = 1") + " WHERE ct.client_id = clients.id"
	}
	if pg && !f.docTime {
		f.contains = &jsonContains{col: "forecourt_flat_ext(ct.ext)", path: spec.Path,
			in: "clients.id IN (SELECT ct.client_id FROM contacts ct WHERE ct.client_id IS NOT NULL"}
	}
	return f, nil
}
