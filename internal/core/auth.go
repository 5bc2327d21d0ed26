package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
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
	if len(password) > 72 {
		return "", &Error{Code: Invalid, Message: "password too long", Fields: map[string]string{"password": MsgTooLong}}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	return string(h), err
}

// ErrBadCredentials is returned by Login for any unknown user, wrong password
// or inactive user, without saying which. Compare with errors.Is.
var ErrBadCredentials = &Error{Code: Invalid, Message: "unable to log in with the provided credentials"}

// Login checks a user's credentials, opens a session and returns its token.
// After too many failures for one login from one client address it answers
// Throttled without looking at the password (see loginBurst).
func (s *Service) Login(ctx context.Context, login, password string) (string, User, error) {
	key := loginKey(ctx, login)
	if err := s.logins.take(key, s.now()); err != nil {
		return "", User{}, err
	}
	token, u, err := s.login(ctx, login, password)
	switch {
	case err == nil:
		s.logins.succeeded(key)
	case !errors.Is(err, ErrBadCredentials):
		s.logins.refund(key)
	}
	return token, u, err
}

func (s *Service) login(ctx context.Context, login, password string) (string, User, error) {
	login = strings.TrimSpace(login)
	if login == "" || len(login) > 254 || strings.ContainsRune(login, 0) || !utf8.ValidString(login) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return "", User{}, ErrBadCredentials
	}
	u, err := s.store.UserByLogin(ctx, login)
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

// CreateDealer stores a new dealer. It is an operator command: no principal
// is needed.
func (s *Service) CreateDealer(ctx context.Context, d Dealer) (Dealer, error) {
	fe := FieldErrors{}
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		fe.Add("name", MsgRequired)
	}
	d.Country = strings.ToUpper(strings.TrimSpace(d.Country))
	switch {
	case d.Country == "":
		fe.Add("country", MsgRequired)
	case !ValidCountry(d.Country):
		fe.Add("country", MsgInvalid)
	}
	if d.TimeZone == "" {
		d.TimeZone = defaultTimeZone(d.Country)
	}
	if _, err := time.LoadLocation(d.TimeZone); err != nil {
		fe.Add("timezone", MsgInvalid)
	}
	for k, v := range d.Ext {
		if !validExtKey(k) {
			fe.Add("ext."+k, MsgInvalid)
		}
		checkLen(fe, "ext."+k, v, MaxLongText)
	}
	if err := fe.Err(); err != nil {
		return Dealer{}, err
	}
	d.Ext = maps.Clone(d.Ext)
	d.CreatedAt = s.Now()
	d.Notes = slices.Clone(d.Notes)
	for i := range d.Notes {
		d.Notes[i].ID, d.Notes[i].History = 0, nil
		d.Notes[i].Created, d.Notes[i].Modified = d.CreatedAt, d.CreatedAt
	}
	if err := s.store.CreateDealer(ctx, &d); err != nil {
		return Dealer{}, err
	}
	return d, nil
}

// validExtKey reports whether k names an API's extension field,
// "<api>.<field>" in lower-case letters, digits and underscores.
func validExtKey(k string) bool {
	api, field, ok := strings.Cut(k, ".")
	if !ok || api == "" || field == "" {
		return false
	}
	for _, r := range api + field {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func defaultTimeZone(country string) string {
	switch country {
	case "ES":
		return "Europe/Madrid"
	case "EC":
		return "America/Guayaquil"
	case "CO":
		return "America/Bogota"
	}
	return "UTC"
}

// AllDealers lists every dealer, for operators.
func (s *Service) AllDealers(ctx context.Context) ([]Dealer, error) {
	return s.store.AllDealers(ctx)
}

// CreateUser stores a new user with password and memberships. It is an
// operator command: no principal is needed.
func (s *Service) CreateUser(ctx context.Context, u User, password string) (User, error) {
	fe := FieldErrors{}
	u.Username = strings.TrimSpace(u.Username)
	u.Email = strings.TrimSpace(u.Email)
	if u.Username == "" {
		u.Username = u.Email
	}
	if u.Username == "" {
		fe.Add("username", MsgRequired)
	}
	if password == "" {
		fe.Add("password", MsgRequired)
	}
	if len(u.Memberships) > 0 {
		ids := make([]int64, 0, len(u.Memberships))
		for _, m := range u.Memberships {
			ids = append(ids, m.DealerID)
		}
		ds, err := s.store.DealersByID(ctx, uniq(ids))
		if err != nil {
			return User{}, err
		}
		if len(ds) != len(uniq(ids)) {
			fe.Add("dealer", MsgNotExist)
		}
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u.PasswordHash = hash
	now := s.Now()
	u.CreatedAt = now
	if u.IsActive && u.ActivatedAt == nil {
		u.ActivatedAt = &now
	}
	if err := s.store.CreateUser(ctx, &u); err != nil {
		return User{}, err
	}
	return u, nil
}

// CreateAPIKey creates an API key for a dealer, optionally acting as a user
// of that dealer, and returns the key; only its hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, dealerID int64, userID *int64, name string) (string, APIKey, error) {
	ds, err := s.store.DealersByID(ctx, []int64{dealerID})
	if err != nil {
		return "", APIKey{}, err
	}
	if len(ds) == 0 {
		return "", APIKey{}, errNotFound("dealer")
	}
	if userID != nil {
		u, err := s.store.UserByID(ctx, *userID)
		if err != nil {
			return "", APIKey{}, err
		}
		if !u.hasDealer(dealerID) {
			return "", APIKey{}, &Error{Code: Invalid, Message: "the user is not a member of the dealer", Fields: map[string]string{"user": MsgNotExist}}
		}
	}
	key := "fc_" + rand.Text()
	k := APIKey{DealerID: dealerID, UserID: userID, Name: name, Prefix: key[:8], CreatedAt: s.Now()}
	if err := s.store.CreateAPIKey(ctx, &k, HashSecret(key)); err != nil {
		return "", APIKey{}, err
	}
	return key, k, nil
}
