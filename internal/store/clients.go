package store

import (
	"database/sql"
	"errors"
	"strings"

	"forecourt/internal/core"
)

const clientCols = `id, public_id, dealer_id, name, phone, phone_e164, email, province_id, locality_id, created_at, updated_at, version`

func scanClient(r interface{ Scan(...any) error }, cl *core.Client) error {
	var province, locality sql.NullInt64
	var created, updated int64
	if err := r.Scan(&cl.ID, &cl.PublicID, &cl.DealerID, &cl.Name, &cl.Phone, &cl.PhoneE164, &cl.Email, &province, &locality, &created, &updated, &cl.Version); err != nil {
		return err
	}
	cl.ProvinceID, cl.LocalityID = int64Ptr(province), int64Ptr(locality)
	cl.CreatedAt, cl.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

// insertClient stores cl for dealerID and sets its id and version (1, the
// column's default).
func insertClient(c conn, dealerID int64, cl *core.Client) error {
	cl.DealerID, cl.Version = dealerID, 1
	if cl.PublicID == "" {
		cl.PublicID = newPublicID()
	}
	id, err := c.insert(`INSERT INTO clients (public_id, dealer_id, name, phone, phone_e164, email, province_id, locality_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cl.PublicID, dealerID, cl.Name, cl.Phone, cl.PhoneE164, cl.Email, ptrArg(cl.ProvinceID), ptrArg(cl.LocalityID), micros(cl.CreatedAt), micros(cl.UpdatedAt))
	cl.ID = id
	return err
}

// existingClient loads client id, which must belong to dealerID.
func existingClient(c conn, dealerID, id int64) (core.Client, error) {
	var cl core.Client
	err := scanClient(c.row(`SELECT `+clientCols+` FROM clients WHERE id = ?`, id), &cl)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && cl.DealerID != dealerID) {
		return core.Client{}, notFound("client", id)
	}
	return cl, err
}

// updateClient saves cl (its dealer and public id are kept) with the next
// version, and refreshes the copies of its name, phone and e-mail on its
// leads. cl.Version is the version loaded in this transaction, with the
// client's row locked.
func updateClient(c conn, cl *core.Client) error {
	cl.Version++
	if _, err := c.exec(`UPDATE clients SET name = ?, phone = ?, phone_e164 = ?, email = ?, province_id = ?, locality_id = ?,
		created_at = ?, updated_at = ?, version = ? WHERE id = ?`,
		cl.Name, cl.Phone, cl.PhoneE164, cl.Email, ptrArg(cl.ProvinceID), ptrArg(cl.LocalityID), micros(cl.CreatedAt), micros(cl.UpdatedAt), cl.Version, cl.ID); err != nil {
		return err
	}
	name, phone, email := clientSearch(cl)
	_, err := c.exec(`UPDATE leads SET client_name = ?, client_phone = ?, client_email = ? WHERE client_id = ?`, name, phone, email, cl.ID)
	return err
}

// clientSearch returns the lower-cased copies of a client's fields kept on
// its leads. The phone copy holds the phone as given, its E.164 form and its
// digits alone, one a line, so "612345" finds "+34 612 34 56 78".
func clientSearch(cl *core.Client) (name, phone, email string) {
	if cl == nil {
		return "", "", ""
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, cl.Phone)
	phone = strings.ToLower(cl.Phone) + "\n" + strings.ToLower(cl.PhoneE164) + "\n" + digits
	if strings.TrimSpace(phone) == "" {
		phone = ""
	}
	return strings.ToLower(cl.Name), phone, strings.ToLower(cl.Email)
}
