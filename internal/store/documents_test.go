package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// docSchema is a collection whose body has a text, a number, a boolean, a
// time, an object, an array of texts and an array of objects holding an
// array of objects.
var docSchema = core.DocumentSchema("test.things", map[string]core.FieldSpec{
	"name":                {Type: core.TypeText, Path: "name", Group: true},
	"price":               {Type: core.TypeFloat, Path: "price", Group: true},
	"published":           {Type: core.TypeBool, Path: "published", Group: true},
	"made_at":             {Type: core.TypeTime, Path: "made_at"},
	"origin.source":       {Type: core.TypeText, Path: "origin.source", Group: true},
	"tags":                {Type: core.TypeText, Path: "tags[]"},
	"cars.make":           {Type: core.TypeText, Path: "cars[].make"},
	"cars.year":           {Type: core.TypeFloat, Path: "cars[].year"},
	"cars.equipment.code": {Type: core.TypeText, Path: "cars[].equipment[].code"},
})

// TestDocuments: documents are created, read, updated with their version,
// listed through the query model over their JSON bodies, grouped and
// deleted, within their dealer, on both engines.
func TestDocuments(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := testkit.NewFixture(t, s, "a")
		other := testkit.NewFixture(t, s, "b")
		svc := core.NewService(s, core.WithClock(func() time.Time { return testkit.Now }))
		actx := core.WithPrincipal(ctx, core.Principal{UserID: f.User.ID, DealerIDs: []int64{f.Dealer.ID}})
		bodies := []string{
			`{"name":"uno","price":10,"published":true,"made_at":"2026-01-01T10:00:00.000Z","origin":{"source":"web"},"tags":["a","b"],
			  "cars":[{"make":"seat","year":2019,"equipment":[{"code":"X1"}]},{"make":"ford","year":2010}]}`,
			`{"name":"dos","price":20.5,"published":false,"made_at":"2026-02-01T10:00:00.000Z","origin":{"source":"phone"},"tags":["b"],
			  "cars":[{"make":"ford","year":2021,"equipment":[{"code":"Y2"},{"code":"X1"}]}]}`,
			`{"name":"tres","cars":"not a list","tags":"c"}`,
		}
		var docs []core.Document
		for _, b := range bodies {
			d, err := svc.CreateDocument(actx, core.Document{DealerID: f.Dealer.ID, Collection: "test.things", Body: []byte(b)})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			docs = append(docs, d)
		}
		// another dealer's document of the same collection is never listed
		bctx := core.WithPrincipal(ctx, core.Principal{UserID: other.User.ID, DealerIDs: []int64{other.Dealer.ID}})
		if _, err := svc.CreateDocument(bctx, core.Document{DealerID: other.Dealer.ID, Collection: "test.things", Body: []byte(`{"name":"uno"}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FindDocument(bctx, docs[0].ID); core.ErrorCode(err) != core.NotFound {
			t.Errorf("another dealer's document: %v, want NotFound", err)
		}
		find := func(where core.Cond) []string {
			t.Helper()
			ds, _, err := svc.FindDocuments(actx, "test.things", docSchema, core.Query{Where: where, Limit: 100})
			if err != nil {
				t.Fatalf("find %+v: %v", where, err)
			}
			var names []string
			for _, d := range ds {
				var b struct{ Name string }
				if err := json.Unmarshal(d.Body, &b); err != nil {
					t.Fatal(err)
				}
				names = append(names, b.Name)
			}
			return names
		}
		made := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
		for _, tc := range []struct {
			where core.Cond
			want  []string
		}{
			{core.Eq("name", "uno"), []string{"uno"}},
			{core.Cond{Op: core.OpNe, Field: "name", Value: "uno"}, []string{"dos", "tres"}},
			{core.Cond{Op: core.OpGt, Field: "price", Value: 15}, []string{"dos"}},
			{core.Eq("price", 10), []string{"uno"}},
			{core.Eq("published", false), []string{"dos"}},
			{core.Cond{Op: core.OpNe, Field: "published", Value: true}, []string{"dos", "tres"}},
			{core.Cond{Op: core.OpGte, Field: "made_at", Value: made("2026-01-15T00:00:00Z")}, []string{"dos"}},
			{core.Eq("origin.source", "phone"), []string{"dos"}},
			{core.Eq("tags", "a"), []string{"uno"}},
			{core.Eq("tags", "b"), []string{"uno", "dos"}},
			{core.Eq("tags", "c"), nil}, // not a list: no element
			{core.Cond{Op: core.OpNe, Field: "tags", Value: "a"}, []string{"dos", "tres"}},
			{core.Eq("cars.make", "ford"), []string{"uno", "dos"}},
			{core.Cond{Op: core.OpGt, Field: "cars.year", Value: 2020}, []string{"dos"}},
			{core.Eq("cars.equipment.code", "X1"), []string{"uno", "dos"}},
			{core.Eq("cars.equipment.code", "Y2"), []string{"dos"}},
			{core.In("cars.make", "seat", "audi"), []string{"uno"}},
			{core.Cond{Op: core.OpNin, Field: "cars.make", Values: []any{"seat"}}, []string{"dos", "tres"}},
			{core.Cond{Op: core.OpExists, Field: "price", Value: false}, []string{"tres"}},
			{core.Cond{Op: core.OpExists, Field: "cars.make", Value: true}, []string{"uno", "dos"}},
			{core.Contains("name", "RE"), []string{"tres"}},
			{core.Match("web"), []string{"uno"}},
			{core.Or(core.Eq("name", "uno"), core.Eq("name", "tres")), []string{"uno", "tres"}},
			{core.Not(core.Eq("cars.make", "ford")), []string{"tres"}},
		} {
			if got := find(tc.where); !slices.Equal(got, tc.want) {
				t.Errorf("%+v: got %v, want %v", tc.where, got, tc.want)
			}
		}
		groups, err := svc.GroupDocuments(actx, "test.things", docSchema, core.Query{GroupBy: "origin.source"})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(groups); got != "[{<nil> 1} {phone 1} {web 1}]" {
			t.Errorf("groups: %s", got)
		}
		for _, field := range []string{"price", "published"} {
			if _, err := svc.GroupDocuments(actx, "test.things", docSchema, core.Query{GroupBy: field}); err != nil {
				t.Errorf("group by %s: %v", field, err)
			}
		}
		// updates carry the version read
		d, err := svc.UpdateDocument(actx, docs[0].ID, core.DocumentPatch{Version: 1, Body: core.Value([]byte(`{"name":"uno","price":11}`))})
		if err != nil || d.Version != 2 {
			t.Fatalf("update: %v %d", err, d.Version)
		}
		if _, err := svc.UpdateDocument(actx, docs[0].ID, core.DocumentPatch{Version: 1, Body: core.Value([]byte(`{}`))}); !errors.Is(err, core.ErrStaleVersion) {
			t.Errorf("stale update: %v", err)
		}
		if _, err := svc.UpdateDocument(actx, docs[0].ID, core.DocumentPatch{Body: core.Value([]byte(`[1]`))}); core.ErrorCode(err) != core.Invalid {
			t.Errorf("an array body: %v", err)
		}
		if err := svc.DeleteDocument(actx, docs[0].ID, 1); !errors.Is(err, core.ErrStaleVersion) {
			t.Errorf("stale delete: %v", err)
		}
		if err := svc.DeleteDocument(actx, docs[0].ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FindDocument(actx, docs[0].ID); core.ErrorCode(err) != core.NotFound {
			t.Errorf("deleted: %v", err)
		}
		// links to another dealer's lead or client are refused
		l := other.Lead(1)
		if err := s.CreateLead(ctx, &l, &core.History{At: testkit.Now, Type: core.HistoryCreated, Kind: core.KindLeadCreated}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateDocument(actx, core.Document{DealerID: f.Dealer.ID, Collection: "test.things", Body: []byte(`{}`), LeadID: &l.ID}); core.ErrorCode(err) != core.Invalid {
			t.Errorf("another dealer's lead: %v", err)
		}
		if id, err := svc.ResolvePublicID(actx, core.RecordDocument, docs[1].PublicID); err != nil || id != docs[1].ID {
			t.Errorf("public id: %d %v", id, err)
		}
	})
}
