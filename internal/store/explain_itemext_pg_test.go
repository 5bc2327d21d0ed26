package store_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestExplainItemExtGINPostgres: on PostgreSQL, equality and membership
// on an extension field of appointments and communications (a flat ext
// column) read the table's GIN index of forecourt_flat_ext(ext), and on
// one of tasks and notes (their extension documents) documents_body_gin
// (migration 0034), rather than every row of the dealer's; and they find
// the same rows as the other compilation of the field (the one $regex
// and the comparisons use).
func TestExplainItemExtGINPostgres(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	s := testkit.OpenPostgres(t, u)
	f := testkit.NewFixture(t, s, "g")
	check(t, store.SeedLeads(ctx, s, f.Dealer.ID, f.Source.ID, 200), "seed")
	// 1,000 tasks and notes (five a lead), 2,000 appointments and
	// communications on the dealer's first lead, each with its own
	// walcu.custom, and an extension document for every task and note,
	// each with its own custom.
	for _, q := range []string{
		`INSERT INTO tasks (public_id, lead_id, type, created_at) SELECT 'tk-' || id || '-' || g, id, 'call', 1
			FROM leads, generate_series(1, 5) g WHERE dealer_id = $1`,
		`INSERT INTO notes (lead_id, kind, content, created_at, modified_at) SELECT id, 'note', 'n', 1, 1
			FROM leads, generate_series(1, 5) g WHERE dealer_id = $1`,
		`INSERT INTO appointments (public_id, dealer_id, lead_id, type, status, start_at, ext, created_at, updated_at)
			SELECT 'ap-' || g, $1, (SELECT min(id) FROM leads WHERE dealer_id = $1), 'visit', 'pending', g,
				json_build_object('walcu.custom', to_jsonb('c' || g)::text, 'walcu.n', g::text)::text, g, g
			FROM generate_series(1, 2000) g`,
		`INSERT INTO communications (public_id, dealer_id, lead_id, kind, direction, status, start_at, ext, created_at, updated_at)
			SELECT 'co-' || g, $1, (SELECT min(id) FROM leads WHERE dealer_id = $1), 'call', 'inbound', 'done', g,
				json_build_object('walcu.custom', to_jsonb('c' || g)::text)::text, g, g
			FROM generate_series(1, 2000) g`,
		`INSERT INTO documents (public_id, dealer_id, collection, body, record_id, created_at, updated_at)
			SELECT 'td-' || t.id, $1, 'walcu.tasks', jsonb_build_object('custom', 'c' || t.id), t.id, 1, 1
			FROM tasks t JOIN leads l ON l.id = t.lead_id WHERE l.dealer_id = $1`,
		`INSERT INTO documents (public_id, dealer_id, collection, body, record_id, created_at, updated_at)
			SELECT 'nd-' || n.id, $1, 'walcu.notes', jsonb_build_object('custom', 'c' || n.id), n.id, 1, 1
			FROM notes n JOIN leads l ON l.id = n.lead_id WHERE l.dealer_id = $1`,
	} {
		_, err := s.DB().ExecContext(ctx, q, f.Dealer.ID)
		check(t, err, q)
	}
	_, err := s.DB().ExecContext(ctx, `ANALYZE appointments, communications, tasks, notes, documents, leads`)
	check(t, err, "analyze")
	// forecourt_flat_ext nests a flat ext, and skips what is no JSON
	for in, want := range map[string]string{
		`{"walcu.custom": "\"x\"", "walcu.n": "3", "sml.a": "[1]", "walcu.bad": "{nope", "nokey": "1"}`: `{"sml": {"a": [1]}, "walcu": {"n": 3, "custom": "x"}}`,
		`nope`: `{}`, `[1]`: `{}`, `{}`: `{}`, ``: `{}`,
	} {
		var same bool
		check(t, s.DB().QueryRowContext(ctx, `SELECT forecourt_flat_ext($1) = $2::jsonb`, in, want).Scan(&same), in)
		if !same {
			t.Errorf("forecourt_flat_ext(%s) is not %s", in, want)
		}
	}
	var task, note int64
	check(t, s.DB().QueryRowContext(ctx, `SELECT max(record_id) FROM documents WHERE collection = 'walcu.tasks'`).Scan(&task), "task")
	check(t, s.DB().QueryRowContext(ctx, `SELECT max(record_id) FROM documents WHERE collection = 'walcu.notes'`).Scan(&note), "note")
	ext := map[string]core.FieldSpec{"ext.walcu.custom": {Type: core.TypeText, Path: "walcu.custom"}}
	schemas := map[string]core.Schema{"appointments": core.AppointmentSchema, "communications": core.CommunicationSchema,
		"tasks": core.TaskSchema, "notes": core.NoteSchema}
	value := map[string]string{"appointments": "c17", "communications": "c1999", "tasks": "c" + itoa(task), "notes": "c" + itoa(note)}
	index := map[string]string{"appointments": "appointments_ext_gin", "communications": "communications_ext_gin",
		"tasks": "documents_body_gin", "notes": "documents_body_gin"}
	for table, base := range schemas {
		sc, err := base.WithExt(ext)
		check(t, err, "schema")
		ids := func(where core.Cond) []int64 {
			t.Helper()
			q := core.Query{Where: where, Ext: ext, Limit: 51}
			check(t, sc.Check(&q), "check")
			query, args := store.RecordExtQuery(s, table, []int64{f.Dealer.ID}, q)
			rows, err := s.DB().QueryContext(ctx, query, args...)
			check(t, err, table)
			defer rows.Close()
			var got []int64
			for rows.Next() {
				var id int64
				check(t, rows.Scan(&id), "scan")
				got = append(got, id)
			}
			check(t, rows.Err(), table)
			slices.Sort(got)
			return got
		}
		for _, where := range []core.Cond{core.Eq("ext.walcu.custom", value[table]), core.In("ext.walcu.custom", value[table], "c3")} {
			q := core.Query{Where: where, Ext: ext, Limit: 51}
			check(t, sc.Check(&q), "check")
			query, args := store.RecordExtQuery(s, table, []int64{f.Dealer.ID}, q)
			plan := pgPlan(t, s, query, args...)
			if !strings.Contains(plan, index[table]) {
				t.Errorf("%s %v: the condition does not read %s:\n%s", table, where, index[table], plan)
			}
		}
		// the same rows as a $regex of the whole value, which is not
		// compiled as containment
		eq := ids(core.Eq("ext.walcu.custom", value[table]))
		if other := ids(core.Contains("ext.walcu.custom", value[table])); len(eq) != 1 || !slices.Contains(other, eq[0]) {
			t.Errorf("%s: equality finds %v, the substring %v", table, eq, other)
		}
		if ne := ids(core.Cond{Op: core.OpNe, Field: "ext.walcu.custom", Value: value[table]}); slices.Contains(ne, eq[0]) || len(ne) == 0 {
			t.Errorf("%s: $ne finds %v", table, ne)
		}
	}
}
