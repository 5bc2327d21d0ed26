package core

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"
)

// Failed logins are limited per account name and client address: after
// loginBurst failures in a row, one more attempt is allowed every
// loginRefill (WithLoginThrottle changes both). A successful login clears
// the count. Each attempt spends its turn before the password is hashed,
// so a flood of guesses costs neither a password nor the CPU of bcrypt,
// and concurrent guesses cannot all pass on one turn. Limits are kept in
// memory, per server process.
const (
	loginBurst  = 20
	loginRefill = 15 * time.Second
	// loginKeys bounds the memory of the limiter: past it, the entries that
	// have refilled completely (which limit nothing) are dropped.
	loginKeys = 100_000
)

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
// allowed past them (every).
func WithLoginThrottle(burst int, every time.Duration) Option {
	return func(s *Service) { s.logins.burst, s.logins.every = float64(burst), every }
}

// loginLimiter is a token bucket per login and client address.
type loginLimiter struct {
	burst float64
	every time.Duration
	mu    sync.Mutex
	m     map[string]loginBucket
}

type loginBucket struct {
	tokens float64
	at     time.Time
}

func loginKey(ctx context.Context, login string) string {
	return strings.ToLower(strings.TrimSpace(login)) + "\x00" + ClientAddrFrom(ctx)
}

// refilled returns b's tokens at now.
func (l *loginLimiter) refilled(b loginBucket, now time.Time) float64 {
	return math.Min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
}

// take spends one attempt of key at now, or returns a Throttled error when
// none is left.
func (l *loginLimiter) take(key string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]loginBucket{}
	}
	b, ok := l.m[key]
	if !ok {
		if len(l.m) >= loginKeys {
			for k, o := range l.m {
				if l.refilled(o, now) >= l.burst {
					delete(l.m, k)
				}
			}
		}
		b = loginBucket{tokens: l.burst, at: now}
	}
	t := l.refilled(b, now)
	if t < 1 {
		wait := time.Duration((1 - t) * float64(l.every))
		return &Error{Code: Throttled, Message: "too many failed logins", RetryAfter: wait}
	}
	l.m[key] = loginBucket{tokens: t - 1, at: now}
	return nil
}

// refund gives back the attempt take spent, for a login that failed for
// another reason than its credentials.
func (l *loginLimiter) refund(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.m[key]; ok {
		b.tokens = min(l.burst, b.tokens+1)
		l.m[key] = b
	}
}

// succeeded clears key.
func (l *loginLimiter) succeeded(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}
