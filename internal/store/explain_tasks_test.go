package store

import (
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestExplainTasksOfLeadUser: the condition on the assignee of a task's
// lead (the web's "Mis tareas") is one list of the user's leads, read
// from an index of leads, which each of the dealer's tasks is checked
// against; not a lookup of each task's lead (SEARCH l EXISTS … rowid),
// which took twice as long at 100,000 tasks (docs/web.md).
//
//	SEARCH tasks USING INDEX tasks_lead (lead_id=?)
//	LIST SUBQUERY 2 … leads_dealer_user
func TestExplainTasksOfLeadUser(t *testing.T) {
	s, dealerID := seededPlanStore(t)
	q := core.Query{
		Where: core.And(core.Eq("lead_user", int64(1)), core.Eq("done", false), core.Cond{Op: core.OpExists, Field: "planned_at", Value: true}),
		Sort:  []core.Sort{{Field: "planned_at"}, {Field: "id"}}, Limit: 101,
	}
	scope, args := itemScope([]int64{dealerID}, false)
	plan := listPlan(t, s, &taskTable, scope, args, q)
	t.Logf("plan: %s", plan)
	if !strings.Contains(plan, "SEARCH tasks USING INDEX tasks_lead") || strings.Contains(plan, "SCAN tasks") ||
		!strings.Contains(plan, "leads_dealer_user") || strings.Contains(plan, "EXISTS") {
		t.Errorf("the tasks of a user's leads are not checked against one list of his leads: %s", plan)
	}
}
