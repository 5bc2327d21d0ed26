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

// HashPassword returns the bcrypt hash of a password.
func HashPassword(password string) (string, error) {
	if len(password) > MaxPasswordLen {
		return "", &Error{Code: Invalid, Message: "password too long", Fields: map[string]string{"password": MsgTooLong}}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
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
	p := Principal{UserID: c.UserID, APIKeyID: c.APIKeyID, Token: secret}
	if c.Kind == CredentialAPIKey {
		p.DealerIDs = []int64{c.DealerID}
		if c.UserID == 0 {
			return p, nil
		}
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
	if !u.IsActive {
		return Principal{}, Errorf(Unauthorized, "user inactive")
	}
	p.Username = u.Username
	if c.Kind == CredentialToken {
		p.DealerIDs = u.DealerIDs()
		now := s.Now()
		if sess := u.Session; sess != nil && sess.ID == c.SessionID && (sess.LastSeen == nil || now.Sub(*sess.LastSeen) > touchEvery) {
			if err := s.store.TouchSession(ctx, c.SessionID, now); err != nil {
				s.log.WarnContext(ctx, "touch session", "err", err)
			}
		}
	} else if !u.hasDealer(c.DealerID) {
		// a key bound to a user who left its dealer acts as no user
		p.UserID, p.Username = 0, ""
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
