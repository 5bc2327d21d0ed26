package store_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkCreateLead creates whole leads (client, vehicle, a task with an
// appraisal and a note, a note, a tag, a history entry) from many goroutines
// at once, the load group commit is for.
func BenchmarkCreateLead(b *testing.B) {
	run := func(b *testing.B, s *store.Store) {
		f := testkit.NewFixture(b, s, "bench")
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
	}
	testkit.EnginesB(b, run)
	b.Run("sqlite-sync-full", func(b *testing.B) { run(b, testkit.OpenSQLite(b, "sync=full")) })
	b.Run("sqlite-serial", func(b *testing.B) {
		s := testkit.OpenSQLite(b)
		f := testkit.NewFixture(b, s, "bench")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			l := f.Lead(i)
			if err := s.CreateLead(ctx, &l, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFindLeads lists 20-lead pages with their total from 100,000
// leads of one dealer and reports the p50 and p99 latency of one call.
// Seeding takes a few seconds per engine; -short skips it.
func BenchmarkFindLeads(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100,000 leads")
	}
	const n = 100_000
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		f := testkit.NewFixture(b, s, "bench")
		start := time.Now()
		if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, n); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d leads in %v", n, time.Since(start).Round(time.Millisecond))
		dealers := []int64{f.Dealer.ID}
		probe, _, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: dealers, ClientEmailContains: "seed54321@", Page: core.Page{Limit: 1}})
		if err != nil || len(probe) != 1 {
			b.Fatalf("probe: %v %d", err, len(probe))
		}
		phone := probe[0].Client.PhoneE164[3:]
		page := core.Page{Limit: 20}
		for _, tc := range []struct {
			name  string
			f     testkit.LeadFilter
			where core.Cond // a query of the query model, with sort
			sort  []core.Sort
		}{
			{name: "default", f: testkit.LeadFilter{}},
			{name: "phone-one", f: testkit.LeadFilter{ClientPhoneContains: phone}},
			{name: "phone-many", f: testkit.LeadFilter{ClientPhoneContains: "612"}},
			{name: "email-one", f: testkit.LeadFilter{ClientEmailContains: "seed12345@"}},
			{name: "search-one", f: testkit.LeadFilter{Search: "seed 77777"}},
			{name: "search-many", f: testkit.LeadFilter{Search: "garcía"}},
			{name: "search-none", f: testkit.LeadFilter{Search: "ferrari"}},
			{name: "stage-search", f: testkit.LeadFilter{Stages: []core.Stage{core.StageNew}, Search: "golf"}},
			{name: "deep-page", f: testkit.LeadFilter{Page: core.Page{Offset: 5000, Limit: 20}}},
			{name: "sort-updated", f: testkit.LeadFilter{Sort: []core.Sort{{Field: "updated_at", Desc: true}}}},
			{name: "sort-client-search-one", f: testkit.LeadFilter{Sort: []core.Sort{{Field: "client.name"}}, Search: "seed 77777"}},
			// The query model's generic path: two conditions and a sort.
			{name: "query-stage-score-sort-updated", where: core.And(core.In("stage", core.StageNew, core.StageTracing),
				core.Cond{Op: core.OpGte, Field: "score", Value: 3}), sort: []core.Sort{{Field: "updated_at", Desc: true}}},
			// LeanCore's lookup: one client's phone, as given or in E.164.
			{name: "query-phone-eq", where: core.In("client.phone", probe[0].Client.Phone, probe[0].Client.PhoneE164),
				sort: []core.Sort{{Field: "created_at", Desc: true}}},
			{name: "query-nested-vehicle-stage", where: core.And(core.Contains("vehicle.brand_model", "golf"), core.Eq("stage", core.StageNew)),
				sort: []core.Sort{{Field: "created_at", Desc: true}}},
		} {
			b.Run(tc.name, func(b *testing.B) {
				f := tc.f
				f.DealerIDs = dealers
				if f.Page == (core.Page{}) {
					f.Page = page
				}
				q := f.Query()
				if !tc.where.IsZero() {
					q = core.Query{Where: tc.where, Sort: tc.sort, Limit: 20, Total: true}
					if err := core.LeadSchema.Check(&q); err != nil {
						b.Fatal(err)
					}
				}
				var times []time.Duration
				for b.Loop() {
					t0 := time.Now()
					if _, _, err := s.FindLeads(ctx, dealers, q); err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(t0))
				}
				reportPercentiles(b, times)
			})
		}
	})
}

func reportPercentiles(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	at := func(p float64) float64 {
		i := min(int(p*float64(len(times))), len(times)-1)
		return float64(times[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	_ = fmt.Sprint
}
