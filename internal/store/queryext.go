package store

import (
	"context"
	"fmt"

	"forecourt/internal/core"
)

// Extension fields of a query (core.Query.Ext, core/queryext.go): fields
// of a lead's or client's ext column, one JSON object by API, compiled
// by the documents' compiler of JSON paths (jsonField), so that there is
// one way to read JSON in SQL on each engine.

// withExt returns t with the extension fields ext mapped onto base's ext
// column (base: "leads", "clients"), and its schema with them.
func (t tableSQL) withExt(base string, ext map[string]core.FieldSpec, pg bool) (tableSQL, error) {
	if len(ext) == 0 {
		return t, nil
	}
	sc, err := t.schema.WithExt(ext)
	if err != nil {
		return tableSQL{}, err
	}
	col := base + ".ext"
	if pg {
		col = "(" + base + ".ext::jsonb)" // TEXT, as on SQLite (migration 0018)
	}
	fields := make(map[string]fieldSQL, len(t.fields)+len(ext))
	for name, f := range t.fields {
		fields[name] = f
	}
	for name := range ext {
		f, err := jsonField(col, sc.Fields[name], pg)
		if err != nil {
			return tableSQL{}, fmt.Errorf("store: %s field %q: %w", t.schema.Entity, name, err)
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
	t, err := clientTable.withExt("clients", q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	scope, args := inScope("dealer_id", dealers)
	return groupPage(s, ctx, &t, scope, args, q)
}
