package leancore_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/leancore"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkLookup is one GET /lead?phone= through the handler, the demo's
// lead in Colombia found by its number written as people write it, on
// each engine: the CPU and allocations of a lookup, without the network
// and the server's middleware (cmd/fcload -mode leancore measures those).
func BenchmarkLookup(b *testing.B) {
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		svc := core.NewService(s)
		fx, err := demo.Seed(ctx, svc, demo.Options{Leads: 20})
		if err != nil {
			b.Fatal(err)
		}
		key, _, err := svc.CreateAPIKey(ctx, fx.CODealerID, nil, "leancore")
		if err != nil {
			b.Fatal(err)
		}
		h := leancore.NewHandler(svc, leancore.WithLogger(slog.New(slog.DiscardHandler)))
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodGet, "/lead?phone=%2B57+313+643+4030", nil)
			r.Header.Set("Authorization", "Bearer "+key)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
