package walcu

import (
	"slices"

	"forecourt/internal/core"
)

// The computed fields of an SMS and a WhatsApp message (docs/walcu.md,
// "Every computed field"): answered, whether the client and the dealer
// exchanged a message of the kind the other way after it, from the
// core's communications of the page's clients (the same two grouped
// reads as a lead's client_* fields); user_emails (sms), the e-mails of
// the dealer's users the message names: its user (who sent or took it)
// and its users as written here, one read of the page's users.

// fillMessages sets answered and user_emails on the page ds of
// communications cs, those of the fields this collection's computed
// block has.
func (b *commBackend) fillMessages(r *request, cs []core.Communication, ds []doc) error {
	block := b.coll.doc.fields["computed"]
	if block == nil || len(cs) == 0 {
		return nil
	}
	if block.fields["answered"] != nil {
		var clients []int64
		for _, c := range cs {
			if c.ClientID != nil {
				clients = append(clients, *c.ClientID)
			}
		}
		cc, err := r.svc.ClientCommunications(r.ctx, r.dealer.ID, clients)
		if err != nil {
			return err
		}
		for i, c := range cs {
			ds[i]["computed"].(doc)["answered"] = answered(c, cc.Tallies)
		}
	}
	if block.fields["user_emails"] != nil {
		return b.fillUserEmails(r, cs, ds)
	}
	return nil
}

// answered reports whether, after c, the client had a communication of
// c's kind the other way that took place: for a message the dealer sent,
// the client's answer; for one the client sent, the dealer's.
func answered(c core.Communication, tallies []core.CommTally) bool {
	if c.ClientID == nil || c.Status == core.CommPlanned {
		return false
	}
	for _, t := range tallies {
		if t.ClientID == *c.ClientID && t.Kind == c.Kind && t.Direction != c.Direction && t.Last.After(c.StartAt) {
			return true
		}
	}
	return false
}

// fillUserEmails sets user_emails: the e-mails of the dealer's users that
// communication c names, its user first, then its users as written here
// (public ids; one of no user of the dealer is left out), each once.
func (b *commBackend) fillUserEmails(r *request, cs []core.Communication, ds []doc) error {
	var ids, publics []any
	for i, c := range cs {
		if c.UserID != nil {
			ids = append(ids, *c.UserID)
		}
		for _, u := range asList(ds[i]["users"]) {
			if s, ok := u.(string); ok && s != "" {
				publics = append(publics, s)
			}
		}
	}
	byID, byPublic := map[int64]core.User{}, map[string]core.User{}
	if len(ids)+len(publics) > 0 {
		var who []core.Cond
		if len(ids) > 0 {
			who = append(who, core.In("id", distinctAny(ids)...))
		}
		if len(publics) > 0 {
			who = append(who, core.In("public_id", distinctAny(publics)...))
		}
		us, _, err := r.svc.FindUsers(r.ctx, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID), core.Or(who...)), Limit: core.MaxQueryValues})
		if err != nil {
			return err
		}
		for _, u := range us {
			byID[u.ID], byPublic[u.PublicID] = u, u
		}
	}
	for i, c := range cs {
		emails := []any{}
		add := func(u core.User, ok bool) {
			if ok && u.Email != "" && !slices.Contains(emails, any(u.Email)) {
				emails = append(emails, u.Email)
			}
		}
		if c.UserID != nil {
			u, ok := byID[*c.UserID]
			add(u, ok)
		}
		for _, p := range asList(ds[i]["users"]) {
			s, _ := p.(string)
			u, ok := byPublic[s]
			add(u, ok)
		}
		ds[i]["computed"].(doc)["user_emails"] = emails
	}
	return nil
}

// distinctAny is vs without repeats, in their first order.
func distinctAny(vs []any) []any {
	var out []any
	for _, v := range vs {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
