package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Operator commands: what an installation's operator (the command line,
// the demo loader) does, with no principal. They check what they are given
// and go through the Service like any use case; nothing reaches the store
// around it.

// CreateDealer stores a new dealer. It is an operator command: no principal
// is needed.
func (s *Service) CreateDealer(ctx context.Context, d Dealer) (Dealer, error) {
	normaliseTexts(&d) // text in NFC (text.go)
	fe := FieldErrors{}
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		fe.Add("name", MsgRequired)
	}
	d.Country = strings.ToUpper(strings.TrimSpace(d.Country))
	switch {
	case d.Country == "":
		fe.Add("country", MsgRequired)
	case !ValidCountry(d.Country):
		fe.Add("country", MsgInvalid)
	}
	if d.TimeZone == "" {
		d.TimeZone = defaultTimeZone(d.Country)
	}
	if _, err := time.LoadLocation(d.TimeZone); err != nil {
		fe.Add("timezone", MsgInvalid)
	}
	checkExt(fe, d.Ext, MaxExtFields)
	if err := fe.Err(); err != nil {
		return Dealer{}, err
	}
	d.Ext = maps.Clone(d.Ext)
	d.CreatedAt = s.Now()
	d.Notes = slices.Clone(d.Notes)
	for i := range d.Notes {
		d.Notes[i].ID, d.Notes[i].History = 0, nil
		d.Notes[i].Created, d.Notes[i].Modified = d.CreatedAt, d.CreatedAt
	}
	if err := s.store.CreateDealer(ctx, &d); err != nil {
		return Dealer{}, err
	}
	return d, nil
}

// validExtKey reports whether k names an API's extension field,
// "<api>.<field>" in lower-case letters, digits and underscores.
func validExtKey(k string) bool {
	if len(k) > MaxExtKey {
		return false
	}
	api, field, ok := strings.Cut(k, ".")
	if !ok || api == "" || field == "" {
		return false
	}
	for _, r := range api + field {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func defaultTimeZone(country string) string {
	switch country {
	case "ES":
		return "Europe/Madrid"
	case "EC":
		return "America/Guayaquil"
	case "CO":
		return "America/Bogota"
	}
	return "UTC"
}

// AllDealers lists every dealer, for operators.
func (s *Service) AllDealers(ctx context.Context) ([]Dealer, error) {
	return s.store.AllDealers(ctx)
}

// CreateUser stores a new user with password and memberships. It is an
// operator command: no principal is needed.
func (s *Service) CreateUser(ctx context.Context, u User, password string) (User, error) {
	normaliseTexts(&u) // text in NFC (text.go)
	fe := FieldErrors{}
	u.Username = strings.TrimSpace(u.Username)
	u.Email = strings.TrimSpace(u.Email)
	if u.Username == "" {
		u.Username = u.Email
	}
	if u.Username == "" {
		fe.Add("username", MsgRequired)
	}
	if password == "" {
		fe.Add("password", MsgRequired)
	}
	if len(u.Memberships) > 0 {
		ids := make([]int64, 0, len(u.Memberships))
		for _, m := range u.Memberships {
			ids = append(ids, m.DealerID)
		}
		ds, err := s.store.DealersByID(ctx, DistinctIDs(ids))
		if err != nil {
			return User{}, err
		}
		if len(ds) != len(DistinctIDs(ids)) {
			fe.Add("dealer", MsgNotExist)
		}
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(password, s.passwordCost)
	if err != nil {
		return User{}, err
	}
	u.PasswordHash = hash
	now := s.Now()
	u.CreatedAt = now
	if u.IsActive && u.ActivatedAt == nil {
		u.ActivatedAt = &now
	}
	if err := s.store.CreateUser(ctx, &u); err != nil {
		return User{}, err
	}
	return u, nil
}

// CreateAPIKey creates an API key for a dealer, optionally acting as a user
// of that dealer, and returns the key; only its hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, dealerID int64, userID *int64, name string) (string, APIKey, error) {
	ds, err := s.store.DealersByID(ctx, []int64{dealerID})
	if err != nil {
		return "", APIKey{}, err
	}
	if len(ds) == 0 {
		return "", APIKey{}, errNotFound("dealer")
	}
	if userID != nil {
		u, err := s.store.UserByID(ctx, *userID)
		if err != nil {
			return "", APIKey{}, err
		}
		if !u.hasDealer(dealerID) {
			return "", APIKey{}, &Error{Code: Invalid, Message: "the user is not a member of the dealer", Fields: map[string]string{"user": MsgNotExist}}
		}
	}
	key := "fc_" + rand.Text()
	k := APIKey{DealerID: dealerID, UserID: userID, Name: name, Prefix: key[:8], CreatedAt: s.Now()}
	if err := s.store.CreateAPIKey(ctx, &k, HashSecret(key)); err != nil {
		return "", APIKey{}, err
	}
	return key, k, nil
}

// AddMembership makes user m.UserID a member of dealer m.DealerID with m's
// roles; both must exist, and a user already member of the dealer is a
// Conflict.
func (s *Service) AddMembership(ctx context.Context, m Membership) (Membership, error) {
	fe := FieldErrors{}
	if ds, err := s.store.DealersByID(ctx, []int64{m.DealerID}); err != nil {
		return Membership{}, err
	} else if len(ds) == 0 {
		fe.Add("dealer", MsgNotExist)
	}
	if us, err := s.store.UsersByID(ctx, []int64{m.UserID}); err != nil {
		return Membership{}, err
	} else if len(us) == 0 {
		fe.Add("user", MsgNotExist)
	}
	if err := fe.Err(); err != nil {
		return Membership{}, err
	}
	m.ID = 0
	if err := s.store.AddMembership(ctx, &m); err != nil {
		return Membership{}, err
	}
	return m, nil
}

// UsersOfDealers lists the members of these dealers, each once, in id
// order.
func (s *Service) UsersOfDealers(ctx context.Context, dealerIDs []int64) ([]User, error) {
	if len(dealerIDs) == 0 {
		return nil, nil
	}
	us, _, err := s.store.FindUsers(ctx, DistinctIDs(dealerIDs), Query{Limit: -1})
	return us, err
}

// IsEmpty reports whether the installation holds no dealer yet (and so no
// data of a dealer): the demo loads only into an empty one.
func (s *Service) IsEmpty(ctx context.Context) (bool, error) {
	ds, err := s.store.AllDealers(ctx)
	return len(ds) == 0, err
}

// Reference data: how clients reach dealers (channels, origins, sources),
// fuels and geography. Each Create keeps a non-zero ID it is given (data
// imported from another system keeps its ids) and returns the stored
// record.

// CreateChannel stores a channel; its slug is required and unique (a slug
// taken is a Conflict). See ChannelPhone and the other well-known slugs.
func (s *Service) CreateChannel(ctx context.Context, c Channel) (Channel, error) {
	normaliseTexts(&c) // text in NFC (text.go)
	fe := FieldErrors{}
	c.Slug = strings.TrimSpace(c.Slug)
	requiredText(fe, "slug", c.Slug, MaxShortText)
	checkLen(fe, "name", c.Name, MaxShortText)
	if err := fe.Err(); err != nil {
		return Channel{}, err
	}
	if err := s.store.CreateChannel(ctx, &c); err != nil {
		return Channel{}, err
	}
	return c, nil
}

// CreateOrigin stores an origin with its phones, e-mails and the channels
// it offers, which must exist.
func (s *Service) CreateOrigin(ctx context.Context, o Origin) (Origin, error) {
	normaliseTexts(&o) // text in NFC (text.go)
	fe := FieldErrors{}
	o.Name = strings.TrimSpace(o.Name)
	requiredText(fe, "name", o.Name, MaxShortText)
	checkLen(fe, "icon", o.Icon, MaxShortText)
	if len(o.ChannelIDs) > 0 {
		cs, err := s.store.Channels(ctx)
		if err != nil {
			return Origin{}, err
		}
		for _, id := range o.ChannelIDs {
			if !slices.ContainsFunc(cs, func(c Channel) bool { return c.ID == id }) {
				fe.Add("channels", MsgNotExist)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return Origin{}, err
	}
	o.Phones, o.Emails, o.ChannelIDs = slices.Clone(o.Phones), slices.Clone(o.Emails), DistinctIDs(o.ChannelIDs)
	if err := s.store.CreateOrigin(ctx, &o); err != nil {
		return Origin{}, err
	}
	return o, nil
}

// CreateSource stores a source: a channel on an origin for a dealer, all
// three existing.
func (s *Service) CreateSource(ctx context.Context, src Source) (Source, error) {
	normaliseTexts(&src) // text in NFC (text.go)
	fe := FieldErrors{}
	checkLen(fe, "data", src.Data, MaxShortText)
	ds, err := s.store.DealersByID(ctx, []int64{src.DealerID})
	if err != nil {
		return Source{}, err
	}
	if len(ds) == 0 {
		fe.Add("dealer", MsgNotExist)
	}
	cs, err := s.store.Channels(ctx)
	if err != nil {
		return Source{}, err
	}
	if !slices.ContainsFunc(cs, func(c Channel) bool { return c.ID == src.ChannelID }) {
		fe.Add("channel", MsgNotExist)
	}
	os, err := s.store.OriginsByID(ctx, []int64{src.OriginID})
	if err != nil {
		return Source{}, err
	}
	if len(os) == 0 {
		fe.Add("origin", MsgNotExist)
	}
	if err := fe.Err(); err != nil {
		return Source{}, err
	}
	if err := s.store.CreateSource(ctx, &src); err != nil {
		return Source{}, err
	}
	return src, nil
}

// CreateGasType stores a fuel.
func (s *Service) CreateGasType(ctx context.Context, g GasType) (GasType, error) {
	fe := FieldErrors{}
	g.Name = strings.TrimSpace(g.Name)
	requiredText(fe, "name", g.Name, MaxShortText)
	if err := fe.Err(); err != nil {
		return GasType{}, err
	}
	if err := s.store.CreateGasType(ctx, &g); err != nil {
		return GasType{}, err
	}
	return g, nil
}

// CreateCountry stores a country, known by its ISO 3166-1 alpha-2 code
// (see ValidCountry); a code taken is a Conflict.
func (s *Service) CreateCountry(ctx context.Context, c Country) (Country, error) {
	fe := FieldErrors{}
	c.Code = strings.ToUpper(strings.TrimSpace(c.Code))
	c.Name = strings.TrimSpace(c.Name)
	if !ValidCountry(c.Code) {
		fe.Add("code", MsgInvalid)
	}
	requiredText(fe, "name", c.Name, MaxShortText)
	if err := fe.Err(); err != nil {
		return Country{}, err
	}
	if err := s.store.CreateCountry(ctx, &c); err != nil {
		return Country{}, err
	}
	return c, nil
}

// CreateProvince stores a province of a stored country (by code).
func (s *Service) CreateProvince(ctx context.Context, p Province) (Province, error) {
	fe := FieldErrors{}
	p.Name = strings.TrimSpace(p.Name)
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	requiredText(fe, "name", p.Name, MaxShortText)
	if p.Country == "" {
		fe.Add("country", MsgRequired)
	}
	if err := fe.Err(); err != nil {
		return Province{}, err
	}
	if err := s.store.CreateProvince(ctx, &p); err != nil {
		return Province{}, err
	}
	return p, nil
}

// CreateLocality stores a locality of a stored province.
func (s *Service) CreateLocality(ctx context.Context, l Locality) (Locality, error) {
	fe := FieldErrors{}
	l.Name = strings.TrimSpace(l.Name)
	requiredText(fe, "name", l.Name, MaxShortText)
	ps, err := s.store.ProvincesByID(ctx, []int64{l.ProvinceID})
	if err != nil {
		return Locality{}, err
	}
	if len(ps) == 0 {
		fe.Add("province", MsgNotExist)
	}
	if err := fe.Err(); err != nil {
		return Locality{}, err
	}
	if err := s.store.CreateLocality(ctx, &l); err != nil {
		return Locality{}, err
	}
	return l, nil
}

// requiredText checks that v, a required text, is given and within max.
func requiredText(fe FieldErrors, path, v string, max int) {
	if v == "" {
		fe.Add(path, MsgRequired)
		return
	}
	checkLen(fe, path, v, max)
}

// Credentials an operator controls: API keys, users' sessions, users.

// APIKeys lists the API keys of these dealers (every dealer's when none is
// given), revoked ones included, in id order. An operator command.
func (s *Service) APIKeys(ctx context.Context, dealerIDs []int64) ([]APIKey, error) {
	return s.store.APIKeys(ctx, DistinctIDs(dealerIDs))
}

// RevokeAPIKey revokes API key id and returns it: it authenticates nothing
// from then on (on the server whose store revoked it at once; see the
// store's caches for the others). Revoking a revoked key changes nothing;
// an unknown key is NotFound. An operator command.
func (s *Service) RevokeAPIKey(ctx context.Context, id int64) (APIKey, error) {
	if id < 1 {
		return APIKey{}, errNotFound("api key")
	}
	return s.store.RevokeAPIKey(ctx, id, s.Now())
}

// EndUserSessions logs user id out everywhere: every token of his is
// revoked and his open sessions end. It returns how many sessions it
// ended. He may log in again. An operator command.
func (s *Service) EndUserSessions(ctx context.Context, id int64) (int, error) {
	if id < 1 {
		return 0, errNotFound("user")
	}
	return s.store.EndUserSessions(ctx, id, s.Now())
}

// Deactivation is what DeactivateUser did.
type Deactivation struct {
	Sessions int      // the sessions it ended
	APIKeys  []APIKey // the user's live API keys, which now act as no user
}

// DeactivateUser deactivates user id: he can no longer log in, his tokens
// are revoked and his sessions end, and the API keys bound to him act as
// no user (they are their dealer's integrations', which go on working;
// revoke them to stop them). Deactivating an inactive user ends what is
// left of his sessions and changes nothing else. An operator command.
func (s *Service) DeactivateUser(ctx context.Context, id int64) (Deactivation, error) {
	if id < 1 {
		return Deactivation{}, errNotFound("user")
	}
	return s.deactivate(ctx, id)
}

// ActivateUser makes deactivated user id active again: he may log in
// (his old tokens stay revoked) and he is assignable again; it reports
// whether he was inactive. An active user is left as he is. An operator
// command.
func (s *Service) ActivateUser(ctx context.Context, id int64) (bool, error) {
	if id < 1 {
		return false, errNotFound("user")
	}
	return s.store.ActivateUser(ctx, id, s.Now())
}

// deactivate is DeactivateUser's work, for whoever may do it.
func (s *Service) deactivate(ctx context.Context, id int64) (Deactivation, error) {
	n, err := s.store.DeactivateUser(ctx, id, s.Now())
	if err != nil {
		return Deactivation{}, err
	}
	keys, err := s.store.APIKeys(ctx, nil)
	if err != nil {
		return Deactivation{}, err
	}
	d := Deactivation{Sessions: n}
	for _, k := range keys {
		if k.UserID != nil && *k.UserID == id && k.RevokedAt == nil {
			d.APIKeys = append(d.APIKeys, k)
		}
	}
	return d, nil
}

// SourceSpec names a source in an operator's words: the dealer's id, the
// slug of its channel, the name of its origin, and its data (the number,
// address or form the leads come in on).
type SourceSpec struct {
	DealerID int64
	Channel  string
	Origin   string
	Data     string
}

// WellKnownChannels are the channels of the well-known slugs with their
// names, as the demo seeds them; AddSource creates one the first time a
// source names it.
var WellKnownChannels = []Channel{
	{Slug: ChannelPhone, Name: "Teléfono"}, {Slug: ChannelEmail, Name: "Email"}, {Slug: ChannelWeb, Name: "Web"},
	{Slug: ChannelChat, Name: "Chat"}, {Slug: ChannelWhatsapp, Name: "WhatsApp"},
}

// AddSource creates the source spec names, so that its dealer can receive
// leads. The channel is one stored or a well-known one (created the first
// time); the origin is found by its name, case aside, or created, and
// offers the channel from then on. A source the dealer has already (same
// channel, origin and data) is a Conflict. An operator command.
func (s *Service) AddSource(ctx context.Context, spec SourceSpec) (Source, error) {
	normaliseTexts(&spec) // text in NFC (text.go)
	fe := FieldErrors{}
	spec.Channel = strings.ToLower(strings.TrimSpace(spec.Channel))
	spec.Origin = strings.TrimSpace(spec.Origin)
	spec.Data = strings.TrimSpace(spec.Data)
	requiredText(fe, "channel", spec.Channel, MaxShortText)
	requiredText(fe, "origin", spec.Origin, MaxShortText)
	checkLen(fe, "data", spec.Data, MaxShortText)
	if ds, err := s.store.DealersByID(ctx, []int64{spec.DealerID}); err != nil {
		return Source{}, err
	} else if len(ds) == 0 {
		fe.Add("dealer", MsgNotExist)
	}
	if err := fe.Err(); err != nil {
		return Source{}, err
	}

	cs, err := s.store.Channels(ctx)
	if err != nil {
		return Source{}, err
	}
	i := slices.IndexFunc(cs, func(c Channel) bool { return strings.EqualFold(c.Slug, spec.Channel) })
	var ch Channel
	if i >= 0 {
		ch = cs[i]
	} else {
		j := slices.IndexFunc(WellKnownChannels, func(c Channel) bool { return c.Slug == spec.Channel })
		if j < 0 {
			slugs := make([]string, 0, len(cs)+len(WellKnownChannels))
			for _, c := range append(slices.Clone(WellKnownChannels), cs...) {
				if !slices.Contains(slugs, c.Slug) {
					slugs = append(slugs, c.Slug)
				}
			}
			return Source{}, &Error{Code: Invalid, Message: fmt.Sprintf("no channel %q: one of %s", spec.Channel, strings.Join(slugs, ", ")),
				Fields: map[string]string{"channel": MsgInvalidChoice}}
		}
		if ch, err = s.CreateChannel(ctx, WellKnownChannels[j]); err != nil {
			return Source{}, err
		}
	}

	os, err := s.store.Origins(ctx)
	if err != nil {
		return Source{}, err
	}
	var o Origin
	if i := slices.IndexFunc(os, func(o Origin) bool { return strings.EqualFold(strings.TrimSpace(o.Name), spec.Origin) }); i >= 0 {
		o = os[i]
		if !slices.Contains(o.ChannelIDs, ch.ID) {
			if err := s.store.AddOriginChannel(ctx, o.ID, ch.ID); err != nil {
				return Source{}, err
			}
		}
	} else if o, err = s.CreateOrigin(ctx, Origin{Name: spec.Origin, ChannelIDs: []int64{ch.ID}}); err != nil {
		return Source{}, err
	}

	have, _, err := s.store.FindSources(ctx, []int64{spec.DealerID}, Query{Limit: -1})
	if err != nil {
		return Source{}, err
	}
	for _, src := range have {
		if src.ChannelID == ch.ID && src.OriginID == o.ID && src.Data == spec.Data {
			return Source{}, Errorf(Conflict, "dealer %d already has this source: %d", spec.DealerID, src.ID)
		}
	}
	return s.CreateSource(ctx, Source{DealerID: spec.DealerID, ChannelID: ch.ID, OriginID: o.ID, Data: spec.Data})
}

// SourcesOfDealers lists the sources of these dealers (every dealer's when
// none is given), in id order. An operator command.
func (s *Service) SourcesOfDealers(ctx context.Context, dealerIDs []int64) ([]Source, error) {
	if len(dealerIDs) == 0 {
		ds, err := s.store.AllDealers(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			dealerIDs = append(dealerIDs, d.ID)
		}
	}
	if len(dealerIDs) == 0 {
		return nil, nil
	}
	src, _, err := s.store.FindSources(ctx, DistinctIDs(dealerIDs), Query{Limit: -1})
	return src, err
}

// AllChannels lists every channel, for operators.
func (s *Service) AllChannels(ctx context.Context) ([]Channel, error) {
	return s.store.Channels(ctx)
}

// AllOrigins lists every origin, for operators.
func (s *Service) AllOrigins(ctx context.Context) ([]Origin, error) {
	return s.store.Origins(ctx)
}
