package core

import "context"

// ErrAssignForbidden is the answer to a change of a lead's assigned user by
// a principal the reassignment rule does not allow (see CanAssign); nothing
// is changed. Compare with errors.Is.
var ErrAssignForbidden = &Error{Code: Forbidden, Message: "only the lead's assignee, an administrator or business manager of its dealer, " +
	"the installation's administrator or an API key of its dealer may change its assigned user"}

// assigner is what the reassignment rule knows of a principal.
type assigner struct {
	p    Principal
	user *User // the principal's user; nil for an API key or without one
}

// assignerOf returns the assigner of p, reading p's user (from the store's
// cache of users) unless p is an API key.
func (s *Service) assignerOf(ctx context.Context, p Principal) (assigner, error) {
	a := assigner{p: p}
	if p.APIKeyID != 0 || p.UserID == 0 {
		return a, nil
	}
	us, err := s.store.UsersByID(ctx, []int64{p.UserID})
	if err != nil {
		return assigner{}, err
	}
	if len(us) == 1 {
		a.user = &us[0]
	}
	return a, nil
}

// may reports whether a may change l's assigned user: an API key of l's
// dealer; the installation's administrator; an administrator or business
// manager of l's dealer; l's current assignee. No one may for a lead of a
// dealer he cannot see.
func (a assigner) may(l Lead) bool {
	if !a.p.CanSee(l.DealerID) {
		return false
	}
	if a.p.APIKeyID != 0 {
		return true
	}
	if a.user == nil {
		return false
	}
	if a.user.IsAdmin || (l.UserID != nil && *l.UserID == a.user.ID) {
		return true
	}
	for _, m := range a.user.Memberships {
		if m.DealerID == l.DealerID && (m.IsAdmin || m.IsBusinessManager) {
			return true
		}
	}
	return false
}

// CanAssign reports whether the principal in ctx may change l's assigned
// user (see ErrAssignForbidden): an API key of l's dealer, the
// installation's administrator, an administrator or business manager of
// l's dealer, or l's current assignee. Every path that changes a lead's
// assigned user enforces it; an API shows it (SML's cur_user_can_assign).
// Creating a lead is free: its creator would be its default assignee and
// could reassign it at once.
func (s *Service) CanAssign(ctx context.Context, l Lead) bool {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return false
	}
	a, err := s.assignerOf(ctx, p)
	if err != nil {
		s.log.WarnContext(ctx, "can assign: the principal's user", "err", err)
		return false
	}
	return a.may(l)
}

// checkAssign refuses the change from old to l if it changes the assigned
// user and a may not.
func (a assigner) checkAssign(old, l *Lead) error {
	if sameID(old.UserID, l.UserID) || a.may(*old) {
		return nil
	}
	return ErrAssignForbidden
}
