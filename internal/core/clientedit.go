package core

import "context"

// EditClientContact changes a client's contact data (patch's Name, Phone
// and Email; its other fields are ignored) as UpdateClient does, and
// records the change in the history of each of the client's leads, in the
// same transaction: a lead_updated entry of the principal, through its
// API, whose changes are "client.name", "client.phone" and
// "client.email", as a change of the client through one of its leads
// records (docs/decisions.md, "A client's contact data edited on its
// own"). A patch that changes nothing writes nothing and records nothing.
func (s *Service) EditClientContact(ctx context.Context, id int64, patch ClientPatch) (Client, error) {
	return s.updateClient(ctx, id, ClientPatch{Version: patch.Version, Name: patch.Name, Phone: patch.Phone, Email: patch.Email}, true)
}

// clientContactChanges lists the changes of the contact data from old to c.
func clientContactChanges(old, c *Client) []Change {
	var cs changeSet
	cs.add("client.name", old.Name, c.Name)
	cs.add("client.phone", old.Phone, c.Phone)
	cs.add("client.email", old.Email, c.Email)
	return cs
}
