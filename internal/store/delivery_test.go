package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// servers runs fn with n stores over one database, as n servers would
// have: on SQLite one store n times (a SQLite file serves one server), and,
// when $FORECOURT_TEST_POSTGRES is set, n stores on one PostgreSQL schema.
func servers(t *testing.T, n int, fn func(t *testing.T, ss []*store.Store)) {
	t.Run(store.SQLite, func(t *testing.T) {
		s := testkit.OpenSQLite(t)
		ss := make([]*store.Store, n)
		for i := range ss {
			ss[i] = s
		}
		fn(t, ss)
	})
	if u := os.Getenv(testkit.PostgresEnv); u != "" {
		t.Run(store.Postgres, func(t *testing.T) {
			dsn := testkit.PostgresDSN(t, u)
			ss := make([]*store.Store, n)
			for i := range ss {
				ss[i] = openAt(t, dsn)
				t.Cleanup(func() { ss[i].Close() })
			}
			fn(t, ss)
		})
	}
}

// apiKey returns the context of a new API key of dealer d.
func apiKey(t *testing.T, svc *core.Service, d int64) context.Context {
	t.Helper()
	_, k, err := svc.CreateAPIKey(ctx, d, nil, "puller")
	if err != nil {
		t.Fatal(err)
	}
	return core.WithPrincipal(ctx, core.Principal{APIKeyID: k.ID, DealerIDs: []int64{d}})
}

func asUser(f testkit.Fixture) context.Context {
	return core.WithPrincipal(ctx, core.Principal{UserID: f.User.ID, DealerIDs: []int64{f.Dealer.ID}})
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func pullIDs(svc *core.Service, ctx context.Context, limit int) ([]int64, error) {
	ls, err := svc.PullLeads(ctx, limit)
	ids := make([]int64, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	return ids, err
}

// TestPullLimits: a pull hands DefaultPullLimit leads when it asks for
// none and at most MaxPullLimit; a new consumer gets every open lead of
// its dealer and no ended one.
func TestPullLimits(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "one")
		if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 1000); err != nil {
			t.Fatal(err)
		}
		var open int
		if err := s.DB().QueryRow(`SELECT count(*) FROM leads WHERE stage <> 'end'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open < core.MaxPullLimit+core.DefaultPullLimit {
			t.Fatalf("only %d open leads", open)
		}
		svc := core.NewService(s)
		k := apiKey(t, svc, f.Dealer.ID)
		got := 0
		for _, tc := range []struct{ limit, want int }{
			{0, core.DefaultPullLimit},
			{core.MaxPullLimit + 1, core.MaxPullLimit},
			{-5, min(core.DefaultPullLimit, open-core.DefaultPullLimit-core.MaxPullLimit)},
		} {
			ids, err := pullIDs(svc, k, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != tc.want {
				t.Fatalf("pull(%d) handed %d leads, want %d", tc.limit, len(ids), tc.want)
			}
			if _, err := svc.ConfirmLeads(k, ids); err != nil {
				t.Fatal(err)
			}
			got += len(ids)
		}
		for {
			ids, err := pullIDs(svc, k, core.MaxPullLimit)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) == 0 {
				break
			}
			for _, id := range ids {
				l, err := s.Lead(ctx, id)
				if err != nil || l.Stage == core.StageEnd {
					t.Fatalf("handed lead %d: %v, stage %s", id, err, l.Stage)
				}
			}
			if _, err := svc.ConfirmLeads(k, ids); err != nil {
				t.Fatal(err)
			}
			got += len(ids)
		}
		if got != open {
			t.Fatalf("handed %d leads, want the %d open ones", got, open)
		}
	})
}

// TestCreationAndRegistrationInterleaved creates leads from several
// goroutines (on two servers over PostgreSQL) while consumers register at
// different moments and pull and confirm: each consumer gets every lead,
// and confirms each exactly once.
func TestCreationAndRegistrationInterleaved(t *testing.T) {
	servers(t, 2, func(t *testing.T, ss []*store.Store) {
		svcs := []*core.Service{core.NewService(ss[0]), core.NewService(ss[1])}
		f := testkit.NewFixture(t, ss[0], "one")
		const creators, perCreator, consumers = 3, 40, 4
		const total = creators * perCreator
		keys := make([]context.Context, consumers)
		for i := range keys {
			keys[i] = apiKey(t, svcs[0], f.Dealer.ID)
		}
		var (
			mu      sync.Mutex
			created []int64
			count   atomic.Int64
			done    = make(chan struct{})
			wg      sync.WaitGroup
		)
		for c := range creators {
			wg.Go(func() {
				svc := svcs[c%2]
				for i := range perCreator {
					l := f.Lead(c*perCreator + i)
					l.Tasks, l.Notes, l.Tags, l.Client.ProvinceID, l.Client.LocalityID = nil, nil, nil, nil, nil
					got, err := svc.CreateLead(asUser(f), l)
					if err != nil {
						t.Errorf("create: %v", err)
						return
					}
					mu.Lock()
					created = append(created, got.ID)
					mu.Unlock()
					count.Add(1)
				}
			})
		}
		received := make([]map[int64]int, consumers)
		var pw sync.WaitGroup
		for k := range consumers {
			received[k] = map[int64]int{}
			pw.Go(func() {
				svc := svcs[(k+1)%2]
				// consumer k registers after about k quarters of the leads
				for count.Load() < int64(k*total/consumers) && !isClosed(done) {
					time.Sleep(time.Millisecond)
				}
				for {
					finished := isClosed(done)
					ids, err := pullIDs(svc, keys[k], 7)
					if err != nil {
						t.Errorf("pull: %v", err)
						return
					}
					res, err := svc.ConfirmLeads(keys[k], ids)
					if err != nil {
						t.Errorf("confirm: %v", err)
						return
					}
					if !slices.Equal(res.Received, ids) {
						t.Errorf("consumer %d confirmed %v of %v: %+v", k, res.Received, ids, res)
						return
					}
					for _, id := range ids {
						received[k][id]++
					}
					if len(ids) == 0 && finished {
						return
					}
				}
			})
		}
		wg.Wait()
		close(done)
		pw.Wait()
		if t.Failed() {
			return
		}
		if len(created) != total {
			t.Fatalf("created %d leads", len(created))
		}
		for k, got := range received {
			for _, id := range created {
				if got[id] != 1 {
					t.Errorf("consumer %d received lead %d %d times", k, id, got[id])
				}
			}
			if len(got) != total {
				t.Errorf("consumer %d received %d leads, want %d", k, len(got), total)
			}
		}
	})
}

// TestConcurrentPullsOfOneConsumer: pulls of one consumer at the same
// time, on two servers over PostgreSQL, all answer the same leads (the
// first moves them to in progress, the others wait and answer them again),
// so no lead is handed as new twice; confirmed, the next ones.
func TestConcurrentPullsOfOneConsumer(t *testing.T) {
	servers(t, 2, func(t *testing.T, ss []*store.Store) {
		svcs := []*core.Service{core.NewService(ss[0]), core.NewService(ss[1])}
		f := testkit.NewFixture(t, ss[0], "one")
		k := apiKey(t, svcs[0], f.Dealer.ID)
		const leads, pullers, limit = 60, 6, 10
		var created []int64
		for i := range leads {
			l := f.Lead(i)
			got, err := svcs[i%2].CreateLead(asUser(f), l)
			if err != nil {
				t.Fatal(err)
			}
			created = append(created, got.ID)
		}
		var handed []int64
		for round := 0; ; round++ {
			answers := make([][]int64, pullers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for p := range pullers {
				wg.Go(func() {
					<-start
					var err error
					if answers[p], err = pullIDs(svcs[p%2], k, limit); err != nil {
						t.Errorf("pull: %v", err)
					}
				})
			}
			close(start)
			wg.Wait()
			for p := range answers {
				if !slices.Equal(answers[p], answers[0]) {
					t.Fatalf("round %d: concurrent pulls answered %v", round, answers)
				}
			}
			if len(answers[0]) == 0 {
				break
			}
			res, err := svcs[round%2].ConfirmLeads(k, answers[0])
			if err != nil || !slices.Equal(res.Received, answers[0]) {
				t.Fatalf("confirm %v: %+v, %v", answers[0], res, err)
			}
			handed = append(handed, answers[0]...)
		}
		if !slices.Equal(handed, created) {
			t.Fatalf("handed %v, want %v once each, oldest first", handed, created)
		}
	})
}

// TestRegistrationWaitsForCreationInFlight holds a lead's creation on
// PostgreSQL after it inserted its lead and its ready rows (found no
// consumer) and before it commits, registers a consumer meanwhile, then
// lets the creation commit: the consumer must have the lead, which needs
// the registration to wait for the creation (see store/delivery.go).
func TestRegistrationWaitsForCreationInFlight(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip("PostgreSQL only: the SQLite writer runs writes one at a time")
	}
	dsn := testkit.PostgresDSN(t, u)
	name := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")) + fmt.Sprint(time.Now().UnixNano())
	creator := openAt(t, dsn+"&application_name="+name+"_c")
	t.Cleanup(func() { creator.Close() })
	registrar := openAt(t, dsn+"&application_name="+name+"_r")
	t.Cleanup(func() { registrar.Close() })
	f := testkit.NewFixture(t, creator, "one")
	svc := core.NewService(creator)
	k := apiKey(t, svc, f.Dealer.ID)
	p, _ := core.PrincipalFrom(k)

	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// waiting reports whether a connection of the store named app waits
	// for a lock.
	waiting := func(app string) bool {
		var n int
		if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	// The creation's last statement, its history entry, waits for this.
	hold, err := admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`LOCK TABLE lead_history IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	l := f.Lead(1)
	h := core.History{At: testkit.Now, UserID: &f.User.ID, Type: core.HistoryCreated}
	created := make(chan error, 1)
	go func() { created <- creator.CreateLead(ctx, &l, &h) }()
	for !waiting(name + "_c") {
		select {
		case err := <-created:
			t.Fatalf("the creation did not wait for the lock on lead_history: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	registered := make(chan error, 1)
	go func() {
		registered <- registrar.RegisterConsumer(ctx, core.Consumer{APIKeyID: p.APIKeyID}, p.DealerIDs, testkit.Now)
	}()
	// Either the registration waits for the creation, or it is done.
	regDone := false
	for !regDone && !waiting(name+"_r") {
		select {
		case err := <-registered:
			if err != nil {
				t.Fatal(err)
			}
			regDone = true
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := hold.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	if !regDone {
		if err := <-registered; err != nil {
			t.Fatal(err)
		}
	}
	ids, err := pullIDs(svc, k, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int64{l.ID}) {
		t.Fatalf("the consumer registered during the lead's creation pulled %v, want [%d]", ids, l.ID)
	}
}

// TestMigration10DownAndUp migrates a database with deliveries and jobs
// down past 0010 and up again.
func TestMigration10DownAndUp(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "one")
			svc := core.NewService(s)
			l := f.Lead(1)
			if err := s.CreateLead(ctx, &l, nil); err != nil {
				t.Fatal(err)
			}
			k := apiKey(t, svc, f.Dealer.ID)
			if ids, err := pullIDs(svc, k, 10); err != nil || len(ids) != 1 {
				t.Fatalf("pull: %v %v", ids, err)
			}
			if _, err := svc.EnqueueJob(ctx, core.Job{Kind: "test"}); err != nil {
				t.Fatal(err)
			}
			s.Close()
			migrateDown(t, engine, dsn, 9, func(db *sql.DB) {
				for _, table := range []string{"delivery_consumers", "lead_deliveries", "delivery_events", "jobs"} {
					var n int
					if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err == nil {
						t.Errorf("table %s still there after migrating down", table)
					}
				}
			})
			s = openAt(t, dsn)
			defer s.Close()
			svc = core.NewService(s)
			if ids, err := pullIDs(svc, k, 10); err != nil || !slices.Equal(ids, []int64{l.ID}) {
				t.Fatalf("pull after migrating up: %v %v", ids, err)
			}
			if _, err := svc.EnqueueJob(ctx, core.Job{Kind: "test"}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConfirmPlanAfterRegistration: right after a consumer got thousands
// of leads ready, PostgreSQL looks up the leads a confirmation names by
// the primary key, instead of reading every row of the consumer (which it
// did while the table's statistics dated from before the registration).
func TestConfirmPlanAfterRegistration(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	f := testkit.NewFixture(t, s, "x")
	if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 20_000); err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(s)
	k := apiKey(t, svc, f.Dealer.ID)
	ids, err := pullIDs(svc, k, core.MaxPullLimit)
	if err != nil || len(ids) != core.MaxPullLimit {
		t.Fatalf("pull: %v %v", len(ids), err)
	}
	var consumer int64
	if err := s.DB().QueryRow(`SELECT id FROM delivery_consumers`).Scan(&consumer); err != nil {
		t.Fatal(err)
	}
	query, args := store.DeliveryStatesQuery(consumer, ids)
	if p := pgPlan(t, s, query, args...); !strings.Contains(p, "lead_deliveries_pkey") {
		t.Fatalf("the states of %d leads are not read by the primary key:\n%s", len(ids), p)
	}
}
