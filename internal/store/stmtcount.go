package store

import (
	"strings"
	"sync/atomic"
)

// StatementCounts are the SQL statements a SQLite store ran, counted where
// they pass through conn (BEGIN and COMMIT are not counted): on the one
// writer connection and on the read pool. Tests use them to pin what one
// request costs the database (TestTicketStatements); PostgreSQL's are not
// counted.
type StatementCounts struct {
	Writer, Reader int64
}

// stmtCounter counts one pool's statements and, while a test watches
// (Store.WatchStatements), hands each to it.
type stmtCounter struct {
	n     atomic.Int64
	watch atomic.Pointer[func(string)]
}

func (sc *stmtCounter) add(query string) {
	sc.n.Add(1)
	if w := sc.watch.Load(); w != nil {
		(*w)(strings.Join(strings.Fields(query), " "))
	}
}

// Statements returns the statements the store ran so far.
func (s *Store) Statements() StatementCounts {
	var out StatementCounts
	if s.stmts != nil {
		out.Writer = s.stmts.count.n.Load()
	}
	if s.rstmts != nil {
		out.Reader = s.rstmts.count.n.Load()
	}
	return out
}

// WatchStatements calls fn with each statement the store runs from now on,
// its white space collapsed, writer telling which pool ran it, until the
// returned function is called (tests; SQLite only). fn runs on the
// goroutine that runs the statement.
func (s *Store) WatchStatements(fn func(writer bool, query string)) (stop func()) {
	w := func(q string) { fn(true, q) }
	r := func(q string) { fn(false, q) }
	if s.stmts != nil {
		s.stmts.count.watch.Store(&w)
	}
	if s.rstmts != nil {
		s.rstmts.count.watch.Store(&r)
	}
	return func() {
		if s.stmts != nil {
			s.stmts.count.watch.Store(nil)
		}
		if s.rstmts != nil {
			s.rstmts.count.watch.Store(nil)
		}
	}
}
