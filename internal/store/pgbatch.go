package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// A new lead on PostgreSQL in two round trips (docs/benchmarks.md, "Lead
// creation on PostgreSQL"). One statement at a time, the complex lead took
// 15 round trips (BEGIN, the client's key locks, its candidates, an
// INSERT … RETURNING id per row, each waiting for the id of the one before,
// COMMIT), and the server and PostgreSQL spent much of their CPU passing
// the turn back and forth. Here the first round trip begins the
// transaction, takes the key locks and every id the rows need from their
// sequences (one statement), and reads the candidates; the second inserts
// the rows, a multi-row INSERT per table, and commits. The rows are those
// CreateLead writes on SQLite, built by the same functions (clientRow, leadRow,
// taskRow…). Only the creation of a lead takes this path: it is the write
// that comes in volume. Concurrent creations share the two round trips of
// one transaction: see pgcombine.go (createLeadsPostgres).

// idSequence is the sequence of the identity column id of table, as
// PostgreSQL names it (TestIDSequences). A name written in the statement
// is resolved once, when it is prepared: pg_get_serial_sequence looked it
// up in the catalog at every call.
func idSequence(table string) string { return table + "_id_seq" }

// pgBatch is statements written with ? placeholders sent to PostgreSQL
// together, in one round trip (conn.sendBatch).
type pgBatch struct {
	b   pgx.Batch
	err error // an argument checkArgs refused: nothing is sent
}

// exec queues a statement whose rows, if any, are not read.
func (b *pgBatch) exec(query string, args ...any) {
	b.b.Queue(rebind(query), b.check(args)...)
}

// query queues a query and calls fn on each of its rows.
func (b *pgBatch) query(query string, args []any, fn func(pgx.Rows) error) {
	b.b.Queue(rebind(query), b.check(args)...).Query(func(r pgx.Rows) error {
		for r.Next() {
			if err := fn(r); err != nil {
				return err
			}
		}
		return r.Err()
	})
}

// check returns args as checkArgs does, keeping the first error it gives.
func (b *pgBatch) check(args []any) []any {
	args, err := checkArgs(args)
	if err != nil && b.err == nil {
		b.err = err
	}
	return args
}

// writeBatched is writePostgres for a write whose statements go in
// batches (createLeadsPostgres): fn's first batch begins the transaction
// (BEGIN first) and its last commits it (commitBatch), which saves the two
// round trips of BEGIN and COMMIT alone. What it returns is what happened,
// as with writePostgres: fn's statements run under ctx, and the caller who
// went away before the last batch gets ctx's error and nothing is written;
// the last batch, its statements with COMMIT, runs to its end once sent;
// a connection that breaks during it leaves the outcome unknown.
func (s *Store) writeBatched(ctx context.Context, fn func(conn) error) error {
	opCtx, cancel := s.deadline(ctx)
	defer cancel()
	commitCtx := context.WithoutCancel(ctx)
	if s.opt.timeout > 0 {
		var cancelCommit context.CancelFunc
		commitCtx, cancelCommit = context.WithTimeout(commitCtx, 2*s.opt.timeout)
		defer cancelCommit()
	}
	for attempt := 0; ; attempt++ {
		tx := &pgTx{ctx: ctx, commitCtx: commitCtx}
		err := s.runBatched(opCtx, tx, fn)
		switch {
		case err == nil:
			s.health.ok()
			return nil
		case errors.Is(err, errOutcomeUnknown):
			return err
		case !errors.Is(err, driver.ErrBadConn):
			return s.checked(ctx, err)
		case ctx.Err() != nil:
			return ctx.Err() // the cancellation broke the connection: nothing was committed
		case tx.commitSent || attempt == 2:
			return s.checked(ctx, err)
		}
		// A pooled connection closed since its last use (see
		// writePostgres): nothing was written, fn runs again on another.
	}
}

// runBatched runs fn on a connection of the pool and rolls back what it
// began and did not commit before the connection goes back to the pool.
func (s *Store) runBatched(opCtx context.Context, tx *pgTx, fn func(conn) error) error {
	sc, err := s.db.Conn(opCtx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer sc.Close()
	defer tx.end(sc)
	return runSafely(fn, conn{ctx: opCtx, q: sc, pg: true, sc: sc, btx: tx})
}

// pgTx is the transaction of a batched write (writeBatched).
type pgTx struct {
	ctx        context.Context // the caller's
	commitCtx  context.Context // the last batch's: without ctx's cancellation
	commitSent bool            // the last batch was sent, COMMIT with it
	committed  bool
}

// end rolls back the transaction on sc unless it committed; a connection
// on which that fails is closed rather than pooled.
func (tx *pgTx) end(sc *sql.Conn) {
	if tx.committed {
		return
	}
	_ = sc.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn().PgConn()
		if pc.IsClosed() {
			return driver.ErrBadConn
		}
		if pc.TxStatus() == 'I' {
			return nil
		}
		if err := pc.Exec(tx.commitCtx, "ROLLBACK").Close(); err != nil || pc.TxStatus() != 'I' {
			return driver.ErrBadConn
		}
		return nil
	})
}

// sendBatch runs b's statements, in order, on c's connection under ctx,
// and returns the first error. A statement that fails leaves the
// transaction aborted, and the statements after it do not run.
func (c conn) sendBatch(ctx context.Context, b *pgBatch) error {
	if b.err != nil {
		return b.err
	}
	if c.btx == nil {
		return fmt.Errorf("store: a batch outside a batched write")
	}
	return c.sc.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		err := pc.SendBatch(ctx, &b.b).Close()
		if err != nil && pc.IsClosed() {
			// as database/sql would report it (see writeBatched)
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		return err
	})
}

// commitBatch runs b's statements and commits the transaction, unless the
// caller went away before (ctx's error: the transaction is rolled back).
func (c conn) commitBatch(b *pgBatch) error {
	if err := c.btx.ctx.Err(); err != nil {
		return err
	}
	if b.err != nil {
		return b.err
	}
	b.b.Queue("COMMIT").Exec(func(tag pgconn.CommandTag) error {
		if tag.String() != "COMMIT" {
			return pgx.ErrTxCommitRollback
		}
		c.btx.committed = true
		return nil
	})
	c.btx.commitSent = true
	err := c.sendBatch(c.btx.commitCtx, b)
	if err == nil && !c.btx.committed {
		err = errors.New("store: the batch did not commit")
	}
	var refused *pgconn.PgError
	switch {
	case c.btx.committed:
		return nil // committed: whatever the rest of the exchange did
	case errors.As(err, &refused), errors.Is(err, pgx.ErrTxCommitRollback):
		return err // the server answered: rolled back
	case c.inTransaction():
		// the connection is whole and still in the transaction: COMMIT did
		// not run (a value pgx refused to encode, say, and nothing was sent)
		return err
	default:
		return fmt.Errorf("store: commit, %w: %w", errOutcomeUnknown, err)
	}
}

// inTransaction reports whether c's connection is open and, as its server
// last said, in a transaction.
func (c conn) inTransaction() bool {
	in := false
	_ = c.sc.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn().PgConn()
		in = !pc.IsClosed() && pc.TxStatus() != 'I'
		return nil
	})
	return in
}

// pgRows are rows to insert with ids taken ahead (createLeadsPostgres).
type pgRows struct {
	ids    map[string][]int64 // the ids not given yet, by table
	tables []string           // the tables, in the order of their first row
	rows   map[string][]newRow
	err    error
}

// add gives r the next id taken for its table, calls r.stored with it and
// keeps r to insert.
func (p *pgRows) add(r newRow) {
	ids := p.ids[r.table]
	if len(ids) == 0 {
		if p.err == nil {
			p.err = fmt.Errorf("store: no id taken ahead for a row of %s", r.table)
		}
		return
	}
	p.ids[r.table] = ids[1:]
	r.args = append([]any{ids[0]}, r.args...)
	r.stored(ids[0])
	if p.rows == nil {
		p.rows = map[string][]newRow{}
	}
	if _, seen := p.rows[r.table]; !seen {
		p.tables = append(p.tables, r.table)
	}
	p.rows[r.table] = append(p.rows[r.table], r)
}

// maxParams is how many parameters PostgreSQL takes in one statement.
const maxParams = 65535

// queue queues the INSERTs of the rows of each table, in the order the
// tables came (the rows a row refers to come first): as one statement,
// the INSERT of each table but the last a data-modifying WITH of the
// last's, when their parameters fit in one; else an INSERT per table, and
// per maxParams parameters. One statement instead of one per table saves
// PostgreSQL the work of each statement (its bind, executor start and
// end, locks of the tables and their indexes; docs/benchmarks.md, "Fewer
// indexes and statements per lead"). The rows are the same either way:
// the statements of WITH all run, and the foreign keys are checked at the
// end of the statement, when every row is in.
func (p *pgRows) queue(b *pgBatch) {
	n := 0
	for _, table := range p.tables {
		n += len(p.rows[table]) * len(p.rows[table][0].args)
	}
	if n > maxParams {
		p.queueApart(b)
		return
	}
	args := make([]any, 0, n)
	for _, table := range p.tables {
		for _, r := range p.rows[table] {
			args = append(args, r.args...)
		}
	}
	b.check(args)
	b.b.Queue(p.statement(), args...)
}

// statement returns queue's statement for p's rows, rebound ($1…), from
// leadStatements when its shape (the tables and their numbers of rows)
// was seen before.
func (p *pgRows) statement() string {
	var key strings.Builder
	for _, table := range p.tables {
		key.WriteString(table)
		key.WriteByte(' ')
		key.WriteString(strconv.Itoa(len(p.rows[table])))
		key.WriteByte(' ')
	}
	leadStatements.Lock()
	q, ok := leadStatements.m[key.String()]
	leadStatements.Unlock()
	if ok {
		return q
	}
	var b strings.Builder
	last := len(p.tables) - 1
	for i, table := range p.tables[:last] {
		if i == 0 {
			b.WriteString("WITH ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString("i" + strconv.Itoa(i) + " AS (")
		appendInsert(&b, nil, table, p.rows[table])
		b.WriteString(") ")
	}
	appendInsert(&b, nil, p.tables[last], p.rows[p.tables[last]])
	q = rebind(b.String())
	leadStatements.Lock()
	if len(leadStatements.m) < maxLeadStatements {
		leadStatements.m[key.String()] = q
	}
	leadStatements.Unlock()
	return q
}

// leadStatements are the texts of pgRows.statement by the shape of their
// rows: the leads an API creates come in a few shapes, and building the
// text of each cost the server ~11 KB of allocations per lead. At most
// maxLeadStatements are kept: a shape beyond them is built each time.
var leadStatements = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

const maxLeadStatements = 256

// queueApart queues an INSERT of the rows of each table, in the order the
// tables came, as many as maxParams allows in one statement.
func (p *pgRows) queueApart(b *pgBatch) {
	for _, table := range p.tables {
		rows := p.rows[table]
		per := maxParams / len(rows[0].args)
		for len(rows) > 0 {
			n := min(len(rows), per)
			var q strings.Builder
			args := appendInsert(&q, nil, table, rows[:n])
			b.exec(q.String(), args...)
			rows = rows[n:]
		}
	}
}

// appendInsert writes to q the INSERT of rows, all of table, with ?
// placeholders, and returns args with their arguments appended.
func appendInsert(q *strings.Builder, args []any, table string, rows []newRow) []any {
	q.WriteString("INSERT INTO " + table + " (id, " + rows[0].cols + ") VALUES ")
	for i, r := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(in(len(r.args)))
		args = append(args, r.args...)
	}
	return args
}
