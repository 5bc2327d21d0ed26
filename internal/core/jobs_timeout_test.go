package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestHandleWithTimeout: a kind registered with a longer timeout runs that
// long, and the Runner's claims outlast it by a minute; the other kinds
// keep the Runner's timeout.
func TestHandleWithTimeout(t *testing.T) {
	st := testkit.OpenStore(t)
	clk := newClock()
	r := core.NewRunner(st, core.WithRunnerClock(clk.now), core.WithRunnerLogger(quiet))
	var mu sync.Mutex // the two jobs run at once
	left := map[string]time.Duration{}
	lease := map[string]time.Time{}
	h := func(ctx context.Context, j core.Job) (string, error) {
		d, _ := ctx.Deadline()
		stored, err := st.Job(ctx, j.ID)
		if err != nil {
			return "", err
		}
		mu.Lock()
		defer mu.Unlock()
		left[j.Kind] = time.Until(d)
		lease[j.Kind] = *stored.LeaseUntil
		return "", nil
	}
	r.Handle("short", h)
	r.HandleWithTimeout("long", h, time.Hour)
	enqueue(t, st, core.Job{Kind: "short"})
	enqueue(t, st, core.Job{Kind: "long"})
	clk.set(time.Now().UTC().Truncate(time.Microsecond))
	if n := runDue(t, r); n != 2 {
		t.Fatalf("ran %d jobs", n)
	}
	if left["long"] < 59*time.Minute || left["short"] > core.JobTimeout {
		t.Errorf("time left to the runs: %v", left)
	}
	want := clk.now().Add(time.Hour + time.Minute)
	if !lease["long"].Equal(want) || !lease["short"].Equal(want) {
		t.Errorf("leases %v, want both until %v", lease, want)
	}
}
