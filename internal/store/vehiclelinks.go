package store

import (
	"context"
	"database/sql"

	"forecourt/internal/core"
)

// VehicleRecordLeads implements core.VehicleLinks.VehicleRecordLeads: one
// grouped read of the leads whose vehicle is linked to the records, by
// the partial index vehicles_record (migration 0040) and the leads' own
// index on vehicle_id.
func (s *Store) VehicleRecordLeads(ctx context.Context, dealerID int64, recordIDs []int64) (map[int64][]core.LeadTally, error) {
	out := map[int64][]core.LeadTally{}
	err := eachRow(s.reader(ctx), vehicleRecordLeadsQuery(len(recordIDs)), append(anys(recordIDs), dealerID), func(r *sql.Rows) error {
		var record, last int64
		var t core.LeadTally
		if err := r.Scan(&record, &t.Kind, &t.Count, &last); err != nil {
			return err
		}
		t.Last = fromMicros(last)
		out[record] = append(out[record], t)
		return nil
	})
	if err != nil {
		return nil, dbError(err, "vehicle record leads", "dealer", dealerID)
	}
	return out, nil
}

// vehicleRecordLeadsQuery is VehicleRecordLeads' query of n records; its
// arguments are the records' ids, then the dealer's.
func vehicleRecordLeadsQuery(n int) string {
	return `SELECT v.record_id, l.kind, count(*), max(l.created_at) FROM vehicles v JOIN leads l ON l.vehicle_id = v.id
		WHERE v.record_id IN ` + in(n) + ` AND l.dealer_id = ? GROUP BY v.record_id, l.kind ORDER BY v.record_id, l.kind`
}
