package core_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// cast is two dealers with their users, all with one password: dealer
// a's administrator, two advisors, a user of both dealers, the
// installation's administrator (a member of a), b's administrator and an
// advisor of b.
type cast struct {
	svc                                                    *core.Service
	a, b                                                   int64
	user                                                   func(name string, installation bool, ms ...core.Membership) core.User
	admin, advisor, colleague, both, root, otherAdmin, ofB core.User
}

func newCast(t *testing.T, st *store.Store, password string) cast {
	t.Helper()
	ctx := context.Background()
	c := cast{svc: core.NewService(st, core.WithLogger(slog.New(slog.DiscardHandler)), core.WithPasswordCost(bcrypt.MinCost))}
	dealer := func(name string) int64 {
		d, err := c.svc.CreateDealer(ctx, core.Dealer{Name: name, Country: "ES"})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	c.user = func(name string, installation bool, ms ...core.Membership) core.User {
		u, err := c.svc.CreateUser(ctx, core.User{Username: name, FirstName: name, IsActive: true, IsAdmin: installation, Memberships: ms}, password)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a, b := dealer("Motor A"), dealer("Motor B")
	c.a, c.b = a, b
	c.admin = c.user("admin-a", false, core.Membership{DealerID: a, IsAdmin: true})
	c.advisor = c.user("asesor-a", false, core.Membership{DealerID: a})
	c.colleague = c.user("asesor-a2", false, core.Membership{DealerID: a})
	c.both = c.user("asesor-ab", false, core.Membership{DealerID: a}, core.Membership{DealerID: b})
	c.root = c.user("root", true, core.Membership{DealerID: a})
	c.otherAdmin = c.user("admin-b", false, core.Membership{DealerID: b, IsAdmin: true})
	c.ofB = c.user("asesor-b", false, core.Membership{DealerID: b})
	return c
}

// TestDeactivateMember: a dealer's administrator deactivates a user of his
// dealer alone (who then cannot log in, and whose token no longer works);
// he cannot reach a user of another dealer (NotFound), a user who works
// for another dealer too, the installation's administrator or himself
// (Forbidden), and an advisor cannot deactivate anyone. A refusal changes
// nothing. The administrator activates the user again, under the same
// rules.
func TestDeactivateMember(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newCast(t, st, "pw")
		svc, a, b := c.svc, c.a, c.b
		admin, advisor, colleague, both, root, otherAdmin, ofB := c.admin, c.advisor, c.colleague, c.both, c.root, c.otherAdmin, c.ofB

		token, _, err := svc.Login(ctx, "asesor-a", "pw")
		if err != nil {
			t.Fatal(err)
		}
		as := func(u core.User) context.Context {
			return core.WithPrincipal(ctx, core.Principal{UserID: u.ID, DealerIDs: u.DealerIDs()})
		}
		refused := []struct {
			name         string
			by           core.User
			dealer, user int64
			want         core.Code
		}{
			{"a user of another dealer", admin, a, ofB.ID, core.NotFound},
			{"another dealer's path", admin, b, ofB.ID, core.NotFound},
			{"a user who does not exist", admin, a, 1 << 40, core.NotFound},
			{"a user who works for another dealer too", admin, a, both.ID, core.Forbidden},
			{"the installation's administrator", admin, a, root.ID, core.Forbidden},
			{"himself", admin, a, admin.ID, core.Forbidden},
			{"by an advisor", colleague, a, advisor.ID, core.Forbidden},
			{"by another dealer's administrator", otherAdmin, a, advisor.ID, core.NotFound},
		}
		for _, c := range refused {
			if _, err := svc.DeactivateMember(as(c.by), c.dealer, c.user); core.ErrorCode(err) != c.want {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		us, err := svc.UsersOfDealers(ctx, []int64{a, b})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if !u.IsActive {
				t.Fatalf("a refusal deactivated %s", u.Username)
			}
		}
		if _, err := svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("after the refusals, the advisor's token: %v", err)
		}

		d, err := svc.DeactivateMember(as(admin), a, advisor.ID)
		if err != nil || d.Sessions != 1 {
			t.Fatalf("the administrator deactivates his advisor: %+v, %v (want 1 session ended)", d, err)
		}
		if _, err := svc.Authenticate(ctx, token); core.ErrorCode(err) != core.Unauthorized {
			t.Fatalf("the deactivated advisor's token: %v, want Unauthorized", err)
		}
		if _, _, err := svc.Login(ctx, "asesor-a", "pw"); err == nil {
			t.Fatal("the deactivated advisor logs in")
		}
		if _, err := svc.DeactivateMember(as(admin), a, advisor.ID); err != nil {
			t.Fatalf("deactivating him again: %v", err)
		}
		// and activates him again: he logs in (his old token stays revoked)
		if _, err := svc.ActivateMember(as(colleague), a, advisor.ID); core.ErrorCode(err) != core.Forbidden {
			t.Fatalf("an advisor activates another: %v, want Forbidden", err)
		}
		if _, err := svc.ActivateMember(as(otherAdmin), a, advisor.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's administrator activates him: %v, want NotFound", err)
		}
		if _, _, err := svc.Login(ctx, "asesor-a", "pw"); err == nil {
			t.Fatal("a refused activation activated him")
		}
		if was, err := svc.ActivateMember(as(admin), a, advisor.ID); err != nil || !was {
			t.Fatalf("the administrator activates him again: %v, %v", was, err)
		}
		if _, err := svc.Authenticate(ctx, token); core.ErrorCode(err) != core.Unauthorized {
			t.Fatalf("the reactivated advisor's old token: %v, want Unauthorized", err)
		}
		if _, _, err := svc.Login(ctx, "asesor-a", "pw"); err != nil {
			t.Fatalf("the reactivated advisor logs in: %v", err)
		}
		if was, err := svc.ActivateMember(as(admin), a, advisor.ID); err != nil || was {
			t.Fatalf("activating an active user: %v, %v (want false, nil)", was, err)
		}
		if _, err := svc.ActivateUser(ctx, 1<<40); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("the operator activates nobody: %v, want NotFound", err)
		}
		// the installation's administrator may, as the dealer's API key may
		key := core.WithPrincipal(ctx, core.Principal{APIKeyID: 1, DealerIDs: []int64{a}})
		if _, err := svc.DeactivateMember(key, a, colleague.ID); err != nil {
			t.Fatalf("the dealer's API key: %v", err)
		}
		if _, err := svc.DeactivateMember(as(root), b, otherAdmin.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("the installation's administrator on a dealer he is not a member of: %v, want NotFound", err)
		}
	})
}

// TestUpdateMember: a dealer's administrator changes the names, the role
// (advisor or call-centre agent) and the password of a user of his dealer
// alone; a new password ends every session and token of the user, and he
// logs in with it (not with the old one). Another dealer's user is
// NotFound; a user of another dealer too, the installation's
// administrator and an integration's user's role are Forbidden, as are
// his own role and an advisor's changes; bad values are Invalid. He
// changes his own names and password, the latter with his current one.
// A refusal changes nothing.
func TestUpdateMember(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newCast(t, st, "old-password")
		svc, a, b := c.svc, c.a, c.b
		admin, advisor, colleague, both, root, otherAdmin, ofB := c.admin, c.advisor, c.colleague, c.both, c.root, c.otherAdmin, c.ofB
		bot := c.user("bot-a", false, core.Membership{DealerID: a})
		for _, p := range []core.Staff{{UserID: advisor.ID, DealerID: a, Role: core.RoleAdvisor, Position: "V1", Active: true},
			{UserID: bot.ID, DealerID: a, Role: core.RoleIntegration, Active: true}} {
			if _, err := svc.PlaceStaff(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		as := func(u core.User) context.Context {
			return core.WithPrincipal(ctx, core.Principal{UserID: u.ID, DealerIDs: u.DealerIDs()})
		}
		str := func(v string) *string { return &v }
		role := func(r core.StaffRole) *core.StaffRole { return &r }
		token, _, err := svc.Login(ctx, "asesor-a", "old-password")
		if err != nil {
			t.Fatal(err)
		}

		refused := []struct {
			name         string
			by           core.User
			dealer, user int64
			ch           core.MemberChange
			want         core.Code
			field        string
		}{
			{"a user of another dealer", admin, a, ofB.ID, core.MemberChange{Password: str("new-password")}, core.NotFound, ""},
			{"another dealer's path", admin, b, ofB.ID, core.MemberChange{FirstName: str("X")}, core.NotFound, ""},
			{"by another dealer's administrator", otherAdmin, a, advisor.ID, core.MemberChange{Password: str("new-password")}, core.NotFound, ""},
			{"a user who works for another dealer too", admin, a, both.ID, core.MemberChange{Password: str("new-password")}, core.Forbidden, ""},
			{"the installation's administrator", admin, a, root.ID, core.MemberChange{Password: str("new-password")}, core.Forbidden, ""},
			{"by an advisor", colleague, a, advisor.ID, core.MemberChange{Password: str("new-password")}, core.Forbidden, ""},
			{"his own role", admin, a, admin.ID, core.MemberChange{Role: role(core.RoleCallCentre)}, core.Forbidden, ""},
			{"an integration's user's role", admin, a, bot.ID, core.MemberChange{Role: role(core.RoleAdvisor)}, core.Forbidden, ""},
			{"the integration role", admin, a, advisor.ID, core.MemberChange{Role: role(core.RoleIntegration)}, core.Invalid, "role"},
			{"an unknown role", admin, a, advisor.ID, core.MemberChange{Role: role("boss")}, core.Invalid, "role"},
			{"a password too short", admin, a, advisor.ID, core.MemberChange{Password: str("seven77")}, core.Invalid, "password"},
			{"a password over 72 bytes", admin, a, advisor.ID, core.MemberChange{Password: str(strings.Repeat("ñ", 37))}, core.Invalid, "password"},
			{"a password not UTF-8", admin, a, advisor.ID, core.MemberChange{Password: str("\xff\xfe-password")}, core.Invalid, "password"},
			{"no first name", admin, a, advisor.ID, core.MemberChange{FirstName: str("  "), Password: str("new-password")}, core.Invalid, "first_name"},
			{"a last name too long", admin, a, advisor.ID, core.MemberChange{LastName: str(strings.Repeat("x", core.MaxShortText+1))}, core.Invalid, "last_name"},
			{"his own password without the current one", admin, a, admin.ID, core.MemberChange{Password: str("new-password")}, core.Invalid, "current_password"},
			{"his own password with a wrong one", admin, a, admin.ID, core.MemberChange{Password: str("new-password"), CurrentPassword: "wrong-password"}, core.Invalid, "current_password"},
		}
		for _, c := range refused {
			_, err := svc.UpdateMember(as(c.by), c.dealer, c.user, c.ch)
			if core.ErrorCode(err) != c.want {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
			if ce := (*core.Error)(nil); c.field != "" && (!errors.As(err, &ce) || ce.Fields[c.field] == "") {
				t.Errorf("%s: %v, want a message on %s", c.name, err, c.field)
			}
		}
		for _, login := range []string{"asesor-a", "asesor-ab", "root", "admin-a", "asesor-b"} {
			if _, _, err := svc.Login(ctx, login, "old-password"); err != nil {
				t.Errorf("after the refusals, %s logs in with his old password: %v", login, err)
			}
			if _, _, err := svc.Login(ctx, login, "new-password"); err == nil {
				t.Errorf("a refusal set %s's password", login)
			}
		}
		o, err := svc.Organisation(as(admin), a)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := o.StaffOf(advisor.ID); p.Role != core.RoleAdvisor {
			t.Fatalf("after the refusals, the advisor's role: %q", p.Role)
		}
		if p, _ := o.StaffOf(bot.ID); p.Role != core.RoleIntegration {
			t.Fatalf("after the refusals, the integration's role: %q", p.Role)
		}
		if _, err := svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("after the refusals, the advisor's token: %v", err)
		}

		// names and role: his sessions go on
		got, err := svc.UpdateMember(as(admin), a, advisor.ID, core.MemberChange{FirstName: str(" Lucía "), LastName: str("Pardo"), Role: role(core.RoleCallCentre)})
		if err != nil || got.User.FirstName != "Lucía" || got.User.LastName != "Pardo" || got.Role != core.RoleCallCentre || got.Sessions != 0 {
			t.Fatalf("names and role: %+v, %v", got, err)
		}
		o, err = svc.Organisation(as(admin), a)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := o.StaffOf(advisor.ID); p.Role != core.RoleCallCentre || p.Position != "V1" || !p.Active {
			t.Fatalf("the changed place: %+v (want call_centre, the position kept)", p)
		}
		if _, err := svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("after a change of names and role, his token: %v", err)
		}
		// a user with no place at the dealer gets one
		if got, err := svc.UpdateMember(as(admin), a, colleague.ID, core.MemberChange{Role: role(core.RoleAdvisor)}); err != nil || got.Role != core.RoleAdvisor {
			t.Fatalf("a role for a user with no place: %+v, %v", got, err)
		}

		// a new password: his token and sessions end, the new one logs in
		got, err = svc.UpdateMember(as(admin), a, advisor.ID, core.MemberChange{Password: str("new-password")})
		if err != nil || got.Sessions != 2 {
			t.Fatalf("a new password: %+v, %v (want 2 sessions ended: the token's and the login after the refusals)", got, err)
		}
		if _, err := svc.Authenticate(ctx, token); core.ErrorCode(err) != core.Unauthorized {
			t.Fatalf("the old token after a new password: %v, want Unauthorized", err)
		}
		if _, _, err := svc.Login(ctx, "asesor-a", "old-password"); err == nil {
			t.Fatal("the old password logs in")
		}
		if _, _, err := svc.Login(ctx, "asesor-a", "new-password"); err != nil {
			t.Fatalf("the new password: %v", err)
		}
		// the dealer's API key may, as it may deactivate
		key := core.WithPrincipal(ctx, core.Principal{APIKeyID: 1, DealerIDs: []int64{a}})
		if _, err := svc.UpdateMember(key, a, advisor.ID, core.MemberChange{LastName: str("")}); err != nil {
			t.Fatalf("the dealer's API key: %v", err)
		}

		// his own names and password, with his current one
		if got, err := svc.UpdateMember(as(admin), a, admin.ID, core.MemberChange{FirstName: str("Ana")}); err != nil || got.User.FirstName != "Ana" {
			t.Fatalf("his own name: %+v, %v", got, err)
		}
		if _, err := svc.UpdateMember(as(admin), a, admin.ID, core.MemberChange{Password: str("new-password"), CurrentPassword: "old-password"}); err != nil {
			t.Fatalf("his own password: %v", err)
		}
		if _, _, err := svc.Login(ctx, "admin-a", "new-password"); err != nil {
			t.Fatalf("his own new password: %v", err)
		}
	})
}
