package store_test

import (
	"context"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestUpdateUser: UpdateUser changes a user's names at once for the
// store's cached readers, and with a new password ends his sessions (his
// tokens resolve no more; another user's do) and places him anew, in one
// transaction: a refused place changes nothing. An unknown user is
// NotFound.
func TestUpdateUser(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := testkit.NewFixture(t, s, "a"), testkit.NewFixture(t, s, "b")
		at := testkit.Now.Add(time.Minute)
		for _, sess := range []struct {
			user int64
			hash string
		}{{a.User.ID, "a1"}, {a.User.ID, "a2"}, {b.User.ID, "b1"}} {
			_, err := s.StartSession(ctx, sess.user, sess.hash, testkit.Now)
			check(t, err, "start "+sess.hash)
			_, err = s.Credential(ctx, sess.hash) // cached now
			check(t, err, "credential "+sess.hash)
		}
		_, err := s.UsersByID(ctx, []int64{a.User.ID})
		check(t, err, "cache a")
		_, err = s.Organisation(ctx, a.Dealer.ID)
		check(t, err, "cache a's organisation")
		str := func(v string) *string { return &v }

		_, err = s.UpdateUser(ctx, 1<<40, core.UserChange{FirstName: str("X")}, at)
		wantCode(t, err, core.NotFound, "an unknown user")

		n, err := s.UpdateUser(ctx, a.User.ID, core.UserChange{FirstName: str("Lucía"), LastName: str("")}, at)
		check(t, err, "names")
		us, err := s.UsersByID(ctx, []int64{a.User.ID})
		check(t, err, "a")
		if n != 0 || us[0].FirstName != "Lucía" || us[0].LastName != "" {
			t.Fatalf("after a change of names: %d sessions ended, %q %q", n, us[0].FirstName, us[0].LastName)
		}
		if _, err := s.Credential(ctx, "a1"); err != nil {
			t.Fatalf("his token after a change of names: %v", err)
		}

		// another user's place: refused, nothing changed
		_, err = s.UpdateUser(ctx, a.User.ID, core.UserChange{FirstName: str("Otra"), PasswordHash: str("h2"),
			Staff: &core.Staff{UserID: b.User.ID, DealerID: a.Dealer.ID, Role: core.RoleAdvisor}}, at)
		if err == nil {
			t.Fatal("another user's place accepted")
		}
		if u, err := s.UserByID(ctx, a.User.ID); err != nil || u.FirstName != "Lucía" || u.PasswordHash == "h2" {
			t.Fatalf("a refused change changed the user: %+v, %v", u, err)
		}
		if _, err := s.Credential(ctx, "a1"); err != nil {
			t.Fatalf("his token after a refused change: %v", err)
		}

		n, err = s.UpdateUser(ctx, a.User.ID, core.UserChange{PasswordHash: str("h2"),
			Staff: &core.Staff{UserID: a.User.ID, DealerID: a.Dealer.ID, Role: core.RoleCallCentre, Active: true}}, at)
		check(t, err, "password and place")
		if n != 2 {
			t.Errorf("a new password ended %d sessions, want his 2", n)
		}
		for _, h := range []string{"a1", "a2"} {
			if _, err := s.Credential(ctx, h); core.ErrorCode(err) != core.NotFound {
				t.Errorf("token %s after a new password: %v", h, err)
			}
		}
		if _, err := s.Credential(ctx, "b1"); err != nil {
			t.Errorf("another user's token: %v", err)
		}
		if u, err := s.UserByID(ctx, a.User.ID); err != nil || u.PasswordHash != "h2" || u.FirstName != "Lucía" {
			t.Errorf("after a new password: %+v, %v", u, err)
		}
		o, err := s.Organisation(ctx, a.Dealer.ID)
		check(t, err, "organisation")
		if p, ok := o.StaffOf(a.User.ID); !ok || p.Role != core.RoleCallCentre {
			t.Errorf("his place: %+v, %v", p, ok)
		}
	})
}

// TestPasswordNotifiedAcrossServers: over PostgreSQL, a new password set
// through one server's store makes the other forget the user's tokens.
func TestPasswordNotifiedAcrossServers(t *testing.T) {
	a, b, _ := twoServers(t)
	ctx := context.Background()
	f := testkit.NewFixture(t, a, "a")
	_, err := a.StartSession(ctx, f.User.ID, "t1", testkit.Now)
	check(t, err, "start")
	_, err = b.Credential(ctx, "t1")
	check(t, err, "remembered")
	hash := "h2"
	_, err = a.UpdateUser(ctx, f.User.ID, core.UserChange{PasswordHash: &hash}, testkit.Now.Add(time.Minute))
	check(t, err, "new password")
	waitNotified(t, "the token of a user whose password changed on the other server", func() bool {
		_, err := b.Credential(ctx, "t1")
		return core.ErrorCode(err) == core.NotFound
	})
}
