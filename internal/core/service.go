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
	tokens   tokenLifetime
	touches  sessionTouches
	// passwordCost is the bcrypt work factor of the hashes it stores.
	passwordCost int
}

// Option configures a Service.
type Option func(*Service)

// WithClock makes the Service read time from now (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithDialer sets the telephony bridge used by Click2Call.
func WithDialer(d Dialer) Option { return func(s *Service) { s.dialer = d } }

// WithObserver sets the Observer told of domain events.
func WithObserver(o Observer) Option { return func(s *Service) { s.observer = o } }

// WithPasswordCost sets the bcrypt work factor of the password hashes the
// Service stores (default 10, ~64 ms a hash here; bcrypt's minimum is 4).
// Tests that create many users lower it; a server never does.
func WithPasswordCost(cost int) Option { return func(s *Service) { s.passwordCost = cost } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, log: slog.Default(),
		logins: newLoginLimiter(), tokens: tokenLifetime{idle: DefaultTokenIdle, maxAge: DefaultTokenMaxAge},
		passwordCost: bcryptCost}
	for _, o := range opts {
		o(s)
	}
	return s
}

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

// GasTypes lists the fuels.
func (s *Service) GasTypes(ctx context.Context) ([]GasType, error) {
	if _, err := mustPrincipal(ctx); err != nil {
		return nil, err
	}
	return s.store.GasTypes(ctx)
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

// LeadHistory lists a lead's history, oldest first, or newest first when
// newestFirst.
func (s *Service) LeadHistory(ctx context.Context, leadID int64, newestFirst bool, page Page) ([]History, int, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, 0, err
	}
	// the store reads the entries of the lead only when it is one of the
	// principal's dealers', without loading the lead
	return s.store.LeadHistory(ctx, p.DealerIDs, leadID, newestFirst, page)
}

// DistinctIDs returns ids without repeats, in the order they first
// appear.
func DistinctIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
