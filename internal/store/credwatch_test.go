package store_test

import (
	"context"
	"database/sql"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// twoServers opens two server stores over one new PostgreSQL database
// schema, remembering credentials for an hour, so that only a
// notification can make one of them forget a credential, and waits until
// both listen. It returns them and a plain connection to the schema.
func twoServers(t *testing.T) (a, b *store.Store, db *sql.DB) {
	t.Helper()
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	dsn := testkit.PostgresDSN(t, u)
	open := func() *store.Store {
		s, err := store.Open(context.Background(), dsn, store.AsServer(), store.WithCredentialTTL(time.Hour), store.WithCacheTTL(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b = open(), open()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	waitNotified(t, "both stores listen", func() bool { return store.CredentialsListening(a) && store.CredentialsListening(b) })
	return a, b, db
}

// waitNotified waits until cond holds, for at most 10 s: a notification
// arrives in milliseconds, a remembered credential lives an hour here.
func waitNotified(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

// TestCredentialsNotifiedAcrossServers: over PostgreSQL a server's store
// remembers a resolved credential (it reads it once), and forgets it when
// another server, or a hand in psql, revokes the token or the key, ends
// the session or deactivates the key's user.
func TestCredentialsNotifiedAcrossServers(t *testing.T) {
	a, b, db := twoServers(t)
	ctx := context.Background()
	f := testkit.NewFixture(t, a, "a")
	for _, h := range []string{"t1", "t2", "t3"} {
		if _, err := a.StartSession(ctx, f.User.ID, h, testkit.Now); err != nil {
			t.Fatal(err)
		}
	}
	key := core.APIKey{DealerID: f.Dealer.ID, UserID: &f.User.ID, Name: "crm", Prefix: "fc_aaaaa", CreatedAt: testkit.Now}
	check(t, a.CreateAPIKey(ctx, &key, "k1"), "key")

	var loads atomic.Int64
	store.OnCacheLoad(b, func() { loads.Add(1) })
	for range 3 {
		for _, h := range []string{"t1", "t2", "t3", "k1"} {
			if _, err := b.Credential(ctx, h); err != nil {
				t.Fatalf("credential %s: %v", h, err)
			}
		}
	}
	if n := loads.Load(); n != 4 {
		t.Fatalf("4 credentials read 3 times each: %d reads of the database, want 4", n)
	}
	gone := func(h string) func() bool {
		return func() bool {
			_, err := b.Credential(ctx, h)
			return core.ErrorCode(err) == core.NotFound
		}
	}

	check(t, a.EndSession(ctx, "t1", testkit.Now.Add(time.Minute)), "logout")
	waitNotified(t, "a token logged out on the other server", gone("t1"))

	if _, err := db.ExecContext(ctx, `UPDATE tokens SET revoked_at = 1 WHERE hash = 't2'`); err != nil {
		t.Fatal(err)
	}
	waitNotified(t, "a token revoked by hand", gone("t2"))

	_, err := a.DeactivateUser(ctx, f.User.ID, testkit.Now.Add(time.Minute))
	check(t, err, "deactivate")
	waitNotified(t, "the token of a user deactivated on the other server", gone("t3"))
	waitNotified(t, "the key of a deactivated user", func() bool {
		c, err := b.Credential(ctx, "k1")
		return err == nil && !c.UserActive
	})

	_, err = a.RevokeAPIKey(ctx, key.ID, testkit.Now.Add(time.Minute))
	check(t, err, "revoke key")
	waitNotified(t, "a key revoked on the other server", gone("k1"))
}

// TestCredentialsReadWhileNotListening: while a server's store has lost
// its listening connection, it reads every credential from the database
// (a revocation meanwhile would not be notified to it); it listens again
// by itself and then remembers credentials again.
func TestCredentialsReadWhileNotListening(t *testing.T) {
	a, b, db := twoServers(t)
	ctx := context.Background()
	f := testkit.NewFixture(t, a, "a")
	for _, h := range []string{"t1", "t2"} {
		if _, err := a.StartSession(ctx, f.User.ID, h, testkit.Now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Credential(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	pid, listens := store.CredentialListener(b)
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	waitNotified(t, "the store notices its listener is gone", func() bool { return !store.CredentialsListening(b) })
	if _, err := b.Credential(ctx, "t1"); err != nil { // not remembered now
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE tokens SET revoked_at = 1 WHERE hash = 't1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Credential(ctx, "t1"); core.ErrorCode(err) != core.NotFound {
		t.Fatalf("a token revoked while the store did not listen: %v, want not found at once", err)
	}

	waitNotified(t, "the store listens again", func() bool {
		_, n := store.CredentialListener(b)
		return store.CredentialsListening(b) && n > listens
	})
	var loads atomic.Int64
	store.OnCacheLoad(b, func() { loads.Add(1) })
	for range 3 {
		if _, err := b.Credential(ctx, "t2"); err != nil {
			t.Fatal(err)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("a credential read 3 times after listening again: %d reads of the database, want 1", n)
	}
	check(t, a.EndSession(ctx, "t2", testkit.Now.Add(time.Minute)), "logout")
	waitNotified(t, "a token logged out after listening again", func() bool {
		_, err := b.Credential(ctx, "t2")
		return core.ErrorCode(err) == core.NotFound
	})
}
