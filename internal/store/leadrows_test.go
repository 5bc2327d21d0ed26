package store_test

import (
	"database/sql"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// leadRowKeys are the foreign keys migration 0046 drops on PostgreSQL.
const leadRowKeys = `SELECT count(*) FROM pg_constraint WHERE contype = 'f'
	AND connamespace = current_schema()::regnamespace
	AND conname IN ('tasks_lead_id_fkey', 'appraisals_task_id_fkey', 'notes_lead_id_fkey', 'notes_task_id_fkey', 'leads_vehicle_id_fkey')`

// orphans counts the rows of a lead's own tables whose lead, task, note
// or (for a vehicle) lead is gone.
const orphans = `SELECT
	(SELECT count(*) FROM tasks WHERE lead_id NOT IN (SELECT id FROM leads))
	+ (SELECT count(*) FROM appraisals WHERE task_id NOT IN (SELECT id FROM tasks))
	+ (SELECT count(*) FROM notes WHERE lead_id IS NOT NULL AND lead_id NOT IN (SELECT id FROM leads))
	+ (SELECT count(*) FROM notes WHERE task_id IS NOT NULL AND task_id NOT IN (SELECT id FROM tasks))
	+ (SELECT count(*) FROM note_versions WHERE note_id NOT IN (SELECT id FROM notes))
	+ (SELECT count(*) FROM lead_history WHERE lead_id NOT IN (SELECT id FROM leads))
	+ (SELECT count(*) FROM vehicles WHERE id NOT IN (SELECT vehicle_id FROM leads WHERE vehicle_id IS NOT NULL))`

// TestLeadRowsDeleted: deleting a task (EditLead), dropping one from a
// lead (UpdateLead) and deleting a lead leave no row of theirs behind, on
// both engines, and touch no other lead's rows (docs/decisions.md, "A
// lead's own rows are kept together by the store on PostgreSQL"). On
// PostgreSQL no foreign key is left between a lead's own rows but the
// history's and the client's (the store deletes them: without
// deleteLeadRows and deleteTaskRows this test finds orphans there), and
// migrating down to 0045 restores the keys.
func TestLeadRowsDeleted(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			db := s.DB()
			f := testkit.NewFixture(t, s, "x")
			l := f.Lead(1)
			second := l.Tasks[0]
			second.Description = "Call back"
			second.Notes = []core.Note{{Content: "Evenings", AuthorID: &f.User.ID, Created: testkit.Now, Modified: testkit.Now}}
			l.Tasks = append(l.Tasks, second, second)
			check(t, s.CreateLead(ctx, &l, &core.History{At: testkit.Now, UserID: &f.User.ID, Type: core.HistoryCreated, Kind: core.KindLeadCreated}), "create lead")
			other := f.Lead(2)
			check(t, s.CreateLead(ctx, &other, nil), "create the other lead")
			rowsOf := func(lead int64) int {
				return countRows(t, db, `SELECT (SELECT count(*) FROM tasks WHERE lead_id = `+itoa(lead)+`)
					+ (SELECT count(*) FROM appraisals WHERE task_id IN (SELECT id FROM tasks WHERE lead_id = `+itoa(lead)+`))
					+ (SELECT count(*) FROM notes WHERE lead_id = `+itoa(lead)+`)`)
			}
			others := rowsOf(other.ID)
			if n := rowsOf(l.ID); n != 3+3+2+3 {
				t.Fatalf("the lead has %d rows of tasks, appraisals and notes, want 11", n)
			}
			noOrphans := func(after string) {
				t.Helper()
				if n := countRows(t, db, orphans); n != 0 {
					t.Errorf("after %s: %d orphan rows", after, n)
				}
				if n := rowsOf(other.ID); n != others {
					t.Errorf("after %s: the other lead has %d rows, want %d", after, n, others)
				}
			}

			check(t, s.EditLead(ctx, l.ID, func(tx core.LeadTx) error { return tx.DeleteTask(l.Tasks[0].ID) }), "delete a task")
			noOrphans("deleting a task")
			if n := rowsOf(l.ID); n != 2+2+2+2 {
				t.Errorf("after deleting a task the lead has %d rows, want 8", n)
			}
			_, err := s.UpdateLead(ctx, l.ID, nil, func(cur *core.Lead) ([]core.History, error) {
				cur.Tasks = cur.Tasks[:1]
				return nil, nil
			})
			check(t, err, "drop a task")
			noOrphans("dropping a task")
			if n := rowsOf(l.ID); n != 1+1+2+1 {
				t.Errorf("after dropping a task the lead has %d rows, want 5", n)
			}
			check(t, s.DeleteLead(ctx, l.ID, 0), "delete the lead")
			noOrphans("deleting the lead")
			if n := rowsOf(l.ID); n != 0 {
				t.Errorf("after deleting the lead it has %d rows, want 0", n)
			}
			if engine == store.Postgres {
				if n := countRows(t, db, leadRowKeys); n != 0 {
					t.Errorf("%d foreign keys among a lead's own rows, want 0", n)
				}
			}
			s.Close()
			if engine == store.Postgres {
				migrateDownTo(t, engine, dsn, 45, func(db *sql.DB) {
					if n := countRows(t, db, leadRowKeys); n != 5 {
						t.Errorf("%d foreign keys among a lead's own rows at 0045, want 5", n)
					}
				})
			}
		})
	}
}
