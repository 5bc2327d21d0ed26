package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// The trigram index of SQLite takes new leads in chunks (migration 0006):
// these tests check that a search finds every lead at every moment, indexed
// or not yet, that the index catches up when the writer is idle and after a
// restart, and that FTS5 finds its index consistent with the leads.

// indexState returns the mark of the leads indexed and the newest lead.
func indexState(t *testing.T, db *sql.DB) (upto, newest int64) {
	t.Helper()
	err := db.QueryRow(`SELECT (SELECT indexed_upto FROM lead_search_state), (SELECT coalesce(max(id), 0) FROM leads)`).Scan(&upto, &newest)
	if err != nil {
		t.Fatal(err)
	}
	return upto, newest
}

// waitIndexed waits until every lead is in leads_fts, then checks the
// index against the leads.
func waitIndexed(t *testing.T, s *store.Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		upto, newest := indexState(t, s.DB())
		if upto == newest {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("leads up to %d indexed, newest %d: the idle writer did not index them", upto, newest)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := s.DB().Exec(`INSERT INTO leads_fts (leads_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("leads_fts integrity: %v", err)
	}
}

func searchTotal(t *testing.T, s *store.Store, dealerID int64, term string) int {
	t.Helper()
	_, total, err := testkit.FindLeads(context.Background(), s, testkit.LeadFilter{DealerIDs: []int64{dealerID}, Search: term, Page: core.Page{Limit: 20}})
	if err != nil {
		t.Fatalf("search %q: %v", term, err)
	}
	return total
}

func TestSearchFindsLeadsBeforeTheyAreIndexed(t *testing.T) {
	s := testkit.OpenSQLite(t)
	f := testkit.NewFixture(t, s, "a")
	ctx := context.Background()

	// More leads than a chunk, created without pause, each searched for
	// by its client's name and its phone right after its creation.
	const n = 300
	var unindexedHits atomic.Int64
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := g; i < n; i += 6 {
				l := f.Lead(i)
				l.Client.Name = fmt.Sprintf("Zqx%04dwv", i)
				if err := s.CreateLead(ctx, &l, nil); err != nil {
					t.Errorf("create lead %d: %v", i, err)
					return
				}
				if got := searchTotal(t, s, f.Dealer.ID, fmt.Sprintf("zqx%04d", i)); got != 1 {
					t.Errorf("search of lead %d by name: %d leads, want 1", i, got)
				}
				if got := searchTotal(t, s, f.Dealer.ID, fmt.Sprintf("%d zqx%04d", l.ID, i)); got != 1 {
					t.Errorf("search of lead %d by id and name: %d leads, want 1", i, got)
				}
				if upto, _ := indexState(t, s.DB()); l.ID > upto {
					unindexedHits.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if unindexedHits.Load() == 0 {
		t.Error("every lead was indexed before it was searched for: the test did not search the leads outside leads_fts")
	}
	if got := searchTotal(t, s, f.Dealer.ID, "zqx"); got != n {
		t.Errorf("search of every lead: %d, want %d", got, n)
	}
	waitIndexed(t, s)
	if got := searchTotal(t, s, f.Dealer.ID, "zqx"); got != n {
		t.Errorf("search of every lead once indexed: %d, want %d", got, n)
	}
}

func TestChangeOfALeadNotIndexedYet(t *testing.T) {
	s := testkit.OpenSQLite(t)
	f := testkit.NewFixture(t, s, "a")
	ctx := context.Background()
	l := f.Lead(1)
	l.Client.Name = "Quintanilla"
	if err := s.CreateLead(ctx, &l, nil); err != nil {
		t.Fatal(err)
	}
	// The change comes at once, before the idle writer indexes the lead:
	// the writer indexes it first, so that FTS5 is told to delete only
	// what it holds.
	_, err := s.UpdateLead(ctx, l.ID, nil, func(cur *core.Lead) ([]core.History, error) {
		cur.Client.Name = "Villaverde"
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, when := range []string{"at once", "once indexed"} {
		if got := searchTotal(t, s, f.Dealer.ID, "villaverde"); got != 1 {
			t.Errorf("%s: new name found %d times, want 1", when, got)
		}
		if got := searchTotal(t, s, f.Dealer.ID, "quintanilla"); got != 0 {
			t.Errorf("%s: old name found %d times, want 0", when, got)
		}
		waitIndexed(t, s)
	}
}

func TestLeadsNotIndexedAtARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forecourt.db")
	ctx := context.Background()
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := testkit.NewFixture(t, s, "a")
	l := f.Lead(1)
	l.Client.Name = "Arrabal"
	if err := s.CreateLead(ctx, &l, nil); err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, s)
	// A lead committed but not indexed when the process died: written
	// here past the writer, as a crash would leave it.
	if _, err := s.DB().Exec(`INSERT INTO leads (public_id, dealer_id, source_id, stage, stage_rank, created_at, updated_at, client_name)
		VALUES ('restart-lead', ?, ?, 'new', 0, 0, 0, 'arrabalejo')`, f.Dealer.ID, f.Source.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := searchTotal(t, s, f.Dealer.ID, "arrabal"); got != 2 {
		t.Errorf("after the restart: %d leads found, want 2", got)
	}
	waitIndexed(t, s)
	var indexed int
	if err := s.DB().QueryRow(`SELECT count(*) FROM leads_fts WHERE leads_fts MATCH '"arrabal"'`).Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if indexed != 2 {
		t.Errorf("leads_fts holds %d leads named arrabal, want 2", indexed)
	}
}

// TestSearchCountsByDealer: the trigram index holds each lead's dealer
// (migration 0007) and counts a search alone; the counts keep to the
// dealers asked for, indexed or not, and add the leads of an advisor the
// term names (searchrefs.go) once each.
func TestSearchCountsByDealer(t *testing.T) {
	s := testkit.OpenSQLite(t)
	ctx := context.Background()
	fa, fb := testkit.NewFixture(t, s, "a"), testkit.NewFixture(t, s, "b")
	for i, f := range []testkit.Fixture{fa, fa, fa, fb, fb, fb, fb, fb} {
		l := f.Lead(i)
		l.Client.Name = "Zubizarreta"
		if err := s.CreateLead(ctx, &l, nil); err != nil {
			t.Fatal(err)
		}
	}
	// An advisor of a named Olabarrieta: a search for the name also finds
	// the leads assigned to her (one of them also by its client's name),
	// on the newest leads and the indexed ones alike.
	olabarrieta := core.User{Username: "olabarrieta", Email: "o@example.com", LastName: "Olabarrieta", IsActive: true, CreatedAt: testkit.Now,
		Memberships: []core.Membership{{DealerID: fa.Dealer.ID}}}
	if err := s.CreateUser(ctx, &olabarrieta); err != nil {
		t.Fatal(err)
	}
	for i, o := range []struct {
		f       testkit.Fixture
		name    string
		advisor bool
	}{{fa, "Olabarrieta", false}, {fa, "Olabarrieta", false}, {fa, "Olabarrieta", true}, {fa, "Other", true}, {fa, "Other", true}, {fb, "Olabarrieta", false}} {
		l := o.f.Lead(100 + i)
		l.Client.Name, l.Client.Phone, l.Client.PhoneE164 = o.name, fmt.Sprintf("699 000 %03d", i), fmt.Sprintf("+34699000%03d", i)
		l.Client.Email = fmt.Sprintf("o%d@mail.test", i)
		if o.advisor {
			l.UserID = &olabarrieta.ID
		}
		if err := s.CreateLead(ctx, &l, nil); err != nil {
			t.Fatal(err)
		}
	}
	count := func(f testkit.LeadFilter, dealers ...int64) int {
		f.DealerIDs, f.Page = dealers, core.Page{Limit: 2}
		leads, total, err := testkit.FindLeads(ctx, s, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leads {
			if l.DealerID != dealers[0] && l.DealerID != dealers[len(dealers)-1] {
				t.Errorf("lead %d of dealer %d listed for dealers %v", l.ID, l.DealerID, dealers)
			}
		}
		return total
	}
	a, b := fa.Dealer.ID, fb.Dealer.ID
	for _, when := range []string{"at once", "once indexed"} {
		for _, tc := range []struct {
			f       testkit.LeadFilter
			dealers []int64
			want    int
		}{
			{testkit.LeadFilter{Search: "zubizarreta"}, []int64{a}, 3},
			{testkit.LeadFilter{Search: "zubizarreta"}, []int64{b}, 5},
			{testkit.LeadFilter{Search: "zubizarreta"}, []int64{a, b}, 8},
			{testkit.LeadFilter{Search: "zubi arreta"}, []int64{b}, 5},
			{testkit.LeadFilter{ClientPhoneContains: "612"}, []int64{a}, 3},
			{testkit.LeadFilter{ClientEmailContains: "@example.com"}, []int64{b}, 5},
			{testkit.LeadFilter{Search: "zubizarreta", Stages: []core.Stage{core.StageNew}}, []int64{a}, 3},
			{testkit.LeadFilter{Search: "olabarrieta"}, []int64{a}, 5},
			{testkit.LeadFilter{Search: "olabarrieta"}, []int64{b}, 1},
			{testkit.LeadFilter{Search: "olabarrieta"}, []int64{a, b}, 6},
			{testkit.LeadFilter{Search: "olabarrieta other"}, []int64{a}, 2},
			{testkit.LeadFilter{Search: "olabarrieta zubizarreta"}, []int64{a}, 0},
		} {
			if got := count(tc.f, tc.dealers...); got != tc.want {
				t.Errorf("%s: %+v of dealers %v: count %d, want %d", when, tc.f, tc.dealers, got, tc.want)
			}
		}
		waitIndexed(t, s)
	}
}
