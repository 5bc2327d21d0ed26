package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"forecourt/internal/core"
)

const userCols = `id, public_id, username, email, first_name, last_name, phone, member_id, click2call_id, password_hash,
	is_admin, is_active, activated_at, deactivated_at, created_at`

// CreateUser stores u with its memberships and sets their ids. A non-zero
// u.ID is kept; an empty PublicID gets a UUIDv7. A username taken, case
// aside, is a Conflict.
func (s *Store) CreateUser(ctx context.Context, u *core.User) error {
	defer s.cache.usersChanged()
	if u.PublicID == "" {
		u.PublicID = newPublicID()
	}
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("users", u.ID, `public_id, username, email, first_name, last_name, phone, member_id, click2call_id,
			password_hash, is_admin, is_active, activated_at, deactivated_at, created_at`,
			u.PublicID, u.Username, u.Email, u.FirstName, u.LastName, u.Phone, u.MemberID, u.Click2CallID,
			u.PasswordHash, u.IsAdmin, u.IsActive, microsPtr(u.ActivatedAt), microsPtr(u.DeactivatedAt), micros(u.CreatedAt))
		if err != nil {
			return err
		}
		u.ID = id
		for i := range u.Memberships {
			m := &u.Memberships[i]
			m.UserID = id
			if err := insertMembership(c, m); err != nil {
				return err
			}
		}
		return nil
	})
	return dbError(err, "create user", "user", u.Username)
}

func insertMembership(c conn, m *core.Membership) error {
	id, err := c.insert(`INSERT INTO memberships (user_id, dealer_id, is_admin, is_business_manager) VALUES (?, ?, ?, ?)`,
		m.UserID, m.DealerID, m.IsAdmin, m.IsBusinessManager)
	m.ID = id
	return err
}

// AddMembership stores m and sets its id; a user already member of the
// dealer is a Conflict.
func (s *Store) AddMembership(ctx context.Context, m *core.Membership) error {
	defer s.cache.usersChanged()
	err := s.write(ctx, func(c conn) error { return insertMembership(c, m) })
	return dbError(err, "add membership", "membership", m.DealerID)
}

// UserByID returns user id with his memberships and latest session.
func (s *Store) UserByID(ctx context.Context, id int64) (core.User, error) {
	var out []core.User
	err := s.readTx(ctx, func(c conn) error {
		var err error
		out, err = loadUsers(c, `WHERE id = ?`, id)
		return err
	})
	if err == nil && len(out) == 0 {
		err = notFound("user", id)
	}
	if err != nil {
		return core.User{}, dbError(err, "user by id", "user", id)
	}
	return out[0], nil
}

// UserByLogin finds the user whose username or, failing that, e-mail is
// login, case aside.
func (s *Store) UserByLogin(ctx context.Context, login string) (core.User, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var out []core.User
	err := s.readTx(ctx, func(c conn) error {
		var err error
		out, err = loadUsers(c, `WHERE lower(username) = ? OR (email <> '' AND lower(email) = ?)
			ORDER BY CASE WHEN lower(username) = ? THEN 0 ELSE 1 END, id LIMIT 1`, login, login, login)
		return err
	})
	if err == nil && (len(out) == 0 || login == "") {
		err = &core.Error{Code: core.NotFound, Message: "user not found"}
	}
	if err != nil {
		return core.User{}, dbError(err, "user by login", "user", "")
	}
	return out[0], nil
}

// loadUsers loads the users a WHERE/ORDER BY/LIMIT tail selects, with their
// memberships and latest sessions.
func loadUsers(c conn, tail string, args ...any) ([]core.User, error) {
	rows, err := c.query(`SELECT `+userCols+` FROM users `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []core.User
	for rows.Next() {
		var u core.User
		var activated, deactivated sql.NullInt64
		var created int64
		if err := rows.Scan(&u.ID, &u.PublicID, &u.Username, &u.Email, &u.FirstName, &u.LastName, &u.Phone, &u.MemberID,
			&u.Click2CallID, &u.PasswordHash, &u.IsAdmin, &u.IsActive, &activated, &deactivated, &created); err != nil {
			return nil, err
		}
		u.ActivatedAt, u.DeactivatedAt = timePtr(activated), timePtr(deactivated)
		u.CreatedAt = fromMicros(created)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(out))
	at := make(map[int64]int, len(out))
	for i, u := range out {
		ids[i] = u.ID
		at[u.ID] = i
	}

	mrows, err := c.query(`SELECT id, user_id, dealer_id, is_admin, is_business_manager FROM memberships
		WHERE user_id IN `+in(len(ids))+` ORDER BY id`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var m core.Membership
		if err := mrows.Scan(&m.ID, &m.UserID, &m.DealerID, &m.IsAdmin, &m.IsBusinessManager); err != nil {
			return nil, err
		}
		u := &out[at[m.UserID]]
		u.Memberships = append(u.Memberships, m)
	}
	if err := mrows.Err(); err != nil {
		return nil, err
	}
	mrows.Close()

	srows, err := c.query(`SELECT id, user_id, start_working, last_seen, ended_at FROM sessions
		WHERE id IN (SELECT max(id) FROM sessions WHERE user_id IN `+in(len(ids))+` GROUP BY user_id)`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	for srows.Next() {
		var sess core.Session
		var userID, start int64
		var seen, ended sql.NullInt64
		if err := srows.Scan(&sess.ID, &userID, &start, &seen, &ended); err != nil {
			return nil, err
		}
		sess.StartWorking = fromMicros(start)
		sess.LastSeen, sess.EndedAt = timePtr(seen), timePtr(ended)
		out[at[userID]].Session = &sess
	}
	return out, srows.Err()
}

// StartSession opens a session for userID at at and stores the hash of its
// token.
func (s *Store) StartSession(ctx context.Context, userID int64, tokenHash string, at time.Time) (core.Session, error) {
	defer s.cache.usersChanged()
	sess := core.Session{StartWorking: at}
	err := s.write(ctx, func(c conn) error {
		id, err := c.insert(`INSERT INTO sessions (user_id, start_working) VALUES (?, ?)`, userID, micros(at))
		if err != nil {
			return err
		}
		sess.ID = id
		_, err = c.exec(`INSERT INTO tokens (hash, user_id, session_id, created_at) VALUES (?, ?, ?, ?)`,
			tokenHash, userID, id, micros(at))
		return err
	})
	if err != nil {
		return core.Session{}, dbError(err, "start session", "token", "")
	}
	return sess, nil
}

// EndSession revokes the token with this hash and ends its session. Ending
// an ended session changes nothing; an unknown token is NotFound.
func (s *Store) EndSession(ctx context.Context, tokenHash string, at time.Time) error {
	defer s.cache.usersChanged()
	err := s.write(ctx, func(c conn) error {
		var sessionID int64
		if err := c.row(`SELECT session_id FROM tokens WHERE hash = ?`, tokenHash).Scan(&sessionID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return &core.Error{Code: core.NotFound, Message: "token not found"}
			}
			return err
		}
		if _, err := c.exec(`UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL`, micros(at), tokenHash); err != nil {
			return err
		}
		_, err := c.exec(`UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, micros(at), sessionID)
		return err
	})
	return dbError(err, "end session", "token", "")
}

// TouchSession records that session id was seen at at. Of the cached
// users it drops only the session's user (see refCache.sessionTouched):
// sessions are touched once a minute each, and clearing every user and
// credential each time would make the caches miss all day.
func (s *Store) TouchSession(ctx context.Context, sessionID int64, at time.Time) error {
	var userID int64
	err := s.writeWith(ctx, writeOpts{rerunnable: true}, func(c conn) error {
		err := c.row(`UPDATE sessions SET last_seen = ? WHERE id = ? RETURNING user_id`, micros(at), sessionID).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("session", sessionID)
		}
		return err
	})
	if err != nil {
		return dbError(err, "touch session", "session", sessionID)
	}
	s.cache.sessionTouched(userID, sessionID)
	return nil
}

// EndUserSessions revokes every token of user userID and ends his open
// sessions at at, and returns how many sessions it ended; an unknown user
// is NotFound.
func (s *Store) EndUserSessions(ctx context.Context, userID int64, at time.Time) (int, error) {
	defer s.cache.usersChanged()
	var n int
	err := s.write(ctx, func(c conn) error {
		var err error
		n, err = endUserSessions(c, userID, at)
		return err
	})
	return n, dbError(err, "end user sessions", "user", userID)
}

// DeactivateUser makes user userID inactive, recording at as his
// deactivation unless he was inactive already, and ends his sessions as
// EndUserSessions does, in one transaction.
func (s *Store) DeactivateUser(ctx context.Context, userID int64, at time.Time) (int, error) {
	defer s.cache.usersChanged()
	var n int
	err := s.write(ctx, func(c conn) error {
		var err error
		if n, err = endUserSessions(c, userID, at); err != nil {
			return err
		}
		_, err = c.exec(`UPDATE users SET is_active = ?, deactivated_at = ? WHERE id = ? AND is_active`, false, micros(at), userID)
		return err
	})
	return n, dbError(err, "deactivate user", "user", userID)
}

// ActivateUser implements core.Store.
func (s *Store) ActivateUser(ctx context.Context, userID int64, at time.Time) (bool, error) {
	defer s.cache.usersChanged()
	var changed bool
	err := s.write(ctx, func(c conn) error {
		res, err := c.exec(`UPDATE users SET is_active = ?, activated_at = ?, deactivated_at = NULL WHERE id = ? AND NOT is_active`, true, micros(at), userID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n > 0 {
			changed = n > 0
			return err
		}
		var one int
		err = c.row(`SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user", userID)
		}
		return err
	})
	return changed, dbError(err, "activate user", "user", userID)
}

// UpdateUser implements core.Store.UpdateUser.
func (s *Store) UpdateUser(ctx context.Context, userID int64, ch core.UserChange, at time.Time) (int, error) {
	defer s.cache.usersChanged()
	if ch.Staff != nil {
		defer s.cache.organisations.clear()
	}
	var n int
	err := s.write(ctx, func(c conn) error {
		var sets []string
		var args []any
		for _, f := range []struct {
			col string
			v   *string
		}{{"first_name", ch.FirstName}, {"last_name", ch.LastName}, {"password_hash", ch.PasswordHash}} {
			if f.v != nil {
				sets, args = append(sets, f.col+" = ?"), append(args, *f.v)
			}
		}
		if len(sets) > 0 {
			res, err := c.exec(`UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, userID)...)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				if err == nil {
					err = notFound("user", userID)
				}
				return err
			}
		}
		if ch.PasswordHash != nil {
			var err error
			if n, err = endUserSessions(c, userID, at); err != nil {
				return err
			}
		}
		if ch.Staff != nil {
			if ch.Staff.UserID != userID {
				return &core.Error{Code: core.Internal, Message: "update user: another user's place"}
			}
			return placeStaff(c, ch.Staff)
		}
		return nil
	})
	return n, dbError(err, "update user", "user", userID)
}

// endUserSessions revokes the live tokens of user userID and ends his open
// sessions; it returns how many sessions it ended.
func endUserSessions(c conn, userID int64, at time.Time) (int, error) {
	var one int
	if err := c.row(`SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, notFound("user", userID)
		}
		return 0, err
	}
	if _, err := c.exec(`UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, micros(at), userID); err != nil {
		return 0, err
	}
	res, err := c.exec(`UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL`, micros(at), userID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CreateAPIKey stores k with the hash of its secret and sets k.ID.
func (s *Store) CreateAPIKey(ctx context.Context, k *core.APIKey, keyHash string) error {
	err := s.write(ctx, func(c conn) error {
		id, err := c.insert(`INSERT INTO api_keys (hash, dealer_id, user_id, name, prefix, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			keyHash, k.DealerID, ptrArg(k.UserID), k.Name, k.Prefix, micros(k.CreatedAt), microsPtr(k.RevokedAt))
		k.ID = id
		return err
	})
	return dbError(err, "create api key", "api key", k.Prefix)
}

const apiKeyCols = `id, dealer_id, user_id, name, prefix, created_at, revoked_at`

// APIKeys lists the API keys of dealerIDs (of every dealer when none is
// given), revoked ones included, in id order.
func (s *Store) APIKeys(ctx context.Context, dealerIDs []int64) ([]core.APIKey, error) {
	tail, args := `ORDER BY id`, []any(nil)
	if dealerIDs = core.DistinctIDs(dealerIDs); len(dealerIDs) > 0 {
		tail, args = `WHERE dealer_id IN `+in(len(dealerIDs))+` ORDER BY id`, anys(dealerIDs)
	}
	var out []core.APIKey
	err := s.readTx(ctx, func(c conn) (err error) {
		out, err = queryAll(c, `SELECT `+apiKeyCols+` FROM api_keys `+tail, args, scanAPIKey)
		return err
	})
	return out, dbError(err, "api keys", "api key", "")
}

func scanAPIKey(r *sql.Rows, k *core.APIKey) error {
	var user, revoked sql.NullInt64
	var created int64
	if err := r.Scan(&k.ID, &k.DealerID, &user, &k.Name, &k.Prefix, &created, &revoked); err != nil {
		return err
	}
	if user.Valid {
		k.UserID = &user.Int64
	}
	k.CreatedAt, k.RevokedAt = fromMicros(created), timePtr(revoked)
	return nil
}

// RevokeAPIKey revokes API key id at at, unless it is revoked already, and
// returns it; an unknown key is NotFound. This store's cached credentials
// are dropped at once.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, at time.Time) (core.APIKey, error) {
	defer s.cache.credentialsChanged()
	var k []core.APIKey
	err := s.write(ctx, func(c conn) error {
		if _, err := c.exec(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(at), id); err != nil {
			return err
		}
		var err error
		if k, err = queryAll(c, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ?`, []any{id}, scanAPIKey); err == nil && len(k) == 0 {
			err = notFound("api key", id)
		}
		return err
	})
	if err != nil {
		return core.APIKey{}, dbError(err, "revoke api key", "api key", id)
	}
	return k[0], nil
}

// Credential resolves the hash of a token or API key that is not revoked.
func (s *Store) Credential(ctx context.Context, hash string) (core.Credential, error) {
	if !s.credentialsRemembered() {
		return s.credentialDB(ctx, hash)
	}
	return cached(s.cache.creds, hash, func() (core.Credential, error) { return s.credentialDB(ctx, hash) }, s.cacheLoaded)
}

func (s *Store) credentialDB(ctx context.Context, hash string) (core.Credential, error) {
	var cred core.Credential
	err := s.readDirect(ctx, func(c conn) error {
		var created int64
		var seen sql.NullInt64
		err := c.row(`SELECT t.user_id, t.session_id, t.created_at, s.last_seen FROM tokens t JOIN sessions s ON s.id = t.session_id
			WHERE t.hash = ? AND t.revoked_at IS NULL AND s.ended_at IS NULL`, hash).Scan(&cred.UserID, &cred.SessionID, &created, &seen)
		if err == nil {
			cred.Kind = core.CredentialToken
			cred.CreatedAt = fromMicros(created)
			if seen.Valid {
				cred.LastSeen = fromMicros(seen.Int64)
			}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var user sql.NullInt64
		var active sql.NullBool
		err = c.row(`SELECT k.id, k.dealer_id, k.user_id, u.is_active FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
			WHERE k.hash = ? AND k.revoked_at IS NULL`, hash).Scan(&cred.APIKeyID, &cred.DealerID, &user, &active)
		if errors.Is(err, sql.ErrNoRows) {
			return &core.Error{Code: core.NotFound, Message: "credential not found"}
		}
		if err != nil {
			return err
		}
		cred.Kind = core.CredentialAPIKey
		cred.UserID = user.Int64
		cred.UserActive = active.Valid && active.Bool
		return nil
	})
	if err != nil {
		return core.Credential{}, dbError(err, "credential", "credential", "")
	}
	return cred, nil
}
