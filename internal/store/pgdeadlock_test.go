package store_test

import (
	"fmt"
	"sync"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
)

// TestCombinedOppositeOrdersNoDeadlock: two servers (two stores, each its
// own pool and combiner) over one database write, at once, combined writes
// whose leads touch the same stored clients A and B in opposite orders:
// one server's write merges new clients into A then B, the other's into B
// then A, each by another key (the phone, the e-mail) so that the keys'
// advisory locks do not keep them apart; or one merges into A and names
// B (a lead of a stored client) while the other merges into B and names
// A. Neither write may wait for the other in a cycle: PostgreSQL would
// find a deadlock after deadlock_timeout and each lead of the write it
// refused would be written again alone (pgcombine.go, "Lock order").
//
// Every round is the same race, made certain: the test holds the stored
// leads of A and B (FOR SHARE) until both writes wait for a lock, which
// each does, without the order, holding the row of its first client
// (the UPDATE of the client's copies on its leads waits for the test);
// with it, one write waits for the test, the other for the first's lock
// of A. Then the test lets them go: without the order each now asks for
// the row the other holds, a deadlock every round.
func TestCombinedOppositeOrdersNoDeadlock(t *testing.T) {
	r := newCombineRig(t)
	s2, err := store.Open(ctx, r.dsn)
	check(t, err, "open a second store")
	t.Cleanup(func() { s2.Close() })
	servers := []*store.Store{r.s, s2}

	for round := range 4 {
		named := round%2 == 1
		a, b := r.storedClientN(t, 1000+10*round), r.storedClientN(t, 1001+10*round)
		address, business := fmt.Sprintf("Calle Mayor %d", round), fmt.Sprintf("Talleres %d SL", round)
		byPhone := func(l *core.Lead, x core.Client) { // matches x by its phone, brings its address
			l.Client.Phone, l.Client.PhoneE164, l.Client.Email, l.Client.Address = x.Phone, x.PhoneE164, "", address
		}
		byEmail := func(l *core.Lead, x core.Client) { // matches x by its e-mail, brings its business name
			l.Client.Phone, l.Client.PhoneE164, l.Client.Email, l.Client.BusinessName = "", "", x.Email, business
		}
		leads := [][]core.Lead{r.leads(2000+10*round, 2), r.leads(2002+10*round, 2)}
		byPhone(&leads[0][0], a)
		byEmail(&leads[1][0], b)
		if named {
			leads[0][1].Client = &core.Client{ID: b.ID}
			leads[1][1].Client = &core.Client{ID: a.ID}
		} else {
			byPhone(&leads[0][1], b)
			byEmail(&leads[1][1], a)
		}

		errs := r.racedWrites(t, servers, leads, 3000+10*round, a.ID, b.ID)
		for j := range leads {
			for i, l := range leads[j] {
				check(t, errs[j][i], fmt.Sprintf("round %d, server %d, lead %d", round, j, i))
				if n := r.stored(t, l.PublicID); n != 1 {
					t.Errorf("round %d, server %d, lead %d stored %d times", round, j, i, n)
				}
			}
		}
		if got, want := leads[0][0].Client.ID, a.ID; got != want {
			t.Errorf("round %d: the lead matching A by phone has client %d, want %d", round, got, want)
		}
		if got, want := leads[1][0].Client.ID, b.ID; got != want {
			t.Errorf("round %d: the lead matching B by e-mail has client %d, want %d", round, got, want)
		}
		// each stored client took what each lead merged into it brings
		for _, x := range []struct {
			name     string
			was      core.Client
			address  bool
			business bool
		}{{"A", a, true, !named}, {"B", b, !named, true}} {
			got, err := r.s.Client(ctx, x.was.ID)
			check(t, err, "client")
			want := x.was.Version
			if x.address {
				want++
			}
			if x.business {
				want++
			}
			if (got.Address == address) != x.address || (got.BusinessName == business) != x.business || got.Version != want {
				t.Errorf("round %d: client %s after the writes: address %q, business name %q, version %d (was %d, want %d)",
					round, x.name, got.Address, got.BusinessName, got.Version, x.was.Version, want)
			}
		}
	}
	if n := store.CombinedDeadlocks(r.s) + store.CombinedDeadlocks(s2); n != 0 {
		t.Errorf("%d writes refused for a deadlock, want none", n)
	}
}

// racedWrites creates leads[j] on servers[j], each server's in one
// combined write (held back, as heldBack, behind a first lead of its
// own, first+j), with the stored leads of clients held FOR SHARE until
// two backends of the database wait for a lock; it returns each
// creation's error.
func (r combineRig) racedWrites(t *testing.T, servers []*store.Store, leads [][]core.Lead, first int, clients ...int64) [][]error {
	t.Helper()
	hold, err := r.db.BeginTx(ctx, nil)
	check(t, err, "begin")
	defer hold.Rollback()
	_, err = hold.Exec(`LOCK TABLE leads IN SHARE MODE`)
	check(t, err, "lock leads")
	gate, err := r.db.BeginTx(ctx, nil)
	check(t, err, "begin")
	defer gate.Rollback()
	_, err = gate.Exec(`SELECT id FROM leads WHERE client_id = ANY($1) FOR SHARE`, clients)
	check(t, err, "hold the clients' leads")

	var wg sync.WaitGroup
	firstErrs := make([]error, len(servers))
	errs := make([][]error, len(servers))
	for j, s := range servers {
		l := r.f.Lead(first + j)
		wg.Go(func() { firstErrs[j] = s.CreateLead(ctx, &l, nil) })
		waitFor(t, "the first write", func() bool { q, w := store.CombineState(s); return q == 0 && w == 1 })
		errs[j] = make([]error, len(leads[j]))
		for i := range leads[j] {
			wg.Go(func() { errs[j][i] = s.CreateLead(ctx, &leads[j][i], nil) })
			// one at a time: the write takes them in the order they came
			waitFor(t, "the lead in the queue", func() bool { q, _ := store.CombineState(s); return q == i+1 })
		}
	}
	check(t, hold.Commit(), "let the writes go")
	r.waitForWaiting(t, 2)
	check(t, gate.Commit(), "let the clients' leads go")
	wg.Wait()
	for j, err := range firstErrs {
		check(t, err, fmt.Sprintf("the first lead of server %d", j))
	}
	return errs
}

// waitForWaiting waits until n backends of the test's database wait for
// a lock (the cluster may serve other tests).
func (r combineRig) waitForWaiting(t *testing.T, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d backends waiting for a lock", n), func() bool {
		var got int
		check(t, r.db.QueryRow(`SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE NOT l.granted AND a.datname = current_database()`).Scan(&got), "pg_locks")
		return got == n
	})
}

// storedClientN creates the fixture's lead n and returns its client.
func (r combineRig) storedClientN(t *testing.T, n int) core.Client {
	t.Helper()
	l := r.f.Lead(n)
	check(t, r.s.CreateLead(ctx, &l, nil), "create")
	return *l.Client
}

// TestCombinedDeadlockWrittenAlone: a combined write PostgreSQL refuses
// for a deadlock (here with a transaction of the test's that holds one of
// the stored clients the write merges into and then asks for the other,
// which the write holds: a case the lock order cannot prevent, another
// writer's order being its own) loses no lead and answers no caller an
// error: each lead is written again alone, once the deadlock is broken.
func TestCombinedDeadlockWrittenAlone(t *testing.T) {
	r := newCombineRig(t)
	a, b := r.storedClientN(t, 1000), r.storedClientN(t, 1001)
	leads := r.leads(2000, 3)
	for i, x := range []core.Client{a, b} {
		leads[i].Client.Phone, leads[i].Client.PhoneE164, leads[i].Client.Email, leads[i].Client.Address = x.Phone, x.PhoneE164, "", "Calle Mayor 1"
	}
	other, err := r.db.Conn(ctx)
	check(t, err, "connection")
	defer other.Close()
	// the write (which waits first) is the one to find the deadlock, at
	// its deadlock_timeout, not the test's transaction; a role that may
	// not set it (a superuser's setting) leaves both at 1 s, and the write,
	// waiting first, still looks first
	if _, err := other.ExecContext(ctx, `SET deadlock_timeout = '60s'`); err != nil {
		t.Logf("deadlock_timeout left as it is: %v", err)
	}
	tx, err := other.BeginTx(ctx, nil)
	check(t, err, "begin")
	defer tx.Rollback()
	_, err = tx.Exec(`SELECT id FROM clients WHERE id = $1 FOR UPDATE`, max(a.ID, b.ID))
	check(t, err, "lock a client")
	errs, writes := r.heldBackThen(t, leads, nil, nil, nil, func([]chan struct{}) {
		r.waitForWaiting(t, 1) // the write holds the first client, waits for the second
		_, err := tx.Exec(`SELECT id FROM clients WHERE id = $1 FOR UPDATE`, min(a.ID, b.ID))
		check(t, err, "lock the other client") // once the write is refused
		check(t, tx.Rollback(), "rollback")
	})
	if n := store.CombinedDeadlocks(r.s); n != 1 {
		t.Errorf("%d writes refused for a deadlock, want 1", n)
	}
	if writes != int64(1+len(leads)) {
		t.Errorf("%d writes, want the combined one and one per lead", writes)
	}
	for i, l := range leads {
		check(t, errs[i], fmt.Sprintf("create %d", i))
		if n := r.stored(t, l.PublicID); n != 1 {
			t.Errorf("lead %d stored %d times", i, n)
		}
	}
	for _, x := range []core.Client{a, b} {
		got, err := r.s.Client(ctx, x.ID)
		check(t, err, "client")
		if got.Address != "Calle Mayor 1" || got.Version != x.Version+1 {
			t.Errorf("client %d after the writes: address %q, version %d (was %d)", x.ID, got.Address, got.Version, x.Version)
		}
	}
}

// TestMergeReadsClientUnderLock: two writes merging new clients into one
// stored client by different keys (different advisory locks), the second
// a lead alone (UpdateLead giving a lead a new client, through
// clientMatch.merge), each read the client before the other's merge
// committed; the second, waiting for the first's row lock, must merge into
// the client as the first left it, not as it read it: the client keeps
// both leads' values, its version counted twice.
func TestMergeReadsClientUnderLock(t *testing.T) {
	r := newCombineRig(t)
	x := r.storedClientN(t, 1000)
	other := r.f.Lead(1001)
	check(t, r.s.CreateLead(ctx, &other, nil), "create")
	gate, err := r.db.BeginTx(ctx, nil)
	check(t, err, "begin")
	defer gate.Rollback()
	_, err = gate.Exec(`SELECT id FROM clients WHERE id = $1 FOR SHARE`, x.ID)
	check(t, err, "hold the client")

	var wg sync.WaitGroup
	l := r.f.Lead(2000) // matches x by its e-mail, brings a business name
	l.Client.Phone, l.Client.PhoneE164, l.Client.Email, l.Client.BusinessName = "", "", x.Email, "Talleres SL"
	var createErr, updateErr error
	wg.Go(func() { createErr = r.s.CreateLead(ctx, &l, nil) })
	r.waitForWaiting(t, 1)
	wg.Go(func() {
		_, updateErr = r.s.UpdateLead(ctx, other.ID, nil, func(l *core.Lead) ([]core.History, error) {
			// a new client matching x by its phone, bringing an address
			l.Client = &core.Client{Name: "X", Phone: x.Phone, PhoneE164: x.PhoneE164, Address: "Calle Mayor 1", CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
			return nil, nil
		})
	})
	r.waitForWaiting(t, 2)
	check(t, gate.Commit(), "let the writes go")
	wg.Wait()
	check(t, createErr, "create")
	check(t, updateErr, "update")
	got, err := r.s.Client(ctx, x.ID)
	check(t, err, "client")
	if got.BusinessName != "Talleres SL" || got.Address != "Calle Mayor 1" || got.Version != x.Version+2 {
		t.Errorf("the client after two merges: business name %q, address %q, version %d (was %d)", got.BusinessName, got.Address, got.Version, x.Version)
	}
	if lead, err := r.s.Lead(ctx, other.ID); err != nil || lead.Client == nil || lead.Client.ID != x.ID {
		t.Errorf("the updated lead's client: %+v, %v, want %d", lead.Client, err, x.ID)
	}
}
