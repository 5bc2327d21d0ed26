package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestCountByIndexNamedRecords: the count by index of a search whose terms
// name an advisor or a source (searchrefs.go) is the plain SQL count, for
// the leads in the trigram index and those not in it yet alike.
func TestCountByIndexNamedRecords(t *testing.T) {
	s := openTestSQLite(t)
	ctx := context.Background()
	dealerID, u := seedWithAdvisor(t, s, 300)
	if err := s.write(ctx, func(c conn) error {
		_, err := c.exec(`UPDATE leads SET user_id = ? WHERE dealer_id = ? AND id % 3 = 0`, u.ID, dealerID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var left int
		if err := s.db.QueryRow(`SELECT count(*) FROM leads WHERE id > (SELECT indexed_upto FROM lead_search_state)`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the seeded leads were not indexed")
		}
	}
	// In one write, rolled back: copies of the dealer's leads, which the
	// trigram index does not hold until the writer indexes them.
	done := errors.New("done")
	err := s.write(ctx, func(c conn) error {
		if _, err := c.exec(`INSERT INTO leads (public_id, dealer_id, source_id, stage, stage_rank, user_id, created_at, updated_at,
			client_name, client_phone, client_email, search_text) SELECT public_id || '-copy', dealer_id, source_id, stage, stage_rank, user_id,
			created_at, updated_at, client_name, client_phone, client_email, search_text FROM leads WHERE dealer_id = ?`, dealerID); err != nil {
			return err
		}
		for _, search := range []string{"ruiz", "ruiz seed", "seed ruiz", "ruiz garcía", "garcía", "portal", "portal ruiz", "ruiz example"} {
			p, err := planLeads(c, []int64{dealerID}, leadQuery(t, core.Match(search)))
			if err != nil {
				return err
			}
			cq, cargs, ok := p.countByIndex(c)
			if !ok {
				t.Errorf("%q: not counted by index", search)
				continue
			}
			got, err := c.count(cq, cargs...)
			if err != nil {
				return err
			}
			want, err := c.count(`SELECT count(*) FROM leads WHERE `+p.where, p.args...)
			if err != nil {
				return err
			}
			t.Logf("%q: %d", search, want)
			if got != want || want == 0 {
				t.Errorf("%q: counted %d by index, %d by SQL", search, got, want)
			}
		}
		return done
	})
	if !errors.Is(err, done) {
		t.Fatal(err)
	}
}

// seedWithAdvisor seeds a dealer with n leads (SeedLeads) and an advisor
// bearing one of the seeded clients' surnames: "ruiz" names her.
func seedWithAdvisor(t testing.TB, s *Store, n int) (dealerID int64, advisor core.User) {
	t.Helper()
	ctx := context.Background()
	dealerID, sourceID := seedDealer(t, s)
	if err := SeedLeads(ctx, s, dealerID, sourceID, n); err != nil {
		t.Fatal(err)
	}
	advisor = core.User{Username: "advisor", LastName: "Ruiz", IsActive: true, Memberships: []core.Membership{{DealerID: dealerID}}}
	if err := s.CreateUser(ctx, &advisor); err != nil {
		t.Fatal(err)
	}
	return dealerID, advisor
}
