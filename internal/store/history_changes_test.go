package store

import (
	"strings"
	"testing"
)

// TestPreviousAssigneesPlan: a page's previous assignees read the partial
// lead_history_changes (migrations 0036 and 0050), which on SQLite holds
// neither the leads' creations nor their logged communications, and the
// reader's condition lets SQLite use it.
func TestPreviousAssigneesPlan(t *testing.T) {
	s := openTestSQLite(t)
	var where string
	if err := s.db.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'lead_history_changes'`).Scan(&where); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(where, "'communication_logged'") {
		t.Errorf("lead_history_changes: %s, want the logged communications left out", where)
	}
	got := queryPlan(t, s.read, previousAssigneesQuery(3), 1, 2, 3, `%"field":"user"%`, 1, 5)
	if !strings.Contains(got, "lead_history USING INDEX lead_history_changes (lead_id=?)") {
		t.Errorf("the previous assignees' read does not use lead_history_changes:\n%s", got)
	}
}
