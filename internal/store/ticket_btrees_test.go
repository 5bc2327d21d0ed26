package store

import (
	"context"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestIntakeBtrees pins what migration 0042 changed on SQLite (fewer
// b-trees written per intake, docs/benchmarks.md "Tickets: fewer b-trees
// per ticket") and that the reads of those tables still find their rows
// by key (and 0049's partial lead_profiles_parent): lead_profiles keyed by its rowid (no index of lead_id beside
// it), lead_refs WITHOUT ROWID, notes_task holding the notes of tasks
// only; and the intake's duplicate check, which sorts nothing.
func TestIntakeBtrees(t *testing.T) {
	s := openTestSQLite(t)
	ctx := context.Background()
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_index_list('lead_profiles') WHERE origin = 'pk'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("lead_profiles has %d primary-key indexes (%v), want its rowid alone", n, err)
	}
	var wr bool
	if err := s.db.QueryRowContext(ctx, `SELECT wr FROM pragma_table_list('lead_refs')`).Scan(&wr); err != nil || !wr {
		t.Errorf("lead_refs WITHOUT ROWID = %v (%v), want true", wr, err)
	}
	var partial bool
	if err := s.db.QueryRowContext(ctx, `SELECT partial FROM pragma_index_list('notes') WHERE name = 'notes_task'`).Scan(&partial); err != nil || !partial {
		t.Errorf("notes_task partial = %v (%v), want true", partial, err)
	}
	// 0049: a profile without a parent (every ticket's) is not in
	// lead_profiles_parent
	if err := s.db.QueryRowContext(ctx, `SELECT partial FROM pragma_index_list('lead_profiles') WHERE name = 'lead_profiles_parent'`).Scan(&partial); err != nil || !partial {
		t.Errorf("lead_profiles_parent partial = %v (%v), want true", partial, err)
	}

	plan := func(query string, args ...any) string { t.Helper(); return queryPlan(t, s.read, query, args...) }
	for _, c := range []struct{ query, want string }{
		{`SELECT lead_id FROM lead_refs WHERE dealer_id = 1 AND system = 'x' AND ref = 'y'`, "SEARCH lead_refs USING PRIMARY KEY (dealer_id=? AND system=? AND ref=?)"},
		{`SELECT system, ref FROM lead_refs WHERE lead_id = 1`, "SEARCH lead_refs USING COVERING INDEX lead_refs_lead (lead_id=?)"},
		{`SELECT kind FROM lead_profiles WHERE lead_id = 1`, "SEARCH lead_profiles USING INTEGER PRIMARY KEY (rowid=?)"},
		{`SELECT id FROM notes WHERE task_id = 1`, "INDEX notes_task (task_id=?)"},
		{`SELECT id FROM notes WHERE task_id IN (1, 2)`, "INDEX notes_task (task_id=?)"},
		// a lead's follow-ups (LeadChildren) and their unlinking before a
		// lead is deleted read the partial lead_profiles_parent
		{`SELECT lead_id FROM lead_profiles WHERE parent_id = 1 ORDER BY lead_id`, "SEARCH lead_profiles USING COVERING INDEX lead_profiles_parent (parent_id=?)"},
		{`UPDATE lead_profiles SET parent_id = NULL WHERE parent_id = 1`, "INDEX lead_profiles_parent (parent_id=?)"},
	} {
		if got := plan(c.query); !strings.Contains(got, c.want) {
			t.Errorf("%s:\n%s\nwant %q", c.query, got, c.want)
		}
	}

	// the duplicate check of a ticket (its ref, or the open one of the
	// same identification number and line) sorts nothing
	line := int64(1)
	query, args := receivedBeforeQuery(false, 1, &core.LeadRef{System: "casabaca.inconcert", Ref: "r1"},
		&core.OpenLeadKey{GovID: "1710034065", Kind: core.ProfileEnquiry, BusinessLineID: &line})
	got := plan(query, args...)
	for _, want := range []string{"SEARCH lead_refs USING PRIMARY KEY", "SEARCH cl USING COVERING INDEX clients_dealer_gov_id",
		"SEARCH l USING INDEX leads_client", "SEARCH p USING INTEGER PRIMARY KEY"} {
		if !strings.Contains(got, want) {
			t.Errorf("the duplicate check's plan lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("the duplicate check sorts:\n%s", got)
	}
}
