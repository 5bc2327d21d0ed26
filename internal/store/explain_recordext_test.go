package store

import (
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestExplainRecordExt: a dealer's list of appointments, communications,
// tasks or notes with a condition on an extension field (a flat Ext key,
// or the extension document of a task or note), compiled by
// withFlatExt/withDocExt, reads an index of the dealer's (or its leads')
// rows, never the whole table, and finds a task's or note's document by
// documents_record; the condition on the JSON is tested on those rows.
//
//	SEARCH appointments USING INDEX appointments_dealer_id (dealer_id=?)
func TestExplainRecordExt(t *testing.T) {
	s, dealerID := seededPlanStore(t)
	ext := map[string]core.FieldSpec{
		"ext.walcu.custom":      {Type: core.TypeText, Path: "walcu.custom"},
		"ext.walcu.foreign_ids": {Type: core.TypeText, Path: "walcu.foreign_ids[]"},
	}
	where := core.And(core.Eq("ext.walcu.custom", "x"), core.Eq("ext.walcu.foreign_ids", "erp-1"))
	for _, tc := range []struct {
		table     tableSQL
		doc       bool
		scope     func() (string, []any)
		wantIndex string
	}{
		{appointmentTable, false, func() (string, []any) { return inScope("dealer_id", []int64{dealerID}) }, "appointments_dealer"},
		{communicationTable, false, func() (string, []any) { return inScope("dealer_id", []int64{dealerID}) }, "communications_dealer"},
		{taskTable, true, func() (string, []any) { return taskScope([]int64{dealerID}) }, "USING INDEX"},
		{noteTable, true, func() (string, []any) { return noteScope([]int64{dealerID}) }, "USING INDEX"},
	} {
		build := tc.table.withFlatExt
		if tc.doc {
			build = tc.table.withDocExt
		}
		tab, err := build(ext, false)
		if err != nil {
			t.Fatal(err)
		}
		scope, args := tc.scope()
		plan := listPlan(t, s, &tab, scope, args, core.Query{Where: where, Ext: ext, Limit: 51})
		t.Logf("%s: %s", tab.table, plan)
		if !strings.Contains(plan, tc.wantIndex) || strings.Contains(plan, "SCAN "+tab.table+" ") || strings.HasSuffix(plan, "SCAN "+tab.table) {
			t.Errorf("%s: the list does not read an index of the dealer's rows: %s", tab.table, plan)
		}
		if tc.doc && !strings.Contains(plan, "documents_record") {
			t.Errorf("%s: the extension document is not found by documents_record: %s", tab.table, plan)
		}
	}
}
