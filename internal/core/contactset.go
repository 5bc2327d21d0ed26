package core

import (
	"context"
	"strconv"
)

// A client's contact persons as one list (Walcu's client document holds
// them in its "contacts" array): SetClientContacts makes a list the
// client's contacts, CheckContacts checks one before anything is written.

// CheckContacts checks want as the contact persons of one client: at most
// MaxClientContacts, each as CreateContact and UpdateContact check it, no
// contact named twice. Paths are "<index>.<field>" ("1.phones.0").
func CheckContacts(want []Contact) error {
	fe := FieldErrors{}
	if len(want) > MaxClientContacts {
		fe.Add("contacts", MsgTooMany)
		return fe.Err()
	}
	seen := map[int64]bool{}
	for i, c := range want {
		c = c.Clone()
		at := strconv.Itoa(i)
		for k, v := range validateContact(&c) {
			fe.Add(at+"."+k, v)
		}
		if c.ID != 0 {
			if seen[c.ID] {
				fe.Add(at, MsgDuplicate)
			}
			seen[c.ID] = true
		}
	}
	return fe.Err()
}

// SetClientContacts makes want the contact persons of client clientID, a
// client of the principal's dealers (NotFound otherwise), and returns
// them in want's order: an element whose ID is one of the client's
// contacts is written over it (its client, creator and creation kept; not
// written when nothing changed), one without (or with the ID of no
// contact of this client) is a new contact made by the principal's user,
// and every contact of the client that want does not hold is deleted.
// want is checked whole (CheckContacts) before anything is written; the
// writes are one per contact, not one transaction: a database failure
// between them leaves the ones before it written. Every contact write
// makes the client's version the next one (the store's rule), so a
// client read before this call is stale after it.
func (s *Service) SetClientContacts(ctx context.Context, clientID int64, want []Contact) ([]Contact, error) {
	normaliseTexts(&want) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := s.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	cur, err := s.store.ClientContacts(ctx, cl.DealerID, []int64{cl.ID})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Contact, len(cur))
	for _, c := range cur {
		byID[c.ID] = c
	}
	next := make([]Contact, len(want))
	for i, c := range want {
		c = c.Clone()
		if _, ok := byID[c.ID]; !ok {
			c.ID = 0
		}
		next[i] = c
	}
	if err := CheckContacts(next); err != nil {
		return nil, err
	}
	kept := map[int64]bool{}
	for _, c := range next {
		kept[c.ID] = true
	}
	for _, c := range cur {
		if !kept[c.ID] {
			if err := s.store.DeleteContact(ctx, c.ID); err != nil {
				return nil, err
			}
		}
	}
	now := s.Now()
	for i, c := range next {
		if old, ok := byID[c.ID]; ok {
			c.PublicID, c.DealerID, c.ClientID, c.CreatedBy, c.CreatedAt, c.UpdatedAt = old.PublicID, old.DealerID, old.ClientID, old.CreatedBy, old.CreatedAt, old.UpdatedAt
			validateContact(&c)
			if sameContact(old, c) {
				next[i] = old
				continue
			}
			c.UpdatedAt = now
			if err := s.store.SaveContact(ctx, &c, old.Version); err != nil {
				return nil, err
			}
			next[i] = c
			continue
		}
		c.PublicID, c.Version, c.DealerID, c.ClientID, c.CreatedBy, c.CreatedAt, c.UpdatedAt = "", 0, cl.DealerID, cl.ID, p.UserRef(), now, now
		validateContact(&c)
		if err := s.store.AddContact(ctx, &c); err != nil {
			return nil, err
		}
		next[i] = c
	}
	return next, nil
}

// GroupContacts counts the contacts of the principal's dealers that q
// selects per value of q.GroupBy (ContactSchema's groupable fields), most
// first (at most MaxGroups).
func (s *Service) GroupContacts(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := ContactSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupContacts(ctx, ids, q)
}
