package store_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// keysetIDs reads every page of q (Limit: the page's size) after the
// other by its key (from q.Keyset's After, if set), until a short one,
// and returns their ids in order.
func keysetIDs[T any](t *testing.T, q core.Query, find func(core.Query) ([]T, error), id func(T) int64) []int64 {
	t.Helper()
	if q.Keyset == nil {
		q.Keyset = &core.Keyset{}
	}
	var out []int64
	for range 1000 {
		page, err := find(q)
		check(t, err, "keyset page")
		for _, r := range page {
			out = append(out, id(r))
		}
		if len(page) < q.Limit {
			return out
		}
		q.Keyset.After = q.Keyset.Next
	}
	t.Fatal("keyset pages do not end")
	return nil
}

// TestKeysetPages: reading a list page by page after each page's key
// gives the whole list in its order, for sorts on non-unique fields,
// fields without a value (NULL, lowest on both engines), descending and
// mixed directions, an expression (the client's name), and a filter;
// for leads and for a list of findPage (clients). Then an insertion,
// a deletion and updates between two pages neither repeat nor skip a
// row that kept its sort key.
func TestKeysetPages(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")
		check(t, store.SeedLeads(ctx, s, a.Dealer.ID, a.Source.ID, 90), "seed a")
		check(t, store.SeedLeads(ctx, s, b.Dealer.ID, b.Source.ID, 20), "seed b")
		// ties and gaps: three scores, a finished date on two of three
		// leads in five values, an advisor on every other lead, and
		// client names and dates shared by several clients
		check(t, store.ExecWrite(s, `UPDATE leads SET score = id % 3,
			finished_at = CASE WHEN id % 3 = 0 THEN NULL ELSE 1700000000000000 + (id % 5) END,
			user_id = CASE WHEN id % 2 = 0 THEN NULL ELSE user_id END,
			client_name = 'n' || (id % 7)`), "ties")
		check(t, store.ExecWrite(s, `UPDATE clients SET name = 'c' || (id % 4), created_at = 1700000000000000 + (id % 6)`), "client ties")

		findLeads := func(q core.Query) ([]core.Lead, error) {
			ls, _, err := s.FindLeads(ctx, []int64{a.Dealer.ID}, q)
			return ls, err
		}
		leadID := func(l core.Lead) int64 { return l.ID }
		sorts := [][]core.Sort{
			nil,
			{{Field: "created_at", Desc: true}},
			{{Field: "score"}},
			{{Field: "score", Desc: true}},
			{{Field: "finished_at"}},
			{{Field: "finished_at", Desc: true}},
			{{Field: "stage"}, {Field: "finished_at", Desc: true}},
			{{Field: "user", Desc: true}, {Field: "score"}},
			{{Field: "finished_at"}, {Field: "user"}, {Field: "score", Desc: true}},
			{{Field: "client.name", Desc: true}},
			{{Field: "id", Desc: true}},
		}
		wheres := []core.Cond{{}, core.In("score", 0, 2), core.Contains("client.name", "n1")}
		for _, sort := range sorts {
			for _, where := range wheres {
				name := fmt.Sprintf("%v %v", sort, where)
				all, _, err := s.FindLeads(ctx, []int64{a.Dealer.ID}, checked(t, core.LeadSchema, core.Query{Where: where, Sort: sort, Limit: -1}))
				check(t, err, name)
				want := make([]int64, len(all))
				for i, l := range all {
					want[i] = l.ID
				}
				for _, size := range []int{2, 7} {
					got := keysetIDs(t, checked(t, core.LeadSchema, core.Query{Where: where, Sort: sort, Limit: size}), findLeads, leadID)
					if !slices.Equal(got, want) {
						t.Errorf("%s, pages of %d: keyset %v\nwant %v", name, size, got, want)
					}
				}
			}
		}

		findClients := func(q core.Query) ([]core.Client, error) {
			cs, _, err := s.FindClients(ctx, []int64{a.Dealer.ID}, q)
			return cs, err
		}
		clientID := func(c core.Client) int64 { return c.ID }
		for _, sort := range [][]core.Sort{nil, {{Field: "name"}}, {{Field: "name", Desc: true}, {Field: "created_at"}}, {{Field: "created_at", Desc: true}}} {
			all, _, err := s.FindClients(ctx, []int64{a.Dealer.ID}, checked(t, core.ClientSchema, core.Query{Sort: sort, Limit: -1}))
			check(t, err, "clients")
			want := make([]int64, len(all))
			for i, c := range all {
				want[i] = c.ID
			}
			if got := keysetIDs(t, checked(t, core.ClientSchema, core.Query{Sort: sort, Limit: 6}), findClients, clientID); !slices.Equal(got, want) {
				t.Errorf("clients %v: keyset %v\nwant %v", sort, got, want)
			}
		}

		// Between two pages of the newest first: a new lead (the newest),
		// one already read deleted, one not yet read deleted, and the
		// stage and score of others changed.
		sort := []core.Sort{{Field: "created_at", Desc: true}}
		all, _, err := s.FindLeads(ctx, []int64{a.Dealer.ID}, checked(t, core.LeadSchema, core.Query{Sort: sort, Limit: -1}))
		check(t, err, "all")
		q := checked(t, core.LeadSchema, core.Query{Sort: sort, Limit: 30})
		q.Keyset = &core.Keyset{}
		first, err := findLeads(q)
		check(t, err, "first page")
		l := a.Lead(1000)
		l.CreatedAt = all[0].CreatedAt.Add(time.Hour)
		check(t, s.CreateLead(ctx, &l, nil), "create")
		check(t, store.ExecWrite(s, `DELETE FROM leads WHERE id IN (?, ?)`, first[3].ID, all[50].ID), "delete")
		check(t, store.ExecWrite(s, `UPDATE leads SET stage_rank = 3, score = 9 WHERE id IN (?, ?, ?)`, first[29].ID, all[30].ID, all[80].ID), "update")
		var got []int64
		for _, l := range first {
			got = append(got, l.ID)
		}
		q.Keyset.After = q.Keyset.Next
		got = append(got, keysetIDs(t, q, findLeads, leadID)...)
		var want []int64
		for i, l := range all {
			if i != 50 {
				want = append(want, l.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("rows changed between pages: got %v\nwant %v", got, want)
		}

		// A key of another order's length is refused, not compiled.
		q = checked(t, core.LeadSchema, core.Query{Sort: sort, Limit: 5})
		q.Keyset = &core.Keyset{After: []any{int64(1)}}
		if _, _, err := s.FindLeads(ctx, []int64{a.Dealer.ID}, q); core.ErrorCode(err) != core.Invalid {
			t.Errorf("a key of one value: %v, want Invalid", err)
		}
	})
}

// TestKeysetReadsByKey: a keyset page's statement starts at the last
// key (a range on the order's first column), with no OFFSET (SQLite's
// statements, seen by WatchStatements).
func TestKeysetReadsByKey(t *testing.T) {
	s := testkit.OpenSQLite(t)
	a := testkit.NewFixture(t, s, "a")
	check(t, store.SeedLeads(ctx, s, a.Dealer.ID, a.Source.ID, 20), "seed")
	// the reads' statements only: the writer indexes and merges the
	// search index in the background, on its own goroutine
	var (
		mu    sync.Mutex
		stmts []string
	)
	stop := s.WatchStatements(func(writer bool, q string) {
		if !writer {
			mu.Lock()
			stmts = append(stmts, q)
			mu.Unlock()
		}
	})
	q := checked(t, core.LeadSchema, core.Query{Sort: []core.Sort{{Field: "created_at", Desc: true}}, Limit: 8})
	got := keysetIDs(t, q, func(q core.Query) ([]core.Lead, error) {
		ls, _, err := s.FindLeads(ctx, []int64{a.Dealer.ID}, q)
		return ls, err
	}, func(l core.Lead) int64 { return l.ID })
	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 20 {
		t.Fatalf("read %d leads, want 20", len(got))
	}
	keyed := 0
	for _, st := range stmts {
		if strings.Contains(st, "OFFSET") {
			t.Errorf("a statement skips rows: %s", st)
		}
		if strings.Contains(st, "created_at <= ? AND (created_at < ? OR id < ?)") {
			keyed++
		}
	}
	// pages 2 and 3 start after a key; the last, short, also reads the
	// leads without a date (none)
	if keyed != 2 {
		t.Errorf("%d statements continue after a key, want 2:\n%s", keyed, strings.Join(stmts, "\n"))
	}
}

// checked is q checked against sc.
func checked(t *testing.T, sc core.Schema, q core.Query) core.Query {
	t.Helper()
	check(t, sc.Check(&q), "check")
	return q
}
