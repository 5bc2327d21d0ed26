package store

import (
	"context"
	"database/sql"
	"errors"

	"forecourt/internal/core"
)

// DeleteLead implements core.LeadRemover.DeleteLead. Its history, call
// controls, appointments and delivery state go by the foreign keys'
// cascades; its tasks (with their appraisals and notes), notes and tags
// (deleteLeadRows), its vehicle and the documents that extend it are
// deleted here; other
// documents linked to it keep no link (ON DELETE SET NULL).
func (s *Store) DeleteLead(ctx context.Context, id int64, version int) error {
	err := s.write(ctx, func(c conn) error {
		var vehicle sql.NullInt64
		var have int
		err := c.row(`SELECT vehicle_id, version FROM leads WHERE id = ?`, id).Scan(&vehicle, &have)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("lead", id)
		}
		if err != nil {
			return err
		}
		if version != 0 && have != version {
			return core.ErrStaleVersion
		}
		// the documents that extend a record of the lead (the lead, its
		// tasks, its notes) are linked to it
		if _, err := c.exec(`DELETE FROM documents WHERE lead_id = ? AND record_id IS NOT NULL`, id); err != nil {
			return err
		}
		// a lead that came from this one (an opportunity from its
		// enquiry) stays, without the lead it came from
		if _, err := c.exec(`UPDATE lead_profiles SET parent_id = NULL WHERE parent_id = ?`, id); err != nil {
			return err
		}
		res, err := c.exec(`DELETE FROM leads WHERE id = ? AND version = ?`, id, have)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = core.ErrStaleVersion
			}
			return err
		}
		if err := deleteLeadRows(c, id); err != nil {
			return err
		}
		if vehicle.Valid {
			if _, err := c.exec(`DELETE FROM vehicles WHERE id = ?`, vehicle.Int64); err != nil {
				return err
			}
		}
		return nil
	})
	return dbError(err, "delete lead", "lead", id)
}
