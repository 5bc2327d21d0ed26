package store_test

import (
	"database/sql"
	"slices"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestMigration56FillsTasks: migration 0056 gives the tasks there are
// their lead's dealer and assignee, on both engines: tasks written before
// it (down to 0055, a lead then reassigned there) are listed as the
// tasks of their lead's assignee at the time of the migration, and only
// his (TestOpenTasksFollowTheirLead follows the writes after it).
func TestMigration56FillsTasks(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "one")
			other := core.User{Username: "other", Email: "other@example.com", IsActive: true, CreatedAt: testkit.Now,
				Memberships: []core.Membership{{DealerID: f.Dealer.ID}}}
			check(t, s.CreateUser(ctx, &other), "user")
			var leads []core.Lead
			for i := range 2 {
				l := f.Lead(i + 1)
				l.UserID = &f.User.ID
				check(t, s.CreateLead(ctx, &l, nil), "lead")
				leads = append(leads, l)
			}
			s.Close()
			migrateDownTo(t, engine, dsn, 55, func(db *sql.DB) {
				if _, err := db.Exec(`UPDATE leads SET user_id = ` + itoa(other.ID) + ` WHERE id = ` + itoa(leads[1].ID)); err != nil {
					t.Fatal(err)
				}
			})
			s = openAt(t, dsn)
			defer s.Close()
			tasksOf := func(user int64) []int64 {
				t.Helper()
				q := core.Query{Where: core.Eq("lead_user", user), Sort: []core.Sort{{Field: "id"}}, Limit: 100}
				check(t, core.TaskSchema.Check(&q), "check")
				ts, _, err := s.FindTasks(ctx, []int64{f.Dealer.ID}, q)
				check(t, err, "find")
				var ids []int64
				for _, task := range ts {
					ids = append(ids, task.ID)
				}
				return ids
			}
			if got, want := tasksOf(f.User.ID), []int64{leads[0].Tasks[0].ID}; !slices.Equal(got, want) {
				t.Errorf("the first assignee's tasks after the migration: %v, want %v", got, want)
			}
			if got, want := tasksOf(other.ID), []int64{leads[1].Tasks[0].ID}; !slices.Equal(got, want) {
				t.Errorf("the other's tasks after the migration: %v, want %v", got, want)
			}
		})
	}
}
