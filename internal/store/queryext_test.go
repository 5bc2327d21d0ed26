package store_test

import (
	"errors"
	"slices"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// extSpecs are extension fields as an API declares them (core.Query.Ext).
var extSpecs = map[string]core.FieldSpec{
	"ext.walcu.origin.medium":            {Type: core.TypeText, Path: "walcu.origin.medium"},
	"ext.walcu.car_list.car.plate":       {Type: core.TypeText, Path: "walcu.car_list[].car.plate"},
	"ext.walcu.cost":                     {Type: core.TypeFloat, Path: "walcu.cost"},
	"ext.walcu.vip":                      {Type: core.TypeBool, Path: "walcu.vip"},
	"ext.walcu.due":                      {Type: core.TypeTime, Path: "walcu.due"},
	"ext.walcu.address.locality":         {Type: core.TypeText, Path: "walcu.address.locality"},
	"ext.walcu.primary_contact.nickname": {Type: core.TypeText, Path: "walcu.primary_contact.nickname"},
}

// TestQueryExtFields: conditions, sorts and groups on the fields of a
// lead's and a client's ext column (JSON by API) compile to SQL over the
// JSON on both engines with MongoDB's meaning: a path through an array
// holds when an element holds it, ne holds where the field is missing,
// numbers compare as numbers and dates as dates.
func TestQueryExtFields(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		exts := []map[string]string{
			{"walcu.origin": `{"medium":"web"}`, "walcu.car_list": `[{"car":{"plate":"1111AAA"}},{"car":{"plate":"2222BBB"}}]`,
				"walcu.cost": `9.5`, "walcu.vip": `true`, "walcu.due": `"2026-12-01T10:00:00.000Z"`},
			{"walcu.origin": `{"medium":"phone"}`, "walcu.car_list": `[{"car":{"plate":"3333CCC"}}]`, "walcu.cost": `120`,
				"walcu.vip": `false`, "walcu.due": `"2026-11-01T10:00:00.000Z"`},
			{"other.origin": `{"medium":"web"}`}, // another API's field of the same name
		}
		var ids []int64
		for i, e := range exts {
			l := f.Lead(i + 1)
			l.Ext = e
			if i == 0 {
				l.Client.Ext = map[string]string{"walcu.address": `{"locality":"Madrid"}`, "walcu.primary_contact": `{"nickname":"Pepe"}`}
			}
			if i == 1 {
				l.Client.Ext = map[string]string{"walcu.address": `{"locality":"Madrid"}`}
			}
			check(t, s.CreateLead(ctx, &l, nil), "create lead")
			ids = append(ids, l.ID)
		}
		dealers := []int64{f.Dealer.ID}
		find := func(what string, q core.Query, want ...int64) {
			t.Helper()
			q.Ext, q.Limit, q.At = extSpecs, 10, testkit.Now
			sc, err := core.LeadSchema.WithExt(extSpecs)
			check(t, err, what)
			check(t, sc.Check(&q), what)
			ls, _, err := s.FindLeads(ctx, dealers, q)
			check(t, err, what)
			var got []int64
			for _, l := range ls {
				got = append(got, l.ID)
			}
			if q.Sort == nil {
				slices.Sort(got)
			}
			same(t, what, got, want)
		}
		find("eq", core.Query{Where: core.Eq("ext.walcu.origin.medium", "web")}, ids[0])
		find("in", core.Query{Where: core.In("ext.walcu.origin.medium", "web", "phone")}, ids[0], ids[1])
		find("ne holds where missing", core.Query{Where: core.Cond{Op: core.OpNe, Field: "ext.walcu.origin.medium", Value: "web"}}, ids[1], ids[2])
		find("exists false", core.Query{Where: core.Cond{Op: core.OpExists, Field: "ext.walcu.origin.medium", Value: false}}, ids[2])
		find("array: any element", core.Query{Where: core.Eq("ext.walcu.car_list.car.plate", "2222BBB")}, ids[0])
		find("array: contains", core.Query{Where: core.Contains("ext.walcu.car_list.car.plate", "333c")}, ids[1])
		find("array: nin", core.Query{Where: core.Cond{Op: core.OpNin, Field: "ext.walcu.car_list.car.plate", Values: []any{"3333CCC"}}}, ids[0], ids[2])
		find("number as a number", core.Query{Where: core.Cond{Op: core.OpGt, Field: "ext.walcu.cost", Value: 10}}, ids[1])
		find("bool", core.Query{Where: core.Eq("ext.walcu.vip", false)}, ids[1])
		find("date as a date", core.Query{Where: core.Cond{Op: core.OpGte, Field: "ext.walcu.due", Value: "2026-11-15"}}, ids[0])
		find("sort by a number", core.Query{Sort: []core.Sort{{Field: "ext.walcu.cost", Desc: true}}}, ids[1], ids[0], ids[2])
		find("sort by a date", core.Query{Sort: []core.Sort{{Field: "ext.walcu.due"}}}, ids[2], ids[1], ids[0])
		find("with a core field", core.Query{Where: core.And(core.Eq("stage", core.StageNew), core.Eq("ext.walcu.vip", true))}, ids[0])

		q := core.Query{GroupBy: "ext.walcu.origin.medium", Ext: extSpecs, At: testkit.Now}
		gs, err := s.GroupLeads(ctx, dealers, q)
		check(t, err, "group leads")
		same(t, "groups of leads", gs, []core.Group{{Value: nil, Count: 1}, {Value: "phone", Count: 1}, {Value: "web", Count: 1}})

		// clients
		cq := core.Query{Where: core.Eq("ext.walcu.address.locality", "Madrid"), Ext: extSpecs, Limit: 10, At: testkit.Now,
			Sort: []core.Sort{{Field: "ext.walcu.primary_contact.nickname", Desc: true}}}
		cs, _, err := s.FindClients(ctx, dealers, cq)
		check(t, err, "find clients")
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		same(t, "clients in Madrid, by nickname", names, []string{"Client 1", "Client 2"})
		gs, err = s.GroupClients(ctx, dealers, core.Query{GroupBy: "ext.walcu.address.locality", Ext: extSpecs, At: testkit.Now})
		check(t, err, "group clients")
		same(t, "groups of clients", gs, []core.Group{{Value: "Madrid", Count: 2}, {Value: nil, Count: 1}})
		gs, err = s.GroupClients(ctx, []int64{f.Dealer.ID + 1000}, core.Query{GroupBy: "province", At: testkit.Now})
		check(t, err, "group another dealer's clients")
		same(t, "another dealer's groups", len(gs), 0)
	})
}

// TestQueryExtFieldsChecked: extension fields are an allowlist declared
// with the query; a declaration that is not one is refused by name.
func TestQueryExtFieldsChecked(t *testing.T) {
	for name, spec := range map[string]core.FieldSpec{
		"walcu.custom":     {Type: core.TypeText, Path: "walcu.custom"},       // no ext. prefix
		"ext.walcu.custom": {Type: core.TypeText, Path: "other.custom"},       // another API's path
		"ext.walcu.x":      {Type: core.TypeText, Path: "walcu.x'); DROP --"}, // not a path
		"ext.walcu.y":      {Path: "walcu.y"},                                 // no type
	} {
		_, err := core.LeadSchema.WithExt(map[string]core.FieldSpec{name: spec})
		if core.ErrorCode(err) != core.Invalid || fieldsOf(err)[name] == "" {
			t.Errorf("%s: %v, want invalid naming it", name, err)
		}
	}
	sc, err := core.LeadSchema.WithExt(extSpecs)
	check(t, err, "with ext")
	q := core.Query{Where: core.Eq("ext.walcu.unknown", "x"), Sort: []core.Sort{{Field: "ext.walcu.car_list.car.plate"}}}
	err = sc.Check(&q)
	if fe := fieldsOf(err); fe["ext.walcu.unknown"] != core.MsgUnknownField || fe["sort"] != core.MsgNotSortable {
		t.Errorf("undeclared field and a sort through an array: %v", err)
	}
}

// fieldsOf is the per-field messages of a core error.
func fieldsOf(err error) map[string]string {
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Fields
	}
	return nil
}
