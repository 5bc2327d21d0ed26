package core

import (
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoginFieldsBounded: a login whose username or password is longer than
// any account's is refused as bad credentials before the store is asked
// (there is none here), keeps nothing of its text, and counts against the
// client address alone.
func TestLoginFieldsBounded(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	svc := NewService(nil, WithClock(func() time.Time { return now }), WithAddressLoginThrottle(4, time.Hour))
	ctx := WithClientAddr(context.Background(), "203.0.113.9")
	huge := strings.Repeat("a", 1<<20)
	for _, c := range []struct{ login, password string }{
		{huge, "x"},
		{strings.Repeat("ñ", MaxLoginLen+1), "x"},                   // characters, not bytes, count
		{"demo@example.com", strings.Repeat("p", MaxPasswordLen+1)}, // bytes count
		{" \t ", "x"},
	} {
		if _, _, err := svc.Login(ctx, c.login, c.password); err != ErrBadCredentials {
			t.Fatalf("login of %d bytes, password of %d: %v, want bad credentials", len(c.login), len(c.password), err)
		}
	}
	if n := svc.logins.account.size(); n != 0 {
		t.Fatalf("%d account buckets kept for logins that can match no account", n)
	}
	if _, _, err := svc.Login(ctx, huge, "x"); ErrorCode(err) != Throttled {
		t.Fatalf("5th failure from the address: %v, want throttled", err)
	}
	if !boundedLogin(strings.Repeat("ñ", MaxLoginLen), strings.Repeat("p", MaxPasswordLen)) {
		t.Fatalf("the longest login and password refused")
	}
}

// TestLimiterEviction: a full limiter makes room without growing, first
// from buckets that limit nothing, then from those that limit least; a
// flood of new keys cannot push out a spent bucket and so reset it.
func TestLimiterEviction(t *testing.T) {
	l := limiter{burst: 3, every: time.Hour, max: 64}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	key := func(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
	spent := key("attacker")
	for range 3 {
		if err := l.take(spent, now); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10_000 {
		now = now.Add(time.Millisecond)
		if err := l.take(key(strconv.Itoa(i)), now); err != nil {
			t.Fatalf("new key %d: %v", i, err)
		}
		if n := l.size(); n > l.max {
			t.Fatalf("%d keys in a limiter of %d", n, l.max)
		}
	}
	if err := l.take(spent, now); ErrorCode(err) != Throttled {
		t.Fatalf("the spent key after 10,000 new ones: %v, want throttled", err)
	}
	// Buckets that have refilled completely go first: once every old one
	// has, filling the limiter again drops them all and keeps every new one.
	now = now.Add(3 * time.Hour)
	added := 0
	for before := l.size(); l.size() == before+added; {
		added++
		l.take(key("late"+strconv.Itoa(added)), now)
	}
	if n := l.size(); n != added {
		t.Fatalf("%d keys after every old bucket refilled, want the %d new ones", n, added)
	}
}

// TestClientNet: limits count IPv4 addresses whole and IPv6 ones by their
// /64.
func TestClientNet(t *testing.T) {
	same := [][2]string{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"},
		{"::ffff:203.0.113.9", "203.0.113.9"},
		{"fe80::1%eth0", "fe80::2"},
	}
	for _, p := range same {
		if clientNet(p[0]) != clientNet(p[1]) {
			t.Errorf("%s and %s counted apart: %s, %s", p[0], p[1], clientNet(p[0]), clientNet(p[1]))
		}
	}
	apart := [][2]string{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"203.0.113.9", "203.0.113.10"},
	}
	for _, p := range apart {
		if clientNet(p[0]) == clientNet(p[1]) {
			t.Errorf("%s and %s counted together", p[0], p[1])
		}
	}
}
