package store_test

import (
	"fmt"
	"sync"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestNewClientsOfOneKeyAtOnce: leads created at once whose new clients
// share a key (the phone; some the e-mail too) make one client, whichever creation
// comes first, on both engines. On PostgreSQL this is the clients' key
// locks (taken with the ids, before the candidates are read): without
// them each creation reads no candidate and inserts its own client.
func TestNewClientsOfOneKeyAtOnce(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		for round := range 3 {
			oneClient(t, s, f, round)
		}
	})
}

// oneClient creates n leads at once whose clients share round's phone, and
// checks they have one client.
func oneClient(t *testing.T, s *store.Store, f testkit.Fixture, round int) {
	const n = 16
	leads := make([]core.Lead, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range leads {
		l := f.Lead(1000*(round+1) + i)
		shared := f.Lead(round).Client
		l.Client.PhoneE164, l.Client.Phone = shared.PhoneE164, shared.Phone
		if i%2 == 1 {
			l.Client.Email = shared.Email // two keys locked at once
		}
		leads[i] = l
		wg.Go(func() {
			<-start
			errs[i] = s.CreateLead(ctx, &leads[i], nil)
		})
	}
	close(start)
	wg.Wait()
	clients := map[int64]bool{}
	for i, l := range leads {
		check(t, errs[i], fmt.Sprintf("create %d", i))
		clients[l.Client.ID] = true
	}
	stored, _, err := s.FindClients(ctx, []int64{f.Dealer.ID}, core.Query{Limit: -1})
	check(t, err, "find clients")
	if len(clients) != 1 || len(stored) != round+1 {
		t.Fatalf("round %d: %d leads made %d clients (%d stored in all), want 1", round, n, len(clients), len(stored))
	}
}
