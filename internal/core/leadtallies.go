package core

import "context"

// ClientLeadTallies counts the leads of each of the dealer's clients
// clientIDs (at most MaxQueryValues) by kind, with the creation of each
// kind's latest: what a page of leads shows of its clients' leads
// (ClientActivity's Leads, without the rest), in one read. A client
// without leads is left out; a dealer the principal may not see has none.
func (s *Service) ClientLeadTallies(ctx context.Context, dealerID int64, clientIDs []int64) (map[int64][]LeadTally, error) {
	ids, ok, err := derivedScope(ctx, dealerID, clientIDs, "client")
	if !ok || err != nil {
		return map[int64][]LeadTally{}, err
	}
	return s.store.ClientLeadTallies(ctx, dealerID, ids)
}
