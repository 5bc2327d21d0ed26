package store

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"forecourt/internal/core"
)

// Migration 0035 (a Go migration, goMigrations): the contacts array a
// Walcu client document kept in its client's Ext ("walcu.contacts", a
// JSON array) before the array became the client's contacts (the contacts
// table, migration 0023; core.Service.SetClientContacts) becomes contact
// records of that client, so that what was written is shown again (the
// Ext key has been hidden since). Each element is mapped as Walcu's
// backend maps an element it is given (internal/walcu/contacts.go,
// contactOfBody): the name object's first and last names (else its
// raw_name) to name, the texts of phones and emails, government_id, and
// every other field but the envelope to ext under "walcu."; its _id is
// kept as the contact's public id when it is a UUID no record holds. An
// element that is no object, or that the core would refuse
// (core.CheckContacts: a name or phone too long…), or past the client's
// core.MaxClientContacts, stays in the Ext array, so that nothing is
// lost; the key is removed when nothing stays. The contacts take the
// client's dealer and times, no creator, and are not primary (the client
// holds its primary contact itself). The client's version is left as it
// is: no API wrote it. Down does nothing: contacts made since cannot be
// told from the moved ones, and 0023's Down drops them all.

// clientContactsKey is the Ext key of the old array.
const clientContactsKey = "walcu.contacts"

// contactElemSkip are the fields of an element that are not kept in the
// contact's Ext: its columns, its client, and the envelope of a document
// (internal/walcu/schema.go, envelope).
var contactElemSkip = []string{"phones", "emails", "government_id", "client_id",
	"_id", "__v", "dealer_id", "created_at", "updated_at", "updated_by", "computed"}

// uuidText matches a UUID written as public ids are.
var uuidText = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// moveClientContacts is migration 0035's Up, a batch of clients at a time.
func moveClientContacts(c conn) error {
	const batch = 200
	var after int64
	for {
		type row struct {
			id, dealer, created, updated int64
			ext                          string
		}
		var rows []row
		err := eachRow(c, `SELECT id, dealer_id, created_at, updated_at, ext FROM clients
			WHERE id > ? AND ext LIKE '%"contacts"%' ORDER BY id LIMIT ?`, []any{after, batch}, func(r *sql.Rows) error {
			var d row
			if err := r.Scan(&d.id, &d.dealer, &d.created, &d.updated, &d.ext); err != nil {
				return err
			}
			rows = append(rows, d)
			return nil
		})
		if err != nil || len(rows) == 0 {
			return err
		}
		for _, d := range rows {
			if err := moveContactsOf(c, d.id, d.dealer, d.created, d.updated, d.ext); err != nil {
				return err
			}
		}
		after = rows[len(rows)-1].id
	}
}

// moveContactsOf moves the contacts array of one client's Ext.
func moveContactsOf(c conn, client, dealer, created, updated int64, extText string) error {
	ext, err := decodeLeadExt(extText)
	if err != nil || ext[clientContactsKey] == "" {
		return nil // no Ext the store wrote, or no array: nothing to move
	}
	dec := json.NewDecoder(strings.NewReader(ext[clientContactsKey]))
	dec.UseNumber()
	var elems []any
	if err := dec.Decode(&elems); err != nil {
		return nil // no array: left as it is
	}
	n, err := c.count(`SELECT count(*) FROM contacts WHERE client_id = ?`, client)
	if err != nil {
		return err
	}
	var keep []any
	for _, x := range elems {
		m, _ := x.(map[string]any)
		ct, ok := contactOfElem(m)
		if ok && n < core.MaxClientContacts && core.CheckContacts([]core.Contact{ct}) == nil {
			if id, _ := m["_id"].(string); uuidText.MatchString(id) {
				taken, err := c.count(`SELECT count(*) FROM contacts WHERE public_id = ?`, id)
				if err != nil {
					return err
				}
				if taken == 0 {
					ct.PublicID = id
				}
			}
			if ct.PublicID == "" {
				ct.PublicID = newPublicID()
			}
			args, err := contactArgs(&ct)
			if err != nil {
				return err
			}
			if _, err := c.exec(`INSERT INTO contacts (public_id, dealer_id, client_id, name, phones, emails, gov_id, role, is_primary, ext,
				created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append(append([]any{ct.PublicID, dealer, client}, args...), created, updated)...); err != nil {
				return err
			}
			n++
			continue
		}
		keep = append(keep, x)
	}
	delete(ext, clientContactsKey)
	if len(keep) > 0 {
		b, err := json.Marshal(keep)
		if err != nil {
			return err
		}
		ext[clientContactsKey] = string(b)
	}
	out, err := encodeLeadExt(ext)
	if err != nil {
		return err
	}
	_, err = c.exec(`UPDATE clients SET ext = ? WHERE id = ?`, out, client)
	return err
}

// contactOfElem maps an element of the array (see above); false when it
// is no object.
func contactOfElem(m map[string]any) (core.Contact, bool) {
	if m == nil {
		return core.Contact{}, false
	}
	ct := core.Contact{Ext: map[string]string{}}
	name, _ := m["name"].(map[string]any)
	first, _ := name["first_name"].(string)
	last, _ := name["last_name"].(string)
	ct.Name = strings.Join(strings.Fields(first+" "+last), " ")
	if ct.Name == "" {
		raw, _ := name["raw_name"].(string)
		ct.Name = strings.TrimSpace(raw)
	}
	ct.Phones, ct.Emails = elemTexts(m["phones"]), elemTexts(m["emails"])
	ct.GovID, _ = m["government_id"].(string)
	for k, v := range m {
		if v == nil || slices.Contains(contactElemSkip, k) {
			continue
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return core.Contact{}, false
		}
		ct.Ext["walcu."+k] = strings.TrimSuffix(b.String(), "\n")
	}
	return ct, true
}

// elemTexts is the texts of a JSON array (a text alone, as one).
func elemTexts(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
