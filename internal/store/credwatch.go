package store

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Over PostgreSQL a store remembers resolved credentials for up to its
// credential TTL (WithCredentialTTL, 2 s by default), as a SQLite store
// does, but only while it listens to the channel credentialsChannel on a
// connection of its own: migration 0038's triggers notify it whenever a
// token, session, API key or user's activity changes, whoever changes it
// (another server, an operator command, an older forecourt, a hand in
// psql), and each notification drops every remembered credential. While
// the store does not listen (before the first LISTEN, after its
// connection was lost, until it listens again) every credential is read
// from the database, as before. Reading the token was one of a lead
// creation's three round trips to PostgreSQL (docs/decisions.md,
// "Credentials cached over PostgreSQL"; docs/benchmarks.md).
const credentialsChannel = "forecourt_credentials"

// credListenRetry is how long the watch waits before it connects again
// after its connection failed or was lost.
const credListenRetry = time.Second

// credWatch is a PostgreSQL store's listener of credentialsChannel.
type credWatch struct {
	live     atomic.Bool  // listening: remembered credentials may be served
	listens  atomic.Int64 // LISTENs that succeeded so far (tests)
	backend  atomic.Int64 // the listening connection's backend pid (tests)
	cancel   context.CancelFunc
	done     chan struct{}
	reported bool // a loss was logged and no recovery since; the watch's goroutine's alone
}

// watchCredentials starts the store's listener; Close stops it.
func (s *Store) watchCredentials() {
	ctx, cancel := context.WithCancel(context.Background())
	w := &credWatch{cancel: cancel, done: make(chan struct{})}
	s.credWatch = w
	go func() {
		defer close(w.done)
		for {
			err := s.listenCredentials(ctx, w)
			if ctx.Err() != nil {
				return
			}
			if !w.reported {
				w.reported = true
				s.opt.log.Warn("credentials' notifications lost: tokens and API keys are read from the database until they resume", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(credListenRetry):
			}
		}
	}()
}

// listenCredentials listens on a connection of its own and drops the
// remembered credentials at every notification, until the connection
// fails or ctx ends.
func (s *Store) listenCredentials(ctx context.Context, w *credWatch) error {
	cfg := s.pgcfg.Copy()
	cfg.RuntimeParams["application_name"] += " credentials"
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = c.Close(cctx)
	}()
	if _, err := c.Exec(ctx, `LISTEN `+credentialsChannel); err != nil {
		return err
	}
	// Whatever was remembered before may have changed unnoticed; from
	// here on every change that commits is notified.
	s.cache.creds.clear()
	w.backend.Store(int64(c.PgConn().PID()))
	w.listens.Add(1)
	w.live.Store(true)
	if w.reported {
		w.reported = false
		s.opt.log.Info("credentials' notifications resumed")
	}
	defer func() {
		w.live.Store(false)
		s.cache.creds.clear()
	}()
	for {
		if _, err := c.WaitForNotification(ctx); err != nil {
			return err
		}
		s.cache.creds.clear()
	}
}

// credentialsRemembered reports whether Credential may serve a remembered
// credential: always on SQLite (whose one server's writes drop what they
// change), over PostgreSQL only while the store listens.
func (s *Store) credentialsRemembered() bool {
	if s.cache.creds == nil {
		return false
	}
	return s.credWatch == nil || s.credWatch.live.Load()
}

// stopCredentialWatch stops the listener, if any, and waits for it.
func (s *Store) stopCredentialWatch() {
	if s.credWatch != nil {
		s.credWatch.cancel()
		<-s.credWatch.done
	}
}
