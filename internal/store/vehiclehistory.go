package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"forecourt/internal/core"
)

// A vehicle record's history (migration 0037, core/vehiclehistory.go),
// written in the transaction of the write it records.

// insertVehicleChange stores h (nil: nothing) for record id.
func insertVehicleChange(c conn, h *core.VehicleChange, id int64) error {
	if h == nil {
		return nil
	}
	h.VehicleID = id
	js, err := encodeChanges(h.Changes)
	if err != nil {
		return err
	}
	return c.insertRow(newRow{table: "vehicle_history", cols: `vehicle_id, dealer_id, at, user_id, type, changes`,
		args: []any{h.VehicleID, h.DealerID, micros(h.At), ptrArg(h.UserID), string(h.Type), js}, stored: func(id int64) { h.ID = id }})
}

// VehicleHistory implements core.VehicleRecords.VehicleHistory.
func (s *Store) VehicleHistory(ctx context.Context, id int64, limit int) ([]core.VehicleChange, error) {
	out, err := queryAll(s.reader(ctx), `SELECT id, vehicle_id, dealer_id, at, user_id, type, changes FROM vehicle_history
		WHERE vehicle_id = ? ORDER BY at, id LIMIT ?`, []any{id, limit}, func(r *sql.Rows, h *core.VehicleChange) error {
		var at int64
		var user sql.NullInt64
		var typ, changes string
		if err := r.Scan(&h.ID, &h.VehicleID, &h.DealerID, &at, &user, &typ, &changes); err != nil {
			return err
		}
		h.At, h.UserID, h.Type = fromMicros(at), int64Ptr(user), core.HistoryType(typ)
		var err error
		if h.Changes, err = decodeChanges(changes); err != nil {
			return fmt.Errorf("vehicle history %d: changes: %w", h.ID, err)
		}
		return nil
	})
	return out, dbError(err, "vehicle history", "vehicle", id)
}

// encodeChanges encodes a history entry's changes (lead_history.changes,
// vehicle_history.changes): a JSON array of {field, old, new}.
func encodeChanges(cs []core.Change) (string, error) {
	changes := make([]historyChange, len(cs))
	for i, ch := range cs {
		changes[i] = historyChange(ch)
	}
	js, err := json.Marshal(changes)
	return string(js), err
}
