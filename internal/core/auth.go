package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// bcryptCost is the work factor of stored password hashes (~64 ms here).
const bcryptCost = 10

// dummyHash is compared against when a login names no user, so that an
// unknown user takes as long to refuse as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("forecourt-dummy-password"), bcryptCost)

// HashSecret returns the stored form of a token or API key.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// hashPassword returns the bcrypt hash of a password at work factor cost.
func hashPassword(password string, cost int) (string, error) {
	if len(password) > MaxPasswordLen {
		return "", &Error{Code: Invalid, Message: "password too long", Fields: map[string]string{"password": MsgTooLong}}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(h), err
}

// ErrBadCredentials is returned by Login for any unknown user, wrong password
// or inactive user, without saying which. Compare with errors.Is.
var ErrBadCredentials = &Error{Code: Invalid, Message: "unable to log in with the provided credentials"}

// Login checks a user's credentials, opens a session and returns its token.
// Past the limits of failed logins (see loginBurst) it answers Throttled
// without looking at the password. A login that can match no account (see
// boundedLogin) is refused at once, without bcrypt, and counts against the
// client address alone.
func (s *Service) Login(ctx context.Context, login, password string) (string, User, error) {
	now := s.now()
	addr := addrKey(ctx)
	if err := s.logins.addr.take(addr, now); err != nil {
		return "", User{}, err
	}
	if !boundedLogin(login, password) {
		return "", User{}, ErrBadCredentials
	}
	key := loginKey(ctx, login)
	if err := s.logins.account.take(key, now); err != nil {
		s.logins.addr.refund(addr) // refused before bcrypt: no failure
		return "", User{}, err
	}
	token, u, err := s.login(ctx, login, password)
	switch {
	case err == nil:
		s.logins.account.forget(key)
		s.logins.addr.refund(addr)
	case !errors.Is(err, ErrBadCredentials):
		s.logins.account.refund(key)
		s.logins.addr.refund(addr)
	}
	return token, u, err
}

// boundedLogin reports whether login and password may match an account:
// a login of 1 to MaxLoginLen characters of valid UTF-8 without NUL, a
// password of 1 to MaxPasswordLen bytes. Lengths are checked before the
// characters are counted or read.
func boundedLogin(login, password string) bool {
	login = strings.TrimSpace(login)
	return login != "" && len(login) <= utf8.UTFMax*MaxLoginLen && utf8.RuneCountInString(login) <= MaxLoginLen &&
		utf8.ValidString(login) && !strings.ContainsRune(login, 0) &&
		password != "" && len(password) <= MaxPasswordLen
}

func (s *Service) login(ctx context.Context, login, password string) (string, User, error) {
	u, err := s.store.UserByLogin(ctx, strings.TrimSpace(login))
	if err != nil {
		if ErrorCode(err) == NotFound {
			_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
			return "", User{}, ErrBadCredentials
		}
		return "", User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil || !u.IsActive {
		return "", User{}, ErrBadCredentials
	}
	token := rand.Text()
	sess, err := s.store.StartSession(ctx, u.ID, HashSecret(token), s.Now())
	if err != nil {
		return "", User{}, err
	}
	u.Session = &sess
	return token, u, nil
}

// Logout revokes the token the principal authenticated with and ends its
// session. API keys are not revoked by logout.
func (s *Service) Logout(ctx context.Context) error {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return err
	}
	if p.APIKeyID != 0 || p.Token == "" {
		return nil
	}
	return s.store.EndSession(ctx, HashSecret(p.Token), s.Now())
}

// touchEvery bounds how often an authenticated request records a session's
// last_seen, so that reads do not all turn into writes.
const touchEvery = time.Minute

// The default lifetimes of a login token (WithTokenLifetime): a token
// expires after DefaultTokenIdle without a request, and DefaultTokenMaxAge
// after its login, whatever its use. An advisor's working day fits in
// both; a token left in a script or a stolen one does not live on.
const (
	DefaultTokenIdle   = 12 * time.Hour
	DefaultTokenMaxAge = 30 * 24 * time.Hour
)

// tokenLifetime is how long login tokens live; zero is no limit.
type tokenLifetime struct{ idle, maxAge time.Duration }

// WithTokenLifetime sets how long a login token lives: it expires after
// idle without a request (measured from the session's last recorded
// request, written at most once a minute, so to the minute) and maxAge
// after its login. Zero lifts that limit. API keys do not expire: an
// operator revokes them.
func WithTokenLifetime(idle, maxAge time.Duration) Option {
	return func(s *Service) { s.tokens = tokenLifetime{idle: max(idle, 0), maxAge: max(maxAge, 0)} }
}

// expiry returns when the token c expires, and whether it does.
func (l tokenLifetime) expiry(c Credential) (time.Time, bool) {
	var at time.Time
	if l.idle > 0 {
		last := c.LastSeen
		if last.Before(c.CreatedAt) {
			last = c.CreatedAt
		}
		at = last.Add(l.idle)
	}
	if l.maxAge > 0 {
		if end := c.CreatedAt.Add(l.maxAge); at.IsZero() || end.Before(at) {
			at = end
		}
	}
	return at, !at.IsZero()
}

// Authenticate resolves a bearer secret, a user token or an API key, to the
// Principal it stands for.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if secret == "" {
		return Principal{}, Errorf(Unauthorized, "authentication required")
	}
	c, err := s.store.Credential(ctx, HashSecret(secret))
	if err != nil {
		if ErrorCode(err) == NotFound {
			return Principal{}, Errorf(Unauthorized, "invalid token")
		}
		return Principal{}, err
	}
	p := Principal{UserID: c.UserID, APIKeyID: c.APIKeyID, Token: secret, Via: ViaFrom(ctx)}
	now := s.Now()
	if c.Kind == CredentialAPIKey {
		p.DealerIDs = []int64{c.DealerID}
		if c.UserID == 0 || !c.UserActive {
			// a key bound to a user who was deactivated acts as no user:
			// it is the dealer's integration's, which goes on working
			p.UserID = 0
			return p, nil
		}
	} else if end, ok := s.tokens.expiry(c); ok && !now.Before(end) {
		// The session ends when the token expired, so that the user shows
		// offline and the token can never come back.
		if err := s.store.EndSession(ctx, HashSecret(secret), end); err != nil && ErrorCode(err) != NotFound {
			s.log.WarnContext(ctx, "end expired session", "err", err)
		}
		return Principal{}, Errorf(Unauthorized, "token expired")
	}
	// The credential itself is read every time, so that a logout takes
	// effect at once; the user, his memberships and session may come from
	// the store's short-lived cache of users.
	us, err := s.store.UsersByID(ctx, []int64{c.UserID})
	if err != nil {
		return Principal{}, err
	}
	if len(us) == 0 {
		return Principal{}, Errorf(Unauthorized, "invalid token")
	}
	u := us[0]
	if c.Kind == CredentialAPIKey {
		p.Username = u.Username
		if !u.IsActive || !u.hasDealer(c.DealerID) {
			// a key bound to a user who left its dealer acts as no user
			p.UserID, p.Username = 0, ""
		}
		return p, nil
	}
	if !u.IsActive {
		return Principal{}, Errorf(Unauthorized, "user inactive")
	}
	p.Username = u.Username
	p.DealerIDs = u.DealerIDs()
	if (c.LastSeen.IsZero() || now.Sub(c.LastSeen) > touchEvery) && s.touches.claim(c.SessionID, now) {
		if err := s.store.TouchSession(ctx, c.SessionID, now); err != nil {
			s.touches.release(c.SessionID, now)
			s.log.WarnContext(ctx, "touch session", "err", err)
		}
	}
	return p, nil
}

func (u User) hasDealer(id int64) bool {
	for _, m := range u.Memberships {
		if m.DealerID == id {
			return true
		}
	}
	return false
}
