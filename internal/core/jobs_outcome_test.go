package core_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// cutClaimStore is a real store whose first claim is stored and then
// reported as a commit cut by an outage: what the store answers when the
// connection breaks while the claim's COMMIT is in flight.
type cutClaimStore struct {
	core.Store
	cut atomic.Bool
}

func (s *cutClaimStore) ClaimJobs(ctx context.Context, kinds []string, owner string, at time.Time, lease time.Duration, limit int) ([]core.Job, error) {
	jobs, err := s.Store.ClaimJobs(ctx, kinds, owner, at, lease, limit)
	if err == nil && len(jobs) > 0 && s.cut.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("store: commit, %w: %w", core.ErrOutcomeUnknown, io.ErrUnexpectedEOF)
	}
	return jobs, err
}

// levels records the levels and messages a logger wrote.
type levels struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *levels) Enabled(context.Context, slog.Level) bool { return true }
func (l *levels) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r)
	return nil
}
func (l *levels) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *levels) WithGroup(string) slog.Handler      { return l }

func (l *levels) find(level slog.Level, msg string) (n int, errs []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if r.Level == level && (msg == "" || r.Message == msg) {
			n++
		}
		if r.Level >= slog.LevelError {
			errs = append(errs, r.Message)
		}
	}
	return n, errs
}

// TestRunnerClaimOutcomeUnknown: a claim whose commit an outage cut is a
// warning, not an ERROR (in an outage every poll would log one), and its
// job, claimed but never started, runs once its lease expires.
func TestRunnerClaimOutcomeUnknown(t *testing.T) {
	st := &cutClaimStore{Store: testkit.OpenStore(t)}
	c := newClock()
	enqueued := enqueue(t, st, core.Job{Kind: "mine", RunAt: c.now()})
	log := &levels{}
	var runs atomic.Int32
	r := core.NewRunner(st, core.WithRunnerLogger(slog.New(log)), core.WithRunnerClock(c.now), core.WithJobPolling(5*time.Millisecond))
	r.Handle("mine", func(ctx context.Context, j core.Job) (string, error) { runs.Add(1); return "ok", nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()

	const warning = "claim jobs: connection lost at commit, claimed again when the leases expire"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if n, _ := log.find(slog.LevelWarn, warning); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no warning of the cut claim")
		}
	}
	if runs.Load() != 0 {
		t.Fatal("the job of a claim reported cut ran")
	}
	c.set(c.now().Add(core.JobLease + time.Second))
	for deadline := time.Now().Add(10 * time.Second); job(t, st, enqueued.ID).State != core.JobDone; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the job was not claimed again after its lease: %+v", job(t, st, enqueued.ID))
		}
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times", n)
	}
	if _, errs := log.find(slog.LevelError, ""); len(errs) > 0 {
		t.Fatalf("logged errors: %q", errs)
	}
}
