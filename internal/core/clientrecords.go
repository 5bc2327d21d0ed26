package core

import "context"

// ClientRecords reads clients on their own, not through a lead; every
// Store is one.
type ClientRecords interface {
	// Client returns client id; NotFound when there is none.
	Client(ctx context.Context, id int64) (Client, error)
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
