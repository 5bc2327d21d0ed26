package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// unavailable fails the test unless err is an Unavailable *core.Error with
// a wait for the client.
func unavailable(t *testing.T, err error, what string) {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != core.Unavailable || ce.RetryAfter <= 0 {
		t.Fatalf("%s: %v, want Unavailable with a wait", what, err)
	}
}

// TestNoConnectionInTime: an operation that cannot get a connection of the
// PostgreSQL pool within the store's timeout fails Unavailable, keeping
// its cause, instead of waiting as long as its caller does.
func TestNoConnectionInTime(t *testing.T) {
	dsn := postgresDSN(t)
	s, err := store.Open(ctx, dsn, store.WithCacheTTL(0), store.WithMaxConns(1), store.WithTimeout(200*time.Millisecond))
	check(t, err, "open")
	defer s.Close()
	held, err := s.DB().Conn(ctx)
	check(t, err, "hold the only connection")
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = s.AllDealers(c)
	unavailable(t, err, "read without a connection")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cause lost: %v", err)
	}
	err = s.CreateDealer(c, &core.Dealer{Name: "Waits", Country: "ES", CreatedAt: testkit.Now})
	unavailable(t, err, "write without a connection")
	check(t, held.Close(), "release")
	_, err = s.AllDealers(c)
	check(t, err, "read once a connection is free")
}

// TestPoolSettings: the pool's size and idle time are the store's options.
func TestPoolSettings(t *testing.T) {
	dsn := postgresDSN(t)
	s, err := store.Open(ctx, dsn, store.WithCacheTTL(0), store.WithMaxConns(3), store.WithMaxIdleTime(time.Millisecond))
	check(t, err, "open")
	defer s.Close()
	if got := s.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("pool of %d connections, want 3", got)
	}
	_, err = s.AllDealers(ctx)
	check(t, err, "read")
	// database/sql closes idle connections at most once a second
	for deadline := time.Now().Add(time.Minute); s.Stats().MaxIdleTimeClosed == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no idle connection closed: %+v", s.Stats())
		}
	}
}

// TestStatementTimeout: PostgreSQL connections run with the store's
// timeout as statement_timeout, and a statement that waits past it (here
// for a lock another session holds) fails Unavailable.
func TestStatementTimeout(t *testing.T) {
	dsn := postgresDSN(t)
	s, err := store.Open(ctx, dsn, store.WithCacheTTL(0), store.WithTimeout(500*time.Millisecond))
	check(t, err, "open")
	defer s.Close()
	var got string
	check(t, s.DB().QueryRow(`SHOW statement_timeout`).Scan(&got), "show")
	if got != "500ms" {
		t.Errorf("statement_timeout = %q, want 500ms", got)
	}
	locker, err := openRaw(t, store.Postgres, dsn).BeginTx(ctx, nil)
	check(t, err, "begin")
	defer locker.Rollback()
	_, err = locker.Exec(`LOCK TABLE dealers IN ACCESS EXCLUSIVE MODE`)
	check(t, err, "lock")
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = s.AllDealers(c)
	unavailable(t, err, "read of a locked table")
	check(t, locker.Rollback(), "unlock")
	_, err = s.AllDealers(c)
	check(t, err, "read after")
}

// TestSQLiteBusy: a SQLite write that waits for another process's lock
// past the store's timeout (its busy timeout) fails Unavailable.
func TestSQLiteBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forecourt.db")
	s, err := store.Open(ctx, path, store.WithTimeout(200*time.Millisecond))
	check(t, err, "open")
	defer s.Close()
	var busy int
	check(t, s.DB().QueryRow(`PRAGMA busy_timeout`).Scan(&busy), "busy_timeout")
	if busy != 200 {
		t.Errorf("busy_timeout = %d ms, want 200", busy)
	}
	other, err := openRaw(t, store.SQLite, path).Conn(ctx)
	check(t, err, "other connection")
	defer other.Close()
	_, err = other.ExecContext(ctx, `BEGIN IMMEDIATE`)
	check(t, err, "lock the file")
	err = s.CreateDealer(ctx, &core.Dealer{Name: "Busy", Country: "ES", CreatedAt: testkit.Now})
	unavailable(t, err, "write while another process writes")
	_, err = other.ExecContext(ctx, `ROLLBACK`)
	check(t, err, "unlock")
	check(t, s.CreateDealer(ctx, &core.Dealer{Name: "Free", Country: "ES", CreatedAt: testkit.Now}), "write after")
}
