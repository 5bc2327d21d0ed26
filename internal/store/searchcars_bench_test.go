package store_test

import (
	"fmt"
	"syscall"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkSearchWithStockCars: the lead list's search of one dealer with
// 20,000 leads and 2,000 stock cars, every tenth lead linked to one of
// them (migration 0040): a word that finds no car (a surname, "ferrari"),
// and a plate's part, which finds leads only through their cars. It
// reports the process's CPU per search (user + system, getrusage), the
// figure to compare between builds on a busy machine; it compiles on a
// build without the link (which then links nothing), for an A/B.
func BenchmarkSearchWithStockCars(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 20,000 leads")
	}
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		f := testkit.NewFixture(b, s, "cars")
		if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 20_000); err != nil {
			b.Fatal(err)
		}
		insertVehicleRecords(b, s, 2000, func(i int) vehicleRow {
			return vehicleRow{fmt.Sprintf("bench-car-%d", i), f.Dealer.ID, "stock", fmt.Sprintf("%04dKLM", i), fmt.Sprintf("VSSZZZ%011d", i), "Seat", "León", 0}
		})
		var err error
		// a build without the column fails here and links nothing
		_, err = s.DB().ExecContext(ctx, `UPDATE vehicles SET record_id = (SELECT min(id) FROM vehicle_records) + id % 2000 WHERE id % 10 = 0`)
		b.Logf("linking every tenth lead: %v", err)
		if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		for _, search := range []string{"garcía", "ferrari", "0042klm"} {
			b.Run(search, func(b *testing.B) {
				q := core.Query{Where: core.Match(search), Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 20, Total: true}
				if err := core.LeadSchema.Check(&q); err != nil {
					b.Fatal(err)
				}
				cpu0 := cpuTime(b)
				for b.Loop() {
					if _, _, err := s.FindLeads(ctx, []int64{f.Dealer.ID}, q); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
			})
		}
	})
}

// cpuTime is the process's user and system CPU time so far, in ns.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
