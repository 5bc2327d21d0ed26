package store

import (
	"strings"

	"forecourt/internal/core"
)

// Extension fields of a query (core.Query.Ext) on the records whose Ext is
// stored flat (appointments, communications: {"walcu.custom": "<JSON
// text>"}, as dealers.ext) and on those extended by a core document
// (tasks and notes: the document of collection "<api>.tasks" or
// "<api>.notes" whose record_id is the record's, migration 0016). Each
// field is read, as on leads, by the documents' compiler of JSON paths
// (jsonField) over a JSON value built for it in SQL with the field's Path
// in it: {"walcu": {"custom": <the key "walcu.custom" read as JSON>}} for
// a flat Ext, {"walcu": <the document's body>} for a document. Nothing is
// filtered in memory. On PostgreSQL, equality and membership are
// containment, which GIN indexes serve (migration 0034); the other
// conditions are read per row of the dealer's.

// flatExtOver returns the JSON value of field path ("walcu.custom.x",
// "walcu.flow_events[].type") in table's flat ext column: the key of its
// API and first field ("walcu.custom"), a JSON text, read as JSON (null
// when it is none) and nested as the Path says.
func flatExtOver(table string, pg bool) func(path string) string {
	return func(path string) string {
		segs := strings.SplitN(path, ".", 3)
		if len(segs) < 2 { // the API's whole Ext: not a field
			return map[bool]string{true: "'{}'::jsonb", false: "'{}'"}[pg]
		}
		api, top := segs[0], strings.TrimSuffix(segs[1], "[]") // checked by core.ValidPath: letters, digits, _
		key := api + "." + top
		if pg {
			return "jsonb_build_object('" + api + "', jsonb_build_object('" + top + "', (" + table + ".ext::jsonb ->> '" + key + "')::jsonb))"
		}
		v := "json_extract(" + table + ".ext, '$.\"" + key + "\"')"
		return "json_object('" + api + "', json_object('" + top + "', json(CASE WHEN json_valid(" + v + ") THEN " + v + " ELSE 'null' END)))"
	}
}

// docExtOver returns the JSON value of a field of the extension document
// of table's records (collection "<api>.<table>"), {"<api>": body}, {} for
// a record without one.
func docExtOver(table string, pg bool) func(path string) string {
	return func(path string) string {
		api, _, _ := strings.Cut(path, ".")
		doc := "(SELECT d.body FROM documents d WHERE d.collection = '" + api + "." + table + "' AND d.record_id = " + table + ".id)"
		if pg {
			return "jsonb_build_object('" + api + "', COALESCE(" + doc + ", '{}'::jsonb))"
		}
		return "json_object('" + api + "', json(COALESCE(" + doc + ", '{}')))"
	}
}

// withFlatExt is withExt for a table whose ext column is flat. On
// PostgreSQL, equality and membership are containment in the nested form
// of the column, forecourt_flat_ext(ext) (migration 0034), which the
// table's GIN index of that expression serves.
func (t tableSQL) withFlatExt(ext map[string]core.FieldSpec, pg bool) (tableSQL, error) {
	var contains func(string) *jsonContains
	if pg {
		col := "forecourt_flat_ext(" + t.table + ".ext)"
		contains = func(path string) *jsonContains { return &jsonContains{col: col, path: path} }
	}
	return t.withExtOver(ext, pg, flatExtOver(t.table, pg), contains)
}

// withDocExt is withExt for a table whose records are extended by core
// documents. On PostgreSQL, equality and membership are containment in
// the documents' bodies, which documents_body_gin (migration 0034)
// serves: "id IN (SELECT record_id FROM documents … AND body @> …)".
func (t tableSQL) withDocExt(ext map[string]core.FieldSpec, pg bool) (tableSQL, error) {
	var contains func(string) *jsonContains
	if pg {
		contains = func(path string) *jsonContains {
			api, rest, ok := strings.Cut(path, ".")
			if !ok {
				return nil // the API's whole document: not a field
			}
			return &jsonContains{col: "d.body", path: rest,
				in: t.table + ".id IN (SELECT d.record_id FROM documents d WHERE d.collection = '" + api + "." + t.table + "' AND d.record_id IS NOT NULL"}
		}
	}
	return t.withExtOver(ext, pg, docExtOver(t.table, pg), contains)
}
