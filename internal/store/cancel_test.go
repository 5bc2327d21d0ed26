package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestCancelledWriteInsideTheWrite: a caller whose context ends while its
// write runs, or while it commits, is told what happened. On SQLite the
// writer had taken the write, so it commits and the caller gets nil; on
// PostgreSQL the transaction rolls back when it sees the cancellation
// before COMMIT, and a COMMIT under way runs to its end. Either way nil
// means stored and an error means not.
func TestCancelledWriteInsideTheWrite(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		rnd := rand.New(rand.NewPCG(1, 2))
		for i := range 200 {
			c, cancel := context.WithCancel(ctx)
			after := cancel // at once, before COMMIT
			if i%2 == 1 {
				// a moment later: about when COMMIT is under way
				d := time.Duration(rnd.IntN(400)) * time.Microsecond
				after = func() { time.AfterFunc(d, cancel) }
			}
			name := fmt.Sprintf("cancelled inside %d", i)
			err := store.WriteThen(c, s, after, `INSERT INTO channels (slug, name) VALUES (?, ?)`, name, name)
			cancel()
			stored := channelStored(t, s, name)
			if (err == nil) != stored {
				t.Fatalf("write %d answered %v, stored %v", i, err, stored)
			}
			if err != nil && (s.Engine() == store.SQLite || !errors.Is(err, context.Canceled)) {
				t.Fatalf("write %d answered %v", i, err)
			}
		}
	}, store.WithCacheTTL(0)) // the statement writes past the cache of channels
}

func channelStored(t *testing.T, s *store.Store, name string) bool {
	t.Helper()
	chs, err := s.Channels(ctx)
	check(t, err, "channels")
	for _, ch := range chs {
		if ch.Name == name {
			return true
		}
	}
	return false
}

// TestCancelledCreates: many concurrent creates whose contexts end at random
// moments, before, during or after their write. Afterwards every create
// that answered nil is stored, none that answered an error is, and every
// error is the context's.
func TestCancelledCreates(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		const workers, each = 16, 15
		answers := make([]error, workers*each)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				rnd := rand.New(rand.NewPCG(uint64(w), 7))
				for k := range each {
					i := w*each + k
					l := f.Lead(i)
					l.Client.Name = fmt.Sprintf("cancel-%d", i)
					c, cancel := context.WithCancel(ctx)
					// Most creates take 1–5 ms here: cancel from at once to
					// well past that, and some never.
					if d := time.Duration(rnd.IntN(8000)) * time.Microsecond; rnd.IntN(10) > 0 {
						time.AfterFunc(d, cancel)
					}
					answers[i] = s.CreateLead(c, &l, nil)
					cancel()
				}
			})
		}
		wg.Wait()

		stored := map[string]bool{}
		leads, _, err := s.FindLeads(ctx, []int64{f.Dealer.ID}, core.Query{Limit: -1})
		check(t, err, "find")
		for _, l := range leads {
			if stored[l.Client.Name] {
				t.Fatalf("%s stored twice", l.Client.Name)
			}
			stored[l.Client.Name] = true
		}
		var ok, failed int
		for i, err := range answers {
			name := fmt.Sprintf("cancel-%d", i)
			switch {
			case err == nil && !stored[name]:
				t.Errorf("%s answered nil but is not stored", name)
			case err != nil && stored[name]:
				t.Errorf("%s answered %v but is stored", name, err)
			case err != nil && !errors.Is(err, context.Canceled):
				t.Errorf("%s answered %v", name, err)
			}
			if err == nil {
				ok++
			} else {
				failed++
			}
		}
		t.Logf("%d stored, %d cancelled", ok, failed)
	})
}
