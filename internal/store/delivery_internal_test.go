package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkReadyForConsumers measures CreateLead's one statement for
// delivery on SQLite, alone, with 0, 1 and 4 consumers of the dealer: the
// cost a creation pays for delivery (docs/benchmarks.md).
func BenchmarkReadyForConsumers(b *testing.B) {
	for _, consumers := range []int{0, 1, 4} {
		b.Run(fmt.Sprint(consumers), func(b *testing.B) {
			s := openTestSQLite(b)
			ctx := context.Background()
			dealerID, sourceID := seedDealer(b, s)
			const perWrite = 1000
			var leads []int64
			err := s.write(ctx, func(c conn) error {
				for i := range consumers {
					if _, err := c.exec(`INSERT INTO users (public_id, username, created_at) VALUES (?, ?, 0)`, newPublicID(), fmt.Sprint("u", i)); err != nil {
						return err
					}
					if _, err := c.exec(`INSERT INTO delivery_consumers (dealer_id, user_id, created_at) VALUES (?, (SELECT max(id) FROM users), 0)`, dealerID); err != nil {
						return err
					}
				}
				for i := range perWrite {
					id, err := c.insert(`INSERT INTO leads (public_id, dealer_id, source_id, stage, stage_rank, created_at, updated_at) VALUES (?, ?, ?, 'new', 0, 0, 0)`,
						newPublicID(), dealerID, sourceID)
					if err != nil {
						return fmt.Errorf("lead %d: %w", i, err)
					}
					leads = append(leads, id)
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			var spent time.Duration
			for b.Loop() {
				err := s.write(ctx, func(c conn) error {
					if _, err := c.exec(`DELETE FROM lead_deliveries`); err != nil {
						return err
					}
					t0 := time.Now()
					for _, id := range leads {
						if err := readyForConsumers(c, id, dealerID, time.Now()); err != nil {
							return err
						}
					}
					spent += time.Since(t0)
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(spent.Nanoseconds())/float64(b.N*perWrite), "ns/lead")
		})
	}
}
