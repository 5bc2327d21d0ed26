package store

import (
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestExplainSortByCreation: a dealer's page of appointments sorted by
// created_at (Walcu's dates?sort=created_at, either way) walks
// appointments_dealer_created (migration 0041), and a page of
// appointments or communications sorted by id (Walcu's sort=_id) walks
// an index in that order (communications_dealer_id, 0041): no sort of the
// dealer's rows (no TEMP B-TREE) and no scan of the whole table. Tasks
// and notes are not: their dealer's rows are found through its leads
// (docs/walcu.md, "Not done yet").
//
//	SEARCH appointments USING INDEX appointments_dealer_created (dealer_id=?)
func TestExplainSortByCreation(t *testing.T) {
	s, dealerID := seededPlanStore(t)
	dealer := func() (string, []any) { return inScope("dealer_id", []int64{dealerID}) }
	for _, tc := range []struct {
		table     tableSQL
		scope     func() (string, []any)
		sort      core.Sort
		wantIndex string
	}{
		{appointmentTable, dealer, core.Sort{Field: "created_at"}, "appointments_dealer_created"},
		{appointmentTable, dealer, core.Sort{Field: "created_at", Desc: true}, "appointments_dealer_created"},
		{appointmentTable, dealer, core.Sort{Field: "id", Desc: true}, "USING"},
		{communicationTable, dealer, core.Sort{Field: "id"}, "communications_dealer_id"},
		{communicationTable, dealer, core.Sort{Field: "id", Desc: true}, "communications_dealer_id"},
	} {
		tab := tc.table
		scope, args := tc.scope()
		plan := listPlan(t, s, &tab, scope, args, core.Query{Sort: []core.Sort{tc.sort}, Limit: 51})
		t.Logf("%s by %v: %s", tab.table, tc.sort, plan)
		if !strings.Contains(plan, tc.wantIndex) || strings.Contains(plan, "TEMP B-TREE") ||
			strings.Contains(plan, "SCAN "+tab.table+" ") || strings.HasSuffix(plan, "SCAN "+tab.table) {
			t.Errorf("%s by %v: the page is not read in an index's order: %s", tab.table, tc.sort, plan)
		}
	}
}
