package core

import (
	"context"
	"strconv"
	"strings"
	"unicode"
)

// One client per person: a lead that arrives with a client without an id
// attaches to the dealer's stored client that has the same government id,
// else the same phone (in E.164), else the same e-mail (case aside),
// instead of creating a second client; the values it brings fill the
// stored client's empty fields, and those that differ from what is stored
// are kept in the lead's history (KindClientMatched), not lost. Clients of
// different dealers never match. See docs/decisions.md, "One client per
// person". The store applies these functions inside the write that stores
// the lead, so that two leads of one new person arriving together make one
// client.

// The keys a client is matched by, in the order they decide.
const (
	MatchGovID = "gov_id"
	MatchPhone = "phone"
	MatchEmail = "email"
)

// MaxGovID bounds a government id.
const MaxGovID = 32

// NormaliseGovID returns a government id as it is compared: its letters
// and digits alone, upper-cased ("12.345.678-z" is "12345678Z").
func NormaliseGovID(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToUpper(r)
		}
		return -1
	}, id)
}

// ClientKeys returns the keys c is matched by: its normalised government
// id, its phone in E.164 and its e-mail lower-cased; "" for those it has
// not.
func ClientKeys(c Client) (govID, phone, email string) {
	return NormaliseGovID(c.GovID), c.PhoneE164, strings.ToLower(strings.TrimSpace(c.Email))
}

// MatchClient returns the client of candidates (the dealer's clients that
// share a key with offered) that offered is, and the key it matched by:
// the government id decides first, then the phone, then the e-mail; among
// clients sharing the deciding key, the oldest (lowest id). ok is false
// when none matches.
func MatchClient(offered Client, candidates []Client) (match Client, by string, ok bool) {
	gov, phone, email := ClientKeys(offered)
	for _, key := range []struct{ name, v string }{{MatchGovID, gov}, {MatchPhone, phone}, {MatchEmail, email}} {
		if key.v == "" {
			continue
		}
		for _, c := range candidates {
			g, p, e := ClientKeys(c)
			if c.DealerID != offered.DealerID && offered.DealerID != 0 {
				continue
			}
			if (key.name == MatchGovID && g == key.v) || (key.name == MatchPhone && p == key.v) || (key.name == MatchEmail && e == key.v) {
				if !ok || c.ID < match.ID {
					match, by, ok = c, key.name, true
				}
			}
		}
		if ok {
			return match, by, true
		}
	}
	return Client{}, "", false
}

// MergeClient returns stored with its empty fields filled by offered's,
// and the changes that records for the lead's history: the client matched
// and by what, then each value offered that differs from a stored one (Old
// the stored value, New the offered one, which was not taken).
func MergeClient(stored, offered Client, by string) (Client, []Change) {
	changes := []Change{{Field: "client", New: strconv.FormatInt(stored.ID, 10)}, {Field: "client.matched_by", New: by}}
	merge := func(field string, dst *string, v string, same func(a, b string) bool) {
		switch {
		case v == "":
		case *dst == "":
			*dst = v
		case !same(*dst, v):
			changes = append(changes, Change{Field: "client." + field, Old: *dst, New: v})
		}
	}
	exact := func(a, b string) bool { return a == b }
	fold := func(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }
	merge("name", &stored.Name, offered.Name, fold)
	switch {
	case offered.Phone == "":
	case stored.Phone == "":
		stored.Phone, stored.PhoneE164 = offered.Phone, offered.PhoneE164
	case stored.Phone != offered.Phone && (stored.PhoneE164 == "" || stored.PhoneE164 != offered.PhoneE164):
		changes = append(changes, Change{Field: "client.phone", Old: stored.Phone, New: offered.Phone})
	}
	merge("email", &stored.Email, offered.Email, fold)
	merge("gov_id", &stored.GovID, NormaliseGovID(offered.GovID), exact)
	merge("business_name", &stored.BusinessName, offered.BusinessName, fold)
	merge("address", &stored.Address, offered.Address, fold)
	// The province and locality go together: taken when the stored client
	// has neither, the locality alone when it refines the same province.
	idChange := func(field string, old, v *int64) {
		if v != nil && !sameID(old, v) {
			o := ""
			if old != nil {
				o = strconv.FormatInt(*old, 10)
			}
			changes = append(changes, Change{Field: "client." + field, Old: o, New: strconv.FormatInt(*v, 10)})
		}
	}
	switch {
	case offered.ProvinceID == nil && offered.LocalityID == nil:
	case stored.ProvinceID == nil && stored.LocalityID == nil:
		stored.ProvinceID, stored.LocalityID = offered.ProvinceID, offered.LocalityID
	case stored.LocalityID == nil && offered.LocalityID != nil && sameID(stored.ProvinceID, offered.ProvinceID):
		stored.LocalityID = offered.LocalityID
	default:
		idChange("province", stored.ProvinceID, offered.ProvinceID)
		idChange("locality", stored.LocalityID, offered.LocalityID)
	}
	return stored, changes
}

// sameClientFields reports whether a and b hold the same values (ids and
// times aside).
func sameClientFields(a, b *Client) bool {
	return a.Name == b.Name && a.Phone == b.Phone && a.Email == b.Email && sameID(a.ProvinceID, b.ProvinceID) &&
		sameID(a.LocalityID, b.LocalityID) && a.GovID == b.GovID && a.BusinessName == b.BusinessName && a.Address == b.Address
}

// MergeClients merges client drop into client keep, both of dealerID: the
// leads (and appointments) of drop become keep's, keep's empty fields take
// drop's values, drop is deleted, and every lead of both records the merge
// in its history (KindClientMerged), with drop's values that differed
// from keep's and were not taken. It is an operator command: no
// principal is needed.
func (s *Service) MergeClients(ctx context.Context, dealerID, keep, drop int64) (Client, error) {
	if keep == drop {
		return Client{}, &Error{Code: Invalid, Message: "a client cannot be merged into itself", Fields: map[string]string{"drop": MsgInvalid}}
	}
	now := s.Now()
	return s.store.MergeClients(ctx, dealerID, keep, drop, func(k, d Client) (Client, []Change) {
		merged, changes := MergeClient(k, d, "")
		merged.UpdatedAt = now
		// the client merged, then drop's values that differed from keep's
		return merged, append([]Change{{Field: "client", Old: strconv.FormatInt(d.ID, 10), New: strconv.FormatInt(k.ID, 10)}}, changes[2:]...)
	}, now)
}
