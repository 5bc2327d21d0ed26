package store

import (
	"context"
	"testing"
)

// stats100k are the planner's statistics (sqlite_stat1) of the leads and
// their trigram index in the 100,000-lead benchmark database
// (docs/benchmarks.md: one dealer of 100,050 leads beside two smaller
// ones, 120,013 in all), as the server's PRAGMA optimize wrote them
// (analysis_limit 1000, hence the estimated 1,001 leads a dealer).
var stats100k = map[string][][2]string{
	"leads": {
		{"leads_dealer_kind_stage_created", "120013 1001 1001 1001 1 1"},
		{"leads_dealer_kind_created", "120013 1001 1001 1"},
		{"leads_client", "120013 1"},
		{"leads_dealer_client_name", "120013 1001 154 1"},
		{"leads_dealer_source", "120013 1001 1001 1"},
		{"leads_dealer_finished", "120013 1001 1001 1"},
		{"leads_dealer_user", "120013 1001 1001 1"},
		{"leads_dealer_score", "120013 1001 667 1"},
		{"leads_dealer_stage", "120013 1001 1001 1"},
		{"leads_dealer_updated", "120013 1001 1 1"},
		{"leads_dealer_id", "120013 1001 1"},
		{"leads_dealer_created", "120013 1001 1 1 1 1 1 1 1"},
		{"sqlite_autoindex_leads_2", "120013 1"},
		{"sqlite_autoindex_leads_1", "120013 1"},
	},
	"leads_fts_idx":  {{"leads_fts_idx", "5315 501 1"}},
	"leads_fts_data": {{"", "14635"}},
	"clients": {
		{"clients_dealer_phone_given", "119948 1001 1"},
		{"clients_dealer_gov_id", "119948 1001 2"},
		{"clients_dealer_email", "119948 1001 1"},
		{"clients_dealer_phone", "119948 1001 2"},
		{"clients_dealer", "119948 1001 1"},
		{"sqlite_autoindex_clients_1", "119948 1"},
	},
}

// plannedAt100k makes s's readers plan with the statistics of 100,000
// leads (stats100k), whatever s holds, as a server's readers plan once
// the writer refreshed the statistics: the explain tests then check the
// plans production runs, which differ from those without statistics.
func plannedAt100k(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, "ANALYZE"); err != nil { // every other table as it is
		t.Fatal(err)
	}
	for tbl, rows := range stats100k {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM sqlite_stat1 WHERE tbl = ?`, tbl); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			var idx any = r[0]
			if r[0] == "" {
				idx = nil
			}
			if _, err := s.db.ExecContext(ctx, `INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)`, tbl, idx, r[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A connection loads the statistics when it opens: the next reads
	// open new readers.
	s.read.SetMaxIdleConns(0)
	s.read.SetMaxIdleConns(4)
}
