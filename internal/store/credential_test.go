package store_test

import (
	"context"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestCredentialRevokedAtOnce: a token resolved a moment ago (and so
// remembered on SQLite) stops resolving as soon as its session ends.
func TestCredentialRevokedAtOnce(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := testkit.NewFixture(t, s, "a")
		if _, err := s.StartSession(ctx, f.User.ID, "hash-a", testkit.Now); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			cred, err := s.Credential(ctx, "hash-a")
			if err != nil || cred.UserID != f.User.ID || cred.Kind != core.CredentialToken {
				t.Fatalf("credential: %+v, %v", cred, err)
			}
		}
		if err := s.EndSession(ctx, "hash-a", testkit.Now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Credential(ctx, "hash-a"); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("credential after logout: %v, want not found", err)
		}
	})
}
