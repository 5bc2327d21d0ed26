package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxBatch is how many write requests the SQLite writer commits together at
// most.
const maxBatch = 128

// errClosed answers writes made after Close.
var errClosed = errors.New("store: closed")

// writeRequest is one call of write waiting for the SQLite writer.
type writeRequest struct {
	ctx  context.Context
	fn   func(conn) error
	done chan error // buffered: the writer never blocks on a waiter that left
	writeOpts
}

// writeOpts describe a write request to the SQLite writer.
type writeOpts struct {
	// appendOnly: fn only inserts new rows (CreateLead), so the leads not
	// in leads_fts yet may stay out of it while it runs.
	appendOnly bool
	// rerunnable: fn may run again after its transaction was rolled back,
	// with the same effect: it does not decide anything from what an earlier
	// run wrote into its arguments (see commitBatch).
	rerunnable bool
}

// write runs fn in a write transaction and returns its error, or the error
// of committing it. What it returns is what happened: nil when fn's
// changes were committed, an error when nothing of them was (on
// PostgreSQL, but for a connection lost during COMMIT: see writePostgres).
// A caller whose ctx ends while its write is under way gets the write's
// outcome, not ctx's error: reporting an error for a committed write would
// make a client that retries it write it twice.
//
// On PostgreSQL it is a plain transaction on the pool. On SQLite the request
// goes to the one writer goroutine, which commits up to maxBatch waiting
// requests in one transaction (group commit): each runs inside its own
// SAVEPOINT (or the batch runs again that way when one fails, see
// commitBatch), so one that fails is rolled back alone while the others
// commit; each waiter is answered after COMMIT, and all of them get the
// error if COMMIT fails. fn runs with a context that keeps ctx's values but
// not its cancellation, because interrupting one statement could roll back
// the whole batch; a request whose ctx is done before its turn is skipped
// and answered with ctx's error. Once the writer has taken a request, its
// caller waits for that answer whatever becomes of ctx.
// fn must not call the Store's write methods (it would wait for itself).
func (s *Store) write(ctx context.Context, fn func(conn) error) error {
	return s.writeWith(ctx, writeOpts{}, fn)
}

// writeWith is write for a request with these options.
func (s *Store) writeWith(ctx context.Context, opts writeOpts, fn func(conn) error) error {
	if s.engine == Postgres {
		return s.writePostgres(ctx, fn)
	}
	r := &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1), writeOpts: opts}
	select {
	case s.writes <- r:
	case <-s.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err() // not handed over: nothing written
	}
	// The writer answers every request it took, after COMMIT or after
	// skipping it; Close waits for the batch under way.
	return s.checked(ctx, <-r.done)
}

// writePostgres runs fn in a transaction of the pool. The statements of fn
// run under ctx, so a caller that goes away stops them and nothing is
// written; COMMIT does not: cancelled while COMMIT is under way, pgx
// would answer ctx's error whether or not the server committed. So ctx is
// checked once fn is done, and COMMIT runs to its end. What remains is a
// connection that breaks during COMMIT (the server or the network going
// down at that moment): the error then says the outcome is unknown ("store:
// commit, outcome unknown"), as any client of a remote database must.
//
// The store's timeout (WithTimeout) bounds the wait for a connection and
// fn's statements, and COMMIT as much again, so that a database that
// hangs answers Unavailable in time, or an unknown outcome from COMMIT.
func (s *Store) writePostgres(ctx context.Context, fn func(conn) error) (err error) {
	opCtx, cancel := s.deadline(ctx)
	defer cancel()
	// The connection is waited for under ctx; the transaction runs on it
	// under a context without ctx's cancellation, which database/sql would
	// otherwise turn into a rollback racing the COMMIT.
	txCtx := context.WithoutCancel(ctx)
	if s.opt.timeout > 0 {
		var cancelTx context.CancelFunc
		txCtx, cancelTx = context.WithTimeout(txCtx, 2*s.opt.timeout)
		defer cancelTx()
	}
	var sc *sql.Conn
	var tx *sql.Tx
	// A pooled connection may have been closed since its last use (pgx
	// closes one whose statement was cancelled): take another.
	for attempt := 0; ; attempt++ {
		if sc, err = s.db.Conn(opCtx); err != nil {
			return s.checked(ctx, fmt.Errorf("store: begin: %w", err))
		}
		if tx, err = sc.BeginTx(txCtx, nil); err == nil {
			break
		}
		sc.Close()
		if !errors.Is(err, driver.ErrBadConn) || attempt == 2 {
			return s.checked(ctx, fmt.Errorf("store: begin: %w", err))
		}
	}
	defer sc.Close()
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := runSafely(fn, conn{ctx: opCtx, q: tx, pg: true}); err != nil {
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, driver.ErrBadConn) {
			// the cancellation broke the statement's connection: nothing
			// was committed
			return cerr
		}
		return s.checked(ctx, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		var refused *pgconn.PgError
		if errors.As(err, &refused) || errors.Is(err, pgx.ErrTxCommitRollback) {
			return fmt.Errorf("store: commit: %w", err) // the server answered: rolled back
		}
		return fmt.Errorf("store: commit, %w: %w", errOutcomeUnknown, err)
	}
	s.health.ok()
	return nil
}

func (s *Store) startWriter(ctx context.Context) error {
	// Leads a previous run created but did not index are indexed as soon as
	// the writer is idle.
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM leads WHERE id > (SELECT indexed_upto FROM lead_search_state)`).Scan(&s.unindexed)
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	if err := ftsNoAutomerge(ctx, s.db); err != nil {
		return fmt.Errorf("store: open sqlite: search index: %w", err)
	}
	s.ftsUnmerged = true // whatever a previous run left
	s.writes = make(chan *writeRequest)
	s.quit = make(chan struct{})
	s.writerEnd = make(chan struct{})
	s.stmts = newStmtCache()
	go s.writer()
	return nil
}

// The trigram index leads_fts takes new leads in chunks (migration 0006):
// FTS5 writes a segment of its index per transaction and merges them as
// they pile up, so indexing the few leads of every batch cost a lot more
// than indexing many at once. The writer indexes the leads that are not in
// it yet when about indexChunk of them are waiting (Store.unindexed counts
// those this process created), before any write that may change or delete
// a lead (an FTS5 index with external content must only be told to delete
// what it holds), and when no write came for indexIdle.
// Searches find the leads in between by testing them row by row. When the
// leads are indexed and no write came for indexIdle, the writer merges the
// index's segments, a step at a time (ftsmerge.go).
const (
	indexChunk = 256
	indexIdle  = 20 * time.Millisecond
)

// writer is the SQLite writer goroutine. The channel is unbuffered, so the
// requests it drains after the first are exactly the callers already
// waiting: under load batches grow by themselves, idle a request is
// committed at once.
func (s *Store) writer() {
	defer close(s.writerEnd)
	defer s.stmts.close()
	batch := make([]*writeRequest, 0, maxBatch)
	idle := time.NewTimer(indexIdle)
	idle.Stop()
	optimize := time.NewTicker(optimizeEvery)
	defer optimize.Stop()
	for {
		batch = batch[:0]
		if s.unindexed > 0 || s.ftsUnmerged {
			idle.Reset(indexIdle)
		}
		select {
		case <-s.quit:
			if s.unindexed > 0 {
				s.indexNow()
			}
			return
		case <-idle.C:
			if s.unindexed > 0 {
				s.indexNow()
			} else {
				s.ftsUnmerged = s.ftsMergeStep()
			}
			continue
		case <-optimize.C:
			s.optimize()
			continue
		case r := <-s.writes:
			idle.Stop()
			batch = append(batch, r)
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
		s.stmts.prepare(s.db)
	}
}

// commitBatch runs batch in one transaction and answers every request.
//
// A batch of one request, or of requests that are all rerunnable, runs
// without savepoints: a SAVEPOINT per request cost a statement or two and
// a copy of every page the request changed. When one of them fails, the
// transaction is rolled back and the batch runs again with savepoints.
func (s *Store) commitBatch(batch []*writeRequest) {
	s.writeRequests.Add(int64(len(batch)))
	direct := true
	for _, r := range batch {
		direct = direct && r.rerunnable
	}
	if len(batch) == 1 || !direct {
		s.runBatch(batch, len(batch) > 1)
		return
	}
	if s.runBatch(batch, false) {
		s.runBatch(batch, true)
	}
}

// runBatch runs batch in one transaction, each request inside its own
// savepoint when savepoints is true, and answers every request. Without
// savepoints, a request of a batch of more than one that fails rolls the
// transaction back and runBatch returns true without answering anyone.
func (s *Store) runBatch(batch []*writeRequest, savepoints bool) (retry bool) {
	s.batches.Add(1)
	results := make([]error, len(batch))
	answer := func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	fail := func(err error) {
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
		answer()
	}

	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("store: begin: %w", err))
		return false
	}
	committed := 0
	unindexed := s.unindexed // leads not in leads_fts, once committed
	indexed := false         // leads_fts got a segment
	bc := conn{ctx: context.Background(), q: tx, tx: tx, stmts: s.stmts}
	exec := func(query string) error {
		_, err := bc.exec(query)
		return err
	}
	flush := func() bool {
		if err := indexLeads(bc); err != nil {
			tx.Rollback()
			fail(fmt.Errorf("store: index leads: %w", err))
			return false
		}
		indexed = indexed || unindexed > 0
		unindexed = 0
		return true
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		// Whatever the count says (another process may have written to
		// the file), the leads a change may touch are indexed first.
		if !r.appendOnly && !flush() {
			return false
		}
		created := 0
		c := conn{ctx: context.WithoutCancel(r.ctx), q: tx, tx: tx, stmts: s.stmts, created: &created}
		if !savepoints {
			if err := runSafely(r.fn, c); err != nil {
				tx.Rollback()
				if len(batch) > 1 {
					return true
				}
				results[i] = err
				answer()
				return false
			}
			committed++
			unindexed += created
			continue
		}
		if err := exec("SAVEPOINT w"); err != nil {
			tx.Rollback()
			fail(fmt.Errorf("store: savepoint: %w", err))
			return false
		}
		if err := runSafely(r.fn, c); err != nil {
			results[i] = err
			if err := exec("ROLLBACK TO w"); err != nil {
				tx.Rollback()
				fail(fmt.Errorf("store: rollback to savepoint: %w", err))
				return false
			}
		} else {
			committed++
			unindexed += created
		}
		if err := exec("RELEASE w"); err != nil {
			tx.Rollback()
			fail(fmt.Errorf("store: release savepoint: %w", err))
			return false
		}
	}
	if committed == 0 {
		tx.Rollback()
		answer()
		return false
	}
	if unindexed >= indexChunk && !flush() {
		return false
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("store: commit: %w", err))
		return false
	}
	s.unindexed = unindexed
	s.ftsUnmerged = s.ftsUnmerged || indexed
	answer()
	return false
}

// optimizeEvery is how often the SQLite writer refreshes the planner's
// statistics (PRAGMA optimize, which analyses only the tables that changed
// enough since): without them SQLite picked, for a lead list filtered by
// stage and score in the order of updated_at, the index of the score and a
// sort of 40,000 leads (856 ms at 100,000 leads) over the walk of the
// updated_at index (8 ms). A connection loads the statistics when it opens,
// so the read pool's connections are reopened as often (options.readerLife):
// a server started on a small database and grown to 100,000 leads otherwise
// kept planning with the small one's, and LeanCore's phone lookup walked
// every lead of the dealer (2 s instead of 7 ms; TestReadersReloadStatistics).
const optimizeEvery = 5 * time.Minute

// optimize refreshes the planner's statistics of the tables that need it,
// reading at most analysisLimit rows of each index, so that it holds the
// writer for a few milliseconds. A failure leaves it for the next time.
func (s *Store) optimize() {
	if _, err := s.db.Exec(`PRAGMA analysis_limit = 1000`); err == nil {
		_, _ = s.db.Exec(`PRAGMA optimize`)
	}
}

// indexNow indexes the leads not in leads_fts in a transaction of its own.
// When it fails they stay for the next try.
func (s *Store) indexNow() {
	s.batches.Add(1)
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return
	}
	if err := indexLeads(conn{ctx: context.Background(), q: tx, tx: tx, stmts: s.stmts}); err != nil {
		tx.Rollback()
		return
	}
	if tx.Commit() == nil {
		s.unindexed = 0
		s.ftsUnmerged = true
	}
}

// runSafely runs fn, turning a panic into an error so that the writer
// goroutine survives it.
func runSafely(fn func(conn) error, c conn) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: panic in write: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(c)
}

// readTx runs fn on one read-only snapshot: a transaction of the read pool.
func (s *Store) readTx(ctx context.Context, fn func(conn) error) error {
	opCtx, cancel := s.deadline(ctx)
	defer cancel()
	tx, err := s.read.BeginTx(opCtx, &sql.TxOptions{ReadOnly: s.engine == Postgres})
	if err != nil {
		return s.checked(ctx, fmt.Errorf("store: begin read: %w", err))
	}
	defer tx.Rollback()
	return s.checked(ctx, fn(conn{ctx: opCtx, q: tx, pg: s.engine == Postgres, tx: tx, rstmts: s.rstmts}))
}

// readDirect runs fn's reads on the read pool, each statement on its own
// (no transaction, no snapshot shared between them).
func (s *Store) readDirect(ctx context.Context, fn func(conn) error) error {
	opCtx, cancel := s.deadline(ctx)
	defer cancel()
	return s.checked(ctx, fn(s.reader(opCtx)))
}

// indexLeads adds the leads that are not in the trigram index leads_fts
// to it, in one statement, and moves the mark of the leads indexed
// (migration 0006); with none to add it writes nothing. Migration 0003
// dropped the trigger that indexed each lead as it was inserted: FTS5
// writes what it holds in memory to a new segment of the index at every
// statement that opens a statement journal, so indexing lead by lead wrote
// one segment per lead and kept merging them.
func indexLeads(c conn) error {
	if _, err := c.exec(`INSERT INTO leads_fts (rowid, client_name, client_phone, client_email, search_text, dealer_tag)
		SELECT id, client_name, client_phone, client_email, search_text, dealer_tag FROM leads
		WHERE id > (SELECT indexed_upto FROM lead_search_state)`); err != nil {
		return err
	}
	_, err := c.exec(`UPDATE lead_search_state SET indexed_upto = (SELECT max(id) FROM leads)
		WHERE indexed_upto < (SELECT max(id) FROM leads)`)
	return err
}

// leadCreated records that leads were inserted, which indexLeads will add
// to leads_fts.
func (c conn) leadCreated(ids ...int64) {
	if c.created != nil {
		*c.created += len(ids)
	}
}
