package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestIDSequences: the sequences a new lead's ids are taken from on
// PostgreSQL (pgbatch.go) are those of the tables' identity columns.
func TestIDSequences(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	for _, table := range []string{"clients", "vehicles", "leads", "tasks", "appraisals", "notes", "lead_history"} {
		var seq string
		if err := s.DB().QueryRowContext(context.Background(), `SELECT pg_get_serial_sequence($1, 'id')`, table).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		if want := store.IDSequence(table); !strings.HasSuffix(seq, "."+want) {
			t.Errorf("%s: the sequence of id is %s, want %s", table, seq, want)
		}
	}
}

// TestCreateLeadManyRows: a lead with more notes than one statement takes
// parameters for on PostgreSQL (65,535) is stored whole, its notes in the
// order given, on both engines.
func TestCreateLeadManyRows(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := testkit.NewFixture(t, s, "many")
		l := f.Lead(1)
		const n = 6000 // 11 parameters each: more than one statement takes
		l.Notes = make([]core.Note, n)
		for i := range l.Notes {
			l.Notes[i] = core.Note{Content: fmt.Sprintf("note %d", i), Created: testkit.Now, Modified: testkit.Now}
		}
		if err := s.CreateLead(ctx, &l, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Lead(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Notes) != n {
			t.Fatalf("%d notes stored, want %d", len(got.Notes), n)
		}
		for i, note := range got.Notes {
			if note.Content != fmt.Sprintf("note %d", i) || note.ID != l.Notes[i].ID || note.LeadID != l.ID {
				t.Fatalf("note %d: %+v, created as %+v", i, note, l.Notes[i])
			}
		}
	})
}

// TestCreateLeadShapes: leads of different shapes (with and without a
// vehicle, tasks, appraisals, notes and tags, in different numbers),
// created in turn and again, are each stored whole, on both engines. On
// PostgreSQL each shape has its own statement (pgRows.statement), kept
// by its shape: a lead must never be written with another shape's.
func TestCreateLeadShapes(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := testkit.NewFixture(t, s, "shapes")
		n := 0
		for round := 0; round < 2; round++ {
			for notes := 0; notes <= 2; notes++ {
				for tasks := 0; tasks <= 2; tasks++ {
					n++
					l := f.Lead(n)
					if notes == 0 {
						l.Vehicle = nil
					}
					base := l.Tasks[0]
					l.Tasks = nil
					for i := range tasks {
						task := base
						task.Description = fmt.Sprintf("task %d of %d", i, n)
						task.Notes = []core.Note{{Content: fmt.Sprintf("task note %d of %d", i, n), Created: testkit.Now, Modified: testkit.Now}}
						if i == 1 {
							task.Appraisal = nil
						} else {
							a := *base.Appraisal
							task.Appraisal = &a
						}
						l.Tasks = append(l.Tasks, task)
					}
					l.Notes, l.Tags = nil, nil
					for i := range notes {
						l.Notes = append(l.Notes, core.Note{Content: fmt.Sprintf("note %d of %d", i, n), Created: testkit.Now, Modified: testkit.Now})
						l.Tags = append(l.Tags, core.Note{Content: fmt.Sprintf("tag %d of %d", i, n), Created: testkit.Now, Modified: testkit.Now})
					}
					if err := s.CreateLead(ctx, &l, nil); err != nil {
						t.Fatal(err)
					}
					got, err := s.Lead(ctx, l.ID)
					if err != nil {
						t.Fatal(err)
					}
					if (got.Vehicle == nil) != (l.Vehicle == nil) || len(got.Tasks) != tasks || len(got.Notes) != notes || len(got.Tags) != notes {
						t.Fatalf("lead %d (%d notes, %d tasks): stored %+v", n, notes, tasks, got)
					}
					for i, task := range got.Tasks {
						if task.Description != fmt.Sprintf("task %d of %d", i, n) || (task.Appraisal == nil) != (i == 1) ||
							len(task.Notes) != 1 || task.Notes[0].Content != fmt.Sprintf("task note %d of %d", i, n) {
							t.Fatalf("lead %d task %d: %+v", n, i, task)
						}
					}
					for i := range notes {
						if got.Notes[i].Content != fmt.Sprintf("note %d of %d", i, n) || got.Tags[i].Content != fmt.Sprintf("tag %d of %d", i, n) {
							t.Fatalf("lead %d: notes %+v tags %+v", n, got.Notes, got.Tags)
						}
					}
				}
			}
		}
	})
}
