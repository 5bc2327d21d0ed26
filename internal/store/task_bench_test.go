package store_test

import (
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkAddTask: one task added to a lead, its own transaction (as
// core.Service.CreateTask writes it, without the history entry), the cost
// of the tasks' indexes and of migration 0056's triggers included (the
// task takes its lead's dealer and assignee). It reports the process's
// CPU per task (user + system, getrusage; on PostgreSQL the server's CPU
// is not in it); it compiles on a build without 0056, for an A/B.
func BenchmarkAddTask(b *testing.B) {
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		f := testkit.NewFixture(b, s, "tasks")
		l := f.Lead(1)
		l.UserID = &f.User.ID
		if err := s.CreateLead(ctx, &l, nil); err != nil {
			b.Fatal(err)
		}
		at := testkit.Now
		cpu0 := cpuTime(b)
		for b.Loop() {
			at = at.Add(time.Minute)
			err := s.EditLead(ctx, l.ID, func(tx core.LeadTx) error {
				return tx.AddTask(&core.Task{Type: core.TaskBudget, Media: core.MediaPhone, PlannedAt: &at, CreatedAt: at}, &f.User.ID)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
	})
}
