package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
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
func TestGroupCommitBatch(t *testing.T) { testGroupCommitBatch(t, writeOpts{}) }

// TestGroupCommitBatchRerun is TestGroupCommitBatch with requests that may
// run again: the batch runs without savepoints, and again with them when
// one fails.
func TestGroupCommitBatchRerun(t *testing.T) {
	testGroupCommitBatch(t, writeOpts{rerunnable: true, appendOnly: true})
}

func testGroupCommitBatch(t *testing.T, opts writeOpts) {
	s := openTestSQLite(t)
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := s.write(ctx, func(c conn) error {
			close(started)
			<-release
			_, err := c.exec(`INSERT INTO gas_types (name) VALUES ('first')`)
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
			errs[i] = s.writeWith(wctx, opts, func(c conn) error {
				if _, err := c.exec(`INSERT INTO gas_types (name) VALUES (?)`, fmt.Sprint("zz ", i)); err != nil {
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
	if err := s.read.QueryRow(`SELECT count(*) FROM gas_types WHERE name LIKE 'zz %'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != n-2 {
		t.Fatalf("rows: %d, want %d", got, n-2)
	}
	var badRows int
	if err := s.read.QueryRow(`SELECT count(*) FROM gas_types WHERE name = 'zz 7'`).Scan(&badRows); err != nil {
		t.Fatal(err)
	}
	if badRows != 0 {
		t.Fatalf("the failed request left its row")
	}
	maxBatches := int64(2)
	if opts.rerunnable {
		maxBatches = 3 // the batch runs twice
	}
	if b := s.batches.Load() - before; b > maxBatches {
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

// TestCreateLeadRerun creates leads in one batch where one fails, so that
// the batch runs again with savepoints: the others, one of them linking a
// stored client, must come out as if run once.
func TestCreateLeadRerun(t *testing.T) {
	s := openTestSQLite(t)
	ctx := context.Background()
	dealerID, sourceID := seedDealer(t, s)
	stored := core.Lead{DealerID: dealerID, SourceID: sourceID, Stage: core.StageNew, Client: &core.Client{Name: "Stored"}}
	if err := s.CreateLead(ctx, &stored, nil); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s.write(ctx, func(c conn) error {
			close(started)
			<-release
			return nil
		})
	})
	<-started
	const n, bad = 8, 3
	leads := make([]core.Lead, n)
	errs := make([]error, n)
	for i := range n {
		leads[i] = core.Lead{DealerID: dealerID, SourceID: sourceID, Stage: core.StageNew,
			Client: &core.Client{Name: fmt.Sprint("New ", i)}, Notes: []core.Note{{Content: "n"}}}
		if i%2 == 0 {
			leads[i].Client = &core.Client{ID: stored.Client.ID}
		}
		if i == bad {
			leads[i].SourceID = 999999
		}
		wg.Go(func() { errs[i] = s.CreateLead(ctx, &leads[i], nil) })
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()
	for i := range n {
		if i == bad {
			if errs[i] == nil {
				t.Errorf("lead %d: no error", i)
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("lead %d: %v", i, errs[i])
		}
		got, err := s.Lead(ctx, leads[i].ID)
		if err != nil {
			t.Fatalf("lead %d: %v", i, err)
		}
		if got.Client.ID != leads[i].Client.ID || got.Client.Name != leads[i].Client.Name || got.Notes[0].ID != leads[i].Notes[0].ID {
			t.Errorf("lead %d: stored %+v %+v, returned %+v %+v", i, got.Client, got.Notes, leads[i].Client, leads[i].Notes)
		}
		if i%2 == 0 && (got.Client.ID != stored.Client.ID || got.Client.Name != "Stored") {
			t.Errorf("lead %d: client %+v, want the stored one", i, got.Client)
		}
	}
	var leadsN, clientsN int
	s.read.QueryRow(`SELECT count(*) FROM leads`).Scan(&leadsN)
	s.read.QueryRow(`SELECT count(*) FROM clients`).Scan(&clientsN)
	if leadsN != n || clientsN != n/2 { // the stored client, and the odd ones but bad
		t.Errorf("%d leads, %d clients; want %d, %d", leadsN, clientsN, n, n/2)
	}
}

// TestShapeKnowsEveryField: the trigram index's shortcuts (the count by
// index, the walk of many matches) take only the conditions they know to
// handle; a condition on any other field of core.LeadSchema must leave
// the query to plain SQL, or the shortcut would ignore it.
func TestShapeKnowsEveryField(t *testing.T) {
	known := map[string]bool{"stage": true, "client": true, "client.phone": true, "client.email": true, "client.name": true}
	for name, spec := range core.LeadSchema.Fields {
		var v any
		switch spec.Type {
		case core.TypeText:
			v = "x"
		case core.TypeEnum:
			v = spec.Values[0]
		case core.TypeStage:
			v = core.StageNew
		case core.TypeBool:
			v = true
		case core.TypeTime:
			v = time.Now()
		default:
			v = int64(1)
		}
		for _, c := range []core.Cond{core.Eq(name, v), core.Cond{Op: core.OpExists, Field: name, Value: true}, core.Contains(name, "x")} {
			q := core.Query{Where: c}
			if core.LeadSchema.Check(&q) != nil {
				continue
			}
			sh := shapeOf([]core.Cond{q.Where}, nil)
			takes := (name == "stage" && c.Op == core.OpEq) || (name == "client" && c.Op == core.OpEq) ||
				(known[name] && c.Op == core.OpContains && leadTable.fields[name].text != nil)
			if (sh != nil) != takes {
				t.Errorf("%s %s: shape %v, want taken %v", name, c.Op, sh, takes)
			}
		}
	}
	// A term naming users or sources keeps the shape (their leads are
	// listed by index, searchrefs.go); one naming a fuel or a place not.
	if sh := shapeOf([]core.Cond{core.Match("garcía 12")}, map[string]leadTermRefs{"garcía": {users: []int64{1}, sources: []int64{2}}}); sh == nil ||
		len(sh.texts) != 1 || len(sh.texts[0].refs) != 2 || len(sh.texts[0].refs[0].users) != 1 || !sh.texts[0].refs[1].empty() {
		t.Errorf("a term naming a user and a source: shape %+v", sh)
	}
	for _, r := range []leadTermRefs{{fuels: []int64{1}}, {provinces: []int64{1}}, {localities: []int64{1}, users: []int64{1}}} {
		if sh := shapeOf([]core.Cond{core.Match("garcía")}, map[string]leadTermRefs{"garcía": r}); sh != nil {
			t.Errorf("a term naming %+v keeps the index's shape", r)
		}
	}
}

// TestTTLMapPutIf: a value read before a clear is not cached after it.
func TestTTLMapPutIf(t *testing.T) {
	m := newTTLMap[string, int](time.Minute)
	gen := m.generation()
	m.clear() // a logout between the read and the put
	m.putIf("k", 1, gen)
	if _, ok := m.get("k"); ok {
		t.Fatal("a value read before the clear was cached")
	}
	m.putIf("k", 2, m.generation())
	if v, ok := m.get("k"); !ok || v != 2 {
		t.Fatalf("get = %d, %v; want 2", v, ok)
	}
}

// TestTablesCoverSchemas: every field of each entity's core.Schema has
// its SQL in the entity's table mapping and nothing else does; an entity
// whose schema has a text search has its SQL.
func TestTablesCoverSchemas(t *testing.T) {
	schemas := []*core.Schema{&core.LeadSchema, &core.ClientSchema, &core.UserSchema, &core.DealerSchema, &core.SourceSchema,
		&core.ProvinceSchema, &core.LocalitySchema, &core.AppointmentSchema, &core.TaskSchema, &core.NoteSchema, &core.CommunicationSchema,
		&core.ContactSchema, &core.VehicleSchema}
	mapped := map[*core.Schema]bool{}
	for _, tb := range tables {
		mapped[tb.schema] = true
		for name := range tb.schema.Fields {
			if _, ok := tb.fields[name]; !ok {
				t.Errorf("%s: field %q has no SQL", tb.schema.Entity, name)
			}
		}
		for name := range tb.fields {
			if _, ok := tb.schema.Fields[name]; !ok {
				t.Errorf("%s: SQL for %q, which is no field of the schema", tb.schema.Entity, name)
			}
		}
		if (tb.schema.Search != "") != (tb.search != nil || tb == &leadTable) {
			t.Errorf("%s: the schema's search and the table's disagree", tb.schema.Entity)
		}
	}
	for _, sc := range schemas {
		if !mapped[sc] {
			t.Errorf("schema %s has no table", sc.Entity)
		}
	}
}

// TestExplainAppointments: the appointment lists the APIs ask for (a
// dealer's agenda by start, changes since a time, a user's agenda, a
// lead's appointments, by id) read an index in their order on SQLite,
// without sorting.
func TestExplainAppointments(t *testing.T) {
	s := openTestSQLite(t)
	c := s.reader(context.Background())
	for name, q := range map[string]core.Query{
		"agenda":      {Sort: []core.Sort{{Field: "start_at"}}},
		"changes":     {Where: core.Cond{Op: core.OpGt, Field: "updated_at", Value: "2026-01-01"}, Sort: []core.Sort{{Field: "updated_at"}}},
		"user agenda": {Where: core.Eq("user", 3), Sort: []core.Sort{{Field: "start_at", Desc: true}}},
		"lead":        {Where: core.Eq("lead", 3)},
		"by id":       {Sort: []core.Sort{{Field: "id"}}},
	} {
		q.Limit = 20
		if err := core.AppointmentSchema.Check(&q); err != nil {
			t.Fatal(err)
		}
		where, args := "dealer_id IN (?)", []any{int64(1)}
		if !q.Where.IsZero() {
			cond, a, _, err := c.where(&appointmentTable, q.Where, q.At)
			if err != nil {
				t.Fatal(err)
			}
			where, args = where+" AND "+cond, append(args, a...)
		}
		joined := queryPlan(t, s.read, "SELECT id FROM appointments WHERE "+where+c.orderBy(&appointmentTable, q.Sort, false)+" LIMIT 20", args...)
		t.Logf("%s: %s", name, joined)
		if !strings.Contains(joined, "USING") || strings.Contains(joined, "TEMP B-TREE") || strings.Contains(joined, "SCAN appointments") {
			t.Errorf("%s: plan %s", name, joined)
		}
	}
}
