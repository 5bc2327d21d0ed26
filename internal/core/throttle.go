package core

import (
	"cmp"
	"context"
	"crypto/sha256"
	"math"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// Failed logins are limited twice, each limit a token bucket kept in memory
// by each server process:
//
//   - per account name and client address: loginBurst failures in a row,
//     then one more attempt every loginRefill (WithLoginThrottle); a
//     successful login clears the count. It keeps one address from
//     guessing one account's password.
//   - per client address, whatever the account: addrBurst failures, then
//     one more every addrRefill (WithAddressLoginThrottle); a successful
//     login gives its attempt back but clears nothing, so that an account
//     of his own does not reset an attacker's count. It keeps one address
//     from spending the server's CPU on bcrypt by trying a new account name
//     each time (each name has a fresh bucket of the first limit): 22
//     failed logins a second kept both cores of a 2-core server busy; past
//     the burst one address costs at most 1/22 of that.
//
// Each attempt spends its turn before the password is hashed, so a flood of
// guesses costs neither a password nor the CPU of bcrypt, and concurrent
// guesses cannot all pass on one turn.
const (
	loginBurst  = 20
	loginRefill = 15 * time.Second
	addrBurst   = 60
	addrRefill  = time.Second
)

// The fields of a login are bounded before anything is kept or hashed: a
// longer one can match no account (usernames and e-mails are at most 254
// characters; bcrypt reads at most 72 bytes and hashPassword refuses more),
// so it is refused as bad credentials at once.
const (
	MaxLoginLen    = 254 // characters
	MaxPasswordLen = 72  // bytes
)

// maxBuckets bounds each limiter: keys are SHA-256 sums, so a bucket takes
// ~50 bytes and a full limiter ~6 MB, whatever the clients send. See
// limiter.evict for what goes when one is full.
const maxBuckets = 100_000

// Throttled is the code of an error that asks the client to wait; the
// *Error's RetryAfter says how long.
const Throttled Code = "throttled"

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the network address of the client
// (an IP address, without port), which rate limits are kept by.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddrFrom returns the client address WithClientAddr put in ctx.
func ClientAddrFrom(ctx context.Context) string {
	a, _ := ctx.Value(clientAddrKey{}).(string)
	return a
}

// WithLoginThrottle sets how many failed logins in a row one account may
// have from one client address (burst), and how often one more attempt is
// allowed past them (every). The defaults are 20 and 15 s.
func WithLoginThrottle(burst int, every time.Duration) Option {
	return func(s *Service) { s.logins.account.burst, s.logins.account.every = float64(burst), every }
}

// WithAddressLoginThrottle sets how many failed logins one client address
// may have, whatever the accounts (burst), and how often one more is
// allowed past them (every). The defaults are 60 and 1 s.
func WithAddressLoginThrottle(burst int, every time.Duration) Option {
	return func(s *Service) { s.logins.addr.burst, s.logins.addr.every = float64(burst), every }
}

// loginLimiter holds the two limits of failed logins.
type loginLimiter struct {
	account limiter // by loginKey
	addr    limiter // by addrKey
}

func newLoginLimiter() loginLimiter {
	return loginLimiter{
		account: limiter{burst: loginBurst, every: loginRefill, max: maxBuckets},
		addr:    limiter{burst: addrBurst, every: addrRefill, max: maxBuckets},
	}
}

// clientNet is the part of a client address the limits count by: an IPv4
// address whole, an IPv6 address by its /64, since one subscriber usually
// holds a whole /64 and could otherwise use a new address for every try.
func clientNet(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// addrKey is the key of the client address in ctx.
func addrKey(ctx context.Context) [sha256.Size]byte {
	return sha256.Sum256([]byte("addr\x00" + clientNet(ClientAddrFrom(ctx))))
}

// loginKey is the key of a login (bounded, see boundedLogin) from the
// client address in ctx.
func loginKey(ctx context.Context, login string) [sha256.Size]byte {
	return sha256.Sum256([]byte("login\x00" + strings.ToLower(strings.TrimSpace(login)) + "\x00" + clientNet(ClientAddrFrom(ctx))))
}

// limiter is a token bucket per key, with at most max keys.
type limiter struct {
	burst float64
	every time.Duration
	max   int
	mu    sync.Mutex
	m     map[[sha256.Size]byte]bucket
}

type bucket struct {
	tokens float64
	at     int64 // unix nanoseconds
}

// refilled returns b's tokens at now.
func (l *limiter) refilled(b bucket, now int64) float64 {
	return math.Min(l.burst, b.tokens+float64(now-b.at)/float64(l.every))
}

// take spends one attempt of key at now, or returns a Throttled error when
// none is left.
func (l *limiter) take(key [sha256.Size]byte, at time.Time) error {
	now := at.UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[[sha256.Size]byte]bucket{}
	}
	b, ok := l.m[key]
	if !ok {
		if len(l.m) >= l.max {
			l.evict(now)
		}
		b = bucket{tokens: l.burst, at: now}
	}
	t := l.refilled(b, now)
	if t < 1 {
		wait := time.Duration((1 - t) * float64(l.every))
		return &Error{Code: Throttled, Message: "too many failed logins", RetryAfter: wait}
	}
	l.m[key] = bucket{tokens: t - 1, at: now}
	return nil
}

// evict makes room in a full limiter. It drops first the buckets that have
// refilled completely, which limit nothing; if that leaves more than 7/8 of
// max, it drops the buckets that limit least (the most attempts left) down
// to 7/8. So a bucket that is spent goes last: to push his own spent bucket
// out, an attacker must first spend more than 7/8 of max buckets at least
// as far, each attempt counted by the other limit too (at most one a second
// per address past its burst), by which time his own has long refilled.
// The sort runs once per max/8 new keys at most.
func (l *limiter) evict(now int64) {
	type left struct {
		key    [sha256.Size]byte
		tokens float64
	}
	all := make([]left, 0, len(l.m))
	for k, b := range l.m {
		t := l.refilled(b, now)
		if t >= l.burst {
			delete(l.m, k)
			continue
		}
		all = append(all, left{k, t})
	}
	keep := l.max - l.max/8
	if len(all) <= keep {
		return
	}
	slices.SortFunc(all, func(a, b left) int { return cmp.Compare(b.tokens, a.tokens) })
	for _, e := range all[:len(all)-keep] {
		delete(l.m, e.key)
	}
}

// refund gives back the attempt take spent.
func (l *limiter) refund(key [sha256.Size]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.m[key]; ok {
		b.tokens = min(l.burst, b.tokens+1)
		l.m[key] = b
	}
}

// forget clears key.
func (l *limiter) forget(key [sha256.Size]byte) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}

// size returns the number of keys l holds.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
