package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkCreateLeadConsumers is BenchmarkCreateLead with 0, 1 and 4
// registered consumers of the dealer: each consumer costs every creation
// one row of lead_deliveries (docs/benchmarks.md).
func BenchmarkCreateLeadConsumers(b *testing.B) {
	for _, consumers := range []int{0, 1, 4} {
		b.Run(fmt.Sprint(consumers), func(b *testing.B) {
			testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
				f := testkit.NewFixture(b, s, "bench")
				svc := core.NewService(s)
				for range consumers {
					_, k, err := svc.CreateAPIKey(ctx, f.Dealer.ID, nil, "puller")
					if err != nil {
						b.Fatal(err)
					}
					if err := s.RegisterConsumer(ctx, core.Consumer{APIKeyID: k.ID}, []int64{f.Dealer.ID}, testkit.Now); err != nil {
						b.Fatal(err)
					}
				}
				var n atomic.Int64
				b.SetParallelism(8)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						l := f.Lead(int(n.Add(1)))
						h := core.History{At: testkit.Now, UserID: &f.User.ID, Type: core.HistoryCreated}
						if err := s.CreateLead(ctx, &l, &h); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkPullAndConfirm pulls 100 leads and confirms them, for one API
// key of a dealer with 100,000 leads (about 75,000 open, all ready for the
// key), and reports the p50 and p99 of the pair. -short skips it.
func BenchmarkPullAndConfirm(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100,000 leads")
	}
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		f := testkit.NewFixture(b, s, "bench")
		if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 100_000); err != nil {
			b.Fatal(err)
		}
		svc := core.NewService(s)
		_, k, err := svc.CreateAPIKey(ctx, f.Dealer.ID, nil, "puller")
		if err != nil {
			b.Fatal(err)
		}
		key := core.WithPrincipal(ctx, core.Principal{APIKeyID: k.ID, DealerIDs: []int64{f.Dealer.ID}})
		start := time.Now()
		if _, err := svc.PullLeads(key, 1); err != nil { // registers the key
			b.Fatal(err)
		}
		b.Logf("registration: %v", time.Since(start).Round(time.Millisecond))
		var times []time.Duration
		for b.Loop() {
			t0 := time.Now()
			ls, err := svc.PullLeads(key, 100)
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]int64, len(ls))
			for i, l := range ls {
				ids[i] = l.ID
			}
			if _, err := svc.ConfirmLeads(key, ids); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(t0))
		}
		reportPercentiles(b, times)
	})
}
