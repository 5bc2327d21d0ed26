package core

import "context"

// Principal is who makes a request: a logged-in user or an API key. Every
// Service call is made on behalf of one, and sees only its dealers.
type Principal struct {
	UserID    int64 // 0 for an API key that acts as no user
	APIKeyID  int64
	Username  string
	DealerIDs []int64
	Token     string // the credential the request carried, for logout
	// Via is the API the request came through (WithVia), recorded in the
	// history entries the principal's changes write; "" when unknown.
	Via string
}

// CanSee reports whether the principal may read and change dealerID's data.
func (p Principal) CanSee(dealerID int64) bool {
	for _, id := range p.DealerIDs {
		if id == dealerID {
			return true
		}
	}
	return false
}

// UserRef returns the principal's user id as a pointer, nil for API keys
// that act as no user.
func (p Principal) UserRef() *int64 {
	if p.UserID == 0 {
		return nil
	}
	id := p.UserID
	return &id
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

func mustPrincipal(ctx context.Context) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return Principal{}, Errorf(Unauthorized, "authentication required")
	}
	return p, nil
}
