package core_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestCheckQuery: the schema is an allowlist; every problem is named by
// its field; the bounds hold; values come out in canonical types.
func TestCheckQuery(t *testing.T) {
	deep := core.Eq("score", 1)
	for range core.MaxQueryDepth + 1 {
		deep = core.Not(deep)
	}
	var many []core.Cond
	for range core.MaxQueryConds + 1 {
		many = append(many, core.Eq("score", 1))
	}
	values := make([]int64, core.MaxQueryValues+1)
	sorts := make([]core.Sort, core.MaxSorts+1)
	for i := range sorts {
		sorts[i] = core.Sort{Field: "id"}
	}
	for _, tc := range []struct {
		name string
		q    core.Query
		want map[string]string // field → message; nil: valid
	}{
		{"empty", core.Query{}, nil},
		{"unknown field", core.Query{Where: core.Eq("colour", "red")}, map[string]string{"colour": core.MsgUnknownField}},
		{"unknown nested", core.Query{Where: core.Eq("client.shoe_size", 42)}, map[string]string{"client.shoe_size": core.MsgUnknownField}},
		{"contains on a number", core.Query{Where: core.Contains("score", "1")}, map[string]string{"score": core.MsgInvalidOperator}},
		{"lt on a bool", core.Query{Where: core.Cond{Op: core.OpLt, Field: "vehicle.sold", Value: true}}, map[string]string{"vehicle.sold": core.MsgInvalidOperator}},
		{"unknown operator", core.Query{Where: core.Cond{Op: "near", Field: "score", Value: 1}}, map[string]string{"score": core.MsgInvalidOperator}},
		{"bad stage", core.Query{Where: core.Eq("stage", "won")}, map[string]string{"stage": core.MsgInvalidChoice}},
		{"bad enum", core.Query{Where: core.In("tasks.media", "phone", "pigeon")}, map[string]string{"tasks.media": core.MsgInvalidChoice}},
		{"fractional id", core.Query{Where: core.Eq("user", 2.5)}, map[string]string{"user": core.MsgInvalid}},
		{"text for a time", core.Query{Where: core.Cond{Op: core.OpGt, Field: "created_at", Value: "yesterday"}}, map[string]string{"created_at": core.MsgInvalid}},
		{"exists needs a bool", core.Query{Where: core.Cond{Op: core.OpExists, Field: "user", Value: 1}}, map[string]string{"user": core.MsgInvalid}},
		{"NUL in a value", core.Query{Where: core.Contains("client.name", "a\x00")}, map[string]string{"client.name": core.MsgNullCharacter}},
		{"NUL in a search", core.Query{Where: core.Match("a\x00")}, map[string]string{"search": core.MsgNullCharacter}},
		{"match with a field", core.Query{Where: core.Cond{Op: core.OpMatch, Field: "client.name", Value: "x"}}, map[string]string{"client.name": core.MsgInvalid}},
		{"too deep", core.Query{Where: deep}, map[string]string{"where": core.MsgTooMany}},
		{"too many conditions", core.Query{Where: core.And(many...)}, map[string]string{"where": core.MsgTooMany}},
		{"too many values", core.Query{Where: core.In("user", values...)}, map[string]string{"user": core.MsgTooMany}},
		{"too many terms", core.Query{Where: core.Match(strings.Repeat("abcd ", core.MaxSearchTerms+1))}, map[string]string{"search": core.MsgTooMany}},
		{"too long a term", core.Query{Where: core.Match(strings.Repeat("a", core.MaxTermLength+1))}, map[string]string{"search": core.MsgTooLong}},
		{"too many sorts", core.Query{Sort: sorts}, map[string]string{"sort": core.MsgTooMany}},
		{"unknown sort", core.Query{Sort: []core.Sort{{Field: "colour"}}}, map[string]string{"sort": core.MsgUnknownField}},
		{"unsortable", core.Query{Sort: []core.Sort{{Field: "mail_content"}}}, map[string]string{"sort": core.MsgNotSortable}},
		{"ungroupable", core.Query{GroupBy: "created_at"}, map[string]string{"group_by": core.MsgNotGroupable}},
		{"unknown projection", core.Query{Project: []string{"client", "colour"}}, map[string]string{"project": core.MsgUnknownField}},
		{"every problem at once", core.Query{Where: core.And(core.Eq("colour", 1), core.Eq("stage", "won")), Sort: []core.Sort{{Field: "x"}}},
			map[string]string{"colour": core.MsgUnknownField, "stage": core.MsgInvalidChoice, "sort": core.MsgUnknownField}},
		{"valid", core.Query{
			Where: core.And(core.In("stage", "new", core.StageEnd), core.Or(core.Eq("user", nil), core.Cond{Op: core.OpNe, Field: "user", Value: 3}),
				core.Not(core.Contains("tasks.description", "call")), core.Cond{Op: core.OpGte, Field: "created_at", Value: "2026-01-01"},
				core.Cond{Op: core.OpExists, Field: "finished_at", Value: false}, core.Match("garcía 612")),
			Sort: []core.Sort{{Field: "client.name"}, {Field: "created_at", Desc: true}}, GroupBy: "stage", Project: []string{"client", "tasks.type"},
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := core.LeadSchema.Check(&tc.q)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			e, ok := err.(*core.Error)
			if !ok || e.Code != core.Invalid {
				t.Fatalf("got %v, want an Invalid *core.Error", err)
			}
			if fmt.Sprint(e.Fields) != fmt.Sprint(tc.want) {
				t.Fatalf("fields %v, want %v", e.Fields, tc.want)
			}
		})
	}

	q := core.Query{Where: core.And(core.Eq("user", 7), core.Eq("vehicle.year", 2019.0), core.In("stage", "new", "end"),
		core.Cond{Op: core.OpLt, Field: "created_at", Value: "2026-01-02T10:00:00+01:00"}, core.Eq("client", "12"))}
	if err := core.LeadSchema.Check(&q); err != nil {
		t.Fatal(err)
	}
	got := q.Where.And
	want := []any{int64(7), int64(2019), []any{core.StageNew, core.StageEnd}, time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), int64(12)}
	for i, w := range want {
		v := got[i].Value
		if got[i].Op == core.OpIn {
			v = got[i].Values
		}
		if fmt.Sprintf("%#v", v) != fmt.Sprintf("%#v", w) {
			t.Errorf("value %d: got %#v, want %#v", i, v, w)
		}
	}
}

// TestSchemasAreConsistent: every schema sorts by default on fields it
// lets sort, and names no empty field.
func TestSchemasAreConsistent(t *testing.T) {
	for _, sc := range []core.Schema{core.LeadSchema, core.ClientSchema, core.UserSchema, core.DealerSchema, core.SourceSchema, core.ProvinceSchema, core.LocalitySchema} {
		q := core.Query{Sort: sc.DefaultSort}
		if err := sc.Check(&q); err != nil || len(sc.DefaultSort) == 0 {
			t.Errorf("%s: default sort %v: %v", sc.Entity, sc.DefaultSort, err)
		}
		for name, spec := range sc.Fields {
			if name == "" || spec.Type == 0 || (spec.Type == core.TypeEnum && len(spec.Values) == 0) {
				t.Errorf("%s: field %q %+v", sc.Entity, name, spec)
			}
		}
		if sc.Search == "" {
			t.Errorf("%s: no search", sc.Entity)
		}
	}
}
