package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"forecourt/internal/core"
)

// Communications (migration 0015): calls, SMS, chats, WhatsApp messages,
// e-mails and web forms of a lead's client, written inside EditLead's
// transaction on their lead (or IntakeLead's), read like appointments.

const communicationCols = `id, public_id, dealer_id, lead_id, client_id, user_id, created_by, kind, direction, status, start_at, duration,
	subject, body, ext, created_at, updated_at, version`

func scanCommunication(r interface{ Scan(...any) error }, cm *core.Communication) error {
	var client, user, createdBy sql.NullInt64
	var kind, direction, status, ext string
	var start, duration, created, updated int64
	if err := r.Scan(&cm.ID, &cm.PublicID, &cm.DealerID, &cm.LeadID, &client, &user, &createdBy, &kind, &direction, &status, &start,
		&duration, &cm.Subject, &cm.Body, &ext, &created, &updated, &cm.Version); err != nil {
		return err
	}
	cm.ClientID, cm.UserID, cm.CreatedBy = int64Ptr(client), int64Ptr(user), int64Ptr(createdBy)
	cm.Kind, cm.Direction, cm.Status = core.CommKind(kind), core.CommDirection(direction), core.CommStatus(status)
	cm.StartAt, cm.Duration = fromMicros(start), time.Duration(duration)*time.Second
	cm.CreatedAt, cm.UpdatedAt = fromMicros(created), fromMicros(updated)
	var err error
	cm.Ext, err = decodeExt(ext)
	return err
}

// insertCommunication stores cm and sets its id, version and public id.
func insertCommunication(c conn, cm *core.Communication) error {
	if cm.PublicID == "" {
		cm.PublicID = newPublicID()
	}
	ext, err := encodeExt(cm.Ext)
	if err != nil {
		return err
	}
	cm.Version = 1
	cm.ID, err = c.insert(`INSERT INTO communications (public_id, dealer_id, lead_id, client_id, user_id, created_by, kind, direction, status,
		start_at, duration, subject, body, ext, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cm.PublicID, cm.DealerID, cm.LeadID, ptrArg(cm.ClientID), ptrArg(cm.UserID), ptrArg(cm.CreatedBy), string(cm.Kind),
		string(cm.Direction), string(cm.Status), micros(cm.StartAt), int64(cm.Duration/time.Second), cm.Subject, cm.Body, ext,
		micros(cm.CreatedAt), micros(cm.UpdatedAt))
	return err
}

// AddCommunication implements core.LeadTx.AddCommunication.
func (t *leadTx) AddCommunication(cm *core.Communication) error {
	if cm.LeadID != t.lead.ID || cm.DealerID != t.lead.DealerID {
		return core.Errorf(core.Invalid, "communication of lead %d is not of lead %d", cm.LeadID, t.lead.ID)
	}
	return insertCommunication(t.c, cm)
}

// Communication implements core.Store.Communication.
func (s *Store) Communication(ctx context.Context, id int64) (core.Communication, error) {
	var cm core.Communication
	err := scanCommunication(s.reader(ctx).row(`SELECT `+communicationCols+` FROM communications WHERE id = ?`, id), &cm)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("communication", id)
	}
	if err != nil {
		return core.Communication{}, dbError(err, "communication", "communication", id)
	}
	return cm, nil
}

// LeadCommunications implements core.Store.LeadCommunications.
func (s *Store) LeadCommunications(ctx context.Context, leadID int64, limit int) ([]core.Communication, error) {
	out, err := queryAll(s.reader(ctx), `SELECT `+communicationCols+` FROM communications WHERE lead_id = ? ORDER BY id LIMIT ?`,
		[]any{leadID, limit}, func(r *sql.Rows, cm *core.Communication) error { return scanCommunication(r, cm) })
	return out, dbError(err, "lead communications", "lead", leadID)
}
