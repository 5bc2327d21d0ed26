package store

import (
	"context"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestExplainTasksOfLeadUser: the two lists of the web's "Mis tareas"
// (core.OpenTasksQuery: a user's open tasks, dated by date, undated by
// id) and their counts read one range of tasks_dealer_user (the task's
// dealer, its lead's assignee, done, planned_at: migration 0056), never
// the dealer's tasks nor its leads (the dealer's tasks checked against a
// list of the user's leads cost ~0.35 s a page at 100,000 tasks: see
// docs/benchmarks.md), and a page is read in the index's order, with no
// sort. TestExplainTasksOfLeadUserPostgres is PostgreSQL's.
//
//	SEARCH tasks USING COVERING INDEX tasks_dealer_user (dealer_id=? AND lead_user_id=? AND done=? AND planned_at>?)
func TestExplainTasksOfLeadUser(t *testing.T) {
	s, dealerID := seededPlanStore(t)
	users, err := SeedAdvisors(context.Background(), s, dealerID, "adv", 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := SeedTasks(context.Background(), s, dealerID, users[1:], users[:1], 2); err != nil {
		t.Fatal(err)
	}
	for _, dated := range []bool{true, false} {
		q := core.OpenTasksQuery(users[2], dated, 101)
		plan := listPlan(t, s, &taskTable, "dealer_id IN (?)", []any{dealerID}, q)
		c := s.reader(context.Background())
		cond, args, err := c.scoped(&taskTable, "dealer_id IN (?)", []any{dealerID}, q)
		if err != nil {
			t.Fatal(err)
		}
		count := queryPlan(t, s.read, "SELECT count(*) FROM tasks WHERE "+cond, args...)
		t.Logf("dated %v: page %s; count %s", dated, plan, count)
		for what, p := range map[string]string{"page": plan, "count": count} {
			if !strings.HasPrefix(p, "SEARCH tasks USING COVERING INDEX tasks_dealer_user (dealer_id=? AND lead_user_id=? AND done=? AND planned_at") ||
				strings.Contains(p, "leads") || strings.Contains(p, "SCAN") {
				t.Errorf("dated %v: the %s does not read the range of the user's open tasks in tasks_dealer_user: %s", dated, what, p)
			}
		}
		if strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("dated %v: the page is sorted, not read in the index's order: %s", dated, plan)
		}
	}
}
