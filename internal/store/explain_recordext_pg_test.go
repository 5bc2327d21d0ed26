package store_test

import (
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
)

// TestExplainRecordExtPostgres: on PostgreSQL, a dealer's list of
// appointments, communications, tasks or notes with conditions on
// extension fields (a flat Ext key; a task's or note's extension
// document) can be served by an index of the dealer's (or its leads')
// rows, never needing a scan of the whole table, and finds a task's or
// note's document by documents_record. Sequential scans are disabled in
// the session so that the plan shows what the indexes allow on tables
// too small for the planner to prefer them.
func TestExplainRecordExtPostgres(t *testing.T) {
	s, f, conn := pgNoSeqScan(t)
	ext := map[string]core.FieldSpec{
		"ext.walcu.custom":      {Type: core.TypeText, Path: "walcu.custom"},
		"ext.walcu.foreign_ids": {Type: core.TypeText, Path: "walcu.foreign_ids[]"},
	}
	where := core.And(core.Eq("ext.walcu.custom", "x"), core.Eq("ext.walcu.foreign_ids", "erp-1"))
	schemas := map[string]core.Schema{"appointments": core.AppointmentSchema, "communications": core.CommunicationSchema,
		"tasks": core.TaskSchema, "notes": core.NoteSchema}
	for table, base := range schemas {
		sc, err := base.WithExt(ext)
		check(t, err, "schema")
		q := core.Query{Where: where, Ext: ext, Limit: 51}
		check(t, sc.Check(&q), "check")
		query, args := store.RecordExtQuery(s, table, []int64{f.Dealer.ID}, q)
		plan := pgPlanOn(t, conn, query, args...)
		t.Logf("%s:\n%s", table, plan)
		if strings.Contains(plan, "Seq Scan on "+table) || !strings.Contains(plan, "Index") {
			t.Errorf("%s: the list does not read an index of the dealer's rows:\n%s", table, plan)
		}
		if (table == "tasks" || table == "notes") && !strings.Contains(plan, "documents_record") {
			t.Errorf("%s: the extension document is not found by documents_record:\n%s", table, plan)
		}
	}
}
