package store_test

import (
	"os"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestExplainClientLeadTalliesPostgres: the counts of a page's clients'
// leads by kind (a Walcu lead's computed client_number_of_*_leads, one
// read per page) read those clients' leads through leads_client, not
// every lead of the dealer:
//
//	GroupAggregate / HashAggregate
//	  -> … Index Scan (or Bitmap Index Scan) using leads_client on leads
//	       Index Cond: (client_id = ANY (…))
func TestExplainClientLeadTalliesPostgres(t *testing.T) {
	s, f := seededPostgres(t)
	rows, err := s.DB().QueryContext(ctx, "SELECT DISTINCT client_id FROM leads WHERE dealer_id = $1 AND client_id IS NOT NULL LIMIT 50", f.Dealer.ID)
	check(t, err, "clients")
	var args []any
	for rows.Next() {
		var id int64
		check(t, rows.Scan(&id), "scan")
		args = append(args, id)
	}
	check(t, rows.Err(), "clients")
	rows.Close()
	if len(args) < 10 {
		t.Fatalf("%d clients seeded", len(args))
	}
	plan := pgPlan(t, s, store.ClientLeadTalliesSQL(s, len(args)), append(args, f.Dealer.ID)...)
	t.Logf("plan:\n%s", plan)
	if !strings.Contains(plan, "using leads_client on leads") || strings.Contains(plan, "Seq Scan") {
		t.Errorf("the tallies do not read leads_client:\n%s", plan)
	}
}

// seededPostgres is a store on the test cluster (the test skipped without
// one) with a dealer of 1,500 seeded leads, its statistics taken.
func seededPostgres(t *testing.T) (*store.Store, testkit.Fixture) {
	t.Helper()
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	f := testkit.NewFixture(t, s, "w")
	if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 1_500); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, "ANALYZE leads"); err != nil {
		t.Fatal(err)
	}
	return s, f
}
