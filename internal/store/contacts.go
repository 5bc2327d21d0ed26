package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"forecourt/internal/core"
)

// Contacts (migration 0023): a client's contact persons, written on their
// own (not through a lead), deleted with their client.

const contactCols = `id, public_id, dealer_id, client_id, name, phones, emails, gov_id, role, is_primary, ext, created_by, created_at,
	updated_at, version`

// contactTable maps core.ContactSchema onto contacts.
var contactTable = tableSQL{
	schema: &core.ContactSchema,
	table:  "contacts",
	fields: map[string]fieldSQL{
		"id":         {col: "id"},
		"public_id":  {col: "public_id"},
		"dealer":     {col: "dealer_id"},
		"client":     {col: "client_id"},
		"name":       {col: "name"},
		"gov_id":     {col: "gov_id"},
		"role":       {col: "role"},
		"primary":    {col: "is_primary"},
		"created_by": {col: "created_by"},
		"created_at": {col: "created_at"},
		"updated_at": {col: "updated_at"},
		"version":    {col: "version"},
	},
	search: func(c conn, term string) (string, []any) {
		return likeAny(c.pg, term, "name", "phones", "emails", "gov_id")
	},
}

func scanContact(r interface{ Scan(...any) error }, ct *core.Contact) error {
	var createdBy sql.NullInt64
	var phones, emails, ext string
	var created, updated int64
	if err := r.Scan(&ct.ID, &ct.PublicID, &ct.DealerID, &ct.ClientID, &ct.Name, &phones, &emails, &ct.GovID, &ct.Role, &ct.Primary, &ext,
		&createdBy, &created, &updated, &ct.Version); err != nil {
		return err
	}
	ct.CreatedBy, ct.CreatedAt, ct.UpdatedAt = int64Ptr(createdBy), fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(phones), &ct.Phones); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(emails), &ct.Emails); err != nil {
		return err
	}
	var err error
	ct.Ext, err = decodeExt(ext)
	return err
}

func loadContacts(c conn, tail string, args ...any) ([]core.Contact, error) {
	return queryAll(c, `SELECT `+contactCols+` FROM contacts `+tail, args, func(r *sql.Rows, ct *core.Contact) error {
		return scanContact(r, ct)
	})
}

// contactArgs are ct's written columns: name, phones, emails, gov_id,
// role, is_primary, ext.
func contactArgs(ct *core.Contact) ([]any, error) {
	phones, err := json.Marshal(texts(ct.Phones))
	if err != nil {
		return nil, err
	}
	emails, err := json.Marshal(texts(ct.Emails))
	if err != nil {
		return nil, err
	}
	ext, err := encodeExt(ct.Ext)
	if err != nil {
		return nil, err
	}
	return []any{ct.Name, string(phones), string(emails), ct.GovID, ct.Role, ct.Primary, ext}, nil
}

// onlyPrimary makes ct the one primary contact of its client when it is
// primary.
func onlyPrimary(c conn, ct *core.Contact) error {
	if !ct.Primary {
		return nil
	}
	_, err := c.exec(`UPDATE contacts SET is_primary = FALSE WHERE client_id = ? AND id <> ? AND is_primary`, ct.ClientID, ct.ID)
	return err
}

// bumpClient makes the version of client id the next one: a client's
// version counts its contacts' changes (docs/decisions.md, "A client's
// version and its contacts"), so that a write of the client on the
// condition of its version never loses a change of its contacts.
func bumpClient(c conn, id int64) error {
	_, err := c.exec(`UPDATE clients SET version = version + 1 WHERE id = ?`, id)
	return err
}

// Contact implements core.ContactRecords.Contact.
func (s *Store) Contact(ctx context.Context, id int64) (core.Contact, error) {
	var ct core.Contact
	err := scanContact(s.reader(ctx).row(`SELECT `+contactCols+` FROM contacts WHERE id = ?`, id), &ct)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("contact", id)
	}
	if err != nil {
		return core.Contact{}, dbError(err, "contact", "contact", id)
	}
	return ct, nil
}

// AddContact implements core.ContactRecords.AddContact: the client's row
// is locked on PostgreSQL while its contacts are counted.
func (s *Store) AddContact(ctx context.Context, ct *core.Contact) error {
	if ct.PublicID == "" {
		ct.PublicID = newPublicID()
	}
	args, err := contactArgs(ct)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		if c.pg {
			// one contact's write at a time per client; a lead naming the
			// client (FOR KEY SHARE) need not wait for it
			if _, err := c.exec(`SELECT id FROM clients WHERE id = ? FOR NO KEY UPDATE`, ct.ClientID); err != nil {
				return err
			}
		}
		n, err := c.count(`SELECT count(*) FROM contacts WHERE client_id = ?`, ct.ClientID)
		if err != nil {
			return err
		}
		if n >= core.MaxClientContacts {
			return &core.Error{Code: core.Conflict, Message: "the client has as many contacts as it may", Fields: map[string]string{"client": core.MsgTooMany}}
		}
		ct.ID, err = c.insert(`INSERT INTO contacts (public_id, dealer_id, client_id, name, phones, emails, gov_id, role, is_primary, ext,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append(append([]any{ct.PublicID, ct.DealerID, ct.ClientID}, args...), ptrArg(ct.CreatedBy), micros(ct.CreatedAt), micros(ct.UpdatedAt))...)
		if err != nil {
			return err
		}
		ct.Version = 1
		if err := bumpClient(c, ct.ClientID); err != nil {
			return err
		}
		return onlyPrimary(c, ct)
	})
	return dbError(err, "add contact", "client", ct.ClientID)
}

// SaveContact implements core.ContactRecords.SaveContact.
func (s *Store) SaveContact(ctx context.Context, ct *core.Contact, version int) error {
	args, err := contactArgs(ct)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		res, err := c.exec(`UPDATE contacts SET name = ?, phones = ?, emails = ?, gov_id = ?, role = ?, is_primary = ?, ext = ?, updated_at = ?,
			version = ? WHERE id = ? AND version = ?`, append(args, micros(ct.UpdatedAt), version+1, ct.ID, version)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return core.ErrStaleVersion
		}
		ct.Version = version + 1
		if err := bumpClient(c, ct.ClientID); err != nil {
			return err
		}
		return onlyPrimary(c, ct)
	})
	return dbError(err, "save contact", "contact", ct.ID)
}

// DeleteContact implements core.ContactRecords.DeleteContact.
func (s *Store) DeleteContact(ctx context.Context, id int64) error {
	err := s.write(ctx, func(c conn) error {
		if _, err := c.exec(`UPDATE clients SET version = version + 1 WHERE id = (SELECT client_id FROM contacts WHERE id = ?)`, id); err != nil {
			return err
		}
		res, err := c.exec(`DELETE FROM contacts WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return affected(res, "contact", id)
	})
	return dbError(err, "delete contact", "contact", id)
}

// FindContacts implements core.ContactRecords.FindContacts.
func (s *Store) FindContacts(ctx context.Context, dealers []int64, q core.Query) ([]core.Contact, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	scope, args := inScope("dealer_id", dealers)
	t, err := contactTable.withFlatExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	return findPage(s, ctx, &t, scope, args, q, loadContacts)
}

// GroupContacts implements core.ContactRecords.GroupContacts.
func (s *Store) GroupContacts(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	scope, args := inScope("dealer_id", dealers)
	t, err := contactTable.withFlatExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	return groupPage(s, ctx, &t, scope, args, q)
}

// ClientContacts implements core.ContactRecords.ClientContacts.
func (s *Store) ClientContacts(ctx context.Context, dealerID int64, clientIDs []int64) ([]core.Contact, error) {
	out, err := loadContacts(s.reader(ctx), `WHERE client_id IN `+in(len(clientIDs))+` AND dealer_id = ? ORDER BY client_id, id`,
		append(anys(clientIDs), dealerID)...)
	return out, dbError(err, "client contacts", "dealer", dealerID)
}

// texts is l, an empty list when nil (JSON [] rather than null).
func texts(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
