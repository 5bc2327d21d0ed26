package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"forecourt/internal/core"
)

const clientCols = `id, public_id, dealer_id, name, phone, phone_e164, email, province_id, locality_id, gov_id, business_name, address,
	created_at, updated_at, version, ext`

func scanClient(r interface{ Scan(...any) error }, cl *core.Client) error {
	var province, locality sql.NullInt64
	var created, updated int64
	var ext string
	if err := r.Scan(&cl.ID, &cl.PublicID, &cl.DealerID, &cl.Name, &cl.Phone, &cl.PhoneE164, &cl.Email, &province, &locality,
		&cl.GovID, &cl.BusinessName, &cl.Address, &created, &updated, &cl.Version, &ext); err != nil {
		return err
	}
	var err error
	if cl.Ext, err = decodeLeadExt(ext); err != nil {
		return err
	}
	cl.ProvinceID, cl.LocalityID = int64Ptr(province), int64Ptr(locality)
	cl.CreatedAt, cl.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

// insertClient stores cl for dealerID and sets its id and version (1, the
// column's default).
func insertClient(c conn, dealerID int64, cl *core.Client) error {
	r, err := clientRow(dealerID, cl)
	if err != nil {
		return err
	}
	return c.insertRow(r)
}

// clientRow is the row of insertClient's client cl; it sets cl's dealer,
// version, and public id when empty.
func clientRow(dealerID int64, cl *core.Client) (newRow, error) {
	cl.DealerID, cl.Version = dealerID, 1
	if cl.PublicID == "" {
		cl.PublicID = newPublicID()
	}
	ext, err := encodeLeadExt(cl.Ext)
	if err != nil {
		return newRow{}, err
	}
	return newRow{table: "clients", cols: `public_id, dealer_id, name, phone, phone_e164, email, province_id, locality_id,
		gov_id, business_name, address, created_at, updated_at, ext`,
		args: []any{cl.PublicID, dealerID, cl.Name, cl.Phone, cl.PhoneE164, cl.Email, ptrArg(cl.ProvinceID), ptrArg(cl.LocalityID),
			cl.GovID, cl.BusinessName, cl.Address, micros(cl.CreatedAt), micros(cl.UpdatedAt), ext},
		stored: func(id int64) { cl.ID = id }}, nil
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

// updateClient saves cl (its dealer and public id are kept; its Ext is
// not written: SaveClient writes it) with the next version, and refreshes the copies of its name, phone and e-mail on its
// leads. cl.Version is the version loaded in this transaction, with the
// client's row locked.
func updateClient(c conn, cl *core.Client) error {
	cl.Version++
	if _, err := c.exec(`UPDATE clients SET name = ?, phone = ?, phone_e164 = ?, email = ?, province_id = ?, locality_id = ?,
		gov_id = ?, business_name = ?, address = ?, created_at = ?, updated_at = ?, version = ? WHERE id = ?`,
		cl.Name, cl.Phone, cl.PhoneE164, cl.Email, ptrArg(cl.ProvinceID), ptrArg(cl.LocalityID),
		cl.GovID, cl.BusinessName, cl.Address, micros(cl.CreatedAt), micros(cl.UpdatedAt), cl.Version, cl.ID); err != nil {
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

// matchOrInsertClient stores cl, a new client of dealerID, or, when the
// dealer has a client it is by core.MatchClient, makes cl that client
// with the values cl brings merged in (core.MergeClient) and returns the
// changes the lead's history records (nil for a new client). Inside the
// write that stores the lead: on SQLite the one writer serialises it; on
// PostgreSQL a transaction lock on each key keeps two new leads of one
// person from making two clients.
func matchOrInsertClient(c conn, dealerID int64, cl *core.Client) ([]core.Change, error) {
	m := newClientMatch(dealerID, cl)
	if m.query == "" {
		return nil, insertClient(c, dealerID, cl)
	}
	candidates, err := m.candidates(c)
	if err != nil {
		return nil, err
	}
	changes, ok, err := m.merge(c, candidates)
	if err != nil || ok {
		return changes, err
	}
	return nil, insertClient(c, dealerID, cl)
}

// clientMatch is the search of a dealer's stored clients for a new client
// (matchOrInsertClient): on PostgreSQL, lock (with lockArgs) takes the
// transaction locks of the client's keys; then query (with args) reads the
// candidates, and merge makes the client the one it matches.
type clientMatch struct {
	cl             *core.Client
	lock, query    string // "" when the client has no key: it matches none
	lockArgs, args []any
	// locked are the stored clients whose rows the caller locked (FOR NO
	// KEY UPDATE) and read again after the lock, in the candidates given
	// to merge (a combined creation: lockStoredClients, pgcombine.go)
	locked map[int64]bool
}

func newClientMatch(dealerID int64, cl *core.Client) clientMatch {
	cl.DealerID = dealerID
	m := clientMatch{cl: cl}
	gov, phone, email := core.ClientKeys(*cl)
	keys := []struct{ name, v string }{{core.MatchGovID, gov}, {core.MatchPhone, phone}, {core.MatchEmail, email}}
	keys = slices.DeleteFunc(keys, func(k struct{ name, v string }) bool { return k.v == "" })
	if len(keys) == 0 {
		return m
	}
	var arms, locks []string
	var lockKeys []int64
	for _, k := range keys {
		arms = append(arms, clientMatchArm(k.name))
		m.args = append(m.args, dealerID, k.v)
		lockKeys = append(lockKeys, clientKeyLock(dealerID, k.name, k.v))
	}
	// one statement; the keys in the one order (by value, as a combined
	// creation of several leads takes them, pgcombine.go), so two writers
	// never wait for each other in a cycle
	slices.Sort(lockKeys)
	for _, k := range lockKeys {
		locks, m.lockArgs = append(locks, "pg_advisory_xact_lock(?)"), append(m.lockArgs, k)
	}
	m.lock = `SELECT ` + strings.Join(locks, ", ")
	m.query = strings.Join(arms, "\nUNION ALL ")
	return m
}

// candidates locks m's keys (PostgreSQL) and reads the stored clients
// that may match m's client.
func (m clientMatch) candidates(c conn) ([]core.Client, error) {
	if c.pg {
		if _, err := c.exec(m.lock, m.lockArgs...); err != nil {
			return nil, err
		}
	}
	return queryAll(c, m.query, m.args, func(r *sql.Rows, x *core.Client) error { return scanClient(r, x) })
}

// matchClient returns the stored client of dealerID that cl, a client
// not stored yet, matches, and the key it matched on; ok is false when
// none does.
func matchClient(c conn, dealerID int64, cl *core.Client) (match core.Client, by string, ok bool, err error) {
	m := newClientMatch(dealerID, cl)
	if m.query == "" {
		return core.Client{}, "", false, nil
	}
	candidates, err := m.candidates(c)
	if err != nil {
		return core.Client{}, "", false, err
	}
	match, by, ok = core.MatchClient(*cl, candidates)
	return match, by, ok, nil
}

// merge makes m's client the one of candidates it matches, if any, with
// the values it brings merged in, and returns the changes; ok is false
// when none matches, and the client is then to be inserted.
//
// On PostgreSQL the match's row is locked FOR NO KEY UPDATE, the lock
// of the UPDATE to come: unlike FOR UPDATE it lets leads naming the client
// be created meanwhile (their foreign key's FOR KEY SHARE), which a
// combined creation holding another client's lock may be waiting to do
// (a deadlock: pgcombine.go, "Lock order"). The row is read again with
// the lock: the candidate was read before it, and another creation
// matching the client by another key (another advisory lock) may have
// changed it meanwhile, whose values the merge would otherwise undo.
// Unless m.locked holds it: the caller locked it and read it again.
func (m clientMatch) merge(c conn, candidates []core.Client) (changes []core.Change, ok bool, err error) {
	match, by, ok := core.MatchClient(*m.cl, candidates)
	if !ok {
		return nil, false, nil
	}
	if c.pg && !m.locked[match.ID] {
		var cur core.Client
		err := scanClient(c.row(`SELECT `+clientCols+` FROM clients WHERE id = ? FOR NO KEY UPDATE`, match.ID), &cur)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, nil // deleted meanwhile: the client is new
		}
		if err != nil {
			return nil, false, err
		}
		match = cur
	}
	merged, changes := core.MergeClient(match, *m.cl, by)
	if !sameClient(&match, &merged) {
		// The update refreshes the client's copies on its leads: on SQLite
		// the trigram index must hold every lead first (see indexLeads),
		// as the writer sees to for any write but a lead's creation.
		if !c.pg {
			if err := indexLeads(c); err != nil {
				return nil, false, err
			}
		}
		merged.UpdatedAt = m.cl.UpdatedAt
		if err := updateClient(c, &merged); err != nil {
			return nil, false, err
		}
	}
	*m.cl = merged
	return changes, true, nil
}

// clientMatchArm is the query of the candidates for one key (core.MatchGovID,
// MatchPhone, MatchEmail) of a dealer's new client: the dealer id and the
// key's value are its arguments. Each key has its own arm on its own index
// (clients_dealer_gov_id, clients_dealer_phone, clients_dealer_email), in
// id order so the oldest clients come first: an OR of the keys with one
// ORDER BY id let SQLite walk every client of the dealer by id instead
// (TestExplainClientMatch).
func clientMatchArm(key string) string {
	cond := map[string]string{core.MatchGovID: "gov_id = ?", core.MatchPhone: "phone_e164 = ?", core.MatchEmail: "lower(email) = ?"}[key]
	return `SELECT * FROM (SELECT ` + clientCols + ` FROM clients WHERE dealer_id = ? AND ` + cond + ` ORDER BY id LIMIT 20) AS ` + key
}

// clientKeyLock is the PostgreSQL advisory lock of one key of a dealer's
// clients.
func clientKeyLock(dealerID int64, key, value string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "client\x00%d\x00%s\x00%s", dealerID, key, value)
	return int64(h.Sum64())
}

// MergeClients implements core.Store.MergeClients.
func (s *Store) MergeClients(ctx context.Context, dealerID, keep, drop int64, merge func(keep, drop core.Client) (core.Client, []core.Change), at time.Time) (core.Client, error) {
	var out core.Client
	err := s.write(ctx, func(c conn) error {
		if c.pg {
			if _, err := c.exec(`SELECT id FROM clients WHERE id IN (?, ?) ORDER BY id FOR UPDATE`, keep, drop); err != nil {
				return err
			}
		}
		k, err := existingClient(c, dealerID, keep)
		if err != nil {
			return err
		}
		d, err := existingClient(c, dealerID, drop)
		if err != nil {
			return err
		}
		merged, changes := merge(k, d)
		leads, err := queryIDs(c, `SELECT id FROM leads WHERE client_id IN (?, ?) ORDER BY id`, []any{keep, drop})
		if err != nil {
			return err
		}
		// drop's leads change their client: a change of the lead
		if _, err := c.exec(`UPDATE leads SET client_id = ?, version = version + 1, updated_at = ? WHERE client_id = ?`, keep, micros(at), drop); err != nil {
			return err
		}
		if _, err := c.exec(`UPDATE appointments SET client_id = ? WHERE client_id = ?`, keep, drop); err != nil {
			return err
		}
		if _, err := c.exec(`UPDATE communications SET client_id = ? WHERE client_id = ?`, keep, drop); err != nil {
			return err
		}
		// drop's contacts are keep's; keep's primary contact stays the one
		if _, err := c.exec(`UPDATE contacts SET client_id = ?, is_primary = FALSE WHERE client_id = ?`, keep, drop); err != nil {
			return err
		}
		if _, err := c.exec(`UPDATE vehicle_records SET client_id = ? WHERE client_id = ?`, keep, drop); err != nil {
			return err
		}
		if err := updateClient(c, &merged); err != nil { // refreshes every lead's copy of the client
			return err
		}
		if _, err := c.exec(`DELETE FROM clients WHERE id = ?`, drop); err != nil {
			return err
		}
		for _, id := range leads {
			h := core.History{LeadID: id, At: at, Type: core.HistoryChanged, Kind: core.KindClientMerged, Changes: changes}
			if err := insertHistory(c, &h); err != nil {
				return err
			}
		}
		out = merged
		return nil
	})
	if err != nil {
		return core.Client{}, dbError(err, "merge clients", "client", drop)
	}
	return out, nil
}
