package sml

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/testkit"
)

// maximalLead creates, through the core, a lead that holds all a lead may
// hold, in the shape that renders largest: MaxItems tasks with every date,
// MaxLeadNotes notes and tags, each with two versions (MaxLeadNoteVersions
// in all), a first of one character and a second that takes the rest of
// MaxLeadText, which the answer shows twice (as the content and as the
// last version); its own short texts at MaxShortText. Texts are made of
// char (a character JSON escapes as \u0001 costs six bytes). It returns
// the lead's id.
func maximalLead(t testing.TB, e *env, char string) int64 {
	t.Helper()
	return maximalLeadOf(t, e.svc, e.fx, char)
}

// maximalLeadOf is maximalLead through svc over the demo fx.
func maximalLeadOf(t testing.TB, svc *core.Service, fx demo.Fixture, char string) int64 {
	t.Helper()
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: fx.AdminID, DealerIDs: []int64{fx.DealerID}})
	short := strings.Repeat(char, core.MaxShortText)
	when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	tasks := make([]core.Task, core.MaxItems)
	for i := range tasks {
		tasks[i] = core.Task{Type: core.TaskDate, PlannedAt: &when, PlannedTrackingAt: &when, Done: true, Tracked: true}
	}
	per := core.MaxLeadText / core.MaxLeadNotes // characters of each note's two versions
	notes := func(n int) []core.Note {
		out := make([]core.Note, n)
		for i := range out {
			out[i].Content = char
		}
		return out
	}
	tasks[len(tasks)-1].Notes = notes(core.MaxLeadNotes - 2*core.MaxItems)
	l, err := svc.CreateLead(ctx, core.Lead{SourceID: fx.SourceIDs["phone"], Reason: short,
		Vehicle: &core.Vehicle{BrandModel: short, Price: short, Km: short},
		Client:  &core.Client{Name: short, Email: "a@example.com", Phone: "666777888"},
		Notes:   notes(core.MaxItems), Tags: notes(core.MaxItems), Tasks: tasks})
	if err != nil {
		t.Fatal(err)
	}
	v2 := func(ns []core.Note) *[]core.NotePatch {
		ps := make([]core.NotePatch, len(ns))
		for i := range ns {
			ps[i] = core.NotePatch{ID: &ns[i].ID, Content: core.Value(strings.Repeat(char, per-1))}
		}
		return &ps
	}
	last := &l.Tasks[len(l.Tasks)-1]
	l, err = svc.UpdateLead(ctx, l.ID, core.LeadPatch{Notes: v2(l.Notes), Tags: v2(l.Tags),
		Tasks: func() *[]core.TaskPatch {
			ps := make([]core.TaskPatch, len(l.Tasks))
			for i := range l.Tasks {
				ps[i] = core.TaskPatch{ID: &l.Tasks[i].ID}
			}
			ps[len(ps)-1].Notes = v2(last.Notes)
			return &ps
		}()})
	if err != nil {
		t.Fatal(err)
	}
	if got := core.MeasureLead(&l); got.Notes != core.MaxLeadNotes || got.Versions != core.MaxLeadNoteVersions || got.Text != core.MaxLeadText {
		t.Fatalf("the maximal lead holds %+v", got)
	}
	return l.ID
}

// TestMaximalLeadSize: a lead that holds all a lead may hold renders
// within maxLeadAnswer bytes, whatever its text (docs/sml.md, "What one
// answer costs").
func TestMaximalLeadSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, char := range []string{"a", "\x01"} {
		id := maximalLead(t, e, char)
		r := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead/%d/", id), nil), http.StatusOK)
		if len(r.body) > maxLeadAnswer {
			t.Errorf("a maximal lead of %q renders in %d bytes, more than %d", char, len(r.body), maxLeadAnswer)
		}
	}
}

// maxLeadAnswer bounds the answer of one lead: 1.5 MB measured for the
// escaped shape of maximalLead.
const maxLeadAnswer = 1600000

// BenchmarkMaximalLeadPage serves the largest page of leads SML answers:
// core.MaxLeadsPerAnswer leads at their totals (GET /api/lead/ with
// page_size=all), and reports its size.
//
//	go test ./internal/sml/ -run '^$' -bench MaximalLeadPage -benchtime 5x
func BenchmarkMaximalLeadPage(b *testing.B) {
	for _, shape := range []struct{ name, char string }{{"plain", "a"}, {"escaped", "\x01"}} {
		b.Run(shape.name, func(b *testing.B) {
			svc := core.NewService(testkit.OpenStore(b))
			fx, err := demo.Seed(context.Background(), svc, demo.Options{})
			if err != nil {
				b.Fatal(err)
			}
			for range core.MaxLeadsPerAnswer {
				maximalLeadOf(b, svc, fx, shape.char)
			}
			h := NewHandler(svc, WithLogger(slog.New(slog.DiscardHandler)))
			c := newDirectClient(b, h, fx)
			b.ResetTimer()
			var size int
			for range b.N {
				w := c.do(http.MethodGet, "/api/lead/?page_size=all", nil)
				if w.Code != http.StatusOK {
					b.Fatalf("%d", w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size)/1e6, "MB/page")
		})
	}
}
