package store_test

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkCreateLeadMerging creates leads on PostgreSQL from many
// goroutines at once, each with a new client matching one of 2,000 stored
// clients by its phone and bringing an address the stored one lacks the
// first time: the combined writes' merge path, which takes the stored
// clients' row locks (pgcombine.go, "Lock order"). Half the leads also
// name a stored client instead. Reports the writes refused for a deadlock
// (two combined writes of one store may run at once). docs/benchmarks.md, "Combined creations:
// the lock order".
func BenchmarkCreateLeadMerging(b *testing.B) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		b.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(b, u)
	f := testkit.NewFixture(b, s, "bench")
	const stored = 2000
	clients := make([]core.Client, stored)
	for i := range clients {
		l := f.Lead(i)
		l.Tasks, l.Notes, l.Tags = nil, nil, nil
		if err := s.CreateLead(ctx, &l, nil); err != nil {
			b.Fatal(err)
		}
		clients[i] = *l.Client
	}
	var n atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			x := clients[i*7919%stored]
			l := f.Lead(stored + i)
			if i%2 == 0 {
				l.Client = &core.Client{ID: x.ID}
			} else {
				l.Client.Phone, l.Client.PhoneE164, l.Client.Email = x.Phone, x.PhoneE164, ""
				l.Client.Address = fmt.Sprintf("Calle %d", i)
			}
			if err := s.CreateLead(ctx, &l, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(store.CombinedDeadlocks(s)), "deadlocks")
}
