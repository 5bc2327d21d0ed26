package core

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
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
	u, err := s.memberToManage(ctx, dealerID, userID, false)
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
	u, err := s.memberToManage(ctx, dealerID, userID, false)
	if err != nil {
		return false, err
	}
	return s.store.ActivateUser(ctx, u.ID, s.Now())
}

// memberToManage is user userID of dealer dealerID, when the principal
// may deactivate or activate him (DeactivateMember says who may); with
// self, the principal may reach himself too (UpdateMember says for what).
func (s *Service) memberToManage(ctx context.Context, dealerID, userID int64, self bool) (User, error) {
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
	case u.ID == p.UserID && self:
	case u.ID == p.UserID:
		return User{}, ErrDeactivateSelf
	case u.IsAdmin:
		return User{}, ErrDeactivateInstallationAdmin
	case slices.ContainsFunc(u.Memberships, func(m Membership) bool { return m.DealerID != dealerID }):
		return User{}, ErrMemberElsewhere
	}
	return u, nil
}

// MinPasswordLen is the fewest characters of a password UpdateMember sets
// (the most is MaxPasswordLen bytes, bcrypt's limit).
const MinPasswordLen = 8

// MsgTooShort is the field message of a value shorter than its field's
// least (a password under MinPasswordLen characters).
const MsgTooShort = "too_short"

// ErrChangeOwnRole refuses an administrator's change of his own role.
var ErrChangeOwnRole = &Error{Code: Forbidden, Message: "nobody may change his own role"}

// ErrIntegrationUser refuses a dealer's change of the role of an
// integration's user, which is an operator's to create and change.
var ErrIntegrationUser = &Error{Code: Forbidden, Message: "an integration's user is an operator's to change"}

// MemberRoles are the roles UpdateMember changes a user's between: an
// integration's user is an operator's.
var MemberRoles = []StaffRole{RoleAdvisor, RoleCallCentre}

// MemberChange is what UpdateMember changes of a user; a nil field is
// left as it is.
type MemberChange struct {
	FirstName *string    // required when given
	LastName  *string    // may be emptied
	Role      *StaffRole // one of MemberRoles
	// Password is his new password, of MinPasswordLen characters to
	// MaxPasswordLen bytes: every token of his is revoked and his sessions
	// end, so that a session opened with the old one dies with it.
	Password *string
	// CurrentPassword is the principal's own password, required to set
	// it anew: a session left open is not enough to take the account.
	CurrentPassword string
}

// MemberUpdate is what UpdateMember did.
type MemberUpdate struct {
	User     User      // the user as he is now
	Role     StaffRole // his role at the dealer now ("" when he has no place there)
	Sessions int       // the sessions the new password ended
}

// UserChange is what the store changes of a user in one transaction
// (Store.UpdateUser); a nil field is left as it is.
type UserChange struct {
	FirstName, LastName *string
	// PasswordHash replaces his password; every token of his is revoked
	// and his open sessions end, as EndUserSessions does.
	PasswordHash *string
	Staff        *Staff // where he works at Staff.DealerID, replacing what was stored
}

// UpdateMember changes user userID, a member of dealer dealerID, as ch
// says: his first and last names, his role at the dealer (between
// MemberRoles) and his password. Who may is who may deactivate him
// (DeactivateMember): another dealer and a user who is not a member of
// this one are NotFound; a user of another dealer too and the
// installation's administrator are Forbidden. The principal may change
// his own names and password (his current password given), not his own
// role (Forbidden); an integration's user's role is an operator's
// (Forbidden). A new password ends every session and token of the user.
// Bad values are Invalid with their fields, and a refusal changes nothing.
func (s *Service) UpdateMember(ctx context.Context, dealerID, userID int64, ch MemberChange) (MemberUpdate, error) {
	u, err := s.memberToManage(ctx, dealerID, userID, true)
	if err != nil {
		return MemberUpdate{}, err
	}
	p, _ := PrincipalFrom(ctx)
	self := u.ID == p.UserID
	o, err := s.store.Organisation(ctx, dealerID)
	if err != nil {
		return MemberUpdate{}, err
	}
	st, placed := o.StaffOf(u.ID)
	fe := FieldErrors{}
	var c UserChange
	if ch.FirstName != nil {
		v := strings.TrimSpace(*ch.FirstName)
		requiredText(fe, "first_name", v, MaxShortText)
		c.FirstName = &v
	}
	if ch.LastName != nil {
		v := strings.TrimSpace(*ch.LastName)
		checkLen(fe, "last_name", v, MaxShortText)
		c.LastName = &v
	}
	if ch.Role != nil && (!placed || st.Role != *ch.Role) {
		switch {
		case self:
			return MemberUpdate{}, ErrChangeOwnRole
		case placed && !slices.Contains(MemberRoles, st.Role):
			return MemberUpdate{}, ErrIntegrationUser
		case !slices.Contains(MemberRoles, *ch.Role):
			fe.Add("role", MsgInvalidChoice)
		}
		if !placed {
			st = Staff{UserID: u.ID, DealerID: dealerID, Active: true}
		}
		st.Role = *ch.Role
		c.Staff = &st
	}
	if ch.Password != nil {
		switch pw := *ch.Password; {
		case len(pw) > MaxPasswordLen:
			fe.Add("password", MsgTooLong)
		case !utf8.ValidString(pw) || strings.ContainsRune(pw, 0):
			fe.Add("password", MsgInvalid)
		case utf8.RuneCountInString(pw) < MinPasswordLen:
			fe.Add("password", MsgTooShort)
		}
		if self && (len(ch.CurrentPassword) > MaxPasswordLen ||
			bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(ch.CurrentPassword)) != nil) {
			fe.Add("current_password", MsgInvalid)
		}
	}
	if err := fe.Err(); err != nil {
		return MemberUpdate{}, err
	}
	if ch.Password != nil {
		hash, err := hashPassword(*ch.Password, s.passwordCost)
		if err != nil {
			return MemberUpdate{}, err
		}
		c.PasswordHash = &hash
	}
	out := MemberUpdate{Role: st.Role}
	if c.FirstName != nil || c.LastName != nil || c.PasswordHash != nil || c.Staff != nil {
		if out.Sessions, err = s.store.UpdateUser(ctx, u.ID, c, s.Now()); err != nil {
			return MemberUpdate{}, err
		}
	}
	if out.User, err = s.store.UserByID(ctx, u.ID); err != nil {
		return MemberUpdate{}, err
	}
	return out, nil
}
