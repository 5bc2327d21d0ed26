package store_test

import (
	"database/sql"
	"testing"
	"time"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// ftsMergePending reports whether FTS5 finds segments of leads_fts to
// merge, by running a step of merging and rolling it back.
func ftsMergePending(t *testing.T, db *sql.DB) bool {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var before, after int64
	if err := tx.QueryRow(`SELECT total_changes()`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO leads_fts (leads_fts, rank) VALUES ('merge', 64)`); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(`SELECT total_changes()`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	return after-before >= 2
}

// TestSearchIndexMergedWhenIdle checks that the writer leaves FTS5's
// automerge off, so that no commit of a write merges the trigram index's
// segments, and merges them itself once idle (ftsmerge.go): each group of
// leads below, indexed when the writer is idle, is a segment of its own,
// and twelve of them on one level are more than FTS5's 'merge' leaves.
func TestSearchIndexMergedWhenIdle(t *testing.T) {
	s := testkit.OpenSQLite(t)
	f := testkit.NewFixture(t, s, "merge")
	var automerge int
	if err := s.DB().QueryRow(`SELECT v FROM leads_fts_config WHERE k = 'automerge'`).Scan(&automerge); err != nil || automerge != 0 {
		t.Fatalf("leads_fts automerge = %d (%v), want 0", automerge, err)
	}
	n := 0
	for range 12 {
		for range 2 {
			n++
			l := f.Lead(n)
			if err := s.CreateLead(ctx, &l, nil); err != nil {
				t.Fatal(err)
			}
		}
		waitIndexed(t, s)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ftsMergePending(t, s.DB()) {
		if time.Now().After(deadline) {
			t.Fatalf("segments of leads_fts still to merge after 10 s; the writer merged %d times", store.FTSMerges(s))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The writer counts a step after its commit, which this test's reads
	// may see first (CI caught the counter still at 0 under load).
	for store.FTSMerges(s) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing left to merge, but the writer never merged")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.DB().Exec(`INSERT INTO leads_fts (leads_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("leads_fts integrity: %v", err)
	}
	if got := searchTotal(t, s, f.Dealer.ID, "client"); got != n {
		t.Errorf("search found %d leads, want %d", got, n)
	}
}
