package core

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Contact is one of a client's contact persons (Walcu's contacts): the
// people the dealer deals with for a client besides the client itself (a
// company's buyer, a spouse). It belongs to its client and its dealer,
// is deleted with the client and moves with it when clients are merged.
// At most one contact of a client is its primary contact.
type Contact struct {
	ID       int64
	PublicID string // UUIDv7
	DealerID int64  // the client's dealer, set by the Service
	ClientID int64
	Name     string
	Phones   []string
	Emails   []string
	GovID    string
	Role     string // what the person is to the client, free text
	Primary  bool
	// Ext holds what only one API has, keyed "<api>.<field>".
	Ext       map[string]string
	CreatedBy *int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Bounds of a contact: the contacts of one client, and the phones and
// e-mails of one contact.
const (
	MaxClientContacts = 50
	MaxContactPhones  = 10
)

// ContactRecords reads and writes contacts (contacts.go); every Store is
// one. Adding, saving or deleting a contact makes its client's version the
// next one, in the same transaction: a client's version counts its
// contacts' changes (docs/decisions.md).
type ContactRecords interface {
	// Contact returns contact id; NotFound when there is none.
	Contact(ctx context.Context, id int64) (Contact, error)
	// AddContact stores c, a new contact of client c.ClientID, and sets its
	// ID, PublicID (when empty) and Version (1); a Conflict when the
	// client has MaxClientContacts already. A primary contact makes the
	// client's other contacts not primary.
	AddContact(ctx context.Context, c *Contact) error
	// SaveContact writes c over the stored contact when that has version,
	// with the next version, which it sets on c; ErrStaleVersion when it
	// has another. A primary contact makes the client's others not
	// primary.
	SaveContact(ctx context.Context, c *Contact, version int) error
	// DeleteContact deletes contact id.
	DeleteContact(ctx context.Context, id int64) error
	// FindContacts lists the contacts of dealerIDs that q selects.
	FindContacts(ctx context.Context, dealerIDs []int64, q Query) ([]Contact, int, error)
	// GroupContacts counts the contacts of dealerIDs that q selects per
	// value of q.GroupBy, most first.
	GroupContacts(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
	// ClientContacts lists dealerID's contacts of the clients clientIDs,
	// by client and id.
	ClientContacts(ctx context.Context, dealerID int64, clientIDs []int64) ([]Contact, error)
}

// ContactSchema is the registry of a contact's fields.
var ContactSchema = Schema{
	Entity: "contact",
	Fields: map[string]FieldSpec{
		"id":         {Type: TypeInt, Sort: true},
		"public_id":  {Type: TypeText},
		"dealer":     {Type: TypeInt, Group: true},
		"client":     {Type: TypeInt, Group: true},
		"name":       {Type: TypeText, Sort: true},
		"gov_id":     {Type: TypeText},
		"role":       {Type: TypeText, Group: true},
		"primary":    {Type: TypeBool, Group: true},
		"created_by": {Type: TypeInt, Group: true},
		"created_at": {Type: TypeTime, Sort: true},
		"updated_at": {Type: TypeTime, Sort: true},
		"version":    {Type: TypeInt},
	},
	Search:      "the name, the phones, the e-mails and the government id",
	DefaultSort: []Sort{{Field: "id"}},
}

// Clone returns a deep copy of c.
func (c Contact) Clone() Contact {
	c.CreatedBy = clonePtr(c.CreatedBy)
	c.Phones, c.Emails = append([]string(nil), c.Phones...), append([]string(nil), c.Emails...)
	c.Ext = maps.Clone(c.Ext)
	return c
}

// validateContact checks c and normalises its texts; paths are its
// fields ("phones.1").
func validateContact(c *Contact) FieldErrors {
	fe := FieldErrors{}
	c.Name, c.GovID, c.Role = strings.TrimSpace(c.Name), strings.TrimSpace(c.GovID), strings.TrimSpace(c.Role)
	checkLen(fe, "name", c.Name, MaxShortText)
	checkLen(fe, "gov_id", c.GovID, MaxShortText)
	checkLen(fe, "role", c.Role, MaxShortText)
	for field, list := range map[string]*[]string{"phones": &c.Phones, "emails": &c.Emails} {
		if len(*list) > MaxContactPhones {
			fe.Add(field, MsgOutOfRange)
		}
		out := (*list)[:0:0]
		for _, v := range *list {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		for i, v := range out {
			checkLen(fe, field+"."+strconv.Itoa(i), v, MaxShortText)
		}
		*list = out
	}
	if c.Name == "" && len(c.Phones) == 0 && len(c.Emails) == 0 {
		fe.Add("name", MsgRequired)
	}
	checkExt(fe, c.Ext, MaxExtFields)
	return fe
}

// CreateContact adds a contact person to client c.ClientID, a client of
// the principal's dealers (another's is Invalid at "client", like one that
// does not exist), made by the principal's user.
func (s *Service) CreateContact(ctx context.Context, c Contact) (Contact, error) {
	normaliseTexts(&c) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Contact{}, err
	}
	cl, err := s.store.Client(ctx, c.ClientID)
	if err != nil && ErrorCode(err) != NotFound {
		return Contact{}, err
	}
	if err != nil || !p.CanSee(cl.DealerID) {
		return Contact{}, &Error{Code: Invalid, Message: "invalid input", Fields: map[string]string{"client": MsgNotExist}}
	}
	nc := c.Clone()
	now := s.Now()
	nc.ID, nc.Version, nc.DealerID, nc.CreatedBy, nc.CreatedAt, nc.UpdatedAt = 0, 0, cl.DealerID, p.UserRef(), now, now
	if err := validateContact(&nc).Err(); err != nil {
		return Contact{}, err
	}
	if err := s.store.AddContact(ctx, &nc); err != nil {
		return Contact{}, err
	}
	return nc, nil
}

// FindContact returns a contact of the principal's dealers; another
// dealer's is NotFound, like one that does not exist.
func (s *Service) FindContact(ctx context.Context, id int64) (Contact, error) {
	return findOfDealer(ctx, "contact", func() (Contact, error) { return s.store.Contact(ctx, id) },
		func(c Contact) int64 { return c.DealerID })
}

// UpdateContact writes c's name, phones, e-mails, government id, role,
// primary flag and Ext over contact c.ID when it still has c.Version (0:
// whatever it has; ErrStaleVersion otherwise). Its client never changes.
func (s *Service) UpdateContact(ctx context.Context, c Contact) (Contact, error) {
	normaliseTexts(&c) // text in NFC (text.go)
	cur, err := s.FindContact(ctx, c.ID)
	if err != nil {
		return Contact{}, err
	}
	if err := checkVersion("", c.Version, cur.Version); err != nil {
		return Contact{}, err
	}
	nc := c.Clone()
	nc.PublicID, nc.DealerID, nc.ClientID, nc.CreatedBy, nc.CreatedAt = cur.PublicID, cur.DealerID, cur.ClientID, cur.CreatedBy, cur.CreatedAt
	if err := validateContact(&nc).Err(); err != nil {
		return Contact{}, err
	}
	if sameContact(cur, nc) {
		return cur, nil
	}
	nc.UpdatedAt = s.Now()
	if err := s.store.SaveContact(ctx, &nc, cur.Version); err != nil {
		return Contact{}, err
	}
	return nc, nil
}

func sameContact(a, b Contact) bool {
	return a.Name == b.Name && a.GovID == b.GovID && a.Role == b.Role && a.Primary == b.Primary && strings.Join(a.Phones, "\x00") == strings.Join(b.Phones, "\x00") &&
		strings.Join(a.Emails, "\x00") == strings.Join(b.Emails, "\x00") && maps.Equal(a.Ext, b.Ext)
}

// DeleteContact deletes a contact of the principal's dealers.
func (s *Service) DeleteContact(ctx context.Context, id int64) error {
	if _, err := s.FindContact(ctx, id); err != nil {
		return err
	}
	return s.store.DeleteContact(ctx, id)
}

// FindContacts lists the contacts of the principal's dealers that q
// selects (ContactSchema). A condition on "dealer" at the top of q.Where
// narrows the dealers.
func (s *Service) FindContacts(ctx context.Context, q Query) ([]Contact, int, error) {
	sc, err := ContactSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindContacts(ctx, ids, q)
}

// ClientContacts lists the contacts of dealer dealerID's clients clientIDs
// (at most MaxQueryValues clients), by client and id; a dealer the
// principal may not see has none.
func (s *Service) ClientContacts(ctx context.Context, dealerID int64, clientIDs []int64) ([]Contact, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	clientIDs = DistinctIDs(clientIDs)
	if !p.CanSee(dealerID) || len(clientIDs) == 0 {
		return nil, nil
	}
	if len(clientIDs) > MaxQueryValues {
		return nil, &Error{Code: Invalid, Message: "too many clients", Fields: map[string]string{"client": MsgTooMany}}
	}
	return s.store.ClientContacts(ctx, dealerID, clientIDs)
}
