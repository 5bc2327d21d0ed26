package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/pressly/goose/v3"

	"forecourt/internal/core"
)

// goMigrations are the migrations written in Go, numbered among the SQL
// ones of migrations/{sqlite,postgres} (which hold no file of their
// numbers): work that needs the store's own code, the same on both engines.
//
//	0012  search_text also holds the notes, the tasks' descriptions and the
//	      appraised plates (leadSearchText); Down restores the vehicle and
//	      tags alone. On SQLite the trigram index follows by its triggers.
func goMigrations(pg bool) []*goose.Migration {
	rewrite := func(text func(*core.Lead) string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return rewriteSearchText(conn{ctx: ctx, q: tx, pg: pg}, text)
		}}
	}
	return []*goose.Migration{
		goose.NewGoMigration(12, rewrite(leadSearchText), rewrite(leadSearchTextV1)),
	}
}

// rewriteSearchText sets every lead's search_text to text of the lead, a
// batch of leads at a time.
func rewriteSearchText(c conn, text func(*core.Lead) string) error {
	const batch = 500
	var after int64
	for {
		ids, err := queryIDs(c, `SELECT id FROM leads WHERE id > ? ORDER BY id LIMIT ?`, []any{after, batch})
		if err != nil || len(ids) == 0 {
			return err
		}
		leads, err := loadLeads(c, ids, wholeLead)
		if err != nil {
			return err
		}
		for i := range leads {
			if _, err := c.exec(`UPDATE leads SET search_text = ? WHERE id = ?`, text(&leads[i]), leads[i].ID); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
}

// leadSearchTextV1 is search_text before migration 0012: the vehicle's
// make and model and the tags, lower-cased.
func leadSearchTextV1(l *core.Lead) string {
	var b strings.Builder
	if l.Vehicle != nil {
		b.WriteString(strings.ToLower(l.Vehicle.BrandModel))
	}
	for _, t := range l.Tags {
		b.WriteByte('\n')
		b.WriteString(strings.ToLower(t.Content))
	}
	return b.String()
}
