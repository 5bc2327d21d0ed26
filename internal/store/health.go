package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"forecourt/internal/core"
)

// A database that cannot answer (down, unreachable, out of connections, too
// slow) is not a bug of the request: the store answers such an operation
// with a *core.Error of code Unavailable, which the APIs answer with 503
// and Retry-After, and logs the outage once, not once per request.

// The waits the store suggests to a client, by kind of unavailability.
const (
	retryDown = 5 * time.Second // no connection to the database
	retryBusy = 1 * time.Second // no free connection, or too slow
)

// unavailableError is a *core.Error of code Unavailable that keeps its
// cause, for errors.Is and errors.As, and for the log.
type unavailableError struct {
	ce    *core.Error
	cause error
}

func (e *unavailableError) Error() string   { return e.ce.Error() + ": " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error { return []error{e.ce, e.cause} }

// unavailability tells whether err says the database cannot answer now,
// and how long a client should wait: the database unreachable or its
// connection lost (it went down, restarts, or does not answer within the
// operation's deadline), or no connection to be had (the pool or the
// role's connection limit full), a statement past statement_timeout, or a
// SQLite file locked by another process past the busy timeout. An error of
// the commit's unknown outcome is none of these: retrying could write
// twice.
func unavailability(err error) (time.Duration, bool) {
	if err == nil || errors.Is(err, errOutcomeUnknown) {
		return 0, false
	}
	var schema *SchemaError
	if errors.As(err, &schema) {
		return retryDown, true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // shutting down, crashed, starting up
			return retryDown, true
		case strings.HasPrefix(pe.Code, "53"), // too many connections (for the role, too), out of memory…
			pe.Code == "57014", // statement_timeout
			pe.Code == "55P03": // lock_timeout
			return retryBusy, true
		}
		return 0, false // the database answered
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return retryBusy, true
		}
		return 0, false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, pgconn.ErrConnClosed), pgconn.Timeout(err):
		return retryDown, true
	case errors.Is(err, context.DeadlineExceeded):
		return retryBusy, true
	}
	return 0, false
}

// errOutcomeUnknown marks the error of a COMMIT whose connection broke:
// the transaction may or may not have been committed.
var errOutcomeUnknown = core.ErrOutcomeUnknown

// checked returns err as the caller of an operation should see it: nil
// (and the database available), or an Unavailable *core.Error when err
// says the database cannot answer, or err itself. ctx is the caller's: an
// error after the caller went away or its own deadline passed is the
// caller's, not the database's.
func (s *Store) checked(ctx context.Context, err error) error {
	if err == nil {
		s.health.ok()
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	wait, ok := unavailability(err)
	if !ok {
		return err
	}
	s.health.failed(err)
	return &unavailableError{ce: &core.Error{Code: core.Unavailable, Message: "database unavailable", RetryAfter: wait}, cause: err}
}

// deadline returns ctx bounded by the store's timeout on PostgreSQL, where
// a database that hangs would otherwise hold the caller as long as it
// waits (PostgreSQL's own statement_timeout cannot fire in a server that
// does not answer). SQLite waits only for locks, bounded by its busy
// timeout.
func (s *Store) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.engine != Postgres || s.opt.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opt.timeout)
}

// outageLogEvery is how often, at most, an outage that goes on is logged
// again.
const outageLogEvery = 10 * time.Second

// health follows the database's availability as operations see it, to log
// an outage once: when it starts (an ERROR with its cause), every
// outageLogEvery while it lasts (an ERROR with the operations refused
// since), and when an operation succeeds again (an INFO with its length
// and the operations refused). An outage that ends and starts again within
// outageLogEvery of the last line is counted, not logged.
type health struct {
	log  *slog.Logger
	now  func() time.Time
	down atomic.Bool // the cheap test of every successful operation

	mu       sync.Mutex
	since    time.Time // the outage's start
	refused  int       // operations refused since the last line
	total    int       // operations refused in the outage
	lastLine time.Time // when the last outage line was written
	started  bool      // the outage's start was logged (so its end is)
}

func newHealth(log *slog.Logger) *health {
	return &health{log: log, now: time.Now}
}

// failed records an operation that found the database unavailable.
func (h *health) failed(cause error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	h.refused++
	h.total++
	quiet := !h.lastLine.IsZero() && now.Sub(h.lastLine) < outageLogEvery
	if !h.down.Load() {
		h.down.Store(true)
		h.since, h.total, h.started = now, 1, !quiet
		if quiet {
			return
		}
		h.log.Error("database unavailable: answering 503 until it answers again", "err", cause)
	} else if quiet {
		return
	} else {
		h.log.Error("database still unavailable", "for", now.Sub(h.since).Round(time.Millisecond), "refused", h.refused, "err", cause)
		h.started = true
	}
	h.lastLine, h.refused = now, 0
}

// ok records an operation the database answered.
func (h *health) ok() {
	if !h.down.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down.Load() {
		return
	}
	h.down.Store(false)
	if h.started {
		now := h.now()
		h.log.Info("database available again", "after", now.Sub(h.since).Round(time.Millisecond), "refused", h.total)
		h.lastLine = now
	}
	h.refused, h.started = 0, false
}
