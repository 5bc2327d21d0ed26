package core

import (
	"context"
	"time"
)

// CommTally counts a client's communications of one kind and direction
// that took place (held or not answered: a planned one has not happened
// yet), with the start of the latest.
type CommTally struct {
	ClientID  int64
	Kind      CommKind
	Direction CommDirection
	Count     int
	Last      time.Time
}

// ClientCommunications is what the communications of a page of clients
// come to, read in three queries whatever the page's size: their tallies,
// each client's latest communication that took place, and its calls.
type ClientCommunications struct {
	Tallies []CommTally
	Latest  map[int64]Communication // by client id
	// Calls are each client's calls that took place, oldest first, its
	// latest MaxClientCalls (by client id).
	Calls map[int64][]ClientCall
}

// ClientCommunications sums up the communications of dealer dealerID
// with the clients clientIDs (at most MaxQueryValues); a dealer the
// principal may not see has none.
func (s *Service) ClientCommunications(ctx context.Context, dealerID int64, clientIDs []int64) (ClientCommunications, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return ClientCommunications{}, err
	}
	clientIDs = DistinctIDs(clientIDs)
	if !p.CanSee(dealerID) || len(clientIDs) == 0 {
		return ClientCommunications{Latest: map[int64]Communication{}, Calls: map[int64][]ClientCall{}}, nil
	}
	if len(clientIDs) > MaxQueryValues {
		return ClientCommunications{}, &Error{Code: Invalid, Message: "too many clients", Fields: map[string]string{"client": MsgTooMany}}
	}
	return s.store.ClientCommunications(ctx, dealerID, clientIDs)
}
