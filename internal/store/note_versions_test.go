package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// Migration 0008 moved a note's first version into the note's row. These
// tests check that the histories of existing notes come through it (and
// back down) unchanged, and that every version id stays unique: first
// versions take their note's id, later ones the next id of the notes'
// sequence.

// engineDSNs returns a fresh SQLite path and, when PostgreSQL is
// available, a fresh PostgreSQL URL, by engine.
func engineDSNs(t *testing.T) map[string]string {
	dsns := map[string]string{store.SQLite: filepath.Join(t.TempDir(), "forecourt.db")}
	if u := os.Getenv(testkit.PostgresEnv); u != "" {
		dsns[store.Postgres] = testkit.PostgresDSN(t, u)
	}
	return dsns
}

func openAt(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

// migrateDown moves the closed store's database at dsn down to version,
// returns the number of rows of note_versions it then has and runs then on
// it.
func migrateDown(t *testing.T, engine, dsn string, version int64, then func(db *sql.DB)) int {
	t.Helper()
	var n int
	migrateDownTo(t, engine, dsn, version, func(db *sql.DB) {
		n = countRows(t, db, `SELECT count(*) FROM note_versions`)
		then(db)
	})
	return n
}

// migrateDownTo moves the closed store's database at dsn down to version
// and runs then on it, as the code of that version would see it.
func migrateDownTo(t *testing.T, engine, dsn string, version int64, then func(db *sql.DB)) {
	t.Helper()
	db := migrateTo(t, engine, dsn, version)
	defer db.Close()
	then(db)
}

func countRows(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// versionsFromOne returns l with the versions of its client, tasks and
// notes at 1, as migrating down past 0011 (which drops them) and up again
// leaves them.
func versionsFromOne(l core.Lead) core.Lead {
	l = l.Clone()
	if l.Client != nil {
		l.Client.Version = 1
	}
	for _, ns := range [][]core.Note{l.Notes, l.Tags} {
		for i := range ns {
			ns[i].Version = 1
		}
	}
	for i := range l.Tasks {
		l.Tasks[i].Version = 1
		for j := range l.Tasks[i].Notes {
			l.Tasks[i].Notes[j].Version = 1
		}
	}
	return l
}

// allNotes returns every note of l: its notes, tags and its tasks' notes.
func allNotes(l core.Lead) []core.Note {
	ns := append(append([]core.Note{}, l.Notes...), l.Tags...)
	for _, t := range l.Tasks {
		ns = append(ns, t.Notes...)
	}
	return ns
}

// editNote gives the lead's first note a new content.
func editNote(t *testing.T, s *store.Store, leadID int64, actor *int64, content string, at time.Time) core.Lead {
	t.Helper()
	l, err := s.UpdateLead(ctx, leadID, actor, func(x *core.Lead) ([]core.History, error) {
		x.Notes[0].Content, x.Notes[0].Modified = content, at
		x.Tasks[0].Notes[0].Content = content + " (task)"
		return nil, nil
	})
	check(t, err, "edit note")
	return l
}

func TestNoteVersionsThroughMigration8(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "a")
			actor := ptr(f.User.ID)
			edited, plain := f.Lead(1), f.Lead(2)
			check(t, s.CreateLead(ctx, &edited, nil), "create")
			check(t, s.CreateLead(ctx, &plain, nil), "create")
			editNote(t, s, edited.ID, actor, "Called three times", testkit.Now.Add(time.Hour))
			editNote(t, s, edited.ID, actor, "Called four times", testkit.Now.Add(2*time.Hour))
			before := map[int64]core.Lead{}
			for _, id := range []int64{edited.ID, plain.ID} {
				l, err := s.Lead(ctx, id)
				check(t, err, "load")
				before[id] = l
			}
			if h := before[edited.ID].Notes[0].History; len(h) != 3 || h[0].Content != "Called twice" || h[0].ID != before[edited.ID].Notes[0].ID ||
				h[1].Content != "Called three times" || h[2].Content != "Called four times" || h[2].ID <= h[1].ID || h[1].ID <= h[0].ID {
				t.Fatalf("edited note's history: %+v", h)
			}
			versions := countRows(t, s.DB(), `SELECT count(*) FROM note_versions`) + countRows(t, s.DB(), `SELECT count(*) FROM notes WHERE first_at IS NOT NULL`)
			check(t, s.Close(), "close")

			// Down: every version is a row of note_versions again.
			// Before 0008 version ids had their own sequence, ahead of the
			// notes' once a note was edited: this edit of the plain lead's
			// note, made as the code of then did, took the id the next
			// note would get if 0008 did not move the notes' sequence.
			legacy := func(db *sql.DB) {
				var next int64
				if err := db.QueryRow(`SELECT max(id) + 1 FROM (SELECT id FROM notes UNION ALL SELECT id FROM note_versions) AS ids`).Scan(&next); err != nil {
					t.Fatal(err)
				}
				q := `INSERT INTO note_versions (id, note_id, modified_at, user_id, content) VALUES (?, ?, ?, NULL, 'Called twice, no answer')`
				if engine == store.Postgres {
					q = `INSERT INTO note_versions (id, note_id, modified_at, user_id, content) VALUES ($1, $2, $3, NULL, 'Called twice, no answer')`
				}
				if _, err := db.Exec(q, next, before[plain.ID].Notes[0].ID, testkit.Now.Add(time.Minute).UnixMicro()); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(`UPDATE notes SET content = 'Called twice, no answer' WHERE id = ` + itoa(before[plain.ID].Notes[0].ID)); err != nil {
					t.Fatal(err)
				}
			}
			if got := migrateDown(t, engine, dsn, 7, legacy); got != versions {
				t.Fatalf("after migrating down: %d rows of note_versions, want %d", got, versions)
			}
			s = openAt(t, dsn) // and up again
			defer s.Close()
			got, err := s.Lead(ctx, edited.ID)
			check(t, err, "reload")
			same(t, "lead after migrating down and up", got, versionsFromOne(before[edited.ID]))
			got, err = s.Lead(ctx, plain.ID)
			check(t, err, "reload")
			if h := got.Notes[0].History; len(h) != 2 || h[0].Content != "Called twice" || h[1].Content != "Called twice, no answer" || got.Notes[0].Content != h[1].Content {
				t.Fatalf("plain lead's note after the legacy edit: %q %+v", got.Notes[0].Content, h)
			}

			// New notes and versions get ids no version had.
			newer := f.Lead(3)
			check(t, s.CreateLead(ctx, &newer, nil), "create after migration")
			after := editNote(t, s, edited.ID, actor, "Bought it", testkit.Now.Add(3*time.Hour))
			newer = editNote(t, s, newer.ID, actor, "Called once more", testkit.Now.Add(3*time.Hour))
			plainNow, err := s.Lead(ctx, plain.ID)
			check(t, err, "load")
			seen := map[int64]bool{}
			for _, l := range []core.Lead{after, newer, plainNow} {
				for _, n := range allNotes(l) {
					if len(n.History) == 0 || n.History[0].Content == "" {
						t.Fatalf("note %d has no first version: %+v", n.ID, n.History)
					}
					for i, v := range n.History {
						if seen[v.ID] {
							t.Fatalf("version id %d given twice (note %d: %+v)", v.ID, n.ID, n.History)
						}
						seen[v.ID] = true
						if i > 0 && v.ID <= n.History[i-1].ID {
							t.Fatalf("note %d's versions out of order: %+v", n.ID, n.History)
						}
					}
				}
			}
			if h := newer.Notes[0].History; len(h) != 2 || h[0].ID != newer.Notes[0].ID || h[0].Content != "Called twice" || h[1].Content != "Called once more" {
				t.Fatalf("new note's history: %+v", h)
			}
			if h := after.Notes[0].History; len(h) != 4 || h[3].Content != "Bought it" {
				t.Fatalf("edited note's history: %+v", h)
			}
		})
	}
}
