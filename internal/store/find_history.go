package store

import (
	"database/sql"

	"forecourt/internal/core"
)

// historyCols are the columns scanHistory reads.
const historyCols = `id, lead_id, at, user_id, type, kind, changes, via`

// loadHistories sets the History of each of leads to its oldest entries,
// at most limit of them (core.Query.History), in the read transaction of
// c: the leads and their history are one snapshot. One lead reads the
// index lead_history_lead (lead_id, at, id) up to limit; several number
// each lead's entries in that order and keep the first limit.
func loadHistories(c conn, leads []core.Lead, limit int) error {
	if len(leads) == 0 || limit <= 0 {
		return nil
	}
	at := make(map[int64]*core.Lead, len(leads))
	ids := make([]int64, len(leads))
	for i := range leads {
		at[leads[i].ID], ids[i] = &leads[i], leads[i].ID
	}
	query := `SELECT ` + historyCols + ` FROM lead_history WHERE lead_id = ? ORDER BY at, id LIMIT ?`
	if len(ids) > 1 {
		query = `SELECT ` + historyCols + ` FROM (SELECT ` + historyCols + `, row_number() OVER (PARTITION BY lead_id ORDER BY at, id) AS n
			FROM lead_history WHERE lead_id IN ` + in(len(ids)) + `) h WHERE n <= ? ORDER BY lead_id, at, id`
	}
	return eachRow(c, query, append(anys(ids), limit), func(r *sql.Rows) error {
		var h core.History
		if err := scanHistory(r, &h); err != nil {
			return err
		}
		l := at[h.LeadID]
		if l.History == nil {
			l.History = make([]core.History, 0, min(limit, 8))
		}
		l.History = append(l.History, h)
		return nil
	})
}
