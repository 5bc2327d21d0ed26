package store

import (
	"context"
	"database/sql"
	"errors"
)

// FTS5 keeps the trigram index leads_fts as segments, one more for every
// chunk of leads indexed (indexLeads), and merges them as they pile up.
// Left to FTS5 (automerge=4) that merging ran inside the writer's commits,
// the one goroutine every write waits for, and cost more as the file grew:
// indexing a lead cost 52-60 µs of CPU over its first 20,000 leads and
// 69-92 µs by 30,000, of a ticket's ~750 µs (docs/benchmarks.md, "Tickets:
// the search index's merges when idle").
//
// The writer turns automerge off (ftsNoAutomerge) and merges when it is
// idle instead: after indexLeads added a segment, every time no write came
// for indexIdle, it runs one step of at most ftsMergePages pages of merging
// in a transaction of its own (ftsMergeStep; ~6 ms of CPU on average, 20 ms
// at worst with 40,000 leads), until FTS5 says there is nothing left to
// merge. A write that comes waits for one step at most, and under
// sustained writes no step runs: FTS5's crisismerge (16 segments on one
// level, merged in the commit that adds the 16th) still bounds the
// segments a search reads.
const ftsMergePages = 64

// ftsNoAutomerge turns FTS5's automerge off for leads_fts, a setting FTS5
// keeps in the file (leads_fts_config); it writes only when the setting
// differs.
func ftsNoAutomerge(ctx context.Context, db *sql.DB) error {
	var v int64
	err := db.QueryRowContext(ctx, `SELECT v FROM leads_fts_config WHERE k = 'automerge'`).Scan(&v)
	if err == nil && v == 0 {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO leads_fts (leads_fts, rank) VALUES ('automerge', 0)`)
	return err
}

// ftsMergeStep runs one step of merging leads_fts's segments in a
// transaction of its own and reports whether there may be more to merge:
// FTS5 changed nothing when total_changes() moved by less than 2 (its
// documented test). A failure leaves the merging for the next idle moment.
func (s *Store) ftsMergeStep() (more bool) {
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return false
	}
	defer tx.Rollback()
	var before, after int64
	if err := tx.QueryRow(`SELECT total_changes()`).Scan(&before); err != nil {
		return false
	}
	if _, err := tx.Exec(`INSERT INTO leads_fts (leads_fts, rank) VALUES ('merge', ?)`, ftsMergePages); err != nil {
		return false
	}
	if err := tx.QueryRow(`SELECT total_changes()`).Scan(&after); err != nil {
		return false
	}
	if after-before < 2 {
		return false
	}
	if err := tx.Commit(); err != nil {
		return false
	}
	s.batches.Add(1) // a transaction to checkpoint; a step that found nothing is rolled back and not counted
	s.ftsMerges.Add(1)
	return true
}
