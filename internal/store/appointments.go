package store

import (
	"context"
	"database/sql"
	"errors"

	"forecourt/internal/core"
)

// Appointments (migration 0011): a lead's client's appointments at the
// dealer, written inside EditLead's transaction on their lead, read and
// listed like any entity.

const appointmentCols = `id, public_id, dealer_id, lead_id, client_id, user_id, created_by, type, status, remote, title, place, comments,
	start_at, end_at, ext, created_at, updated_at, version`

func scanAppointment(r interface{ Scan(...any) error }, a *core.Appointment) error {
	var client, user, createdBy, end sql.NullInt64
	var typ, status, ext string
	var start, created, updated int64
	if err := r.Scan(&a.ID, &a.PublicID, &a.DealerID, &a.LeadID, &client, &user, &createdBy, &typ, &status, &a.Remote, &a.Title, &a.Place,
		&a.Comments, &start, &end, &ext, &created, &updated, &a.Version); err != nil {
		return err
	}
	a.ClientID, a.UserID, a.CreatedBy = int64Ptr(client), int64Ptr(user), int64Ptr(createdBy)
	a.Type, a.Status = core.AppointmentType(typ), core.AppointmentStatus(status)
	a.StartAt, a.EndAt = fromMicros(start), timePtr(end)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	var err error
	a.Ext, err = decodeExt(ext)
	return err
}

// loadAppointments loads the appointments a WHERE/ORDER BY/LIMIT tail
// selects.
func loadAppointments(c conn, tail string, args ...any) ([]core.Appointment, error) {
	return queryAll(c, `SELECT `+appointmentCols+` FROM appointments `+tail, args, func(r *sql.Rows, a *core.Appointment) error {
		return scanAppointment(r, a)
	})
}

// loadAppointment loads appointment id; of lead leadID only, unless
// leadID is 0.
func loadAppointment(c conn, id, leadID int64) (core.Appointment, error) {
	var a core.Appointment
	err := scanAppointment(c.row(`SELECT `+appointmentCols+` FROM appointments WHERE id = ? AND (? = 0 OR lead_id = ?)`, id, leadID, leadID), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Appointment{}, notFound("appointment", id)
	}
	return a, err
}

// Appointment implements core.Store.Appointment.
func (s *Store) Appointment(ctx context.Context, id int64) (core.Appointment, error) {
	a, err := loadAppointment(s.reader(ctx), id, 0)
	if err != nil {
		return core.Appointment{}, dbError(err, "appointment", "appointment", id)
	}
	return a, nil
}

// FindAppointments implements core.Store.FindAppointments.
func (s *Store) FindAppointments(ctx context.Context, dealers []int64, q core.Query) ([]core.Appointment, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	scope, args := inScope("dealer_id", dealers)
	t, err := appointmentTable.withFlatExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	return findPageOne(s, ctx, &t, scope, args, q, loadAppointments)
}

// GroupAppointments implements core.Store.GroupAppointments.
func (s *Store) GroupAppointments(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	scope, args := inScope("dealer_id", dealers)
	t, err := appointmentTable.withFlatExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	return groupPage(s, ctx, &t, scope, args, q)
}

// CountAppointments implements core.LeadTx.CountAppointments.
func (t *leadTx) CountAppointments(st core.AppointmentStatus) (int, error) {
	if st == "" {
		return t.c.count(`SELECT count(*) FROM appointments WHERE lead_id = ?`, t.lead.ID)
	}
	return t.c.count(`SELECT count(*) FROM appointments WHERE lead_id = ? AND status = ?`, t.lead.ID, string(st))
}

// Appointment implements core.LeadTx.Appointment.

func (t *leadTx) Appointment(id int64) (core.Appointment, error) {
	return loadAppointment(t.c, id, t.lead.ID)
}

// AddAppointment implements core.LeadTx.AddAppointment.
func (t *leadTx) AddAppointment(a *core.Appointment) error {
	if a.LeadID != t.lead.ID || a.DealerID != t.lead.DealerID {
		return core.Errorf(core.Invalid, "an appointment of lead %d is of its dealer", t.lead.ID)
	}
	if a.PublicID == "" {
		a.PublicID = newPublicID()
	}
	ext, err := encodeExt(a.Ext)
	if err != nil {
		return err
	}
	id, err := t.c.insert(`INSERT INTO appointments (public_id, dealer_id, lead_id, client_id, user_id, created_by, type, status, remote,
		title, place, comments, start_at, end_at, ext, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.PublicID, a.DealerID, a.LeadID, ptrArg(a.ClientID), ptrArg(a.UserID), ptrArg(a.CreatedBy), string(a.Type), string(a.Status), a.Remote,
		a.Title, a.Place, a.Comments, micros(a.StartAt), microsPtr(a.EndAt), ext, micros(a.CreatedAt), micros(a.UpdatedAt))
	if err != nil {
		return err
	}
	a.ID, a.Version = id, 1
	return nil
}

// SaveAppointment implements core.LeadTx.SaveAppointment: a.Version is
// the version read in this transaction, under the lead's lock, which
// every change of an appointment holds. Its dealer, lead, client, creator
// and creation time are kept.
func (t *leadTx) SaveAppointment(a *core.Appointment) error {
	ext, err := encodeExt(a.Ext)
	if err != nil {
		return err
	}
	res, err := t.c.exec(`UPDATE appointments SET user_id = ?, type = ?, status = ?, remote = ?, title = ?, place = ?, comments = ?,
		start_at = ?, end_at = ?, ext = ?, updated_at = ?, version = ? WHERE id = ? AND lead_id = ? AND version = ?`,
		ptrArg(a.UserID), string(a.Type), string(a.Status), a.Remote, a.Title, a.Place, a.Comments,
		micros(a.StartAt), microsPtr(a.EndAt), ext, micros(a.UpdatedAt), a.Version+1, a.ID, t.lead.ID, a.Version)
	if err != nil {
		return err
	}
	if err := affected(res, "appointment", a.ID); err != nil {
		return err
	}
	a.Version++
	return nil
}

// DeleteAppointment implements core.LeadTx.DeleteAppointment.
func (t *leadTx) DeleteAppointment(id int64) error {
	res, err := t.c.exec(`DELETE FROM appointments WHERE id = ? AND lead_id = ?`, id, t.lead.ID)
	if err != nil {
		return err
	}
	return affected(res, "appointment", id)
}
