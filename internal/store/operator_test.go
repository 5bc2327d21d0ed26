package store_test

import (
	"context"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestOperatorCredentials: what an operator does to credentials takes
// effect at once through the store that does it, its cached credentials
// and users included (cached here for an hour), on both engines.
func TestOperatorCredentials(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")
		at := testkit.Now.Add(time.Hour)

		// two sessions of a's user, one already ended; one of b's
		_, err := s.StartSession(ctx, a.User.ID, "a1", testkit.Now)
		check(t, err, "start a1")
		_, err = s.StartSession(ctx, a.User.ID, "a2", testkit.Now)
		check(t, err, "start a2")
		_, err = s.StartSession(ctx, a.User.ID, "a3", testkit.Now)
		check(t, err, "start a3")
		check(t, s.EndSession(ctx, "a3", testkit.Now), "end a3")
		_, err = s.StartSession(ctx, b.User.ID, "b1", testkit.Now)
		check(t, err, "start b1")
		keyA := core.APIKey{DealerID: a.Dealer.ID, UserID: &a.User.ID, Name: "crm", Prefix: "fc_aaaaa", CreatedAt: testkit.Now}
		check(t, s.CreateAPIKey(ctx, &keyA, "ka"), "key a")
		keyB := core.APIKey{DealerID: b.Dealer.ID, Prefix: "fc_bbbbb", CreatedAt: testkit.Now}
		check(t, s.CreateAPIKey(ctx, &keyB, "kb"), "key b")
		for _, h := range []string{"a1", "a2", "b1", "ka", "kb"} { // cached now
			_, err := s.Credential(ctx, h)
			check(t, err, "credential "+h)
		}
		_, err = s.UsersByID(ctx, []int64{a.User.ID})
		check(t, err, "cache a")

		// a user's sessions end everywhere
		n, err := s.EndUserSessions(ctx, a.User.ID, at)
		check(t, err, "end a's sessions")
		if n != 2 {
			t.Errorf("ended %d sessions, want the 2 open ones", n)
		}
		for _, h := range []string{"a1", "a2"} {
			if _, err := s.Credential(ctx, h); core.ErrorCode(err) != core.NotFound {
				t.Errorf("token %s after its user's sessions ended: %v", h, err)
			}
		}
		if _, err := s.Credential(ctx, "b1"); err != nil {
			t.Errorf("another user's token: %v", err)
		}
		u, err := s.UserByID(ctx, a.User.ID)
		check(t, err, "a")
		if !u.IsActive || u.Session == nil || u.Session.EndedAt == nil {
			t.Errorf("after logout: active %v, session %+v", u.IsActive, u.Session)
		}
		_, err = s.EndUserSessions(ctx, 9999, at)
		wantCode(t, err, core.NotFound, "end sessions of no user")

		// deactivation: inactive, sessions ended, keys act as no user
		_, err = s.StartSession(ctx, a.User.ID, "a4", at)
		check(t, err, "start a4")
		cred, err := s.Credential(ctx, "ka")
		check(t, err, "key a")
		if !cred.UserActive {
			t.Fatalf("key of an active user: %+v", cred)
		}
		n, err = s.DeactivateUser(ctx, a.User.ID, at.Add(time.Minute))
		check(t, err, "deactivate a")
		if n != 1 {
			t.Errorf("deactivation ended %d sessions, want 1", n)
		}
		if _, err := s.Credential(ctx, "a4"); core.ErrorCode(err) != core.NotFound {
			t.Errorf("token of a deactivated user: %v", err)
		}
		cred, err = s.Credential(ctx, "ka")
		check(t, err, "key of a deactivated user")
		if cred.UserActive || cred.UserID != a.User.ID {
			t.Errorf("key of a deactivated user: %+v", cred)
		}
		us, err := s.UsersByID(ctx, []int64{a.User.ID})
		check(t, err, "a cached")
		if us[0].IsActive || us[0].DeactivatedAt == nil || !us[0].DeactivatedAt.Equal(at.Add(time.Minute)) {
			t.Errorf("deactivated user: active %v at %v", us[0].IsActive, us[0].DeactivatedAt)
		}
		_, err = s.DeactivateUser(ctx, a.User.ID, at.Add(time.Hour))
		check(t, err, "deactivate again")
		if u, _ := s.UserByID(ctx, a.User.ID); !u.DeactivatedAt.Equal(at.Add(time.Minute)) {
			t.Errorf("deactivating again moved the deactivation to %v", u.DeactivatedAt)
		}
		_, err = s.DeactivateUser(ctx, 9999, at)
		wantCode(t, err, core.NotFound, "deactivate no user")

		// keys: listed per dealer, revoked at once
		keys, err := s.APIKeys(ctx, nil)
		check(t, err, "all keys")
		same(t, "all keys", keys, []core.APIKey{keyA, keyB})
		keys, err = s.APIKeys(ctx, []int64{b.Dealer.ID})
		check(t, err, "b's keys")
		same(t, "b's keys", keys, []core.APIKey{keyB})
		got, err := s.RevokeAPIKey(ctx, keyB.ID, at)
		check(t, err, "revoke b")
		if got.ID != keyB.ID || got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
			t.Errorf("revoked key: %+v", got)
		}
		if _, err := s.Credential(ctx, "kb"); core.ErrorCode(err) != core.NotFound {
			t.Errorf("revoked key still authenticates: %v", err)
		}
		got, err = s.RevokeAPIKey(ctx, keyB.ID, at.Add(time.Hour))
		check(t, err, "revoke b again")
		if !got.RevokedAt.Equal(at) {
			t.Errorf("revoking again moved the revocation to %v", got.RevokedAt)
		}
		_, err = s.RevokeAPIKey(ctx, 9999, at)
		wantCode(t, err, core.NotFound, "revoke no key")
		if _, err := s.Credential(ctx, "ka"); err != nil {
			t.Errorf("another key: %v", err)
		}
	}, store.WithCacheTTL(time.Hour), store.WithCredentialTTL(time.Hour))
}

// TestOrigins: every origin, and a channel added to one.
func TestOrigins(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")
		os, err := s.Origins(ctx)
		check(t, err, "origins")
		if len(os) != 2 || os[0].ID != a.Origin.ID || os[1].ID != b.Origin.ID {
			t.Fatalf("origins: %+v", os)
		}
		_, err = s.OriginsByID(ctx, []int64{a.Origin.ID}) // cached
		check(t, err, "origin a")
		check(t, s.AddOriginChannel(ctx, a.Origin.ID, b.Channel.ID), "add channel")
		check(t, s.AddOriginChannel(ctx, a.Origin.ID, b.Channel.ID), "add it again")
		got, err := s.OriginsByID(ctx, []int64{a.Origin.ID})
		check(t, err, "origin a")
		same(t, "channels", got[0].ChannelIDs, []int64{a.Channel.ID, b.Channel.ID})
	}, store.WithCacheTTL(time.Hour))
}
