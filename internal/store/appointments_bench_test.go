package store_test

import (
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkAddAppointment: one appointment added to a lead, its own
// transaction, the cost of each of the appointments' indexes included
// (appointments_dealer_created, migration 0041, is one more b-tree
// written). It reports the process's CPU per appointment (user + system,
// getrusage), the figure to compare between builds on a busy machine; it
// compiles on a build without 0041, for an A/B.
func BenchmarkAddAppointment(b *testing.B) {
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		f := testkit.NewFixture(b, s, "dates")
		l := f.Lead(1)
		if err := s.CreateLead(ctx, &l, nil); err != nil {
			b.Fatal(err)
		}
		at := testkit.Now
		cpu0 := cpuTime(b)
		for b.Loop() {
			at = at.Add(time.Minute)
			err := s.EditLead(ctx, l.ID, func(tx core.LeadTx) error {
				return tx.AddAppointment(&core.Appointment{DealerID: f.Dealer.ID, LeadID: l.ID, ClientID: &l.Client.ID, UserID: &f.User.ID,
					Type: core.AppointmentVisit, Status: core.AppointmentPlanned, Title: "x", StartAt: at, CreatedAt: at, UpdatedAt: at})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
	})
}
