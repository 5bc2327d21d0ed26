package core_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// clock is a settable clock for the runner.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: testkit.Now} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var quiet = slog.New(slog.DiscardHandler)

// jobEngines runs fn on SQLite and, when $FORECOURT_TEST_POSTGRES is set,
// on PostgreSQL, with a function that opens a store on one database: a
// test may close a store and open another, a restart, or open two, two
// servers (on SQLite one file serves one server).
func jobEngines(t *testing.T, fn func(t *testing.T, open func() *store.Store)) {
	opener := func(t *testing.T, dsn string) func() *store.Store {
		return func() *store.Store {
			t.Helper()
			s, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}
	t.Run(store.SQLite, func(t *testing.T) { fn(t, opener(t, testkit.MigratedSQLitePath(t))) })
	if u := os.Getenv(testkit.PostgresEnv); u != "" {
		t.Run(store.Postgres, func(t *testing.T) { fn(t, opener(t, testkit.MigratedPostgresDSN(t, u))) })
	}
}

func enqueue(t *testing.T, st core.Store, j core.Job) core.Job {
	t.Helper()
	j, err := core.NewService(st).EnqueueJob(context.Background(), j)
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return j
}

func job(t *testing.T, st core.Store, id int64) core.Job {
	t.Helper()
	j, err := st.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func runDue(t *testing.T, r *core.Runner) int {
	t.Helper()
	n, err := r.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestJobSurvivesRestart enqueues a job, closes the store and opens it
// again, as a restart would, and runs it.
func TestJobSurvivesRestart(t *testing.T) {
	jobEngines(t, func(t *testing.T, open func() *store.Store) {
		st := open()
		enqueued := enqueue(t, st, core.Job{Kind: "echo", Payload: []byte(`{"n":1}`)})
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		st = open()
		r := core.NewRunner(st, core.WithRunnerLogger(quiet))
		var got []byte
		r.Handle("echo", func(ctx context.Context, j core.Job) (string, error) {
			got = j.Payload
			return "export/1.csv", nil
		})
		if n := runDue(t, r); n != 1 {
			t.Fatalf("ran %d jobs, want 1", n)
		}
		if string(got) != `{"n":1}` {
			t.Errorf("payload %q", got)
		}
		j := job(t, st, enqueued.ID)
		if j.State != core.JobDone || j.Attempts != 1 || j.Result != "export/1.csv" || j.FinishedAt == nil || j.LeaseOwner != "" || j.LeaseUntil != nil {
			t.Errorf("job after its run: %+v", j)
		}
		if n := runDue(t, r); n != 0 {
			t.Errorf("ran a done job again")
		}
	})
}

// TestJobRetries: a failed run is retried after JobBackoff, until
// MaxAttempts runs failed; then the job is failed with its last error. A
// retry that succeeds makes the job done.
func TestJobRetries(t *testing.T) {
	jobEngines(t, func(t *testing.T, open func() *store.Store) {
		st := open()
		clk := newClock()
		r := core.NewRunner(st, core.WithRunnerClock(clk.now), core.WithRunnerLogger(quiet))
		var mu sync.Mutex
		runs := map[int64]int{}
		r.Handle("flaky", func(ctx context.Context, j core.Job) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			runs[j.ID]++
			if string(j.Payload) == "once" && runs[j.ID] > 1 {
				return "ok", nil
			}
			return "", fmt.Errorf("boom %d", runs[j.ID])
		})
		failing := enqueue(t, st, core.Job{Kind: "flaky", MaxAttempts: 3, RunAt: clk.now()})
		once := enqueue(t, st, core.Job{Kind: "flaky", Payload: []byte("once"), RunAt: clk.now()})

		if n := runDue(t, r); n != 2 {
			t.Fatalf("first round ran %d jobs", n)
		}
		j := job(t, st, failing.ID)
		if j.State != core.JobQueued || j.Attempts != 1 || j.LastError != "boom 1" || !j.RunAt.Equal(clk.now().Add(core.JobBackoff(1))) {
			t.Fatalf("after a failed run: %+v", j)
		}
		if n := runDue(t, r); n != 0 {
			t.Fatalf("ran %d jobs before their retry time", n)
		}
		for attempt := 2; attempt <= 3; attempt++ {
			clk.set(j.RunAt)
			if n := runDue(t, r); n == 0 {
				t.Fatalf("attempt %d: nothing ran", attempt)
			}
			j = job(t, st, failing.ID)
			if j.Attempts != attempt || j.LastError != fmt.Sprintf("boom %d", attempt) {
				t.Fatalf("after attempt %d: %+v", attempt, j)
			}
		}
		if j.State != core.JobFailed || j.FinishedAt == nil || !j.FinishedAt.Equal(clk.now()) {
			t.Fatalf("after MaxAttempts failed runs: %+v", j)
		}
		clk.set(clk.now().Add(24 * time.Hour))
		if n := runDue(t, r); n != 0 {
			t.Errorf("a failed job ran again")
		}
		if runs[failing.ID] != 3 {
			t.Errorf("the failing job ran %d times, want 3", runs[failing.ID])
		}
		o := job(t, st, once.ID)
		if o.State != core.JobDone || o.Attempts != 2 || o.Result != "ok" || o.LastError != "" {
			t.Errorf("job that succeeded on its retry: %+v", o)
		}
	})
}

// TestJobBackoff: 10 s, doubling, at most an hour.
func TestJobBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second,
		8: 1280 * time.Second, 9: 2560 * time.Second, 10: time.Hour, 100: time.Hour} {
		if got := core.JobBackoff(attempt); got != want {
			t.Errorf("JobBackoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}

// TestExpiredLeaseIsClaimedAgain: a job claimed by a runner that never
// finished it (its server died) is claimed again once the lease expired,
// not before; the dead runner can then no longer record an outcome. A job
// whose last allowed run was abandoned fails without running.
func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	jobEngines(t, func(t *testing.T, open func() *store.Store) {
		st := open()
		ctx := context.Background()
		clk := newClock()
		enqueued := enqueue(t, st, core.Job{Kind: "work", RunAt: clk.now()})
		last := enqueue(t, st, core.Job{Kind: "work", RunAt: clk.now(), MaxAttempts: 1})
		claimed, err := st.ClaimJobs(ctx, []string{"work"}, "dead-server", clk.now(), time.Minute, 10)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: %v %+v", err, claimed)
		}
		if c := claimed[0]; c.State != core.JobRunning || c.LeaseOwner != "dead-server" || c.Attempts != 1 || !c.LeaseUntil.Equal(clk.now().Add(time.Minute)) {
			t.Fatalf("claimed job: %+v", c)
		}

		r := core.NewRunner(st, core.WithRunnerClock(clk.now), core.WithRunnerLogger(quiet))
		var ran atomic.Int32
		r.Handle("work", func(ctx context.Context, j core.Job) (string, error) { ran.Add(1); return "", nil })
		clk.set(clk.now().Add(59 * time.Second))
		if due, err := st.HasDueJobs(ctx, []string{"work"}, clk.now()); err != nil || due {
			t.Fatalf("due under a live lease: %v %v", due, err)
		}
		if got, err := st.ClaimJobs(ctx, []string{"work"}, "other-server", clk.now(), time.Minute, 10); err != nil || len(got) != 0 {
			t.Fatalf("claimed under a live lease: %v %+v", err, got)
		}
		if n := runDue(t, r); n != 0 {
			t.Fatalf("ran %d jobs under a live lease", n)
		}
		clk.set(clk.now().Add(time.Second))
		if due, err := st.HasDueJobs(ctx, []string{"work"}, clk.now()); err != nil || !due {
			t.Fatalf("not due when the lease expired: %v %v", due, err)
		}
		if n := runDue(t, r); n != 2 {
			t.Fatalf("claimed %d jobs whose lease expired, want 2", n)
		}
		if ran.Load() != 1 {
			t.Errorf("handler ran %d times, want once (the other job had no attempt left)", ran.Load())
		}
		if j := job(t, st, enqueued.ID); j.State != core.JobDone || j.Attempts != 2 {
			t.Errorf("reclaimed job: %+v", j)
		}
		if j := job(t, st, last.ID); j.State != core.JobFailed || j.Attempts != 2 || !strings.Contains(j.LastError, "none finished") {
			t.Errorf("job whose only run was abandoned: %+v", j)
		}
		stale := claimed[0]
		stale.State, stale.UpdatedAt = core.JobDone, clk.now()
		if err := st.FinishJob(ctx, stale, "dead-server", 1); !errors.Is(err, core.ErrLeaseLost) {
			t.Errorf("outcome from the runner that lost the lease: %v, want ErrLeaseLost", err)
		}
	})
}

// TestRunnerClaimsOnlyItsKinds: a job of a kind the runner has no handler
// for stays queued for a runner that has one.
func TestRunnerClaimsOnlyItsKinds(t *testing.T) {
	st := testkit.OpenStore(t)
	other := enqueue(t, st, core.Job{Kind: "other"})
	r := core.NewRunner(st, core.WithRunnerLogger(quiet))
	r.Handle("mine", func(ctx context.Context, j core.Job) (string, error) { return "", nil })
	if n := runDue(t, r); n != 0 {
		t.Fatalf("ran %d jobs", n)
	}
	mine := enqueue(t, st, core.Job{Kind: "mine"})
	if n := runDue(t, r); n != 1 {
		t.Fatalf("ran %d jobs, want its own", n)
	}
	if j := job(t, st, mine.ID); j.State != core.JobDone {
		t.Fatalf("job of its kind: %+v", j)
	}
	if j := job(t, st, other.ID); j.State != core.JobQueued || j.Attempts != 0 {
		t.Fatalf("job of another kind: %+v", j)
	}
}

// TestRunnerStopPutsJobBack: when the runner stops, the handler's context
// is cancelled and its job goes back to the queue without counting the
// interrupted run; the next runner runs it.
func TestRunnerStopPutsJobBack(t *testing.T) {
	st := testkit.OpenStore(t)
	enqueued := enqueue(t, st, core.Job{Kind: "slow", MaxAttempts: 1})
	r := core.NewRunner(st, core.WithRunnerLogger(quiet), core.WithJobPolling(5*time.Millisecond))
	started := make(chan struct{})
	r.Handle("slow", func(ctx context.Context, j core.Job) (string, error) {
		close(started)
		<-ctx.Done()
		return "", ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error)
	go func() { stopped <- r.Run(ctx) }()
	<-started
	cancel()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	j := job(t, st, enqueued.ID)
	if j.State != core.JobQueued || j.Attempts != 0 || j.LeaseOwner != "" {
		t.Fatalf("job interrupted by the stop: %+v", j)
	}
	next := core.NewRunner(st, core.WithRunnerLogger(quiet))
	next.Handle("slow", func(ctx context.Context, j core.Job) (string, error) { return "", nil })
	if n := runDue(t, next); n != 1 {
		t.Fatalf("the next runner ran %d jobs", n)
	}
	if j := job(t, st, enqueued.ID); j.State != core.JobDone || j.Attempts != 1 {
		t.Fatalf("job after the next runner: %+v", j)
	}
}

// TestRunnerWithoutHandlersIdles: Run with no handler returns when its
// context ends, without claiming anything.
func TestRunnerWithoutHandlersIdles(t *testing.T) {
	st := testkit.OpenStore(t)
	enqueued := enqueue(t, st, core.Job{Kind: "any"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := core.NewRunner(st).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if j := job(t, st, enqueued.ID); j.State != core.JobQueued {
		t.Fatalf("job: %+v", j)
	}
}

// TestTwoRunnersRunEachJobOnce runs a few hundred jobs with two runners,
// on two stores over one PostgreSQL database (two servers): each job runs
// exactly once.
func TestTwoRunnersRunEachJobOnce(t *testing.T) {
	jobEngines(t, func(t *testing.T, open func() *store.Store) {
		stores := []*store.Store{open(), open()}
		if stores[0].Engine() == store.SQLite {
			stores[1] = stores[0] // a SQLite file serves one server
		}
		const n = 300
		ids := make(map[int64]bool, n)
		for i := range n {
			ids[enqueue(t, stores[i%2], core.Job{Kind: "count", Payload: fmt.Appendf(nil, "%d", i)}).ID] = true
		}
		var mu sync.Mutex
		runs := map[int64]int{}
		var total atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i, st := range stores {
			r := core.NewRunner(st, core.WithRunnerLogger(quiet), core.WithJobPolling(5*time.Millisecond),
				core.WithRunnerOwner(fmt.Sprint("runner-", i)))
			r.Handle("count", func(ctx context.Context, j core.Job) (string, error) {
				mu.Lock()
				runs[j.ID]++
				mu.Unlock()
				total.Add(1)
				return "", nil
			})
			wg.Go(func() { r.Run(ctx) })
		}
		deadline := time.Now().Add(2 * time.Minute)
		for {
			var done int
			if err := stores[0].DB().QueryRow(`SELECT count(*) FROM jobs WHERE state = 'done'`).Scan(&done); err != nil {
				t.Fatal(err)
			}
			if done == n {
				break
			}
			if time.Now().After(deadline) {
				cancel()
				wg.Wait()
				t.Fatalf("%d of %d jobs done; %d runs", done, n, total.Load())
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		for id := range ids {
			if runs[id] != 1 {
				t.Errorf("job %d ran %d times", id, runs[id])
			}
		}
		if int(total.Load()) != n {
			t.Errorf("%d runs for %d jobs", total.Load(), n)
		}
	})
}

// TestPrepareJob: a job needs a kind; its payload and attempts are bounded.
func TestPrepareJob(t *testing.T) {
	now := testkit.Now
	for _, tc := range []struct {
		job   core.Job
		field string
	}{
		{core.Job{}, "kind"},
		{core.Job{Kind: "  "}, "kind"},
		{core.Job{Kind: strings.Repeat("k", core.MaxJobKindLen+1)}, "kind"},
		{core.Job{Kind: "k", Payload: make([]byte, core.MaxJobPayload+1)}, "payload"},
		{core.Job{Kind: "k", MaxAttempts: -1}, "max_attempts"},
		{core.Job{Kind: "k", MaxAttempts: core.MaxJobAttempts + 1}, "max_attempts"},
	} {
		j := tc.job
		wantCode(t, core.PrepareJob(&j, now), core.Invalid, tc.field)
	}
	j := core.Job{Kind: " k ", State: core.JobDone, Attempts: 3}
	if err := core.PrepareJob(&j, now); err != nil {
		t.Fatal(err)
	}
	if j.Kind != "k" || j.State != core.JobQueued || j.Attempts != 0 || j.MaxAttempts != core.DefaultJobAttempts || !j.RunAt.Equal(now) || j.Payload == nil {
		t.Errorf("prepared job: %+v", j)
	}
}
