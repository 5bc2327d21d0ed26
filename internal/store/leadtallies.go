package store

import (
	"context"
	"database/sql"

	"forecourt/internal/core"
)

// ClientLeadTallies implements core.Store.ClientLeadTallies: one grouped
// read over leads_client, outside a transaction (a single statement is
// its own snapshot).
func (s *Store) ClientLeadTallies(ctx context.Context, dealerID int64, clientIDs []int64) (map[int64][]core.LeadTally, error) {
	out, err := clientLeadTallies(s.reader(ctx), dealerID, clientIDs)
	if err != nil {
		return nil, dbError(err, "client leads", "dealer", dealerID)
	}
	return out, nil
}

// clientLeadTallies counts the leads of dealerID's clients clientIDs by
// client and kind, with the creation of each kind's latest.
func clientLeadTallies(c conn, dealerID int64, clientIDs []int64) (map[int64][]core.LeadTally, error) {
	out := map[int64][]core.LeadTally{}
	args := append(anys(clientIDs), dealerID)
	err := eachRow(c, clientLeadTalliesSQL(len(clientIDs)), args, func(r *sql.Rows) error {
		var client, last int64
		var t core.LeadTally
		if err := r.Scan(&client, &t.Kind, &t.Count, &last); err != nil {
			return err
		}
		t.Last = fromMicros(last)
		out[client] = append(out[client], t)
		return nil
	})
	return out, err
}

// clientLeadTalliesSQL is clientLeadTallies' statement for n clients
// (their ids, then the dealer's): over leads_client
// (TestExplainClientLeadTallies).
func clientLeadTalliesSQL(n int) string {
	return `SELECT client_id, kind, count(*), max(created_at) FROM leads WHERE client_id IN ` + in(n) + `
		AND dealer_id = ? GROUP BY client_id, kind`
}
