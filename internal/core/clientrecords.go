package core

import (
	"context"
	"maps"
	"strings"
)

// ClientRecords reads and writes clients on their own, not through a
// lead (Walcu's clients); every Store is one.
type ClientRecords interface {
	// Client returns client id with its Ext; NotFound when there is none.
	Client(ctx context.Context, id int64) (Client, error)
	// CreateClient stores c, a new client of c.DealerID, and sets its ID,
	// PublicID (when empty) and Version (1), unless the dealer has that
	// person already (MatchClient): then it stores nothing and answers a
	// Conflict naming the key matched, whose message holds the stored
	// client's public id. On PostgreSQL the keys are locked as a lead's
	// new client's are, so that two creations of one person make one.
	CreateClient(ctx context.Context, c *Client) error
	// SaveClient writes c (its fields and Ext) over the stored client when
	// that has version, with the next version, which it sets on c, and
	// refreshes the copies of the client on its leads; ErrStaleVersion
	// when it has another. With h, in the same transaction, each of the
	// client's leads' history gets a copy of h (its LeadID that lead's).
	SaveClient(ctx context.Context, c *Client, version int, h *History) error
	// DeleteClient deletes client id when it has version (0: any);
	// ErrStaleVersion when it has another; a Conflict when a lead or an
	// appointment is the client's. Documents that name it keep no link.
	DeleteClient(ctx context.Context, id int64, version int) error
}

// FindClient returns a client of the principal's dealers; another
// dealer's is NotFound, like one that does not exist.
func (s *Service) FindClient(ctx context.Context, id int64) (Client, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Client{}, err
	}
	c, err := s.store.Client(ctx, id)
	if err != nil {
		return Client{}, err
	}
	if !p.CanSee(c.DealerID) {
		return Client{}, errNotFound("client")
	}
	return c, nil
}

// checkClientRefs records on fe a province or locality given that does not
// exist (a locality implies its province), as a lead's client's are.
func (s *Service) checkClientRefs(ctx context.Context, fe FieldErrors, old, c *Client) error {
	l := Lead{DealerID: c.DealerID, Client: c}
	var o *Lead
	if old != nil {
		o = &Lead{DealerID: c.DealerID, Client: old}
	}
	sub := FieldErrors{}
	if err := s.checkLeadRefs(ctx, Principal{}, o, &l, sub); err != nil {
		return err
	}
	for k, v := range sub {
		if rest, ok := strings.CutPrefix(k, "client."); ok {
			fe.Add(rest, v)
		}
	}
	return nil
}

// CreateClient stores a new client of one of the principal's dealers. A
// client the dealer has already (the same government id, phone or e-mail,
// see MatchClient) is a Conflict: one client per person.
func (s *Service) CreateClient(ctx context.Context, c Client) (Client, error) {
	normaliseTexts(&c) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Client{}, err
	}
	if !p.CanSee(c.DealerID) {
		return Client{}, errNotFound("dealer")
	}
	now := s.Now()
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = 0, 0, now, now
	c.Ext = maps.Clone(c.Ext)
	fe := FieldErrors{}
	validateClient(fe, "", &c)
	checkLeadExt(fe, c.Ext)
	if err := s.checkClientRefs(ctx, fe, nil, &c); err != nil {
		return Client{}, err
	}
	if err := fe.Err(); err != nil {
		return Client{}, err
	}
	if err := s.store.CreateClient(ctx, &c); err != nil {
		return Client{}, err
	}
	return c, nil
}

// UpdateClient applies a patch to a client of the principal's dealers
// (patch.ID is ignored). A patch with a Version the client no longer has
// fails with ErrStaleVersion and changes nothing; so does one without,
// when the client changes between its read and its write. One that
// changes nothing writes nothing. The change is the client's: its leads
// show it (their copies of the name, phone and e-mail are refreshed), and
// a change of its fields (not of its extension fields alone) is an entry
// of each of its leads' history, in the same transaction: a lead_updated
// entry of the principal, through its API, whose changes are named as a
// change of the client through one of its leads names them ("client.name",
// "client.phone"…; docs/decisions.md, "A client's edits are in its leads'
// history").
func (s *Service) UpdateClient(ctx context.Context, id int64, patch ClientPatch) (Client, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Client{}, err
	}
	cur, err := s.FindClient(ctx, id)
	if err != nil {
		return Client{}, err
	}
	if err := checkVersion("", patch.Version, cur.Version); err != nil {
		return Client{}, err
	}
	c := cur
	c.Ext = maps.Clone(cur.Ext)
	patch.Name.applyTo(&c.Name)
	patch.Phone.applyTo(&c.Phone)
	patch.Email.applyTo(&c.Email)
	patch.ProvinceID.applyTo(&c.ProvinceID)
	patch.LocalityID.applyTo(&c.LocalityID)
	patch.GovID.applyTo(&c.GovID)
	patch.BusinessName.applyTo(&c.BusinessName)
	patch.Address.applyTo(&c.Address)
	applyExtPatch(&c.Ext, patch.Ext)
	fe := FieldErrors{}
	validateClient(fe, "", &c)
	checkLeadExt(fe, c.Ext)
	if err := s.checkClientRefs(ctx, fe, &cur, &c); err != nil {
		return Client{}, err
	}
	if err := fe.Err(); err != nil {
		return Client{}, err
	}
	if sameClientFields(&cur, &c) && maps.Equal(cur.Ext, c.Ext) {
		return cur, nil
	}
	c.UpdatedAt = s.Now()
	var h *History
	if changes := clientChanges(nil, &cur, &c); len(changes) > 0 {
		h = &History{At: c.UpdatedAt, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindLeadUpdated, Changes: changes}
	}
	if err := s.store.SaveClient(ctx, &c, cur.Version, h); err != nil {
		return Client{}, err
	}
	return c, nil
}

// DeleteClient deletes a client of the principal's dealers that has no
// lead and no appointment (a Conflict otherwise: a client's leads are
// deleted first, or the client merged into another). version, when not
// 0, is the client's version the caller read.
func (s *Service) DeleteClient(ctx context.Context, id int64, version int) error {
	cur, err := s.FindClient(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("", version, cur.Version); err != nil {
		return err
	}
	return s.store.DeleteClient(ctx, id, version)
}
