package core_test

import (
	"context"
	"log/slog"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

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
		svc := core.NewService(st, core.WithLogger(slog.New(slog.DiscardHandler)), core.WithPasswordCost(bcrypt.MinCost))
		dealer := func(name string) int64 {
			d, err := svc.CreateDealer(ctx, core.Dealer{Name: name, Country: "ES"})
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		a, b := dealer("Motor A"), dealer("Motor B")
		user := func(name string, installation bool, ms ...core.Membership) core.User {
			u, err := svc.CreateUser(ctx, core.User{Username: name, IsActive: true, IsAdmin: installation, Memberships: ms}, "pw")
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		admin := user("admin-a", false, core.Membership{DealerID: a, IsAdmin: true})
		advisor := user("asesor-a", false, core.Membership{DealerID: a})
		colleague := user("asesor-a2", false, core.Membership{DealerID: a})
		both := user("asesor-ab", false, core.Membership{DealerID: a}, core.Membership{DealerID: b})
		root := user("root", true, core.Membership{DealerID: a})
		otherAdmin := user("admin-b", false, core.Membership{DealerID: b, IsAdmin: true})
		ofB := user("asesor-b", false, core.Membership{DealerID: b})

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
