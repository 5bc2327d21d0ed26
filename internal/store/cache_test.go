package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestReferenceCacheSeesOwnWrites checks that what the store serves from its
// reference cache is invalidated by the store's own writes.
func TestReferenceCacheSeesOwnWrites(t *testing.T) {
	ctx := context.Background()
	s := testkit.OpenStore(t)
	d := core.Dealer{Name: "A", Country: "ES", TimeZone: "Europe/Madrid", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := s.CreateDealer(ctx, &d); err != nil {
		t.Fatal(err)
	}
	ch := core.Channel{Slug: "phone", Name: "Teléfono"}
	if err := s.CreateChannel(ctx, &ch); err != nil {
		t.Fatal(err)
	}
	o := core.Origin{Name: "web"}
	if err := s.CreateOrigin(ctx, &o); err != nil {
		t.Fatal(err)
	}
	all := testkit.List(core.SourceSchema, core.All)
	if got, _, err := s.FindSources(ctx, []int64{d.ID}, all); err != nil || len(got) != 0 {
		t.Fatalf("sources = %v, %v", got, err)
	}
	src := core.Source{DealerID: d.ID, ChannelID: ch.ID, OriginID: o.ID, Data: "x"}
	if err := s.CreateSource(ctx, &src); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.FindSources(ctx, []int64{d.ID}, all); err != nil || len(got) != 1 {
		t.Errorf("after CreateSource: sources = %v, %v", got, err)
	}

	d.Name = "B"
	if ds, _ := s.DealersByID(ctx, []int64{d.ID}); len(ds) != 1 || ds[0].Name != "A" {
		t.Fatalf("dealers = %+v", ds)
	}
	if err := s.UpdateDealer(ctx, &d); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.DealersByID(ctx, []int64{d.ID}); len(ds) != 1 || ds[0].Name != "B" {
		t.Errorf("after UpdateDealer: dealers = %+v", ds)
	}

	u := core.User{Username: "u", IsActive: true, Memberships: []core.Membership{{DealerID: d.ID}}, CreatedAt: d.CreatedAt}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	members := testkit.List(core.UserSchema, core.All)
	if us, _, _ := s.FindUsers(ctx, []int64{d.ID}, members); len(us) != 1 || us[0].Session != nil {
		t.Fatalf("members = %+v", us)
	}
	if _, err := s.StartSession(ctx, u.ID, "hash", d.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if us, _ := s.UsersByID(ctx, []int64{u.ID}); len(us) != 1 || us[0].Session == nil {
		t.Errorf("after StartSession: user = %+v", us)
	}
	if us, _, _ := s.FindUsers(ctx, []int64{d.ID}, members); len(us) != 1 || us[0].Session == nil {
		t.Errorf("after StartSession: members = %+v", us)
	}
}

// TestCacheKeepsNoReadFromBeforeAWrite: a cached read that reads the
// database before a write and would cache what it read after the write
// (the write lands in between, here from OnCacheLoad) does not put the old
// value back: the next read sees the write.
func TestCacheKeepsNoReadFromBeforeAWrite(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		// race reads with read, which must find nothing cached, landing
		// write between its database read and its caching, then reads
		// again.
		race := func(what string, read func() string, write func() error) {
			t.Helper()
			landed := false
			store.OnCacheLoad(s, func() {
				if !landed {
					landed = true
					check(t, write(), what+": write")
				}
			})
			before := read()
			store.OnCacheLoad(s, nil)
			if !landed {
				t.Fatalf("%s: the read did not read the database", what)
			}
			if after := read(); after == before {
				t.Errorf("%s: after the write, still %q from the read that began before it", what, after)
			}
		}
		// The fixture's writes left every cache empty, and each write
		// below empties the next one's.
		race("dealer", func() string {
			ds, err := s.DealersByID(ctx, []int64{f.Dealer.ID})
			check(t, err, "dealers")
			return ds[0].Name
		}, func() error {
			d := f.Dealer
			d.Name += " renamed"
			return s.UpdateDealer(ctx, &d)
		})
		race("user", func() string {
			us, err := s.UsersByID(ctx, []int64{f.User.ID})
			check(t, err, "users")
			return fmt.Sprint(len(us[0].Memberships))
		}, func() error {
			b := testkit.NewFixture(t, s, "b")
			return s.AddMembership(ctx, &core.Membership{UserID: f.User.ID, DealerID: b.Dealer.ID})
		})
		race("members", func() string {
			us, _, err := s.FindUsers(ctx, []int64{f.Dealer.ID}, core.Query{Limit: -1})
			check(t, err, "members")
			return fmt.Sprint(len(us))
		}, func() error {
			return s.CreateUser(ctx, &core.User{Username: "second", IsActive: true, CreatedAt: testkit.Now,
				Memberships: []core.Membership{{DealerID: f.Dealer.ID}}})
		})
		race("sources", func() string {
			srcs, _, err := s.FindSources(ctx, []int64{f.Dealer.ID}, core.Query{Limit: -1})
			check(t, err, "sources")
			return fmt.Sprint(len(srcs))
		}, func() error {
			return s.CreateSource(ctx, &core.Source{DealerID: f.Dealer.ID, ChannelID: f.Channel.ID, OriginID: f.Origin.ID, Data: "second"})
		})
		race("channels", func() string {
			chs, err := s.Channels(ctx)
			check(t, err, "channels")
			return fmt.Sprint(len(chs))
		}, func() error { return s.CreateChannel(ctx, &core.Channel{Slug: "second", Name: "Second"}) })
		race("gas types", func() string {
			gs, err := s.GasTypes(ctx)
			check(t, err, "gas types")
			return fmt.Sprint(len(gs))
		}, func() error { return s.CreateGasType(ctx, &core.GasType{Name: "second"}) })
		sess, err := s.StartSession(ctx, f.User.ID, "hash-a", testkit.Now)
		check(t, err, "start session")
		race("touched session", func() string {
			us, err := s.UsersByID(ctx, []int64{f.User.ID})
			check(t, err, "users")
			return fmt.Sprint(us[0].Session.LastSeen)
		}, func() error { return s.TouchSession(ctx, sess.ID, testkit.Now.Add(time.Minute)) })
		if s.Engine() != store.SQLite {
			return // only SQLite caches credentials
		}
		race("credential", func() string {
			_, err := s.Credential(ctx, "hash-a")
			return fmt.Sprint(err)
		}, func() error { return s.EndSession(ctx, "hash-a", testkit.Now) })
	}, store.WithCacheTTL(time.Hour), store.WithCredentialTTL(time.Hour))
}

// TestTouchSessionDropsOnlyItsUser: recording that a session was seen
// drops its user from the caches (his record and the member lists that
// hold him) and nothing else: other users, other dealers' members and
// credentials stay cached. Changes written past the store's caches show
// which entries are still served from memory.
func TestTouchSessionDropsOnlyItsUser(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")
		sessA, err := s.StartSession(ctx, a.User.ID, "hash-a", testkit.Now)
		check(t, err, "start a")
		_, err = s.StartSession(ctx, b.User.ID, "hash-b", testkit.Now)
		check(t, err, "start b")
		user := func(id int64) core.User {
			t.Helper()
			us, err := s.UsersByID(ctx, []int64{id})
			check(t, err, "users")
			return us[0]
		}
		members := func(dealer int64) core.User {
			t.Helper()
			us, _, err := s.FindUsers(ctx, []int64{dealer}, core.Query{Limit: -1})
			check(t, err, "members")
			return us[0]
		}
		// Cache both users, both member lists and b's credential.
		user(a.User.ID)
		user(b.User.ID)
		members(a.Dealer.ID)
		members(b.Dealer.ID)
		_, err = s.Credential(ctx, "hash-b")
		check(t, err, "credential b")

		check(t, store.ExecWrite(s, `UPDATE users SET first_name = 'Changed' WHERE id IN (?, ?)`, a.User.ID, b.User.ID), "change users")
		check(t, store.ExecWrite(s, `UPDATE tokens SET revoked_at = ? WHERE hash = 'hash-b'`, testkit.Now.UnixMicro()), "revoke b")
		seen := testkit.Now.Add(time.Minute)
		check(t, s.TouchSession(ctx, sessA.ID, seen), "touch a")

		if u := user(a.User.ID); u.Session == nil || u.Session.LastSeen == nil || !u.Session.LastSeen.Equal(seen) || u.FirstName != "Changed" {
			t.Errorf("a after his touch: %+v, session %+v", u, u.Session)
		}
		if u := members(a.Dealer.ID); u.Session == nil || u.Session.LastSeen == nil || !u.Session.LastSeen.Equal(seen) {
			t.Errorf("a's dealer's members after his touch: session %+v", u.Session)
		}
		if u := user(b.User.ID); u.FirstName == "Changed" {
			t.Errorf("b dropped from the cache by a's touch")
		}
		if u := members(b.Dealer.ID); u.FirstName == "Changed" {
			t.Errorf("b's dealer's members dropped from the cache by a's touch")
		}
		if _, err := s.Credential(ctx, "hash-b"); s.Engine() == store.SQLite && err != nil {
			t.Errorf("b's credential dropped from the cache by a's touch: %v", err)
		}
	}, store.WithCacheTTL(time.Hour), store.WithCredentialTTL(time.Hour))
}
