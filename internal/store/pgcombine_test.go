package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// combineRig is a PostgreSQL store and a connection of the test's own to
// its database, to hold the creation of leads back (heldBack).
type combineRig struct {
	s   *store.Store
	db  *sql.DB
	f   testkit.Fixture
	dsn string
}

func newCombineRig(t *testing.T) combineRig {
	t.Helper()
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	dsn := testkit.MigratedPostgresDSN(t, u)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return combineRig{s: s, db: db, f: testkit.NewFixture(t, s, "a"), dsn: dsn}
}

// heldBack creates leads at once, with ctxs (nil: ctx) and histories hs
// (nil: none), while a first lead's write is held back by a lock on the
// table leads, until every one waits in the store's queue; then it calls
// queued (when not nil), lets the writes go and returns each creation's
// error and how many writes they took (the first lead's not counted).
func (r combineRig) heldBack(t *testing.T, leads []core.Lead, ctxs []context.Context, hs []*core.History, queued func()) ([]error, int64) {
	t.Helper()
	return r.heldBackThen(t, leads, ctxs, hs, queued, nil)
}

// heldBackThen is heldBack calling released (when not nil) once the
// writes go, before it waits for them, with a channel per lead closed
// when its creation returns.
func (r combineRig) heldBackThen(t *testing.T, leads []core.Lead, ctxs []context.Context, hs []*core.History, queued func(), released func([]chan struct{})) ([]error, int64) {
	t.Helper()
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE leads IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	first := r.f.Lead(999_999)
	firstErr := make(chan error, 1)
	go func() { firstErr <- r.s.CreateLead(ctx, &first, nil) }()
	waitFor(t, "the first write", func() bool { q, w := store.CombineState(r.s); return q == 0 && w == 1 })
	before := store.CombinedWrites(r.s)
	errs := make([]error, len(leads))
	finished := make([]chan struct{}, len(leads))
	var wg sync.WaitGroup
	for i := range leads {
		finished[i] = make(chan struct{})
		c := ctx
		if ctxs != nil && ctxs[i] != nil {
			c = ctxs[i]
		}
		var h *core.History
		if hs != nil {
			h = hs[i]
		}
		wg.Go(func() {
			defer close(finished[i])
			errs[i] = r.s.CreateLead(c, &leads[i], h)
		})
	}
	waitFor(t, "the leads in the queue", func() bool { q, _ := store.CombineState(r.s); return q == len(leads) })
	if queued != nil {
		queued()
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if released != nil {
		released(finished)
	}
	wg.Wait()
	if err := <-firstErr; err != nil {
		t.Fatalf("the first lead: %v", err)
	}
	return errs, store.CombinedWrites(r.s) - before
}

// stored returns how many leads have public id p.
func (r combineRig) stored(t *testing.T, p string) int {
	t.Helper()
	var n int
	if err := r.db.QueryRow(`SELECT count(*) FROM leads WHERE public_id = $1`, p).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCombinedLeadsOneWrite: leads created while a write is in flight go
// in one write, and each is whole as alone: its ids, client, tasks,
// notes, history, delivery to a registered consumer.
func TestCombinedLeadsOneWrite(t *testing.T) {
	r := newCombineRig(t)
	svc := core.NewService(r.s)
	k := apiKey(t, svc, r.f.Dealer.ID)
	if _, err := pullIDs(svc, k, 10); err != nil { // registers the consumer
		t.Fatal(err)
	}
	const n = 6
	leads := make([]core.Lead, n)
	hs := make([]*core.History, n)
	for i := range leads {
		leads[i] = r.f.Lead(i)
		hs[i] = &core.History{At: testkit.Now, UserID: &r.f.User.ID, Type: core.HistoryCreated, Kind: core.KindLeadCreated}
	}
	errs, writes := r.heldBack(t, leads, nil, hs, nil)
	if writes != 1 {
		t.Errorf("%d leads took %d writes, want 1", n, writes)
	}
	ids := map[string]bool{}
	for i, l := range leads {
		check(t, errs[i], fmt.Sprintf("create %d", i))
		for kind, id := range map[string]int64{"lead": l.ID, "client": l.Client.ID, "vehicle": l.Vehicle.ID, "task": l.Tasks[0].ID,
			"note": l.Notes[0].ID, "tag": l.Tags[0].ID, "task note": l.Tasks[0].Notes[0].ID} {
			key := kind
			if kind == "tag" || kind == "task note" {
				key = "note"
			}
			if id == 0 || ids[key+" "+fmt.Sprint(id)] {
				t.Errorf("lead %d: its %s's id %d unset or given twice", i, kind, id)
			}
			ids[key+" "+fmt.Sprint(id)] = true
		}
		got, err := r.s.Lead(ctx, l.ID)
		check(t, err, "get lead")
		if got.PublicID != l.PublicID || got.Client.ID != l.Client.ID || got.Client.Name != l.Client.Name || got.Version != 1 ||
			len(got.Tasks) != 1 || got.Tasks[0].ID != l.Tasks[0].ID || got.Tasks[0].Appraisal == nil || len(got.Tasks[0].Notes) != 1 ||
			len(got.Notes) != 1 || got.Notes[0].Content != "Called twice" || len(got.Tags) != 1 || got.Vehicle == nil || got.Vehicle.ID != l.Vehicle.ID {
			t.Errorf("lead %d stored as %+v, created as %+v", i, got, l)
		}
		hist, _, err := r.s.LeadHistory(ctx, []int64{r.f.Dealer.ID}, l.ID, false, core.Page{Limit: 10})
		check(t, err, "history")
		if len(hist) != 1 || hist[0].Kind != core.KindLeadCreated || hist[0].LeadID != l.ID || hs[i].ID == 0 {
			t.Errorf("lead %d: history %+v", i, hist)
		}
	}
	pulled, err := pullIDs(svc, k, 100)
	check(t, err, "pull")
	for _, l := range leads {
		if !slices.Contains(pulled, l.ID) {
			t.Errorf("lead %d not delivered (pulled %v)", l.ID, pulled)
		}
	}
}

// TestCombinedLeadFailsAlone: in one combined write, a lead that fails
// (a public id taken, a value beyond its column, a client of another
// dealer, a caller who went away while it waited) fails alone, with the
// error it has alone, and the others are stored once each.
func TestCombinedLeadFailsAlone(t *testing.T) {
	r := newCombineRig(t)
	other := testkit.NewFixture(t, r.s, "b")
	stranger := other.Lead(77)
	check(t, r.s.CreateLead(ctx, &stranger, nil), "create another dealer's lead")
	taken := r.f.Lead(88)
	check(t, r.s.CreateLead(ctx, &taken, nil), "create a lead")

	leads := make([]core.Lead, 7)
	for i := range leads {
		leads[i] = r.f.Lead(i)
	}
	leads[1].PublicID = taken.PublicID
	leads[3].Score = 1 << 40 // beyond the column's integer
	leads[4].Client = &core.Client{ID: stranger.Client.ID}
	gone, cancel := context.WithCancel(ctx)
	defer cancel()
	ctxs := make([]context.Context, len(leads))
	ctxs[5] = gone
	errs, writes := r.heldBack(t, leads, ctxs, nil, cancel)
	if writes < 2 {
		t.Errorf("%d writes, want the combined one and those of the leads alone", writes)
	}
	for i, l := range leads {
		want := 1
		switch i {
		case 1:
			if core.ErrorCode(errs[i]) != core.Conflict {
				t.Errorf("a public id taken: %v, want a conflict", errs[i])
			}
			want = 1 // the first lead's
		case 3:
			if errs[i] == nil {
				t.Errorf("a score beyond its column: no error")
			}
			want = 0
		case 4:
			if core.ErrorCode(errs[i]) != core.NotFound {
				t.Errorf("a client of another dealer: %v, want not found", errs[i])
			}
			want = 0
		case 5:
			if !errors.Is(errs[i], context.Canceled) {
				t.Errorf("a caller who went away: %v, want context.Canceled", errs[i])
			}
			want = 0
		default:
			check(t, errs[i], fmt.Sprintf("create %d", i))
		}
		if n := r.stored(t, l.PublicID); n != want {
			t.Errorf("lead %d (%v) stored %d times, want %d", i, errs[i], n, want)
		}
	}
}

// TestCombinedNewClientsOfOneKey: leads whose new clients share a key, or
// match one stored client, never go in one write: they make one client,
// as in transactions of their own, and a stored client takes what each
// brings.
func TestCombinedNewClientsOfOneKey(t *testing.T) {
	r := newCombineRig(t)
	x := r.storedClient(t)
	leads := r.leads(100, 6)
	// three new clients of one phone
	for i := 1; i < 3; i++ {
		leads[i].Client.Phone, leads[i].Client.PhoneE164 = leads[0].Client.Phone, leads[0].Client.PhoneE164
	}
	// two clients matching x, one by its phone, the other by its e-mail,
	// each bringing a value x lacks
	leads[3].Client.Phone, leads[3].Client.PhoneE164, leads[3].Client.GovID = x.Phone, x.PhoneE164, "12345678Z"
	leads[4].Client.Email, leads[4].Client.BusinessName = x.Email, "Acme SL"
	errs, writes := r.heldBack(t, leads, nil, nil, nil)
	if writes < 3 {
		t.Errorf("%d writes: leads of one key went in one", writes)
	}
	for i := range leads {
		check(t, errs[i], fmt.Sprintf("create %d", i))
	}
	if a, b, c := leads[0].Client.ID, leads[1].Client.ID, leads[2].Client.ID; a != b || b != c {
		t.Errorf("three leads of one phone made clients %d, %d, %d, want one", a, b, c)
	}
	if leads[3].Client.ID != x.ID || leads[4].Client.ID != x.ID {
		t.Errorf("clients %d and %d, want the stored %d", leads[3].Client.ID, leads[4].Client.ID, x.ID)
	}
	got, err := r.s.Client(ctx, x.ID)
	check(t, err, "client")
	if got.GovID == "" || got.BusinessName != "Acme SL" || got.Version != x.Version+2 {
		t.Errorf("the stored client after two matches: gov id %q, business name %q, version %d (was %d)", got.GovID, got.BusinessName, got.Version, x.Version)
	}
}

// TestCombinedWaitersOnClose: creations waiting for a write when the store
// closes are answered (an error), none is left waiting.
func TestCombinedWaitersOnClose(t *testing.T) {
	r := newCombineRig(t)
	leads := make([]core.Lead, 4)
	for i := range leads {
		leads[i] = r.f.Lead(i)
	}
	errs, _ := r.heldBack(t, leads, nil, nil, func() {
		go r.s.Close()
		time.Sleep(200 * time.Millisecond) // Close refuses new connections at once, then waits for the held write
	})
	for i, err := range errs {
		if err == nil {
			t.Errorf("lead %d: no error after the store closed", i)
		}
	}
}

// TestCombinedCallerGoneInWrite: a caller who goes away while the combined
// write that took its lead waits (here for a client key's lock) gets its
// context's error at once, and the write commits the others without its
// lead.
func TestCombinedCallerGoneInWrite(t *testing.T) {
	r := newCombineRig(t)
	leads := make([]core.Lead, 3)
	for i := range leads {
		leads[i] = r.f.Lead(i)
	}
	keyTx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer keyTx.Rollback()
	if _, err := keyTx.Exec(`SELECT pg_advisory_xact_lock($1)`, store.ClientKeyLock(r.f.Dealer.ID, core.MatchPhone, leads[0].Client.PhoneE164)); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	defer cancel()
	ctxs := []context.Context{nil, gone, nil}
	errs, writes := r.heldBackThen(t, leads, ctxs, nil, nil, func(finished []chan struct{}) {
		r.waitForLock(t, "advisory")
		cancel()
		select { // answered while the write still waits
		case <-finished[1]:
		case <-time.After(10 * time.Second):
			t.Errorf("the caller gone not answered while the write waits")
		}
		if err := keyTx.Commit(); err != nil {
			t.Fatal(err)
		}
	})
	if writes != 1 {
		t.Errorf("%d writes, want 1", writes)
	}
	r.checkGone(t, leads, errs, 1)
}

// TestCombinedCallerGoneAfterMerge: a caller who goes away after the
// combined write merged its new client into a stored one (here while the
// write waits for the stored client's row) leaves nothing: the write is
// rolled back, the stored client unchanged, and the others' leads are
// written again, each alone.
func TestCombinedCallerGoneAfterMerge(t *testing.T) {
	r := newCombineRig(t)
	x := r.storedClient(t)
	leads := r.leads(0, 3)
	leads[1].Client.Phone, leads[1].Client.PhoneE164, leads[1].Client.GovID = x.Phone, x.PhoneE164, "12345678Z"
	rowTx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rowTx.Rollback()
	if _, err := rowTx.Exec(`SELECT id FROM clients WHERE id = $1 FOR UPDATE`, x.ID); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	defer cancel()
	errs, writes := r.heldBackThen(t, leads, []context.Context{nil, gone, nil}, nil, nil, func(finished []chan struct{}) {
		r.waitForLock(t, "transactionid")
		cancel()
		<-finished[1]
		if err := rowTx.Commit(); err != nil {
			t.Fatal(err)
		}
	})
	if writes != 3 {
		t.Errorf("%d writes, want the combined one and two alone", writes)
	}
	r.checkGone(t, leads, errs, 1)
	got, err := r.s.Client(ctx, x.ID)
	check(t, err, "client")
	if got.GovID != "" || got.Version != x.Version {
		t.Errorf("the stored client took the gone caller's values: gov id %q, version %d (was %d)", got.GovID, got.Version, x.Version)
	}
}

// TestCombinedQueueBounded: creations beyond the queue's bound do not wait
// in it: each is written alone, and every lead is stored once.
func TestCombinedQueueBounded(t *testing.T) {
	r := newCombineRig(t)
	n := store.CombineQueue + 2*store.CombineMax + 8 // beyond what the queue and two writes take
	leads := make([]core.Lead, n)
	for i := range leads {
		leads[i] = r.f.Lead(i)
		leads[i].Tasks, leads[i].Notes, leads[i].Tags, leads[i].Vehicle = nil, nil, nil, nil
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE leads IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range leads {
		wg.Go(func() { errs[i] = r.s.CreateLead(ctx, &leads[i], nil) })
	}
	waitFor(t, "the queue to fill", func() bool { q, _ := store.CombineState(r.s); return q >= store.CombineQueue })
	time.Sleep(300 * time.Millisecond) // the rest arrive
	if q, _ := store.CombineState(r.s); q != store.CombineQueue {
		t.Errorf("%d creations in the queue, want its bound %d", q, store.CombineQueue)
	}
	check(t, tx.Commit(), "commit")
	wg.Wait()
	for i, l := range leads {
		check(t, errs[i], fmt.Sprintf("create %d", i))
		if c := r.stored(t, l.PublicID); c != 1 {
			t.Errorf("lead %d stored %d times", i, c)
		}
	}
}

// waitForLock waits until the queue is empty and one lock of locktype
// (pg_locks) is waited for: the combined write's.
func (r combineRig) waitForLock(t *testing.T, locktype string) {
	t.Helper()
	waitFor(t, "the write to wait for a lock", func() bool {
		var n int
		if err := r.db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = $1 AND NOT granted`, locktype).Scan(&n); err != nil {
			t.Fatal(err)
		}
		q, _ := store.CombineState(r.s)
		return n == 1 && q == 0
	})
}

// checkGone checks that the creation of leads[gone] failed with its
// context's cancellation and left no lead, and that each other was stored
// once.
func (r combineRig) checkGone(t *testing.T, leads []core.Lead, errs []error, gone int) {
	t.Helper()
	for i, l := range leads {
		want := 1
		if i == gone {
			want = 0
			if !errors.Is(errs[i], context.Canceled) {
				t.Errorf("the caller gone: %v, want context.Canceled", errs[i])
			}
		} else {
			check(t, errs[i], fmt.Sprintf("create %d", i))
		}
		if n := r.stored(t, l.PublicID); n != want {
			t.Errorf("lead %d stored %d times, want %d", i, n, want)
		}
	}
}

// storedClient creates a lead and returns its client.
func (r combineRig) storedClient(t *testing.T) core.Client {
	t.Helper()
	l := r.f.Lead(50)
	check(t, r.s.CreateLead(ctx, &l, nil), "create")
	return *l.Client
}

// leads returns n new leads of the fixture, from's first (Fixture.Lead).
func (r combineRig) leads(from, n int) []core.Lead {
	leads := make([]core.Lead, n)
	for i := range leads {
		leads[i] = r.f.Lead(from + i)
	}
	return leads
}
