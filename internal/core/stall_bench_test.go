package core_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/store"
	"forecourt/internal/telephony"
	"forecourt/internal/testkit"
)

// BenchmarkSmallCreatesBesideRewrites measures what one dealer's large
// writes cost another dealer's small ones (issue 8, item 3): dealer A
// rewrites the largest lead the rules let it hold, over and over (every
// task and note replaced by new ones, one UpdateLead each), while dealer B
// creates small leads one after the other, reported as their p50, p99
// and slowest latency and their number. b.N is A's rewrites (ns/op the
// time of one); "alone" is 50·b.N creates of B without A.
//
// The largest lead is the issue's, 200 tasks of 200 notes each, where the
// rules allow it (before the lead's totals existed); else the one the
// totals allow: 200 tasks, 500 notes. Run it with a fixed count, e.g.
//
//	go test ./internal/core/ -run '^$' -bench SmallCreatesBesideRewrites -benchtime 200x
func BenchmarkSmallCreatesBesideRewrites(b *testing.B) {
	testkit.EnginesB(b, func(b *testing.B, st *store.Store) {
		ctx := context.Background()
		svc := core.NewService(st, core.WithDialer(telephony.LogDialer{Log: slog.New(slog.DiscardHandler)}))
		f, err := demo.Seed(ctx, svc, demo.Options{Advisors: 1})
		if err != nil {
			b.Fatal(err)
		}
		d2, err := svc.CreateDealer(ctx, core.Dealer{Name: "Otro", Country: "ES"})
		if err != nil {
			b.Fatal(err)
		}
		src, err := svc.CreateSource(ctx, core.Source{DealerID: d2.ID, ChannelID: 1, OriginID: 1, Data: "otro"})
		if err != nil {
			b.Fatal(err)
		}
		u2, err := svc.CreateUser(ctx, core.User{Username: "otro@example.com", IsActive: true,
			Memberships: []core.Membership{{DealerID: d2.ID, IsAdmin: true}}}, "pw")
		if err != nil {
			b.Fatal(err)
		}
		a := core.WithPrincipal(ctx, core.Principal{UserID: f.AdminID, DealerIDs: []int64{f.DealerID}})
		other := core.WithPrincipal(ctx, core.Principal{UserID: u2.ID, DealerIDs: []int64{d2.ID}})

		// the largest lead A may hold: the issue's, else the totals'
		shape := func(perTask, leadNotes int, text string) ([]core.Task, []core.Note) {
			ts := make([]core.Task, core.MaxItems)
			for i := range ts {
				ts[i] = core.Task{Description: "llamar", Notes: make([]core.Note, perTask)}
				for j := range ts[i].Notes {
					ts[i].Notes[j].Content = text
				}
			}
			ns := make([]core.Note, leadNotes)
			for i := range ns {
				ns[i].Content = text
			}
			return ts, ns
		}
		tasks, notes := shape(core.MaxItems, 0, "x")
		big, err := svc.CreateLead(a, core.Lead{SourceID: f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "SEAT León"}, Tasks: tasks, Notes: notes})
		if core.ErrorCode(err) == core.Invalid {
			tasks, notes = shape(2, 100, "x")
			big, err = svc.CreateLead(a, core.Lead{SourceID: f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "SEAT León"}, Tasks: tasks, Notes: notes})
		}
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, t := range big.Tasks {
			n += len(t.Notes)
		}
		b.Logf("dealer A's lead: %d tasks, %d notes", len(big.Tasks), n+len(big.Notes))
		taskPatch := make([]core.TaskPatch, len(tasks))
		for i, t := range tasks {
			ns := make([]core.NotePatch, len(t.Notes))
			for j := range ns {
				ns[j] = core.NotePatch{Content: core.Value("y")}
			}
			taskPatch[i] = core.TaskPatch{Description: core.Value(t.Description), Notes: &ns}
		}
		notePatch := make([]core.NotePatch, len(notes))
		for i := range notePatch {
			notePatch[i] = core.NotePatch{Content: core.Value("y")}
		}

		// b.N rewrites of A's lead (none "alone": b.N creates of B), while
		// B creates small leads one after the other
		run := func(b *testing.B, rewrite bool) {
			var stop atomic.Bool
			var wg sync.WaitGroup
			var lat []time.Duration
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load() && (rewrite || i < 50*b.N); i++ {
					t0 := time.Now()
					_, err := svc.CreateLead(other, core.Lead{SourceID: src.ID, Vehicle: &core.Vehicle{BrandModel: "Ibiza"},
						Client: &core.Client{Name: "Cliente", Phone: "6000" + string(rune('0'+i%10)) + "0000"}})
					if err != nil {
						b.Error(err)
						return
					}
					lat = append(lat, time.Since(t0))
				}
			}()
			b.ResetTimer()
			if rewrite {
				for range b.N {
					if _, err := svc.UpdateLead(a, big.ID, core.LeadPatch{Tasks: &taskPatch, Notes: &notePatch}); err != nil {
						b.Fatal(err)
					}
				}
				stop.Store(true)
			}
			wg.Wait()
			b.StopTimer()
			if len(lat) == 0 {
				b.Fatal("no creates")
			}
			slices.Sort(lat)
			q := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6 }
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max-ms")
			b.ReportMetric(float64(len(lat)), "creates")
		}
		b.Run("alone", func(b *testing.B) { run(b, false) })
		b.Run("beside-rewrites", func(b *testing.B) { run(b, true) })
	})
}
