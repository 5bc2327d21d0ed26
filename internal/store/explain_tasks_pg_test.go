package store_test

import (
	"os"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestExplainTasksOfLeadUserPostgres is TestExplainTasksOfLeadUser on
// PostgreSQL, on a dealer of 4,000 tasks (2,000 leads shared by three
// advisors, five of them another's) with its statistics: the two lists of
// "Mis tareas" and their counts read tasks_dealer_user, its Index Cond
// naming the lead's assignee, in the plan of the executions after the
// first five and in the generic plan a prepared statement may keep; no
// scan of tasks (the undated ones sorted by id alone walked tasks_pkey in
// the generic plan, testing every task until a page of them), no leads;
// a page is read in the index's order.
func TestExplainTasksOfLeadUserPostgres(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	f := testkit.NewFixture(t, s, "x")
	check(t, store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 2000), "seed leads")
	users, err := store.SeedAdvisors(ctx, s, f.Dealer.ID, "adv", 4)
	check(t, err, "users")
	check(t, store.SeedTasks(ctx, s, f.Dealer.ID, users[1:], []int64{users[0], users[0], users[0], users[0], users[0]}, 2), "seed tasks")
	conn, err := s.DB().Conn(ctx)
	check(t, err, "conn")
	defer conn.Close()
	for _, user := range []int64{users[0], users[2]} {
		for _, dated := range []bool{true, false} {
			q := core.OpenTasksQuery(user, dated, 101)
			check(t, core.TaskSchema.Check(&q), "check")
			page, pageArgs, count, countArgs := store.TaskListQueries(s, []int64{f.Dealer.ID}, q)
			for what, plan := range map[string]string{
				"page": pgPreparedPlan(t, conn, page, pageArgs...), "generic page": pgGenericPlan(t, conn, page, pageArgs...),
				"count": pgPreparedPlan(t, conn, count, countArgs...), "generic count": pgGenericPlan(t, conn, count, countArgs...),
			} {
				t.Logf("user %d dated %v, %s:\n%s", user, dated, what, plan)
				if !strings.Contains(plan, " tasks_dealer_user") || !strings.Contains(plan, "lead_user_id = ") ||
					strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "tasks_pkey") || strings.Contains(plan, "leads") {
					t.Errorf("user %d dated %v: the %s does not read the range of the user's open tasks in tasks_dealer_user:\n%s", user, dated, what, plan)
				}
				if strings.HasSuffix(what, "page") && strings.Contains(plan, "Sort") {
					t.Errorf("user %d dated %v: the %s is sorted, not read in the index's order:\n%s", user, dated, what, plan)
				}
			}
		}
	}
}
