package leancore_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/leancore"
	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// TestLookupStatements pins what one lookup costs the database on SQLite
// once the reference caches are warm (docs/leancore.md, "What a lookup
// costs"): in one read transaction, the lead chosen and loaded by one
// statement, then its notes and its history; nothing written.
func TestLookupStatements(t *testing.T) {
	st := testkit.OpenSQLite(t)
	h, key := coHandler(t, st, 5, core.WithPasswordCost(bcrypt.MinCost))
	lookup := func() []string {
		var mu sync.Mutex
		var got []string
		stop := st.WatchStatements(func(writer bool, q string) {
			mu.Lock()
			defer mu.Unlock()
			if writer {
				q = "W: " + q
			}
			got = append(got, q)
		})
		defer stop()
		r := httptest.NewRequest(http.MethodGet, "/lead?phone=%2B57+313+643+4030", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return got
	}
	lookup() // warms the caches
	got := lookup()
	want := []string{"SELECT l.id, l.public_id,", "SELECT id, dealer_id, lead_id, task_id, kind, content", "SELECT id, lead_id, at, user_id, type, kind, changes, via FROM lead_history"}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok || !strings.Contains(got[0], "WHERE l.id = (SELECT id FROM leads WHERE") {
		t.Fatalf("a lookup ran %d statements, want %d (the lead chosen and loaded, its notes, its history):\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// coHandler is the handler over a Service on s with the demo seeded with
// leads leads a dealer, and an API key of the demo's dealer in Colombia.
func coHandler(tb testing.TB, s *store.Store, leads int, opts ...core.Option) (http.Handler, string) {
	tb.Helper()
	ctx := context.Background()
	svc := core.NewService(s, opts...)
	fx, err := demo.Seed(ctx, svc, demo.Options{Leads: leads})
	if err != nil {
		tb.Fatal(err)
	}
	key, _, err := svc.CreateAPIKey(ctx, fx.CODealerID, nil, "leancore")
	if err != nil {
		tb.Fatal(err)
	}
	return leancore.NewHandler(svc, leancore.WithLogger(slog.New(slog.DiscardHandler))), key
}
