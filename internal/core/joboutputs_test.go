package core_test

import (
	"bytes"
	"context"
	"errors"
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

// outputEnv is a service over st with two dealers, a principal of each.
type outputEnv struct {
	svc        *core.Service
	clk        *clock
	a, b       testkit.Fixture
	asA, asB   context.Context
	runner     *core.Runner
	ran        atomic.Int32
	failFirst  atomic.Bool
	writeBytes int
}

func newOutputEnv(t *testing.T, st *store.Store, a, b testkit.Fixture) *outputEnv {
	e := &outputEnv{clk: newClock(), a: a, b: b, writeBytes: core.MaxJobChunk*2 + 1000}
	e.svc = core.NewService(st, core.WithClock(e.clk.now))
	e.asA = core.WithPrincipal(context.Background(), core.Principal{UserID: a.User.ID, DealerIDs: []int64{a.Dealer.ID}})
	e.asB = core.WithPrincipal(context.Background(), core.Principal{UserID: b.User.ID, DealerIDs: []int64{b.Dealer.ID}})
	e.runner = core.NewRunner(st, core.WithRunnerClock(e.clk.now), core.WithRunnerLogger(quiet))
	// The handler writes items of 100 bytes, more than two chunks in all;
	// with failFirst, its first run fails half way.
	e.runner.Handle("export", func(ctx context.Context, j core.Job) (string, error) {
		n := e.ran.Add(1)
		w, err := e.svc.NewOutputWriter(ctx, j)
		if err != nil {
			return "", err
		}
		item := bytes.Repeat([]byte("x"), 99)
		for i := 0; i*100 < e.writeBytes; i++ {
			if n == 1 && e.failFirst.Load() && i*100 > e.writeBytes/2 {
				return "", errors.New("failed half way")
			}
			if err := w.Write(ctx, append([]byte{byte('0' + i%10)}, item...), 1); err != nil {
				return "", err
			}
		}
		return "", w.Close(ctx)
	})
	return e
}

func (e *outputEnv) read(t *testing.T, o core.JobOutput) []byte {
	t.Helper()
	var all []byte
	for seq := 0; ; {
		cs, err := e.svc.JobChunks(e.asA, o, seq, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			return all
		}
		for _, c := range cs {
			if len(c) > core.MaxJobChunk {
				t.Fatalf("a chunk of %d bytes", len(c))
			}
			all = append(all, c...)
		}
		seq += len(cs)
	}
}

// TestJobOutput: an output is its dealer's (another's principal neither
// starts nor reads it), a run that failed half way leaves nothing of its
// writes once the retry finished, the output reads back whole, in chunks,
// a dealer has at most MaxActiveOutputs queued or running, and an output
// expires after JobOutputTTL and the sweep deletes it with its job.
func TestJobOutput(t *testing.T) {
	jobEngines(t, func(t *testing.T, open func() *store.Store) {
		st := open()
		e := newOutputEnv(t, st, testkit.NewFixture(t, st, "a"), testkit.NewFixture(t, st, "b"))
		if _, err := e.svc.StartJobOutput(e.asB, e.a.Dealer.ID, "export", "leads", nil); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's principal started an output: %v", err)
		}
		o, err := e.svc.StartJobOutput(e.asA, e.a.Dealer.ID, "export", "leads", []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		if o.PublicID == "" || o.Job.State != core.JobQueued || !o.ExpiresAt.Equal(o.CreatedAt.Add(core.JobOutputTTL)) {
			t.Fatalf("started: %+v", o)
		}
		for _, c := range []struct {
			ctx    context.Context
			dealer int64
		}{{e.asB, e.a.Dealer.ID}, {e.asB, e.b.Dealer.ID}, {e.asA, e.b.Dealer.ID}} {
			if _, err := e.svc.JobOutput(c.ctx, c.dealer, o.PublicID); core.ErrorCode(err) != core.NotFound {
				t.Errorf("read by another dealer: %v", err)
			}
		}
		if _, err := e.svc.JobChunks(e.asB, o, 0, 1); core.ErrorCode(err) != core.NotFound {
			t.Errorf("chunks read by another dealer: %v", err)
		}
		e.failFirst.Store(true)
		runDue(t, e.runner)
		got, err := e.svc.JobOutput(e.asA, e.a.Dealer.ID, o.PublicID)
		if err != nil || got.Job.State != core.JobQueued || got.Items == 0 {
			t.Fatalf("after the failed run: %+v %v (it had written some items)", got, err)
		}
		e.clk.set(e.clk.now().Add(core.JobBackoff(1)))
		runDue(t, e.runner)
		got, err = e.svc.JobOutput(e.asA, e.a.Dealer.ID, o.PublicID)
		want := (e.writeBytes + 99) / 100
		if err != nil || got.Job.State != core.JobDone || got.Items != int64(want) || got.Chunks != 3 || got.Bytes != int64(want*100) {
			t.Fatalf("done: %+v %v; want %d items", got, err, want)
		}
		all := e.read(t, got)
		if len(all) != want*100 || all[0] != '0' || all[100] != '1' || all[len(all)-100] != byte('0'+(want-1)%10) {
			t.Fatalf("read back %d bytes, want %d", len(all), want*100)
		}

		// the bound of queued and running outputs
		for i := 0; i < core.MaxActiveOutputs; i++ {
			if _, err := e.svc.StartJobOutput(e.asA, e.a.Dealer.ID, "export", "leads", nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.StartJobOutput(e.asA, e.a.Dealer.ID, "export", "leads", nil); core.ErrorCode(err) != core.Throttled {
			t.Fatalf("output %d: %v, want Throttled", core.MaxActiveOutputs+1, err)
		}
		if _, err := e.svc.StartJobOutput(e.asB, e.b.Dealer.ID, "export", "leads", nil); err != nil {
			t.Fatalf("another dealer is not bound by the first's outputs: %v", err)
		}

		// expiry and the sweep
		e.clk.set(o.ExpiresAt)
		if _, err := e.svc.JobOutput(e.asA, e.a.Dealer.ID, o.PublicID); core.ErrorCode(err) != core.NotFound {
			t.Errorf("an expired output: %v", err)
		}
		for runDue(t, e.runner) > 0 { // the others run, then expire
		}
		e.clk.set(o.ExpiresAt.Add(time.Minute))
		n, err := e.svc.SweepJobOutputs(context.Background())
		if err != nil || n != core.MaxActiveOutputs+2 {
			t.Fatalf("swept %d, %v; want %d", n, err, core.MaxActiveOutputs+2)
		}
		if cs, err := st.JobChunks(context.Background(), o.JobID, 0, 10); err != nil || len(cs) != 0 {
			t.Errorf("chunks after the sweep: %d %v", len(cs), err)
		}
		if _, err := st.Job(context.Background(), o.JobID); core.ErrorCode(err) != core.NotFound {
			t.Errorf("the job after the sweep: %v", err)
		}
	})
}

// TestJobOutputRunsOnceAcrossServers: two servers over one PostgreSQL
// database, each with its runner, claim the same due job at once: one
// runs it.
func TestJobOutputRunsOnceAcrossServers(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip("PostgreSQL only: one SQLite file serves one server")
	}
	dsn := testkit.MigratedPostgresDSN(t, u)
	open := func() *store.Store {
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	st1, st2 := open(), open()
	a, b := testkit.NewFixture(t, st1, "a"), testkit.NewFixture(t, st1, "b")
	e1, e2 := newOutputEnv(t, st1, a, b), newOutputEnv(t, st2, a, b)
	e1.writeBytes, e2.writeBytes = 1000, 1000
	for i := 0; i < 3; i++ {
		o, err := e1.svc.StartJobOutput(e1.asA, a.Dealer.ID, "export", "leads", nil)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var claimed atomic.Int32
		for _, e := range []*outputEnv{e1, e2} {
			wg.Go(func() {
				n, err := e.runner.RunDue(context.Background())
				if err != nil {
					t.Error(err)
				}
				claimed.Add(int32(n))
			})
		}
		wg.Wait()
		if claimed.Load() != 1 || e1.ran.Load()+e2.ran.Load() != int32(i+1) {
			t.Fatalf("round %d: claimed %d, ran %d and %d", i, claimed.Load(), e1.ran.Load(), e2.ran.Load())
		}
		got, err := e2.svc.JobOutput(e2.asA, a.Dealer.ID, o.PublicID)
		if err != nil || got.Job.State != core.JobDone || got.Job.Attempts != 1 || got.Items != 10 {
			t.Fatalf("round %d: %+v %v", i, got, err)
		}
		if all := e2.read(t, got); !strings.HasPrefix(string(all), "0xxx") || len(all) != 1000 {
			t.Fatalf("round %d: read %d bytes from the other server", i, len(all))
		}
	}
}

// TestSweepLeavesRunningOutputs: an expired output whose job is still
// running is left to a later sweep, which deletes it once the job ended.
func TestSweepLeavesRunningOutputs(t *testing.T) {
	st := testkit.OpenStore(t)
	e := newOutputEnv(t, st, testkit.NewFixture(t, st, "a"), testkit.NewFixture(t, st, "b"))
	o, err := e.svc.StartJobOutput(e.asA, e.a.Dealer.ID, "export", "leads", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	claimed, err := st.ClaimJobs(ctx, []string{"export"}, "server-1", o.CreatedAt, time.Hour, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	e.clk.set(o.ExpiresAt.Add(time.Minute))
	if n, err := e.svc.SweepJobOutputs(ctx); err != nil || n != 0 {
		t.Fatalf("swept %d running outputs, %v", n, err)
	}
	j := claimed[0]
	j.State, j.UpdatedAt = core.JobDone, e.clk.now()
	if err := st.FinishJob(ctx, j, "server-1", j.Attempts); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.SweepJobOutputs(ctx); err != nil || n != 1 {
		t.Fatalf("swept %d once the job ended, %v", n, err)
	}
}
