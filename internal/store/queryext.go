package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"forecourt/internal/core"
)

// Extension fields of a query (core.Query.Ext, core/queryext.go): fields
// of a lead's or client's ext column, one JSON object by API, compiled
// by the documents' compiler of JSON paths (jsonField), so that there is
// one way to read JSON in SQL on each engine.

// withExt returns t with the extension fields ext mapped onto base's ext
// column (base: "leads", "clients"), and its schema with them.
func (t tableSQL) withExt(base string, ext map[string]core.FieldSpec, pg bool) (tableSQL, error) {
	col := base + ".ext"
	if pg {
		col = "(" + base + ".ext::jsonb)" // TEXT, as on SQLite (migration 0018)
	}
	var contains func(string) *jsonContains
	if pg {
		contains = func(path string) *jsonContains { return &jsonContains{col: col, path: path} }
	}
	t, err := t.withExtOver(ext, pg, func(string) string { return col }, contains)
	if err != nil {
		return t, err
	}
	for name, spec := range ext {
		if first, _, through := strings.Cut(spec.Path, "[]"); spec.Further && through {
			// the leads whose array has a further element
			// (leads_further_cars, migration 0051 on SQLite, 0053 on
			// PostgreSQL, for walcu.car_list; on PostgreSQL equality is
			// containment, leads_ext_gin, unless it folds case)
			f := t.fields[name]
			f.within = "json_array_length(" + col + ", '$." + first + "') > 1"
			if pg {
				f.within = base + ".ext LIKE '%\"" + first[strings.LastIndex(first, ".")+1:] + "\"%' AND (" + col + " #> '{" +
					strings.ReplaceAll(first, ".", ",") + ",1}') IS NOT NULL"
			}
			t.fields[name] = f
		}
	}
	return t, nil
}

// withExtOver returns t with the extension fields ext, each read from the
// JSON value over(its Path) as jsonField reads a document, and its schema
// with them; contains, when set, returns how equality and membership on
// the field at a path compile as containment (jsonContains; nil: they do
// not).
func (t tableSQL) withExtOver(ext map[string]core.FieldSpec, pg bool, over func(path string) string, contains func(path string) *jsonContains) (tableSQL, error) {
	if len(ext) == 0 {
		return t, nil
	}
	sc, err := t.schema.WithExt(ext)
	if err != nil {
		return tableSQL{}, err
	}
	fields := make(map[string]fieldSQL, len(t.fields)+len(ext))
	for name, f := range t.fields {
		fields[name] = f
	}
	for name := range ext {
		spec := sc.Fields[name]
		col := over(spec.Path)
		f, err := jsonField(col, spec, pg)
		if err != nil {
			return tableSQL{}, fmt.Errorf("store: %s field %q: %w", t.schema.Entity, name, err)
		}
		if contains != nil && !f.docTime {
			f.contains = contains(spec.Path)
		}
		fields[name] = f
	}
	t.schema, t.fields = &sc, fields
	return t, nil
}

// GroupClients implements core.Store.GroupClients.
func (s *Store) GroupClients(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	t, err := clientTable.withClientExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	scope, args := inScope("dealer_id", dealers)
	return groupPage(s, ctx, &t, scope, args, q)
}

// jsonContains compiles, on PostgreSQL, a condition of equality or
// membership on a field of a JSONB column as containment (col @> '{"walcu":
// {"car_list": [{"car": {"license_plate": "…"}}]}}'), which a GIN index of
// the column (jsonb_path_ops) serves, with MongoDB's meaning, as the other
// compilation: through an array it holds when an element holds the value;
// a text is a JSON string, a number a JSON number (compared as numbers), a
// boolean a JSON boolean. Times (JSON text in a layout) and null are left
// to the other compilation.
type jsonContains struct {
	col  string // the JSONB expression
	path string // the field's Path in it ("walcu.car_list[].car.license_plate")
	// in, when set, is where the containment is tested: a subquery of the
	// ids of the rows that hold it, "<in> AND (<containment>))"
	// (docExtContains).
	in string
}

// leaf returns the condition of cd on field f as containment, or false
// when cd is not one containment compiles.
func (j *jsonContains) leaf(f fieldSQL, cd core.Cond) (string, []any, bool) {
	if j == nil {
		return "", nil, false
	}
	vs := cd.Values
	switch cd.Op {
	case core.OpEq, core.OpNe:
		vs = []any{cd.Value}
	case core.OpIn, core.OpNin:
	default:
		return "", nil, false
	}
	if len(vs) == 0 {
		return "", nil, false
	}
	parts := make([]string, 0, len(vs))
	args := make([]any, 0, len(vs))
	for _, v := range vs {
		switch v.(type) {
		case string, float64, int64, bool:
		default:
			return "", nil, false // null, a time: the other compilation
		}
		doc, err := json.Marshal(nested(j.path, sqlValue(f, v)))
		if err != nil {
			return "", nil, false
		}
		parts, args = append(parts, j.col+" @> ?::jsonb"), append(args, string(doc))
	}
	q := "(" + strings.Join(parts, " OR ") + ")"
	if j.in != "" {
		q = j.in + " AND " + q + ")"
	}
	if cd.Op == core.OpNe || cd.Op == core.OpNin {
		q = "NOT " + q // also where the field is missing, as MongoDB's $ne
	}
	return q, args, true
}

// nested is v at path in a JSON value: objects for keys, an array of one
// element after a key marked "[]".
func nested(path string, v any) any {
	segs := strings.Split(path, ".")
	for i := len(segs) - 1; i >= 0; i-- {
		key, array := strings.CutSuffix(segs[i], "[]")
		if array {
			v = []any{v}
		}
		v = map[string]any{key: v}
	}
	return v
}
