package testkit

import (
	"context"
	"os"
	"testing"

	"forecourt/internal/store"
)

// Stores opened from the migrated template are empty and apart: the same
// fixture created in two of them gets the same ids (each starts where an
// empty, freshly migrated store starts) and no unique name conflicts with
// the other's.
func TestTemplateStoresAreEmptyAndApart(t *testing.T) {
	open := map[string]func(t *testing.T) *store.Store{
		store.SQLite: func(t *testing.T) *store.Store { return OpenSQLite(t) },
	}
	if u := os.Getenv(PostgresEnv); u != "" {
		open[store.Postgres] = func(t *testing.T) *store.Store { return OpenPostgres(t, u) }
	}
	for engine, fn := range open {
		t.Run(engine, func(t *testing.T) {
			a, b := fn(t), fn(t)
			if a.Engine() != engine || b.Engine() != engine {
				t.Fatalf("engines %s, %s, want %s", a.Engine(), b.Engine(), engine)
			}
			ctx := context.Background()
			for _, s := range []*store.Store{a, b} {
				ds, err := s.DealersByID(ctx, []int64{1, 2, 3})
				if err != nil || len(ds) != 0 {
					t.Fatalf("a new store holds dealers %v (%v), want none", ds, err)
				}
			}
			fa := NewFixture(t, a, "x")
			fb := NewFixture(t, b, "x") // fails on a unique name if a and b shared a database
			if fa.Dealer.ID != fb.Dealer.ID || fa.User.ID != fb.User.ID || fa.Locality.ID != fb.Locality.ID {
				t.Errorf("ids %d/%d/%d and %d/%d/%d: the two stores did not start alike",
					fa.Dealer.ID, fa.User.ID, fa.Locality.ID, fb.Dealer.ID, fb.User.ID, fb.Locality.ID)
			}
			if ds, err := a.DealersByID(ctx, []int64{fa.Dealer.ID}); err != nil || len(ds) != 1 {
				t.Fatalf("dealer %d in a: %v (%v)", fa.Dealer.ID, ds, err)
			}
		})
	}
}
