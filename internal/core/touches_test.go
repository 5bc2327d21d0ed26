package core_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestSessionTouchedOncePerMinute: the requests of one token that cross
// the minute together record its last request once, not once each
// (docs/decisions.md, "One touch a session a minute"): the first one's
// write is held until the others have answered, which they do without
// writing. The minute still counts from the touch, and the idle expiry
// from the last_seen stored.
func TestSessionTouchedOncePerMinute(t *testing.T) {
	ctx := context.Background()
	st := testkit.OpenSQLite(t)
	svc, c, u, _ := operatorWorldOn(t, st, core.WithTokenLifetime(2*time.Hour, 0))
	token, _, err := svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, token); err != nil { // caches the credential and the user
		t.Fatal(err)
	}

	const clients = 16
	var touches, answered atomic.Int32
	var hold sync.Once
	stop := st.WatchStatements(func(writer bool, q string) {
		if !writer || !strings.HasPrefix(q, "UPDATE sessions SET last_seen") {
			return
		}
		touches.Add(1)
		hold.Do(func() {
			// the first touch waits for the other requests (at most 2 s:
			// without the claim they would queue behind it to write too)
			for end := time.Now().Add(2 * time.Second); answered.Load() < clients-1 && time.Now().Before(end); {
				time.Sleep(time.Millisecond)
			}
		})
	})
	defer stop()
	touched := func() time.Time {
		t.Helper()
		us, err := svc.UsersOfDealers(core.WithPrincipal(ctx, core.Principal{UserID: u.ID, DealerIDs: u.DealerIDs()}), u.DealerIDs())
		if err != nil || len(us) != 1 || us[0].Session == nil || us[0].Session.LastSeen == nil {
			t.Fatalf("the session: %+v, %v", us, err)
		}
		return *us[0].Session.LastSeen
	}

	c.advance(2 * time.Minute)
	at := c.now()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range clients {
		wg.Go(func() {
			<-start
			_, err := svc.Authenticate(ctx, token)
			answered.Add(1)
			if err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if got := touches.Load(); got != 1 {
		t.Fatalf("%d requests crossing the minute together wrote %d touches, want 1", clients, got)
	}
	if got := touched(); !got.Equal(at) {
		t.Fatalf("last seen %v, want %v", got, at)
	}

	// within the minute of the touch: none; past it: one
	c.advance(time.Minute)
	if _, err := svc.Authenticate(ctx, token); err != nil || touches.Load() != 1 {
		t.Fatalf("a minute after the touch: %v, %d touches, want 1", err, touches.Load())
	}
	c.advance(time.Microsecond)
	if _, err := svc.Authenticate(ctx, token); err != nil || touches.Load() != 2 {
		t.Fatalf("past a minute after the touch: %v, %d touches, want 2", err, touches.Load())
	}
	at = c.now()
	if got := touched(); !got.Equal(at) {
		t.Fatalf("last seen %v, want %v", got, at)
	}
	// idle for 2 hours since that touch: expired
	c.advance(2*time.Hour - time.Microsecond)
	if _, err := svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("idle for less than 2 hours: %v", err)
	}
	c.advance(2 * time.Hour)
	if _, err := svc.Authenticate(ctx, token); core.ErrorCode(err) != core.Unauthorized {
		t.Fatalf("idle for 2 hours: %v, want Unauthorized", err)
	}
}
