package core

import (
	"context"
	"slices"
)

// Lookups by id, for an API to render what a record refers to (a lead's
// dealer, source, user, fuel, province…). Each answers the records it finds
// in id order and leaves out ids that do not exist or that the principal may
// not see; none is an error. The store serves them from its cache of
// reference data, so rendering a page of leads costs no query per lead.

// DealersByID returns the dealers with these ids that the principal belongs
// to.
func (s *Service) DealersByID(ctx context.Context, ids []int64) ([]Dealer, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	ids = visible(p, DistinctIDs(ids))
	if len(ids) == 0 {
		return nil, nil
	}
	return s.store.DealersByID(ctx, ids)
}

// DealerMembers lists the users of one of the principal's dealers, in id
// order; another dealer is NotFound.
func (s *Service) DealerMembers(ctx context.Context, dealerID int64) ([]User, error) {
	if err := s.seeDealer(ctx, dealerID); err != nil {
		return nil, err
	}
	us, _, err := s.store.FindUsers(ctx, []int64{dealerID}, Query{Limit: -1})
	return us, err
}

// DealerSources lists the sources of one of the principal's dealers, in id
// order; another dealer is NotFound.
func (s *Service) DealerSources(ctx context.Context, dealerID int64) ([]Source, error) {
	if err := s.seeDealer(ctx, dealerID); err != nil {
		return nil, err
	}
	srcs, _, err := s.store.FindSources(ctx, []int64{dealerID}, Query{Limit: -1})
	return srcs, err
}

func (s *Service) seeDealer(ctx context.Context, dealerID int64) error {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return err
	}
	if !p.CanSee(dealerID) {
		return errNotFound("dealer")
	}
	return nil
}

// SourcesByID returns the sources with these ids of the principal's
// dealers.
func (s *Service) SourcesByID(ctx context.Context, ids []int64) ([]Source, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if ids = DistinctIDs(ids); len(ids) == 0 {
		return nil, nil
	}
	srcs, err := s.store.SourcesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(srcs), func(src Source) bool { return !p.CanSee(src.DealerID) }), nil
}

// UsersByID returns the users with these ids who share a dealer with the
// principal, and the principal himself.
func (s *Service) UsersByID(ctx context.Context, ids []int64) ([]User, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if ids = DistinctIDs(ids); len(ids) == 0 {
		return nil, nil
	}
	us, err := s.store.UsersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(us), func(u User) bool {
		return u.ID != p.UserID && !slices.ContainsFunc(u.Memberships, func(m Membership) bool { return p.CanSee(m.DealerID) })
	}), nil
}

// OriginsByID returns the origins with these ids. Origins (portals, web
// sites) are shared by every dealer.
func (s *Service) OriginsByID(ctx context.Context, ids []int64) ([]Origin, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, err
	}
	if ids = DistinctIDs(ids); len(ids) == 0 {
		return nil, nil
	}
	return s.store.OriginsByID(ctx, ids)
}

// Channels lists every channel.
func (s *Service) Channels(ctx context.Context) ([]Channel, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, err
	}
	return s.store.Channels(ctx)
}

// ProvincesByID returns the provinces with these ids.
func (s *Service) ProvincesByID(ctx context.Context, ids []int64) ([]Province, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, err
	}
	if ids = DistinctIDs(ids); len(ids) == 0 {
		return nil, nil
	}
	return s.store.ProvincesByID(ctx, ids)
}

// LocalitiesByID returns the localities with these ids.
func (s *Service) LocalitiesByID(ctx context.Context, ids []int64) ([]Locality, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, err
	}
	if ids = DistinctIDs(ids); len(ids) == 0 {
		return nil, nil
	}
	return s.store.LocalitiesByID(ctx, ids)
}
