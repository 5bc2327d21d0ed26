package core

import "context"

// EditClientContact changes a client's contact data (patch's Name, Phone
// and Email; its other fields are ignored) as UpdateClient does, which
// records the change in the history of each of the client's leads
// (docs/decisions.md, "A client's contact data edited on its own"). A
// patch that changes nothing writes nothing and records nothing.
func (s *Service) EditClientContact(ctx context.Context, id int64, patch ClientPatch) (Client, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	return s.UpdateClient(ctx, id, ClientPatch{Version: patch.Version, Name: patch.Name, Phone: patch.Phone, Email: patch.Email})
}
