package store_test

import (
	"database/sql"
	"os"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestExplainSortByCreationPostgres: on PostgreSQL, a dealer's page of
// appointments sorted by created_at (either way) or id, and of
// communications sorted by id, can be read in an index's order
// (appointments_dealer_created, communications_dealer_id: migration
// 0041) with no Sort node and no scan of the whole table. Sequential
// scans are disabled in the session, as in TestExplainRecordExtPostgres.
func TestExplainSortByCreationPostgres(t *testing.T) {
	s, f, conn := pgNoSeqScan(t)
	for _, tc := range []struct {
		table     string
		schema    core.Schema
		sort      core.Sort
		wantIndex string
	}{
		{"appointments", core.AppointmentSchema, core.Sort{Field: "created_at"}, "appointments_dealer_created"},
		{"appointments", core.AppointmentSchema, core.Sort{Field: "created_at", Desc: true}, "appointments_dealer_created"},
		{"appointments", core.AppointmentSchema, core.Sort{Field: "id"}, "appointments_dealer_id"},
		{"communications", core.CommunicationSchema, core.Sort{Field: "id"}, "communications_dealer_id"},
		{"communications", core.CommunicationSchema, core.Sort{Field: "id", Desc: true}, "communications_dealer_id"},
	} {
		q := core.Query{Sort: []core.Sort{tc.sort}, Limit: 51}
		check(t, tc.schema.Check(&q), "check")
		query, args := store.RecordExtQuery(s, tc.table, []int64{f.Dealer.ID}, q)
		plan := pgPlanOn(t, conn, query, args...)
		t.Logf("%s by %v:\n%s", tc.table, tc.sort, plan)
		if !strings.Contains(plan, tc.wantIndex) || strings.Contains(plan, "Sort") || strings.Contains(plan, "Seq Scan on "+tc.table) {
			t.Errorf("%s by %v: the page is not read in an index's order:\n%s", tc.table, tc.sort, plan)
		}
	}
}

// pgNoSeqScan opens a PostgreSQL store (skipping the test without one)
// with a dealer's fixture, and a connection of it whose sequential scans
// are disabled, so that a plan shows what the indexes allow on tables too
// small for the planner to prefer them.
func pgNoSeqScan(t *testing.T) (*store.Store, testkit.Fixture, *sql.Conn) {
	t.Helper()
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	f := testkit.NewFixture(t, s, "x")
	conn, err := s.DB().Conn(ctx)
	check(t, err, "conn")
	t.Cleanup(func() { conn.Close() })
	_, err = conn.ExecContext(ctx, "SET enable_seqscan = off")
	check(t, err, "set")
	return s, f, conn
}
