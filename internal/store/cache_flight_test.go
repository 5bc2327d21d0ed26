package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("waited 30 s for %s", what)
		}
	}
}

// blockedCredential returns a SQLite store (only SQLite caches
// credentials) with the session of credential "hash-a", whose first read
// of a cached key blocks after reading the database until release is
// closed; loads counts the reads.
func blockedCredential(t *testing.T) (s *store.Store, sess core.Session, loads *atomic.Int64, release chan struct{}) {
	t.Helper()
	s = testkit.OpenSQLiteWith(t, store.WithCredentialTTL(time.Hour))
	f := testkit.NewFixture(t, s, "a")
	sess, err := s.StartSession(ctx, f.User.ID, "hash-a", testkit.Now)
	check(t, err, "start session")
	loads, release = new(atomic.Int64), make(chan struct{})
	store.OnCacheLoad(s, func() {
		if loads.Add(1) == 1 {
			<-release
		}
	})
	return s, sess, loads, release
}

// TestCredentialReadOnce: callers that miss a credential while it is read
// wait for that read and get what it found: the database is read once,
// not once per request in flight when the cached entry expired.
func TestCredentialReadOnce(t *testing.T) {
	s, sess, loads, release := blockedCredential(t)
	const callers = 8
	got := make([]core.Credential, callers+1)
	errs := make([]error, callers+1)
	var wg sync.WaitGroup
	call := func(i int) {
		defer wg.Done()
		got[i], errs[i] = s.Credential(ctx, "hash-a")
	}
	wg.Add(1)
	go call(0)
	waitFor(t, "the first read", func() bool { return loads.Load() == 1 })
	for i := 1; i <= callers; i++ {
		wg.Add(1)
		go call(i)
	}
	waitFor(t, "the callers to wait", func() bool { return store.CredentialWaiters(s, "hash-a") == callers })
	close(release)
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i].SessionID != sess.ID {
			t.Errorf("caller %d: %+v, %v", i, got[i], errs[i])
		}
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("%d reads of the credential, want 1", n)
	}
	if _, err := s.Credential(ctx, "hash-a"); err != nil || loads.Load() != 1 {
		t.Errorf("not cached after the read: %v, %d reads", err, loads.Load())
	}
}

// TestCredentialReadAfterLogout: a caller that misses a credential after
// a logout does not take the answer of a read that began before it: it
// reads the credential itself and is refused, and what the earlier read
// found is not cached.
func TestCredentialReadAfterLogout(t *testing.T) {
	s, _, loads, release := blockedCredential(t)
	done := make(chan error)
	go func() {
		_, err := s.Credential(ctx, "hash-a")
		done <- err
	}()
	waitFor(t, "the first read", func() bool { return loads.Load() == 1 })
	check(t, s.EndSession(ctx, "hash-a", testkit.Now), "logout")
	after := make(chan error)
	go func() {
		_, err := s.Credential(ctx, "hash-a")
		after <- err
	}()
	select {
	case err := <-after:
		if core.ErrorCode(err) != core.NotFound {
			t.Errorf("after the logout, while the earlier read is under way: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("after the logout, the caller waits for the read that began before it")
		close(release)
		<-after
		return
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("the read that began before the logout: %v", err)
	}
	if _, err := s.Credential(ctx, "hash-a"); core.ErrorCode(err) != core.NotFound {
		t.Errorf("after the logout: %v", err)
	}
}
