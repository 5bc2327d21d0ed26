package store

import (
	"context"
	"database/sql"
	"errors"

	"forecourt/internal/core"
)

// Client implements core.ClientRecords.Client.
func (s *Store) Client(ctx context.Context, id int64) (core.Client, error) {
	var cl core.Client
	err := scanClient(s.reader(ctx).row(`SELECT `+clientCols+` FROM clients WHERE id = ?`, id), &cl)
	if err != nil {
		return core.Client{}, dbError(err, "client", "client", id)
	}
	return cl, nil
}

// CreateClient implements core.ClientRecords.CreateClient.
func (s *Store) CreateClient(ctx context.Context, cl *core.Client) error {
	if cl.PublicID == "" {
		cl.PublicID = newPublicID()
	}
	given := *cl
	err := s.write(ctx, func(c conn) error {
		*cl = given
		match, by, ok, err := matchClient(c, given.DealerID, cl)
		if err != nil {
			return err
		}
		if ok {
			return &core.Error{Code: core.Conflict, Message: "the dealer has this client already: " + match.PublicID,
				Fields: map[string]string{by: core.MsgDuplicate}}
		}
		return insertClient(c, given.DealerID, cl)
	})
	return dbError(err, "create client", "client", cl.PublicID)
}

// SaveClient implements core.ClientRecords.SaveClient.
func (s *Store) SaveClient(ctx context.Context, cl *core.Client, version int, h *core.History) error {
	ext, err := encodeLeadExt(cl.Ext)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		var have int
		q := `SELECT version FROM clients WHERE id = ?`
		if c.pg {
			// FOR UPDATE, not NO KEY UPDATE: a lead inserted that names
			// the client (its foreign key's FOR KEY SHARE) is waited for,
			// so that updateClient's refresh of the leads' copies of the
			// client (name, phone, e-mail) reaches it too. Not covered: a
			// lead whose write read the client before this save and
			// inserts after it keeps the copies it read (the creation
			// reads a named client without a lock: existingClient)
			q += ` FOR UPDATE`
		} else if err := indexLeads(c); err != nil { // updateClient refreshes the leads' copies: see matchOrInsertClient
			return err
		}
		err := c.row(q, cl.ID).Scan(&have)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("client", cl.ID)
		}
		if err != nil {
			return err
		}
		if have != version {
			return core.ErrStaleVersion
		}
		cl.Version = version
		if err := updateClient(c, cl); err != nil {
			return err
		}
		if _, err := c.exec(`UPDATE clients SET ext = ? WHERE id = ?`, ext, cl.ID); err != nil {
			return err
		}
		return recordOnClientLeads(c, cl.ID, h)
	})
	return dbError(err, "save client", "client", cl.ID)
}

// DeleteClient implements core.ClientRecords.DeleteClient.
func (s *Store) DeleteClient(ctx context.Context, id int64, version int) error {
	err := s.write(ctx, func(c conn) error {
		var have int
		q := `SELECT version FROM clients WHERE id = ?`
		if c.pg {
			q += ` FOR UPDATE`
		}
		err := c.row(q, id).Scan(&have)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("client", id)
		}
		if err != nil {
			return err
		}
		if version != 0 && have != version {
			return core.ErrStaleVersion
		}
		var used int
		if err := c.row(`SELECT (SELECT COUNT(*) FROM leads WHERE client_id = ?) + (SELECT COUNT(*) FROM appointments WHERE client_id = ?)`,
			id, id).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return &core.Error{Code: core.Conflict, Message: "the client has leads or appointments: delete them, or merge the client into another",
				Fields: map[string]string{"client": core.MsgInUse}}
		}
		_, err = c.exec(`DELETE FROM clients WHERE id = ?`, id)
		return err
	})
	return dbError(err, "delete client", "client", id)
}

// recordOnClientLeads adds a copy of h (when there is one) to the history
// of each lead of client id, in one statement.
func recordOnClientLeads(c conn, id int64, h *core.History) error {
	if h == nil {
		return nil
	}
	js, err := historyChanges(h)
	if err != nil {
		return err
	}
	_, err = c.exec(`INSERT INTO lead_history (lead_id, at, user_id, type, kind, changes, via)
		SELECT id, ?, ?, ?, ?, ?, ? FROM leads WHERE client_id = ?`,
		micros(h.At), ptrArg(h.UserID), string(h.Type), string(h.Kind), js, h.Via, id)
	return err
}
