package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// goMigrations are the migrations written in Go, numbered among the SQL
// ones of migrations/{sqlite,postgres} (which hold no file of their
// numbers): work that needs the store's own code, the same on both engines.
//
//	0012  search_text also holds the notes, the tasks' descriptions and the
//	      appraised plates (leadSearchText); Down restores the vehicle and
//	      tags alone. On SQLite the trigram index follows by its triggers.
//	0030  Walcu's cars and clientvehicles documents become vehicle records
//	      (migrate_vehicles.go); Down makes them documents again.
//	0035  the contacts arrays Walcu clients kept in their Ext become
//	      contact records (migrate_contacts.go); Down does nothing.
func goMigrations(pg bool) []*goose.Migration {
	rewrite := func(v2 bool) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return rewriteSearchText(conn{ctx: ctx, q: tx, pg: pg}, v2)
		}}
	}
	inTx := func(fn func(conn) error) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return fn(conn{ctx: ctx, q: tx, pg: pg}) }}
	}
	return []*goose.Migration{
		goose.NewGoMigration(12, rewrite(true), rewrite(false)),
		goose.NewGoMigration(30, inTx(moveVehicleDocuments), inTx(restoreVehicleDocuments)),
		goose.NewGoMigration(35, inTx(moveClientContacts), inTx(func(conn) error { return nil })),
	}
}

// rewriteSearchText sets every lead's search_text as migration 0012 left it
// (v2) or as it was before (the vehicle's make and model and the tags), a
// batch of leads at a time. It reads the tables as they were at 0012, with
// its own query, never the store's current code: a later migration may add
// columns this one must not read.
func rewriteSearchText(c conn, v2 bool) error {
	const batch = 500
	var after int64
	for {
		ids, err := queryIDs(c, `SELECT id FROM leads WHERE id > ? ORDER BY id LIMIT ?`, []any{after, batch})
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			var b searchLines
			err := eachRow(c, `SELECT 0, 0, v.brand_model, '' FROM leads l JOIN vehicles v ON v.id = l.vehicle_id WHERE l.id = ?
				UNION ALL SELECT CASE WHEN kind = 'tag' THEN 1 ELSE 2 END, id, content, '' FROM notes
					WHERE lead_id = ? AND task_id IS NULL AND (kind = 'tag' OR ?)
				UNION ALL SELECT 3, t.id, t.description, coalesce(a.license_plate, '') FROM tasks t LEFT JOIN appraisals a ON a.task_id = t.id
					WHERE t.lead_id = ? AND ?
				ORDER BY 1, 2`, []any{id, id, v2, id, v2}, func(r *sql.Rows) error {
				var part, item int64
				var text, plate string
				if err := r.Scan(&part, &item, &text, &plate); err != nil {
					return err
				}
				b.add(text)
				b.add(plate)
				return nil
			})
			if err != nil {
				return err
			}
			if _, err := c.exec(`UPDATE leads SET search_text = ? WHERE id = ?`, b.String(), id); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
}
