package store_test

import (
	"os"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestExplainPreviousAssigneesPostgres: on PostgreSQL the previous
// assignees' read, whose condition leaves out the creations and the
// logged communications, still uses lead_history_changes (which leaves
// out the creations only: implied by the condition).
func TestExplainPreviousAssigneesPostgres(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	// an empty table: without sequential scans the planner shows which
	// index it can use
	c, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	plan := pgPlanOn(t, c, store.PreviousAssigneesQuery(3), 1, 2, 3, `%"field":"user"%`, 1, 5)
	if !strings.Contains(plan, "lead_history_changes") {
		t.Errorf("the previous assignees' read does not use lead_history_changes:\n%s", plan)
	}
}
