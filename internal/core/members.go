package core

import (
	"context"
	"slices"
)

// A dealer's administrator manages its team: he registers users
// (RegisterUser), deactivates them and activates them again here,
// without an operator. What he
// may do is bounded by his dealer: a user who also works for another
// dealer, the installation's administrator and himself are an operator's
// to deactivate (docs/decisions.md, "A dealer's administrator deactivates
// his users").

// ErrMemberElsewhere refuses a deactivation that would reach beyond the
// dealer: the user works for another dealer too.
var ErrMemberElsewhere = &Error{Code: Forbidden, Message: "the user works for another dealer too: only an operator may deactivate or activate him"}

// ErrDeactivateSelf refuses an administrator's deactivation of himself,
// which would leave him locked out by his own hand.
var ErrDeactivateSelf = &Error{Code: Forbidden, Message: "nobody may deactivate or activate himself"}

// ErrDeactivateInstallationAdmin refuses a dealer's deactivation of the
// installation's administrator.
var ErrDeactivateInstallationAdmin = &Error{Code: Forbidden, Message: "the installation's administrator is an operator's to deactivate or activate"}

// DeactivateMember deactivates user userID, a member of dealer dealerID,
// as DeactivateUser does (no login, his tokens revoked, his sessions
// ended, his API keys acting as no user), for one of the dealer's
// administrators (or the dealer's API key, or the installation's
// administrator). Another dealer and a user who is not a member of this
// one are NotFound; a user who is a member of another dealer too, the
// installation's administrator and the principal himself are Forbidden.
// Deactivating an inactive member ends what is left of his sessions and
// changes nothing else.
func (s *Service) DeactivateMember(ctx context.Context, dealerID, userID int64) (Deactivation, error) {
	u, err := s.memberToManage(ctx, dealerID, userID)
	if err != nil {
		return Deactivation{}, err
	}
	return s.deactivate(ctx, u.ID)
}

// ActivateMember makes deactivated user userID, a member of dealer
// dealerID, active again, as ActivateUser does, for whoever
// DeactivateMember allows to deactivate him; it reports whether he was
// inactive.
func (s *Service) ActivateMember(ctx context.Context, dealerID, userID int64) (bool, error) {
	u, err := s.memberToManage(ctx, dealerID, userID)
	if err != nil {
		return false, err
	}
	return s.store.ActivateUser(ctx, u.ID, s.Now())
}

// memberToManage is user userID of dealer dealerID, when the principal
// may deactivate or activate him (DeactivateMember says who may).
func (s *Service) memberToManage(ctx context.Context, dealerID, userID int64) (User, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return User{}, err
	}
	if !p.CanSee(dealerID) {
		return User{}, errNotFound("dealer")
	}
	if err := s.mayAdminister(ctx, p, dealerID); err != nil {
		return User{}, err
	}
	us, err := s.store.UsersByID(ctx, []int64{userID})
	if err != nil {
		return User{}, err
	}
	if len(us) != 1 || !us[0].hasDealer(dealerID) {
		return User{}, errNotFound("user")
	}
	u := us[0]
	switch {
	case u.ID == p.UserID:
		return User{}, ErrDeactivateSelf
	case u.IsAdmin:
		return User{}, ErrDeactivateInstallationAdmin
	case slices.ContainsFunc(u.Memberships, func(m Membership) bool { return m.DealerID != dealerID }):
		return User{}, ErrMemberElsewhere
	}
	return u, nil
}
