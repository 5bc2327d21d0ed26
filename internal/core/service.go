package core

import (
	"context"
	"log/slog"
	"slices"
	"time"
)

// Dialer places click-to-call calls through a telephony bridge.
type Dialer interface {
	// Dial connects the dealer's phone (or the user's extension) with the
	// client and returns the bridge's id of the call.
	Dial(ctx context.Context, c Call) (int64, error)
}

// Call is what a Dialer needs to connect a user with a client.
type Call struct {
	LeadID        int64
	DealerPhone   string
	CallerID      string // the number the client sees (Dealer.CallerID)
	UserExtension string
	ClientPhone   string
}

// Observer is told of domain events, for metrics.
type Observer interface {
	LeadCreated(dealerID int64)
}

// Service holds the use cases every API shares. It is safe for concurrent
// use.
type Service struct {
	store    Store
	now      func() time.Time
	dialer   Dialer
	observer Observer
	log      *slog.Logger
	logins   loginLimiter
}

// Option configures a Service.
type Option func(*Service)

// WithClock makes the Service read time from now (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithDialer sets the telephony bridge used by Click2Call.
func WithDialer(d Dialer) Option { return func(s *Service) { s.dialer = d } }

// WithObserver sets the Observer told of domain events.
func WithObserver(o Observer) Option { return func(s *Service) { s.observer = o } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, log: slog.Default(),
		logins: loginLimiter{burst: loginBurst, every: loginRefill}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Store returns the store under the Service, for operator commands and
// health checks.
func (s *Service) Store() Store { return s.store }

// Now returns the current time as the Service records it: UTC, truncated to
// the microsecond both databases keep.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// visible returns the dealers of want that p may see; all of p's dealers
// when want is empty.
func visible(p Principal, want []int64) []int64 {
	if len(want) == 0 {
		return slices.Clone(p.DealerIDs)
	}
	out := make([]int64, 0, len(want))
	for _, id := range want {
		if p.CanSee(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// scope narrows want (all of them when empty) to the dealers of the
// principal in ctx; ok is false when none is left, and the list to answer
// is then empty.
func scope(ctx context.Context, want []int64) (ids []int64, ok bool, err error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, false, err
	}
	ids = visible(p, want)
	return ids, len(ids) > 0, nil
}

// FindDealers lists the dealers the principal belongs to.
func (s *Service) FindDealers(ctx context.Context, search string, page Page) ([]Dealer, int, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, 0, err
	}
	return s.store.FindDealers(ctx, DealerFilter{IDs: p.DealerIDs, Search: search, Page: page})
}

// FindSources lists the sources of the principal's dealers.
func (s *Service) FindSources(ctx context.Context, f SourceFilter) ([]Source, int, error) {
	ids, ok, err := scope(ctx, f.DealerIDs)
	if !ok {
		return nil, 0, err
	}
	f.DealerIDs = ids
	return s.store.FindSources(ctx, f)
}

// FindClients lists the clients of the principal's dealers.
func (s *Service) FindClients(ctx context.Context, f ClientFilter) ([]Client, int, error) {
	ids, ok, err := scope(ctx, f.DealerIDs)
	if !ok {
		return nil, 0, err
	}
	f.DealerIDs = ids
	return s.store.FindClients(ctx, f)
}

// FindUsers lists the users of the principal's dealers. f.DealerIDs narrows
// the list to members of those dealers.
func (s *Service) FindUsers(ctx context.Context, f UserFilter) ([]User, int, error) {
	ids, ok, err := scope(ctx, f.DealerIDs)
	if !ok {
		return nil, 0, err
	}
	f.DealerIDs = ids
	f.OnlineSince = s.Now().Add(-OnlineWindow)
	return s.store.FindUsers(ctx, f)
}

// GasTypes lists the fuels.
func (s *Service) GasTypes(ctx context.Context) ([]GasType, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, err
	}
	return s.store.GasTypes(ctx)
}

// FindProvinces lists provinces.
func (s *Service) FindProvinces(ctx context.Context, f ProvinceFilter) ([]Province, int, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, 0, err
	}
	return s.store.FindProvinces(ctx, f)
}

// FindLocalities lists localities.
func (s *Service) FindLocalities(ctx context.Context, f LocalityFilter) ([]Locality, int, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, 0, err
	}
	return s.store.FindLocalities(ctx, f)
}

// FindLead returns one lead of the principal's dealers. Another dealer's
// lead is NotFound, exactly like a lead that does not exist.
func (s *Service) FindLead(ctx context.Context, id int64) (Lead, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Lead{}, err
	}
	l, err := s.store.Lead(ctx, id)
	if err != nil {
		return Lead{}, err
	}
	if !p.CanSee(l.DealerID) {
		return Lead{}, errNotFound("lead")
	}
	return l, nil
}

// FindLeads lists leads of the principal's dealers; f.DealerIDs narrows the
// list.
func (s *Service) FindLeads(ctx context.Context, f LeadFilter) ([]Lead, int, error) {
	ids, ok, err := scope(ctx, f.DealerIDs)
	if !ok {
		return nil, 0, err
	}
	f.DealerIDs = ids
	for _, st := range f.Stages {
		if !st.Valid() {
			return nil, 0, &Error{Code: Invalid, Message: "invalid stage", Fields: map[string]string{"stage": MsgInvalidChoice}}
		}
	}
	for _, so := range f.Sort {
		if !slices.Contains(LeadSortFields, so.Field) {
			return nil, 0, &Error{Code: Invalid, Message: "invalid sort field", Fields: map[string]string{"sort": MsgInvalidChoice}}
		}
	}
	return s.store.FindLeads(ctx, f)
}

// LeadHistory lists a lead's history, oldest first, or newest first when
// newestFirst.
func (s *Service) LeadHistory(ctx context.Context, leadID int64, newestFirst bool, page Page) ([]History, int, error) {
	if _, err := s.FindLead(ctx, leadID); err != nil {
		return nil, 0, err
	}
	return s.store.LeadHistory(ctx, leadID, newestFirst, page)
}

// RefsQuery names the records an API needs to render a set of leads.
type RefsQuery struct {
	DealerIDs   []int64
	SourceIDs   []int64
	UserIDs     []int64
	GasIDs      []int64
	ProvinceIDs []int64
	LocalityIDs []int64
	// DealerDetails also loads each dealer's members and sources.
	DealerDetails bool
}

// Refs holds the records a RefsQuery asked for, by id.
type Refs struct {
	Dealers       map[int64]Dealer
	DealerUsers   map[int64][]User   // members by dealer, with DealerDetails
	DealerSources map[int64][]Source // sources by dealer, with DealerDetails
	Sources       map[int64]Source
	Origins       map[int64]Origin
	Channels      map[int64]Channel
	Users         map[int64]User
	GasTypes      map[int64]GasType
	Provinces     map[int64]Province
	Localities    map[int64]Locality
}

// Refs loads the records an API needs to render leads, clients, users and
// sources in full. Dealers the principal cannot see are left out.
func (s *Service) Refs(ctx context.Context, q RefsQuery) (Refs, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Refs{}, err
	}
	r := Refs{
		Dealers: map[int64]Dealer{}, DealerUsers: map[int64][]User{}, DealerSources: map[int64][]Source{},
		Sources: map[int64]Source{}, Origins: map[int64]Origin{}, Channels: map[int64]Channel{},
		Users: map[int64]User{}, GasTypes: map[int64]GasType{}, Provinces: map[int64]Province{}, Localities: map[int64]Locality{},
	}
	dealerIDs := visible(p, uniq(q.DealerIDs))
	if len(q.DealerIDs) > 0 && len(dealerIDs) > 0 {
		ds, err := s.store.DealersByID(ctx, dealerIDs)
		if err != nil {
			return Refs{}, err
		}
		for _, d := range ds {
			r.Dealers[d.ID] = d
		}
	}
	sourceIDs := uniq(q.SourceIDs)
	userIDs := uniq(q.UserIDs)
	if q.DealerDetails {
		for _, id := range dealerIDs {
			us, _, err := s.store.FindUsers(ctx, UserFilter{DealerIDs: []int64{id}, Page: All})
			if err != nil {
				return Refs{}, err
			}
			r.DealerUsers[id] = us
			for _, u := range us {
				r.Users[u.ID] = u
			}
			srcs, _, err := s.store.FindSources(ctx, SourceFilter{DealerIDs: []int64{id}, Page: All})
			if err != nil {
				return Refs{}, err
			}
			r.DealerSources[id] = srcs
			for _, src := range srcs {
				r.Sources[src.ID] = src
			}
		}
	}
	if ids := missing(sourceIDs, r.Sources); len(ids) > 0 {
		srcs, err := s.store.SourcesByID(ctx, ids)
		if err != nil {
			return Refs{}, err
		}
		for _, src := range srcs {
			r.Sources[src.ID] = src
		}
	}
	var originIDs []int64
	for _, src := range r.Sources {
		originIDs = append(originIDs, src.OriginID)
	}
	if originIDs = uniq(originIDs); len(originIDs) > 0 {
		os, err := s.store.OriginsByID(ctx, originIDs)
		if err != nil {
			return Refs{}, err
		}
		for _, o := range os {
			r.Origins[o.ID] = o
		}
	}
	if len(r.Sources) > 0 || len(r.Origins) > 0 {
		cs, err := s.store.Channels(ctx)
		if err != nil {
			return Refs{}, err
		}
		for _, c := range cs {
			r.Channels[c.ID] = c
		}
	}
	if ids := missing(userIDs, r.Users); len(ids) > 0 {
		us, err := s.store.UsersByID(ctx, ids)
		if err != nil {
			return Refs{}, err
		}
		for _, u := range us {
			r.Users[u.ID] = u
		}
	}
	if len(q.GasIDs) > 0 {
		gs, err := s.store.GasTypes(ctx)
		if err != nil {
			return Refs{}, err
		}
		for _, g := range gs {
			r.GasTypes[g.ID] = g
		}
	}
	if ids := uniq(q.ProvinceIDs); len(ids) > 0 {
		ps, err := s.store.ProvincesByID(ctx, ids)
		if err != nil {
			return Refs{}, err
		}
		for _, pr := range ps {
			r.Provinces[pr.ID] = pr
		}
	}
	if ids := uniq(q.LocalityIDs); len(ids) > 0 {
		ls, err := s.store.LocalitiesByID(ctx, ids)
		if err != nil {
			return Refs{}, err
		}
		for _, lo := range ls {
			r.Localities[lo.ID] = lo
		}
	}
	return r, nil
}

// RefsOfLeads returns the RefsQuery that renders ls in full.
func RefsOfLeads(ls []Lead) RefsQuery {
	var q RefsQuery
	for _, l := range ls {
		q.DealerIDs = append(q.DealerIDs, l.DealerID)
		q.SourceIDs = append(q.SourceIDs, l.SourceID)
		if l.UserID != nil {
			q.UserIDs = append(q.UserIDs, *l.UserID)
		}
		if l.Vehicle != nil && l.Vehicle.GasID != nil {
			q.GasIDs = append(q.GasIDs, *l.Vehicle.GasID)
		}
		if c := l.Client; c != nil {
			if c.ProvinceID != nil {
				q.ProvinceIDs = append(q.ProvinceIDs, *c.ProvinceID)
			}
			if c.LocalityID != nil {
				q.LocalityIDs = append(q.LocalityIDs, *c.LocalityID)
			}
		}
		for _, t := range l.Tasks {
			if t.AuthorID != nil {
				q.UserIDs = append(q.UserIDs, *t.AuthorID)
			}
			if t.Appraisal != nil && t.Appraisal.GasID != nil {
				q.GasIDs = append(q.GasIDs, *t.Appraisal.GasID)
			}
		}
	}
	q.DealerDetails = true
	return q
}

func uniq(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func missing[T any](ids []int64, have map[int64]T) []int64 {
	var out []int64
	for _, id := range ids {
		if _, ok := have[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}
