package walcu

import (
	"fmt"
	"maps"
	"strings"

	"forecourt/internal/core"
)

// A client document's "contacts" array is the client's contact persons as
// the contacts collection has them (the core's contacts, core.Contact):
// read, it shows each of them (its _id, name, phones, emails,
// government_id, custom); written (POST, PUT, the result of a PATCH), it
// is the client's list of contacts after the write: an element whose _id
// is one of the client's contacts is written over it, one without (or with
// any other _id) is a new contact, and a contact the array leaves out is
// deleted. A body without "contacts" (or with null) leaves them as they
// are. See docs/walcu.md, "The client's contacts array".

// contactsElem is the shape of an element of a client's contacts array.
func (b *clientBackend) contactsElem() *shape {
	if f := b.coll.doc.fields["contacts"]; f != nil && f.kind == kArray {
		return f.elem
	}
	return nil
}

// contactElems renders contacts as elements of shape elem: the fields of
// each (contactDoc) that elem has.
func contactElems(elem *shape, cs []core.Contact) []any {
	out := make([]any, 0, len(cs))
	for _, c := range cs {
		d := contactDoc(c)
		for k := range d {
			if elem == nil || elem.fields[k] == nil {
				delete(d, k)
			}
		}
		out = append(out, d)
	}
	return out
}

// wantContacts reads body's contacts array as the client's contacts after
// the write, over cur (the client's contacts now; none for a new client):
// an element whose _id is a contact of cur keeps that contact's identity,
// role, primary flag and the fields of its Ext that the array does not
// show (foreign_ids…). present is false when body has no array.
func (b *clientBackend) wantContacts(r *request, body doc, cur []core.Contact) (want []core.Contact, present bool, err error) {
	arr, ok := body["contacts"].([]any)
	if !ok {
		return nil, false, nil
	}
	if len(arr) > core.MaxClientContacts {
		return nil, true, invalidField("contacts", fmt.Sprintf("at most %d contacts", core.MaxClientContacts))
	}
	byPublic := make(map[string]core.Contact, len(cur))
	for _, c := range cur {
		byPublic[c.PublicID] = c
	}
	elem := b.contactsElem()
	author, _ := encodeExt(userPublicID(r))
	for i, x := range arr {
		m, _ := x.(map[string]any)
		if m == nil {
			return nil, true, invalidField(fmt.Sprintf("contacts.%d", i), "must be an object")
		}
		c, err := contactOfBody(m)
		if err != nil {
			return nil, true, err
		}
		id, _ := m["_id"].(string)
		old, known := byPublic[id]
		if known {
			delete(byPublic, id) // a second element of the same _id is a new contact
			ext := maps.Clone(old.Ext)
			for k := range ext {
				if f, ok := strings.CutPrefix(k, extPrefix); ok && elem != nil && elem.fields[f] != nil {
					delete(ext, k) // shown in the array: as written now
				}
			}
			if ext == nil {
				ext = map[string]string{}
			}
			maps.Copy(ext, c.Ext)
			c.ID, c.Role, c.Primary, c.Ext = old.ID, old.Role, old.Primary, ext
			if userPublicID(r) != "" && !sameContactFields(old, c) {
				c.Ext[extUpdatedBy] = author
			}
		} else if userPublicID(r) != "" {
			c.Ext[extUpdatedBy] = author
		}
		want = append(want, c)
	}
	if err := core.CheckContacts(want); err != nil {
		return nil, true, contactsErr(err)
	}
	return want, true, nil
}

// sameContactFields reports whether a and b have the same name, phones,
// e-mails, government id and Ext, the author aside.
func sameContactFields(a, b core.Contact) bool {
	ea, eb := maps.Clone(a.Ext), maps.Clone(b.Ext)
	delete(ea, extUpdatedBy)
	delete(eb, extUpdatedBy)
	return a.Name == b.Name && a.GovID == b.GovID && strings.Join(a.Phones, "\n") == strings.Join(b.Phones, "\n") &&
		strings.Join(a.Emails, "\n") == strings.Join(b.Emails, "\n") && maps.Equal(ea, eb)
}

// sameContactList reports whether want holds cur's contacts, in cur's
// order, unchanged.
func sameContactList(cur, want []core.Contact) bool {
	if len(cur) != len(want) {
		return false
	}
	for i := range cur {
		if cur[i].ID != want[i].ID || !sameContactFields(cur[i], want[i]) {
			return false
		}
	}
	return true
}

// contactsErr words the core's errors of a list of contacts, which name
// "<index>.<field>", as paths of the client's contacts array.
func contactsErr(err error) error {
	if err == nil {
		return nil
	}
	names := map[string]string{"gov_id": "government_id"}
	return toAPIError(err, func(k string) string {
		if k == "contacts" {
			return k
		}
		i, f, _ := strings.Cut(k, ".")
		if n, ok := names[f]; ok {
			f = n
		} else if rest, ok := strings.CutPrefix(f, "ext."+extPrefix); ok {
			f = rest
		}
		return strings.TrimSuffix("contacts."+i+"."+f, ".")
	})
}

// setContacts makes want the contacts of client id when present and they
// differ from cur.
func (b *clientBackend) setContacts(r *request, id int64, cur, want []core.Contact, present bool) error {
	if !present || sameContactList(cur, want) {
		return nil
	}
	_, err := b.svc.SetClientContacts(r.ctx, id, want)
	return contactsErr(err)
}
