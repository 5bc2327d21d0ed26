package store

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
)

func TestMigrationsMatch(t *testing.T) {
	names := func(engine string) []string {
		entries, err := fs.ReadDir(migrations, "migrations/"+engine)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	sqlite, postgres := names(SQLite), names(Postgres)
	if len(sqlite) == 0 || !slices.Equal(sqlite, postgres) {
		t.Fatalf("migration folders differ:\nsqlite:   %v\npostgres: %v", sqlite, postgres)
	}
}

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{`x LIKE ? ESCAPE '\' AND y = '?' AND z = ?`, `x LIKE $1 ESCAPE '\' AND y = '?' AND z = $2`},
	} {
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func openTestSQLite(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestGroupCommitBatch holds the writer on a first request while others
// queue, so that they are committed in one transaction: the one that fails
// is rolled back to its savepoint alone, the others commit, each waiter
// gets its own answer.
func TestGroupCommitBatch(t *testing.T) {
	s := openTestSQLite(t)
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := s.write(ctx, func(c conn) error {
			close(started)
			<-release
			_, err := c.exec(`INSERT INTO countries (code, name) VALUES ('AA', 'first')`)
			return err
		})
		if err != nil {
			t.Errorf("first: %v", err)
		}
	})
	<-started
	before := s.batches.Load()

	const n = 20
	const bad = 7
	boom := errors.New("boom")
	errs := make([]error, n)
	canceled, cancel := context.WithCancel(ctx)
	for i := range n {
		wg.Go(func() {
			wctx := ctx
			if i == n-1 {
				wctx = canceled
			}
			errs[i] = s.write(wctx, func(c conn) error {
				if _, err := c.exec(`INSERT INTO countries (code, name) VALUES (?, ?)`, "ZZ", i); err != nil {
					return err
				}
				if i == bad {
					return boom
				}
				return nil
			})
		})
	}
	// Wait until all of them wait on the writer, then let it go.
	time.Sleep(200 * time.Millisecond)
	cancel()
	close(release)
	wg.Wait()

	for i, err := range errs {
		switch {
		case i == bad && !errors.Is(err, boom):
			t.Errorf("request %d: got %v, want boom", i, err)
		case i == n-1 && !errors.Is(err, context.Canceled):
			t.Errorf("request %d: got %v, want canceled", i, err)
		case i != bad && i != n-1 && err != nil:
			t.Errorf("request %d: %v", i, err)
		}
	}
	var got int
	if err := s.read.QueryRow(`SELECT count(*) FROM countries WHERE code = 'ZZ'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != n-2 {
		t.Fatalf("rows: %d, want %d", got, n-2)
	}
	var badRows int
	if err := s.read.QueryRow(`SELECT count(*) FROM countries WHERE name = '7'`).Scan(&badRows); err != nil {
		t.Fatal(err)
	}
	if badRows != 0 {
		t.Fatalf("the failed request left its row")
	}
	if b := s.batches.Load() - before; b > 2 {
		t.Fatalf("%d requests took %d more transactions, want them batched", n, b)
	}
}

// TestWriterSurvivesPanic checks that a panicking request fails alone.
func TestWriterSurvivesPanic(t *testing.T) {
	s := openTestSQLite(t)
	ctx := context.Background()
	err := s.write(ctx, func(c conn) error { panic("oops") })
	if err == nil {
		t.Fatal("panic not reported")
	}
	if err := s.CreateCountry(ctx, &core.Country{Code: "ES", Name: "Spain"}); err != nil {
		t.Fatalf("write after panic: %v", err)
	}
}
