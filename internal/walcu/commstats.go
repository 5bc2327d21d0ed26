package walcu

import (
	"time"

	"forecourt/internal/core"
)

// The computed fields of a lead's client (client_number_of_calls,
// client_last_inbound_sms_date…) and of a client, derived when read from
// the core's communications: two queries per page of leads or clients
// (core.Service.ClientCommunications), so they are always current, whatever
// API logged, changed or deleted a communication. Only the fields the
// collection's computed block has are set.

// commNames words the kinds in the computed fields' names: the word of a
// date, and of a count ("" for none: a WhatsApp count is of sessions,
// which are not communications).
var commNames = map[core.CommKind]struct{ date, count string }{
	core.CommCall:     {"call", "calls"},
	core.CommSMS:      {"sms", "sms"},
	core.CommEmail:    {"email", "emails"},
	core.CommWhatsapp: {"whatsapp", ""},
}

// clientComms is what the communications of a page's clients come to,
// with their contacts (client_contacts, client_primary_contact…).
type clientComms struct {
	core.ClientCommunications
	users    map[int64]any
	contacts map[int64][]core.Contact // by client
	activity *core.ClientActivity     // on clients only: their leads, tasks, notes and appointments
	clients  map[int64]core.Client    // on leads: the clients whole (their Ext), for clientParts
}

// readClientComms reads the communications of the dealer's clients ids.
func readClientComms(r *request, ids []int64) (clientComms, error) {
	cc, err := r.svc.ClientCommunications(r.ctx, r.dealer.ID, ids)
	if err != nil {
		return clientComms{}, err
	}
	out := clientComms{ClientCommunications: cc, contacts: map[int64][]core.Contact{}}
	var users []int64
	for _, c := range cc.Latest {
		if c.UserID != nil {
			users = append(users, *c.UserID)
		}
	}
	if r.coll.name == "clients" { // a lead's are read with its page's context
		act, err := r.svc.ClientActivity(r.ctx, r.dealer.ID, ids)
		if err != nil {
			return clientComms{}, err
		}
		out.activity = &act
		for _, by := range act.AppointmentCreators {
			users = append(users, by...)
		}
	}
	if out.users, err = usersByID(r, core.DistinctIDs(users)); err != nil {
		return clientComms{}, err
	}
	cs, err := r.svc.ClientContacts(r.ctx, r.dealer.ID, ids)
	if err != nil {
		return clientComms{}, err
	}
	for _, c := range cs {
		out.contacts[c.ClientID] = append(out.contacts[c.ClientID], c)
	}
	if block := r.coll.doc.fields["computed"]; block != nil && block.fields["client_customs"] != nil {
		if out.clients, err = clientsByID(r, ids); err != nil {
			return clientComms{}, err
		}
	}
	return out, nil
}

// countFields and lastDateFields are the computed fields fill sets from its
// counts and its dates, with the count's or the date's key: named once,
// not for every lead.
var countFields, lastDateFields = func() (counts, dates []struct{ field, key string }) {
	for _, n := range []string{"communications", "calls", "sms", "exchanged_emails"} {
		counts = append(counts, struct{ field, key string }{"client_number_of_" + n, n})
		for _, dir := range []string{"inbound", "outbound"} {
			if n != "exchanged_emails" {
				counts = append(counts, struct{ field, key string }{"client_number_of_" + dir + "_" + n, dir + "_" + n})
			}
		}
	}
	counts = append(counts, struct{ field, key string }{"client_number_of_inbound_emails", "inbound_emails"},
		struct{ field, key string }{"client_number_of_outbound_emails", "outbound_emails"})
	for _, n := range []string{"communication", "call", "sms", "email", "whatsapp"} {
		for _, p := range []string{"", "inbound_", "outbound_"} {
			dates = append(dates, struct{ field, key string }{"client_last_" + p + n + "_date", p + n})
		}
	}
	return counts, dates
}()

// fill sets on computed the fields of client cl that the collection's
// computed block has.
func (cc clientComms) fill(coll *collection, computed doc, cl core.Client) {
	clientID := cl.ID
	block := coll.doc.fields["computed"]
	if block == nil {
		return
	}
	set := func(k string, v any) {
		if _, ok := block.fields[k]; ok {
			computed[k] = v
		}
	}
	counts := make(map[string]int, 16) // at most 13 counts and 15 dates: made at once, not grown
	dates := make(map[string]time.Time, 16)
	later := func(k string, t time.Time) {
		if t.After(dates[k]) {
			dates[k] = t
		}
	}
	for _, t := range cc.Tallies {
		if t.ClientID != clientID {
			continue
		}
		dir := string(t.Direction)
		counts["communications"] += t.Count
		counts[dir+"_communications"] += t.Count
		later("communication", t.Last)
		later(dir+"_communication", t.Last)
		if n, ok := commNames[t.Kind]; ok {
			later(n.date, t.Last)
			later(dir+"_"+n.date, t.Last)
			if n.count != "" {
				counts[n.count] += t.Count
				counts[dir+"_"+n.count] += t.Count
			}
		}
	}
	counts["exchanged_emails"] = counts["emails"]
	for _, n := range countFields {
		set(n.field, counts[n.key])
	}
	for _, n := range lastDateFields {
		var v any
		if t, ok := dates[n.key]; ok {
			v = formatValue(t)
		}
		set(n.field, v)
	}
	var dir, user any
	if c, ok := cc.Latest[clientID]; ok {
		dir = string(c.Direction)
		if c.UserID != nil {
			user = cc.users[*c.UserID]
		}
	}
	set("client_last_communication_direction", dir)
	set("client_last_communication_user", user)
	whole, ok := cc.clients[clientID]
	if !ok {
		whole = cl
	}
	address, business, customs := clientParts(whole)
	set("client_address", address)
	set("client_business_details", business)
	set("client_customs", customs)

	// the client's contact persons; its primary contact is the one marked
	// so, else the client itself
	names := []any{}
	var primary doc
	var elem *shape
	if f := block.fields["client_contacts"]; f != nil && f.kind == kArray {
		elem = f.elem
	}
	contacts := contactElems(elem, cc.contacts[clientID]) // the computed block shows the contact's own fields
	for i, c := range cc.contacts[clientID] {
		if c.Name != "" {
			names = append(names, c.Name)
		}
		if c.Primary && primary == nil {
			primary = contacts[i].(doc)
		}
	}
	if primary == nil {
		f, l := core.SplitName(cl.Name)
		primary = doc{"_id": cl.PublicID, "name": doc{"first_name": f, "last_name": l}, "phones": nonEmpty(cl.Phone),
			"emails": nonEmpty(cl.Email), "government_id": cl.GovID}
	}
	if cc.activity != nil {
		cc.fillActivity(computed, clientID)
	}
	durations, notes := []any{}, []any{}
	for _, c := range cc.Calls[clientID] {
		durations = append(durations, int64(c.Duration/time.Second))
		if c.Notes != "" {
			notes = append(notes, c.Notes)
		}
	}
	set("client_call_durations", durations)
	set("client_call_notes", notes)
	set("client_contacts", contacts)
	set("client_contacts_names", names)
	set("client_primary_contact", primary)
}

// nonEmpty is s as a list: empty when s is.
func nonEmpty(s string) []any {
	if s == "" {
		return []any{}
	}
	return []any{s}
}

// renderOne renders one client with its computed communications.
func (b *clientBackend) renderOne(r *request, c core.Client) (doc, error) {
	comms, err := readClientComms(r, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	d, err := b.render(r, c, comms.contacts[c.ID])
	if err != nil {
		return nil, err
	}
	comms.fill(b.coll, d["computed"].(doc), c)
	return d, nil
}

// clientLeadCounts counts the dealer's leads of each client ids by kind:
// one grouped read of them all (ClientLeadTallies).
func clientLeadCounts(r *request, ids []int64) (map[int64]map[core.LeadKind]int, error) {
	ts, err := r.svc.ClientLeadTallies(r.ctx, r.dealer.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]map[core.LeadKind]int, len(ts))
	for id, kinds := range ts {
		n := make(map[core.LeadKind]int, len(kinds))
		for _, t := range kinds {
			n[t.Kind] = t.Count
		}
		out[id] = n
	}
	return out, nil
}

// fillLeadCounts sets on computed the counts of client clientID's leads
// by kind, client_number_of_leads and client_number_of_<kind>_leads.
func fillLeadCounts(computed doc, n map[core.LeadKind]int) {
	computed["client_number_of_sale_leads"] = n[core.LeadSale]
	computed["client_number_of_aftersale_leads"] = n[core.LeadAftersale]
	computed["client_number_of_appraisal_leads"] = n[core.LeadAppraisal]
	computed["client_number_of_leads"] = n[core.LeadSale] + n[core.LeadAftersale] + n[core.LeadAppraisal]
}

// fillActivity sets on a client's computed what its leads come to: their
// counts and latest creation by kind, their tasks, notes and
// appointments.
func (cc clientComms) fillActivity(computed doc, clientID int64) {
	a := cc.activity
	n := map[core.LeadKind]int{}
	for _, k := range core.LeadKinds {
		computed["client_last_"+string(k)+"_lead_date"] = nil
	}
	for _, t := range a.Leads[clientID] {
		n[t.Kind] = t.Count
		computed["client_last_"+string(t.Kind)+"_lead_date"] = formatValue(t.Last)
	}
	fillLeadCounts(computed, n)
	computed["number_of_tasks"] = a.Tasks[clientID]
	computed["number_of_completed_tasks"] = a.DoneTasks[clientID]
	computed["number_of_uncompleted_tasks"] = a.Tasks[clientID] - a.DoneTasks[clientID]
	notes := []any{}
	for _, s := range a.Notes[clientID] {
		notes = append(notes, s)
	}
	computed["notes"] = notes
	computed["number_of_notes"] = a.NoteCount[clientID]
	computed["number_of_appointments"] = a.Appointments[clientID]
	creators := []any{}
	for _, id := range a.AppointmentCreators[clientID] {
		if u := cc.users[id]; u != nil {
			creators = append(creators, u)
		}
	}
	computed["appointments_created_by"] = creators
}
