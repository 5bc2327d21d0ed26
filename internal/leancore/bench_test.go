package leancore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkLookup is one GET /lead?phone= through the handler, the demo's
// lead in Colombia found by its number written as people write it, on
// each engine: the CPU and allocations of a lookup, without the network
// and the server's middleware (cmd/fcload -mode leancore measures those).
func BenchmarkLookup(b *testing.B) {
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		h, key := coHandler(b, s, 20)
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
