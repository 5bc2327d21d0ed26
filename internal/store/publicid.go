package store

import (
	"context"
	"database/sql"
	"fmt"

	"forecourt/internal/core"
)

// publicIDQueries read, for each kind of record, its id and its dealers by
// its public id (each public_id column has a unique index).
var publicIDQueries = map[core.RecordKind]string{
	core.RecordDealer: `SELECT id, id FROM dealers WHERE public_id = ?`,
	core.RecordUser:   `SELECT u.id, m.dealer_id FROM users u LEFT JOIN memberships m ON m.user_id = u.id WHERE u.public_id = ?`,
	core.RecordClient: `SELECT id, dealer_id FROM clients WHERE public_id = ?`,
	core.RecordLead:   `SELECT id, dealer_id FROM leads WHERE public_id = ?`,
	core.RecordTask:   `SELECT t.id, l.dealer_id FROM tasks t JOIN leads l ON l.id = t.lead_id WHERE t.public_id = ?`,

	core.RecordAppointment:   `SELECT id, dealer_id FROM appointments WHERE public_id = ?`,
	core.RecordCommunication: `SELECT id, dealer_id FROM communications WHERE public_id = ?`,
	core.RecordContact:       `SELECT id, dealer_id FROM contacts WHERE public_id = ?`,
	core.RecordDocument:      `SELECT id, dealer_id FROM documents WHERE public_id = ?`,
	core.RecordVehicle:       `SELECT id, dealer_id FROM vehicle_records WHERE public_id = ?`,
}

// ResolvePublicID implements core.Store.ResolvePublicID.
func (s *Store) ResolvePublicID(ctx context.Context, kind core.RecordKind, publicID string) (int64, []int64, error) {
	query, ok := publicIDQueries[kind]
	if !ok {
		return 0, nil, fmt.Errorf("store: no public ids for %q", kind)
	}
	var id int64
	var dealers []int64
	err := s.readDirect(ctx, func(c conn) error {
		return eachRow(c, query, []any{publicID}, func(r *sql.Rows) error {
			var dealer *int64
			if err := r.Scan(&id, &dealer); err != nil {
				return err
			}
			if dealer != nil {
				dealers = append(dealers, *dealer)
			}
			return nil
		})
	})
	if err == nil && id == 0 {
		err = notFound(string(kind), publicID)
	}
	if err != nil {
		return 0, nil, dbError(err, "resolve public id", string(kind), publicID)
	}
	return id, dealers, nil
}
