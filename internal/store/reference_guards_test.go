package store_test

import (
	"database/sql"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// referenceRows are the rows a lead refers to that forecourt never deletes
// (migration 0031): table and the fixture's row of it.
func referenceRows(f testkit.Fixture) map[string]int64 {
	return map[string]int64{
		"dealers":    f.Dealer.ID,
		"users":      f.User.ID,
		"sources":    f.Source.ID,
		"gas_types":  f.GasType.ID,
		"provinces":  f.Province.ID,
		"localities": f.Locality.ID,
	}
}

// referenceKeys counts the foreign keys from the tables a lead's creation
// writes to the reference tables (PostgreSQL's catalog), but for the
// lead's to its dealer, which migration 0031 keeps (delivery.go).
func referenceKeys(t *testing.T, db *sql.DB) int {
	t.Helper()
	return countRows(t, db, `SELECT count(*) FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
		AND conname <> 'leads_dealer_id_fkey'
		AND conrelid::regclass::text IN ('clients', 'vehicles', 'leads', 'tasks', 'appraisals', 'notes', 'lead_history')
		AND confrelid::regclass::text IN ('dealers', 'users', 'sources', 'gas_types', 'provinces', 'localities')`)
}

// TestReferenceRowsKept: the dealer, user, source, fuel, province and
// locality a stored lead refers to cannot be deleted, on both engines
// (docs/decisions.md, "Reference rows are kept by guards on PostgreSQL"):
// the deletion fails and the row and the lead stay. On PostgreSQL no
// foreign key from a lead's rows to them is left to check per insert, and
// migrating down to 0030 restores the keys and drops the guards.
func TestReferenceRowsKept(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "x")
			l := f.Lead(1)
			check(t, s.CreateLead(ctx, &l, nil), "create lead")
			db := s.DB()
			for table, id := range referenceRows(f) {
				if _, err := db.Exec(`DELETE FROM `+table+` WHERE id = $1`, id); err == nil {
					t.Errorf("deleting the lead's row of %s succeeded", table)
				}
				if n := countRows(t, db, `SELECT count(*) FROM `+table); n == 0 {
					t.Errorf("%s is empty after the refused deletion", table)
				}
			}
			if engine == store.Postgres {
				if _, err := db.Exec(`TRUNCATE users CASCADE`); err == nil {
					t.Error("truncating users succeeded")
				}
				if n := referenceKeys(t, db); n != 0 {
					t.Errorf("%d foreign keys from a lead's rows to reference rows, want 0", n)
				}
			}
			got, err := s.Lead(ctx, l.ID)
			check(t, err, "read the lead")
			if got.Client == nil || got.Vehicle == nil || len(got.Tasks) != 1 || got.SourceID != f.Source.ID {
				t.Errorf("the lead after the refused deletions: %+v", got)
			}
			s.Close()

			migrateDownTo(t, engine, dsn, 30, func(db *sql.DB) {
				if engine == store.Postgres {
					if n := referenceKeys(t, db); n != 12 {
						t.Errorf("%d foreign keys to reference rows at 0030, want 12", n)
					}
					return
				}
				if n := countRows(t, db, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_kept'`); n != 0 {
					t.Errorf("%d guards left at 0030", n)
				}
			})
			s = openAt(t, dsn)
			defer s.Close()
			if engine == store.Postgres {
				if n := referenceKeys(t, s.DB()); n != 0 {
					t.Errorf("%d foreign keys to reference rows after migrating up again, want 0", n)
				}
			}
		})
	}
}

// TestMigrationMergedLate: a database migrated before migration 0031 was
// merged has 0033 but not 0031; a store opening it applies 0031, on both
// engines, instead of refusing it as out of order.
func TestMigrationMergedLate(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			testkit.NewFixture(t, s, "x") // a dealer for the guard to keep
			s.Close()
			db := migrateTo(t, engine, dsn, 33)
			p, err := store.Migrator(engine, db)
			check(t, err, "migrator")
			_, err = p.ApplyVersion(ctx, 31, false)
			check(t, err, "take 0031 back alone")
			if n := countRows(t, db, `SELECT count(*) FROM goose_db_version WHERE version_id = 31`); n != 0 {
				t.Fatalf("0031 still recorded")
			}
			db.Close()
			s = openAt(t, dsn)
			defer s.Close()
			if n := countRows(t, s.DB(), `SELECT count(*) FROM goose_db_version WHERE version_id = 31`); n != 1 {
				t.Errorf("0031 applied %d times after opening", n)
			}
			if _, err := s.DB().Exec(`DELETE FROM dealers`); err == nil {
				t.Error("the guards of 0031 are missing")
			}
		})
	}
}
