package store_test

import (
	"errors"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestEnqueueJobWithAWrite: a job enqueued inside another write (as a
// lead's creation will enqueue its webhook) exists if and only if that
// write commits.
func TestEnqueueJobWithAWrite(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		count := func() int {
			var n int
			if err := s.DB().QueryRow(`SELECT count(*) FROM jobs`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		j := core.Job{Kind: "webhook", Payload: []byte("lead 1")}
		if err := core.PrepareJob(&j, testkit.Now); err != nil {
			t.Fatal(err)
		}
		failed := j
		co := core.Country{Code: "PT", Name: "Portugal"}
		refused := errors.New("refused after both inserts")
		if err := store.EnqueueWithCountry(s, &co, &failed, refused); !errors.Is(err, refused) {
			t.Fatalf("failed write: %v", err)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d jobs after the write that failed", n)
		}
		co = core.Country{Code: "PT", Name: "Portugal"}
		if err := store.EnqueueWithCountry(s, &co, &j, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != "webhook" || string(got.Payload) != "lead 1" || got.State != core.JobQueued || got.MaxAttempts != core.DefaultJobAttempts ||
			!got.RunAt.Equal(testkit.Now) || !got.CreatedAt.Equal(testkit.Now) {
			t.Fatalf("job enqueued with the write: %+v", got)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d jobs", n)
		}
	})
}
