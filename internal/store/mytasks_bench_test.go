package store_test

import (
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkMyTasks: the two lists of the web's "Mis tareas" (a user's
// open tasks, the dated ones by date and the undated ones by id, a page of
// 100 of each with its total), on a dealer of 50,000 leads with two tasks
// each (100,000 tasks, one in five open): "heavy" is one of 20 advisors
// sharing the leads (5,000 tasks, about 1,000 open), "light" an advisor
// with 5 leads (10 tasks). It reports p50 and p99 of a page (both lists)
// and the process's CPU per page (on PostgreSQL the server's CPU is not
// in it). Seeding takes half a minute per engine; -short skips it.
func BenchmarkMyTasks(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100,000 tasks")
	}
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		f := testkit.NewFixture(b, s, "bench")
		start := time.Now()
		if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 50_000); err != nil {
			b.Fatal(err)
		}
		users, err := store.SeedAdvisors(ctx, s, f.Dealer.ID, "adv", 21)
		if err != nil {
			b.Fatal(err)
		}
		heavy, light := users[:20], users[20]
		if err := store.SeedTasks(ctx, s, f.Dealer.ID, heavy, []int64{light, light, light, light, light}, 2); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded 50,000 leads and 100,000 tasks in %v", time.Since(start).Round(time.Millisecond))
		dealers := []int64{f.Dealer.ID}
		for _, tc := range []struct {
			name string
			user int64
		}{{"heavy", heavy[3]}, {"light", light}} {
			b.Run(tc.name, func(b *testing.B) {
				dated, undated := core.OpenTasksQuery(tc.user, true, 100), core.OpenTasksQuery(tc.user, false, 100)
				for _, q := range []*core.Query{&dated, &undated} {
					if err := core.TaskSchema.Check(q); err != nil {
						b.Fatal(err)
					}
				}
				var times []time.Duration
				cpu0 := cpuTime(b)
				for b.Loop() {
					t0 := time.Now()
					for _, q := range []core.Query{dated, undated} {
						if _, _, err := s.FindTasks(ctx, dealers, q); err != nil {
							b.Fatal(err)
						}
					}
					times = append(times, time.Since(t0))
				}
				b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N)/1e6, "cpu-ms/page")
				reportPercentiles(b, times)
			})
		}
	})
}
