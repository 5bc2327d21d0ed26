package store_test

import (
	"os"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestExplainFindLeadsPostgres records how PostgreSQL runs the lead list's
// text filters on 20,000 leads with the trigram indexes of migration 0005.
// Search reads leads_search_trgm, on the expression pgLeadSearch, once for
// all its terms, and with a number term ORs the primary key;
// ClientPhoneContains and ClientEmailContains read it too since migration
// 0033 dropped their own trigram indexes (the search text holds the phone
// and the e-mail; the column's condition is rechecked on each candidate). For Search "seed 12345" the count is:
//
//	Aggregate
//	  -> Bitmap Heap Scan on leads
//	       Recheck Cond: ((<search> ~~ '%12345%') AND (<search> ~~ '%seed%')) OR (id = 12345)
//	       Filter: (dealer_id = 1) AND (<search> ~~ '%seed%')
//	       -> BitmapOr
//	            -> Bitmap Index Scan on leads_search_trgm
//	                 Index Cond: (<search> ~~ '%12345%') AND (<search> ~~ '%seed%')
//	            -> Bitmap Index Scan on leads_pkey  Index Cond: (id = 12345)
//
// and the page sorts the same matches (Limit, Sort, Bitmap Heap Scan). On
// 100,000 leads BenchmarkFindLeads's text filters went from p50 42-137 ms
// (every lead scanned) to 1-18 ms.
func TestExplainFindLeadsPostgres(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	f := testkit.NewFixture(t, s, "x")
	if err := store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 20_000); err != nil {
		t.Fatal(err)
	}
	explain := func(query string, args []any) string {
		t.Helper()
		return pgPlan(t, s, query, args...)
	}
	dealers := []int64{f.Dealer.ID}
	for _, tc := range []struct {
		f     testkit.LeadFilter
		index []string // the trigram indexes the count must read
	}{
		{testkit.LeadFilter{ClientPhoneContains: "612 345 67"}, []string{"leads_search_trgm"}},
		{testkit.LeadFilter{ClientEmailContains: "seed12345@"}, []string{"leads_search_trgm"}},
		{testkit.LeadFilter{ClientEmailContains: "seed12345@", ClientPhoneContains: "612 345 67"}, []string{"leads_search_trgm"}},
		{testkit.LeadFilter{Search: "seed 12345"}, []string{"leads_search_trgm"}},
		{testkit.LeadFilter{Search: "ferrari"}, []string{"leads_search_trgm"}},
		{testkit.LeadFilter{Search: "12345"}, []string{"BitmapOr", "leads_search_trgm", "leads_pkey"}},
	} {
		tc.f.DealerIDs = dealers
		page, count, pargs, cargs := store.LeadQueries(s, tc.f.DealerIDs, tc.f.Query())
		cp, pp := explain(count, cargs), explain(page, pargs)
		t.Logf("%q %q %q\ncount:\n%s\npage:\n%s", tc.f.Search, tc.f.ClientPhoneContains, tc.f.ClientEmailContains, cp, pp)
		for _, want := range tc.index {
			if !strings.Contains(cp, want) {
				t.Errorf("filter %+v: the count does not use %s:\n%s", tc.f, want, cp)
			}
		}
	}
}
