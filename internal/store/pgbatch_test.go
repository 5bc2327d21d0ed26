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
