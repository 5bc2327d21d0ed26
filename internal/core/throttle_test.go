package core_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// TestLoginThrottle: failed logins of one account from one client address
// are limited to burst in a row (3 here, to keep bcrypt's time down; 20 by
// default), then one every 15 s; the limit holds even for the right
// password, leaves other addresses and accounts alone, and a success
// clears it.
func TestLoginThrottle(t *testing.T) {
	const burst = 3
	var mu sync.Mutex
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	svc := core.NewService(testkit.OpenStore(t), core.WithClock(clock), core.WithLoginThrottle(burst, 15*time.Second), core.WithPasswordCost(bcrypt.MinCost))
	if _, err := demo.Seed(context.Background(), svc, demo.Options{Advisors: 1}); err != nil {
		t.Fatal(err)
	}
	from := func(addr string) context.Context { return core.WithClientAddr(context.Background(), addr) }
	attacker, office := from("203.0.113.9"), from("198.51.100.7")

	for i := range burst {
		if _, _, err := svc.Login(attacker, "demo@example.com", "guess"); err != core.ErrBadCredentials {
			t.Fatalf("failure %d: %v, want bad credentials", i+1, err)
		}
	}
	_, _, err := svc.Login(attacker, "Demo@Example.com ", "demo") // the same account, the right password
	if core.ErrorCode(err) != core.Throttled {
		t.Fatalf("attempt past the burst: %v, want throttled", err)
	}
	if e := err.(*core.Error); e.RetryAfter <= 0 || e.RetryAfter > 15*time.Second {
		t.Fatalf("retry after %v", e.RetryAfter)
	}
	if _, _, err := svc.Login(office, "demo@example.com", "demo"); err != nil {
		t.Fatalf("the same account from another address: %v", err)
	}
	if _, _, err := svc.Login(attacker, "nobody@example.com", "x"); err != core.ErrBadCredentials {
		t.Fatalf("another account from the same address: %v", err)
	}

	advance(14 * time.Second)
	if _, _, err := svc.Login(attacker, "demo@example.com", "demo"); core.ErrorCode(err) != core.Throttled {
		t.Fatalf("after 14 s: %v, want throttled", err)
	}
	advance(time.Second)
	if _, _, err := svc.Login(attacker, "demo@example.com", "guess"); err != core.ErrBadCredentials {
		t.Fatalf("after 15 s, one attempt: %v", err)
	}
	if _, _, err := svc.Login(attacker, "demo@example.com", "demo"); core.ErrorCode(err) != core.Throttled {
		t.Fatalf("right after it: %v, want throttled", err)
	}
	advance(15 * time.Second)
	if _, _, err := svc.Login(attacker, "demo@example.com", "demo"); err != nil {
		t.Fatalf("the right password once allowed: %v", err)
	}
	// A success clears the count: a whole burst of failures again.
	for i := range burst {
		if _, _, err := svc.Login(attacker, "demo@example.com", "guess"); err != core.ErrBadCredentials {
			t.Fatalf("failure %d after a success: %v", i+1, err)
		}
	}
	if _, _, err := svc.Login(attacker, "demo@example.com", "demo"); core.ErrorCode(err) != core.Throttled {
		t.Fatalf("past the burst after a success: %v, want throttled", err)
	}
}

// TestLoginThrottleConcurrent: guesses sent at once cannot all pass on the
// same remaining attempts.
func TestLoginThrottleConcurrent(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	svc := core.NewService(testkit.OpenStore(t), core.WithClock(func() time.Time { return now }), core.WithLoginThrottle(3, time.Hour), core.WithPasswordCost(bcrypt.MinCost))
	ctx := core.WithClientAddr(context.Background(), "203.0.113.9")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[core.Code]int{}
	for range 20 {
		wg.Go(func() {
			_, _, err := svc.Login(ctx, "nobody@example.com", "guess")
			mu.Lock()
			codes[core.ErrorCode(err)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[core.Invalid] != 3 || codes[core.Throttled] != 17 {
		t.Fatalf("20 concurrent guesses: %v, want 3 refused on their credentials and 17 throttled", codes)
	}
}

// TestLoginThrottleByAddress: failed logins from one client address are
// limited whatever the account names (3 here; 60, then one a second, by
// default), before bcrypt runs, even for the right password; other
// addresses are not; a success gives its attempt back without clearing
// the count; attempts refused by the account's own limit cost the address
// nothing; an IPv6 client counts by its /64.
func TestLoginThrottleByAddress(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	svc := core.NewService(testkit.OpenStore(t), core.WithClock(clock),
		core.WithLoginThrottle(2, time.Hour), core.WithAddressLoginThrottle(3, time.Second), core.WithPasswordCost(bcrypt.MinCost))
	if _, err := demo.Seed(context.Background(), svc, demo.Options{Advisors: 1}); err != nil {
		t.Fatal(err)
	}
	from := func(addr string) context.Context { return core.WithClientAddr(context.Background(), addr) }
	attacker, office := from("203.0.113.9"), from("198.51.100.7")
	login := func(ctx context.Context, user, password string) error {
		t.Helper()
		_, _, err := svc.Login(ctx, user, password)
		return err
	}
	for i := range 3 {
		if err := login(attacker, fmt.Sprintf("nobody%d@example.com", i), "guess"); err != core.ErrBadCredentials {
			t.Fatalf("failure %d: %v, want bad credentials", i+1, err)
		}
	}
	err := login(attacker, "nobody3@example.com", "guess")
	if core.ErrorCode(err) != core.Throttled {
		t.Fatalf("a 4th account from the address: %v, want throttled", err)
	}
	if e := err.(*core.Error); e.RetryAfter <= 0 || e.RetryAfter > time.Second {
		t.Fatalf("retry after %v", e.RetryAfter)
	}
	if err := login(attacker, "demo@example.com", "demo"); core.ErrorCode(err) != core.Throttled {
		t.Fatalf("the right password from the address: %v, want throttled", err)
	}
	if err := login(office, "demo@example.com", "demo"); err != nil {
		t.Fatalf("another address: %v", err)
	}

	advance(time.Second)
	if err := login(attacker, "demo@example.com", "demo"); err != nil {
		t.Fatalf("after 1 s, the right password: %v", err)
	}
	// The success gave its attempt back: one failure, not three.
	if err := login(attacker, "nobody4@example.com", "guess"); err != core.ErrBadCredentials {
		t.Fatalf("after a success: %v, want bad credentials", err)
	}
	if err := login(attacker, "nobody5@example.com", "guess"); core.ErrorCode(err) != core.Throttled {
		t.Fatalf("a success cleared the address's count: %v", err)
	}

	// Attempts the account's own limit refuses cost the address nothing.
	spare := from("192.0.2.1")
	for range 2 {
		if err := login(spare, "target@example.com", "guess"); err != core.ErrBadCredentials {
			t.Fatalf("failure on the target: %v", err)
		}
	}
	for range 5 {
		if err := login(spare, "target@example.com", "guess"); core.ErrorCode(err) != core.Throttled {
			t.Fatalf("past the account's limit: %v", err)
		}
	}
	if err := login(spare, "other@example.com", "guess"); err != core.ErrBadCredentials {
		t.Fatalf("the address's last attempt: %v, want bad credentials", err)
	}

	// Every address of one IPv6 /64 is one client.
	for i := range 3 {
		if err := login(from(fmt.Sprintf("2001:db8:5::%x", i+1)), fmt.Sprintf("v6-%d@example.com", i), "guess"); err != core.ErrBadCredentials {
			t.Fatalf("IPv6 failure %d: %v", i+1, err)
		}
	}
	if err := login(from("2001:db8:5::ff"), "v6-x@example.com", "guess"); core.ErrorCode(err) != core.Throttled {
		t.Fatalf("a new address of the same /64: %v, want throttled", err)
	}
}
