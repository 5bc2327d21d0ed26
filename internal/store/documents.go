package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"forecourt/internal/core"
)

// Documents (migration 0016, core/documents.go): JSON bodies scoped to a
// dealer, whose fields the query model names by their JSON Path. A
// condition on a body field compiles to SQL over JSON: json_extract and
// json_each on SQLite, #> and jsonb_array_elements on PostgreSQL; a path
// through an array holds when any element holds it (EXISTS over the
// elements), as MongoDB reads it.

const documentCols = `id, public_id, dealer_id, collection, body, client_id, lead_id, record_id, created_by, updated_by,
	created_at, updated_at, version`

func scanDocument(r interface{ Scan(...any) error }, d *core.Document) error {
	var client, lead, record, createdBy, updatedBy sql.NullInt64
	var body []byte
	var created, updated int64
	if err := r.Scan(&d.ID, &d.PublicID, &d.DealerID, &d.Collection, &body, &client, &lead, &record, &createdBy, &updatedBy,
		&created, &updated, &d.Version); err != nil {
		return err
	}
	d.Body = body
	d.ClientID, d.LeadID, d.RecordID = int64Ptr(client), int64Ptr(lead), int64Ptr(record)
	d.CreatedBy, d.UpdatedBy = int64Ptr(createdBy), int64Ptr(updatedBy)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

func loadDocuments(c conn, tail string, args ...any) ([]core.Document, error) {
	return queryAll(c, `SELECT `+documentCols+` FROM documents `+tail, args, func(r *sql.Rows, d *core.Document) error {
		return scanDocument(r, d)
	})
}

// bodyArg is the argument a body is written with: text on SQLite, where
// the column is TEXT and a []byte would be stored as a BLOB, which
// json_extract refuses.
func bodyArg(b []byte) any { return string(b) }

// CreateDocument implements core.DocumentStore.CreateDocument.
func (s *Store) CreateDocument(ctx context.Context, d *core.Document) error {
	if d.PublicID == "" {
		d.PublicID = newPublicID()
	}
	err := s.write(ctx, func(c conn) error {
		id, err := c.insert(`INSERT INTO documents (public_id, dealer_id, collection, body, client_id, lead_id, record_id, created_by, updated_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.PublicID, d.DealerID, d.Collection, bodyArg(d.Body), ptrArg(d.ClientID), ptrArg(d.LeadID), ptrArg(d.RecordID),
			ptrArg(d.CreatedBy), ptrArg(d.UpdatedBy), micros(d.CreatedAt), micros(d.UpdatedAt))
		if err != nil {
			return err
		}
		d.ID, d.Version = id, 1
		return nil
	})
	return dbError(err, "create document", "document", d.PublicID)
}

// Document implements core.DocumentStore.Document.
func (s *Store) Document(ctx context.Context, id int64) (core.Document, error) {
	var d core.Document
	err := scanDocument(s.reader(ctx).row(`SELECT `+documentCols+` FROM documents WHERE id = ?`, id), &d)
	if err != nil {
		return core.Document{}, dbError(err, "document", "document", id)
	}
	return d, nil
}

// RecordDocument implements core.DocumentStore.RecordDocument.
func (s *Store) RecordDocument(ctx context.Context, collection string, recordID int64) (core.Document, error) {
	var d core.Document
	err := scanDocument(s.reader(ctx).row(`SELECT `+documentCols+` FROM documents WHERE collection = ? AND record_id = ?`, collection, recordID), &d)
	if err != nil {
		return core.Document{}, dbError(err, "record document", "document", recordID)
	}
	return d, nil
}

// UpdateDocument implements core.DocumentStore.UpdateDocument: one
// statement, conditional on the version.
func (s *Store) UpdateDocument(ctx context.Context, d *core.Document, version int) error {
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(`UPDATE documents SET body = ?, client_id = ?, lead_id = ?, updated_by = ?, updated_at = ?, version = ?
			WHERE id = ? AND version = ?`,
			bodyArg(d.Body), ptrArg(d.ClientID), ptrArg(d.LeadID), ptrArg(d.UpdatedBy), micros(d.UpdatedAt), version+1, d.ID, version)
		if err != nil {
			return err
		}
		return staleOrGone(c, res, d.ID)
	})
	if err != nil {
		return dbError(err, "update document", "document", d.ID)
	}
	d.Version = version + 1
	return nil
}

// staleOrGone answers, when res changed no row of document id: NotFound
// when there is no such document, ErrStaleVersion when it has another
// version.
func staleOrGone(c conn, res sql.Result, id int64) error {
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	var one int
	err = c.row(`SELECT 1 FROM documents WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("document", id)
	}
	if err != nil {
		return err
	}
	return core.ErrStaleVersion
}

// DeleteDocument implements core.DocumentStore.DeleteDocument.
func (s *Store) DeleteDocument(ctx context.Context, id int64, version int) error {
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(`DELETE FROM documents WHERE id = ? AND (? = 0 OR version = ?)`, id, version, version)
		if err != nil {
			return err
		}
		return staleOrGone(c, res, id)
	})
	return dbError(err, "delete document", "document", id)
}

// DealerOf implements core.DocumentStore.DealerOf.
func (s *Store) DealerOf(ctx context.Context, kind core.RecordKind, id int64) (int64, error) {
	table := map[core.RecordKind]string{core.RecordClient: "clients", core.RecordLead: "leads", core.RecordAppointment: "appointments"}[kind]
	if table == "" {
		return 0, fmt.Errorf("store: no dealer of %q", kind)
	}
	var dealer int64
	err := s.reader(ctx).row(`SELECT dealer_id FROM `+table+` WHERE id = ?`, id).Scan(&dealer)
	if err != nil {
		return 0, dbError(err, "dealer of", string(kind), id)
	}
	return dealer, nil
}

// FindDocuments implements core.DocumentStore.FindDocuments.
func (s *Store) FindDocuments(ctx context.Context, dealers []int64, collection string, sc core.Schema, q core.Query) ([]core.Document, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	t, err := documentTable(&sc, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	scope, args := inScope("dealer_id", dealers)
	return findPageOne(s, ctx, &t, scope+" AND collection = ?", append(args, collection), q, loadDocuments)
}

// GroupDocuments implements core.DocumentStore.GroupDocuments.
func (s *Store) GroupDocuments(ctx context.Context, dealers []int64, collection string, sc core.Schema, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	t, err := documentTable(&sc, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	scope, args := inScope("dealer_id", dealers)
	return groupPage(s, ctx, &t, scope+" AND collection = ?", append(args, collection), q)
}

// documentColumns map the fields every document has onto its columns.
var documentColumns = map[string]fieldSQL{
	"id":         {col: "id"},
	"public_id":  {col: "public_id"},
	"dealer":     {col: "dealer_id"},
	"client":     {col: "client_id"},
	"lead":       {col: "lead_id"},
	"record":     {col: "record_id"},
	"created_by": {col: "created_by"},
	"updated_by": {col: "updated_by"},
	"created_at": {col: "created_at"},
	"updated_at": {col: "updated_at"},
	"version":    {col: "version"},
}

// documentTable maps a document schema onto documents: its columns, and
// each body field (one with a Path) onto SQL over the JSON body.
func documentTable(sc *core.Schema, pg bool) (tableSQL, error) {
	t := tableSQL{schema: sc, table: "documents", fields: map[string]fieldSQL{}}
	for name, spec := range sc.Fields {
		if spec.Path == "" {
			f, ok := documentColumns[name]
			if !ok {
				return tableSQL{}, fmt.Errorf("store: document field %q has neither a column nor a path", name)
			}
			t.fields[name] = f
			continue
		}
		f, err := jsonField("documents.body", spec, pg)
		if err != nil {
			return tableSQL{}, fmt.Errorf("store: document field %q: %w", name, err)
		}
		t.fields[name] = f
	}
	t.search = func(c conn, term string) (string, []any) {
		if c.pg {
			return `EXISTS (SELECT 1 FROM jsonb_path_query(documents.body, 'strict $.**') s(v)
				WHERE jsonb_typeof(s.v) = 'string' AND lower(s.v #>> '{}') LIKE ? ESCAPE '\')`, []any{like(term)}
		}
		return `EXISTS (SELECT 1 FROM json_tree(documents.body) s WHERE s.type = 'text' AND ` + lower(false, "s.value") +
			` LIKE ? ESCAPE '\')`, []any{like(term)}
	}
	return t, nil
}

// jsonField compiles the field of a JSON value (the SQL expression base)
// at spec.Path: a path through arrays becomes related rows, one per
// element (from), so that the field holds when any element holds it.
// Paths are checked (core.ValidPath): their keys are letters, digits and
// underscores, written into the SQL as they are.
func jsonField(base string, spec core.FieldSpec, pg bool) (fieldSQL, error) {
	if !core.ValidPath(spec.Path) {
		return fieldSQL{}, fmt.Errorf("invalid path %q", spec.Path)
	}
	var from []string
	var keys []string
	elem := false // base is an array's element
	for _, seg := range strings.Split(spec.Path, ".") {
		key, array := strings.CutSuffix(seg, "[]")
		keys = append(keys, key)
		if !array {
			continue
		}
		alias := fmt.Sprintf("j%d", len(from))
		if pg {
			arr := base + " #> '{" + strings.Join(keys, ",") + "}'"
			from = append(from, "jsonb_array_elements(CASE WHEN jsonb_typeof("+arr+") = 'array' THEN "+arr+" ELSE '[]'::jsonb END) "+alias+"(v)")
			base = alias + ".v"
		} else {
			// only an array's elements: a scalar or an object where the
			// schema says an array is no element
			p := "'$." + strings.Join(keys, ".") + "'"
			src := "CASE WHEN json_type(" + base + ", " + p + ") = 'array' THEN " + base + " END"
			if elem {
				src = "CASE WHEN " + strings.TrimSuffix(base, ".value") + ".type = 'object' AND json_type(" + base + ", " + p + ") = 'array' THEN " + base + " END"
			}
			from = append(from, "json_each("+src+", "+p+") "+alias)
			base = alias + ".value"
		}
		keys, elem = nil, true
	}
	f := fieldSQL{docTime: spec.Type == core.TypeTime}
	if len(from) > 0 {
		f.from = strings.Join(from, ", ") + " WHERE 1 = 1"
	}
	if pg {
		v := base
		if len(keys) > 0 {
			v = base + " #> '{" + strings.Join(keys, ",") + "}'"
		}
		switch spec.Type {
		case core.TypeFloat, core.TypeInt:
			f.col = "(CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + " #>> '{}')::double precision END)"
		case core.TypeBool:
			f.col = "(CASE WHEN jsonb_typeof(" + v + ") = 'boolean' THEN (" + v + " #>> '{}')::boolean END)"
		default:
			f.col = "(CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN " + v + " #>> '{}' END)"
		}
		return f, nil
	}
	switch {
	case len(keys) == 0:
		f.col = base
	case elem:
		alias := strings.TrimSuffix(base, ".value")
		f.col = "json_extract(CASE WHEN " + alias + ".type = 'object' THEN " + base + " END, '$." + strings.Join(keys, ".") + "')"
	default:
		f.col = "json_extract(" + base + ", '$." + strings.Join(keys, ".") + "')"
	}
	return f, nil
}
