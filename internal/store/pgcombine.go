package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"forecourt/internal/core"
)

// Lead creations on PostgreSQL combined into one transaction (group
// commit in the server; docs/decisions.md, "Concurrent lead creations in
// one transaction on PostgreSQL"). A lead alone costs PostgreSQL about as
// much for its transaction and statements (opening some 47 relations and
// indexes, executor start and end, protocol, commit and its WAL flush) as
// for its rows (docs/benchmarks.md, "Lead creation on PostgreSQL"). While
// a write is in flight, creations that arrive wait in a queue; the next
// write takes up to combineMax of them and writes them in
// the two round trips of one (createLeadsPostgres): one statement takes
// every key lock and id, one per new client reads its candidates, one
// inserts every row, one readies the deliveries, then COMMIT. A creation
// that finds a writer free goes at once.
//
// Each caller gets what one transaction of its own would have given it:
//   - Leads whose new clients share a key (a phone, an e-mail, a
//     government id) never go in one write: the later waits for the next,
//     so two such leads make one client, as two transactions do. A write's
//     key locks are taken in one order (by value, as clientMatch's), so
//     two writes never wait for each other in a cycle.
//   - Two leads whose new clients match one stored client do not go in one
//     write either: the later is written after, alone.
//   - A lead that fails on its own (a client of another dealer) fails
//     alone; a write refused for any other reason than the database's or
//     the connection's failure (a clash of public ids, a value beyond its
//     column, a deadlock) is written again, one lead per transaction, so
//     only the lead at fault fails (refusedLead).
//   - A caller who goes away while its lead waits, or before the write's
//     COMMIT is sent, gets its context's error and its lead is not
//     written (the write goes on without it); once the COMMIT is sent it
//     gets what happened, as writeBatched says.
//
// Lock order. Several servers may share one database, each with its own
// combiner, so two combined writes may run at once whose leads touch the
// same stored rows; were each to take its locks in the order of its
// leads, two could wait for each other in a cycle, which PostgreSQL
// breaks after deadlock_timeout (1 s) by refusing one, whose leads are
// then written again alone: correct, but a stall of a second for up to
// combineMax callers. So a write takes its locks in one order, the same
// for every write (docs/decisions.md, "Combined lead creations across
// servers: one lock order"):
//  1. the advisory locks of its new clients' keys, in one statement,
//     sorted by value (two writes sharing a key wait there, holding no
//     other lock but keys below it); nextval takes no lock that lasts;
//  2. the candidates of its new clients: read, no lock;
//  3. only when a new client matches a stored one (a merge): the rows of
//     the stored clients it will touch, in one statement in the order of
//     their ids (lockStoredClients): FOR NO KEY UPDATE those merged into,
//     FOR KEY SHARE those its leads name (the lock of the foreign key
//     leads.client_id, which the INSERT would otherwise take after, out
//     of order), and the rows merged into read again under their locks;
//     a write without a merge holds no row lock another write waits for,
//     and takes the foreign key's FOR KEY SHARE at its INSERT, which
//     waits only for a FOR UPDATE or a deletion of the client;
//  4. a lead naming a stored client reads it (existingClient): no lock;
//  5. each merge updates its client (its row locked in 3) and the copies
//     of its name on the client's leads (UPDATE leads … WHERE client_id,
//     their rows FOR NO KEY UPDATE): the rows of a client's leads are
//     locked only by a writer holding the client's row (UpdateLead and
//     MergeClients lock the client first, clientMatch.merge and
//     SaveClient lock it before its leads) or by one that locks that one
//     lead and no client nor other lead after it (EditLead);
//  6. the INSERT of every row: new rows, which no other transaction sees;
//     its foreign keys lock FOR KEY SHARE the clients named (held since
//     3 when the write merges), the dealers' rows (which only
//     RegisterConsumer and job outputs lock FOR UPDATE, waiting for no
//     lead's write) and the consumers' rows (lead_deliveries); a unique
//     index waits only for another transaction inserting the same value:
//     only a public id given twice by callers, a conflict either way;
//  7. COMMIT.
// FOR NO KEY UPDATE, not FOR UPDATE, on a client merged into (here and in
// clientMatch.merge, which a lead alone takes through): FOR UPDATE
// conflicts with the FOR KEY SHARE of another write's lead naming that
// client, and two writes each merging into the client the other's lead
// names waited for each other (TestCombinedOppositeOrdersNoDeadlock).
//
// What the order leaves possible: a merge whose match changed between
// the candidates' read and their lock (another writer changed the
// client's keys meanwhile) locks its client in clientMatch.merge, out of
// the order; another writer whose own order differs (a client merge
// locks both clients FOR UPDATE by id; a client's deletion locks it FOR
// UPDATE, and so does a client's save, which waits for a lead naming it
// to refresh its copies of the client; a contact's write takes it FOR NO
// KEY UPDATE, waiting for no lead); two writes inserting one public
// id given twice. A deadlock there is handled as any refused write: each
// lead of the write is written again alone, so none is lost and only a
// lead at fault fails (TestCombinedDeadlockWrittenAlone); the store counts
// them (leadCombiner.deadlocks).

// combineMax is the most leads one combined write takes; combineWriters
// how many combined writes a store has in flight (each on a connection of
// the pool): one, and a second only while a whole write's worth waits (the
// fewer the writes, the more leads each takes, and the less each lead
// costs); combineQueue how many creations may wait: one that finds the
// queue full is written alone, as it would be without combining.
const (
	combineMax     = 32
	combineWriters = 2
	combineQueue   = 1024
)

// leadCombiner is a store's queue of lead creations (see above).
type leadCombiner struct {
	mu      sync.Mutex
	queue   []*leadCreation
	writers int          // combined writes running (combineLoop)
	writes  atomic.Int64 // combined writes begun, alone ones included (tests)
	// deadlocks counts the writes of creations PostgreSQL refused for a
	// deadlock (tests: "Lock order" above says why there should be none)
	deadlocks atomic.Int64
}

// leadCreation is one caller's lead to create.
type leadCreation struct {
	ctx                  context.Context // the caller's
	l                    *core.Lead
	h                    *core.History
	client               core.Client // l's client as given: each run starts from it
	search, ext, changes string
	keys                 []int64 // the key locks of its new client

	state atomic.Int32 // creationWaiting, creationClaimed, creationAbandoned
	done  chan error   // its outcome, sent once (buffered)
	alone bool         // it is to be written in a transaction of its own
	err   error        // its own failure in a combined write
	rows  []newRow     // its rows in a combined write
	ready bool         // its rows are built
	merge bool         // it updated a stored client in the combined write
}

const (
	creationWaiting int32 = iota
	creationClaimed       // its COMMIT is about to be sent: its caller waits for the outcome
	creationAbandoned
)

// claim marks lc as written by the COMMIT about to be sent; false when
// its caller went away.
func (lc *leadCreation) claim() bool {
	return lc.state.CompareAndSwap(creationWaiting, creationClaimed) || lc.state.Load() == creationClaimed
}

// createLeadCombined is CreateLead's write on PostgreSQL.
func (s *Store) createLeadCombined(ctx context.Context, lc *leadCreation) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if lc.l.Client != nil && lc.l.Client.ID == 0 {
		m := newClientMatch(lc.l.DealerID, &lc.client)
		for _, k := range m.lockArgs {
			lc.keys = append(lc.keys, k.(int64))
		}
	}
	lc.ctx = ctx
	lc.done = make(chan error, 1)
	q := &s.combiner
	q.mu.Lock()
	if len(q.queue) >= combineQueue {
		q.mu.Unlock()
		return s.writeCombined([]*leadCreation{lc})
	}
	q.queue = append(q.queue, lc)
	if q.writers == 0 || q.writers < combineWriters && len(q.queue) >= combineMax {
		q.writers++
		go s.combineLoop()
	}
	q.mu.Unlock()
	select {
	case err := <-lc.done:
		return err
	case <-ctx.Done():
		if lc.state.CompareAndSwap(creationWaiting, creationAbandoned) {
			return ctx.Err()
		}
		return <-lc.done // claimed: the outcome of its COMMIT
	}
}

// combineLoop writes the queue's creations, combineMax at most at a time,
// until the queue is empty.
func (s *Store) combineLoop() {
	q := &s.combiner
	for {
		q.mu.Lock()
		batch := q.take()
		if len(batch) == 0 {
			q.writers--
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		s.combineAnswer(batch)
	}
}

// take removes from the queue and returns the creations of the next
// combined write: in the order they came, combineMax at most, none whose
// new client shares a key with an earlier one's (it stays for the next),
// none whose caller went away (it is dropped).
func (q *leadCombiner) take() []*leadCreation {
	var batch []*leadCreation
	var keys map[int64]bool
	rest := q.queue[:0]
	for _, lc := range q.queue {
		if lc.state.Load() == creationAbandoned {
			continue
		}
		if len(batch) == combineMax || slices.ContainsFunc(lc.keys, func(k int64) bool { return keys[k] }) {
			rest = append(rest, lc)
			continue
		}
		if len(lc.keys) > 0 {
			if keys == nil {
				keys = map[int64]bool{}
			}
			for _, k := range lc.keys {
				keys[k] = true
			}
		}
		batch = append(batch, lc)
	}
	clear(q.queue[len(rest):])
	q.queue = rest
	return batch
}

// combineAnswer writes batch and sends each creation its outcome.
func (s *Store) combineAnswer(batch []*leadCreation) {
	err := s.writeCombined(batch)
	for _, lc := range batch {
		if lc.alone || lc.done == nil {
			continue
		}
		switch {
		case lc.err != nil:
			lc.done <- lc.err
		default:
			lc.done <- err
		}
	}
}

// writeCombined writes batch in one transaction and returns its outcome
// for the creations that had no failure of their own (lc.err); those to
// be written alone (lc.alone: their client matched one an earlier
// creation of the batch matched) it writes and answers after. A
// transaction the database refuses is written again, a creation per
// transaction.
func (s *Store) writeCombined(batch []*leadCreation) error {
	ctx := context.WithoutCancel(batch[0].ctx)
	if len(batch) == 1 {
		ctx = batch[0].ctx
	}
	s.combiner.writes.Add(1)
	err := s.writeBatched(ctx, func(c conn) error { return createLeadsPostgres(c, batch) })
	s.combiner.countDeadlock(err)
	switch {
	case errors.Is(err, errAbandoned) && len(batch) == 1:
		return batch[0].ctx.Err()
	case errors.Is(err, errOutcomeUnknown):
		// as each alone would have: it may have committed
	case errors.Is(err, errAbandoned), len(batch) > 1 && refusedLead(err):
		// a caller went away after its client was updated, or the database
		// refused the write (a lead at fault, or a deadlock): each lead
		// still awaited in a transaction of its own
		err = nil
		for _, lc := range batch {
			if lc.state.Load() != creationAbandoned {
				lc.alone = true
			}
		}
	}
	for _, lc := range batch {
		if !lc.alone {
			continue
		}
		lc.err = nil
		one := []*leadCreation{lc}
		s.combiner.writes.Add(1)
		e := s.writeBatched(context.WithoutCancel(lc.ctx), func(c conn) error { return createLeadsPostgres(c, one) })
		s.combiner.countDeadlock(e)
		if lc.err == nil {
			lc.err = e
		}
		if lc.done != nil {
			lc.done <- lc.err
		}
	}
	return err
}

// countDeadlock counts err when it is PostgreSQL's deadlock_detected.
func (q *leadCombiner) countDeadlock(err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "40P01" {
		q.deadlocks.Add(1)
	}
}

// refusedLead reports whether err, a combined write's, may be the fault of
// one of its leads, so that each written alone fails or not on its own:
// any error but one of the database or the connection (unavailable, a
// timeout, a cancellation, a broken connection, resources exhausted),
// which is every lead's, and which writing them again one by one would
// only multiply the wait of a database that is down or slow.
func refusedLead(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "53", "57", "58", "XX":
			return false
		}
		return true
	}
	var ce *core.Error
	var ne net.Error
	switch {
	case err == nil, errors.As(err, &ce) && ce.Code == core.Unavailable,
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.As(err, &ne),
		pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return false
	}
	return true
}

// errAbandoned is a combined write's error when a caller went away after
// the write had updated its client: the write is rolled back and the
// others' leads written again.
var errAbandoned = errors.New("store: a caller of a combined write went away")

// combineTables are the tables a lead's rows go into, in the order of
// their INSERTs: a row's references come before it.
var combineTables = []string{"clients", "vehicles", "leads", "tasks", "appraisals", "notes", "lead_history"}

// createLeadsPostgres is CreateLead's write of batch on c, a batched
// write (writeBatched) whose transaction its first batch begins and its
// last commits. A creation that fails on its own gets its error in
// lc.err and is left out; one whose client matched one an earlier
// creation matched gets lc.alone, to be written after.
func createLeadsPostgres(c conn, batch []*leadCreation) error {
	counts := map[string]int{}
	var locks []int64
	var live []*leadCreation
	matches := make([]clientMatch, len(batch))
	for i, lc := range batch {
		lc.err, lc.rows, lc.ready, lc.merge = nil, nil, false, false
		if len(batch) > 1 && (lc.alone || lc.state.Load() == creationAbandoned) {
			continue
		}
		l := lc.l
		if l.Client != nil {
			*l.Client = lc.client
		}
		newClient := l.Client != nil && l.Client.ID == 0
		if newClient {
			matches[i] = newClientMatch(l.DealerID, l.Client)
			counts["clients"]++
			if matches[i].query != "" {
				counts["lead_history"]++
				for _, k := range matches[i].lockArgs {
					locks = append(locks, k.(int64))
				}
			}
		}
		if l.Vehicle != nil {
			counts["vehicles"]++
		}
		counts["leads"]++
		counts["notes"] += len(l.Notes) + len(l.Tags)
		for _, t := range l.Tasks {
			counts["tasks"]++
			if t.Appraisal != nil {
				counts["appraisals"]++
			}
			counts["notes"] += len(t.Notes)
		}
		if lc.h != nil {
			counts["lead_history"]++
		}
		live = append(live, lc)
	}
	if len(live) == 0 {
		return nil
	}

	var first pgBatch
	first.exec("BEGIN")
	rows := pgRows{ids: map[string][]int64{}}
	var tables []string
	var arms []string
	var lockArgs []any
	if len(locks) > 0 {
		slices.Sort(locks)
		locks = slices.Compact(locks)
		calls := make([]string, len(locks))
		for i, k := range locks {
			calls[i] = "pg_advisory_xact_lock(?)"
			lockArgs = append(lockArgs, k)
		}
		arms = append(arms, "SELECT -1, 0::bigint FROM (SELECT "+strings.Join(calls, ", ")+" OFFSET 0) AS k")
	}
	for _, table := range combineTables {
		if counts[table] == 0 {
			continue
		}
		arms = append(arms, "SELECT "+strconv.Itoa(len(tables))+", nextval('"+idSequence(table)+"') FROM generate_series(1, "+strconv.Itoa(counts[table])+")")
		tables = append(tables, table)
	}
	first.query(strings.Join(arms, " UNION ALL "), lockArgs, func(r pgx.Rows) error {
		var i int
		var id int64
		if err := r.Scan(&i, &id); err != nil {
			return err
		}
		if i >= 0 {
			rows.ids[tables[i]] = append(rows.ids[tables[i]], id)
		}
		return nil
	})
	candidates := make([][]core.Client, len(batch))
	for i := range batch {
		if matches[i].query == "" {
			continue
		}
		first.query(matches[i].query, matches[i].args, func(r pgx.Rows) error {
			var cl core.Client
			if err := scanClient(r, &cl); err != nil {
				return err
			}
			candidates[i] = append(candidates[i], cl)
			return nil
		})
	}
	if err := c.sendBatch(c.ctx, &first); err != nil {
		return err
	}
	for _, ids := range rows.ids {
		slices.Sort(ids) // the rows of a table in the order they come
	}
	locked, err := lockStoredClients(c, batch, live, matches, candidates)
	if err != nil {
		return err
	}

	matched := map[int64]bool{}
	for i, lc := range batch {
		if !slices.Contains(live, lc) {
			continue
		}
		matches[i].locked = locked
		if err := leadRows(c, lc, matches[i], candidates[i], matched, len(batch) > 1, &rows); err != nil {
			var ce *core.Error
			if len(batch) == 1 || !errors.As(err, &ce) {
				return err
			}
			lc.err = err // its own failure: the others go on
		}
	}
	if rows.err != nil {
		return rows.err
	}

	// The creations whose callers are still there, claimed: from here their
	// callers wait for the outcome. One who went away leaves its rows out,
	// unless its client was updated already.
	var all pgRows
	all.rows = map[string][]newRow{}
	var leadIDs, readyAt, dealers []int64
	for _, lc := range batch {
		if !lc.ready {
			continue
		}
		if !lc.claim() {
			if lc.merge || len(batch) == 1 {
				return errAbandoned
			}
			continue
		}
		for _, r := range lc.rows {
			all.rows[r.table] = append(all.rows[r.table], r)
		}
		leadIDs = append(leadIDs, lc.l.ID)
		readyAt = append(readyAt, micros(lc.l.CreatedAt))
		dealers = append(dealers, lc.l.DealerID)
	}
	if len(leadIDs) == 0 {
		return nil // nothing to write: rolled back
	}
	for _, table := range combineTables {
		if len(all.rows[table]) > 0 {
			all.tables = append(all.tables, table)
		}
	}
	var second pgBatch
	all.queue(&second)
	// Its own statement, after the rows': it must see a consumer whose
	// registration the INSERT into leads waited for (see delivery.go),
	// which a WITH of the INSERT, on the INSERT's snapshot, would not.
	if len(leadIDs) == 1 {
		second.exec(readyForConsumersSQL, leadIDs[0], readyAt[0], dealers[0])
	} else {
		second.exec(readyForConsumersManySQL, leadIDs, readyAt, dealers)
	}
	return c.commitBatch(&second)
}

// lockStoredClients takes the row locks of the stored clients the
// creations of live (of batch; matches and candidates by batch's index)
// will touch, when any will merge its new client into a stored one: in
// one statement, in the order of their ids (see "Lock order" above), FOR
// NO KEY UPDATE those merged into and FOR KEY SHARE those the leads name
// (the lock their foreign key would take later, out of that order). It
// reads the rows merged into again, with their locks held, in place of
// their candidates (a candidate is read before the lock: see
// clientMatch.merge), and returns their ids. Nothing when no creation
// merges: a write that locks no client exclusively holds no lock another
// write waits for but the advisory locks of its keys, taken in order.
func lockStoredClients(c conn, batch, live []*leadCreation, matches []clientMatch, candidates [][]core.Client) (map[int64]bool, error) {
	merge := map[int64]bool{} // the clients to lock: true merged into, false named
	merges := false
	for i, lc := range batch {
		if !slices.Contains(live, lc) || lc.l.Client == nil {
			continue
		}
		if id := lc.l.Client.ID; id != 0 {
			if _, ok := merge[id]; !ok {
				merge[id] = false
			}
			continue
		}
		if matches[i].query == "" {
			continue
		}
		if m, _, ok := core.MatchClient(*lc.l.Client, candidates[i]); ok {
			merge[m.ID], merges = true, true
		}
	}
	if !merges {
		return nil, nil
	}
	ids := slices.Sorted(maps.Keys(merge))
	modes := make([]bool, len(ids))
	var merged []int64
	for i, id := range ids {
		if modes[i] = merge[id]; modes[i] {
			merged = append(merged, id)
		}
	}
	fresh := map[int64]core.Client{}
	var b pgBatch
	b.exec(lockClientsSQL, ids, modes)
	b.query(`SELECT `+clientCols+` FROM clients WHERE id = ANY(?)`, []any{merged}, func(r pgx.Rows) error {
		var cl core.Client
		if err := scanClient(r, &cl); err != nil {
			return err
		}
		fresh[cl.ID] = cl
		return nil
	})
	if err := c.sendBatch(c.ctx, &b); err != nil {
		return nil, err
	}
	locked := map[int64]bool{}
	for _, id := range merged {
		locked[id] = true
	}
	for i := range candidates {
		// a client deleted meanwhile is no candidate any more
		candidates[i] = slices.DeleteFunc(candidates[i], func(cl core.Client) bool {
			_, ok := fresh[cl.ID]
			return locked[cl.ID] && !ok
		})
		for k, cl := range candidates[i] {
			if f, ok := fresh[cl.ID]; ok {
				candidates[i][k] = f
			}
		}
	}
	return locked, nil
}

// lockClientsSQL locks the clients of the first argument, an array of
// ids in order, in that order: FOR NO KEY UPDATE those whose element of
// the second (booleans) is true, FOR KEY SHARE the others. Each id is
// locked by its own sub-select, joined laterally to the array's row, so
// PostgreSQL locks them as it reads the array: one row after the other,
// in the array's order.
const lockClientsSQL = `SELECT count(u.id) + count(s.id) FROM unnest(?::bigint[], ?::boolean[]) AS v(id, merge)
		LEFT JOIN LATERAL (SELECT id FROM clients WHERE id = v.id AND v.merge FOR NO KEY UPDATE) AS u ON TRUE
		LEFT JOIN LATERAL (SELECT id FROM clients WHERE id = v.id AND NOT v.merge FOR KEY SHARE) AS s ON TRUE`

// readyForConsumersManySQL is readyForConsumersSQL for several leads: the
// arguments are their ids, creation times and dealers.
const readyForConsumersManySQL = `INSERT INTO lead_deliveries (consumer_id, lead_id, state, ready_at)
		SELECT c.id, v.lead_id, 'ready', v.ready_at FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS v(lead_id, ready_at, dealer_id)
		JOIN delivery_consumers c ON c.dealer_id = v.dealer_id`

// leadRows builds lc's rows in rows, its ids taken ahead: its client's
// match (merging into a stored client updates it now), the lead, its
// tasks, notes and history. matched are the stored clients an earlier
// creation of the write matched: a creation matching one of them is left
// for a write of its own (lc.alone) when combined.
func leadRows(c conn, lc *leadCreation, match clientMatch, candidates []core.Client, matched map[int64]bool, combined bool, rows *pgRows) error {
	l, h := lc.l, lc.h
	newClient := l.Client != nil && l.Client.ID == 0
	if l.Client != nil && !newClient {
		cl, err := existingClient(c, l.DealerID, l.Client.ID)
		if err != nil {
			return err
		}
		*l.Client = cl
	}
	own := pgRows{ids: rows.ids}
	var changes []core.Change
	if newClient {
		ok := false
		if match.query != "" {
			if m, _, found := core.MatchClient(*l.Client, candidates); found {
				if combined && matched[m.ID] {
					lc.alone = true
					return nil
				}
				matched[m.ID] = true
			}
			var err error
			if changes, ok, err = match.merge(c, candidates); err != nil {
				return err
			}
			lc.merge = ok
		}
		if !ok {
			r, err := clientRow(l.DealerID, l.Client)
			if err != nil {
				return err
			}
			own.add(r)
		}
	}
	if l.Vehicle != nil {
		own.add(vehicleRow(true, l.Vehicle))
	}
	own.add(leadRow(l, lc.search, lc.ext))
	for i := range l.Tasks {
		t := &l.Tasks[i]
		own.add(leadTaskRow(l, t)) // with its lead's dealer and assignee: no trigger writes it again (0056)
		if t.Appraisal != nil {
			own.add(appraisalRow(t.ID, t.Appraisal))
		}
		for j := range t.Notes {
			own.add(newNoteRow(noteOwner{leadID: l.ID, taskID: t.ID}, kindNote, &t.Notes[j], l.CreatedBy))
		}
	}
	for i := range l.Notes {
		own.add(newNoteRow(noteOwner{leadID: l.ID}, kindNote, &l.Notes[i], l.CreatedBy))
	}
	for i := range l.Tags {
		own.add(newNoteRow(noteOwner{leadID: l.ID}, kindTag, &l.Tags[i], l.CreatedBy))
	}
	placeItems(l)
	history, err := creationHistory(l, h, lc.changes, changes)
	if err != nil {
		return err
	}
	for _, r := range history {
		own.add(r)
	}
	if own.err != nil {
		rows.err = own.err
		return nil
	}
	for _, table := range own.tables {
		lc.rows = append(lc.rows, own.rows[table]...)
	}
	lc.ready = true
	return nil
}
