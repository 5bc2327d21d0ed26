package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"forecourt/internal/core"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs queries written with ? placeholders on a pool or a transaction,
// rebinding them for PostgreSQL.
type conn struct {
	ctx context.Context
	q   querier
	pg  bool

	// On the SQLite writer: its transaction and statement cache, and how
	// many leads the request created (see indexLeads).
	tx      *sql.Tx
	stmts   *stmtCache
	created *int
	// In a read transaction: the read pool's statement cache.
	rstmts *readStmts
	// In a batched write on PostgreSQL: its connection and transaction
	// (pgbatch.go).
	sc  *sql.Conn
	btx *pgTx
}

// readStmts keeps the read pool's statements prepared. database/sql
// prepares a *sql.Stmt once on each connection that runs it, so one cache
// serves the whole pool. A statement missing from it is prepared by a
// goroutine that holds no connection: preparing on the pool from inside a
// read transaction could wait forever for a connection while every
// connection is held by a transaction doing the same.
type readStmts struct {
	db     *sql.DB
	mu     sync.RWMutex
	stmts  map[string]*sql.Stmt
	wanted chan string
	quit   chan struct{}
	done   chan struct{}
	count  stmtCounter // statements run, see stmtcount.go
}

func newReadStmts(db *sql.DB) *readStmts {
	r := &readStmts{db: db, stmts: map[string]*sql.Stmt{}, wanted: make(chan string, 64),
		quit: make(chan struct{}), done: make(chan struct{})}
	go r.preparer()
	return r
}

func (r *readStmts) preparer() {
	defer close(r.done)
	for {
		select {
		case <-r.quit:
			return
		case q := <-r.wanted:
			r.mu.RLock()
			_, have := r.stmts[q]
			full := len(r.stmts) >= maxCachedStmts
			r.mu.RUnlock()
			if have || full {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			st, err := r.db.PrepareContext(ctx, q)
			cancel()
			if err != nil {
				continue
			}
			r.mu.Lock()
			r.stmts[q] = st
			r.mu.Unlock()
		}
	}
}

// get returns query prepared on the pool, or nil after asking for it to be
// prepared.
func (r *readStmts) get(query string) *sql.Stmt {
	r.mu.RLock()
	st := r.stmts[query]
	r.mu.RUnlock()
	if st == nil {
		select {
		case r.wanted <- query:
		default:
		}
	}
	return st
}

func (r *readStmts) close() {
	close(r.quit)
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.stmts {
		st.Close()
	}
}

// maxCachedStmts bounds the writer's statement cache; queries built with
// IN lists of varying length mostly stay out of it.
const maxCachedStmts = 512

// stmtCache keeps the writer's statements prepared: parsing SQL took a
// third of the writer's time. A query seen in a transaction is prepared
// after it (preparing on the pool needs the one connection the transaction
// holds) and reused on later ones. Only the writer goroutine uses it.
type stmtCache struct {
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
	count  stmtCounter // statements run, see stmtcount.go
}

func newStmtCache() *stmtCache {
	return &stmtCache{stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// stmt returns query prepared for c's transaction, or nil when it is not
// prepared yet.
func (c conn) stmt(query string) *sql.Stmt {
	if c.rstmts != nil {
		c.rstmts.count.add(query)
		st := c.rstmts.get(c.bind(query))
		if st != nil && c.tx != nil {
			return c.tx.StmtContext(c.ctx, st)
		}
		return st
	}
	if c.stmts == nil {
		return nil
	}
	c.stmts.count.add(query)
	if st, ok := c.stmts.stmts[query]; ok {
		return c.tx.StmtContext(c.ctx, st)
	}
	if len(c.stmts.stmts)+len(c.stmts.wanted) < maxCachedStmts {
		c.stmts.wanted[query] = true
	}
	return nil
}

// prepare prepares the queries seen since the last call; db's connection
// must be free.
func (sc *stmtCache) prepare(db *sql.DB) {
	for q := range sc.wanted {
		if st, err := db.Prepare(q); err == nil {
			sc.stmts[q] = st
		}
		delete(sc.wanted, q)
	}
}

func (sc *stmtCache) close() {
	for _, st := range sc.stmts {
		st.Close()
	}
}

func (s *Store) reader(ctx context.Context) conn {
	return conn{ctx: ctx, q: s.read, pg: s.engine == Postgres, rstmts: s.rstmts}
}

func (c conn) bind(query string) string {
	if c.pg {
		return rebind(query)
	}
	return query
}

// errNUL refuses text with a NUL character: PostgreSQL cannot store it
// ("invalid byte sequence for encoding UTF8: 0x00") and SQLite's FTS5
// MATCH fails on it, which would otherwise come back as Internal.
var errNUL = &core.Error{Code: core.Invalid, Message: "text contains a NUL character"}

// checkArgs refuses any string argument containing a NUL character, and
// returns args with every text argument in NFC (core.NFC): every write and
// every search term, filter value and query-model value reaches the
// database as an argument of conn or pgBatch, so this is the one place
// where no text, whichever API or Service method brought it, gets past the
// rule (docs/decisions.md, "One form for Unicode text"). args itself is
// not changed: a text that needs normalising makes a copy.
func checkArgs(args []any) ([]any, error) {
	out, copied := args, false
	for i, a := range args {
		var s, n string
		switch v := a.(type) {
		case string:
			s = v
		case *string:
			if v == nil {
				continue
			}
			s = *v
		default:
			continue
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, errNUL
		}
		if n = core.NFC(s); n == s {
			continue
		}
		if !copied {
			out, copied = slices.Clone(args), true
		}
		out[i] = n
	}
	return out, nil
}

func (c conn) exec(query string, args ...any) (sql.Result, error) {
	args, err := checkArgs(args)
	if err != nil {
		return nil, err
	}
	if st := c.stmt(query); st != nil {
		return st.ExecContext(c.ctx, args...)
	}
	return c.q.ExecContext(c.ctx, c.bind(query), args...)
}

func (c conn) query(query string, args ...any) (*sql.Rows, error) {
	args, err := checkArgs(args)
	if err != nil {
		return nil, err
	}
	if st := c.stmt(query); st != nil {
		return st.QueryContext(c.ctx, args...)
	}
	return c.q.QueryContext(c.ctx, c.bind(query), args...)
}

// row is a *sql.Row, or the error that kept the query from running.
type row struct {
	r   *sql.Row
	err error
}

// Scan is sql.Row.Scan.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (c conn) row(query string, args ...any) row {
	args, err := checkArgs(args)
	if err != nil {
		return row{err: err}
	}
	if st := c.stmt(query); st != nil {
		return row{r: st.QueryRowContext(c.ctx, args...)}
	}
	return row{r: c.q.QueryRowContext(c.ctx, c.bind(query), args...)}
}

// insert runs an INSERT and returns the id it assigned. query must not end
// with RETURNING: on PostgreSQL insert adds it. On SQLite it reads the
// rowid instead: RETURNING is run as a trigger program, which gives every
// INSERT a statement journal and makes SQLite call xSavepoint on the
// virtual tables of the transaction, so that FTS5 flushed leads_fts before
// each statement. An upsert (ON CONFLICT) keeps RETURNING: SQLite does not
// set the rowid when it updates.
func (c conn) insert(query string, args ...any) (int64, error) {
	args, err := checkArgs(args)
	if err != nil {
		return 0, err
	}
	if c.pg || strings.Contains(query, "ON CONFLICT") {
		var id int64
		err := c.row(query+" RETURNING id", args...).Scan(&id)
		return id, err
	}
	res, err := c.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// newRow is a row to insert: its table, its columns but the id, their
// values, and what to set once it has its id. insertRow inserts one; on
// PostgreSQL a new lead's rows go together (pgbatch.go).
type newRow struct {
	table, cols string
	args        []any
	stored      func(id int64)
}

// insertRow inserts r and calls r.stored with the id assigned.
func (c conn) insertRow(r newRow) error {
	id, err := c.insert(r.insertSQL(), r.args...)
	if err != nil {
		return err
	}
	r.stored(id)
	return nil
}

// insertSQLs are the INSERT statements of insertRow, by table and columns,
// built once: building them for every row cost SQLite's creation of a
// lead 10 % more allocations.
var insertSQLs struct {
	sync.RWMutex
	m map[[2]string]string
}

func (r newRow) insertSQL() string { return multiInsertSQL(r, 1) }

// insertWithID runs an INSERT of table that names the id column first when id
// is not zero (reference data keeps the ids other systems gave it) and lets
// the database assign one otherwise. cols and args exclude the id.
func (c conn) insertWithID(table string, id int64, cols string, args ...any) (int64, error) {
	if id == 0 {
		return c.insert("INSERT INTO "+table+" ("+cols+") VALUES "+in(len(args)), args...)
	}
	args = append([]any{id}, args...)
	got, err := c.insert("INSERT INTO "+table+" (id, "+cols+") VALUES "+in(len(args)), args...)
	if err != nil {
		return 0, err
	}
	if c.pg {
		// An explicit id does not advance the identity's sequence.
		if _, err := c.exec("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT max(id) FROM " + table + "))"); err != nil {
			return 0, err
		}
	}
	return got, nil
}

// check fails with NotFound when res touched no row.
func affected(res sql.Result, what string, id any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what, id)
	}
	return nil
}

// rebind turns ? placeholders into $1, $2… outside quoted strings.
func rebind(query string) string {
	if strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	quoted := false
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case ch == '\'':
			quoted = !quoted
			b.WriteByte(ch)
		case ch == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// in returns "(?, ?, …)" with n placeholders.
func in(n int) string {
	if n <= 0 {
		return "(NULL)"
	}
	return "(" + strings.Repeat("?, ", n-1) + "?)"
}

// anys converts ids to query arguments.
func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// page returns the LIMIT/OFFSET clause of p.
func (c conn) page(p core.Page) (string, []any) {
	switch {
	case p.Limit >= 0:
		return " LIMIT ? OFFSET ?", []any{p.Limit, max(p.Offset, 0)}
	case p.Offset <= 0:
		return "", nil
	case c.pg:
		return " OFFSET ?", []any{p.Offset}
	default:
		return " LIMIT -1 OFFSET ?", []any{p.Offset}
	}
}

// contains returns a case-sensitive substring test of column against one
// argument (pass it lower-cased to match lower-cased columns).
func (c conn) contains(column string) string {
	if c.pg {
		return "strpos(" + column + ", ?) > 0"
	}
	return "instr(" + column + ", ?) > 0"
}

// like returns a pattern matching s anywhere, for "lower(col) LIKE ? ESCAPE '\'".
func like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// unicodeLower is the SQLite function the store lower-cases text with
// before comparing it case-insensitively: SQLite's lower() folds ASCII
// letters alone, so "Á" would not find "á". It lower-cases as Go does
// (strings.ToLower), as the store lower-cases the arguments it compares.
const unicodeLower = "unicode_lower"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(unicodeLower, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return foldText(v), nil
		case []byte:
			return foldText(string(v)), nil
		default: // NULL, numbers: no letters to fold
			return v, nil
		}
	})
}

// lower returns the engine's Unicode-aware lower-casing of column.
func lower(pg bool, column string) string {
	if pg {
		return "lower(" + column + ")"
	}
	return unicodeLower + "(" + column + ")"
}

// likeAny returns "(lower(a) LIKE ? ESCAPE '\' OR lower(b) …)" and its
// arguments: s, case aside, is a substring of one of columns.
func likeAny(pg bool, s string, columns ...string) (string, []any) {
	parts := make([]string, len(columns))
	args := make([]any, len(columns))
	for i, col := range columns {
		parts[i] = lower(pg, col) + ` LIKE ? ESCAPE '\'`
		args[i] = like(s)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// searchTerms splits a Search into its terms as DRF's SearchFilter does:
// on whitespace and commas, dropping empty terms.
func searchTerms(search string) []string {
	return strings.FieldsFunc(search, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}

// likeAll returns the condition that every term of search matches, case
// aside, a substring of one of columns (DRF's SearchFilter), and its
// arguments; "" when search has no term.
func likeAll(pg bool, search string, columns ...string) (string, []any) {
	var conds []string
	var args []any
	for _, term := range searchTerms(search) {
		cond, a := likeAny(pg, term, columns...)
		conds, args = append(conds, cond), append(args, a...)
	}
	return strings.Join(conds, " AND "), args
}

// zeroMicros is time.Time{} in unix microseconds.
var zeroMicros = time.Time{}.UnixMicro()

func micros(t time.Time) int64 { return t.UnixMicro() }

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == zeroMicros {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func int64Ptr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

func intPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

// ptrArg turns a nil pointer into NULL and any other into its value.
func ptrArg[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// newPublicID returns a UUIDv7, time-ordered.
func newPublicID() string {
	return uuid.Must(uuid.NewV7()).String()
}

func notFound(what string, id any) *core.Error {
	return &core.Error{Code: core.NotFound, Message: fmt.Sprintf("%s %v not found", what, id)}
}

// dbError classifies err: no rows becomes NotFound for what, a unique
// violation Conflict; anything else is wrapped with op and stays Internal.
func dbError(err error, op, what string, id any) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what, id)
	}
	if isUniqueViolation(err) {
		return &core.Error{Code: core.Conflict, Message: what + " already exists"}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// count runs a SELECT count(*) query.
func (c conn) count(query string, args ...any) (int, error) {
	var n int
	err := c.row(query, args...).Scan(&n)
	return n, err
}
