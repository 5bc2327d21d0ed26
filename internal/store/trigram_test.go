package store_test

import (
	"database/sql"
	"slices"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// trigramLeads stores four leads whose search text holds the same
// substrings in different columns, and returns their ids: a's phone holds
// "345 678" (and its E.164 form "+34612345678"), b's name and notes hold
// "12345" and "example.com", c's e-mail is at example.com, d's at
// other.org with "example.com" in its name.
func trigramLeads(t *testing.T, s *store.Store, f testkit.Fixture) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for i, c := range []struct{ key, name, phone, e164, email, note string }{
		{"a", "Ana", "612 345 678", "+34612345678", "ana@example.com", "call her"},
		{"b", "Bea 612345", "699 000 111", "+34699000111", "bea@example.com", "ref 612345 at example.com"},
		{"c", "Carla", "699 000 222", "+34699000222", "carla@example.com", ""},
		{"d", "Dora example.com", "699 000 333", "+34699000333", "dora@other.org", "example.com"},
	} {
		l := f.Lead(i + 1)
		l.Client.Name, l.Client.Phone, l.Client.PhoneE164, l.Client.Email = c.name, c.phone, c.e164, c.email
		l.Notes[0].Content = c.note
		check(t, s.CreateLead(ctx, &l, nil), "create lead")
		ids[c.key] = l.ID
	}
	return ids
}

// TestPhoneAndEmailFiltersExact: the client's phone and e-mail filters
// select the leads whose phone or e-mail holds the term, never one whose
// other text does, on both engines. On PostgreSQL they are looked up in
// the search text's trigram index since migration 0033 (pgSearchHolds),
// which holds every column of the lead's search text.
func TestPhoneAndEmailFiltersExact(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "x")
		ids := trigramLeads(t, s, f)
		for _, tc := range []struct {
			f    testkit.LeadFilter
			want []string
		}{
			{testkit.LeadFilter{ClientPhoneContains: "12345"}, []string{"a"}},
			{testkit.LeadFilter{ClientPhoneContains: "+3461234"}, []string{"a"}},
			{testkit.LeadFilter{ClientPhoneContains: "345 678"}, []string{"a"}},
			{testkit.LeadFilter{ClientPhoneContains: "000"}, []string{"b", "c", "d"}},
			{testkit.LeadFilter{ClientPhoneContains: "45"}, []string{"a"}}, // shorter than a trigram
			{testkit.LeadFilter{ClientEmailContains: "example.com"}, []string{"a", "b", "c"}},
			{testkit.LeadFilter{ClientEmailContains: "EXAMPLE.COM"}, []string{"a", "b", "c"}},
			{testkit.LeadFilter{ClientEmailContains: "bea@"}, []string{"b"}},
			{testkit.LeadFilter{ClientEmailContains: "other"}, []string{"d"}},
			{testkit.LeadFilter{ClientEmailContains: "carla"}, []string{"c"}},
			{testkit.LeadFilter{ClientEmailContains: "example.com", ClientPhoneContains: "000"}, []string{"b", "c"}},
			{testkit.LeadFilter{ClientEmailContains: "example.com", Search: "612345"}, []string{"a", "b"}},
			{testkit.LeadFilter{Search: "example.com"}, []string{"a", "b", "c", "d"}},
		} {
			tc.f.DealerIDs, tc.f.Page = []int64{f.Dealer.ID}, core.All
			got, total, err := testkit.FindLeads(ctx, s, tc.f)
			check(t, err, "find leads")
			var gotIDs, want []int64
			for _, l := range got {
				gotIDs = append(gotIDs, l.ID)
			}
			for _, k := range tc.want {
				want = append(want, ids[k])
			}
			slices.Sort(gotIDs)
			slices.Sort(want)
			if !slices.Equal(gotIDs, want) || total != len(want) {
				t.Errorf("%+v: got %v (total %d), want %v %v", tc.f, gotIDs, total, tc.want, want)
			}
		}
	})
}

// TestMigration33DownAndUp: migration 0033 drops the trigram indexes of
// the client's phone and e-mail on PostgreSQL and its down step makes them
// again; on SQLite it changes nothing. The filters select the same leads
// after migrating down and up.
func TestMigration33DownAndUp(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "x")
			ids := trigramLeads(t, s, f)
			s.Close()
			indexes := func(db *sql.DB) []string {
				if engine != store.Postgres {
					return nil
				}
				rows, err := db.Query(`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'leads' AND indexname LIKE '%trgm' ORDER BY 1`)
				check(t, err, "indexes")
				defer rows.Close()
				var names []string
				for rows.Next() {
					var n string
					check(t, rows.Scan(&n), "scan")
					names = append(names, n)
				}
				return names
			}
			migrateDownTo(t, engine, dsn, 32, func(db *sql.DB) {
				got := indexes(db)
				if engine == store.Postgres && !slices.Equal(got, []string{"leads_client_email_trgm", "leads_client_phone_trgm", "leads_search_trgm"}) {
					t.Errorf("trigram indexes at 32: %v", got)
				}
			})
			s = openAt(t, dsn)
			defer s.Close()
			if got := indexes(s.DB()); engine == store.Postgres && !slices.Equal(got, []string{"leads_search_trgm"}) {
				t.Errorf("trigram indexes at 33: %v", got)
			}
			got, total, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{f.Dealer.ID}, ClientPhoneContains: "12345", Page: core.All})
			check(t, err, "find leads")
			if total != 1 || len(got) != 1 || got[0].ID != ids["a"] {
				t.Errorf("phone filter after down and up: %d %v", total, got)
			}
		})
	}
}
